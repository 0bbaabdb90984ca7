"""How many SMS segments a text costs, the way carriers count them."""

from __future__ import annotations

import dataclasses
import math
from enum import StrEnum

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


class Encoding(StrEnum):
    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


@dataclasses.dataclass(frozen=True, slots=True)
class SegmentCount:
    encoding: Encoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def count_segments(text: str) -> SegmentCount:
    """Encoding, length and segment count of one message."""
    try:
        units = len(text.encode("gsm03.38"))  # extension characters take two septets
        encoding, single, part = Encoding.GSM7, GSM_SINGLE, GSM_PART
    except UnicodeEncodeError:
        units = len(text.encode("utf-16-le")) // 2
        encoding, single, part = Encoding.UCS2, UCS2_SINGLE, UCS2_PART
    segments = 1 if units <= single else math.ceil(units / part)
    return SegmentCount(encoding, units, segments)

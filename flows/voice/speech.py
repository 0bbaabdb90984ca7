"""Spoken text in parts: phone numbers marked so a voice reads them digit by digit."""

from __future__ import annotations

import re

# A North American number as people write it: +1 (212) 555-0199, 212.555.0199, 2125550199.
PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)")


def spoken_parts(text: str) -> list[tuple[str, bool]]:
    """The text cut into (words, is_phone_number) parts, in order, none empty."""
    parts: list[tuple[str, bool]] = []
    at = 0
    for found in PHONE.finditer(text):
        if found.start() > at:
            parts.append((text[at : found.start()], False))
        parts.append((found.group(), True))
        at = found.end()
    if at < len(text):
        parts.append((text[at:], False))
    return parts

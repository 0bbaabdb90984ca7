"""CSV exports that a spreadsheet opens as text, never as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response

# A cell starting with one of these is read as a formula by Excel, LibreOffice or Sheets
# (tab and carriage return too, since they may be stripped before the formula is read).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """The value as text; one that could start a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(
    columns: Sequence[str], rows: Iterable[Sequence[object]], filename: str
) -> Response:
    """A download; every cell of words someone typed must have gone through `cell`."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(rows)
    headers = {"Content-Disposition": f"attachment; filename={filename}"}
    return Response(out.getvalue(), mimetype="text/csv", headers=headers)

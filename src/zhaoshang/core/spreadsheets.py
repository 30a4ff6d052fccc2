"""The one spreadsheet writer: every xlsx and CSV file the application hands to people goes through here.

Text never runs as a formula (see ``zhaoshang.standards.cells``): in xlsx a text cell is stored as text, whatever
it starts with, so ``=cmd|' /C calc'!A0`` stays a name and an exported file imports back unchanged; CSV has no
cell types, so text that starts like a formula gets the OWASP apostrophe. Numbers (int, float, Decimal) stay
numbers. Workbooks have a bold, frozen header row and columns as wide as their content.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from zhaoshang.core.uploads import content_type_for
from zhaoshang.standards.cells import csv_write, is_number, is_numeric

WIDTH_ROWS = 500  # the rows that set a column's width: enough to see the longest names of a list
MIN_WIDTH, MAX_WIDTH = 6, 60
_TITLE_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Sheet:
    """One table: a sheet of a workbook, or the whole of a CSV file. ``rows`` may be any iterable of rows."""

    title: str
    headers: Sequence[Any]
    rows: Iterable[Sequence[Any]] = ()


def workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
    """An xlsx file with a sheet per ``Sheet``, in order."""
    # deferred: openpyxl loads only when a workbook is written
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for table in sheets:
        sheet = book.create_sheet(title=_sheet_title(table.title, len(book.worksheets)))
        headers = [_xlsx_value(name) for name in table.headers]
        rows = [[_xlsx_value(value) for value in row] for row in table.rows]
        # Widths and the frozen header go first: a write-only sheet writes them at its top, before any row.
        for index, width in enumerate(_widths(headers, rows), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        header = []
        for name in headers:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in rows:
            cells: list[Any] = []
            for value in row:
                if isinstance(value, str):
                    value = WriteOnlyCell(sheet, value=value)
                    value.data_type = "s"  # text even when it starts with "=": openpyxl would write a formula
                cells.append(value)
            sheet.append(cells)
    if not book.worksheets:
        book.create_sheet()
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_text(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text (for the command line): text cells guarded, numbers as written."""
    buffer = io.StringIO()
    csv_write(buffer, headers, rows)
    return buffer.getvalue()


def csv_bytes(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV file in UTF-8 with a BOM, so that Excel on Chinese Windows opens it without mojibake."""
    return ("\ufeff" + csv_text(headers, rows)).encode("utf-8")


def table_bytes(sheet: Sheet, fmt: str) -> bytes:
    """One table as an ``xlsx`` or ``csv`` file."""
    if fmt == "xlsx":
        return workbook_bytes([sheet])
    if fmt == "csv":
        return csv_bytes(sheet.headers, sheet.rows)
    raise ValueError(f"unknown format {fmt!r}")


def download_response(content: bytes, filename: str) -> HttpResponse:
    """A file made for the user to save: typed by its suffix as stored files are (``core.uploads``), its name
    in UTF-8 (RFC 5987: ``filename*=utf-8''…``), never sniffed nor kept in a shared cache."""
    response = HttpResponse(content, content_type=content_type_for(filename))
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def workbook_response(sheets: Iterable[Sheet], filename: str) -> HttpResponse:
    return download_response(workbook_bytes(sheets), filename)


# --- xlsx ---------------------------------------------------------------------------------------------------

# What openpyxl refuses in a cell (control characters but tab and line breaks); Excel cannot read them either.
_ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _xlsx_value(value: Any) -> Any:
    """What a cell holds: numbers, dates and booleans as themselves, anything else as text."""
    if is_numeric(value):
        return value if is_number(value) else None  # NaN or infinity: Excel has no such number
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, datetime.date | datetime.time):
        return value
    return _ILLEGAL_CHARACTERS.sub("", str(value))


def _sheet_title(title: str, number: int) -> str:
    return str(title).translate(_TITLE_FORBIDDEN).strip("'")[:31] or f"Sheet{number + 1}"


def _widths(headers: Sequence[Any], rows: Sequence[Sequence[Any]]) -> list[float]:
    widths = [_display_width(name) for name in headers]
    for row in rows[:WIDTH_ROWS]:
        for index, value in enumerate(row):
            if index >= len(widths):
                widths.append(0)
            widths[index] = max(widths[index], _display_width(value))
    return [min(max(width + 2, MIN_WIDTH), MAX_WIDTH) for width in widths]


def _display_width(value: Any) -> int:
    """Characters as a spreadsheet lays them out: a Chinese character is two columns wide."""
    if value is None:
        return 0
    text = str(value).split("\n", 1)[0]
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)

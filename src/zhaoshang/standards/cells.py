"""Spreadsheet cells that cannot run: the formula guard of every file people open in Excel or WPS.

A text cell that starts like a formula (``= + - @``, a tab or a carriage return) is run by the spreadsheet
when a CSV file is opened (OWASP "CSV injection"): ``=cmd|' /C calc'!A0`` as a park's name starts a program.
The guard writes such text with a leading apostrophe, which spreadsheets show as text; numbers are numbers and
stay as they are. Pure, so that the reports of the analytics cores use it as well as the application
(``zhaoshang.core.spreadsheets`` builds the xlsx and CSV downloads on it).
"""

from __future__ import annotations

import csv
import math
import numbers
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_numeric(value: object) -> bool:
    """A number of any kind (int, float, Decimal, NumPy's), finite or not, but not a bool."""
    return isinstance(value, numbers.Real | Decimal) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    """A number a numeric cell can hold: ``is_numeric`` and finite."""
    if isinstance(value, Decimal):
        return value.is_finite()
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def guarded(text: str) -> str:
    """``text`` as a CSV cell that the spreadsheet shows and never runs."""
    return "'" + text if looks_like_formula(text) else text


def unguarded(text: str) -> str:
    """Undo the guard (``'=x`` → ``=x``) when a file we wrote comes back: the cell is data, never evaluated."""
    return text[1:] if text.startswith("'") and looks_like_formula(text[1:]) else text


def csv_cell(value: Any) -> Any:
    """What a CSV writer gets for a value: numbers as they are, nothing for None or NaN, text guarded."""
    if value is None:
        return ""
    if is_numeric(value):
        return value if is_number(value) else ""  # NaN or infinity: no number to write
    return guarded(str(value))


class CsvWriter:
    """``csv.writer`` whose every text cell is guarded; for files written row by row."""

    def __init__(self, handle: TextIO, **options: Any) -> None:
        self._writer = csv.writer(handle, **options)

    def row(self, values: Iterable[Any]) -> None:
        self._writer.writerow([csv_cell(value) for value in values])


def csv_write(handle: TextIO, headers: Iterable[Any], rows: Iterable[Iterable[Any]]) -> None:
    writer = CsvWriter(handle)
    writer.row(headers)
    for row in rows:
        writer.row(row)

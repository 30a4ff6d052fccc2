"""Where a table's header is and what its headers mean: officials' sheets start with a title and a "单位:亿元"
line, write units into headers (总投资(亿元)), and name columns their own way (所在区县(功能区) for 区县).

Pure text work, no database: the resource says which column names it knows (and their synonyms); this finds the
header row among the first rows, the table's unit and year, and maps each header to a column or to "ignored".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

HEADER_SCAN_ROWS = 12  # the header is looked for among the first rows only

# Units a header or a "单位:" line may carry, after NFKC (（亿元） → (亿元), ㎡ → m2).
MONEY_UNITS = ("元", "千元", "万元", "万", "百万元", "千万元", "亿元", "亿")
AREA_UNITS = ("亩", "万亩", "公顷", "平方米", "平米", "m2", "万平方米", "平方公里")
OTHER_UNITS = ("人", "个", "%", "年", "月", "家", "吨", "千瓦", "kw")
UNITS = (*MONEY_UNITS, *AREA_UNITS, *OTHER_UNITS)
_UNIT_IN_HEADER = re.compile(r"[(\[](?:单位[:：])?\s*(?P<unit>[^()\[\]]{1,6})\s*[)\]]$")
_UNIT_LINE = re.compile(r"单位\s*[:：]\s*(?P<unit>[^\s,，;；]{1,6})")
_TITLE_YEAR = re.compile(r"(?P<year>20\d{2})\s*年")


def clean_header(text: Any) -> str:
    """A header as compared: NFKC (full-width brackets and colons to ASCII), no spaces, no required-marks (*)."""
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    cleaned = unicodedata.normalize("NFKC", str(text))
    return "".join(cleaned.split()).strip("*").replace("【", "[").replace("】", "]")


def split_unit(header: str) -> tuple[str, str]:
    """("总投资(亿元)") → ("总投资", "亿元"); a bracket that is not a unit stays: ("所在区县(功能区)", "")."""
    cleaned = clean_header(header)
    found = _UNIT_IN_HEADER.search(cleaned)
    if found and found["unit"].lower() in UNITS:
        return cleaned[: found.start()], found["unit"].lower()
    return cleaned, ""


def without_brackets(header: str) -> str:
    """所在区县(功能区) → 所在区县: the last try at matching a header."""
    return re.sub(r"[(\[][^()\[\]]*[)\]]", "", clean_header(header))


@dataclass
class ColumnMap:
    """How a file's headers map onto a resource's columns."""

    # the file's header (as written) → the resource's column name
    used: dict[str, str] = field(default_factory=dict)
    # headers read by nothing, with why (empty reason: not a column this table knows)
    ignored: dict[str, str] = field(default_factory=dict)
    # the resource's column name → the unit its header (or the table's 单位 line) gives
    units: dict[str, str] = field(default_factory=dict)


def column_key(columns: Iterable[str], synonyms: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Every spelling a header may take (cleaned) → the column it means; exact names before synonyms."""
    key: dict[str, str] = {}
    for column, words in synonyms.items():
        for word in words:
            for spelling in (clean_header(word), split_unit(word)[0], without_brackets(word)):
                key.setdefault(spelling, column)
    for column in columns:
        for spelling in (clean_header(column), split_unit(column)[0]):
            key[spelling] = column
    return key


def lookup(header: str, key: Mapping[str, str]) -> tuple[str | None, str]:
    """The column a header means and the unit it carries (None: unknown header)."""
    cleaned = clean_header(header)
    if cleaned in key:
        return key[cleaned], split_unit(cleaned)[1]
    base, unit = split_unit(cleaned)
    if base in key:
        return key[base], unit
    bare = without_brackets(base)
    if bare in key:
        return key[bare], unit
    return None, unit


def header_row(rows: Sequence[Sequence[Any]], key: Mapping[str, str], needed: int = 2) -> int:
    """The index of the first row (among the first ``HEADER_SCAN_ROWS``) that names ``needed`` known columns;
    0 when none does (the file's first row is its header, as before)."""
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        known = {lookup(cell, key)[0] for cell in row if clean_header(cell)} - {None}
        if len(known) >= needed:
            return index
    return 0


@dataclass
class TableLayout:
    """What the rows above the header say, and where each data row is in the spreadsheet."""

    header_row: int = 1  # the spreadsheet's row number of the header
    title: str = ""
    unit: str = ""  # from a "单位:亿元" line above the header (a header's own unit wins)
    year: int | None = None  # from the title ("XX市2025年…推进情况表")
    row_numbers: list[int] = field(default_factory=list)  # the spreadsheet row of each data row

    def row_number(self, index: int) -> int:
        """The spreadsheet row of data row ``index`` (0-based)."""
        if 0 <= index < len(self.row_numbers):
            return self.row_numbers[index]
        return self.header_row + 1 + index


def layout_above(rows: Sequence[Sequence[Any]]) -> tuple[str, str, int | None]:
    """(title, unit, year) from the rows above a header: the first text is the title; a "单位:" cell the unit."""
    title, unit, year = "", "", None
    for row in rows:
        for cell in row:
            text = clean_header(cell)
            if not text:
                continue
            if found := _UNIT_LINE.search(text):
                candidate = found["unit"].lower()
                if candidate in UNITS:
                    unit = candidate
                continue
            if not title:
                title = str(cell).strip()
                if found_year := _TITLE_YEAR.search(text):
                    year = int(found_year["year"])
    return title, unit, year

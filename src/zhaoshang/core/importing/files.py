"""Reading an uploaded table (xlsx or csv, with title and unit rows above its header) and writing one."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tablib
from django.conf import settings
from django.utils.translation import gettext as _

from zhaoshang.core.importing.headers import TableLayout, header_row, layout_above
from zhaoshang.core.spreadsheets import Sheet, table_bytes
from zhaoshang.core.uploads import MB, ArchiveError, archive_member_head, archive_open
from zhaoshang.standards.cells import unguarded

FORMATS = ("xlsx", "csv")


class ImportFileError(ValueError):
    """The file itself cannot be read (wrong type, encoding, no header); nothing was imported."""


_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\s[^>]*>")
_RELATION_ID = re.compile(rb"\s\w+:id=\"([^\"]+)\"")
_ACTIVE_TAB = re.compile(rb"<(?:\w+:)?workbookView\b[^>]*\sactiveTab=\"(\d+)\"")
_RELATIONSHIP_TAG = re.compile(rb"<(?:\w+:)?Relationship\s[^>]*>")
_ID = re.compile(rb"\sId=\"([^\"]+)\"")
_TARGET = re.compile(rb"\sTarget=\"([^\"]+)\"")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"(?:\$?[A-Z]+\$?\d+:)?\$?[A-Z]+\$?(\d+)\"")


def _xlsx_sheet_member(archive: zipfile.ZipFile) -> str | None:
    """The member of the sheet an import reads (the active one, as openpyxl picks it); None if unclear."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return None
    workbook = archive_member_head(archive, "xl/workbook.xml", MB)
    sheets = [_RELATION_ID.search(tag) for tag in _SHEET_TAG.findall(workbook)]
    active = _ACTIVE_TAB.search(workbook)
    index = int(active.group(1)) if active else 0
    if not sheets or index >= len(sheets) or sheets[index] is None:
        return None
    wanted = sheets[index].group(1)  # type: ignore[union-attr]
    for tag in _RELATIONSHIP_TAG.findall(archive_member_head(archive, "xl/_rels/workbook.xml.rels", MB)):
        relation, target = _ID.search(tag), _TARGET.search(tag)
        if relation and target and relation.group(1) == wanted:
            path = target.group(1).decode("utf-8", "replace")
            member = path.lstrip("/") if path.startswith("/") else f"xl/{path}"
            return member if member in names else None
    return None


def _xlsx_declared_rows(archive: zipfile.ZipFile) -> int | None:
    """The data rows the sheet declares in its ``<dimension ref="A1:K120001"/>`` (read from its first bytes)."""
    member = _xlsx_sheet_member(archive)
    if member is None:
        return None
    found = _DIMENSION.search(archive_member_head(archive, member))
    return max(int(found.group(1)) - 1, 0) if found else None


def _csv_text(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("无法识别 csv 文件的编码,请另存为 UTF-8 或 GBK"))


def _csv_rows(content: bytes) -> int:
    """The data rows of a csv: its lines when they are few enough, else its records (cells may hold newlines)."""
    lines = content.count(b"\n") + (0 if content.endswith(b"\n") else 1)
    if lines - 1 <= settings.IMPORT_MAX_ROWS:
        return lines - 1
    records = csv.reader(io.StringIO(_csv_text(content)))
    return sum(1 for row in records if any(cell.strip() for cell in row)) - 1


def table_check(filename: str, content: bytes) -> int:
    """The cheap checks before a table is parsed; returns its size in bytes once unpacked.

    An xlsx is a zip: one that declares too much unpacked (a zip bomb) is refused from its central directory,
    before openpyxl opens it; a sheet that declares more rows than ``IMPORT_MAX_ROWS`` (its ``dimension``), or a
    csv with more lines, is refused before it is read."""
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ImportFileError(_("只支持 xlsx 和 csv 文件,收到的是“%(name)s”") % {"name": filename})
    if not content:
        raise ImportFileError(_("文件是空的"))
    if suffix == "xlsx":
        try:
            with archive_open(content) as archive:
                size = sum(info.file_size for info in archive.infolist())
                rows = _xlsx_declared_rows(archive)
        except (ArchiveError, zipfile.BadZipFile, KeyError, OSError, RuntimeError, EOFError) as error:
            raise ImportFileError(_("无法读取 Excel 文件:%(error)s") % {"error": error}) from None
    else:
        size, rows = len(content), _csv_rows(content)
    if rows is not None and rows > settings.IMPORT_MAX_ROWS:
        raise ImportFileError(
            _("文件有 %(rows)s 行,一次最多导入 %(n)s 行") % {"rows": rows, "n": settings.IMPORT_MAX_ROWS}
        )
    return size


def table_upload_check(filename: str, content: bytes) -> None:
    """What the upload page checks before it queues the preview job: the cheap checks always; the whole table
    only when it is small (``IMPORT_INLINE_MB`` unpacked), so its errors show on the page at once. A larger
    table is read by the preview job, off the request."""
    if table_check(filename, content) <= settings.IMPORT_INLINE_MB * MB:
        read_table(filename, content)


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    import openpyxl  # deferred: openpyxl (and numpy through it) loads only when an xlsx is read

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            return [list(row) for row in book.active.iter_rows(values_only=True)]
        finally:
            book.close()
    except Exception as error:
        raise ImportFileError(_("无法读取 Excel 文件:%(error)s") % {"error": error}) from error


def _blank_row(row: list[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)


def read_table(filename: str, content: bytes, *, key: Mapping[str, str] | None = None) -> tablib.Dataset:
    """Read an uploaded xlsx or csv; csv may be UTF-8 (BOM or not) or GBK, as Chinese Excel saves it.

    With ``key`` (a resource's known headers, ``ScopedResource.header_key()``) the header is the first of the
    top rows that names two known columns, so the title and "单位:亿元" rows officials put above it are read
    as the table's title, unit and year (``dataset.layout``, a ``TableLayout``); without, row 1 is the header.
    Blank rows are dropped; ``layout.row_numbers`` keeps each data row's number as the spreadsheet shows it."""
    table_check(filename, content)
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix == "xlsx":
        rows = _xlsx_rows(content)
    else:
        rows = [[unguarded(cell) for cell in row] for row in csv.reader(io.StringIO(_csv_text(content)))]
    if not rows:
        raise ImportFileError(_("文件是空的"))
    top = header_row(rows, key) if key else 0
    title, unit, year = layout_above(rows[:top])
    headers = [str(h).strip() if h is not None else "" for h in rows[top]]
    if not any(headers):
        raise ImportFileError(_("第 %(row)s 行必须是表头") % {"row": top + 1})
    width = len(headers)
    dataset = tablib.Dataset(headers=headers)
    layout = TableLayout(header_row=top + 1, title=title, unit=unit, year=year)
    for number, row in enumerate(rows[top + 1 :], start=top + 2):
        if _blank_row(row):
            continue
        dataset.append((list(row) + [None if suffix == "xlsx" else ""] * width)[:width])
        layout.row_numbers.append(number)
    if len(dataset) > settings.IMPORT_MAX_ROWS:
        raise ImportFileError(_("一次最多导入 %(n)s 行") % {"n": settings.IMPORT_MAX_ROWS})
    dataset.layout = layout
    return dataset


def table_layout(dataset: tablib.Dataset) -> TableLayout:
    """The layout ``read_table`` found; a dataset built in code has its header on row 1."""
    layout = getattr(dataset, "layout", None)
    return layout if isinstance(layout, TableLayout) else TableLayout()


def write_table(dataset: tablib.Dataset, fmt: str) -> bytes:
    """An export or a blank template as xlsx or csv, through the one formula-guarded writer."""
    return table_bytes(Sheet("", dataset.headers or [], dataset), fmt)


def template_dataset(resource: Any) -> tablib.Dataset:
    return tablib.Dataset(headers=[str(h) for h in resource.get_export_headers()])

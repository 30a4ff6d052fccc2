"""The input of ``registry import`` as a DuckDB view of text columns: CSV (UTF-8 or GB18030), xlsx, Parquet.

Pure: no Django. Every column is read as text so that the normalisation rules (``rules``) see the
cells as people wrote them: codes keep their leading zeros, numbers their units, dates their wording.
"""

from __future__ import annotations

import codecs
import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

__all__ = ["RegistryImportError", "open_source"]

_SNIFF_BYTES = 1 << 20


class RegistryImportError(ValueError):
    """The file as a whole cannot be imported (unreadable, required columns missing); nothing was written."""


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _csv_encoding(path: Path) -> str:
    """utf-8 (with or without BOM) or gb18030, from the first megabyte."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        try:
            codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        except UnicodeDecodeError:
            raise RegistryImportError(f"{path.name} 既不是 UTF-8 也不是 GB18030 编码的文本") from None
        return "gb18030"
    return "utf-8"


def _recode(path: Path, target: Path) -> None:
    """Re-encode a GB18030 file as UTF-8, 16 MB at a time."""
    decoder = codecs.getincrementaldecoder("gb18030")()
    with path.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(1 << 24):
            dst.write(decoder.decode(chunk))
        dst.write(decoder.decode(b"", final=True))


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _xlsx_table(path: Path) -> pa.Table:
    """The first sheet as text columns (numbers without a spurious .0, dates as ISO)."""
    import openpyxl  # deferred: openpyxl loads only when the extract is an xlsx file

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise RegistryImportError(f"{path.name} 的第一个工作表是空的")
        names: list[str] = []
        for i, value in enumerate(header):
            name = _cell_text(value) or f"列{i + 1}"
            names.append(name if name not in names else f"{name}_{i + 1}")
        columns: list[list[str | None]] = [[] for _ in names]
        for row in rows:
            if all(v is None for v in row):
                continue
            for i, column in enumerate(columns):
                column.append(_cell_text(row[i]) if i < len(row) else None)
    finally:
        book.close()
    return pa.table({n: pa.array(c, pa.string()) for n, c in zip(names, columns, strict=True)})


def open_source(con: duckdb.DuckDBPyConnection, path: Path, work: Path) -> str:
    """Create the view ``source`` (all VARCHAR) and return the encoding read ('' when not a text file)."""
    suffix = path.suffix.lower()
    encoding = ""
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            encoding = _csv_encoding(path)
            readable = path
            if encoding == "gb18030":
                readable = work / "input-utf8.csv"
                _recode(path, readable)
            con.execute(
                "CREATE VIEW source AS SELECT * FROM read_csv("
                f"{_quote(str(readable))}, header = true, all_varchar = true)"
            )
        elif suffix == ".xlsx":
            con.register("xlsx_input", _xlsx_table(path))
            con.execute("CREATE VIEW source AS SELECT * FROM xlsx_input")
        elif suffix == ".parquet":
            names = [
                r[0]
                for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({_quote(str(path))})").fetchall()
            ]
            casts = ", ".join(f"CAST({_ident(n)} AS VARCHAR) AS {_ident(n)}" for n in names)
            con.execute(f"CREATE VIEW source AS SELECT {casts} FROM read_parquet({_quote(str(path))})")
        else:
            raise RegistryImportError(
                f"不支持的文件类型 {path.suffix or path.name}：请用 .csv、.xlsx 或 .parquet"
            )
    except (duckdb.Error, OSError, ValueError, KeyError) as error:
        if isinstance(error, RegistryImportError):
            raise
        raise RegistryImportError(f"无法读取 {path.name}：{str(error).splitlines()[0]}") from error
    return encoding

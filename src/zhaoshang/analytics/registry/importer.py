"""Import a firm extract (csv, xlsx or parquet) into the national registry's Parquet schema, in DuckDB.

Pure: no Django. The rules are in ``rules``; this module runs them over a whole file:

1. the input becomes a DuckDB view of text columns (a GB18030 CSV is first re-encoded to UTF-8, an xlsx
   read with openpyxl), numbered like a spreadsheet (the header is row 1);
2. the input is copied as read into a table (its ``rowid`` numbers the rows), then one ``CREATE TABLE``
   normalises every column and notes an error kind per cell, vectorised; the work database is a file beside
   the output, so that DuckDB spills to disk instead of running out of memory;
3. Python sees only the distinct status wordings and the firms without a usable class code (classified
   by their name and scope, ``classification.scope``), and the coordinates when they must be converted to WGS84;
4. errors and duplicate USCCs (the first row is kept) are reported; with an error nothing is written
   unless bad rows may be skipped; otherwise ``COPY`` writes a temporary file in the output's folder,
   sorted by county, that replaces the output in one rename at the very end.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from zhaoshang.analytics.classification.scope import scope_classifier
from zhaoshang.analytics.registry.rules import (
    ACTIVE,
    FIELD_LABELS,
    CapitalUnit,
    HeaderMatch,
    error_message,
    normalise_sql,
    recognise_headers,
    status_normalise,
)
from zhaoshang.analytics.registry.source import RegistryImportError, open_source
from zhaoshang.analytics.registry.store import REGISTRY_SCHEMA, ROW_GROUP
from zhaoshang.geo.coords import convert_many
from zhaoshang.standards.cells import CsvWriter
from zhaoshang.standards.divisions import divisions
from zhaoshang.standards.industries import ancestors, industries

__all__ = ["ImportSummary", "RegistryImportError", "RowError", "registry_import"]

SHOWN_ERRORS = 20
_SNIFF_BYTES = 1 << 20
_CLASSIFY_BATCH = 100_000
# Coordinates converted a million pairs at a time: the conversion's float temporaries stay ~100 MB.
_CONVERT_BATCH = 1 << 20


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet numbering: the header is row 1
    column: str  # the input's header
    value: str
    message: str


@dataclass
class ImportSummary:
    rows_read: int = 0
    written: int = 0
    wrote: bool = False
    classified: int = 0  # firms whose class came from their scope
    classified_bad_code: int = 0  # … of which had a code that is not a GB/T 4754-2017 class
    duplicates: int = 0
    bad_rows: int = 0
    errors: int = 0  # cell errors (a bad row may have several)
    first_errors: list[RowError] = field(default_factory=list)  # errors and duplicates, by row
    statuses: dict[str, int] = field(default_factory=dict)  # of the rows written (or to be written)
    unknown_statuses: dict[str, int] = field(default_factory=dict)  # wordings kept as inactive, rows read
    active: int = 0
    counties: int = 0
    classes: int = 0
    encoding: str = ""
    headers: HeaderMatch = field(default_factory=HeaderMatch)
    capital_unit: CapitalUnit = "wan"
    seconds: float = 0.0


Step = Callable[[str], None]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    """The single row of an aggregate query (fetched to the end, so that the connection is free again)."""
    return tuple(con.execute(sql).fetchall()[0])


def _batches(con: duckdb.DuckDBPyConnection, sql: str, size: int) -> Iterator[pa.RecordBatch]:
    reader = con.sql(sql).to_arrow_reader(size)
    if reader is not None:
        yield from reader


def _reference_tables(con: duckdb.DuckDBPyConnection) -> None:
    counties = [d.code for d in divisions().values() if d.level == "county"]
    con.register("_counties", pa.table({"adcode": pa.array(counties, pa.string())}))
    con.execute("CREATE TABLE counties AS SELECT * FROM _counties")
    table = industries()
    classes = [(c, ancestors(c)[0].code) for c, e in table.items() if e.level == "class"]
    con.register("_classes", pa.table({"code": [c for c, _ in classes], "section": [s for _, s in classes]}))
    con.execute("CREATE TABLE classes AS SELECT * FROM _classes")


# --- the stages ---------------------------------------------------------------------------------------


def _normalise(con: duckdb.DuckDBPyConnection, match: HeaderMatch, unit: CapitalUnit) -> None:
    """Table ``t`` (see ``normalise_sql``): the input copied as read (in the file's order, so that ``rowid``
    numbers its rows), then normalised in one pass."""
    columns = {name: _ident(header) for name, header in match.columns.items()}
    con.execute("CREATE TABLE cells AS SELECT * FROM source")
    con.execute(f"CREATE TABLE t AS {normalise_sql('cells', columns, unit)}")
    con.execute("DROP TABLE cells")


def _statuses(con: duckdb.DuckDBPyConnection, summary: ImportSummary) -> None:
    """Table ``statuses(raw, status)`` from the distinct wordings; unknown ones are counted."""
    found = con.execute("SELECT status, count(*) FROM t WHERE status IS NOT NULL GROUP BY ALL").fetchall()
    rows: list[tuple[str, str]] = []
    for raw, count in found:
        status, known = status_normalise(raw)
        rows.append((raw, status or raw))
        if not known:
            key = status or raw
            summary.unknown_statuses[key] = summary.unknown_statuses.get(key, 0) + int(count)
    con.register(
        "_statuses",
        pa.table(
            {"raw": [r for r, _ in rows], "status": [s for _, s in rows]},
            schema=pa.schema([("raw", pa.string()), ("status", pa.string())]),
        ),
    )
    con.execute("CREATE TABLE statuses AS SELECT * FROM _statuses")


def _classify(con: duckdb.DuckDBPyConnection, match: HeaderMatch, summary: ImportSummary) -> None:
    """Table ``classified(_row, code)``: classes from name and scope for the firms without a usable code."""
    classifier = scope_classifier()
    rows: list[int] = []
    codes: list[str] = []
    bad = 0
    bad_code = "raw_industry IS NOT NULL" if "industry" in match.columns else "false"
    sql = f"SELECT _row, coalesce(name, ''), scope, {bad_code} FROM t WHERE industry IS NULL AND scope IS NOT NULL"
    for batch in _batches(con, sql, _CLASSIFY_BATCH):
        numbers, names, scopes, flags = (c.to_pylist() for c in batch.columns)
        for row, code, flag in zip(
            numbers, classifier.classify_many(zip(names, scopes, strict=True)), flags, strict=True
        ):
            if code is not None:
                rows.append(row)
                codes.append(code)
                bad += bool(flag)
    table = pa.table({"_row": pa.array(rows, pa.int64()), "code": pa.array(codes, pa.string())})
    con.register("_classified", table)
    con.execute("CREATE TABLE classified AS SELECT * FROM _classified")
    summary.classified = len(codes)
    summary.classified_bad_code = bad


def _errors(con: duckdb.DuckDBPyConnection, match: HeaderMatch) -> None:
    """Tables ``errs(_row, field, kind, value)`` and ``dups(_row, first_row)``."""
    selects = [
        f"SELECT _row, '{name}' AS field, e_{name} AS kind, raw_{name} AS value FROM t "
        f"WHERE e_{name} IS NOT NULL"
        for name in match.columns
        if name != "scope"
    ]
    # No usable code and nothing in the scope to classify by: reported against the code column if there is one.
    where = "industry"
    target = "industry" if "industry" in match.columns else "scope"
    value = f"raw_{target}" if target in match.columns else "NULL"
    selects.append(
        f"SELECT _row, '{where}', 'unclassified', {value} FROM t "
        f"WHERE industry IS NULL AND _row NOT IN (SELECT _row FROM classified)"
    )
    if "lng" in match.columns and "lat" in match.columns:
        selects.append(
            "SELECT _row, 'lat', 'pair', raw_lat FROM t "
            "WHERE (lng IS NULL) <> (lat IS NULL) AND e_lng IS NULL AND e_lat IS NULL"
        )
    con.execute("CREATE TABLE errs AS " + " UNION ALL ".join(selects))
    con.execute(
        "CREATE TABLE dups AS SELECT _row, uscc, first_row FROM ("
        "SELECT _row, uscc, min(_row) OVER (PARTITION BY uscc) AS first_row FROM t "
        "WHERE _row NOT IN (SELECT _row FROM errs)) WHERE _row <> first_row"
    )


def _error_rows(con: duckdb.DuckDBPyConnection, match: HeaderMatch) -> Iterator[RowError]:
    """Every error and duplicate, by row, as people read them (cached messages: codes repeat)."""
    labels = {name: match.columns.get(name, FIELD_LABELS[name]) for name in FIELD_LABELS}
    if "industry" not in match.columns:
        labels["industry"] = match.columns.get("scope", FIELD_LABELS["scope"])
    sql = (
        "SELECT _row, field, kind, value, NULL AS first_row FROM errs UNION ALL "
        "SELECT _row, 'uscc', 'duplicate', uscc, first_row FROM dups ORDER BY _row, field"
    )
    messages: dict[tuple[str, str, str | None, int | None], str] = {}
    for batch in _batches(con, sql, 100_000):
        for row, name, kind, value, first in zip(*(c.to_pylist() for c in batch.columns), strict=True):
            key = (name, kind, value, first)
            if key not in messages:
                if len(messages) > 100_000:
                    messages.clear()
                messages[key] = (
                    "经度和纬度须同时填写" if kind == "pair" else error_message(name, kind, value, first)
                )
            yield RowError(int(row), labels.get(name, name), value or "", messages[key])


def _write_errors(rows: Iterator[RowError], path: Path | None, summary: ImportSummary) -> None:
    handle = path.open("w", encoding="utf-8-sig", newline="") if path is not None else None
    try:
        # People open the report in Excel: the values come from the extract, so their cells are guarded.
        writer = CsvWriter(handle) if handle is not None else None
        if writer is not None:
            writer.row(["行", "列", "值", "问题"])
        for error in rows:
            if len(summary.first_errors) < SHOWN_ERRORS:
                summary.first_errors.append(error)
            if writer is None:
                if len(summary.first_errors) >= SHOWN_ERRORS:
                    break
                continue
            writer.row([error.row, error.column, error.value, error.message])
    finally:
        if handle is not None:
            handle.close()


def _convert_coordinates(con: duckdb.DuckDBPyConnection, coords: str) -> None:
    """Table ``converted(_row, lng, lat)``: WGS84 of the firms with both coordinates (identity for wgs84)."""
    if coords == "wgs84":
        con.execute("CREATE TABLE converted AS SELECT _row, lng, lat FROM t WHERE false")
        return
    con.execute("CREATE TABLE converted (_row BIGINT, lng DOUBLE, lat DOUBLE)")
    sql = "SELECT _row, lng, lat FROM t WHERE lng IS NOT NULL AND lat IS NOT NULL"
    reader = con.cursor()  # a second connection reads while this one writes
    try:
        for batch in _batches(reader, sql, _CONVERT_BATCH):
            rows, lng, lat = (np.asarray(batch.column(i).to_numpy(zero_copy_only=False)) for i in range(3))
            lng, lat = convert_many(lng.astype(np.float64), lat.astype(np.float64), coords, "wgs84")
            con.register("_converted", pa.table({"_row": rows.astype(np.int64), "lng": lng, "lat": lat}))
            con.execute("INSERT INTO converted SELECT * FROM _converted")
            con.unregister("_converted")
    finally:
        reader.close()


def _final_sql(skip_rows: bool) -> str:
    bad = "_row NOT IN (SELECT _row FROM errs) AND " if skip_rows else ""
    return f"""
        SELECT t.uscc, t.name, t.adcode, left(t.adcode, 4) || '00' AS city, left(t.adcode, 2) || '0000' AS province,
               coalesce(t.industry, c.code) AS industry, t.registered_capital::DOUBLE AS registered_capital,
               t.insured_employees::INTEGER AS insured_employees, t.founded::DATE AS founded, s.status,
               t.listed, t.specialised, t.high_tech, t.top500, t.abnormal, t.dishonest,
               t.branches_24m::INTEGER AS branches_24m, t.investments_24m::INTEGER AS investments_24m,
               t.employee_growth::DOUBLE AS employee_growth,
               coalesce(v.lng, t.lng)::DOUBLE AS lng, coalesce(v.lat, t.lat)::DOUBLE AS lat, t.scope
        FROM t LEFT JOIN classified c USING (_row) LEFT JOIN statuses s ON s.raw = t.status
               LEFT JOIN converted v USING (_row)
        WHERE {bad} _row NOT IN (SELECT _row FROM dups)
        ORDER BY t.adcode, t._row
    """


def _tally(con: duckdb.DuckDBPyConnection, relation: str, summary: ImportSummary) -> None:
    for status, count in con.execute(
        f"SELECT status, count(*) FROM {relation} GROUP BY ALL ORDER BY 2 DESC"
    ).fetchall():
        summary.statuses[str(status)] = int(count)
    summary.written = sum(summary.statuses.values())
    summary.active = sum(summary.statuses.get(s, 0) for s in ACTIVE)
    counties, classes = _one(con, f"SELECT count(DISTINCT adcode), count(DISTINCT industry) FROM {relation}")
    summary.counties, summary.classes = int(counties), int(classes)


def _write(con: duckdb.DuckDBPyConnection, sql: str, output: Path) -> None:
    """COPY to a temporary file in the output's folder, check its schema, rename over the output."""
    handle, name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".part", dir=output.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        con.execute(
            f"COPY ({sql}) TO {_quote(str(temporary))} "
            f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP})"
        )
        schema = pq.read_schema(temporary)
        if not schema.remove_metadata().equals(REGISTRY_SCHEMA):
            table = pq.read_table(temporary).cast(REGISTRY_SCHEMA)
            pq.write_table(table, temporary, compression="zstd", row_group_size=ROW_GROUP)
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)


def registry_import(
    source: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    overrides: Mapping[str, str] | None = None,
    coords: str = "wgs84",
    capital_unit: CapitalUnit | None = None,
    dry_run: bool = False,
    skip_bad_rows: bool = False,
    errors_path: str | os.PathLike[str] | None = None,
    step: Step | None = None,
    memory_limit: str | None = None,
) -> ImportSummary:
    """Read ``source``, normalise, classify and check it, and (unless dry or refused) replace ``output``.

    Raises RegistryImportError for a file that cannot be read or lacks a required column. Row errors do not
    raise: the summary tells them, and nothing is written when there is one and ``skip_bad_rows`` is False."""
    started = time.perf_counter()
    say = step or (lambda _text: None)
    source_path, target = Path(source), Path(output)
    if not source_path.is_file():
        raise RegistryImportError(f"找不到文件 {source_path}")
    if coords not in ("wgs84", "gcj02", "bd09"):
        raise RegistryImportError(f"坐标系 {coords} 不可用：请用 wgs84、gcj02 或 bd09")
    if not dry_run:
        target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(
        tempfile.mkdtemp(prefix=".registry-import-", dir=target.parent if target.parent.is_dir() else None)
    )
    summary = ImportSummary()
    try:
        con = duckdb.connect(str(work / "work.duckdb"))
        con.execute(f"SET temp_directory = {_quote(str(work / 'spill'))}")
        con.execute("SET preserve_insertion_order = true")  # the default, relied on: rowid numbers the rows
        if memory_limit:
            con.execute(f"SET memory_limit = {_quote(memory_limit)}")
        try:
            say("读取文件")
            summary.encoding = open_source(con, source_path, work)
            headers = [r[0] for r in con.execute("DESCRIBE source").fetchall()]
            try:
                match = recognise_headers(headers, overrides)
            except ValueError as error:
                raise RegistryImportError(str(error)) from None
            summary.headers = match
            if match.missing_required:
                raise RegistryImportError(
                    f"缺少必需的列：{'、'.join(match.missing_required)}。文件的列：{'、'.join(headers)}。"
                    "可用 --map 列名=字段 指定，如 --map 企业名称=name"
                )
            summary.capital_unit = capital_unit or match.capital_unit or "wan"
            _reference_tables(con)
            say("校验与规范化")
            try:
                _normalise(con, match, summary.capital_unit)
            except duckdb.Error as error:
                raise RegistryImportError(
                    f"无法读取 {source_path.name}：{str(error).splitlines()[0]}"
                ) from error
            summary.rows_read = int(_one(con, "SELECT count(*) FROM t")[0])
            _statuses(con, summary)
            say("按经营范围归类")
            _classify(con, match, summary)
            _errors(con, match)
            counts = _one(con, "SELECT count(*), count(DISTINCT _row) FROM errs")
            summary.errors, summary.bad_rows = int(counts[0]), int(counts[1])
            summary.duplicates = int(_one(con, "SELECT count(*) FROM dups")[0])
            _write_errors(_error_rows(con, match), Path(errors_path) if errors_path else None, summary)
            if summary.bad_rows and not skip_bad_rows:
                return summary
            say("转换坐标")
            _convert_coordinates(con, coords)
            sql = _final_sql(skip_rows=summary.bad_rows > 0)
            if dry_run:
                con.execute(f"CREATE VIEW final AS {sql}")
                _tally(con, "final", summary)
                return summary
            say("写入 Parquet")
            _write(con, sql, target)
            summary.wrote = True
            _tally(con, f"read_parquet({_quote(str(target))})", summary)
        finally:
            con.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
        summary.seconds = time.perf_counter() - started
    return summary

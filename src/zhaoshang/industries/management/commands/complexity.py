"""`zhaoshang complexity`: economic complexity of a place × industry panel, file to file, without a database.

    zhaoshang complexity INPUT -o OUTPUT [--time year] [--loc region] [--prod industry] [--val value]
                         [--threshold 1.0] [--strict] [--compat ecomplexity] [--proximity PROX_OUTPUT]

INPUT and OUTPUT are CSV or Parquet (by extension). The input has one row per (time, place, industry) and a
non-negative value (employees, firms, output...); the output adds rca, mcp, diversity, ubiquity, eci, pci,
density, coi, cog (see ``zhaoshang.analytics.complexity``). Place and industry codes are read as text, so
"0111" stays "0111". An empty value counts as 0 (ecomplexity's own intent; in compat mode it is passed on
as ecomplexity 0.5.3 really treats it). CSV is read as UTF-8 (with or without BOM) or GB18030 and written
as UTF-8 with a BOM, which Excel on Chinese Windows opens correctly.
"""

from __future__ import annotations

import time as clock
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhaoshang.analytics.complexity import ComplexityError
from zhaoshang.analytics.complexity_panel import complexity_panel

FORMATS = (".csv", ".parquet")


def _fail(zh: str, en: str) -> CommandError:
    return CommandError(f"{zh} — {en}")


def _format(path: Path, role_zh: str, role_en: str) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise _fail(
            f"{role_zh}须为 .csv 或 .parquet 文件: {path}",
            f"{role_en} must be a .csv or .parquet file: {path}",
        )
    return suffix


def _row_label(data: pd.DataFrame, position: int, csv: bool) -> str:
    # Line numbers as a spreadsheet shows them: the header is line 1.
    return f"{position + 2}" if csv else f"{data.index[position]}"


def _read(path: Path, names: tuple[str, str, str, str]) -> pd.DataFrame:
    time, loc, prod, val = names
    csv = _format(path, "输入文件", "INPUT") == ".csv"
    if not path.is_file():
        raise _fail(f"找不到输入文件: {path}", f"input file not found: {path}")
    try:
        data = _read_csv(path, loc, prod) if csv else pd.read_parquet(path)
    except (ValueError, OSError, pd.errors.ParserError) as error:
        raise _fail(f"无法读取 {path}: {error}", f"cannot read {path}: {error}") from None
    missing = [c for c in names if c not in data.columns]
    if missing:
        have = ", ".join(map(str, data.columns))
        raise _fail(
            f"缺少列 {', '.join(missing)} (现有列: {have})",
            f"missing column(s) {', '.join(missing)} (found: {have})",
        )
    for column in (time, loc, prod):
        empty = data[column].isna().to_numpy().copy()
        if not pd.api.types.is_numeric_dtype(data[column]):
            empty |= (data[column].astype(str).str.strip() == "").to_numpy()
        if empty.any():
            row = _row_label(data, int(np.flatnonzero(empty)[0]), csv)
            raise _fail(f"第 {row} 行的列 {column} 为空", f"row {row}: column {column} is empty")
    data[val] = _values(data, val, csv)
    return data


def _read_csv(path: Path, loc: str, prod: str) -> pd.DataFrame:
    last: UnicodeDecodeError | None = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            # Codes as text keep their leading zeros ("0111"); only an empty cell is missing, never "NA".
            return pd.read_csv(
                path, dtype={loc: str, prod: str}, keep_default_na=False, na_values=[""], encoding=encoding
            )
        except UnicodeDecodeError as error:
            last = error
    raise ValueError(f"not UTF-8 or GB18030 text ({last})")


def _values(data: pd.DataFrame, val: str, csv: bool) -> pd.Series[float]:
    raw = data[val]
    if pd.api.types.is_bool_dtype(raw):
        raise _fail(f"列 {val} 须为数值", f"column {val} must be numeric")
    if pd.api.types.is_numeric_dtype(raw):
        numbers = raw.astype(np.float64)
        bad = np.zeros(len(raw), dtype=bool)
    else:
        text = raw.astype(str).str.strip()
        blank = raw.isna().to_numpy() | (text == "").to_numpy()
        numbers = pd.to_numeric(text.where(~blank), errors="coerce").astype(np.float64)
        bad = numbers.isna().to_numpy() & ~blank
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        row = _row_label(data, at, csv)
        raise _fail(
            f"第 {row} 行的 {val}“{raw.iloc[at]}”不是数字 (共 {int(bad.sum())} 处)",
            f"row {row}: {val} '{raw.iloc[at]}' is not a number ({int(bad.sum())} such cells)",
        )
    values = numbers.to_numpy()
    for problem, zh, en in (
        (np.isinf(values), "不是有限数字", "is not a finite number"),
        (values < 0, "为负数, RCA 无意义", "is negative; RCA is undefined"),
    ):
        if problem.any():
            at = int(np.flatnonzero(problem)[0])
            row = _row_label(data, at, csv)
            raise _fail(f"第 {row} 行的 {val}“{raw.iloc[at]}”{zh}", f"row {row}: {val} '{raw.iloc[at]}' {en}")
    return numbers


def _write(table: pd.DataFrame, path: Path) -> None:
    try:
        if path.suffix.lower() == ".csv":
            table.to_csv(path, index=False, encoding="utf-8-sig")
        else:
            table.to_parquet(path, index=False)
    except OSError as error:
        raise _fail(f"无法写入 {path}: {error}", f"cannot write {path}: {error}") from None


class Command(BaseCommand):
    help = (
        "Economic complexity (RCA, ECI, PCI, proximity, density, COI, COG) of a long place × industry panel "
        "in a CSV or Parquet file; each year on its own. Works on files only, no database."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "input", metavar="INPUT", help="FILE.csv or FILE.parquet, one row per time/place/industry"
        )
        parser.add_argument(
            "-o", "--output", required=True, metavar="OUTPUT", help="FILE.csv or FILE.parquet"
        )
        parser.add_argument("--time", default="year", help="time column (default year)")
        parser.add_argument("--loc", default="region", help="place column (default region)")
        parser.add_argument("--prod", default="industry", help="industry column (default industry)")
        parser.add_argument("--val", default="value", help="value column (default value)")
        parser.add_argument(
            "--threshold", type=float, default=1.0, help="presence when RCA >= this (default 1)"
        )
        parser.add_argument(
            "--strict", action="store_true", help="presence when RCA > threshold (Stata's rule)"
        )
        parser.add_argument(
            "--compat",
            choices=["ecomplexity"],
            help="reproduce ecomplexity 0.5.3 exactly (its rows and quirks)",
        )
        parser.add_argument(
            "--proximity",
            metavar="PROX_OUTPUT",
            help="also write the industry proximity (time, prod_1, prod_2)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = clock.perf_counter()
        names = (options["time"], options["loc"], options["prod"], options["val"])
        source, target = Path(options["input"]), Path(options["output"])
        _format(target, "输出文件", "OUTPUT")
        prox_target = Path(options["proximity"]) if options["proximity"] else None
        if prox_target is not None:
            _format(prox_target, "邻近度输出文件", "PROX_OUTPUT")
        if options["compat"] and options["strict"]:
            raise _fail(
                "--compat ecomplexity 不能与 --strict 同用",
                "--compat ecomplexity cannot be used with --strict",
            )
        data = _read(source, names)
        try:
            result = complexity_panel(
                data,
                time=names[0],
                loc=names[1],
                prod=names[2],
                val=names[3],
                threshold=options["threshold"],
                strict=options["strict"] or None,
                compat=options["compat"],
                proximity=prox_target is not None,
            )
        except ComplexityError as error:
            raise _fail(error.zh, error.en) from None
        _write(result.table, target)
        if prox_target is not None and result.proximity is not None:
            _write(result.proximity, prox_target)
        seconds = clock.perf_counter() - started
        self.stdout.write(
            f"已写出 {target}: {len(result.table):,} 行, {result.years} 年, {result.places:,} 个地区, "
            f"{result.industries:,} 个行业, 用时 {seconds:.1f} 秒 — wrote {len(result.table):,} rows "
            f"({result.years} years, {result.places:,} places, {result.industries:,} industries) in {seconds:.1f} s"
        )

"""Complexity on a long panel: one row per (time, place, industry) with a value; each year on its own.

Pure: numpy and pandas only. ``complexity_panel(data, time=..., loc=..., prod=..., val=...)`` returns the
input's four columns plus ``rca, mcp, diversity, ubiquity, eci, pci, density, coi, cog`` (see ``complexity``
for the formulas and the two modes), and optionally the product proximity as a long table.

Rows, default mode: for every year (ascending), every place × industry seen in that year (places, then
industries, in ascending order), with value 0 for a missing combination. Duplicated (time, place, industry)
rows are summed (``duplicates="sum"``), or refused, or the first kept. Missing values count as 0.

Rows, ``compat="ecomplexity"``: exactly the rows and order of ``ecomplexity(...)`` 0.5.3 — the rectangle of
places and industries with a non-zero total, outer-merged with the input on (time, loc, prod, val) and sorted
by those keys. So an input row of a dropped place, or a duplicate whose value differs from the first one,
comes back with NaN results; an exact duplicate repeats its result row; the input's other columns are
carried along. Missing values stay NaN (their RCA is NaN, as ecomplexity gives under pandas ≥ 3).

Place and industry columns come back as ``pandas.Categorical`` (categories sorted), integer times in the
smallest integer type that holds them (see ``table``). The compat rows are built in
``compat``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from zhaoshang.analytics.complexity.compat import panel_compat
from zhaoshang.analytics.complexity.engine import (
    Compat,
    ComplexityError,
    FloatArray,
    IntArray,
    complexity_compute,
)
from zhaoshang.analytics.complexity.table import (
    OUTPUT_COLUMNS,
    AnyInt,
    Codes,
    Columns,
    factorize_keys,
    fill_grid,
    present_codes,
    proximity_frame,
    table_frame,
    year_rows,
)

__all__ = ["OUTPUT_COLUMNS", "PanelResult", "complexity_panel"]

Duplicates = Literal["sum", "first", "error"]


@dataclass(frozen=True, eq=False)
class PanelResult:
    """The long table, the optional proximity table (time, prod_1, prod_2, proximity), and how many distinct
    times, places and industries the input had."""

    table: pd.DataFrame
    proximity: pd.DataFrame | None
    years: int
    places: int
    industries: int


def complexity_panel(
    data: pd.DataFrame,
    *,
    time: str = "year",
    loc: str = "region",
    prod: str = "industry",
    val: str = "value",
    threshold: float = 1.0,
    strict: bool | None = None,
    self_proximity: bool | None = None,
    compat: Compat | None = None,
    duplicates: Duplicates = "sum",
    proximity: bool = False,
) -> PanelResult:
    """Compute every year of ``data`` (see the module docstring for rows and modes)."""
    names = (time, loc, prod, val)
    values, codes = checked_input(data, names, compat)
    options: dict[str, Any] = {"threshold": threshold, "strict": strict, "self_proximity": self_proximity}
    if compat is not None:
        options["compat"] = compat
        table, prox = panel_compat(data, names, codes, values, options, proximity)
    else:
        table, prox = _panel_default(names, codes, np.nan_to_num(values), options, duplicates, proximity)
    return PanelResult(
        table=table,
        proximity=prox,
        years=len(codes.time_values),
        places=len(codes.loc_values),
        industries=len(codes.prod_values),
    )


def checked_input(
    data: pd.DataFrame, names: tuple[str, str, str, str], compat: Compat | None
) -> tuple[FloatArray, Codes]:
    """The values (NaN for a missing one) and the key codes of a panel, or a ComplexityError saying why not."""
    time, loc, prod, val = names
    missing = [c for c in names if c not in data.columns]
    if missing:
        raise ComplexityError(f"缺少列: {', '.join(missing)}", f"missing columns: {', '.join(missing)}")
    if len(set(names)) != 4:
        raise ComplexityError("时间、地区、行业、数值须为四个不同的列", "time, loc, prod and val must differ")
    for c in (time, loc, prod):
        if data[c].isna().any():
            raise ComplexityError(f"列 {c} 有空值", f"column {c} has missing values")
    if not pd.api.types.is_numeric_dtype(data[val]) or pd.api.types.is_bool_dtype(data[val]):
        raise ComplexityError(f"列 {val} 须为数值", f"column {val} must be numeric")
    values = data[val].to_numpy(dtype=np.float64, na_value=np.nan)
    if compat is None:
        if np.isinf(values).any():
            raise ComplexityError(f"列 {val} 含无穷大值", f"column {val} has infinite values")
        if (values < 0).any():
            raise ComplexityError(f"列 {val} 含负值", f"column {val} has negative values")
    return values, factorize_keys(data, time, loc, prod)


def default_shape(codes: Codes, rows: IntArray) -> tuple[IntArray, IntArray]:
    """A year's grid in the default mode: every place and every industry seen that year, ascending."""
    n_l, n_p = len(codes.loc_values), len(codes.prod_values)
    return present_codes(codes.loc[rows], n_l), present_codes(codes.prod[rows], n_p)


def default_cells(
    codes: Codes, rows: IntArray, locs: IntArray, prods: IntArray, values: FloatArray, duplicates: Duplicates
) -> tuple[IntArray, FloatArray]:
    """The grid cell of each row of a year and the values to add into those cells."""
    n_l, n_p = len(codes.loc_values), len(codes.prod_values)
    cell = _local(locs, codes.loc[rows], n_l) * prods.size + _local(prods, codes.prod[rows], n_p)
    return cell, _deduplicated(values[rows], cell, duplicates)


def _panel_default(
    names: tuple[str, str, str, str],
    codes: Codes,
    values: FloatArray,
    options: dict[str, Any],
    duplicates: Duplicates,
    want_proximity: bool,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    years = year_rows(codes.time, len(codes.time_values))
    shapes = [default_shape(codes, rows) for rows in years]
    cols = Columns(sum(locs.size * prods.size for locs, prods in shapes), codes)
    prox_parts: list[tuple[int, IntArray, FloatArray, bool]] = []
    at = 0
    for year, (rows, (locs, prods)) in enumerate(zip(years, shapes, strict=True)):
        cell, v = default_cells(codes, rows, locs, prods, values, duplicates)
        s, x, out = cols.year(at, locs.size, prods.size)
        fill_grid(x, cell, v)
        res = complexity_compute(x, out=out, **options)
        at = cols.fill(s, codes.time_stored(np.array([year]))[0], locs, prods, res)
        if want_proximity:
            kept = res.industry_kept
            with_self = bool(options["self_proximity"])
            prox_parts.append((year, prods[kept], res.proximity[np.ix_(kept, kept)], with_self))
    table = table_frame(names, codes, cols, cols.results())
    return table, proximity_frame(names, codes, prox_parts) if want_proximity else None


def _deduplicated(v: FloatArray, cell: IntArray, duplicates: Duplicates) -> FloatArray:
    """Values to sum into the grid: all of them ("sum"), or only each cell's first ("first")."""
    if duplicates == "sum":
        return v
    n_dup = int((np.bincount(cell) > 1).sum())
    if n_dup == 0:
        return v
    if duplicates == "error":
        raise ComplexityError(
            f"有 {n_dup} 组重复的 (时间, 地区, 行业)", f"{n_dup} duplicated (time, loc, prod) keys"
        )
    _, first = np.unique(cell, return_index=True)
    kept = np.zeros(v.size)
    kept[first] = v[first]
    return kept


def _local(sorted_codes: IntArray, codes: AnyInt, n: int) -> IntArray:
    """Position of each code in ``sorted_codes`` (all must be there)."""
    table = np.zeros(n, dtype=np.int64)
    table[sorted_codes] = np.arange(sorted_codes.size)
    return table[codes]

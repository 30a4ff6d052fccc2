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

Place and industry columns come back as ``pandas.Categorical`` (categories sorted): a 3,000 × 1,300 × 5-year
panel has 19.5 million rows, and string columns of that length would cost more than every number together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from zhaoshang.analytics.complexity import (
    Compat,
    ComplexityError,
    ComplexityOut,
    ComplexityResult,
    FloatArray,
    IntArray,
    complexity_compute,
)

__all__ = ["OUTPUT_COLUMNS", "PanelResult", "complexity_panel"]

OUTPUT_COLUMNS = ("rca", "mcp", "diversity", "ubiquity", "eci", "pci", "density", "coi", "cog")
Duplicates = Literal["sum", "first", "error"]


@dataclass(frozen=True, eq=False)
class PanelResult:
    table: pd.DataFrame
    proximity: pd.DataFrame | None
    years: int
    places: int
    industries: int


@dataclass
class _Codes:
    """Integer codes of the key columns, with categories in ascending order."""

    time: IntArray
    loc: IntArray
    prod: IntArray
    time_values: pd.Index[Any]
    loc_values: pd.Index[Any]
    prod_values: pd.Index[Any]

    @property
    def time_numeric(self) -> bool:
        return bool(pd.api.types.is_numeric_dtype(self.time_values.dtype))

    def time_stored(self, time_codes: IntArray) -> npt.NDArray[Any]:
        """What the output's time column holds: the times themselves when numeric, else their codes."""
        return self.time_values.to_numpy()[time_codes] if self.time_numeric else time_codes

    def time_dtype(self) -> Any:
        values = self.time_values
        if not self.time_numeric:
            return _code_dtype(len(values))
        if pd.api.types.is_integer_dtype(values.dtype) and len(values):
            return _int_dtype(int(values.min()), int(values.max()))
        return values.dtype


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
    codes = _factorize(data, time, loc, prod)
    options: dict[str, Any] = {"threshold": threshold, "strict": strict, "self_proximity": self_proximity}
    if compat is not None:
        options["compat"] = compat
        table, prox = _panel_compat(data, names, codes, values, options, proximity)
    else:
        if np.isinf(values).any():
            raise ComplexityError(f"列 {val} 含无穷大值", f"column {val} has infinite values")
        if (values < 0).any():
            raise ComplexityError(f"列 {val} 含负值", f"column {val} has negative values")
        table, prox = _panel_default(names, codes, np.nan_to_num(values), options, duplicates, proximity)
    return PanelResult(
        table=table,
        proximity=prox,
        years=len(codes.time_values),
        places=len(codes.loc_values),
        industries=len(codes.prod_values),
    )


def _factorize(data: pd.DataFrame, time: str, loc: str, prod: str) -> _Codes:
    try:
        t, tv = pd.factorize(data[time], sort=True)
        lc, lv = pd.factorize(data[loc], sort=True)
        pc, pv = pd.factorize(data[prod], sort=True)
    except TypeError as exc:  # mixed types (e.g. 1 and "1") cannot be ordered
        raise ComplexityError("键列混有不可比较的类型", f"key columns mix incomparable types: {exc}") from exc
    return _Codes(
        time=t.astype(np.int32),
        loc=lc.astype(np.int32),
        prod=pc.astype(np.int32),
        time_values=pd.Index(tv),
        loc_values=pd.Index(lv),
        prod_values=pd.Index(pv),
    )


def _int_dtype(lo: int, hi: int) -> type[np.signedinteger[Any]]:
    """Smallest signed integer type holding lo..hi: years fit in 2 bytes instead of 8 on 19.5M rows."""
    for candidate in (np.int8, np.int16, np.int32):
        info = np.iinfo(candidate)
        if info.min <= lo and hi <= info.max:
            return candidate
    return np.int64


def _code_dtype(n_categories: int) -> type[np.signedinteger[Any]]:
    """The codes type pandas itself picks for a Categorical, so that building one does not copy."""
    return _int_dtype(-1, n_categories)


def _year_rows(time_codes: IntArray, n_years: int) -> list[IntArray]:
    # Small integer codes make numpy's stable sort a linear radix sort.
    small = time_codes.astype(np.int16) if n_years < 2**15 else time_codes
    order = np.argsort(small, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(np.bincount(time_codes, minlength=n_years))))
    return [order[bounds[i] : bounds[i + 1]] for i in range(n_years)]


def _present(codes: IntArray, n: int) -> IntArray:
    """Sorted distinct codes, in linear time."""
    return np.flatnonzero(np.bincount(codes, minlength=n)).astype(np.int64)


def _local(sorted_codes: IntArray, codes: IntArray, n: int) -> IntArray:
    """Position of each code in ``sorted_codes`` (all must be there)."""
    table = np.zeros(n, dtype=np.int64)
    table[sorted_codes] = np.arange(sorted_codes.size)
    return table[codes]


class _Columns:
    """Output columns filled year by year into preallocated arrays (one copy of 19.5M rows, not two)."""

    def __init__(self, n: int, codes: _Codes) -> None:
        n_l, n_p = len(codes.loc_values), len(codes.prod_values)
        # Numeric times are stored as themselves (no second 19.5M-row pass); others as codes.
        self.time: npt.NDArray[Any] = np.empty(n, dtype=codes.time_dtype())
        self.loc: npt.NDArray[Any] = np.empty(n, dtype=_code_dtype(n_l))
        self.prod: npt.NDArray[Any] = np.empty(n, dtype=_code_dtype(n_p))
        self.val = np.empty(n)
        self.rca = np.empty(n)
        self.mcp = np.empty(n, dtype=np.int8)
        self.diversity: npt.NDArray[Any] = np.empty(n, dtype=_int_dtype(0, n_p))
        self.ubiquity: npt.NDArray[Any] = np.empty(n, dtype=_int_dtype(0, n_l))
        self.eci = np.empty(n)
        self.pci = np.empty(n)
        self.density = np.empty(n)
        self.coi = np.empty(n)
        self.cog = np.empty(n)

    def year(self, at: int, n_l: int, n_p: int) -> tuple[slice, FloatArray, ComplexityOut]:
        """(rows of one year, its value matrix, the buffers the core writes RCA, density and COG into):
        (places, industries) views of the long columns, so nothing is copied afterwards."""
        s = slice(at, at + n_l * n_p)

        def grid(column: FloatArray) -> FloatArray:
            return column[s].reshape(n_l, n_p)

        return s, grid(self.val), ComplexityOut(grid(self.rca), grid(self.density), grid(self.cog))

    def fill(self, s: slice, time_value: Any, locs: IntArray, prods: IntArray, res: ComplexityResult) -> int:
        n_l, n_p = locs.size, prods.size

        def grid(column: npt.NDArray[Any]) -> npt.NDArray[Any]:
            # Broadcasting into a (places, industries) view: no repeat/tile temporaries.
            return column[s].reshape(n_l, n_p)

        self.time[s] = time_value
        grid(self.loc)[:] = locs[:, np.newaxis]
        grid(self.prod)[:] = prods[np.newaxis, :]
        grid(self.mcp)[:] = res.mcp
        grid(self.diversity)[:] = res.diversity[:, np.newaxis]
        grid(self.ubiquity)[:] = res.ubiquity[np.newaxis, :]
        grid(self.eci)[:] = res.eci[:, np.newaxis]
        grid(self.pci)[:] = res.pci[np.newaxis, :]
        grid(self.coi)[:] = res.coi[:, np.newaxis]
        return int(s.stop)

    def results(self) -> dict[str, npt.NDArray[Any]]:
        return {c: getattr(self, c) for c in OUTPUT_COLUMNS}


def _time_column(codes: _Codes, stored: npt.NDArray[Any]) -> Any:
    if codes.time_numeric:
        return stored
    return pd.Categorical.from_codes(stored, categories=codes.time_values, validate=False)


def _frame(
    names: tuple[str, str, str, str],
    codes: _Codes,
    cols: _Columns,
    results: dict[str, npt.NDArray[Any]],
    extras: dict[str, Any] | None = None,
) -> pd.DataFrame:
    time, loc, prod, val = names
    columns: dict[str, Any] = {
        time: _time_column(codes, cols.time),
        loc: pd.Categorical.from_codes(cols.loc, categories=codes.loc_values, validate=False),
        prod: pd.Categorical.from_codes(cols.prod, categories=codes.prod_values, validate=False),
        val: cols.val,
    }
    columns.update(extras or {})
    columns.update(results)
    # copy=False keeps one block per column; consolidating would copy the whole table once more.
    return pd.DataFrame(columns, copy=False)


def _panel_default(
    names: tuple[str, str, str, str],
    codes: _Codes,
    values: FloatArray,
    options: dict[str, Any],
    duplicates: Duplicates,
    want_proximity: bool,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    n_l, n_p = len(codes.loc_values), len(codes.prod_values)
    years = _year_rows(codes.time, len(codes.time_values))
    shapes = [(_present(codes.loc[r], n_l), _present(codes.prod[r], n_p)) for r in years]
    cols = _Columns(sum(a.size * b.size for a, b in shapes), codes)
    prox_parts: list[tuple[int, IntArray, FloatArray, bool]] = []
    at = 0
    for year, (rows, (locs, prods)) in enumerate(zip(years, shapes, strict=True)):
        cell = _local(locs, codes.loc[rows], n_l) * prods.size + _local(prods, codes.prod[rows], n_p)
        v = _deduplicated(values[rows], cell, duplicates)
        s, x, out = cols.year(at, locs.size, prods.size)
        x[:] = _grid(cell, v, locs.size, prods.size)
        res = complexity_compute(x, out=out, **options)
        at = cols.fill(s, codes.time_stored(np.array([year]))[0], locs, prods, res)
        if want_proximity:
            kept = res.industry_kept
            with_self = bool(options["self_proximity"])
            prox_parts.append((year, prods[kept], res.proximity[np.ix_(kept, kept)], with_self))
    table = _frame(names, codes, cols, cols.results())
    return table, _proximity_frame(names, codes, prox_parts) if want_proximity else None


def _grid(cell: IntArray, v: FloatArray, n_rows: int, n_cols: int) -> FloatArray:
    """Dense place × industry matrix from cell numbers; repeated cells add up."""
    flat = np.bincount(cell, weights=v, minlength=n_rows * n_cols)
    return np.asarray(flat, dtype=np.float64).reshape(n_rows, n_cols)


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


def _proximity_frame(
    names: tuple[str, str, str, str],
    codes: _Codes,
    parts: list[tuple[int, IntArray, FloatArray, bool]],
) -> pd.DataFrame:
    time, _, prod, _ = names
    t_parts, a_parts, b_parts, v_parts = [], [], [], []
    for year, prods, phi, with_diagonal in parts:
        n = prods.size
        a, b = np.divmod(np.arange(n * n), n)
        keep = slice(None) if with_diagonal else a != b
        t_parts.append(np.full(n * n, year)[keep])
        a_parts.append(prods[a][keep])
        b_parts.append(prods[b][keep])
        v_parts.append(phi.ravel()[keep])

    code = _code_dtype(len(codes.prod_values))

    def cat(parts: list[Any], dtype: Any) -> Any:
        return np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype=dtype)

    return pd.DataFrame(
        {
            time: _time_column(codes, codes.time_stored(cat(t_parts, np.int64))),
            f"{prod}_1": pd.Categorical.from_codes(cat(a_parts, code), categories=codes.prod_values),
            f"{prod}_2": pd.Categorical.from_codes(cat(b_parts, code), categories=codes.prod_values),
            "proximity": cat(v_parts, np.float64),
        },
        copy=False,
    )


def _panel_compat(
    data: pd.DataFrame,
    names: tuple[str, str, str, str],
    codes: _Codes,
    values: FloatArray,
    options: dict[str, Any],
    want_proximity: bool,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    n_l, n_p = len(codes.loc_values), len(codes.prod_values)
    filled = np.nan_to_num(values)
    years = _year_rows(codes.time, len(codes.time_values))
    grids: list[tuple[IntArray, IntArray, IntArray]] = []
    for rows in years:
        first = rows[_first_of_cells(codes.loc[rows].astype(np.int64) * n_p + codes.prod[rows])]
        # ecomplexity drops places and industries whose total (of the first rows) is 0.
        loc_total = np.bincount(codes.loc[first], weights=filled[first], minlength=n_l)
        prod_total = np.bincount(codes.prod[first], weights=filled[first], minlength=n_p)
        locs = np.intersect1d(_present(codes.loc[first], n_l), np.flatnonzero(loc_total != 0))
        prods = np.intersect1d(_present(codes.prod[first], n_p), np.flatnonzero(prod_total != 0))
        grids.append((first, locs, prods))

    cols = _Columns(sum(locs.size * prods.size for _, locs, prods in grids), codes)
    layout: list[_YearLayout] = []
    orphan_parts: list[IntArray] = []
    prox_by_year: dict[int, tuple[IntArray, FloatArray]] = {}
    at = 0
    for year, (rows, (first, locs, prods)) in enumerate(zip(years, grids, strict=True)):
        if locs.size == 0 or prods.size == 0:
            orphan_parts.append(rows)
            continue
        year_layout = _YearLayout(rows, locs, prods, at)
        layout.append(year_layout)
        cell, inside = year_layout.cells(codes, n_l, n_p)
        use = inside & np.isin(rows, first, assume_unique=True) if first.size < rows.size else inside
        s, x, out = cols.year(at, locs.size, prods.size)
        x[:] = _grid(cell[use], values[rows[use]], locs.size, prods.size)
        res = complexity_compute(x, out=out, **options)
        at = cols.fill(s, codes.time_stored(np.array([year]))[0], locs, prods, res)
        prox_by_year[year] = (prods, res.proximity)
        # pandas' merge matches every input row (duplicates too) on its value; the others become orphans.
        cell_val = x.ravel()[np.where(inside, cell, 0)]
        row_val = values[rows]
        matched = inside & ((cell_val == row_val) | (np.isnan(cell_val) & np.isnan(row_val)))
        orphan_parts.append(rows[~matched])

    duplicated = any(first.size < rows.size for rows, (first, _, _) in zip(years, grids, strict=True))
    orphans = np.sort(np.concatenate(orphan_parts)) if orphan_parts else np.empty(0, dtype=np.int64)
    table = _merge_like_ecomplexity(data, names, codes, values, cols, layout, orphans, duplicated)
    prox = None
    if want_proximity:
        # ecomplexity.proximity walks the years in order of first appearance, not sorted.
        _, first_seen = np.unique(codes.time, return_index=True)
        order = np.argsort(first_seen)
        parts = [(int(y), *prox_by_year[int(y)], True) for y in order if int(y) in prox_by_year]
        prox = _proximity_frame(names, codes, parts)
    return table, prox


@dataclass
class _YearLayout:
    """Where one year's grid sits in the long output: its input rows, places, industries and first row."""

    rows: IntArray
    locs: IntArray
    prods: IntArray
    at: int

    def cells(self, codes: _Codes, n_l: int, n_p: int) -> tuple[IntArray, npt.NDArray[np.bool_]]:
        """Cell number of each input row of the year in the year's grid, and whether it has one."""
        loc_pos = np.full(n_l, -1, dtype=np.int64)
        loc_pos[self.locs] = np.arange(self.locs.size)
        prod_pos = np.full(n_p, -1, dtype=np.int64)
        prod_pos[self.prods] = np.arange(self.prods.size)
        li, pi = loc_pos[codes.loc[self.rows]], prod_pos[codes.prod[self.rows]]
        return li * self.prods.size + pi, (li >= 0) & (pi >= 0)


def _first_of_cells(cell: IntArray) -> IntArray:
    """Indices of the first occurrence of each cell, in input order (ecomplexity keeps the first duplicate)."""
    if cell.size == 0 or np.bincount(cell).max() <= 1:
        return np.arange(cell.size)
    _, first = np.unique(cell, return_index=True)
    return np.sort(first)


def _merge_like_ecomplexity(
    data: pd.DataFrame,
    names: tuple[str, str, str, str],
    codes: _Codes,
    values: FloatArray,
    cols: _Columns,
    layout: list[_YearLayout],
    orphans: IntArray,
    duplicated: bool,
) -> pd.DataFrame:
    """The result of ecomplexity's ``output.merge(data, how="outer", on=[time, loc, prod, val])``.

    Grid rows are already in key order. Each input row either matches its grid cell (same value, NaN
    matching NaN) and lends it its other columns, or is an orphan that pandas sorts in among the grid rows."""
    n_l, n_p = len(codes.loc_values), len(codes.prod_values)
    needed = orphans.size or duplicated or len(data.columns) > 4
    grid_of_row = np.full(values.size if needed else 0, -1, dtype=np.int64)
    if grid_of_row.size:
        for year in layout:
            cell, inside = year.cells(codes, n_l, n_p)
            grid_of_row[year.rows[inside]] = year.at + cell[inside]
        grid_of_row[orphans] = -1
    matched = grid_of_row >= 0

    n_grid = cols.val.size
    extra_names = [c for c in data.columns if c not in names]
    # Each grid cell appears once per matching input row (at least once), the input rows in their order.
    match_rows = np.flatnonzero(matched)
    if orphans.size == 0 and not duplicated:
        # The usual case: the merge returns the grid itself.
        extras: dict[str, Any] = {}
        if extra_names:
            source = np.full(n_grid, -1, dtype=np.int64)
            source[grid_of_row[match_rows]] = match_rows
            extras = _take_extras(data, extra_names, source)
        return _frame(names, codes, cols, cols.results(), extras)
    match_rows = match_rows[np.argsort(grid_of_row[match_rows], kind="stable")]
    repeats = np.maximum(np.bincount(grid_of_row[match_rows], minlength=n_grid), 1)

    expanded = np.repeat(np.arange(n_grid), repeats)
    source = np.full(expanded.size, -1, dtype=np.int64)
    first_slot = np.cumsum(repeats) - repeats
    cell_of_match = grid_of_row[match_rows]
    rank = np.arange(match_rows.size) - np.searchsorted(cell_of_match, cell_of_match, side="left")
    source[first_slot[cell_of_match] + rank] = match_rows

    # Orphans go before or after the grid row with the same (time, loc, prod) by value; NaN sorts last.
    grid_time = np.searchsorted(codes.time_values.to_numpy(), cols.time) if codes.time_numeric else cols.time
    grid_key = (grid_time.astype(np.int64) * n_l + cols.loc) * n_p + cols.prod
    o_key = (codes.time[orphans].astype(np.int64) * n_l + codes.loc[orphans]) * n_p + codes.prod[orphans]
    o_val = values[orphans]
    o_order = np.lexsort((np.arange(orphans.size), np.nan_to_num(o_val), np.isnan(o_val), o_key))
    orphans, o_key, o_val = orphans[o_order], o_key[o_order], o_val[o_order]
    pos = np.searchsorted(grid_key, o_key, side="left")
    same_key = (pos < n_grid) & (grid_key[np.minimum(pos, n_grid - 1)] == o_key) if n_grid else pos < 0
    g_val = cols.val[np.minimum(pos, max(n_grid - 1, 0))] if n_grid else o_val
    after = same_key & (np.isnan(o_val) | (~np.isnan(g_val) & (o_val > g_val)))
    pos = pos + after
    insert_at = _first_slot_of(pos, repeats, first_slot, expanded.size)

    def spread(grid_values: npt.NDArray[Any], orphan_values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return np.insert(grid_values[expanded], insert_at, orphan_values)

    nan = np.full(orphans.size, np.nan)
    results = {c: spread(v.astype(np.float64), nan) for c, v in cols.results().items()}
    out = _Columns(0, codes)
    out.time = spread(cols.time, codes.time_stored(codes.time[orphans]))
    out.loc = spread(cols.loc, codes.loc[orphans])
    out.prod = spread(cols.prod, codes.prod[orphans])
    out.val = spread(cols.val, o_val)
    extras = _take_extras(data, extra_names, np.insert(source, insert_at, orphans))
    return _frame(names, codes, out, results, extras)


def _first_slot_of(pos: IntArray, repeats: IntArray, first_slot: IntArray, n_expanded: int) -> IntArray:
    """Map insertion points in the grid to insertion points in the repeated grid."""
    if repeats.size == 0:
        return np.full(pos.size, n_expanded, dtype=np.int64)
    return np.where(pos < repeats.size, first_slot[np.minimum(pos, repeats.size - 1)], n_expanded)


def _take_extras(data: pd.DataFrame, extra_names: list[str], source: IntArray) -> dict[str, Any]:
    if not extra_names:
        return {}
    picked = data[extra_names].reset_index(drop=True).reindex(source)
    return {c: picked[c].to_numpy() for c in extra_names}

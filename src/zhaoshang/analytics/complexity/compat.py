"""``complexity_panel(..., compat="ecomplexity")``: the rows of ecomplexity 0.5.3, in its order.

ecomplexity computes on the rectangle of places and industries whose total is not 0 (the first of duplicated
keys only), then outer-merges that rectangle with the input on (time, loc, prod, val), which pandas sorts by
those keys. An input row whose value matches its cell (NaN matching NaN) lends the cell its other columns
(several such rows repeat the cell); any other input row — a dropped place or industry, a duplicate with
another value — is an orphan with NaN results, sorted in among the cells. Pure: numpy and pandas only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from zhaoshang.analytics.complexity.engine import FloatArray, IntArray, complexity_compute
from zhaoshang.analytics.complexity.table import (
    Codes,
    Columns,
    fill_grid,
    present_codes,
    proximity_frame,
    table_frame,
    year_rows,
)


def panel_compat(
    data: pd.DataFrame,
    names: tuple[str, str, str, str],
    codes: Codes,
    values: FloatArray,
    options: dict[str, Any],
    want_proximity: bool,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    n_l, n_p = len(codes.loc_values), len(codes.prod_values)
    years = year_rows(codes.time, len(codes.time_values))
    grids = compat_grids(codes, values, years)
    cols = Columns(sum(locs.size * prods.size for _, locs, prods in grids), codes)
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
        fill_grid(x, cell[use], values[rows[use]])
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
    prox = (
        proximity_frame(names, codes, compat_proximity_parts(codes, prox_by_year)) if want_proximity else None
    )
    return table, prox


def compat_grids(
    codes: Codes, values: FloatArray, years: list[IntArray]
) -> list[tuple[IntArray, IntArray, IntArray]]:
    """Per year: its first row of each (place, industry), and the places and industries ecomplexity keeps —
    those whose total (of the first rows) is not 0."""
    n_l, n_p = len(codes.loc_values), len(codes.prod_values)
    filled = np.nan_to_num(values)
    grids: list[tuple[IntArray, IntArray, IntArray]] = []
    for rows in years:
        first = rows[_first_of_cells(codes.loc[rows].astype(np.int64) * n_p + codes.prod[rows], n_l * n_p)]
        loc_total = np.bincount(codes.loc[first], weights=filled[first], minlength=n_l)
        prod_total = np.bincount(codes.prod[first], weights=filled[first], minlength=n_p)
        locs = np.intersect1d(present_codes(codes.loc[first], n_l), np.flatnonzero(loc_total != 0))
        prods = np.intersect1d(present_codes(codes.prod[first], n_p), np.flatnonzero(prod_total != 0))
        grids.append((first, locs, prods))
    return grids


def compat_proximity_parts(
    codes: Codes, prox_by_year: dict[int, tuple[IntArray, FloatArray]]
) -> list[tuple[int, IntArray, FloatArray, bool]]:
    """ecomplexity.proximity walks the years in order of first appearance, not sorted, self-proximity kept."""
    _, first_seen = np.unique(codes.time, return_index=True)
    order = np.argsort(first_seen)
    return [(int(y), *prox_by_year[int(y)], True) for y in order if int(y) in prox_by_year]


def year_cells(
    codes: Codes, rows: IntArray, locs: IntArray, prods: IntArray, n_l: int, n_p: int
) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Cell number of each input row of a year in the year's grid (locs × prods), and whether it has one."""
    loc_pos = np.full(n_l, -1, dtype=np.int64)
    loc_pos[locs] = np.arange(locs.size)
    prod_pos = np.full(n_p, -1, dtype=np.int64)
    prod_pos[prods] = np.arange(prods.size)
    li, pi = loc_pos[codes.loc[rows]], prod_pos[codes.prod[rows]]
    return li * prods.size + pi, (li >= 0) & (pi >= 0)


@dataclass
class _YearLayout:
    """Where one year's grid sits in the long output: its input rows, places, industries and first row."""

    rows: IntArray
    locs: IntArray
    prods: IntArray
    at: int

    def cells(self, codes: Codes, n_l: int, n_p: int) -> tuple[IntArray, npt.NDArray[np.bool_]]:
        """Cell number of each input row of the year in the year's grid, and whether it has one."""
        return year_cells(codes, self.rows, self.locs, self.prods, n_l, n_p)


def _first_of_cells(cell: IntArray, n_cells: int) -> IntArray:
    """Indices of the first occurrence of each cell, in input order (ecomplexity keeps the first duplicate)."""
    seen = np.zeros(n_cells, dtype=np.bool_)  # a byte a cell: cheaper than counting them
    seen[cell] = True
    if np.count_nonzero(seen) == cell.size:
        return np.arange(cell.size)
    _, first = np.unique(cell, return_index=True)
    return np.sort(first)


def _merge_like_ecomplexity(
    data: pd.DataFrame,
    names: tuple[str, str, str, str],
    codes: Codes,
    values: FloatArray,
    cols: Columns,
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
        return table_frame(names, codes, cols, cols.results(), extras)
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
    out = Columns(0, codes)
    out.time = spread(cols.time, codes.time_stored(codes.time[orphans]))
    out.loc = spread(cols.loc, codes.loc[orphans])
    out.prod = spread(cols.prod, codes.prod[orphans])
    out.val = spread(cols.val, o_val)
    extras = _take_extras(data, extra_names, np.insert(source, insert_at, orphans))
    return table_frame(names, codes, out, results, extras)


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

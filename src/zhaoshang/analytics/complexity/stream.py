"""``complexity_stream``: the rows of ``complexity_panel`` in chunks of a few hundred places, so that a file can
be written without the whole long table in memory.

The long table repeats every place's ECI and every industry's PCI on each of its rows: for 3,000 places ×
1,300 industries a year it is 3.9 million rows (249 MiB), while what the computation itself needs is a few
place × industry matrices (31 MB each). Writing it chunk by chunk keeps only one year's matrices and one
chunk's rows in memory. The chunks are frames with exactly the columns, types and row order of
``complexity_panel(...).table``; together they are that table.

In ``compat="ecomplexity"`` mode, ecomplexity's merge gives the grid itself when no input row is left out of
it (a place or industry with a zero total, a duplicated key) and the input has no other columns; only then is
the panel streamed. Otherwise ``complexity_stream`` returns None and the caller builds the whole table with
``complexity_panel``, which reproduces the merge. Pure: numpy and pandas only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from zhaoshang.analytics.complexity.compat import compat_grids, compat_proximity_parts, year_cells
from zhaoshang.analytics.complexity.engine import (
    Compat,
    ComplexityOut,
    ComplexityResult,
    FloatArray,
    IntArray,
    complexity_compute,
)
from zhaoshang.analytics.complexity.panel import Duplicates, checked_input, default_cells, default_shape
from zhaoshang.analytics.complexity.table import (
    Codes,
    Columns,
    fill_grid,
    proximity_frame,
    table_frame,
    year_rows,
)

__all__ = ["CHUNK_ROWS", "PanelStream", "complexity_stream"]

# Rows per chunk (whole places): 2 MiB a float column, and a Parquet row group of a useful size.
CHUNK_ROWS = 1 << 18


@dataclass
class _Year:
    code: int  # the year's time code
    rows: IntArray  # its input rows
    locs: IntArray  # sorted place codes of its grid
    prods: IntArray  # sorted industry codes


@dataclass
class PanelStream:
    """The long table of a panel, computed a year at a time and handed out in chunks (``chunks()``), then its
    proximity table (``proximity()``, once the chunks have been read)."""

    names: tuple[str, str, str, str]
    codes: Codes
    options: dict[str, Any]
    want_proximity: bool
    compat: Compat | None
    duplicates: Duplicates
    chunk_rows: int
    _values: FloatArray
    _years: list[_Year]
    # Per year: its industries and their proximity (compat: all of them; default: the kept ones).
    _prox: dict[int, tuple[IntArray, FloatArray]] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(y.locs.size * y.prods.size for y in self._years)

    @property
    def years(self) -> int:
        return len(self.codes.time_values)

    @property
    def places(self) -> int:
        return len(self.codes.loc_values)

    @property
    def industries(self) -> int:
        return len(self.codes.prod_values)

    def chunks(self) -> Iterator[pd.DataFrame]:
        largest = max((y.locs.size * y.prods.size for y in self._years), default=0)
        # One set of matrices for every year. The core writes RCA over the values (x), density and COG
        # into the other two; a chunk's values are put back from the year's input cells.
        buffers = [np.empty(largest) for _ in range(3)]
        for year in self._years:
            n_l, n_p = year.locs.size, year.prods.size

            def grid(buffer: FloatArray, n_l: int = n_l, n_p: int = n_p) -> FloatArray:
                return buffer[: n_l * n_p].reshape(n_l, n_p)

            x, density, cog = (grid(b) for b in buffers)
            cell, add = self._cells(year)
            fill_grid(x, cell, add)
            res = complexity_compute(x, out=ComplexityOut(x, density, cog), **self.options)
            if self.want_proximity:
                if self.compat is None:
                    kept = res.industry_kept
                    self._prox[year.code] = (year.prods[kept], res.proximity[np.ix_(kept, kept)])
                else:
                    self._prox[year.code] = (year.prods, res.proximity)
            step = max(1, self.chunk_rows // max(n_p, 1))
            values = _ChunkValues(cell, add, n_p * step)
            del cell, add
            time_value = self.codes.time_stored(np.array([year.code]))[0]
            for number, start in enumerate(range(0, n_l, step)):
                yield self._chunk(time_value, year, values.cells(number), res, start, min(start + step, n_l))

    def _cells(self, year: _Year) -> tuple[IntArray, FloatArray]:
        """The grid cell of each input row of the year and the values to add there (computed when the year is,
        so that only one year's cells are held)."""
        if self.compat is None:
            return default_cells(self.codes, year.rows, year.locs, year.prods, self._values, self.duplicates)
        n_l, n_p = self.places, self.industries
        cell, _ = year_cells(self.codes, year.rows, year.locs, year.prods, n_l, n_p)
        return cell, self._values[year.rows]

    def _chunk(
        self,
        time_value: Any,
        year: _Year,
        cells: tuple[IntArray, FloatArray],
        res: ComplexityResult,
        start: int,
        stop: int,
    ) -> pd.DataFrame:
        part = slice(start, stop)
        cols = Columns((stop - start) * year.prods.size, self.codes)
        s, val, out = cols.year(0, stop - start, year.prods.size)
        fill_grid(val, *cells)
        out.rca[:] = res.rca[part]
        out.density[:] = res.density[part]
        out.cog[:] = res.cog[part]
        places = dataclasses.replace(
            res,
            mcp=res.mcp[part],
            diversity=res.diversity[part],
            eci=res.eci[part],
            coi=res.coi[part],
        )
        cols.fill(s, time_value, year.locs[part], year.prods, places)
        return table_frame(self.names, self.codes, cols, cols.results())

    def proximity(self) -> pd.DataFrame | None:
        """The proximity table (as ``complexity_panel``'s), from the years already computed."""
        if not self.want_proximity:
            return None
        if self.compat is not None:
            parts = compat_proximity_parts(self.codes, self._prox)
        else:
            with_self = bool(self.options["self_proximity"])
            parts = [(code, prods, phi, with_self) for code, (prods, phi) in self._prox.items()]
        return proximity_frame(self.names, self.codes, parts)


class _ChunkValues:
    """A year's input cells grouped by chunk, to put each chunk's values back as ``fill_grid`` wrote them:
    within a chunk the cells keep their input order, so repeated cells add up in the same order."""

    def __init__(self, cell: IntArray, add: FloatArray, chunk_cells: int) -> None:
        chunk = cell // chunk_cells
        # Few distinct small integers: numpy's stable sort is a radix sort on them.
        chunk = chunk.astype(np.int16 if chunk.size == 0 or chunk.max() < 2**15 else np.int64)
        order = np.argsort(chunk, kind="stable")
        self._bounds = np.searchsorted(chunk[order], np.arange(int(chunk.max(initial=0)) + 2))
        self._cell = cell[order]
        self._add = add[order]
        self._chunk_cells = chunk_cells

    def cells(self, number: int) -> tuple[IntArray, FloatArray]:
        """(cell numbers within chunk ``number``, values to add there)."""
        if number + 1 >= self._bounds.size:
            return np.empty(0, dtype=np.int64), np.empty(0)
        part = slice(self._bounds[number], self._bounds[number + 1])
        return self._cell[part] - number * self._chunk_cells, self._add[part]


def complexity_stream(
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
    chunk_rows: int = CHUNK_ROWS,
) -> PanelStream | None:
    """The panel as ``complexity_panel`` computes it (same arguments), to be read in chunks; None when the
    compat rows need ecomplexity's merge (see the module docstring) or the input is empty."""
    names = (time, loc, prod, val)
    values, codes = checked_input(data, names, compat)
    if values.size == 0:
        return None
    options: dict[str, Any] = {"threshold": threshold, "strict": strict, "self_proximity": self_proximity}
    years = year_rows(codes.time, len(codes.time_values))
    plan: list[_Year] = []
    if compat is None:
        values = np.nan_to_num(values)
        plan = [_Year(code, rows, *default_shape(codes, rows)) for code, rows in enumerate(years)]
    else:
        options["compat"] = compat
        if len(data.columns) > 4:
            return None  # the merge carries the other columns along
        n_l, n_p = len(codes.loc_values), len(codes.prod_values)
        for code, (rows, (first, locs, prods)) in enumerate(
            zip(years, compat_grids(codes, values, years), strict=True)
        ):
            if first.size < rows.size or locs.size == 0 or prods.size == 0:
                return None  # duplicates, or a year left out: rows outside the grid
            if not year_cells(codes, rows, locs, prods, n_l, n_p)[1].all():
                return None
            plan.append(_Year(code, rows, locs, prods))
    return PanelStream(names, codes, options, proximity, compat, duplicates, max(1, chunk_rows), values, plan)

"""The long output table of ``complexity_panel``: key codes, preallocated columns filled year by year, and
the pandas frames built on them without a copy. Internal to ``complexity_panel`` and ``complexity_compat``.

Pure: numpy and pandas only. Place and industry columns are ``pandas.Categorical`` (categories sorted) and
integer times use the smallest integer type that holds them: a 3,000 × 1,300 × 5-year panel has 19.5
million rows, and string or 8-byte key columns of that length would cost more than the results.
"""

from __future__ import annotations

import mmap
import sys
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from zhaoshang.analytics.complexity.engine import (
    ComplexityError,
    ComplexityOut,
    ComplexityResult,
    FloatArray,
    IntArray,
)

AnyInt = npt.NDArray[np.integer[Any]]  # int32 key codes or int64 positions

OUTPUT_COLUMNS = ("rca", "mcp", "diversity", "ubiquity", "eci", "pci", "density", "coi", "cog")


@dataclass
class Codes:
    """Integer codes (int32: 4.8M input rows × 3 keys) of the key columns, categories in ascending order."""

    time: npt.NDArray[np.int32]
    loc: npt.NDArray[np.int32]
    prod: npt.NDArray[np.int32]
    time_values: pd.Index[Any]
    loc_values: pd.Index[Any]
    prod_values: pd.Index[Any]

    @property
    def time_numeric(self) -> bool:
        return bool(pd.api.types.is_numeric_dtype(self.time_values.dtype))

    def time_stored(self, time_codes: AnyInt) -> npt.NDArray[Any]:
        """What the output's time column holds: the times themselves when numeric, else their codes."""
        return self.time_values.to_numpy()[time_codes] if self.time_numeric else time_codes

    def time_dtype(self) -> Any:
        values = self.time_values
        if not self.time_numeric:
            return code_dtype(len(values))
        if pd.api.types.is_integer_dtype(values.dtype) and len(values):
            return int_dtype(int(values.min()), int(values.max()))
        return values.dtype


def _sortable(keys: pd.Series[Any]) -> Any:
    """Keys whose ``sort=True`` factorisation is in ascending order of the values: a Categorical sorts by its
    categories' order (for one read from Parquet, the order the codes first appeared in), so its categories
    are put in ascending order first."""
    if isinstance(keys.dtype, pd.CategoricalDtype):
        return keys.cat.set_categories(keys.cat.categories.sort_values(), rename=False)
    return keys


def factorize_keys(data: pd.DataFrame, time: str, loc: str, prod: str) -> Codes:
    try:
        t, tv = pd.factorize(_sortable(data[time]), sort=True)
        lc, lv = pd.factorize(_sortable(data[loc]), sort=True)
        pc, pv = pd.factorize(_sortable(data[prod]), sort=True)
    except TypeError as exc:  # mixed types (e.g. 1 and "1") cannot be ordered
        raise ComplexityError("键列混有不可比较的类型", f"key columns mix incomparable types: {exc}") from exc
    return Codes(
        time=t.astype(np.int32),
        loc=lc.astype(np.int32),
        prod=pc.astype(np.int32),
        time_values=pd.Index(tv),
        loc_values=pd.Index(lv),
        prod_values=pd.Index(pv),
    )


def int_dtype(lo: int, hi: int) -> type[np.signedinteger[Any]]:
    """Smallest signed integer type holding lo..hi: years fit in 2 bytes instead of 8 on 19.5M rows."""
    for candidate in (np.int8, np.int16, np.int32):
        info = np.iinfo(candidate)
        if info.min <= lo and hi <= info.max:
            return candidate
    return np.int64


def code_dtype(n_categories: int) -> type[np.signedinteger[Any]]:
    """The codes type pandas itself picks for a Categorical, so that building one does not copy."""
    return int_dtype(-1, n_categories)


def year_rows(time_codes: AnyInt, n_years: int) -> list[IntArray]:
    # Small integer codes make numpy's stable sort a linear radix sort.
    small = time_codes.astype(np.int16) if n_years < 2**15 else time_codes
    order = np.argsort(small, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(np.bincount(time_codes, minlength=n_years))))
    return [order[bounds[i] : bounds[i + 1]] for i in range(n_years)]


def present_codes(codes: AnyInt, n: int) -> IntArray:
    """Sorted distinct codes, in linear time."""
    return np.flatnonzero(np.bincount(codes, minlength=n)).astype(np.int64)


# Below this size a column comes from numpy's allocator as usual.
MAPPED_COLUMN_BYTES = 1 << 22
# Linux ≥ 5.14: map the pages of a range, writable, without changing their content (not in Python 3.11's mmap).
MADV_POPULATE_WRITE = getattr(mmap, "MADV_POPULATE_WRITE", 23)
# Rows per step of the background mapping: it walks all columns front to back, as the years fill them.
PREFAULT_ROWS = 1 << 20


def empty_column(n: int, dtype: Any = np.float64) -> npt.NDArray[Any]:
    """``np.empty(n, dtype)``; a large one in its own private anonymous mapping, i.e. without the huge-page
    advice numpy gives its large buffers.

    An output column is written once, front to back, and then read: huge pages save next to nothing there,
    while on a host whose kernel must compact memory to find them (transparent huge pages with
    ``defrag=madvise``, the usual setting) every first touch of an advised buffer may stall. Measured on the
    benchmark VM, 1.25 GB of fresh columns: 0.55–0.7 s to first write with 4 KiB pages, 0.75–3.7 s with
    the advice. The mapping is unmapped when the last array using it is freed."""
    dtype = np.dtype(dtype)
    nbytes = n * dtype.itemsize
    flags = getattr(mmap, "MAP_PRIVATE", None)
    if nbytes < max(MAPPED_COLUMN_BYTES, 1) or flags is None:  # small, or no POSIX mmap (Windows)
        return np.empty(n, dtype=dtype)
    return np.frombuffer(mmap.mmap(-1, nbytes, flags=flags), dtype=dtype)


def _mapping_of(column: npt.NDArray[Any]) -> mmap.mmap | None:
    """The mapping an ``empty_column`` (or a view of one) lives in; ``np.frombuffer`` keeps it behind a
    memoryview."""
    base = column.base
    while isinstance(base, np.ndarray):
        base = base.base
    if isinstance(base, memoryview):
        base = base.obj
    return base if isinstance(base, mmap.mmap) else None


class _Prefault:
    """Maps the pages of fresh mapped columns in a background thread while the years are computed.

    The first write to a page of fresh memory costs the kernel a page fault and zeroing it: for the 1.3 GB
    of a 3,000 × 1,300 × 5-year table ~1 s of system time, which would otherwise sit on the main thread.
    ``madvise(MADV_POPULATE_WRITE)`` does that work ahead, on a core that the single-threaded steps (RCA,
    ARPACK, the fill) leave idle, and never changes a byte, so the main thread may write the same pages at
    the same time. Where the advice is unknown (not Linux, kernel < 5.14) nothing happens."""

    def __init__(self, columns: list[npt.NDArray[Any]], n_rows: int) -> None:
        self._thread: threading.Thread | None = None
        maps = [(m, c.itemsize) for c in columns if (m := _mapping_of(c)) is not None]
        if maps and sys.platform == "linux":
            self._thread = threading.Thread(target=self._run, args=(maps, n_rows), daemon=True)
            self._thread.start()

    @staticmethod
    def _run(maps: list[tuple[mmap.mmap, int]], n_rows: int) -> None:
        page = mmap.PAGESIZE
        try:
            for start in range(0, n_rows, PREFAULT_ROWS):
                stop = min(start + PREFAULT_ROWS, n_rows)
                for m, itemsize in maps:
                    lo = start * itemsize // page * page
                    m.madvise(MADV_POPULATE_WRITE, lo, stop * itemsize - lo)
        except (OSError, ValueError):  # the advice is unknown here, or the mapping is gone
            return

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None


class Columns:
    """Output columns filled year by year into preallocated arrays (one copy of 19.5M rows, not two)."""

    def __init__(self, n: int, codes: Codes) -> None:
        n_l, n_p = len(codes.loc_values), len(codes.prod_values)
        # Numeric times are stored as themselves (no second 19.5M-row pass); others as codes.
        self.time: npt.NDArray[Any] = empty_column(n, codes.time_dtype())
        self.loc: npt.NDArray[Any] = empty_column(n, code_dtype(n_l))
        self.prod: npt.NDArray[Any] = empty_column(n, code_dtype(n_p))
        self.val = empty_column(n)
        self.rca = empty_column(n)
        self.mcp = empty_column(n, np.int8)
        self.diversity: npt.NDArray[Any] = empty_column(n, int_dtype(0, n_p))
        self.ubiquity: npt.NDArray[Any] = empty_column(n, int_dtype(0, n_l))
        self.eci = empty_column(n)
        self.pci = empty_column(n)
        self.density = empty_column(n)
        self.coi = empty_column(n)
        self.cog = empty_column(n)
        # In the order a year writes them.
        order = ("val", "rca", "density", "cog", "time", "loc", "prod", "mcp", "diversity", "ubiquity")
        self._prefault = _Prefault([getattr(self, c) for c in (*order, "eci", "pci", "coi")], n)

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
        """The result columns, once complete (the background mapping of their pages is over)."""
        self._prefault.join()
        return {c: getattr(self, c) for c in OUTPUT_COLUMNS}


def time_column(codes: Codes, stored: npt.NDArray[Any]) -> Any:
    if codes.time_numeric:
        return stored
    return pd.Categorical.from_codes(stored, categories=codes.time_values, validate=False)


def table_frame(
    names: tuple[str, str, str, str],
    codes: Codes,
    cols: Columns,
    results: dict[str, npt.NDArray[Any]],
    extras: dict[str, Any] | None = None,
) -> pd.DataFrame:
    time, loc, prod, val = names
    columns: dict[str, Any] = {
        time: time_column(codes, cols.time),
        loc: pd.Categorical.from_codes(cols.loc, categories=codes.loc_values, validate=False),
        prod: pd.Categorical.from_codes(cols.prod, categories=codes.prod_values, validate=False),
        val: cols.val,
    }
    columns.update(extras or {})
    columns.update(results)
    # copy=False keeps one block per column; consolidating would copy the whole table once more.
    return pd.DataFrame(columns, copy=False)


def fill_grid(grid: FloatArray, cell: IntArray, v: FloatArray) -> None:
    """Write the dense place × industry matrix ``grid`` (C-contiguous) from cell numbers; repeated cells add
    up, in input order (as ``np.bincount`` with weights would, without its fresh 31 MB buffer a year)."""
    assert grid.flags.c_contiguous, "the grid must be a contiguous view of its column"
    flat = grid.reshape(-1)
    flat.fill(0.0)
    np.add.at(flat, cell, v)


def proximity_frame(
    names: tuple[str, str, str, str],
    codes: Codes,
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

    code = code_dtype(len(codes.prod_values))

    def cat(parts: list[Any], dtype: Any) -> Any:
        return np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype=dtype)

    return pd.DataFrame(
        {
            time: time_column(codes, codes.time_stored(cat(t_parts, np.int64))),
            f"{prod}_1": pd.Categorical.from_codes(cat(a_parts, code), categories=codes.prod_values),
            f"{prod}_2": pd.Categorical.from_codes(cat(b_parts, code), categories=codes.prod_values),
            "proximity": cat(v_parts, np.float64),
        },
        copy=False,
    )

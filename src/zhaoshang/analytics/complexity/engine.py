"""Economic complexity and relatedness on one place × industry matrix (DOMAIN.md §5).

Pure: numpy and scipy only. ``complexity_compute(x)`` takes a dense or scipy.sparse matrix X (places ×
industries, non-negative) and returns RCA, presence M, diversity, ubiquity, ECI, PCI, proximity φ, density,
COI and COG as arrays in the input's row and column order. ``complexity_panel`` (module
``panel``) runs it year by year on a long table.

Two modes.

**Default.** M = 1[RCA ≥ threshold] (or ``>`` with ``strict=True``). Places and industries with a zero
total have no RCA: their rows/columns are NaN in every real-valued output (0 in M, diversity, ubiquity).
ECI/PCI come from the places with diversity > 0 and the industries with ubiquity > 0 only; the others get
NaN. ECI is z-scored (ddof 0) and PCI standardised with ECI's mean and standard deviation, so that a place's
ECI is the mean PCI of what it has; the sign makes corr(ECI, diversity) > 0. Self-proximity is excluded
(φ_pp = 0, as in the Stata original) unless ``self_proximity=True``. COI_c = Σ_p ω_cp (1 − M_cp) PCI_p and
COG_cp = (1 − M_cp) Σ_q (1 − M_cq) φ_pq PCI_q / Σ_j φ_qj use the standardised PCI and are not rescaled;
terms whose PCI or density is undefined count as 0. Density is NaN for an industry related to no other.

**compat="ecomplexity".** Reproduces ecomplexity 0.5.3 (``presence_test="rca"``) to rounding: places and
industries whose total is 0 are dropped (the panel layer restores them as ecomplexity's merge does);
RCA ≥ threshold; φ_pp = 1 and φ is NaN for an industry of ubiquity 0; density includes self-proximity; COI
is z-scored and COG divided by the standard deviation of the raw ECI, both built on the unit-norm
eigenvector. Its failure modes are kept, for a year: a place of diversity 0 makes every ECI, PCI and COG
NaN (ECI's mean is NaN); an industry of ubiquity 0 makes every density, COI and COG NaN (its φ row is NaN);
exactly one such place or industry sends it through its ``except`` branch, and COI is NaN as well.

The eigenvector comes from a symmetric matrix similar to M̃ (``eigen``): real eigenvalues, and
no place × place matrix is ever formed. When the second eigenvalue is not separated from its neighbours the
eigenvector is not unique (e.g. a disconnected place-industry network): a ``ComplexityWarning`` says so.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse

from zhaoshang.analytics.complexity.eigen import ComplexityWarning, second_eigenvector
from zhaoshang.standards.errors import BilingualError

__all__ = [
    "Compat",
    "ComplexityError",
    "ComplexityOut",
    "ComplexityResult",
    "ComplexityWarning",
    "complexity_compute",
    "presence",
    "revealed_comparative_advantage",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Int8Array = npt.NDArray[np.int8]
BoolArray = npt.NDArray[np.bool_]
Compat = Literal["ecomplexity"]


class ComplexityError(BilingualError):
    """Input that cannot be computed. ``str()`` is ``zh``; ``en`` is the English message."""


@dataclass(frozen=True, eq=False)
class ComplexityResult:
    """All outputs for an X of c places × p industries, in X's row/column order."""

    rca: FloatArray  # (c, p)
    mcp: Int8Array  # (c, p), 0/1
    diversity: IntArray  # (c,)
    ubiquity: IntArray  # (p,)
    eci: FloatArray  # (c,)
    pci: FloatArray  # (p,)
    proximity: FloatArray  # (p, p), symmetric
    density: FloatArray  # (c, p)
    coi: FloatArray  # (c,)
    cog: FloatArray  # (c, p)
    place_kept: BoolArray  # (c,) total ≠ 0: the place is part of the computation
    industry_kept: BoolArray  # (p,)
    eigenvalue: float  # second-largest eigenvalue of M̃ (NaN when not computed)
    spectral_gap: float  # distance of that eigenvalue to its nearest neighbour (NaN when not computed)


@dataclass(frozen=True, eq=False)
class ComplexityOut:
    """Caller-owned (c, p) float64 C-contiguous arrays to write RCA, density and COG into.

    A panel of many years writes each year straight into its slice of the long output columns: on a
    3,000 × 1,300 panel that saves three 31 MB temporaries and their copies per year. ``rca`` may be the
    input matrix itself, which is then overwritten by its RCA (the input is not read after that)."""

    rca: FloatArray
    density: FloatArray
    cog: FloatArray


def revealed_comparative_advantage(
    x: FloatArray, out: FloatArray | None = None, *, has_nan: bool | None = None
) -> FloatArray:
    """Balassa RCA with ecomplexity's exact operation order, so that RCA = 1 ties fall the same way.

    NaN cells are skipped in the totals and stay NaN; rows or columns with zero total give NaN/inf.
    ``has_nan``: whether ``x`` holds a NaN, when the caller knows (saves a pass over the matrix)."""
    # np.nansum copies the matrix to zero its NaNs; without NaNs np.sum adds the same numbers in the same order.
    total = np.nansum if (np.isnan(x).any() if has_nan is None else has_nan) else np.sum
    return _rca(x, total(x, axis=1), total(x, axis=0), out)


def _rca(x: FloatArray, row_total: FloatArray, col_total: FloatArray, out: FloatArray | None) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        num = np.divide(x, row_total[:, np.newaxis], out=out)
        loc_total = col_total[np.newaxis, :]
        world_total = np.sum(loc_total, axis=1)[:, np.newaxis]
        den = loc_total / world_total
        rca: FloatArray = np.divide(num, den, out=num)
    return rca


def presence(rca: FloatArray, threshold: float = 1.0, *, strict: bool = False) -> Int8Array:
    """M = 1[RCA ≥ threshold] (``strict``: RCA > threshold); NaN counts as RCA 0, as in ecomplexity."""
    return _presence_mask(rca, threshold, strict).view(np.int8)


def _presence_mask(rca: FloatArray, threshold: float, strict: bool) -> BoolArray:
    hit: BoolArray = rca > threshold if strict else rca >= threshold
    if (0 > threshold) if strict else (0 >= threshold):
        hit |= np.isnan(rca)
    return hit


def complexity_compute(
    x: Any,
    *,
    threshold: float = 1.0,
    strict: bool | None = None,
    self_proximity: bool | None = None,
    compat: Compat | None = None,
    out: ComplexityOut | None = None,
) -> ComplexityResult:
    """Complexity and relatedness of a place × industry matrix ``x`` (ndarray, array-like or scipy.sparse).

    ``strict`` and ``self_proximity`` default to False in the default mode; compat mode fixes them to
    ecomplexity's choices (``>=`` and φ_pp = 1) and refuses other values. With ``out`` the result's
    ``rca``, ``density`` and ``cog`` are those arrays, filled in place."""
    dense = _as_dense(x)
    if out is not None:
        for name in ("rca", "density", "cog"):
            buffer = getattr(out, name)
            if buffer.shape != dense.shape or buffer.dtype != np.float64 or not buffer.flags.c_contiguous:
                raise ComplexityError(
                    f"out.{name} 的形状或类型不符", f"out.{name} has the wrong shape or type"
                )
    if compat is None:
        return _compute_default(
            dense, threshold=threshold, strict=bool(strict), self_proximity=bool(self_proximity), out=out
        )
    if compat != "ecomplexity":
        raise ComplexityError(f"未知的兼容模式: {compat}", f"unknown compat mode: {compat}")
    if strict or self_proximity is False:
        raise ComplexityError(
            "ecomplexity 兼容模式固定使用 RCA ≥ 阈值 且 φ_pp = 1",
            "compat mode 'ecomplexity' always uses RCA >= threshold and phi_pp = 1",
        )
    return _compute_compat(dense, threshold=threshold, out=out)


def _as_dense(x: Any) -> FloatArray:
    if scipy.sparse.issparse(x):
        dense: FloatArray = np.asarray(x.toarray(), dtype=np.float64)
    else:
        dense = np.asarray(x, dtype=np.float64)
    if dense.ndim != 2:
        raise ComplexityError(
            f"输入须为二维矩阵 (地区 × 行业), 实为 {dense.ndim} 维",
            f"input must be a 2-D place × industry matrix, got {dense.ndim} dimensions",
        )
    return dense


def _checked_default(x: FloatArray) -> FloatArray:
    """Refuse negative and infinite values; missing values count as 0. Two passes when the input is clean."""
    if x.size == 0:
        return x
    if not x.min() >= 0:  # a negative value, or NaN somewhere
        if (x < 0).any():
            raise ComplexityError(
                "输入含负值, RCA 无意义", "input contains negative values; RCA is undefined"
            )
        x = np.nan_to_num(x, nan=0.0, posinf=np.inf)
    if np.isinf(x.max()):
        raise ComplexityError("输入含无穷大值", "input contains infinite values")
    return x


@dataclass
class _Prepared:
    """The kept block (places and industries with a non-zero total) with RCA and presence."""

    place_kept: BoolArray
    industry_kept: BoolArray
    rca: FloatArray
    hit: BoolArray
    diversity: IntArray
    ubiquity: IntArray
    full: bool  # nothing dropped: the block is the whole matrix
    _nonzero: tuple[IntArray, IntArray] | None = None

    def nonzero(self) -> tuple[IntArray, IntArray]:
        """Row and column of every presence, row-major (computed once, used twice)."""
        if self._nonzero is None:
            rows, cols = np.nonzero(self.hit)
            self._nonzero = (rows.astype(np.int64, copy=False), cols.astype(np.int64, copy=False))
        return self._nonzero


def _prepare(
    x: FloatArray,
    totals: tuple[FloatArray, FloatArray],
    kept: tuple[BoolArray, BoolArray],
    hit_rule: tuple[float, bool],
    out: Any,
    *,
    has_nan: bool,
) -> _Prepared:
    """``totals``: x's row and column sums (NaN skipped), as RCA takes them; ``kept``: the rows and columns
    that stay in the computation."""
    place_kept, industry_kept = kept
    full = bool(place_kept.all() and industry_kept.all())
    if full:
        rca = _rca(x, *totals, out.rca if out is not None else None)
    else:
        xv = np.ascontiguousarray(x[np.ix_(place_kept, industry_kept)])
        rca = revealed_comparative_advantage(xv, has_nan=None if has_nan else False)
    hit = _presence_mask(rca, *hit_rule)
    return _Prepared(
        place_kept=place_kept,
        industry_kept=industry_kept,
        rca=rca,
        hit=hit,
        diversity=hit.sum(axis=1, dtype=np.int64),
        ubiquity=hit.sum(axis=0, dtype=np.int64),
        full=full,
    )


def _compute_default(
    x: FloatArray, *, threshold: float, strict: bool, self_proximity: bool, out: ComplexityOut | None
) -> ComplexityResult:
    x = _checked_default(x)
    totals = (x.sum(axis=1), x.sum(axis=0))
    v = _prepare(x, totals, (totals[0] > 0, totals[1] > 0), (threshold, strict), out, has_nan=False)

    eci_v = np.full(v.hit.shape[0], np.nan)
    pci_v = np.full(v.hit.shape[1], np.nan)
    active_c = v.diversity > 0
    active_p = v.ubiquity > 0
    whole = bool(active_c.all() and active_p.all())
    eigen = second_eigenvector(
        _block(v.hit, active_c, active_p),
        v.diversity[active_c],
        v.ubiquity[active_p],
        v.nonzero() if whole else None,
    )
    eigenvalue = gap = float("nan")
    if eigen is not None:
        kc, kp, eigenvalue, gap = eigen
        sign = _default_sign(kc, kp, v.diversity[active_c], v.ubiquity[active_p])
        kc, kp = sign * kc, sign * kp
        mean, sd = kc.mean(), kc.std()
        with np.errstate(divide="ignore", invalid="ignore"):
            eci_v[active_c] = (kc - mean) / sd
            pci_v[active_p] = (kp - mean) / sd

    phi = _proximity_default(v.hit, v.ubiquity, self_proximity=self_proximity)
    # An undefined PCI (industry present nowhere) contributes nothing to COI and COG.
    pci_terms = np.nan_to_num(pci_v, nan=0.0)
    density_v, coi_v, cog_v = _relatedness(v, phi, phi.sum(axis=0), pci_terms, out)
    return _assemble(x.shape, v, eci_v, pci_v, phi, density_v, coi_v, cog_v, eigenvalue, gap, out)


def _compute_compat(x: FloatArray, *, threshold: float, out: ComplexityOut | None) -> ComplexityResult:
    # ecomplexity drops locations/products whose summed value is 0 before it rectangularises.
    has_nan = bool(np.isnan(x).any())
    total = np.nansum if has_nan else np.sum
    totals = (total(x, axis=1), total(x, axis=0))
    kept = (totals[0] != 0, totals[1] != 0)
    v = _prepare(x, totals, kept, (threshold, False), out, has_nan=has_nan)
    eci_raw, pci_raw, eigenvalue, gap = _eci_pci_compat(v)

    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        # An all-zero year leaves nothing to average: NaN, as in ecomplexity, without numpy's warnings.
        warnings.simplefilter("ignore", RuntimeWarning)
        # Integer counts are exact in float BLAS; ecomplexity's int64 product gives the same numbers slowly.
        phi = np.divide(_cooccurrence(v.hit), v.ubiquity[np.newaxis, :].astype(np.float64))
        prox = np.minimum(phi, phi.T)
        if (v.ubiquity > 0).all() and np.isfinite(eci_raw).all() and np.isfinite(pci_raw).all():
            # Every ubiquity > 0: φ is finite, and np.sum adds what np.nansum would, without its copy.
            density_v, coi_raw, cog_raw = _relatedness(v, prox, prox.sum(axis=1), pci_raw, out)
        else:
            # ecomplexity's own expressions, so that its NaN propagation is kept to the letter.
            m = v.hit.astype(np.float64)
            density_v = m @ (prox.T / np.nansum(prox, axis=1)[np.newaxis, :])
            absent = 1.0 - m
            coi_raw = ((density_v * absent) * pci_raw).sum(axis=1)
            cog_raw = absent * (absent @ (prox * (pci_raw / prox.sum(axis=1))[:, np.newaxis]))
        eci_mean, eci_sd = eci_raw.mean(), eci_raw.std()
        pci_v = (pci_raw - eci_mean) / eci_sd
        cog_v = np.divide(cog_raw, eci_sd, out=cog_raw)
        eci_v = (eci_raw - eci_mean) / eci_sd
        coi_v = (coi_raw - coi_raw.mean()) / coi_raw.std()
    return _assemble(x.shape, v, eci_v, pci_v, prox, density_v, coi_v, cog_v, eigenvalue, gap, out)


def _block(a: BoolArray, rows: BoolArray, cols: BoolArray) -> BoolArray:
    if rows.all() and cols.all():
        return a
    return np.ascontiguousarray(a[np.ix_(rows, cols)])


def _relatedness(
    v: _Prepared, phi: FloatArray, phi_total: FloatArray, pci: FloatArray, out: ComplexityOut | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Density ω = Mφ / Σφ, COI = Σ_p ω (1−M) PCI, COG = (1−M) ∘ ((1−M) φ̂), φ̂_qp = φ_qp PCI_q / Σ_j φ_qj.

    φ must be symmetric. (1−M) φ̂ is computed as 1ᵀφ̂ − M φ̂, and results go straight into their final
    arrays: place × industry temporaries are what a 5-year national panel's memory peak is made of."""
    hit = v.hit
    use_out = out is not None and v.full
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(phi_total != 0, pci / phi_total, 0.0)
        phi_hat = phi * weight[:, np.newaxis]
        density = _presence_product(hit, phi, out.density if use_out and out else None)
        # COI = Σ_p (Mφ)_cp w_p − Σ_{p: M_cp = 1} (Mφ)_cp w_p, the second sum over M's non-zeros only.
        rows, cols = v.nonzero()
        present = np.bincount(rows, weights=density[rows, cols] * weight[cols], minlength=hit.shape[0])
        coi: FloatArray = density @ weight - present
        np.divide(density, phi_total[np.newaxis, :], out=density)
    cog = _presence_product(hit, phi_hat, out.cog if use_out and out else None)
    np.subtract(phi_hat.sum(axis=0)[np.newaxis, :], cog, out=cog)
    np.copyto(cog, 0.0, where=hit)
    return density, coi, cog


# Rows of M converted to float64 at a time for a product (~4 MB): BLAS wants both operands in float64, and
# the whole of M in float64 would be one more place × industry matrix at the memory peak.
_PRODUCT_BLOCK_BYTES = 1 << 22


def _presence_product(hit: BoolArray, right: FloatArray, out: FloatArray | None) -> FloatArray:
    """M @ right for the boolean M, a block of rows at a time (into ``out`` when given)."""
    n_rows = hit.shape[0]
    result = np.empty((n_rows, right.shape[1])) if out is None else out
    step = max(1, _PRODUCT_BLOCK_BYTES // (8 * max(hit.shape[1], 1)))
    block = np.empty((min(step, n_rows), hit.shape[1]))
    for start in range(0, n_rows, step):
        stop = min(start + step, n_rows)
        rows = block[: stop - start]
        np.copyto(rows, hit[start:stop])
        np.matmul(rows, right, out=result[start:stop])
    return result


def _eci_pci_compat(v: _Prepared) -> tuple[FloatArray, FloatArray, float, float]:
    """Raw (unit-norm, sign-corrected) eigenvectors as ecomplexity's ``calc_eci_pci`` leaves them."""
    hit, diversity, ubiquity = v.hit, v.diversity, v.ubiquity
    eci_raw = np.full(hit.shape[0], np.nan)
    pci_raw = np.full(hit.shape[1], np.nan)
    zero_c = diversity == 0
    zero_p = ubiquity == 0
    # ecomplexity iterates over ``np.argwhere(...).squeeze()``: with exactly one zero that is a 0-d array, the
    # loop raises, its ``except`` branch fires and the whole year's ECI and PCI become NaN.
    if zero_c.sum() == 1 or zero_p.sum() == 1:
        return eci_raw, pci_raw, float("nan"), float("nan")
    d_valid = diversity[~zero_c]
    whole = not (zero_c.any() or zero_p.any())
    eigen = second_eigenvector(
        _block(hit, ~zero_c, ~zero_p), d_valid, ubiquity[~zero_p], v.nonzero() if whole else None
    )
    if eigen is None:
        return eci_raw, pci_raw, float("nan"), float("nan")
    kc, kp, eigenvalue, gap = eigen
    with np.errstate(divide="ignore", invalid="ignore"):
        # corrcoef is NaN for constant diversity or a single place: ecomplexity then returns NaN everywhere.
        sign = np.sign(np.corrcoef(d_valid, kc)[0, 1])
    eci_raw[~zero_c] = sign * kc
    pci_raw[~zero_p] = sign * kp
    return eci_raw, pci_raw, eigenvalue, gap


def _default_sign(kc: FloatArray, kp: FloatArray, diversity: IntArray, ubiquity: IntArray) -> float:
    """+1 or −1 so that ECI rises with diversity; ties fall back to PCI falling with ubiquity."""
    with np.errstate(divide="ignore", invalid="ignore"):
        for a, b in ((kc, diversity), (kp, -ubiquity)):
            r = np.corrcoef(a, b)[0, 1]
            if np.isfinite(r) and abs(r) > 1e-12:
                return float(np.sign(r))
    first = np.flatnonzero(np.abs(kp) > 1e-12)
    return float(np.sign(kp[first[0]])) if first.size else 1.0


def _cooccurrence(hit: BoolArray) -> npt.NDArray[np.float32]:
    """C = MᵀM in float32. Every partial sum is an integer below 2^24, so float32 is exact in any summation
    order, at half the cost of float64; numpy computes ``a.T @ a`` as a symmetric rank-k update (half a
    matrix product) and mirrors the triangle itself. Dividing by float64 ubiquities gives float64 φ."""
    if hit.size == 0:  # BLAS rejects empty operands (and prints so)
        return np.zeros((hit.shape[1], hit.shape[1]), dtype=np.float32)
    m32 = hit.astype(np.float32)
    co: npt.NDArray[np.float32] = m32.T @ m32
    return co


def _proximity_default(hit: BoolArray, ubiquity: IntArray, *, self_proximity: bool) -> FloatArray:
    """φ_pq = C_pq / max(u_p, u_q); 0 when neither industry is present anywhere."""
    u = ubiquity.astype(np.float64)
    larger = np.maximum(u[:, np.newaxis], u[np.newaxis, :])
    phi = np.divide(_cooccurrence(hit), larger, out=np.zeros_like(larger), where=larger > 0)
    np.fill_diagonal(phi, np.where(u > 0, 1.0, 0.0) if self_proximity else 0.0)
    return phi


def _assemble(
    shape: tuple[int, int],
    v: _Prepared,
    eci: FloatArray,
    pci: FloatArray,
    proximity: FloatArray,
    density: FloatArray,
    coi: FloatArray,
    cog: FloatArray,
    eigenvalue: float,
    gap: float,
    out: ComplexityOut | None,
) -> ComplexityResult:
    """Scatter the kept block back into arrays of the input's shape (NaN / 0 for dropped rows and columns)."""
    mcp = v.hit.view(np.int8)
    diversity, ubiquity, rca = v.diversity, v.ubiquity, v.rca
    if not v.full:
        n_c, n_p = shape
        kept_c, kept_p = v.place_kept, v.industry_kept
        block = np.ix_(kept_c, kept_p)

        def cp(values: FloatArray, target: FloatArray | None) -> FloatArray:
            full = np.empty((n_c, n_p)) if target is None else target
            full.fill(np.nan)
            full[block] = values
            return full

        def vec(values: npt.NDArray[Any], kept: BoolArray, fill: float) -> npt.NDArray[Any]:
            full = np.full(kept.shape[0], fill, dtype=values.dtype)
            full[kept] = values
            return full

        rca = cp(rca, out.rca if out else None)
        density = cp(density, out.density if out else None)
        cog = cp(cog, out.cog if out else None)
        mcp = np.zeros((n_c, n_p), dtype=np.int8)
        mcp[block] = v.hit
        prox = np.full((n_p, n_p), np.nan)
        prox[np.ix_(kept_p, kept_p)] = proximity
        proximity = prox
        diversity, ubiquity = vec(diversity, kept_c, 0), vec(ubiquity, kept_p, 0)
        eci, coi, pci = vec(eci, kept_c, np.nan), vec(coi, kept_c, np.nan), vec(pci, kept_p, np.nan)
    elif out is not None:
        # The compat fallback path computes into fresh arrays; copy so that ``out`` always holds the result.
        for name, values in (("rca", rca), ("density", density), ("cog", cog)):
            target = getattr(out, name)
            if values is not target:
                target[...] = values
        rca, density, cog = out.rca, out.density, out.cog
    return ComplexityResult(
        rca=rca,
        mcp=mcp,
        diversity=diversity,
        ubiquity=ubiquity,
        eci=eci,
        pci=pci,
        proximity=proximity,
        density=density,
        coi=coi,
        cog=cog,
        place_kept=v.place_kept,
        industry_kept=v.industry_kept,
        eigenvalue=eigenvalue,
        spectral_gap=gap,
    )

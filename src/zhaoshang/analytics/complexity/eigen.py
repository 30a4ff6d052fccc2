"""The eigenvector behind ECI and PCI (DOMAIN.md §5), for ``complexity``. Pure: numpy and scipy.

M̃ = D_d⁻¹ M D_u⁻¹ Mᵀ is not symmetric, but it is similar to A Aᵀ with A = D_d^-1/2 M D_u^-1/2, and its
industry-side twin to Aᵀ A: both are symmetric positive semi-definite with the same non-zero eigenvalues, so
the eigenvalues are real and a symmetric solver applies. The smaller side is decomposed (industries, for a
national county × industry panel), so no place × place matrix is ever formed. Small problems use a dense
LAPACK solver; larger ones ARPACK on the sparse M (a few dozen sparse products).
"""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt
import scipy.linalg
import scipy.sparse
import scipy.sparse.linalg

__all__ = ["ComplexityWarning", "second_eigenvector"]

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Dense symmetric eigensolvers are exact and robust but cubic; ARPACK needs a few dozen sparse products at
# the size of a national county × industry panel, ~10× faster there.
DENSE_EIGEN_LIMIT = 600
# Below this gap between the second eigenvalue and a neighbour, the eigenvector is not unique.
GAP_WARNING = 1e-9


class ComplexityWarning(UserWarning):
    """ECI/PCI are not uniquely defined for this matrix: the second eigenvalue of M̃ is degenerate (e.g. a
    disconnected place-industry network). No implementation, ecomplexity included, is reproducible then."""


def second_eigenvector(
    m: BoolArray, diversity: IntArray, ubiquity: IntArray, nonzero: tuple[IntArray, IntArray] | None = None
) -> tuple[FloatArray, FloatArray, float, float] | None:
    """(kc, kp, λ₂, gap) for M̃'s second-largest eigenvalue: kp of unit norm (as LAPACK normalises the
    eigenvectors of the industry-side matrix ecomplexity decomposes), kc = D_d⁻¹ M kp.

    ``m`` is the presence matrix as booleans (a float copy of a national year would be 31 MB more at the
    peak); ``nonzero``: its non-zero rows and columns, row-major, when the caller has them.
    Every diversity and ubiquity must be > 0. None for fewer than 2 places or industries."""
    n_c, n_p = m.shape
    if n_c < 2 or n_p < 2:
        return None
    scale_c = 1.0 / np.sqrt(diversity.astype(np.float64))
    scale_p = 1.0 / np.sqrt(ubiquity.astype(np.float64))
    industry_side = n_p <= n_c
    sparse_m = _sparse(m, nonzero)
    values, vectors = _top_eigenpairs(m, sparse_m, scale_c, scale_p, industry_side)
    # The smaller Gram matrix lacks only zero eigenvalues of the larger one; those still bound the gap.
    neighbour_below = float(values[-3]) if values.size >= 3 else -np.inf
    if not industry_side:
        neighbour_below = max(neighbour_below, 0.0)
    eigenvalue = float(values[-2])
    gap = float(min(values[-1] - values[-2], values[-2] - neighbour_below))
    if industry_side:
        kp = vectors[:, -2] * scale_p
    else:
        kp = (sparse_m.T @ (vectors[:, -2] * scale_c)) / ubiquity
    norm = np.linalg.norm(kp)
    if norm == 0 or not np.isfinite(norm):
        return None
    kp = kp / norm
    kc: FloatArray = (sparse_m @ kp) / diversity
    if gap < GAP_WARNING:
        warnings.warn(
            "ECI/PCI not unique: the second eigenvalue of M̃ is degenerate "
            f"(λ₂ = {eigenvalue:.6g}, gap {gap:.2g}); the place-industry network may be disconnected",
            ComplexityWarning,
            stacklevel=4,
        )
    return kc, kp, eigenvalue, gap


def _sparse(m: BoolArray, nonzero: tuple[IntArray, IntArray] | None) -> scipy.sparse.csr_array:
    """M as a CSR matrix of ones."""
    rows, cols = np.nonzero(m) if nonzero is None else nonzero
    # 32-bit indices when they fit: the products are bound by memory traffic, and scipy keeps what it gets.
    index = np.int32 if cols.size < 2**31 else np.int64
    indptr = np.zeros(m.shape[0] + 1, dtype=index)
    np.cumsum(np.bincount(rows, minlength=m.shape[0]), out=indptr[1:])
    return scipy.sparse.csr_array((np.ones(cols.size), cols.astype(index), indptr), shape=m.shape)


def _top_eigenpairs(
    m: BoolArray,
    sparse_m: scipy.sparse.csr_array,
    scale_c: FloatArray,
    scale_p: FloatArray,
    industry_side: bool,
) -> tuple[FloatArray, FloatArray]:
    """Up to three largest eigenpairs (ascending) of AᵀA (industry side) or AAᵀ, A = D_d^-1/2 M D_u^-1/2."""
    n = m.shape[1] if industry_side else m.shape[0]

    def dense() -> tuple[FloatArray, FloatArray]:
        a = m * scale_c[:, np.newaxis] * scale_p[np.newaxis, :]
        gram = a.T @ a if industry_side else a @ a.T
        values, vectors = scipy.linalg.eigh(gram, subset_by_index=[max(n - 3, 0), n - 1])
        return np.asarray(values, dtype=np.float64), np.asarray(vectors, dtype=np.float64)

    if n <= DENSE_EIGEN_LIMIT:
        return dense()
    # ARPACK on the sparse M: a few dozen sparse products instead of an n × n Gram matrix and its
    # tridiagonalisation; single-threaded, so it does not suffer when the machine is busy.
    sparse_mt = sparse_m.T
    weight_c = scale_c**2
    weight_p = scale_p**2

    def matvec(v: FloatArray) -> FloatArray:
        v = np.ravel(v)
        if industry_side:
            out: FloatArray = scale_p * (sparse_mt @ ((sparse_m @ (scale_p * v)) * weight_c))
        else:
            out = scale_c * (sparse_m @ ((sparse_mt @ (scale_c * v)) * weight_p))
        return out

    operator = scipy.sparse.linalg.LinearOperator((n, n), matvec=matvec, dtype=np.float64)
    # A fixed start vector keeps runs reproducible; tol=0 asks ARPACK for machine precision.
    start = np.random.default_rng(20070727).standard_normal(n)
    try:
        values, vectors = scipy.sparse.linalg.eigsh(operator, k=3, which="LA", tol=0, v0=start)
    except scipy.sparse.linalg.ArpackNoConvergence:
        return dense()
    order = np.argsort(values)
    return np.asarray(values[order], dtype=np.float64), np.asarray(vectors[:, order], dtype=np.float64)

"""Stage-transition delays of the output forecast: the lognormal or empirical `Delay` and the documented
defaults (see `engine`'s module note for the figures and their sources). Pure: numpy, scipy.special."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import special

from zhaoshang.analytics.rates.engine import STAGES

__all__ = ["DEFAULT_DELAYS", "DEFAULT_TERMINATION", "Delay", "ForecastError"]

FloatArray = npt.NDArray[np.float64]
Scores = npt.NDArray[np.floating[Any]]  # double, or single precision in the draws (see `draws`)
_U_MAX = 1.0 - 1e-12


def _floats(x: object) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


class ForecastError(ValueError):
    pass


@dataclass(frozen=True)
class Delay:
    """Months of one stage transition: lognormal (``median``, ``sigma`` of the log) or, when ``samples`` are
    given, their empirical distribution (linear interpolation between order statistics)."""

    median: float = 1.0
    sigma: float = 0.0
    samples: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.samples:
            if any(not math.isfinite(s) or s < 0 for s in self.samples):
                raise ForecastError("observed months must be finite and ≥ 0")
        elif not (self.median > 0 and self.sigma >= 0 and math.isfinite(self.median + self.sigma)):
            raise ForecastError("a lognormal delay needs median > 0 and sigma ≥ 0")

    def months(self, z: Scores, elapsed: FloatArray | None = None) -> Scores:
        """Months still to go for standard normal scores ``z``; with ``elapsed``, conditioned on D > elapsed
        (empirical: past the longest observed duration nothing is left to go — termination covers the stuck).
        Lognormal: in ``z``'s precision (the conditioned draw at least single)."""
        if self.samples:
            s = np.sort(np.asarray(self.samples, dtype=np.float64))
            levels = np.linspace(0.0, 1.0, s.size)
            u = _floats(special.ndtr(z))
            if elapsed is None:
                return _floats(np.interp(u, levels, s))
            f = np.interp(elapsed, s, levels) if s.size > 1 else np.zeros_like(elapsed)
            f = np.where(elapsed < s[0], 0.0, f)
            return _floats(np.maximum(np.interp(f + u * (1.0 - f), levels, s) - elapsed, 0.0))
        if elapsed is None:
            d: Scores = np.multiply(z, self.sigma)
            np.exp(d, out=d)
            d *= self.median
            return d
        if self.sigma == 0:
            return _floats(np.maximum(self.median - elapsed, 0.0))
        # D | D > e by the upper tail: P(D > d) = S(e) · Φ(−z), S(e) = Φ(−x_e) the survival at the time
        # already spent. The same draw as Φ⁻¹(F(e) + Φ(z)(1 − F(e))), accurate far into the tail.
        with np.errstate(divide="ignore"):
            x_e = (np.log(np.asarray(elapsed, dtype=np.float64)) - math.log(self.median)) / self.sigma
        x = _upper_tail(z)  # then q = S(e)·Φ(−z), X = −Φ⁻¹(q), the months: in place, one array
        x *= special.ndtr(-x_e)
        np.maximum(x, 1.0 - _U_MAX, out=x)
        special.ndtri(x, out=x)
        kind = np.result_type(z, np.float32)
        months: Scores = x.astype(kind, copy=False)  # single precision from here for single scores
        months *= kind.type(-self.sigma)
        np.exp(months, out=months)
        months *= kind.type(self.median)
        months -= np.asarray(elapsed, dtype=kind)
        np.maximum(months, kind.type(0), out=months)
        return months


# Φ(−|x|) = erfc(|x|/√2)/2 by the Chebyshev fit of Numerical Recipes' `erfcc` (fractional error < 1.2·10⁻⁷ for
# every x): a dozen array operations in single precision instead of scipy's erfc, which costs three times as
# much per value on the forecast's 10⁷–10⁸ scores. Horner order, highest power first.
_ERFCC = (
    0.17087277,
    -0.82215223,
    1.48851587,
    -1.13520398,
    0.27886807,
    -0.18628806,
    0.09678418,
    0.37409196,
    1.00002368,
    -1.26551223,
)


def _upper_tail(z: Scores) -> FloatArray:
    """Φ(−z) in double precision; for single-precision scores by the fit above (relative error ~10⁻⁶, far
    below what a month of delay means), else scipy's exact ``ndtr``."""
    if z.dtype != np.float32:
        return _floats(special.ndtr(-z))
    f32 = np.float32
    x = np.abs(z)
    x *= f32(1 / math.sqrt(2))
    t = x * f32(0.5)
    t += f32(1)
    np.reciprocal(t, out=t)
    p = np.full_like(x, f32(_ERFCC[0]))
    for c in _ERFCC[1:]:
        p *= t
        p += f32(c)
    x *= x
    p -= x
    np.exp(p, out=p)
    p *= t
    p *= f32(0.5)  # Φ(−|z|)
    # Φ(−z) = p for z ≥ 0 and 1 − p for z < 0 (by the sign bit, so −0 too): ±p plus 1 where negative,
    # exact for the small p of large positive scores, without the cost of `np.where`.
    tail: FloatArray = np.copysign(p.astype(np.float64), z)
    tail += np.signbit(z)
    return tail


# Months (median, σ of the log) per transition reserve→lead … completed→production; see the module note.
_DELAY_TABLE = ((6, 0.8), (3, 0.7), (4, 0.7), (2, 0.6), (4, 0.6), (3, 0.6), (18, 0.5), (3, 0.5))
DEFAULT_DELAYS: dict[tuple[str, str], Delay] = {
    pair: Delay(m, s) for pair, (m, s) in zip(pairwise(STAGES[:9]), _DELAY_TABLE, strict=True)
}
# Probability of termination before the next stage, reserve … completed.
DEFAULT_TERMINATION: dict[str, float] = dict(
    zip(STAGES[:8], (0.5, 0.5, 0.3, 0.10, 0.05, 0.05, 0.03, 0.01), strict=True)
)

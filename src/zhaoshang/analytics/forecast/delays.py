"""Stage-transition delays of the output forecast: the lognormal or empirical `Delay` and the documented
defaults (see `engine`'s module note for the figures and their sources). Pure: numpy, scipy.special."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt
from scipy import special

from zhaoshang.analytics.rates.engine import STAGES

__all__ = ["DEFAULT_DELAYS", "DEFAULT_TERMINATION", "Delay", "ForecastError"]

FloatArray = npt.NDArray[np.float64]
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

    def months(self, z: FloatArray, elapsed: FloatArray | None = None) -> FloatArray:
        """Months still to go for standard normal scores ``z``; with ``elapsed``, conditioned on D > elapsed
        (empirical: past the longest observed duration nothing is left to go — termination covers the stuck)."""
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
            d = np.multiply(z, self.sigma)
            np.exp(d, out=d)
            d *= self.median
            return d
        if self.sigma == 0:
            return _floats(np.maximum(self.median - elapsed, 0.0))
        with np.errstate(divide="ignore"):
            f = special.ndtr((np.log(elapsed) - math.log(self.median)) / self.sigma)
        u = np.minimum(f + special.ndtr(z) * (1.0 - f), _U_MAX)
        return _floats(np.maximum(self.median * np.exp(self.sigma * special.ndtri(u)) - elapsed, 0.0))


# Months (median, σ of the log) per transition reserve→lead … completed→production; see the module note.
_DELAY_TABLE = ((6, 0.8), (3, 0.7), (4, 0.7), (2, 0.6), (4, 0.6), (3, 0.6), (18, 0.5), (3, 0.5))
DEFAULT_DELAYS: dict[tuple[str, str], Delay] = {
    pair: Delay(m, s) for pair, (m, s) in zip(pairwise(STAGES[:9]), _DELAY_TABLE, strict=True)
}
# Probability of termination before the next stage, reserve … completed.
DEFAULT_TERMINATION: dict[str, float] = dict(
    zip(STAGES[:8], (0.5, 0.5, 0.3, 0.10, 0.05, 0.05, 0.03, 0.01), strict=True)
)

"""Back-test of the output forecast: forecasts made at past cut-offs from what was known then, against what
happened in the months after each (DOMAIN.md §2.6). Pure: numpy.

At each cut-off the caller gives the projects as they stood then (stage, date reached, plans) and the
delays fitted from the history verified by then (censored at the cut-off, `survival.fit_delays`). For the
``horizon`` months after the cut-off the forecast draws two measures, both of the same model as
`engine.forecast_output`:

- **new capacity** (新投产产能): the designed output × increment of the projects that reach production in the
  window (a terminated draw reaches nothing), 万元 a year at full capacity;
- **stage steps** (阶段推进): the number of steps up the ladder, up to production, that the projects make in
  the window (termination ignored: a project may step before it is dropped).

What happened is read the same way from the stages reached (verified moves known at the back-test's date).
Per measure: **coverage**, the number of cut-offs whose actual value lies in the forecast's P10–P90 band
(a calibrated forecast covers about 8 in 10), and the **error of the median**, Σ|P50 − actual| / Σ actual
over the cut-offs (weighted, so that a window where nothing happened does not divide by zero).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from zhaoshang.analytics.forecast.delays import ForecastError
from zhaoshang.analytics.forecast.draws import _modelled_months, _plan
from zhaoshang.analytics.forecast.engine_types import ForecastParams, ForecastProject, _year_coord

__all__ = [
    "Backtest",
    "CutOff",
    "CutOffResult",
    "Measure",
    "backtest",
    "happened",
    "month_cutoffs",
    "window_forecast",
]

_CHUNK = 128  # draws per block: (block × projects) arrays in cache; results depend on it


@dataclass(frozen=True)
class CutOff:
    date: dt.date
    projects: Sequence[ForecastProject]  # as known at the cut-off
    params: ForecastParams  # delays fitted from the history known at the cut-off
    actual_capacity: float  # 万元 a year: what reached production in the window
    actual_steps: float


@dataclass(frozen=True)
class Measure:
    p10: float
    p50: float
    p90: float
    actual: float

    @property
    def covered(self) -> bool:
        return self.p10 <= self.actual <= self.p90


@dataclass(frozen=True)
class CutOffResult:
    date: dt.date
    projects: int
    capacity: Measure
    steps: Measure


@dataclass(frozen=True)
class Backtest:
    horizon: int  # months
    results: list[CutOffResult]

    def coverage(self, measure: str) -> int:
        return sum(getattr(r, measure).covered for r in self.results)

    def median_error(self, measure: str) -> float | None:
        """Σ|P50 − actual| / Σ actual; None when nothing happened in any window."""
        actual = sum(getattr(r, measure).actual for r in self.results)
        if actual <= 0:
            return None
        error = sum(abs(getattr(r, measure).p50 - getattr(r, measure).actual) for r in self.results)
        return float(error / actual)


def window_forecast(
    projects: Sequence[ForecastProject], as_of: dt.date, horizon: int, params: ForecastParams
) -> tuple[np.ndarray, np.ndarray]:
    """Draws (``params.draws``) of new capacity and of stage steps in the ``horizon`` months after ``as_of``."""
    if horizon < 1:
        raise ForecastError("the horizon must be at least one month")
    plan = _plan(projects, as_of, params)
    n = plan.n_modelled
    rng = np.random.default_rng(params.seed)
    capacity = np.empty(params.draws)
    steps = np.empty(params.draws)
    survival = plan.survival.astype(np.float32)
    for lo in range(0, params.draws, _CHUNK):
        c = min(_CHUNK, params.draws - lo)
        months, moved = _modelled_months(plan, params, rng, c, horizon=float(horizon))
        inside = months <= horizon
        inside &= rng.random((c, n), dtype=np.float32) < survival
        # einsum, not `@`: BLAS threads spin between calls (see `engine.forecast_output`)
        capacity[lo : lo + c] = np.einsum("cn,n->c", inside.astype(np.float64), plan.weights[:n])
        steps[lo : lo + c] = moved.sum(axis=1, dtype=np.float64) if moved is not None else 0.0
    return capacity, steps


def happened(
    projects: Sequence[ForecastProject],
    reached: Mapping[str, Mapping[str, dt.date]],
    cutoff: dt.date,
    horizon: int,
    stages: Sequence[str],
) -> tuple[float, float]:
    """New capacity and stage steps in the window, from the first date each project reached each stage (as
    known now; a stage without its own date counts as reached with the earliest later one)."""
    until = list(stages).index("production")
    start = _year_coord(cutoff)
    end = start + horizon / 12
    capacity = steps = 0.0
    for p in projects:
        s = list(stages).index(p.stage)
        if s >= until:
            continue
        dates = reached.get(p.key, {})
        later: dt.date | None = None
        when: list[dt.date | None] = [None] * len(stages)
        for i in range(len(stages) - 1, -1, -1):
            own = dates.get(stages[i])
            when[i] = own if own is not None else later
            if own is not None and (later is None or own < later):
                later = own
        for i in range(s + 1, until + 1):
            d = when[i]
            if d is not None and start < _year_coord(d) <= end:
                steps += 1
                if i == until:
                    capacity += p.designed_output * p.increment
    return capacity, steps


def backtest(cutoffs: Sequence[CutOff], horizon: int) -> Backtest:
    results = []
    for cut in cutoffs:
        capacity, steps = window_forecast(cut.projects, cut.date, horizon, cut.params)
        cq = np.quantile(capacity, [0.1, 0.5, 0.9]) if capacity.size else np.zeros(3)
        sq = np.quantile(steps, [0.1, 0.5, 0.9]) if steps.size else np.zeros(3)
        results.append(
            CutOffResult(
                cut.date,
                len(cut.projects),
                Measure(float(cq[0]), float(cq[1]), float(cq[2]), float(cut.actual_capacity)),
                Measure(float(sq[0]), float(sq[1]), float(sq[2]), float(cut.actual_steps)),
            )
        )
    return Backtest(horizon, results)


def month_cutoffs(as_of: dt.date, horizon: int, count: int = 12) -> list[dt.date]:
    """The first days of the ``count`` months whose ``horizon``-month windows end by ``as_of``, oldest first."""
    last = as_of.year * 12 + as_of.month - 1 - horizon  # its window ends on the first of as_of's month
    return [dt.date(m // 12, m % 12 + 1, 1) for m in range(last - count + 1, last + 1)]

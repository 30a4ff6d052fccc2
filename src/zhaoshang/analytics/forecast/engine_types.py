"""The forecast's inputs and results (parameters, projects, target, bands, importance) and date coordinates."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from zhaoshang.analytics.forecast.delays import DEFAULT_DELAYS, DEFAULT_TERMINATION, Delay, ForecastError
from zhaoshang.analytics.rates.engine import STAGES

FloatArray = npt.NDArray[np.float64]
_CHUNK = 128  # draws per block: keeps the (chunk × projects) arrays in cache; results depend on it


@dataclass(frozen=True)
class ForecastParams:
    stages: tuple[str, ...] = STAGES
    delays: Mapping[tuple[str, str], Delay] = field(default_factory=lambda: dict(DEFAULT_DELAYS))
    termination: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_TERMINATION))
    ramp: tuple[float, ...] = (0.4, 0.8, 1.0)
    plan_sigma: float = 0.3
    common_share: float = 0.3
    draws: int = 10_000
    seed: int = 0
    # Per group of projects (size class × construction nature, see `survival`): delays replacing ``delays``.
    group_delays: Mapping[str, Mapping[tuple[str, str], Delay]] = field(default_factory=dict)
    baseline_cv: float = 0.03  # σ of the log of the baseline one year ahead (a random walk: × √years)

    def __post_init__(self) -> None:
        if "production" not in self.stages:
            raise ForecastError("the stage ladder needs a 'production' stage")
        until = self.stages.index("production")
        missing = [p for p in pairwise(self.stages[: until + 1]) if p not in self.delays]
        if missing:
            raise ForecastError(f"no delay for the transitions {missing}")
        if not self.ramp or any(not (math.isfinite(r) and r >= 0) for r in self.ramp):
            raise ForecastError("the ramp needs at least one fraction ≥ 0")
        if any(not 0 <= p <= 1 for p in self.termination.values()):
            raise ForecastError("termination probabilities must lie in [0, 1]")
        if not 0 <= self.common_share <= 1 or self.plan_sigma < 0 or self.draws < 1:
            raise ForecastError("common_share in [0, 1], plan_sigma ≥ 0 and draws ≥ 1 are needed")
        if not (math.isfinite(self.baseline_cv) and self.baseline_cv >= 0):
            raise ForecastError("baseline_cv must be ≥ 0")

    def delay(self, pair: tuple[str, str], group: str = "") -> Delay:
        return (self.group_delays.get(group) or {}).get(pair) or self.delays[pair]


DEFAULT_PARAMS = ForecastParams()


@dataclass(frozen=True)
class ForecastProject:
    key: str
    stage: str
    designed_output: float  # 万元 per year at full capacity
    stage_since: dt.date | None = None  # when the current stage was reached
    production_date: dt.date | None = None  # planned (or, in production, actual) production date
    planned_start: dt.date | None = None  # promised start of construction (evidence before 'started')
    group: str = ""  # which of ``ForecastParams.group_delays`` applies
    increment: float = 1.0  # share of the designed output that is new (a retrofit's plant is in the baseline)


@dataclass(frozen=True)
class OutputTarget:
    amount: float  # 万元
    by_year: int


@dataclass(frozen=True)
class YearBand:
    year: int
    p10: float
    p50: float
    p90: float
    mean: float
    projection: float


@dataclass(frozen=True)
class ProjectImportance:
    key: str
    probability_drop: float | None  # None without a target
    mean_output: float  # mean contribution in the target year (else the last year), 万元
    survival: float  # probability of not being terminated before production
    projected_production: dt.date | None  # of the deterministic projection; None when already at capacity


@dataclass(frozen=True)
class Forecast:
    bands: list[YearBand]
    target: OutputTarget | None
    probability: float | None
    importance: list[ProjectImportance]  # most important first
    totals: FloatArray  # (draws, years)
    draws: int
    seed: int
    explain: str


def _year_coord(day: dt.date) -> float:
    days = calendar.monthrange(day.year, day.month)[1]
    return day.year + (day.month - 1 + (day.day - 1) / days) / 12


def _coord_date(x: float) -> dt.date:
    year = math.floor(x)
    months = (x - year) * 12
    month = min(int(months), 11)
    days = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(int((months - month) * days) + 1, days))

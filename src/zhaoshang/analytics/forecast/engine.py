"""Industrial output forecast: baseline plus each project's ramp-up, with a Monte Carlo band (DOMAIN.md §2.6).

Pure: numpy, scipy.special. Amounts in 万元 (5,000 亿元 = 50,000,000 万元); times in months.

**Production date.** A project in production keeps its production date (given, else the date it entered the
stage, else ``as_of``); one at full capacity (达产) produces its designed output. Any other project reaches
production after the stage transitions still ahead of it (current stage → … → production), each transition's
months drawn from its `Delay`. The current transition is conditioned on the time already spent in the stage:
its duration D is drawn from D | D > elapsed and the remaining time is D − elapsed (a project stuck for two
years is not expected to move tomorrow). A project with a ``production_date`` in the future follows its plan
instead: remaining months × exp(``plan_sigma`` · z), median = the plan. A plan date already past is ignored.

**Ramp.** Production year k (k = 1, 2, …, counted from the production date) yields ``ramp[k-1]`` of the designed
output, the last value from then on (default 40 %, 80 %, 100 %); a calendar year takes the months of each
production year that fall in it (production on 1 July → 6 months × 40 % = 20 % that year).

**Uncertainty.** Transition delays are lognormal (median, σ of the log) or empirical (resampled observed
months, by quantile). Draws are correlated across the projects of one draw through a Gaussian copula:
z = √ρ · z_common + √(1 − ρ) · z_own with ρ = ``common_share`` (default 0.3): a slow year for permits, credit or
demand delays many projects at once, and without it the band of a 500-project total would be unrealistically
narrow. Before production a project may be terminated: it survives with probability Π (1 − p_stage) over the
stages still ahead of it, drawn once per draw and project; producing projects are not terminated.

**Defaults** (this project's assumptions until a district's own history replaces them with
`delays_from_history`; months as median / σ): reserve→lead 6 / 0.8, lead→negotiation 3 / 0.7,
negotiation→signed 4 / 0.7, signed→registered 2 / 0.6, registered→land 4 / 0.6, land→started 3 / 0.6
(approvals: the national reform targets ≤ 120 working days), started→completed 18 / 0.5 (an industrial plant
takes one to two years), completed→production 3 / 0.5: 30 months from signing to production. Termination
before the next stage: reserve 0.5, lead 0.5, negotiation 0.3, signed 0.10, registered 0.05, land 0.05,
started 0.03, completed 0.01 (a signing is not yet a project; complaints about inflated signings). Plan slip
σ 0.3, ramp (0.4, 0.8, 1.0), 10,000 draws, seed 0.

**Output.** Per year P10 / P50 / P90 and the mean of the total (baseline + projects) and the deterministic
projection (every transition at its median — conditional median for the current one — plans as given, no
termination; with zero variance and no termination the band collapses to it). The projection is the median
*path*: the sum of several right-skewed delays has a median above the sum of their medians, so the projection
runs a little ahead of the P50. With a target (amount, by year): the probability that the total reaches the
amount in some forecast year up to that year. The baseline must not include the listed projects.

**Which projects matter.** For each project, the drop in that probability when the project is removed from
the same draws (common random numbers): P(reach) − P(reach without p), computed from the draws already made as
total − contribution_p, so it costs one comparison per draw, project and year and carries no extra sampling
noise between projects. It reads directly ("without 鲁油鲁炼 the chance falls from 62 % to 31 %"); it is not
additive (two projects may each be dispensable but not both). Ties are ordered by mean contribution.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special

from zhaoshang.analytics.rates.engine import STAGES, ProjectFacts

__all__ = [
    "DEFAULT_DELAYS",
    "DEFAULT_PARAMS",
    "DEFAULT_TERMINATION",
    "Delay",
    "Forecast",
    "ForecastError",
    "ForecastParams",
    "ForecastProject",
    "OutputTarget",
    "ProjectImportance",
    "YearBand",
    "delays_from_history",
    "forecast_output",
    "projects_from_facts",
    "ramp_integral",
    "remaining_months",
]

FloatArray = npt.NDArray[np.float64]
_CHUNK = 1024  # draws per block: bounds memory to a few (chunk × projects) arrays; results depend on it
_U_MAX = 1.0 - 1e-12


class ForecastError(ValueError):
    pass


def _floats(x: object) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


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


DEFAULT_PARAMS = ForecastParams()


@dataclass(frozen=True)
class ForecastProject:
    key: str
    stage: str
    designed_output: float  # 万元 per year at full capacity
    stage_since: dt.date | None = None  # when the current stage was reached
    production_date: dt.date | None = None  # planned (or, in production, actual) production date


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


def ramp_integral(x: FloatArray, ramp: Sequence[float]) -> FloatArray:
    """Designed-output years produced in the first ``x`` years after production (0 for x ≤ 0)."""
    last = len(ramp) - 1
    cum = np.concatenate(([0.0], np.cumsum(np.asarray(ramp[:-1], dtype=np.float64))))
    inside = np.interp(x, np.arange(len(ramp), dtype=np.float64), cum)
    return inside + ramp[-1] * np.maximum(x - last, 0.0)


def _year_coord(day: dt.date) -> float:
    days = calendar.monthrange(day.year, day.month)[1]
    return day.year + (day.month - 1 + (day.day - 1) / days) / 12


def _coord_date(x: float) -> dt.date:
    year = math.floor(x)
    months = (x - year) * 12
    month = min(int(months), 11)
    days = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(int((months - month) * days) + 1, days))


def remaining_months(stage: str, params: ForecastParams = DEFAULT_PARAMS) -> float:
    """Typical (median) months from entering ``stage`` to production; 0 from production on."""
    i, until = params.stages.index(stage), params.stages.index("production")
    pairs = pairwise(params.stages[i : until + 1])
    return float(sum(params.delays[p].months(np.zeros(1))[0] for p in pairs))


def delays_from_history(
    history: Mapping[tuple[str, str], Sequence[float]],
    *,
    method: Literal["lognormal", "empirical"] = "lognormal",
    min_samples: int = 5,
    defaults: Mapping[tuple[str, str], Delay] = DEFAULT_DELAYS,
    stages: Sequence[str] = STAGES,
) -> dict[tuple[str, str], Delay]:
    """Delays learnt from a district's observed transition months (per adjacent stage pair); a pair with
    fewer than ``min_samples`` observations keeps its default. Lognormal: maximum likelihood on the logs of
    the months (each at least 0.25, a week, so that same-day moves do not give log 0)."""
    adjacent = set(pairwise(stages))
    result = dict(defaults)
    for pair, observed in history.items():
        if pair not in adjacent:
            raise ForecastError(f"{pair} is not a pair of adjacent stages")
        months = np.asarray(observed, dtype=np.float64)
        if months.size < min_samples:
            continue
        if method == "empirical":
            result[pair] = Delay(samples=tuple(float(m) for m in months))
        else:
            logs = np.log(np.maximum(months, 0.25))
            sigma = float(logs.std(ddof=1)) if logs.size > 1 else 0.0
            result[pair] = Delay(math.exp(float(logs.mean())), sigma)
    return result


def projects_from_facts(facts: Iterable[ProjectFacts]) -> list[ForecastProject]:
    """Forecast inputs from assessment records; terminated projects are left out."""
    return [
        ForecastProject(f.key, f.stage, f.designed_output, f.reached(f.stage), f.reached("production"))
        for f in facts
        if not f.terminated
    ]


@dataclass
class _Plan:
    """The projects arranged for vectorised draws: modelled ones sorted by stage, then planned, then producing."""

    order: list[int]  # input index of each column
    n_modelled: int
    n_planned: int
    blocks: list[tuple[Delay, int, int]]  # per transition: delay, columns needing it [0, n), conditioned from
    elapsed: FloatArray  # months in the current stage, per modelled column
    plan_months: FloatArray
    fixed: FloatArray  # year coordinate of production, producing columns
    survival: FloatArray  # per non-producing column
    designed: FloatArray
    start: float  # year coordinate of as_of


def _plan(projects: Sequence[ForecastProject], as_of: dt.date, params: ForecastParams) -> _Plan:
    stages, until = params.stages, params.stages.index("production")
    start = _year_coord(as_of)
    modelled, planned, producing = [], [], []
    for i, p in enumerate(projects):
        if p.stage not in stages:
            raise ForecastError(f"项目 {p.key}: 未知阶段 {p.stage!r}")
        if not (math.isfinite(p.designed_output) and p.designed_output >= 0):
            raise ForecastError(f"项目 {p.key}: 设计产值须为非负数")
        s = stages.index(p.stage)
        if s >= until:
            producing.append(i)
        elif p.production_date is not None and p.production_date > as_of:
            planned.append(i)
        else:
            modelled.append(i)
    modelled.sort(key=lambda i: stages.index(projects[i].stage))
    idx = np.array([stages.index(projects[i].stage) for i in modelled], dtype=np.int64)
    since = [projects[i].stage_since for i in modelled]
    elapsed = np.array([max(0.0, 12 * (start - _year_coord(d))) if d else 0.0 for d in since])
    blocks = []
    for k in range(until):
        n, first = int(np.searchsorted(idx, k, side="right")), int(np.searchsorted(idx, k, side="left"))
        if n:
            blocks.append((params.delays[(stages[k], stages[k + 1])], n, first))
    plan_dates = [projects[i].production_date or as_of for i in planned]
    plan_months = np.array([12 * (_year_coord(d) - start) for d in plan_dates], dtype=np.float64)
    fixed = []
    for i in producing:
        p = projects[i]
        if p.stage == "production":
            fixed.append(_year_coord(p.production_date or p.stage_since or as_of))
        else:  # at capacity: fully ramped in every year from as_of on
            fixed.append(start - len(params.ramp) - 1)
    survival = [
        math.prod(
            1 - params.termination.get(stages[j], 0.0) for j in range(stages.index(projects[i].stage), until)
        )
        for i in modelled + planned
    ]
    order = modelled + planned + producing
    designed = _floats([projects[i].designed_output for i in order])
    arrays = (elapsed, plan_months, _floats(fixed), _floats(survival), designed)
    return _Plan(order, len(modelled), len(planned), blocks, *arrays, start)


def _production_coords(
    plan: _Plan, params: ForecastParams, rng: np.random.Generator | None, c: int
) -> FloatArray:
    """(c, projects) year coordinates of production; ``rng`` None gives the median path (all scores 0)."""
    a, b = math.sqrt(params.common_share), math.sqrt(1 - params.common_share)
    common = rng.standard_normal((c, 1)) if rng is not None else np.zeros((c, 1))

    def scores(n: int) -> FloatArray:
        if rng is None:
            return np.zeros((c, n))
        z = rng.standard_normal((c, n))
        z *= b
        z += a * common
        return z

    months = np.zeros((c, plan.n_modelled))
    for delay, n, first in plan.blocks:
        z = scores(n)
        if first:
            months[:, :first] += delay.months(z[:, :first])
        months[:, first:n] += delay.months(z[:, first:n], plan.elapsed[first:n])
    planned = plan.plan_months * np.exp(params.plan_sigma * scores(plan.n_planned))
    coords = np.empty((c, len(plan.order)))
    coords[:, : plan.n_modelled] = plan.start + months / 12
    coords[:, plan.n_modelled : plan.n_modelled + plan.n_planned] = plan.start + planned / 12
    coords[:, plan.n_modelled + plan.n_planned :] = plan.fixed
    return coords


def _contributions(
    coords: FloatArray, weights: FloatArray, years: Sequence[int], ramp: Sequence[float]
) -> FloatArray:
    """(years, c, projects) output of each project in each year."""
    g = {b: ramp_integral(b - coords, ramp) for b in sorted({y for y in years} | {y + 1 for y in years})}
    out = np.empty((len(years), *coords.shape))
    for j, y in enumerate(years):
        np.subtract(g[y + 1], g[y], out=out[j])
        out[j] *= weights
    return out


def forecast_output(
    projects: Sequence[ForecastProject],
    baseline: Mapping[int, float],
    years: Sequence[int],
    as_of: dt.date,
    params: ForecastParams = DEFAULT_PARAMS,
    target: OutputTarget | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Forecast:
    """Total output per year (baseline, which must not include the listed projects, plus their ramp-up).

    ``progress(done, draws)`` is called after each chunk of draws (a district of thousands of projects
    runs as a job that shows how far it is)."""
    years = list(years)
    if not years or years != sorted(set(years)):
        raise ForecastError("years must be increasing and distinct")
    if missing := [y for y in years if y not in baseline]:
        raise ForecastError(f"baseline lacks the years {missing}")
    if target is not None and target.by_year not in years:
        raise ForecastError(f"the target year {target.by_year} is not forecast")
    keys = [p.key for p in projects]
    if len(set(keys)) != len(keys):
        raise ForecastError("project keys must be unique")
    plan = _plan(projects, as_of, params)
    n, draws = len(plan.order), params.draws
    base = np.array([baseline[y] for y in years], dtype=np.float64)
    ref = years.index(target.by_year) if target is not None else len(years) - 1
    counted = ref + 1 if target is not None else 0
    n_alive = plan.n_modelled + plan.n_planned
    survival = np.concatenate([plan.survival, np.ones(n - n_alive)])

    median_coords = _production_coords(plan, params, None, 1)
    projection = (
        base + _contributions(median_coords, plan.designed[None, :], years, params.ramp).sum(axis=2)[:, 0]
    )

    rng = np.random.default_rng(params.seed)
    totals = np.empty((draws, len(years)))
    mean_output = np.zeros(n)
    reached = 0
    reached_without = np.zeros(n, dtype=np.int64)
    for lo in range(0, draws, _CHUNK):
        c = min(_CHUNK, draws - lo)
        coords = _production_coords(plan, params, rng, c)
        alive = np.ones((c, n))
        alive[:, :n_alive] = rng.random((c, n_alive)) < plan.survival
        per_year = _contributions(coords, alive * plan.designed, years, params.ramp)
        block = base + per_year.sum(axis=2).T
        totals[lo : lo + c] = block
        mean_output += per_year[ref].sum(axis=0)
        if target is not None:
            hit = np.zeros(c, dtype=bool)
            hit_without = np.zeros((c, n), dtype=bool)
            for j in range(counted):
                hit |= block[:, j] >= target.amount
                hit_without |= (block[:, j, None] - per_year[j]) >= target.amount
            reached += int(hit.sum())
            reached_without += hit_without.sum(axis=0)
        if progress is not None:
            progress(lo + c, draws)
    mean_output /= draws

    p10, p50, p90 = np.quantile(totals, [0.1, 0.5, 0.9], axis=0)
    means = totals.mean(axis=0)
    bands = [
        YearBand(y, float(p10[j]), float(p50[j]), float(p90[j]), float(means[j]), float(projection[j]))
        for j, y in enumerate(years)
    ]
    probability = reached / draws if target is not None else None
    importance = []
    for col, i in enumerate(plan.order):
        drop = (reached - int(reached_without[col])) / draws if target is not None else None
        at_capacity = col >= n_alive and projects[i].stage != "production"
        when = None if at_capacity else _coord_date(float(median_coords[0, col]))
        importance.append(
            ProjectImportance(keys[i], drop, float(mean_output[col]), float(survival[col]), when)
        )
    importance.sort(key=lambda p: (-(p.probability_drop or 0.0), -p.mean_output, p.key))
    explain = _explain(bands, target, probability)
    return Forecast(bands, target, probability, importance, totals, draws, params.seed, explain)


def _yi(x: float) -> str:
    return f"{x / 10_000:,.1f} 亿元"


def _explain(bands: list[YearBand], target: OutputTarget | None, probability: float | None) -> str:
    parts = [f"{b.year} 年工业产值 P50 {_yi(b.p50)}（P10 {_yi(b.p10)} – P90 {_yi(b.p90)}）" for b in bands]
    text = "；".join(parts)
    if target is not None and probability is not None:
        text += f"；{target.by_year} 年前达到 {_yi(target.amount)} 的概率 {probability:.0%}"
    return text

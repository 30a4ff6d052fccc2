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
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from zhaoshang.analytics.forecast.delays import (
    DEFAULT_DELAYS,
    DEFAULT_TERMINATION,
    Delay,
    ForecastError,
    _floats,
)
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


def remaining_months(stage: str, params: ForecastParams = DEFAULT_PARAMS, group: str = "") -> float:
    """Typical (median) months from entering ``stage`` to production; 0 from production on."""
    i, until = params.stages.index(stage), params.stages.index("production")
    pairs = pairwise(params.stages[i : until + 1])
    return float(sum(params.delay(p, group).months(np.zeros(1))[0] for p in pairs))


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
    """The projects arranged for vectorised draws: modelled ones (not yet producing) first, then producing."""

    order: list[int]  # input index of each column
    n_modelled: int
    # Per transition: [(delay, columns drawn fresh, columns in that stage now — conditioned on elapsed)].
    blocks: list[list[tuple[Delay, slice, slice]]]
    elapsed: FloatArray  # months in the current stage, per modelled column
    start_after: int  # transition index after which the start of construction is reached
    plan_start: tuple[npt.NDArray[np.intp], FloatArray, FloatArray]  # columns, months, weight of the plan
    plan_prod: tuple[npt.NDArray[np.intp], FloatArray, FloatArray]
    fixed: FloatArray  # year coordinate of production, producing columns
    survival: FloatArray  # per modelled column
    weights: FloatArray  # designed output × increment, per column
    start: float  # year coordinate of as_of


def _log_sigma(delay: Delay) -> float:
    if delay.samples:
        logs = np.log(np.maximum(np.asarray(delay.samples, dtype=np.float64), 0.25))
        return float(logs.std()) if logs.size > 1 else 0.0
    return delay.sigma


def _plan_weight(model_sigma2: float, plan_sigma: float) -> float:
    """Weight of a plan against the model in log months (precision weighting of two lognormals; drawing both
    and combining draw by draw with these weights gives the posterior's spread exactly)."""
    if plan_sigma == 0:
        return 1.0
    return model_sigma2 / (model_sigma2 + plan_sigma**2)


def _plan(projects: Sequence[ForecastProject], as_of: dt.date, params: ForecastParams) -> _Plan:
    stages, until = params.stages, params.stages.index("production")
    start = _year_coord(as_of)
    modelled: list[int] = []
    producing: list[int] = []
    for i, p in enumerate(projects):
        if p.stage not in stages:
            raise ForecastError(f"项目 {p.key}: 未知阶段 {p.stage!r}")
        if not (math.isfinite(p.designed_output) and p.designed_output >= 0):
            raise ForecastError(f"项目 {p.key}: 设计产值须为非负数")
        if not (math.isfinite(p.increment) and 0 <= p.increment <= 1):
            raise ForecastError(f"项目 {p.key}: 新增产值比例须在 0 与 1 之间")
        (producing if stages.index(p.stage) >= until else modelled).append(i)
    # By group, then stage: within a group the columns needing a transition are a prefix, the ones in its
    # stage now the prefix's tail, so every draw works on contiguous slices.
    modelled.sort(key=lambda i: (projects[i].group, stages.index(projects[i].stage)))
    since = [projects[i].stage_since for i in modelled]
    elapsed = np.array([max(0.0, 12 * (start - _year_coord(d))) if d else 0.0 for d in since])
    spans: dict[str, list[int]] = {}
    for col, i in enumerate(modelled):
        spans.setdefault(projects[i].group, []).append(col)
    blocks = []
    for k in range(until):
        pair = (stages[k], stages[k + 1])
        here = []
        for group, cols in spans.items():
            idx = [stages.index(projects[modelled[c]].stage) for c in cols]
            lo, first, n = (
                cols[0],
                int(np.searchsorted(idx, k, "left")),
                int(np.searchsorted(idx, k, "right")),
            )
            if n:
                here.append((params.delay(pair, group), slice(lo, lo + first), slice(lo + first, lo + n)))
        blocks.append(here)
    started = stages.index("started") if "started" in stages else until
    ps_cols, ps_months, ps_w, pp_cols, pp_months, pp_w = [], [], [], [], [], []
    for col, i in enumerate(modelled):
        p = projects[i]
        s = stages.index(p.stage)
        sigma2 = [_log_sigma(params.delay((stages[k], stages[k + 1]), p.group)) ** 2 for k in range(s, until)]
        if p.planned_start is not None and p.planned_start > as_of and s < started:
            ps_cols.append(col)
            ps_months.append(12 * (_year_coord(p.planned_start) - start))
            ps_w.append(_plan_weight(sum(sigma2[: started - s]), params.plan_sigma))
        if p.production_date is not None and p.production_date > as_of:
            pp_cols.append(col)
            pp_months.append(12 * (_year_coord(p.production_date) - start))
            pp_w.append(_plan_weight(sum(sigma2), params.plan_sigma))
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
        for i in modelled
    ]
    order = modelled + producing
    weights = _floats([projects[i].designed_output * projects[i].increment for i in order])

    def plan(cols: list[int], months: list[float], w: list[float]) -> tuple[Any, FloatArray, FloatArray]:
        return np.array(cols, dtype=np.intp), _floats(months), _floats(w)

    return _Plan(
        order,
        len(modelled),
        blocks,
        elapsed,
        started - 1,
        plan(ps_cols, ps_months, ps_w),
        plan(pp_cols, pp_months, pp_w),
        _floats(fixed),
        _floats(survival),
        weights,
        start,
    )


def _with_plan(
    months: FloatArray, plan: tuple[Any, FloatArray, FloatArray], z: FloatArray, plan_sigma: float
) -> None:
    """Months to the planned event combined with the plan in log space, in place."""
    cols, planned, w = plan
    drawn = np.log(np.maximum(planned, 0.01)) + plan_sigma * z
    model = np.log(np.maximum(months[:, cols], 0.01))
    months[:, cols] = np.exp(w * drawn + (1 - w) * model)


def _production_coords(
    plan: _Plan,
    params: ForecastParams,
    rng: np.random.Generator | None,
    c: int,
    horizon: float | None = None,
) -> tuple[FloatArray, FloatArray | None]:
    """(c, projects) year coordinates of production; ``rng`` None gives the median path (all scores 0).
    With ``horizon`` (months) also the number of stage steps each modelled project makes within it."""
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
    steps = np.zeros((c, plan.n_modelled)) if horizon is not None else None
    for k, groups in enumerate(plan.blocks):
        for delay, fresh, current in groups:
            n_fresh = fresh.stop - fresh.start
            z = scores(current.stop - fresh.start)
            if n_fresh:
                months[:, fresh] += delay.months(z[:, :n_fresh])
            if current.stop > current.start:
                months[:, current] += delay.months(z[:, n_fresh:], plan.elapsed[current])
        if k == plan.start_after and plan.plan_start[0].size:
            _with_plan(months, plan.plan_start, scores(plan.plan_start[0].size), params.plan_sigma)
        if steps is not None and horizon is not None:
            for _delay, fresh, current in groups:
                cols = slice(fresh.start, current.stop)
                steps[:, cols] += months[:, cols] <= horizon
    if plan.plan_prod[0].size:
        _with_plan(months, plan.plan_prod, scores(plan.plan_prod[0].size), params.plan_sigma)
    coords = np.empty((c, len(plan.order)))
    coords[:, : plan.n_modelled] = plan.start + months / 12
    coords[:, plan.n_modelled :] = plan.fixed
    return coords, steps


def _contributions(
    coords: FloatArray, weights: FloatArray, years: Sequence[int], ramp: Sequence[float]
) -> FloatArray:
    """(years, c, projects) output of each project in each year.

    Year [y, y + 1) after production at x holds ∫ r(s) ds over s in [y − x, y − x + 1), r the ramp by
    production year: with y − x = k + f (k whole), (1 − f)·r_k + f·r_(k+1) — one floor per project and a
    table look-up per year, instead of the ramp's integral at every year boundary."""
    padded = np.concatenate(([0.0], np.asarray(ramp, dtype=np.float64)))  # r_-1 = 0, then the ramp
    top = padded.size - 1
    t0 = years[0] - coords
    k0 = np.floor(t0)
    f = t0 - k0
    base = k0.astype(np.intp) + 1
    out = np.empty((len(years), *coords.shape))
    for j, y in enumerate(years):
        i = base + (y - years[0])
        lo = padded[np.clip(i, 0, top)]
        hi = padded[np.clip(i + 1, 0, top)]
        hi -= lo
        hi *= f
        hi += lo
        hi *= weights
        out[j] = hi
    return out


def _baseline_draws(
    base: FloatArray, years: Sequence[int], start: float, cv: float, rng: np.random.Generator, c: int
) -> FloatArray:
    """(c, years) baseline: its log a random walk from ``as_of`` with σ = cv per √year, median the given one."""
    if cv == 0:
        return np.broadcast_to(base, (c, len(years)))
    ahead = np.maximum(np.asarray(years, dtype=np.float64) + 0.5 - start, 0.0)
    steps = np.diff(np.concatenate(([0.0], ahead)))
    walk = np.cumsum(rng.standard_normal((c, len(years))) * np.sqrt(steps), axis=1)
    return base * np.exp(cv * walk)


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
    n_alive = plan.n_modelled
    survival = np.concatenate([plan.survival, np.ones(n - n_alive)])

    median_coords, _ = _production_coords(plan, params, None, 1)
    projection = (
        base + _contributions(median_coords, plan.weights[None, :], years, params.ramp).sum(axis=2)[:, 0]
    )

    rng = np.random.default_rng(params.seed)
    totals = np.empty((draws, len(years)))
    mean_output = np.zeros(n)
    reached = 0
    reached_without = np.zeros(n, dtype=np.int64)
    for lo in range(0, draws, _CHUNK):
        c = min(_CHUNK, draws - lo)
        coords, _ = _production_coords(plan, params, rng, c)
        alive = np.ones((c, n))
        alive[:, :n_alive] = rng.random((c, n_alive)) < plan.survival
        alive *= plan.weights
        per_year = _contributions(coords, alive, years, params.ramp)
        block = _baseline_draws(base, years, plan.start, params.baseline_cv, rng, c) + per_year.sum(axis=2).T
        totals[lo : lo + c] = block
        mean_output += per_year[ref].sum(axis=0)
        if target is not None:
            hit = np.zeros(c, dtype=bool)
            for j in range(counted):
                hit |= block[:, j] >= target.amount
            rows = np.flatnonzero(hit)  # only a draw that reaches the target can lose it without a project
            hit_without = np.zeros((rows.size, n), dtype=bool)
            for j in range(counted):
                hit_without |= (block[rows, j, None] - per_year[j][rows]) >= target.amount
            reached += int(rows.size)
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

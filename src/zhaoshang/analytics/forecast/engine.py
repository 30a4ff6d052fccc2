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

import datetime as dt
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from typing import Any, Literal

import numpy as np

from zhaoshang.analytics.forecast.delays import (
    DEFAULT_DELAYS,
    DEFAULT_TERMINATION,
    Delay,
    ForecastError,
)
from zhaoshang.analytics.forecast.draws import (
    _baseline_draws,
    _contributions,
    _median_coords,
    _modelled_months,
    _plan,
    _ramp_values,
)
from zhaoshang.analytics.forecast.engine_types import (
    _CHUNK,
    DEFAULT_PARAMS,
    FloatArray,
    Forecast,
    ForecastParams,
    ForecastProject,
    OutputTarget,
    ProjectImportance,
    YearBand,
    _coord_date,
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


def ramp_integral(x: FloatArray, ramp: Sequence[float]) -> FloatArray:
    """Designed-output years produced in the first ``x`` years after production (0 for x ≤ 0)."""
    last = len(ramp) - 1
    cum = np.concatenate(([0.0], np.cumsum(np.asarray(ramp[:-1], dtype=np.float64))))
    inside = np.interp(x, np.arange(len(ramp), dtype=np.float64), cum)
    return inside + ramp[-1] * np.maximum(x - last, 0.0)


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


def _threads(blocks: int) -> int:
    """Threads for the draws: ``ZHAOSHANG_FORECAST_THREADS`` (default 1). More threads shorten the job on idle
    cores; on a busy machine they compete with the other work and lengthen it (measured: docs/benchmarks-forecast.md),
    so the operator chooses."""
    wanted = os.environ.get("ZHAOSHANG_FORECAST_THREADS", "")
    threads = int(wanted) if wanted.isdigit() and int(wanted) > 0 else 1
    return max(1, min(threads, blocks))


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

    median_coords = _median_coords(plan, params)
    projection = (
        base + _contributions(median_coords, plan.weights[None, :], years, params.ramp).sum(axis=2)[:, 0]
    )

    # Projects already producing (or at capacity) have the same production date and survival in every draw:
    # their yearly output is computed once, and only the modelled ones are drawn (nearly half of a district).
    fixed = _contributions(plan.fixed[None, :], plan.weights[None, n_alive:], years, params.ramp)[:, 0, :]
    fixed_total = fixed.sum(axis=1)
    largest_output = float(plan.weights.max(initial=0.0)) * max(max(params.ramp, default=0.0), 0.0)

    offsets = [y - years[0] for y in years]
    first = np.float32(years[0] - plan.start)  # years from as_of to the first year's start
    never = np.float32(1e4)  # taken from t0 in a terminated draw: before production in every year, nothing
    weights32 = plan.weights[:n_alive].astype(np.float32)
    survival32 = plan.survival.astype(np.float32)

    def run(c: int, stream: np.random.SeedSequence) -> tuple[FloatArray, FloatArray, int, Any]:
        """One block of ``c`` draws from its own random stream: (totals, output in the reference year summed
        over the draws, draws reaching the target, per project the draws that reach it without that project)."""
        rng = np.random.default_rng(stream)
        months, _ = _modelled_months(plan, params, rng, c)
        t0 = months  # in place: years from production to the start of the first year
        t0 *= np.float32(-1 / 12)
        t0 += first
        t0 -= (rng.random((c, n_alive), dtype=np.float32) >= survival32) * never
        values = _ramp_values(t0, offsets, params.ramp)  # (years, c, projects): share of designed output
        # Totals as a sum of products in single precision (relative error ~10⁻⁷). einsum, not `@`: BLAS would
        # start its thread pool, whose threads spin between calls and took a third of the job's CPU time.
        yearly = np.einsum("ycn,n->yc", values, weights32)
        block = _baseline_draws(base, years, plan.start, params.baseline_cv, rng, c) + yearly.T
        block += fixed_total
        output = values[ref].sum(axis=0, dtype=np.float64) * plan.weights[:n_alive]
        without = np.zeros(n, dtype=np.int64)
        if target is None:
            return block, output, 0, without
        hit = np.zeros(c, dtype=bool)
        for j in range(counted):
            hit |= block[:, j] >= target.amount
        rows = np.flatnonzero(hit)  # only a draw that reaches the target can lose it without a project
        # A draw whose margin over the target exceeds any one project's largest possible output keeps the
        # target without each of them: counted at once, only the close draws are compared project by project.
        margin = (block[rows, :counted] - target.amount).max(axis=1)
        close = rows[margin <= largest_output * (1 + 1e-6)]
        without += rows.size - close.size
        hit_without = np.zeros((close.size, n), dtype=bool)
        for j in range(counted):
            mine = values[j][close]
            mine *= weights32
            hit_without[:, :n_alive] |= (block[close, j, None] - mine) >= target.amount
            hit_without[:, n_alive:] |= (block[close, j, None] - fixed[j]) >= target.amount
        without += hit_without.sum(axis=0)
        return block, output, int(rows.size), without

    # Every block of draws has its own stream spawned from the seed, so the result is the same however many
    # threads run the blocks; numpy releases the GIL in the array work, so blocks run side by side.
    starts = list(range(0, draws, _CHUNK))
    sizes = [min(_CHUNK, draws - lo) for lo in starts]
    streams = np.random.SeedSequence(params.seed).spawn(len(starts))
    totals = np.empty((draws, len(years)))
    mean_output = np.zeros(n)
    mean_output[n_alive:] = fixed[ref] * draws
    reached = 0
    reached_without = np.zeros(n, dtype=np.int64)
    with ThreadPoolExecutor(max_workers=_threads(len(starts))) as pool:
        for lo, c, (block, output, hits, without) in zip(
            starts, sizes, pool.map(run, sizes, streams), strict=True
        ):
            totals[lo : lo + c] = block
            mean_output[:n_alive] += output
            reached += hits
            reached_without += without
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

"""The vectorised draws of the forecast: projects arranged by group and stage, production dates drawn per
transition (conditioned on the time already spent in the current stage, combined with plans), yearly output
from the ramp, and the uncertain baseline. `engine.forecast_output` runs them in blocks of draws.

**Precision.** The per-draw arrays (scores, months, ramp values) are single precision: a month is resolved to
10⁻⁵ and the yearly totals to a few parts in 10⁷, far inside the Monte Carlo error of 10,000 draws (about 10⁻³ of
a band), and single precision halves the memory the 10⁸ values of a large district pass through. The scores are
Box–Muller normals from single-precision uniforms (|z| up to 5.8, i.e. the 1-in-10⁸ tails are cut), about three
times cheaper than numpy's normals. The median path (`rng` None) and the producing projects, computed
once, stay in double precision."""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from zhaoshang.analytics.forecast.delays import Delay, ForecastError, Scores, _floats
from zhaoshang.analytics.forecast.engine_types import (
    FloatArray,
    ForecastParams,
    ForecastProject,
    _year_coord,
)

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters
_malloc_tuned = False


def _retain_freed_memory() -> None:
    """Let glibc keep freed blocks for reuse instead of returning them to the system at once.

    By default a block above 128 KB (and, with its dynamic threshold, up to 32 MB) goes back to the system when
    freed, so every block of draws pays page faults again on fresh memory for its tens of megabytes of arrays:
    a fifth to a quarter of a large district's forecast was kernel time (docs/benchmarks-forecast.md). With blocks
    up to 32 MB served from the heap and up to 64 MB of free heap kept, the second block reuses the first's
    memory. Process-wide and once; the worker's memory stays bounded (at most 64 MB kept free). Not glibc: no-op."""
    global _malloc_tuned
    if _malloc_tuned:
        return
    _malloc_tuned = True
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, 32 * 2**20)
    mallopt(_M_TRIM_THRESHOLD, 64 * 2**20)


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
    scores: int = 0  # own normal scores each draw uses (transitions drawn, plus the plans)


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
    _retain_freed_memory()  # before the draws allocate
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

    scores = sum(current.stop - fresh.start for here in blocks for _d, fresh, current in here)
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
        scores + len(ps_cols) + len(pp_cols),
    )


def _normals(rng: np.random.Generator, shape: tuple[int, int]) -> npt.NDArray[np.float32]:
    """Standard normals in single precision by Box–Muller: a pair from two uniforms, r·cos θ and r·sin θ with
    r = √(−2 ln(1 − u₁)), θ = 2π·u₂ (numpy's single-precision sin, cos and log are vectorised; its normal
    generator is not, and costs about three times as much per value here)."""
    n = shape[0] * shape[1]
    half = (n + 1) // 2
    u = rng.random((2, half), dtype=np.float32)
    r = np.log1p(-u[0])  # 1 − u in (0, 1]: r finite, at most √(2·24·ln 2) ≈ 5.8
    r *= np.float32(-2)
    np.sqrt(r, out=r)
    theta = u[1]
    theta *= np.float32(2 * math.pi)
    out = np.empty(2 * half, dtype=np.float32)
    np.cos(theta, out=out[:half])
    out[:half] *= r
    np.sin(theta, out=out[half:])
    out[half:] *= r
    return out[:n].reshape(shape)


def _with_plan(
    months: Scores, plan: tuple[Any, FloatArray, FloatArray], z: Scores, plan_sigma: float
) -> None:
    """Months to the planned event combined with the plan in log space, in place."""
    cols, planned, w = plan
    kind = months.dtype
    drawn = z * kind.type(plan_sigma)
    drawn += np.log(np.maximum(planned, 0.01)).astype(kind)
    drawn *= w.astype(kind)
    model = np.log(np.maximum(months[:, cols], kind.type(0.01)))
    model *= (1 - w).astype(kind)
    drawn += model
    months[:, cols] = np.exp(drawn)


def _modelled_months(
    plan: _Plan,
    params: ForecastParams,
    rng: np.random.Generator | None,
    c: int,
    horizon: float | None = None,
) -> tuple[Scores, Scores | None]:
    """(c, modelled projects) months from ``as_of`` to production, single precision; ``rng`` None gives the
    median path (all scores 0) in double precision. With ``horizon`` (months) also the number of stage steps
    each project makes within it. One array of scores per block, used column slice by column slice."""
    a, b = math.sqrt(params.common_share), math.sqrt(1 - params.common_share)
    if rng is None:
        z_all: Scores = np.zeros((c, plan.scores))
    else:
        drawn = _normals(rng, (c, plan.scores + 1))
        z_all = drawn[:, 1:]
        z_all *= np.float32(b)
        z_all += np.float32(a) * drawn[:, :1]
    used = 0

    def scores(n: int) -> Scores:
        nonlocal used
        used += n
        return z_all[:, used - n : used]

    months: Scores = np.zeros((c, plan.n_modelled), dtype=z_all.dtype)
    steps: Scores | None = np.zeros((c, plan.n_modelled), dtype=z_all.dtype) if horizon is not None else None
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
    return months, steps


def _median_coords(plan: _Plan, params: ForecastParams) -> FloatArray:
    """(1, projects) year coordinates of production on the median path, producing projects included."""
    months, _steps = _modelled_months(plan, params, None, 1)
    coords = np.empty((1, len(plan.order)))
    coords[:, : plan.n_modelled] = plan.start + months / 12
    coords[:, plan.n_modelled :] = plan.fixed
    return coords


def _contributions(
    coords: FloatArray, weights: FloatArray, years: Sequence[int], ramp: Sequence[float]
) -> FloatArray:
    """(years, c, projects) output of each project in each year (double precision)."""
    out = _floats(_ramp_values(years[0] - coords, [y - years[0] for y in years], ramp))
    out *= weights
    return out


def _ramp_values(t0: Scores, offsets: Sequence[int], ramp: Sequence[float]) -> Scores:
    """(years, *t0.shape) share of the designed output produced in the years ``offsets`` after the first, which
    starts ``t0`` years after production (in ``t0``'s precision; t0 well below −1: nothing, not produced).

    Year [y, y + 1) after production at x holds ∫ r(s) ds over s in [y − x, y − x + 1), r the ramp by
    production year: with y − x = k + f (k whole), (1 − f)·r_k + f·r_(k+1) — one floor per project and a
    table look-up per year, instead of the ramp's integral at every year boundary."""
    kind = t0.dtype
    padded = np.concatenate(([0.0], np.asarray(ramp, dtype=np.float64))).astype(kind)  # r_-1 = 0, the ramp
    k0 = np.floor(t0)
    f = t0 - k0
    i = k0.astype(np.intp)
    i += 1
    out: Scores = np.empty((len(offsets), *t0.shape), dtype=kind)
    clipped = np.empty_like(i)
    top = padded.size - 1

    def look_up() -> Scores:
        # Out-of-range indices go to the ends of the table (before production 0, after the ramp full
        # capacity). Clipped apart: `take(mode="clip")` costs three times a clip and a plain take.
        np.clip(i, 0, top, out=clipped)
        return np.take(padded, clipped)

    lo: Scores | None = None
    at = 0  # the offset ``i`` stands at
    for j, offset in enumerate(offsets):
        # Consecutive years share a look-up: r_(k+1) of one year is r_k of the next.
        if lo is None or offset != at:
            i += offset - at
            at = offset
            lo = look_up()
        i += 1
        at += 1
        hi = look_up()
        row = out[j]
        np.subtract(hi, lo, out=row)
        row *= f
        row += lo
        lo = hi
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

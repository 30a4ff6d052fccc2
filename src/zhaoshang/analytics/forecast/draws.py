"""The vectorised draws of the forecast: projects arranged by group and stage, production dates drawn per
transition (conditioned on the time already spent in the current stage, combined with plans), yearly output
from the ramp, and the uncertain baseline. `engine.forecast_output` runs them in blocks of draws."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from zhaoshang.analytics.forecast.delays import Delay, ForecastError, _floats
from zhaoshang.analytics.forecast.engine_types import (
    FloatArray,
    ForecastParams,
    ForecastProject,
    _year_coord,
)


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
    modelled_only: bool = False,
) -> tuple[FloatArray, FloatArray | None]:
    """(c, projects) year coordinates of production; ``rng`` None gives the median path (all scores 0).
    With ``horizon`` (months) also the number of stage steps each modelled project makes within it;
    ``modelled_only`` leaves out the projects whose production date is known (the same in every draw)."""
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
    if modelled_only:
        return plan.start + months / 12, steps
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
    t0 = years[0] - coords
    k0 = np.floor(t0)
    f = t0 - k0
    i = k0.astype(np.intp)
    i += 1
    out = np.empty((len(years), *coords.shape))
    lo: FloatArray | None = None
    at = 0  # the offset from years[0] that ``i`` stands at
    for j, y in enumerate(years):
        # Consecutive years share a look-up: r_(k+1) of one year is r_k of the next. Out-of-range indices
        # clip to the ends of the table (before production 0, after the ramp full capacity).
        if lo is None or y - years[0] != at:
            i += y - years[0] - at
            at = y - years[0]
            lo = np.take(padded, i, mode="clip")
        i += 1
        at += 1
        hi = np.take(padded, i, mode="clip")
        row = out[j]
        np.subtract(hi, lo, out=row)
        row *= f
        row += lo
        row *= weights
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

"""Stage durations learnt from a district's history with censoring and shrinkage toward documented priors.

Pure: numpy, scipy (special, optimize). Months throughout.

**Spells.** Each step of a project up the ladder is a *spell* in its stage: from the date the stage was
reached to the date the next one was (``done``), or, for the stage a project is still in, from the date it was
reached to the cut-off (*censored*: the stage has lasted at least that long). Dropping the censored spells —
what the first version did — keeps only the projects that moved quickly, so durations come out short
(right-censoring bias): in a year of history no construction spell longer than a year can be complete.

**Model.** Per transition the months D are lognormal, log D ~ N(μ, σ²). Completed spells contribute the
density, censored ones the survival P(D > t) to the likelihood (each spell at least 0.25 month, a week).

**Shrinkage (empirical Bayes).** The estimate is the maximum a posteriori under a prior centred on the
documented default (``DEFAULT_DELAYS``): μ ~ N(log median₀, σ₀² / k) and log σ ~ N(log σ₀, 1 / k), i.e. the
prior counts as ``k`` = `PRIOR_STRENGTH` pseudo-observations (8). With thin history the default dominates (5
completed spells move the median less than halfway), with rich history the data do; the reported *weight*
is n / (n + k), n the completed spells. Groups (size class × construction nature) are shrunk in the same way
toward the district's pooled estimate, with the strength estimated from the data (the between-group variance
of the group means against their sampling variance, method of moments, bounded to [2, 50]): when the groups
differ no more than their noise, they are pooled; when they differ clearly, each keeps its own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, special

from zhaoshang.analytics.forecast.delays import DEFAULT_DELAYS, Delay, ForecastError

__all__ = [
    "PRIOR_STRENGTH",
    "Fit",
    "Spell",
    "fit_delays",
    "fit_lognormal",
    "naive_median",
]

PRIOR_STRENGTH = 8.0  # pseudo-observations of the documented default (see the module note)
MIN_MONTHS = 0.25
_GROUP_STRENGTH = (2.0, 50.0)


@dataclass(frozen=True)
class Spell:
    pair: tuple[str, str]  # (stage, next stage)
    months: float
    done: bool  # False: still in the stage at the cut-off (censored)
    group: str = ""


@dataclass(frozen=True)
class Fit:
    """One transition's estimate: the delay used, what it rests on, and how far it was pulled to the prior."""

    delay: Delay
    events: int  # completed spells
    censored: int
    prior: Delay
    weight: float  # n / (n + k): the data's share against the prior
    data_median: float | None  # the data alone (k = 0), None when nothing completed


def _negative_log_posterior(
    theta: np.ndarray, logs: np.ndarray, done: np.ndarray, mu0: float, ls0: float, k: float
) -> tuple[float, np.ndarray]:
    """−log posterior in (μ, log σ) and its gradient (analytic: the optimiser needs a few dozen steps)."""
    mu, log_sigma = float(theta[0]), float(theta[1])
    sigma = math.exp(log_sigma)
    z = (logs - mu) / sigma
    log_surv = special.log_ndtr(-z)
    value = float(np.sum(np.where(done, 0.5 * z * z + log_sigma + logs, -log_surv)))
    # d/dz of each term: z for a completed spell, the hazard φ(z) / Φ(−z) for a censored one.
    hazard = np.exp(-0.5 * z * z - 0.5 * math.log(2 * math.pi) - log_surv)
    dz = np.where(done, z, hazard)
    d_mu = float(np.sum(dz)) * (-1 / sigma)
    d_ls = float(np.sum(-dz * z)) + float(np.sum(done))
    if k > 0:
        s0 = math.exp(ls0)
        value += 0.5 * k * ((mu - mu0) / s0) ** 2 + 0.5 * k * (log_sigma - ls0) ** 2
        d_mu += k * (mu - mu0) / s0**2
        d_ls += k * (log_sigma - ls0)
    return value, np.array([d_mu, d_ls])


def fit_lognormal(
    months: Sequence[float], done: Sequence[bool], prior: Delay, strength: float = PRIOR_STRENGTH
) -> Fit:
    """The MAP lognormal of censored spells under the prior (``strength`` 0: maximum likelihood, which needs
    at least two completed spells of different lengths)."""
    t = np.maximum(np.asarray(months, dtype=np.float64), MIN_MONTHS)
    d = np.asarray(done, dtype=bool)
    if t.size != d.size:
        raise ForecastError("months and done differ in length")
    mu0, ls0 = math.log(prior.median), math.log(max(prior.sigma, 0.05))
    events = int(d.sum())
    if t.size == 0:
        return Fit(prior, 0, 0, prior, 0.0, None)
    logs = np.log(t)

    def solve(k: float) -> tuple[float, float]:
        start = np.array([float(logs[d].mean()) if events else mu0, ls0])
        result = optimize.minimize(
            _negative_log_posterior,
            start,
            args=(logs, d, mu0, ls0, k),
            jac=True,
            method="BFGS",  # two parameters: L-BFGS-B's Fortran set-up costs more than the whole search
        )
        return _clip(result.x)

    data_median = _mle_median(logs, d)
    if strength <= 0 and data_median is None:
        raise ForecastError("maximum likelihood needs two different completed spells")
    mu, sigma = solve(max(strength, 0.0))
    weight = events / (events + strength) if events + strength > 0 else 1.0
    return Fit(Delay(math.exp(mu), sigma), events, int(t.size - events), prior, weight, data_median)


def _clip(x: np.ndarray) -> tuple[float, float]:
    """(μ, σ) kept to plausible months: a median of 0.05–600, σ of 0.05–3."""
    mu = min(max(float(x[0]), math.log(0.05)), math.log(600.0))
    return mu, math.exp(min(max(float(x[1]), math.log(0.05)), math.log(3.0)))


def _mle_median(logs: np.ndarray, d: np.ndarray) -> float | None:
    """The data alone (maximum likelihood with censoring); None with fewer than two different completed."""
    if int(d.sum()) < 2 or np.ptp(logs[d]) <= 0:
        return None
    result = optimize.minimize(
        _negative_log_posterior,
        np.array([float(logs[d].mean()), math.log(max(float(logs[d].std()), 0.05))]),
        args=(logs, d, 0.0, 0.0, 0.0),
        jac=True,
        method="BFGS",
    )
    return math.exp(_clip(result.x)[0])


def naive_median(months: Sequence[float], done: Sequence[bool]) -> float | None:
    """The first version's estimate: the geometric mean of the completed spells, the censored ones dropped
    (kept to show, in tests and on the page, how short it comes out)."""
    t = np.asarray(months, dtype=np.float64)[np.asarray(done, dtype=bool)]
    return float(math.exp(np.log(np.maximum(t, MIN_MONTHS)).mean())) if t.size else None


@dataclass(frozen=True)
class Fitted:
    """The delays per transition for the district (pooled) and per group, with what they rest on."""

    pooled: dict[tuple[str, str], Fit]
    groups: dict[str, dict[tuple[str, str], Fit]] = field(default_factory=dict)
    group_strength: dict[tuple[str, str], float] = field(default_factory=dict)

    def delays(self) -> dict[tuple[str, str], Delay]:
        return {pair: fit.delay for pair, fit in self.pooled.items()}

    def group_delays(self) -> dict[str, dict[tuple[str, str], Delay]]:
        return {g: {pair: fit.delay for pair, fit in fits.items()} for g, fits in self.groups.items()}


def _group_strength(raw: Mapping[str, tuple[int, float | None]], pooled: Fit) -> float:
    """Method of moments: k = σ² / τ², τ² the between-group variance of log medians beyond their noise."""
    usable = [(n, m) for n, m in raw.values() if n >= 2 and m is not None]
    if len(usable) < 2:
        return _GROUP_STRENGTH[1]
    means = np.log([m for _n, m in usable])
    sigma2 = pooled.delay.sigma**2 or 1e-6
    noise = float(np.mean([sigma2 / n for n, _m in usable]))
    tau2 = float(np.var(means, ddof=1)) - noise
    if tau2 <= 0:
        return _GROUP_STRENGTH[1]
    return float(min(max(sigma2 / tau2, _GROUP_STRENGTH[0]), _GROUP_STRENGTH[1]))


def fit_delays(
    spells: Iterable[Spell],
    *,
    priors: Mapping[tuple[str, str], Delay] = DEFAULT_DELAYS,
    strength: float = PRIOR_STRENGTH,
) -> Fitted:
    """Every transition of ``priors``: pooled over the district toward the prior, then each group's toward
    the pooled one (see the module note). Transitions without any spell keep the prior."""
    by_pair: dict[tuple[str, str], list[Spell]] = {}
    for s in spells:
        if s.pair not in priors:
            raise ForecastError(f"{s.pair} is not a modelled transition")
        if not (math.isfinite(s.months) and s.months >= 0):
            raise ForecastError("spell months must be finite and ≥ 0")
        by_pair.setdefault(s.pair, []).append(s)
    pooled: dict[tuple[str, str], Fit] = {}
    groups: dict[str, dict[tuple[str, str], Fit]] = {}
    group_strength: dict[tuple[str, str], float] = {}
    for pair, prior in priors.items():
        rows = by_pair.get(pair, [])
        pooled[pair] = fit_lognormal([s.months for s in rows], [s.done for s in rows], prior, strength)
        names = sorted({s.group for s in rows if s.group})
        if not names:
            continue
        mine = {g: [s for s in rows if s.group == g] for g in names}
        raw = {}
        for g in names:
            logs = np.log(np.maximum([s.months for s in mine[g]], MIN_MONTHS))
            done = np.array([s.done for s in mine[g]], dtype=bool)
            raw[g] = (int(done.sum()), _mle_median(logs, done))
        k = _group_strength(raw, pooled[pair])
        group_strength[pair] = k
        for g in names:
            fit = fit_lognormal([s.months for s in mine[g]], [s.done for s in mine[g]], pooled[pair].delay, k)
            groups.setdefault(g, {})[pair] = fit
    return Fitted(pooled, groups, group_strength)

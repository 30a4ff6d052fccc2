"""The calibrated forecast: censoring-aware durations, shrinkage toward the defaults, plans as evidence,
retrofits counted by their increment, the baseline's own uncertainty, and the back-test's arithmetic."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from zhaoshang.analytics.forecast.backtest import (
    Backtest,
    CutOff,
    CutOffResult,
    Measure,
    backtest,
    happened,
    month_cutoffs,
    window_forecast,
)
from zhaoshang.analytics.forecast.delays import DEFAULT_DELAYS, Delay
from zhaoshang.analytics.forecast.engine import ForecastParams, ForecastProject, forecast_output
from zhaoshang.analytics.forecast.survival import Spell, fit_delays, fit_lognormal, naive_median
from zhaoshang.analytics.rates.engine import STAGES

D = dt.date
BUILD = ("started", "completed")


def observed(n: int, median: float, sigma: float, window: float, seed: int) -> tuple[list[float], list[bool]]:
    """Projects that entered a stage uniformly over the last ``window`` months, with lognormal durations: the
    finished ones are complete spells, the others are still in the stage (censored at today)."""
    rng = np.random.default_rng(seed)
    entered = rng.uniform(0, window, n)  # months ago
    duration = median * np.exp(sigma * rng.standard_normal(n))
    done = duration <= entered
    return list(np.where(done, duration, entered)), list(done)


def test_censoring_aware_estimate_recovers_the_true_median_where_dropping_is_biased_short() -> None:
    # Construction takes a median 18 months; two years of history: most spells are still running.
    months, done = observed(400, 18.0, 0.5, 24.0, seed=1)
    assert 0.2 < np.mean(done) < 0.8  # a real mix of completed and censored spells
    fit = fit_lognormal(months, done, DEFAULT_DELAYS[BUILD], strength=0.0)
    assert fit.delay.median == pytest.approx(18.0, rel=0.12)
    assert fit.delay.sigma == pytest.approx(0.5, rel=0.25)
    naive = naive_median(months, done)
    assert naive is not None and naive < 0.75 * 18.0  # the first version's estimate: far too short
    assert fit.delay.median - naive > 5  # months


def test_thin_history_is_shrunk_toward_the_default() -> None:
    prior = DEFAULT_DELAYS[BUILD]  # 18 months
    fast = [1.2, 1.0, 1.5, 1.1, 1.3]  # five demo-like spells of about a month, all completed
    alone = fit_lognormal(fast, [True] * 5, prior, strength=0.0)
    shrunk = fit_lognormal(fast, [True] * 5, prior)
    assert alone.delay.median < 1.5
    assert shrunk.weight == pytest.approx(5 / 13)
    # Five observations move the median less than halfway (in log months) from the default toward the data.
    halfway = math.exp((math.log(alone.delay.median) + math.log(prior.median)) / 2)
    assert halfway < shrunk.delay.median < prior.median
    # Many observations dominate the default.
    many = fit_lognormal(fast * 40, [True] * 200, prior)
    assert many.weight > 0.95 and many.delay.median < 1.6
    # Nothing observed: the default itself.
    assert fit_lognormal([], [], prior).delay == prior


def test_groups_differ_only_as_far_as_the_data_show() -> None:
    rng = np.random.default_rng(3)
    spells = []
    for group, median in (("large-new", 20.0), ("small-new", 10.0)):
        for m in median * np.exp(0.3 * rng.standard_normal(60)):
            spells.append(Spell(BUILD, float(m), True, group))
    fitted = fit_delays(spells)
    large, small = fitted.groups["large-new"][BUILD].delay, fitted.groups["small-new"][BUILD].delay
    assert large.median == pytest.approx(20, rel=0.15) and small.median == pytest.approx(10, rel=0.15)
    # Two groups that do not differ are pooled (strength at its upper bound).
    same = [
        Spell(BUILD, float(m), True, g) for g in ("a", "b") for m in 15 * np.exp(0.4 * rng.standard_normal(8))
    ]
    pooled = fit_delays(same)
    assert pooled.group_strength[BUILD] == 50.0
    a, b = pooled.groups["a"][BUILD].delay.median, pooled.groups["b"][BUILD].delay.median
    assert abs(math.log(a / b)) < 0.1


def test_a_retrofit_counts_only_its_increment() -> None:
    params = ForecastParams(draws=20, baseline_cv=0.0, termination={})
    base = {2024: 1_000.0, 2025: 1_000.0}
    new = ForecastProject("new", "capacity", 500.0)
    retrofit = ForecastProject("tg", "capacity", 500.0, increment=0.3)
    f_new = forecast_output([new], base, [2024, 2025], D(2024, 1, 1), params)
    f_tg = forecast_output([retrofit], base, [2024, 2025], D(2024, 1, 1), params)
    assert f_new.bands[1].p50 == pytest.approx(1_500)
    assert f_tg.bands[1].p50 == pytest.approx(1_150)  # the old plant's 350 is already in the baseline


def test_baseline_uncertainty_widens_with_the_years_and_keeps_the_median() -> None:
    years = [2024, 2025, 2026, 2027]
    base = {y: 100_000.0 for y in years}
    f = forecast_output([], base, years, D(2024, 1, 1), ForecastParams(draws=20_000, baseline_cv=0.05))
    widths = [b.p90 - b.p10 for b in f.bands]
    assert widths == sorted(widths) and widths[0] > 0
    assert all(b.p50 == pytest.approx(100_000, rel=0.01) for b in f.bands)
    # One year ahead (mid-2025 is 1.5 years out): P90/P50 = exp(1.2816 · 0.05 · √1.5).
    assert f.bands[1].p90 / f.bands[1].p50 == pytest.approx(
        math.exp(1.2816 * 0.05 * math.sqrt(1.5)), rel=0.01
    )


def test_a_plan_is_evidence_weighed_against_the_model() -> None:
    as_of = D(2024, 1, 1)
    plan = D(2025, 1, 1)  # 12 months, against the model's 3 + 18 + 3 from land
    base = {2024: 0.0, 2025: 0.0, 2026: 0.0, 2027: 0.0}
    years = list(base)

    def production(plan_sigma: float, planned: D | None) -> D:
        p = ForecastProject("p", "land", 100.0, stage_since=as_of, production_date=planned)
        params = ForecastParams(draws=10, plan_sigma=plan_sigma, termination={}, baseline_cv=0.0)
        when = forecast_output([p], base, years, as_of, params).importance[0].projected_production
        assert when is not None
        return when

    model = production(0.3, None)
    trusted = production(0.0, plan)  # a plan without slip decides alone
    weighed = production(0.3, plan)
    assert trusted == plan
    assert plan < weighed < model
    # A promised start moves the start of construction in the same way.
    p = ForecastProject("p", "land", 100.0, stage_since=as_of, planned_start=D(2024, 2, 1))
    q = ForecastProject("q", "land", 100.0, stage_since=as_of)
    params = ForecastParams(
        draws=10,
        termination={},
        baseline_cv=0.0,
        delays={**DEFAULT_DELAYS, ("land", "started"): Delay(9, 0.6)},
    )
    f = forecast_output([p, q], base, years, as_of, params)
    when = {i.key: i.projected_production for i in f.importance}
    assert when["p"] < when["q"]


def test_window_forecast_and_what_happened_agree_when_the_model_is_exact() -> None:
    # No variance: the forecast is certain, and what happened followed the same durations.
    delays = {pair: Delay(d.median, 0.0) for pair, d in DEFAULT_DELAYS.items()}
    params = ForecastParams(delays=delays, termination={}, draws=50, baseline_cv=0.0)
    cut = D(2024, 1, 1)
    projects = [
        ForecastProject("a", "completed", 100.0, stage_since=D(2023, 12, 1)),  # production 1 March 2024
        ForecastProject("b", "started", 200.0, stage_since=D(2023, 12, 1)),  # completes June 2025
        ForecastProject("c", "production", 50.0, stage_since=D(2023, 6, 1)),  # already producing: not counted
    ]
    capacity, steps = window_forecast(projects, cut, 6, params)
    assert set(capacity) == {100.0} and set(steps) == {1.0}
    reached = {
        "a": {"completed": D(2023, 12, 1), "production": D(2024, 3, 1)},
        "b": {"started": D(2023, 12, 1)},
    }
    assert happened(projects, reached, cut, 6, STAGES) == (100.0, 1.0)
    # A step skipped in the records (straight to 投产) counts each stage passed.
    jumped = {"b": {"started": D(2023, 12, 1), "production": D(2024, 5, 1)}}
    assert happened(projects[1:2], jumped, cut, 6, STAGES) == (200.0, 2.0)
    result = backtest([CutOff(cut, projects, params, 100.0, 1.0)], 6)
    assert result.coverage("capacity") == 1 and result.median_error("capacity") == 0


def test_backtest_coverage_and_error_arithmetic() -> None:
    def cut(p10: float, p50: float, p90: float, actual: float) -> CutOffResult:
        m = Measure(p10, p50, p90, actual)
        return CutOffResult(D(2024, 1, 1), 1, m, m)

    result = Backtest(6, [cut(0, 10, 20, 15), cut(0, 10, 20, 25), cut(5, 10, 20, 5), cut(0, 0, 0, 0)])
    assert result.coverage("capacity") == 3  # 15 and 5 (the edge) inside, 25 outside, 0 in [0, 0]
    assert result.median_error("capacity") == pytest.approx((5 + 15 + 5 + 0) / (15 + 25 + 5))
    assert Backtest(6, [cut(0, 1, 2, 0)]).median_error("steps") is None


def test_month_cutoffs_end_a_horizon_before() -> None:
    cuts = month_cutoffs(D(2026, 11, 20), 6, 12)
    assert cuts[0] == D(2025, 6, 1) and cuts[-1] == D(2026, 5, 1) and len(cuts) == 12


def test_a_calibrated_model_covers_about_eight_in_ten() -> None:
    # Simulated district: projects whose true durations are the defaults; each cut-off forecast with the
    # defaults should hold what happened inside P10–P90 in most windows.
    rng = np.random.default_rng(5)
    params = ForecastParams(draws=400, termination={}, baseline_cv=0.0, common_share=0.0)
    cuts = []
    for i in range(12):
        cut = D(2024, 1 + i, 1)
        projects, reached = [], {}
        for j in range(60):
            key = f"p{j}"
            stage = "started"
            since = cut - dt.timedelta(days=int(rng.uniform(0, 300)))
            elapsed = (cut - since).days / 30.44
            build = DEFAULT_DELAYS[BUILD]
            while True:  # the duration given it already lasted ``elapsed``
                d = build.median * math.exp(build.sigma * rng.standard_normal())
                if d > elapsed:
                    break
            completed = since + dt.timedelta(days=round(d * 30.44))
            after = DEFAULT_DELAYS[("completed", "production")]
            produced = completed + dt.timedelta(
                days=round(after.median * math.exp(after.sigma * rng.standard_normal()) * 30.44)
            )
            projects.append(ForecastProject(key, stage, 10.0, stage_since=since))
            reached[key] = {"started": since, "completed": completed, "production": produced}
        capacity, steps = happened(projects, reached, cut, 6, STAGES)
        cuts.append(CutOff(cut, projects, params, capacity, steps))
    result = backtest(cuts, 6)
    assert result.coverage("steps") >= 8
    assert result.coverage("capacity") >= 7

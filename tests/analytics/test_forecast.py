"""Output forecast: ramp arithmetic, stage model, collapse at zero variance, target probability, importance."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoshang.analytics.forecast.engine import (
    DEFAULT_DELAYS,
    Delay,
    ForecastError,
    ForecastParams,
    ForecastProject,
    OutputTarget,
    delays_from_history,
    forecast_output,
    projects_from_facts,
    ramp_integral,
    remaining_months,
)
from zhaoshang.analytics.rates.engine import STAGES, ProjectFacts

D = dt.date
AS_OF = D(2024, 1, 1)
YEARS = [2024, 2025, 2026, 2027]
ZERO_BASE = {y: 0.0 for y in YEARS}


def still(**kw: Any) -> ForecastParams:
    """No variance, no termination: every draw is the deterministic projection."""
    delays = {pair: Delay(d.median, 0.0) for pair, d in DEFAULT_DELAYS.items()}
    still = ForecastParams(delays=delays, termination={}, plan_sigma=0.0, baseline_cv=0.0, draws=50)
    return replace(still, **kw)


def outputs(
    projects: list[ForecastProject], params: ForecastParams, base: dict[int, float] = ZERO_BASE
) -> list[float]:
    return [b.projection for b in forecast_output(projects, base, YEARS, AS_OF, params).bands]


def test_ramp_integral() -> None:
    g = ramp_integral(np.array([-1.0, 0.0, 0.5, 1.0, 1.5, 2.5, 4.0]), (0.4, 0.8, 1.0))
    assert g == pytest.approx([0, 0, 0.2, 0.4, 0.8, 1.7, 3.2])
    assert ramp_integral(np.array([-1.0, 0.25, 3.0]), (1.0,)) == pytest.approx([0, 0.25, 3.0])


def test_planned_production_date_pro_rated_by_month() -> None:
    # Production on 1 July 2025: 6 months at 40 %; then 6 at 40 % + 6 at 80 %; then 6 at 80 % + 6 at 100 %.
    p = ForecastProject("p", "started", 1_000, production_date=D(2025, 7, 1))
    assert outputs([p], still()) == pytest.approx([0, 200, 600, 900])


def test_stage_model_and_time_already_spent() -> None:
    # completed → production takes 3 months by default: production on 1 April 2024 → 9 months at 40 %.
    fresh = ForecastProject("p", "completed", 1_000, stage_since=AS_OF)
    assert outputs([fresh], still())[0] == pytest.approx(1_000 * 0.4 * 9 / 12)
    # Two months already spent: one to go.
    waiting = ForecastProject("p", "completed", 1_000, stage_since=D(2023, 11, 1))
    assert outputs([waiting], still())[0] == pytest.approx(1_000 * 0.4 * 11 / 12)
    # Longer than the median already, without variance: produces now.
    late = ForecastProject("p", "completed", 1_000, stage_since=D(2023, 1, 1))
    assert outputs([late], still())[0] == pytest.approx(400)
    # A plan date already past is ignored in favour of the stage model.
    stale = ForecastProject("p", "completed", 1_000, stage_since=AS_OF, production_date=D(2023, 6, 1))
    assert outputs([stale], still()) == outputs([fresh], still())
    # From signing: 2 + 4 + 3 + 18 + 3 = 30 months → production 1 July 2026.
    signed = ForecastProject("p", "signed", 1_000, stage_since=AS_OF)
    assert outputs([signed], still()) == pytest.approx([0, 0, 200, 600])
    assert remaining_months("signed") == 30 and remaining_months("capacity") == 0


def test_producing_projects() -> None:
    at_capacity = ForecastProject("c", "capacity", 1_000)
    producing = ForecastProject("p", "production", 1_000, stage_since=D(2023, 7, 1))
    assert outputs([at_capacity], still()) == pytest.approx([1_000] * 4)
    assert outputs([producing], still()) == pytest.approx([600, 900, 1_000, 1_000])
    f = forecast_output([at_capacity, producing], ZERO_BASE, YEARS, AS_OF, still())
    when = {p.key: p.projected_production for p in f.importance}
    assert when == {"c": None, "p": D(2023, 7, 1)}


def test_band_collapses_without_variance() -> None:
    projects = [
        ForecastProject("a", "signed", 5_000, stage_since=D(2023, 8, 1)),
        ForecastProject("b", "land", 3_000, stage_since=D(2023, 12, 1)),
        ForecastProject("c", "started", 8_000, production_date=D(2025, 3, 1)),
        ForecastProject("d", "production", 2_000, stage_since=D(2023, 5, 1)),
    ]
    base = {y: 100_000.0 + 1_000 * i for i, y in enumerate(YEARS)}
    for common in (0.0, 0.5):
        f = forecast_output(projects, base, YEARS, AS_OF, still(common_share=common))
        for b in f.bands:
            # The draws are single precision (the projection double): equal to a few parts in 10⁷ of a
            # month's output; any variance left would show as whole per cents.
            assert b.p10 == pytest.approx(b.projection, rel=1e-6)
            assert b.p90 == pytest.approx(b.projection, rel=1e-6)
            assert b.mean == pytest.approx(b.projection, rel=1e-6)


def test_termination() -> None:
    p = ForecastProject("p", "completed", 1_000, stage_since=AS_OF)
    gone = forecast_output([p], ZERO_BASE, YEARS, AS_OF, still(termination={"completed": 1.0}))
    assert [b.p90 for b in gone.bands] == [0, 0, 0, 0]
    assert gone.importance[0].survival == 0
    half = forecast_output([p], ZERO_BASE, YEARS, AS_OF, still(termination={"completed": 0.5}, draws=10_000))
    assert half.bands[-1].mean == pytest.approx(500, abs=20)  # standard error 5
    # Survival multiplies over the stages still ahead.
    s = forecast_output(
        [ForecastProject("s", "signed", 1.0)], ZERO_BASE, YEARS, AS_OF, ForecastParams(draws=10)
    )
    assert s.importance[0].survival == pytest.approx(0.9 * 0.95 * 0.95 * 0.97 * 0.99)


def test_target_probability_and_importance() -> None:
    projects = [ForecastProject("big", "capacity", 200), ForecastProject("small", "capacity", 5)]
    base = {y: 900.0 for y in YEARS}
    f = forecast_output(projects, base, YEARS, AS_OF, still(), OutputTarget(1_000, 2026))
    assert f.probability == 1.0
    assert [(p.key, p.probability_drop) for p in f.importance] == [("big", 1.0), ("small", 0.0)]
    assert "概率 100%" in f.explain
    # Uncertain: a project that may or may not arrive in time carries the probability.
    maybe = ForecastProject("maybe", "started", 200, stage_since=D(2023, 1, 1))
    fixed_base = ForecastParams(draws=4_000, baseline_cv=0.0)  # else the baseline alone may reach it
    g = forecast_output([maybe, projects[1]], base, YEARS, AS_OF, fixed_base, OutputTarget(1_000, 2026))
    assert g.probability is not None and 0 < g.probability < 1
    assert g.importance[0].key == "maybe" and g.importance[0].probability_drop == pytest.approx(g.probability)
    assert forecast_output(projects, base, YEARS, AS_OF, still()).probability is None


def test_median_path_versus_median_of_the_total() -> None:
    # With one fully shared score per draw, a project's output in a year is a monotone function of that score,
    # so the P50 of the total is the output of the median path: the projection.
    p = ForecastProject("p", "land", 1_000, stage_since=D(2023, 10, 1))
    shared = forecast_output(
        [p], ZERO_BASE, YEARS, AS_OF, ForecastParams(termination={}, common_share=1.0, draws=40_000)
    )
    assert shared.bands[2].p50 == pytest.approx(shared.bands[2].projection, rel=0.03)  # sampling noise ~0.8 %
    # With independent transitions the sum of three right-skewed delays has a median above the sum of their
    # medians, so the projection (median path) runs ahead of the P50 while the project ramps up.
    own = forecast_output([p], ZERO_BASE, YEARS, AS_OF, ForecastParams(termination={}, common_share=0.0))
    assert own.bands[2].p50 < own.bands[2].projection


def test_common_shock_widens_the_band() -> None:
    projects = [ForecastProject(f"p{i}", "started", 100, stage_since=AS_OF) for i in range(200)]

    def spread(common: float) -> float:
        b = forecast_output(
            projects, ZERO_BASE, YEARS, AS_OF, ForecastParams(common_share=common, draws=2_000)
        )
        return float(b.bands[2].p90 - b.bands[2].p10)

    assert spread(0.8) > 2 * spread(0.0)


def test_seed_reproducible() -> None:
    projects = [
        ForecastProject(f"p{i}", STAGES[1 + i % 9], 100.0 + i, stage_since=D(2023, 1 + i % 12, 1))
        for i in range(40)
    ]
    params = ForecastParams(draws=3_000, seed=7)
    a = forecast_output(projects, ZERO_BASE, YEARS, AS_OF, params, OutputTarget(3_000, 2027))
    b = forecast_output(projects, ZERO_BASE, YEARS, AS_OF, params, OutputTarget(3_000, 2027))
    c = forecast_output(projects, ZERO_BASE, YEARS, AS_OF, ForecastParams(draws=3_000, seed=8))
    assert np.array_equal(a.totals, b.totals) and a.importance == b.importance and a.bands == b.bands
    assert not np.array_equal(a.totals, c.totals)
    assert a.totals.shape == (3_000, 4)


def test_delays_from_history() -> None:
    history = {("started", "completed"): [12, 12, 24, 24, 6, 48], ("signed", "registered"): [1, 2]}
    fitted = delays_from_history(history)
    got = fitted[("started", "completed")]
    logs = np.log([12, 12, 24, 24, 6, 48])
    assert got.median == pytest.approx(np.exp(logs.mean()))
    assert got.sigma == pytest.approx(logs.std(ddof=1))
    assert fitted[("signed", "registered")] == DEFAULT_DELAYS[("signed", "registered")]  # too few: default
    empirical = delays_from_history(history, method="empirical")[("started", "completed")]
    assert sorted(empirical.samples) == [6, 12, 12, 24, 24, 48]
    with pytest.raises(ForecastError, match="adjacent"):
        delays_from_history({("signed", "started"): [1, 2, 3, 4, 5]})


def test_empirical_delay_conditioning() -> None:
    delay = Delay(samples=(1, 2, 3, 4, 5))
    z = np.random.default_rng(0).standard_normal(2_000)
    fresh = delay.months(z)
    assert fresh.min() >= 1 and fresh.max() <= 5 and np.median(fresh) == pytest.approx(3, abs=0.1)
    rest = delay.months(z, np.full(z.shape, 3.5))
    assert rest.min() >= 0 and rest.max() <= 1.5 + 1e-12
    assert delay.months(np.zeros(1), np.full(1, 9.0))[0] == 0  # past every observation
    assert Delay(samples=(4,)).months(np.zeros(2), np.array([1.0, 6.0])) == pytest.approx([3, 0])


def test_lognormal_conditioning() -> None:
    delay = Delay(6, 0.5)
    z = np.random.default_rng(1).standard_normal(20_000)
    rest = delay.months(z, np.full(z.shape, 12.0))
    assert rest.min() >= 0 and np.median(rest) > 1  # stuck twice as long as usual: still months to go
    unconditioned = delay.months(z, np.zeros(z.shape))
    assert np.median(unconditioned) == pytest.approx(6, rel=0.03)


def test_single_precision_draws_keep_the_distributions() -> None:
    from scipy import special

    from zhaoshang.analytics.forecast.delays import _upper_tail
    from zhaoshang.analytics.forecast.draws import _normals

    # Box–Muller normals: moments, a tail, and the two halves of each pair uncorrelated.
    z = _normals(np.random.default_rng(3), (400, 5_001)).astype(np.float64)
    assert z.shape == (400, 5_001)
    flat = z.ravel()  # 2·10⁶ values: standard errors 7·10⁻⁴ (mean), 10⁻³ (variance)
    assert abs(flat.mean()) < 4e-3 and abs(flat.var() - 1) < 5e-3
    assert (flat > 2).mean() == pytest.approx(special.ndtr(-2.0), rel=0.03)
    assert np.abs(flat).max() < 5.8
    half = flat.size // 2
    assert abs(np.corrcoef(flat[:half], flat[half : 2 * half])[0, 1]) < 4e-3
    # Φ(−z) of single-precision scores by the erfc fit: relative error ≤ 10⁻⁵ where it matters, −0 included.
    grid = np.concatenate([np.linspace(-8, 8, 40_001), [-0.0]]).astype(np.float32)
    exact = special.ndtr(-grid.astype(np.float64))
    assert np.max(np.abs(_upper_tail(grid) - exact) / exact) < 1e-5 and _upper_tail(grid)[-1] == 0.5
    # The conditioned draw in single precision against the double one (and the double one is scipy's).
    delay, rng = Delay(6, 0.5), np.random.default_rng(4)
    scores, elapsed = rng.standard_normal(50_000), rng.uniform(0, 30, 50_000)
    single = delay.months(scores.astype(np.float32), elapsed)
    assert single.dtype == np.float32
    assert np.max(np.abs(single - delay.months(scores, elapsed))) < 1e-4  # months


def test_projects_from_facts() -> None:
    facts = [
        ProjectFacts("a", "started", {"signed": D(2023, 1, 1), "started": D(2023, 6, 1)}, designed_output=50),
        ProjectFacts("b", "production", {"production": D(2023, 9, 1)}, designed_output=70),
        ProjectFacts("c", "signed", {"signed": D(2023, 1, 1)}, terminated=True),
    ]
    assert projects_from_facts(facts) == [
        ForecastProject("a", "started", 50, D(2023, 6, 1), None),
        ForecastProject("b", "production", 70, D(2023, 9, 1), D(2023, 9, 1)),
    ]


def test_bad_input() -> None:
    p = ForecastProject("p", "signed", 1.0)
    with pytest.raises(ForecastError, match="baseline"):
        forecast_output([p], {2024: 0.0}, YEARS, AS_OF)
    with pytest.raises(ForecastError, match="target year"):
        forecast_output([p], ZERO_BASE, YEARS, AS_OF, target=OutputTarget(1, 2030))
    with pytest.raises(ForecastError, match="unique"):
        forecast_output([p, p], ZERO_BASE, YEARS, AS_OF)
    with pytest.raises(ForecastError, match="未知阶段"):
        forecast_output([ForecastProject("x", "dreaming", 1.0)], ZERO_BASE, YEARS, AS_OF)
    with pytest.raises(ForecastError, match="设计产值"):
        forecast_output([ForecastProject("x", "signed", -1.0)], ZERO_BASE, YEARS, AS_OF)
    with pytest.raises(ForecastError, match="increasing"):
        forecast_output([p], ZERO_BASE, [2025, 2024], AS_OF)
    with pytest.raises(ForecastError, match="no delay"):
        ForecastParams(delays={})
    with pytest.raises(ForecastError):
        ForecastParams(termination={"signed": 1.5})
    with pytest.raises(ForecastError):
        Delay(0, 0.5)


# --- properties -------------------------------------------------------------------------------------------


@st.composite
def portfolios(draw: st.DrawFn) -> list[ForecastProject]:
    result = []
    for i in range(draw(st.integers(min_value=0, max_value=8))):
        stage = draw(st.sampled_from(STAGES))
        since = D(2020, 1, 1) + dt.timedelta(days=draw(st.integers(0, 1460)))
        plan = draw(
            st.one_of(st.none(), st.integers(0, 1500).map(lambda d: D(2023, 1, 1) + dt.timedelta(days=d)))
        )
        result.append(ForecastProject(f"p{i}", stage, draw(st.floats(0, 1e6)), since, plan))
    return result


@settings(max_examples=40, deadline=None)
@given(portfolios(), st.floats(0, 1e6), st.floats(0, 1e6), st.integers(0, 2**31), st.floats(0, 1))
def test_quantiles_ordered_and_more_baseline_helps(
    projects: list[ForecastProject], base: float, extra: float, seed: int, common: float
) -> None:
    # Without the baseline's own uncertainty (tested apart): the projects only ever add to it.
    params = ForecastParams(draws=300, seed=seed, common_share=common, baseline_cv=0.0)
    target = OutputTarget(base + 2e6, 2026)
    low = forecast_output(projects, {y: base for y in YEARS}, YEARS, AS_OF, params, target)
    high = forecast_output(projects, {y: base + extra for y in YEARS}, YEARS, AS_OF, params, target)
    for b in low.bands:
        assert b.p10 <= b.p50 <= b.p90
        assert b.p10 >= base - 1e-6
    assert low.probability is not None and high.probability is not None
    assert high.probability >= low.probability
    for p in low.importance:
        assert p.probability_drop is not None and 0 <= p.probability_drop <= low.probability
        assert 0 <= p.survival <= 1

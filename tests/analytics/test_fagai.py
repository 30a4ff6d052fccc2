"""The 发改 figures as pure computation: 1–N月完成投资, 投资完成率 with "—" without a plan, 新开工/续建/竣工/准备."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from zhaoshang.analytics.fagai import classify_year, completion_rate, months_through, rate_text, year_to_date


def test_months_through_counts_the_months_already_over() -> None:
    assert months_through(2026, dt.date(2026, 1, 15)) == 0
    assert months_through(2026, dt.date(2026, 12, 7)) == 11
    assert months_through(2025, dt.date(2026, 3, 1)) == 12
    assert months_through(2027, dt.date(2026, 3, 1)) == 0


def test_year_to_date_sums_only_the_years_months_up_to_n() -> None:
    amounts = {
        dt.date(2025, 12, 1): Decimal("900"),  # last year
        dt.date(2026, 1, 1): Decimal("100.5"),
        dt.date(2026, 2, 1): Decimal("200"),
        dt.date(2026, 3, 1): Decimal("300"),  # after N
    }
    assert year_to_date(amounts, 2026, 2) == Decimal("300.5")
    assert year_to_date(amounts, 2026, 12) == Decimal("600.5")
    assert year_to_date(list(amounts.items()), 2025, 12) == Decimal("900")
    assert year_to_date({}, 2026, 11) == 0


def test_completion_rate_and_its_text() -> None:
    rate = completion_rate(Decimal("853"), Decimal("1000"))
    assert rate == Decimal("0.853") and rate_text(rate) == "85.3%"
    assert rate_text(completion_rate(Decimal("1500"), Decimal("1000"))) == "150.0%"  # above plan is shown
    assert completion_rate(Decimal("10"), None) is None and rate_text(None) == "—"
    assert completion_rate(Decimal("10"), Decimal("0")) is None  # no division by a zero plan
    assert rate_text(Decimal("0.12345"), places=2) == "12.35%"


@pytest.mark.parametrize(
    ("started", "completed", "expected"),
    [
        (dt.date(2026, 3, 1), None, "new_start"),
        (dt.date(2025, 3, 1), None, "continuing"),
        (dt.date(2024, 3, 1), dt.date(2026, 5, 1), "completing"),
        (dt.date(2026, 2, 1), dt.date(2026, 11, 1), "completing"),  # started and completed in the year
        (None, None, "preparing"),
        (dt.date(2027, 1, 5), None, "preparing"),  # starts after the year
        (dt.date(2024, 3, 1), dt.date(2025, 6, 1), None),  # completed before the year
        (dt.date(2025, 3, 1), dt.date(2027, 6, 1), "continuing"),  # completes after the year
        (None, dt.date(2026, 6, 1), "completing"),
    ],
)
def test_classify_year(started: dt.date | None, completed: dt.date | None, expected: str | None) -> None:
    assert classify_year(2026, started, completed) == expected


def _facts(key: str, plan: dict[int, float], done: list[tuple[dt.date, float]], **more: object) -> Any:
    from zhaoshang.analytics.rates.engine import ProjectFacts

    return ProjectFacts(
        key=key,
        stage="started",
        stage_dates={"signed": dt.date(2025, 1, 5), "started": dt.date(2025, 3, 1)},
        groups={"district": "临淄区"},
        planned_investment=plan,
        completed_investment=tuple(done),
        **more,  # type: ignore[arg-type]
    )


def test_the_investment_completion_rate_in_the_engine_and_by_group() -> None:
    from zhaoshang.analytics.rates.engine import DEFAULT_DEFINITIONS, Period, investment_completion_rate
    from zhaoshang.analytics.rates.groups import rates_by_group

    facts = [
        _facts("a", {2026: 1000.0}, [(dt.date(2026, 1, 1), 300.0), (dt.date(2026, 2, 1), 200.0)]),
        _facts("b", {2026: 3000.0}, [(dt.date(2026, 3, 1), 900.0), (dt.date(2025, 12, 1), 5000.0)]),
        _facts("c", {2025: 800.0}, [(dt.date(2026, 1, 1), 50.0)]),  # no plan this year: not in the cohort
        _facts("d", {2026: 500.0}, [], terminated=True),
    ]
    # On 2026-03-15 only January and February are over: b's March is not yet counted.
    rate = investment_completion_rate(facts, dt.date(2026, 3, 15))
    assert (rate.numerator, rate.denominator) == (500.0, 4500.0)
    assert rate.members_denominator == ["a", "b", "d"] and rate.members_numerator == ["a"]
    assert "投资完成率" in rate.explain and "1–2 月" in rate.explain
    on_march_end = investment_completion_rate(facts, dt.date(2026, 3, 31))
    assert on_march_end.numerator == 1400.0
    strict = investment_completion_rate(
        facts, dt.date(2026, 3, 31), replace(DEFAULT_DEFINITIONS, exclude_terminated=True)
    )
    assert strict.denominator == 4000.0 and strict.value == pytest.approx(0.35)
    grouped = rates_by_group(facts, "district", Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31)))
    mine = grouped["临淄区"]["investment_completion"]
    assert (mine.numerator, mine.denominator) == (on_march_end.numerator, on_march_end.denominator)
    nothing = investment_completion_rate([facts[2]], dt.date(2026, 3, 31))
    assert nothing.value is None and nothing.denominator == 0

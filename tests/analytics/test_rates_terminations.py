"""Dated terminations in the rates (issue 16): a project terminated on a day left the counts that day; a
period that ended before still sees it as it was."""

from __future__ import annotations

import datetime as dt

from zhaoshang.analytics.rates.engine import (
    Period,
    ProjectFacts,
    RateDefinitions,
    attainment_rate,
    landing_rate,
    overdue_projects,
    signing_rate,
    start_rate,
)
from zhaoshang.analytics.rates.groups import rates_by_group

D = dt.date
EXCLUDE = RateDefinitions(exclude_terminated=True)


def talks(key: str, on: D | None, **kw: object) -> ProjectFacts:
    return ProjectFacts(
        key=key,
        stage="negotiation",
        stage_dates={"negotiation": D(2024, 1, 10)},
        groups={"district": "临淄区"},
        terminated=on is not None or bool(kw.pop("undated", False)),
        terminated_on=on,
        **kw,  # type: ignore[arg-type]
    )


def test_talks_dropped_after_the_period_were_still_pending_then() -> None:
    dropped = talks("a", D(2024, 3, 20))
    january = Period(D(2024, 1, 1), D(2024, 1, 31))
    march = Period(D(2024, 1, 1), D(2024, 3, 31))
    before = signing_rate([dropped], january)
    assert before.denominator == 0 and before.set_aside("pending") == ("a",)
    after = signing_rate([dropped], march)
    assert (after.numerator, after.denominator) == (0, 1)  # a negotiation that did not sign
    # Undated (recorded before terminations had dates): terminated all along, as before.
    legacy = signing_rate([talks("b", None, undated=True)], january)
    assert (legacy.numerator, legacy.denominator) == (0, 1)


def signed(key: str, on: D | None) -> ProjectFacts:
    return ProjectFacts(
        key=key,
        stage="signed",
        stage_dates={"signed": D(2023, 1, 5)},
        groups={"district": "临淄区"},
        promised_start_date=D(2023, 6, 1),
        terminated=on is not None,
        terminated_on=on,
    )


def test_excluding_terminated_projects_leaves_them_in_the_periods_before() -> None:
    late = signed("late", D(2024, 6, 30))
    alive = signed("alive", None)
    for as_of, expected in ((D(2024, 3, 31), 2), (D(2024, 6, 30), 1), (D(2024, 12, 31), 1)):
        assert start_rate([late, alive], as_of, EXCLUDE).denominator == expected
        assert landing_rate([late, alive], as_of, EXCLUDE).denominator == expected
    # By default a terminated signing stays in the cohorts it entered, before and after.
    assert landing_rate([late, alive], D(2024, 12, 31)).denominator == 2
    # 超时限未开工 lists it until it was terminated.
    assert overdue_projects([late, alive], D(2024, 3, 31)) == ["late", "alive"]
    assert overdue_projects([late, alive], D(2024, 7, 1)) == ["alive"]


def test_attainment_leaves_a_project_terminated_by_the_last_years_end() -> None:
    plant = ProjectFacts(
        key="p",
        stage="production",
        stage_dates={"production": D(2022, 3, 1)},
        designed_output=1000.0,
        actual_output={2022: 500.0, 2023: 800.0},
        terminated=True,
        terminated_on=D(2023, 5, 1),
    )
    assert attainment_rate([plant], [2022], EXCLUDE).denominator == 1000.0
    assert attainment_rate([plant], [2023], EXCLUDE).denominator == 0


def test_groups_agree_with_the_rate_functions_on_dated_terminations() -> None:
    facts = [talks("a", D(2024, 3, 20)), signed("s", D(2024, 2, 1)), signed("t", None)]
    for end in (D(2024, 1, 31), D(2024, 2, 29), D(2024, 12, 31)):
        period = Period(D(2024, 1, 1), end)
        table = rates_by_group(facts, "district", period, EXCLUDE)["临淄区"]
        assert table["signing"] == signing_rate(facts, period, EXCLUDE)
        assert table["start"] == start_rate(facts, end, EXCLUDE)

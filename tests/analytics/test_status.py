"""The status from facts (红黄牌): pure rule tests on dates, no database."""

from __future__ import annotations

import datetime

import pytest

from zhaoshang.analytics.status.rule import (
    DELAYED,
    NORMAL,
    STALLED,
    Card,
    ProjectFacts,
    StepFacts,
    Thresholds,
    WorkdayCounter,
    assess,
)

D = datetime.date
TODAY = D(2026, 12, 7)  # a Monday


def test_a_project_on_time_is_normal_with_no_card() -> None:
    facts = ProjectFacts(
        steps=[
            StepFacts("1.1", "立项", due=D(2026, 12, 10)),
            StepFacts("1.2", "用地", D(2026, 11, 1), D(2026, 10, 30)),
        ],
        promised_start=D(2027, 3, 1),
        in_delivery=True,
        last_move=D(2026, 11, 20),
    )
    found = assess(facts, TODAY)
    assert (found.status, found.card, found.reasons) == (NORMAL, Card.NONE, ())


def test_one_step_a_day_late_is_a_yellow_card_counted_in_working_days() -> None:
    # Due on Friday 4 Dec, still open on Monday 7 Dec: one working day late (the weekend does not count).
    found = assess(ProjectFacts(steps=[StepFacts("2.1", "环评", due=D(2026, 12, 4))]), TODAY)
    assert found.status == DELAYED and found.card == Card.YELLOW
    (reason,) = found.reasons
    assert (reason.kind, reason.code, reason.name, reason.days) == ("step", "2.1", "环评", 1)


def test_a_step_overdue_past_the_red_threshold_is_red() -> None:
    # 2026-11-20 (Fri) → 2026-12-07 (Mon): 11 working days.
    found = assess(ProjectFacts(steps=[StepFacts("2.1", "环评", due=D(2026, 11, 20))]), TODAY)
    assert found.card == Card.RED and found.reasons[0].days == 11
    tolerant = assess(
        ProjectFacts(steps=[StepFacts("2.1", "环评", due=D(2026, 11, 20))]),
        TODAY,
        Thresholds(step_red_days=12),
    )
    assert tolerant.card == Card.YELLOW


def test_a_step_done_late_is_history_not_a_card() -> None:
    found = assess(ProjectFacts(steps=[StepFacts("2.1", "环评", D(2026, 10, 1), done=D(2026, 11, 1))]), TODAY)
    assert found.card == Card.NONE


def test_three_overdue_steps_at_once_are_red_even_if_each_is_only_yellow() -> None:
    steps = [StepFacts(f"3.{i}", f"环节{i}", due=D(2026, 12, 3)) for i in range(3)]
    found = assess(ProjectFacts(steps=steps), TODAY)
    assert found.card == Card.RED
    assert found.reasons[0].kind == "steps" and found.reasons[0].count == 3
    assert assess(ProjectFacts(steps=steps[:2]), TODAY).card == Card.YELLOW


def test_a_passed_promised_start_is_yellow_then_red_and_the_typed_status_cannot_hide_it() -> None:
    # The 鲁油鲁炼 case: every step and the promised start overdue; nobody typed anything but 正常推进.
    steps = [StepFacts(f"{i}.1", f"环节{i}", due=D(2026, 6, 1)) for i in range(1, 6)]
    found = assess(ProjectFacts(steps=steps, promised_start=D(2026, 7, 1), in_delivery=True), TODAY)
    assert found.status == DELAYED and found.card == Card.RED
    kinds = [r.kind for r in found.reasons]
    assert kinds.count("step") == 5 and "steps" in kinds and "start" in kinds
    start = next(r for r in found.reasons if r.kind == "start")
    assert start.card == Card.RED and start.due == D(2026, 7, 1)
    recent = assess(ProjectFacts(promised_start=D(2026, 12, 1)), TODAY)
    assert recent.card == Card.YELLOW and recent.reasons[0].days == 4


def test_a_started_project_owes_no_start_and_a_producing_one_no_production() -> None:
    passed = D(2026, 1, 5)
    assert assess(ProjectFacts(promised_start=passed, started=True), TODAY).card == Card.NONE
    assert assess(ProjectFacts(expected_production=passed, producing=True), TODAY).card == Card.NONE
    late = assess(ProjectFacts(expected_production=passed, started=True), TODAY)
    assert late.card == Card.RED and late.reasons[0].kind == "production"


def test_no_verified_move_for_the_stall_period_in_delivery_is_stalled_and_red() -> None:
    quiet = ProjectFacts(in_delivery=True, last_move=D(2026, 6, 7))
    found = assess(quiet, TODAY)
    assert found.status == STALLED and found.card == Card.RED and found.reasons[0].kind == "stall"
    assert assess(ProjectFacts(in_delivery=True, last_move=D(2026, 6, 8)), TODAY).card == Card.NONE
    # A lead may wait: silence outside delivery is no stall.
    assert assess(ProjectFacts(in_delivery=False, last_move=D(2024, 1, 1)), TODAY).card == Card.NONE
    assert assess(quiet, TODAY, Thresholds(stall_months=7)).card == Card.NONE


def test_the_holiday_calendar_counts_working_days() -> None:
    # With 2026-12-07 declared a holiday, a step due Friday 4 Dec is not yet a working day late on Monday.
    counter = WorkdayCounter(lambda d: d.weekday() < 5 and d != D(2026, 12, 7), D(2026, 11, 1), TODAY)
    facts = ProjectFacts(steps=[StepFacts("1.1", "立项", due=D(2026, 12, 4))])
    assert assess(facts, TODAY, workdays=counter).card == Card.NONE
    assert counter.between(D(2026, 11, 30), TODAY) == 4
    # Outside its range the counter falls back to Monday–Friday.
    assert counter.between(D(2026, 10, 30), D(2026, 11, 2)) == 1


def test_thresholds_refuse_a_red_below_its_yellow() -> None:
    with pytest.raises(ValueError):
        Thresholds(step_yellow_days=5, step_red_days=3)
    with pytest.raises(ValueError):
        Thresholds(stall_months=0)

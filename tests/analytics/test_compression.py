"""The −30 % measured (analytics.delivery_time.compression): known answers worked out by hand on a small calendar."""

from __future__ import annotations

import datetime

import pytest

from zhaoshang.analytics.delivery_time.compression import StepRecord, delivery_time, working_days

D = datetime.date
HOLIDAY = D(2026, 3, 4)  # a Wednesday off: the calendar is used, not plain weekdays


class MonFri:
    def is_workday(self, day: datetime.date) -> bool:
        return day.weekday() < 5 and day != HOLIDAY


def step(key, project, code, start, finish, *, module=None, promised=None, legal=None, dept=None):
    spec = {"S1": (1, 1, 3, "发改"), "S3": (2, 10, 20, "自然资源"), "S12": (6, 20, 45, "住建")}[code]
    return StepRecord(
        key=key,
        project=project,
        project_name=f"项目{project}",
        code=code,
        name=code,
        module=module or spec[0],
        department=dept or spec[3],
        start=start,
        finish=finish,
        promised_days=promised if promised is not None else spec[1],
        legal_days=legal if legal is not None else spec[2],
    )


RECORDS = [
    # before the baseline (2026-03-01)
    step("a", "P1", "S1", D(2026, 2, 2), D(2026, 2, 6)),  # Mon–Fri: 5 days
    step("b", "P1", "S3", D(2026, 2, 9), D(2026, 2, 20)),  # two weeks: 10 days
    step("c", "P2", "S1", D(2026, 1, 5), D(2026, 1, 5)),  # 1 day
    step("d", "P2", "S3", D(2026, 1, 6), D(2026, 1, 16)),  # Tue..Fri next week: 9 days
    # after
    step("e", "P3", "S1", D(2026, 3, 2), D(2026, 3, 2)),  # 1 day
    step("f", "P3", "S3", D(2026, 3, 3), D(2026, 3, 13)),  # 9 weekdays less the holiday: 8 days
    step("g", "P3", "S12", None, None),  # after construction, open: not measured, not needed for P3
    step("h", "P4", "S1", D(2026, 3, 9), D(2026, 3, 10)),  # 2 days
    step("i", "P4", "S3", D(2026, 3, 11), None),  # open: P4's elapsed time is not known yet
]


def report():
    return delivery_time(RECORDS, calendar=MonFri(), baseline=D(2026, 3, 1))


def test_working_days_count_both_ends_and_skip_days_off():
    assert working_days(D(2026, 3, 2), D(2026, 3, 2), MonFri()) == 1
    assert working_days(D(2026, 3, 2), D(2026, 3, 6), MonFri()) == 4  # the Wednesday is a holiday
    assert working_days(D(2026, 3, 7), D(2026, 3, 8), MonFri()) == 0  # a weekend
    assert working_days(D(2026, 3, 6), D(2026, 3, 2), MonFri()) == 0


def test_per_step_days_and_limits():
    measured = {t.record.key: t for t in report().steps}
    assert set(measured) == {"a", "b", "c", "d", "e", "f", "h"}
    assert measured["a"].days == 5 and measured["a"].over_promised == 4 and measured["a"].over_legal == 2
    assert measured["b"].days == 10 and measured["b"].over_promised == 0 and measured["b"].over_legal == -10
    assert measured["f"].days == 8 and measured["f"].period == "after"
    assert measured["d"].days == 9 and measured["d"].period == "before"
    assert report().unmeasured == 2


def test_per_step_group_against_history():
    groups = {g.key: g for g in report().by_step}
    assert [g.key for g in report().by_step] == ["S1", "S3"]
    s1 = groups["S1"]
    assert (s1.count, s1.median_days, s1.before_count, s1.before_median) == (2, 1.5, 2, 3.0)
    assert s1.change == pytest.approx(1.5 / 3 - 1)
    assert (s1.within_promised, s1.over_promised, s1.over_legal) == (1, 1, 0)
    assert sorted(s1.records) == ["e", "h"] and sorted(s1.before_records) == ["a", "c"]
    s3 = groups["S3"]
    assert (s3.count, s3.median_days, s3.before_median) == (1, 8.0, 9.5)
    assert s3.change == pytest.approx(8 / 9.5 - 1)


def test_per_department():
    groups = {g.key: g for g in report().by_department}
    assert set(groups) == {"发改", "自然资源"}
    assert groups["自然资源"].records == ["f"] and sorted(groups["自然资源"].before_records) == ["b", "d"]


def test_projects_compression_against_serial_plan_and_history():
    r = report()
    projects = {p.project: p for p in r.projects}
    assert set(projects) == {"P1", "P2", "P3"}  # P4 is still in approval
    assert (projects["P1"].elapsed, projects["P2"].elapsed, projects["P3"].elapsed) == (15, 10, 9)
    assert projects["P3"].serial == 11
    assert projects["P3"].compression == pytest.approx(1 - 9 / 11)
    assert projects["P1"].compression == pytest.approx(1 - 15 / 11)  # slower than handling steps one by one
    assert r.before_median_elapsed == 12.5 and r.after_median_elapsed == 9
    assert projects["P3"].vs_before == pytest.approx(1 - 9 / 12.5)
    assert r.achieved == pytest.approx(9 / 12.5 - 1)  # −28 %: short of the −30 % target
    assert r.serial_compression == pytest.approx(-(1 - 9 / 11))
    assert set(projects["P3"].records) == {"e", "f"}


def test_no_history_before_the_baseline_means_no_achieved_figure():
    after_only = [s for s in RECORDS if s.project in ("P3", "P4")]
    r = delivery_time(after_only, calendar=MonFri(), baseline=D(2026, 3, 1))
    assert r.achieved is None and r.before_median_elapsed is None
    assert r.serial_compression == pytest.approx(-(1 - 9 / 11))
    assert r.projects[0].vs_before is None
    assert any("无法与历史对比" in line for line in r.explain)

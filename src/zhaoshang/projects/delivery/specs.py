"""Generic-check specs of the delivery models (weekly tasks, blockers, dispatch reports)."""

from __future__ import annotations

import datetime
from typing import Any

from zhaoshang.core.factories import UserFactory
from zhaoshang.core.testing import ModelSpec
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import Blocker, DispatchReport, WeeklyTask

MONDAY = datetime.date(2026, 6, 1)


def _task(district: Any) -> WeeklyTask:
    return WeeklyTask.objects.create(
        project=ProjectFactory(district=district, name="任务项目甲"),
        week=MONDAY,
        title="测试任务甲",
        due_date=MONDAY + datetime.timedelta(days=4),
    )


def _blocker(district: Any) -> Blocker:
    return Blocker.objects.create(
        project=ProjectFactory(district=district, name="堵点项目甲"),
        title="测试堵点甲",
        raised_by=UserFactory(username="blocker-raiser"),
    )


def _report(district: Any) -> DispatchReport:
    return DispatchReport.objects.create(
        district=district,
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 4, 15),
        title="测试调度报告甲",
        summary={"number": 1},  # a real report always has its numbers; this one has none yet
    )


SPECS: dict[str, ModelSpec] = {
    "task": ModelSpec(
        "task",
        build=_task,
        form_data=lambda d: {
            "project": ProjectFactory(district=d, name="任务项目乙").pk,
            "week": "2026-06-03",  # a Wednesday: saved as its week's Monday
            "title": "测试任务乙",
            "due_date": "2026-06-05",
            "status": "todo",
        },
        changes={"title": "测试任务丙"},
        api_changes={"title": "测试任务丁"},
        lookup=lambda data: {"title": data["title"]},
    ),
    "blocker": ModelSpec(
        "blocker",
        build=_blocker,
        form_data=lambda d: {
            "project": ProjectFactory(district=d, name="堵点项目乙").pk,
            "title": "测试堵点乙",
            "description": "施工用电增容未完成",
        },
        changes={"description": "已对接供电公司"},
        api_changes={"description": "供电方案已批复"},
        lookup=lambda data: {"title": data["title"]},
    ),
    "dispatch": ModelSpec(
        "dispatch",
        build=_report,
        form_data=lambda d: {
            "district": d.pk,
            # A half month the demo's year of meetings (back from today) does not hold.
            "period_start": "2024-05-01",
            "period_end": "2024-05-15",
            "minutes": "会议纪要乙",
        },
        changes={"minutes": "会议纪要丙"},
        api_changes={"minutes": "会议纪要丁"},
        lookup=lambda data: {"period_start": data["period_start"], "period_end": data["period_end"]},
    ),
}

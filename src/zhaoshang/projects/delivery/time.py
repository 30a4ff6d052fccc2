"""Reads for 审批用时: a district's approval steps as they were handled, measured against the promised and legal
limits, the district's history before its baseline and the serial plan (the pure measure is
``analytics.delivery_time.compression``; its docstring holds the definitions)."""

from __future__ import annotations

import datetime
import functools
from typing import Any

from zhaoshang.analytics.delivery_time.compression import DeliveryTimeReport, StepRecord, delivery_time
from zhaoshang.analytics.schedule.cpm import CnWorkdaysProvisional
from zhaoshang.core.models import District
from zhaoshang.projects.models import ApprovalStepTemplate, ProjectStep

# 国办发〔2019〕11号 (全面开展工程建设项目审批制度改革) is where the national time targets start; a district whose
# own reform started later sets district.settings["delivery_baseline"] (ISO date).
DEFAULT_BASELINE = datetime.date(2019, 3, 26)


def delivery_baseline(district: District) -> datetime.date:
    given = (district.settings or {}).get("delivery_baseline")
    try:
        return datetime.date.fromisoformat(str(given)) if given else DEFAULT_BASELINE
    except ValueError:
        return DEFAULT_BASELINE


class _CachedCalendar:
    """The plans' working-day calendar, each date asked once (a report counts the same days many times)."""

    def __init__(self) -> None:
        self._calendar = CnWorkdaysProvisional()
        self.is_workday = functools.lru_cache(maxsize=8192)(self._calendar.is_workday)

    @property
    def provisional_years(self) -> set[int]:
        return self._calendar.provisional_years


def district_steps(user: Any, district: District) -> Any:
    """The district's project steps the user may see (scope checked: another district's never enter)."""
    return (
        ProjectStep.objects.restrict(user, "view")
        .filter(project__district=district)
        .select_related("project", "department")
    )


def step_records(user: Any, district: District) -> list[StepRecord]:
    legal = dict(ApprovalStepTemplate.objects.filter(district=district).values_list("code", "legal_days"))
    return [
        StepRecord(
            key=str(s.pk),
            project=str(s.project_id),
            project_name=s.project.name,
            code=s.code,
            name=s.name,
            module=s.module,
            department=str(s.department) if s.department else "",
            start=s.actual_start,
            finish=s.actual_finish if s.status == ProjectStep.Status.DONE else None,
            promised_days=s.duration,
            legal_days=legal.get(s.code),
        )
        for s in district_steps(user, district).order_by("project_id", "module", "code")
    ]


def delivery_time_report(user: Any, district: District) -> DeliveryTimeReport:
    return delivery_time(
        step_records(user, district), calendar=_CachedCalendar(), baseline=delivery_baseline(district)
    )


def delivery_time_card(user: Any, district: District | None) -> dict[str, Any] | None:
    """The dashboard's "目标 −30% · 实际 −x%": None without a district."""
    if district is None:
        return None
    report = delivery_time_report(user, district)
    return {
        "district": district,
        "target": report.target,
        "achieved": report.achieved,
        "serial_compression": report.serial_compression,
        "before": report.before_median_elapsed,
        "after": report.after_median_elapsed,
        "projects_before": sum(p.period == "before" for p in report.projects),
        "projects_after": sum(p.period == "after" for p in report.projects),
        "baseline": report.baseline,
        "explain": report.explain,
    }

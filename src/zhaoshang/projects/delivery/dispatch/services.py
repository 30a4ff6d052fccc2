"""Half-monthly dispatch (半月调度): numbers frozen into a report, written to Word, decisions become tasks/blockers.

The service and command side: building a report, its minutes and decisions, the `dispatch-build` job and the
`zhaoshang dispatch` command. The report's content is computed elsewhere and re-exported here:
`dispatch_summary` (summary.py) reads a district's projects in a constant number of queries and returns
plain JSON; `dispatch_sections` (sections.py) turns that JSON into the headings, lines and tables that
both the Word file (core/word.py) and the page show, so the two always carry the same numbers. Thresholds of
the 三未 lists are documented in docs/delivery.md and overridden per district in `district.settings["dispatch"]`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from zhaoshang.core.actions import action_log
from zhaoshang.core.audit import acting_as
from zhaoshang.core.jobs import job_runner
from zhaoshang.core.models import District, Job
from zhaoshang.core.scope import ensure_allowed
from zhaoshang.core.services import object_save
from zhaoshang.core.word import sections_document
from zhaoshang.projects.delivery.blockers import BlockerError, blocker_raise
from zhaoshang.projects.delivery.dispatch.sections import (
    dispatch_period_label,
    dispatch_sections,
)
from zhaoshang.projects.delivery.dispatch.summary import (
    _iso,
    dispatch_summary,
)
from zhaoshang.projects.delivery.tasks import TaskError, task_create
from zhaoshang.projects.models import Blocker, DispatchReport, Project, WeeklyTask

MAX_PERIOD_DAYS = 366


class DispatchError(ValueError):
    pass


def dispatch_period_default(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last complete half month: 1st–15th of this month from the 16th on, else 16th–end of last month."""
    if today.day >= 16:
        return today.replace(day=1), today.replace(day=15)
    end = today.replace(day=1) - datetime.timedelta(days=1)
    return end.replace(day=16), end


# --- writes -----------------------------------------------------------------------------------------------


def dispatch_document(report: DispatchReport) -> bytes:
    """The report as a Word file: title, period, then every section with its tables."""
    summary = report.summary
    subtitle = f"({dispatch_period_label(summary)})" if summary.get("period") else ""
    return sections_document(report.title, subtitle, dispatch_sections(summary, report.minutes))


def _attach_document(report: DispatchReport) -> None:
    """Write the Word file into the report (saved with it); the file it replaces goes once that commits."""
    old = report.document.name
    name = f"{report.district.adcode}-{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}.docx"
    report.document.save(name, ContentFile(dispatch_document(report)), save=False)
    if old and old != report.document.name:
        storage = report.document.storage
        transaction.on_commit(lambda: storage.delete(old))


def _check_period(start: datetime.date, end: datetime.date) -> None:
    if start is None or end is None:
        raise DispatchError(_("请填写起始日期和截止日期。"))
    if end < start:
        raise DispatchError(_("截止日期不能早于起始日期。"))
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise DispatchError(_("调度期间不能超过一年。"))


def dispatch_build(
    *,
    district: District,
    period_start: datetime.date,
    period_end: datetime.date,
    user: Any,
    minutes: str | None = None,
    today: datetime.date | None = None,
    channel: str = "web",
    progress: Any = None,
) -> DispatchReport:
    """Freeze the numbers of one period into a report (a new one, or the same period's again) and its Word file."""
    _check_period(period_start, period_end)
    with transaction.atomic(), acting_as(user, channel):
        ensure_allowed(user, "add", district)
        report = (
            DispatchReport.objects.select_for_update()
            .filter(district=district, period_start=period_start, period_end=period_end)
            .first()
        )
        if report is None:
            number = DispatchReport.objects.filter(district=district, period_end__lt=period_end).count() + 1
            report = DispatchReport(
                district=district,
                period_start=period_start,
                period_end=period_end,
                title=f"{district.name}重点项目推进调度报告(第{number}期)",
            )
            decisions: list[dict[str, Any]] = []
            action = "add"
        else:
            ensure_allowed(user, "change", report)
            number = report.summary.get("number") or 0
            decisions = report.summary.get("decisions") or []
            action = "change"
        summary = dispatch_summary(
            district=district,
            period_start=period_start,
            period_end=period_end,
            user=user,
            today=today,
            progress=progress,
        )
        report.summary = {**summary, "number": number, "decisions": decisions}
        if minutes is not None:
            report.minutes = minutes
        _attach_document(report)
        report.full_clean()
        report.save()
        ensure_allowed(user, action, report)
        period = f"{period_start:%Y-%m-%d} — {period_end:%Y-%m-%d}"
        data = {"start": period_start, "end": period_end, "rebuilt": action == "change", "summary": period}
        action_log(report, "dispatch_build", user=user, data=data)
        return report


def dispatch_minutes_set(
    *, report: DispatchReport, minutes: str, user: Any, channel: str = "web"
) -> DispatchReport:
    with transaction.atomic(), acting_as(user, channel):
        report = DispatchReport.objects.select_for_update().select_related("district").get(pk=report.pk)
        ensure_allowed(user, "change", report)
        report.minutes = minutes
        _attach_document(report)
        report.save()
        return report


DECISION_KINDS = {"task": "周任务", "blocker": "堵点"}


def dispatch_decision_add(
    *,
    report: DispatchReport,
    project: Project,
    kind: str,
    text: str,
    user: Any,
    department: Any = None,
    due_date: datetime.date | None = None,
    channel: str = "web",
) -> WeeklyTask | Blocker:
    """A meeting decision: one line that becomes a weekly task or a blocker, and is listed in the report."""
    with transaction.atomic(), acting_as(user, channel):
        report = DispatchReport.objects.select_for_update().select_related("district").get(pk=report.pk)
        ensure_allowed(user, "change", report)
        if project.district_id != report.district_id:
            raise DispatchError(_("项目须属于本报告所在区县。"))
        if kind not in DECISION_KINDS:
            raise DispatchError(_("类型只能是周任务或堵点。"))
        if not text.strip():
            raise DispatchError(_("请填写议定事项。"))
        if kind == "task":
            created: WeeklyTask | Blocker = task_create(
                project=project,
                title=text,
                due_date=due_date,
                department=department,
                user=user,
                channel=channel,
            )
        else:
            created = blocker_raise(
                project=project,
                title=text,
                description=f"{report.title}议定",
                department=department,
                deadline=due_date,
                user=user,
                channel=channel,
            )
        decision = {
            "kind": kind,
            "kind_label": DECISION_KINDS[kind],
            "object_id": created.pk,
            "project_id": project.pk,
            "project": project.name,
            "text": text.strip(),
            "department": str(department) if department else "",
            "due_date": _iso(due_date),
        }
        report.summary = {**report.summary, "decisions": [*(report.summary.get("decisions") or []), decision]}
        _attach_document(report)
        report.save()
        summary = f"{DECISION_KINDS[kind]}:{project.name} · {text.strip()}"[:300]
        action_log(report, "dispatch_decision", user=user, data={**decision, "summary": summary})
        return created


def dispatch_save(form: Any, user: Any) -> DispatchReport:
    """The saver of the report form: a new report is built; an edit (title, minutes) re-writes the Word file."""

    try:
        if form.instance._state.adding:
            data = form.cleaned_data
            return dispatch_build(
                district=data["district"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                minutes=data.get("minutes", ""),
                user=user,
            )
        report = form.save(commit=False)
        _attach_document(report)
        return object_save(instance=report, user=user)
    except DispatchError as error:
        raise ValidationError(str(error)) from error


DecisionErrors = (DispatchError, TaskError, BlockerError, ValidationError)


@job_runner("dispatch-build")
def run_dispatch_build(job: Job, progress: Any) -> dict[str, Any]:
    """Params: `district` (id), `start`, `end` (ISO dates)."""
    district = District.objects.restrict(job.user, "add").get(pk=job.params["district"])
    report = dispatch_build(
        district=district,
        period_start=datetime.date.fromisoformat(job.params["start"]),
        period_end=datetime.date.fromisoformat(job.params["end"]),
        user=job.user,
        channel="job",
        progress=progress,
    )
    return {"report": report.pk, "title": report.title, "url": reverse("dispatch_detail", args=[report.pk])}

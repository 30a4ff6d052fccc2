"""Approvals: the district's template (default 6 modules, 14 steps), each project's own steps, and their
schedule on the critical path over the Chinese working-day calendar."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.analytics.schedule.approval_template import (
    CONSTRUCTION_STEP_ID,
    DEFAULT_APPROVAL_TEMPLATE,
    waiting_for_construction,
)
from zhaoshang.analytics.schedule.cpm import (
    CalendarDays,
    ScheduleError,
    Step,
    schedule_compute,
    schedule_dates,
)
from zhaoshang.core.audit import acting_as
from zhaoshang.core.models import Department, District
from zhaoshang.core.scope import ensure_allowed
from zhaoshang.core.selectors import work_calendar
from zhaoshang.core.validators import localised
from zhaoshang.projects.models import ApprovalStepTemplate, Project, ProjectStep
from zhaoshang.projects.stages import STAGE_CODES

STAGE_ORDER = {code: i for i, code in enumerate(STAGE_CODES)}


def approval_template_ensure(*, district: District, user: Any) -> list[ApprovalStepTemplate]:
    """The district's template, created from the national default the first time it is needed."""
    existing = list(ApprovalStepTemplate.objects.filter(district=district))
    if existing:
        return existing
    departments = {d.short_name: d for d in Department.objects.filter(district=district)}
    modules = {m.number: m.name for m in DEFAULT_APPROVAL_TEMPLATE.modules}
    with transaction.atomic(), acting_as(user, "system"):
        return [
            ApprovalStepTemplate.objects.create(
                district=district,
                code=step.id,
                name=step.name,
                module=step.module,
                module_name=modules[step.module],
                department=departments.get(step.department),
                legal_days=step.legal_limit,
                promised_days=step.promised_limit,
                predecessors=list(step.predecessors),
                milestone=step.milestone,
                commitment=step.commitment,
            )
            for step in DEFAULT_APPROVAL_TEMPLATE.steps
        ]


def project_steps_create(*, project: Project, user: Any) -> list[ProjectStep]:
    """Give a project its own approval steps from the district template (once)."""
    with transaction.atomic(), acting_as(user, "web"):
        ensure_allowed(user, "change", project)
        if project.steps.exists():
            return list(project.steps.all())
        template = approval_template_ensure(district=project.district, user=user)
        steps = [
            ProjectStep.objects.create(
                project=project,
                code=t.code,
                name=t.name,
                module=t.module,
                module_name=t.module_name,
                department=t.department,
                duration=t.promised_days,
                predecessors=t.predecessors,
                milestone=t.milestone,
                commitment=t.commitment,
            )
            for t in template
        ]
    project_schedule(project=project, user=user, start=datetime.date.today())
    return steps


def calendar_note(result: dict[str, Any]) -> str:
    """The warning a plan carries when it counts on holidays computed by law, not yet on a notice."""
    years = result.get("provisional_years") or []
    if not years:
        return ""
    return _(
        "含暂定假日(国务院通知未发布):%(years)s 年按《全国年节及纪念日放假办法》计算法定假日并补假,"
        "未含调休;通知发布或录入后请重排计划。"
    ) % {"years": "、".join(map(str, years))}


def _calendar(name: str) -> Any:
    # A plan may run into a year whose notice is not published yet: its statutory days are computed by law,
    # the year is provisional, and the page says so (`calendar_note`).
    return CalendarDays() if name == "days" else work_calendar()


def plan_provisional_years(steps: list[ProjectStep], calendar: Any = None) -> list[int]:
    """Years within the steps' planned dates whose holidays are provisional (no notice known)."""
    dates = [d for s in steps for d in (s.planned_start, s.planned_finish) if d is not None]
    if not dates:
        return []
    calendar = calendar or work_calendar()
    years = range(min(dates).year, max(dates).year + 1)
    return [year for year in years if calendar.is_provisional(year)]


# Construction between the permit and the completion acceptance, when the project gives no expected production
# date: the median of the forecast's prior for 开工 → 竣工 (analytics/forecast/delays.py, 18 months), in working
# days (about 250 a year).
DEFAULT_CONSTRUCTION_MONTHS = 18
WORKDAYS_PER_MONTH = 250 / 12


def after_construction(steps: list[ProjectStep]) -> set[str]:
    """The steps construction goes in front of (`waiting_for_construction`: S12 in the default template)."""
    return waiting_for_construction((s.code, s.module, s.predecessors) for s in steps)[0]


def _construction_days(
    project: Project, steps: list[ProjectStep], plan: list[Step], start: datetime.date, workdays: Any
) -> int:
    """Working days of construction still ahead of the completion acceptance, counted from where the plan puts
    the permit (or from ``start`` when construction has begun): up to the expected production date less the
    acceptance steps, else the default. None left once an acceptance step is done."""
    following = after_construction(steps)
    done = {s.code for s in steps if s.status == ProjectStep.Status.DONE}
    if not following or following & done or STAGE_ORDER.get(project.stage, 0) >= STAGE_ORDER["completed"]:
        return 0
    approvals = schedule_compute(plan)
    permit_end = max((approvals[q].ef for p in plan if p.id in following for q in p.predecessors), default=0)
    begun = STAGE_ORDER.get(project.stage, 0) >= STAGE_ORDER["started"]
    acceptance = sum(s.duration for s in steps if s.module == max(x.module for x in steps))
    expected = project.expected_production_date
    if expected and expected > start:
        ahead = len(_workday_list(start, expected, workdays))
        if ahead > acceptance + (0 if begun else permit_end):
            return ahead - acceptance - (0 if begun else permit_end)
    # No expected date, or one already passed (the project's own card says so): the typical build, so that
    # the acceptance is not shown to its departments as overdue while the building is still going up.
    months = DEFAULT_CONSTRUCTION_MONTHS
    if begun and project.started_date:
        elapsed = len(_workday_list(project.started_date, start, workdays)) / WORKDAYS_PER_MONTH
        months = max(1.0, months - elapsed)  # a build past its typical length still has a month to go
    return round(months * WORKDAYS_PER_MONTH)


def _workday_list(first: datetime.date, last: datetime.date, workdays: Any) -> list[datetime.date]:
    days, day = [], first
    while day < last:
        if workdays.is_workday(day):
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def project_schedule(
    *, project: Project, user: Any, start: datetime.date, calendar: str = "cn-workdays"
) -> dict[str, Any]:
    """Plan the remaining steps by CPM from `start` (done steps count as zero days and keep the plan they were
    done against); store dates, float, critical.

    The completion acceptance waits for construction: a step ``施工建设`` of the project's expected length goes in
    front of it for the dates (else a started project's acceptance would fall due the week after its permit, and
    every project under construction would show overdue steps). Float, critical path and the returned durations
    are those of the approvals alone, which is what the ≤120-working-day target and the −30 % measure."""
    steps = list(project.steps.all())
    if not steps:
        return {}
    plan = [
        Step(s.code, s.name, 0 if s.status == ProjectStep.Status.DONE else s.duration, tuple(s.predecessors))
        for s in steps
    ]
    workdays = _calendar(calendar)
    try:
        schedule = schedule_compute(plan)
        building = _construction_days(project, steps, plan, start, workdays)
        if building:
            following = after_construction(steps)
            dated_plan = [
                Step(p.id, p.name, p.duration, (CONSTRUCTION_STEP_ID,)) if p.id in following else p
                for p in plan
            ]
            preds = sorted({q for p in plan if p.id in following for q in p.predecessors})
            dated_plan.append(Step(CONSTRUCTION_STEP_ID, "施工建设", building, tuple(preds)))
            dates = schedule_dates(schedule_compute(dated_plan), start, workdays)
        else:
            dates = schedule_dates(schedule, start, workdays)
    except ScheduleError as error:
        raise ValueError(localised(error)) from error
    timing = {t.id: t for t in schedule.steps}
    when = {d.id: d for d in dates.steps}
    with transaction.atomic(), acting_as(user, "web"):
        for step in steps:
            if step.status == ProjectStep.Status.DONE and step.planned_finish is not None:
                continue  # its plan is history: what it was done against
            t, d = timing[step.code], when[step.code]
            step.planned_start, step.planned_finish = d.start, d.finish
            step.total_float, step.critical = t.total_float, t.critical
            step.save(update_fields=["planned_start", "planned_finish", "total_float", "critical", "updated"])
    provisional = sorted(getattr(workdays, "provisional_years", set()))
    return {
        "duration": schedule.duration,
        "serial": schedule.serial_duration,
        "finish": dates.finish,
        "construction_days": building,
        "provisional_years": provisional,
    }


def step_update(
    *, step: ProjectStep, user: Any, status: str, date: datetime.date, document: Any = None
) -> ProjectStep:
    """Record progress on a step: started or finished on a date, with the approval document."""
    with transaction.atomic(), acting_as(user, "web"):
        ensure_allowed(user, "change", step)
        if status == ProjectStep.Status.IN_PROGRESS:
            step.actual_start = step.actual_start or date
        elif status == ProjectStep.Status.DONE:
            open_before = [
                p for p in step.predecessors if not step.project.steps.filter(code=p, status="done").exists()
            ]
            if open_before and not step.commitment:
                raise ValueError(_("前置环节未办结:%(codes)s") % {"codes": "、".join(open_before)})
            step.actual_start = step.actual_start or date
            step.actual_finish = date
        step.status = status
        if document:
            step.document = document
        step.full_clean()
        step.save()
    return step


def approval_summary(project: Project) -> dict[str, Any]:
    """Parallel vs serial working days of the project's steps: the compression the seed promises (−30 %)."""
    steps = list(project.steps.all())
    if not steps:
        return {}
    promised = schedule_compute([Step(s.code, s.name, s.duration, tuple(s.predecessors)) for s in steps])
    return {
        "duration": promised.duration,
        "serial": promised.serial_duration,
        "compression": promised.compression,
        "critical_path": promised.critical_path,
        "done": sum(s.status == ProjectStep.Status.DONE for s in steps),
        "total": len(steps),
        "late": [
            s
            for s in steps
            if s.status != "done" and s.planned_finish and s.planned_finish < datetime.date.today()
        ],
        "provisional_years": plan_provisional_years(steps),
    }


def gantt_data(project: Project) -> dict[str, Any]:
    steps = list(project.steps.select_related("department"))
    return {
        "today": datetime.date.today().isoformat(),
        "construction": _construction_span(steps),
        "steps": [
            {
                "code": s.code,
                "name": s.name,
                "department": str(s.department or ""),
                "start": s.planned_start.isoformat() if s.planned_start else None,
                "finish": s.planned_finish.isoformat() if s.planned_finish else None,
                "actual_start": s.actual_start.isoformat() if s.actual_start else None,
                "actual_finish": s.actual_finish.isoformat() if s.actual_finish else None,
                "critical": s.critical,
                "status": s.status,
                "float": s.total_float,
            }
            for s in steps
        ],
    }


def _construction_span(steps: list[ProjectStep]) -> dict[str, str] | None:
    """The planned building between the permit and the completion acceptance, for the Gantt to shade and name:
    from the day after the last step before the acceptance to the day before the acceptance's first step."""
    front = after_construction(steps)
    by_code = {s.code: s for s in steps}
    accept = [by_code[c].planned_start for c in front if by_code[c].planned_start]
    before = [
        by_code[p].planned_finish
        for c in front
        for p in by_code[c].predecessors
        if p in by_code and by_code[p].planned_finish
    ]
    if not accept or not before:
        return None
    start, finish = max(before) + datetime.timedelta(days=1), min(accept) - datetime.timedelta(days=1)
    if (finish - start).days < 30:  # no building between them worth a band (a plan without one, or done)
        return None
    return {"start": start.isoformat(), "finish": finish.isoformat()}

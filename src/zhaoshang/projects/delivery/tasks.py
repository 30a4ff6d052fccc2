"""Weekly task lists (周任务清单): generated from a project's open approval steps to year end, done with one click.

Generation rule (DOMAIN.md §8 "Cadence"): from the current week (the next one from Saturday on) to the week of
`until` (default 31 December),
every week gets one task per open approval step planned in it — "办理 S6 环评审批", for the step's department,
due on that week's Friday or the step's planned finish, whichever is earlier. A week with no step planned gets
one "推进 <next stage>" task for the project's officer. Re-running creates only what is missing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from zhaoshang.core.audit import acting_as
from zhaoshang.core.models import District, UserProfile
from zhaoshang.core.scope import ensure_allowed
from zhaoshang.core.services import object_save
from zhaoshang.projects.models import Project, ProjectStep, WeeklyTask
from zhaoshang.projects.stages import stages_for

OPEN_STEP = (ProjectStep.Status.PENDING, ProjectStep.Status.IN_PROGRESS)
WEEK = datetime.timedelta(days=7)


class TaskError(ValueError):
    """A task action that cannot be done; the message says why, in the user's language."""


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of the week `day` falls in."""
    return day - datetime.timedelta(days=day.weekday())


def week_friday(monday: datetime.date) -> datetime.date:
    return monday + datetime.timedelta(days=4)


@dataclass(frozen=True)
class GenerateResult:
    created: int  # tasks written now
    existing: int  # (week, step) slots that already had their task
    weeks: int  # weeks covered
    unplanned: int  # open steps without planned dates (cannot be placed in a week)


def _next_stage_label(project: Project) -> str:
    stages = stages_for(project.district)
    codes = [code for code, _label in stages]
    labels = [str(label) for _code, label in stages]
    if project.stage not in codes:
        return project.get_stage_display()
    index = codes.index(project.stage)
    return labels[min(index + 1, len(labels) - 1)]


def _planned_in(step: ProjectStep, monday: datetime.date, first: datetime.date) -> bool:
    """The step's planned span touches this week; a step already late is carried into the first week."""
    start = step.planned_start
    finish = step.planned_finish or start
    if start is None or finish is None:
        return False
    if finish < first:
        return monday == first
    return start <= monday + datetime.timedelta(days=6) and finish >= monday


def tasks_generate(
    *,
    project: Project,
    user: Any,
    until: datetime.date | None = None,
    today: datetime.date | None = None,
    channel: str = "web",
) -> GenerateResult:
    """Create the project's weekly tasks from this week to `until`; idempotent, attributed to `user`."""
    today = today or timezone.localdate()
    until = until or datetime.date(today.year, 12, 31)
    with transaction.atomic(), acting_as(user, channel):
        ensure_allowed(user, "add", project)
        # Locking the project serialises two people pressing the button at once (no duplicate tasks).
        project = Project.objects.select_for_update().select_related("district").get(pk=project.pk)
        if project.status == Project.Status.TERMINATED:
            raise TaskError(_("项目已终止,不再生成周任务。"))
        # From Saturday on, this week's Friday has passed: the list starts with next week.
        first = week_start(today) + (WEEK if today.weekday() >= 5 else datetime.timedelta(0))
        last = week_start(until)
        if last < first:
            return GenerateResult(0, 0, 0, 0)
        steps = list(
            ProjectStep.objects.filter(project=project, status__in=OPEN_STEP)
            .select_related("department")
            .order_by("planned_start", "module", "code")
        )
        planned = [s for s in steps if s.planned_start is not None]
        taken = set(
            WeeklyTask.objects.filter(project=project, week__gte=first, week__lte=last).values_list(
                "week", "step_id"
            )
        )
        busy_weeks = {week for week, _step in taken}
        with translation.override("zh-hans"):
            advance = "推进 " + _next_stage_label(project)
        new: list[WeeklyTask] = []
        existing = 0
        weeks = 0
        monday = first
        while monday <= last:
            weeks += 1
            friday = week_friday(monday)
            in_week = [s for s in planned if _planned_in(s, monday, first)]
            for step in in_week:
                if (monday, step.pk) in taken:
                    existing += 1
                    continue
                due = min(friday, step.planned_finish) if step.planned_finish else friday
                new.append(
                    WeeklyTask(
                        project=project,
                        week=monday,
                        title=f"办理 {step.code} {step.name}"[:200],
                        department=step.department,
                        due_date=due,
                        step=step,
                    )
                )
            if not in_week:
                if monday in busy_weeks:
                    existing += 1
                else:
                    new.append(
                        WeeklyTask(
                            project=project,
                            week=monday,
                            title=advance,
                            owner=project.officer,
                            due_date=friday,
                        )
                    )
            monday += WEEK
        for task in new:
            task.clean()
        if new:
            bulk_create_with_history(new, WeeklyTask, default_user=user, default_change_reason=channel)
        return GenerateResult(len(new), existing, weeks, len(steps) - len(planned))


def task_normalise(task: WeeklyTask, *, today: datetime.date | None = None) -> None:
    """Keep the status and its date together: done has a date, anything else has none."""
    if task.status == WeeklyTask.Status.DONE:
        task.done_date = task.done_date or today or timezone.localdate()
    else:
        task.done_date = None
    if task.step_id and task.project_id and task.step.project_id != task.project_id:
        raise ValidationError({"step": _("节点须属于该项目。")})


def task_save(form: Any, user: Any) -> WeeklyTask:
    """The saver of the task form: normalised, validated, saved in the user's scope."""

    task = form.save(commit=False)
    task_normalise(task)
    return object_save(instance=task, user=user)


def task_create(
    *,
    project: Project,
    title: str,
    due_date: datetime.date,
    user: Any,
    department: Any = None,
    owner: Any = None,
    week: datetime.date | None = None,
    channel: str = "web",
) -> WeeklyTask:
    """One task by hand (e.g. a dispatch meeting's decision), in the week of its due date unless given."""
    with transaction.atomic(), acting_as(user, channel):
        ensure_allowed(user, "add", project)
        if not title.strip():
            raise TaskError(_("请填写任务内容。"))
        if due_date is None:
            raise TaskError(_("请填写完成时限。"))
        task = WeeklyTask(
            project=project,
            week=week_start(week or due_date),
            title=title.strip()[:200],
            department=department,
            owner=owner,
            due_date=due_date,
        )
        task.full_clean()
        task.save()
        return task


def task_complete(
    *, task: WeeklyTask, user: Any, date: datetime.date | None = None, channel: str = "web"
) -> WeeklyTask:
    """Mark a task done (the one-click button of 我的任务)."""
    with transaction.atomic(), acting_as(user, channel):
        task = WeeklyTask.objects.select_for_update(of=("self",)).select_related("project").get(pk=task.pk)
        ensure_allowed(user, "change", task)
        if task.status == WeeklyTask.Status.DONE:
            raise TaskError(_("任务已完成。"))
        task.status = WeeklyTask.Status.DONE
        task.done_date = date or timezone.localdate()
        if task.done_date > timezone.localdate():
            raise TaskError(_("完成日期不能晚于今天。"))
        task.save()
        return task


# --- reads ------------------------------------------------------------------------------------------------


def task_owner_choices(user: Any) -> QuerySet[Any]:
    """People a task may be given to: active users working in a district the user may see."""
    return (
        get_user_model()
        .objects.filter(is_active=True, profile__district__in=District.objects.restrict(user, "view"))
        .order_by("username")
    )


def overdue_q(today: datetime.date) -> Q:
    return Q(due_date__lt=today) & ~Q(status=WeeklyTask.Status.DONE)


def my_tasks_queryset(user: Any) -> QuerySet[WeeklyTask]:
    """Tasks of the user: owned by them, or given to their department; within their scope."""
    profile = UserProfile.objects.filter(user=user).only("department_id").first()
    mine = Q(owner=user)
    if profile is not None and profile.department_id:
        mine |= Q(department_id=profile.department_id)
    return WeeklyTask.objects.restrict(user, "view").filter(mine)


@dataclass
class WeekGroup:
    week: datetime.date
    tasks: list[WeeklyTask]
    current: bool

    @property
    def friday(self) -> datetime.date:
        return week_friday(self.week)


MY_TASKS_PER_PAGE = 100


def my_tasks(
    user: Any,
    *,
    today: datetime.date | None = None,
    weeks_ahead: int = 4,
    page: Any = 1,
    per_page: int = MY_TASKS_PER_PAGE,
) -> dict[str, Any]:
    """我的任务: every open task up to `weeks_ahead` weeks from now (overdue ones however old), and what was
    done this week or last, in week order, `per_page` at a time (`page`: 1, 2, …; out of range: the last one),
    grouped by week; with the overdue and open counts of them all. Five queries whatever the number of tasks."""
    today = today or timezone.localdate()
    this_week = week_start(today)
    horizon = this_week + weeks_ahead * WEEK
    base = my_tasks_queryset(user)
    rows = (
        base.filter(week__lte=horizon)
        .filter(~Q(status=WeeklyTask.Status.DONE) | Q(week__gte=this_week - WEEK))
        .select_related("project", "department", "owner", "step")
        .order_by("week", "due_date", "pk")
    )
    shown = Paginator(rows, per_page).get_page(page)
    groups: dict[datetime.date, WeekGroup] = {}
    for task in shown:
        task.overdue = task.status != WeeklyTask.Status.DONE and task.due_date < today
        groups.setdefault(task.week, WeekGroup(task.week, [], task.week == this_week)).tasks.append(task)
    return {
        "groups": list(groups.values()),
        "page": shown,
        "overdue": base.filter(overdue_q(today)).count(),
        "open": base.exclude(status=WeeklyTask.Status.DONE).filter(week__lte=horizon).count(),
        "today": today,
        "this_week": this_week,
        "horizon": horizon,
    }


def project_tasks(project: Project, *, today: datetime.date | None = None, weeks_ahead: int = 4) -> Any:
    """A project's tasks for its page: overdue ones and those of the next few weeks."""
    today = today or timezone.localdate()
    horizon = week_start(today) + weeks_ahead * WEEK
    tasks = list(
        project.tasks.filter(week__lte=horizon)
        .filter(~Q(status=WeeklyTask.Status.DONE) | Q(week__gte=week_start(today)))
        .select_related("department", "owner")
        .order_by("week", "due_date", "pk")
    )
    for task in tasks:
        task.overdue = task.status != WeeklyTask.Status.DONE and task.due_date < today
    return tasks

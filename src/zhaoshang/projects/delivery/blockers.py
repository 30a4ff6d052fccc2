"""Blockers (堵点): raised → assigned to a department with a deadline → in progress → solved → struck off (销号).

Every transition is a service: validated (a clear Chinese reason when refused), attributed, in a transaction.
Only a user with the `verify` right strikes a blocker off, and only a solved one. Overdue blockers escalate one
level at a time (`blockers_escalate`, run daily by `zhaoshang escalate` or the `blockers-escalate` job).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.core.actions import action_log
from zhaoshang.core.audit import acting_as
from zhaoshang.core.jobs import job_runner
from zhaoshang.core.models import Department, District, Job
from zhaoshang.core.scope import ensure_allowed, user_scope
from zhaoshang.core.services import object_save
from zhaoshang.projects.models import Blocker, Project

OPEN = (Blocker.Status.RAISED, Blocker.Status.ASSIGNED, Blocker.Status.IN_PROGRESS)
WORKING = (Blocker.Status.ASSIGNED, Blocker.Status.IN_PROGRESS)

# Escalation defaults; a district overrides them in `district.settings["blockers"]`.
ESCALATION_DEFAULTS = {"escalate_every_days": 7, "max_level": 3}
LEVEL_LABELS = {
    0: gettext_lazy("部门办理"),
    1: gettext_lazy("分管领导督办"),
    2: gettext_lazy("主要领导督办"),
    3: gettext_lazy("市级督办"),
}


class BlockerError(ValueError):
    """A blocker transition that is not allowed now; the message says why."""


class BlockerPermissionError(BlockerError):
    """The transition needs a right the user lacks in the blocker's district (striking off needs `verify`)."""


def level_label(level: int) -> str:
    return str(LEVEL_LABELS.get(level, LEVEL_LABELS[max(LEVEL_LABELS)]))


def _locked(blocker: Blocker) -> Blocker:
    return (
        Blocker.objects.select_for_update(of=("self",))
        .select_related("project__district", "department")
        .get(pk=blocker.pk)
    )


def _status_name(blocker: Blocker) -> str:
    return str(blocker.get_status_display())


def check_assignment(
    project: Project, department: Department | None, deadline: datetime.date | None, today: datetime.date
) -> None:
    """Both a department of the project's district and a deadline not in the past, or a clear refusal."""
    if department is None or deadline is None:
        raise BlockerError(_("交办须同时指定责任部门和办结时限。"))
    if department.district_id != project.district_id:
        raise BlockerError(_("责任部门须属于项目所在区县。"))
    if deadline < today:
        raise BlockerError(_("办结时限不能早于今天。"))


def blocker_raise(
    *,
    project: Project,
    title: str,
    user: Any,
    description: str = "",
    department: Department | None = None,
    deadline: datetime.date | None = None,
    channel: str = "web",
) -> Blocker:
    """Put a blocker on the chart; given a department and a deadline it is assigned at once."""
    with transaction.atomic(), acting_as(user, channel):
        ensure_allowed(user, "add", project)
        if project.status == Project.Status.TERMINATED:
            raise BlockerError(_("项目已终止,不能再提出堵点。"))
        if not title.strip():
            raise BlockerError(_("请填写堵点。"))
        blocker = Blocker(project=project, title=title.strip(), description=description, raised_by=user)
        if department is not None or deadline is not None:
            check_assignment(project, department, deadline, timezone.localdate())
            blocker.department, blocker.deadline = department, deadline
            blocker.status = Blocker.Status.ASSIGNED
        blocker.full_clean()
        blocker.save()
        if blocker.status == Blocker.Status.ASSIGNED:
            _log_assign(blocker, user)
        return blocker


def _log_assign(blocker: Blocker, user: Any) -> None:
    summary = f"{blocker.department} · {blocker.deadline:%Y-%m-%d}"
    data = {"department": blocker.department_id, "deadline": blocker.deadline, "summary": summary}
    action_log(blocker, "blocker_assign", user=user, data=data)


def blocker_assign(
    *, blocker: Blocker, department: Department, deadline: datetime.date, user: Any, channel: str = "web"
) -> Blocker:
    """交办: give an open blocker to a department with a deadline (again, to re-assign it)."""
    with transaction.atomic(), acting_as(user, channel):
        blocker = _locked(blocker)
        ensure_allowed(user, "change", blocker)
        if not blocker.open:
            raise BlockerError(_("堵点%(status)s,不能再交办。") % {"status": _status_name(blocker)})
        check_assignment(blocker.project, department, deadline, timezone.localdate())
        blocker.department, blocker.deadline = department, deadline
        blocker.status = Blocker.Status.ASSIGNED
        blocker.save()
        _log_assign(blocker, user)
        return blocker


def blocker_progress(
    *, blocker: Blocker, note: str, user: Any, date: datetime.date | None = None, channel: str = "web"
) -> Blocker:
    """The department reports progress: the blocker is in progress and the note is added to its record."""
    date = date or timezone.localdate()
    with transaction.atomic(), acting_as(user, channel):
        blocker = _locked(blocker)
        ensure_allowed(user, "change", blocker)
        if blocker.status == Blocker.Status.RAISED:
            raise BlockerError(_("堵点尚未交办责任部门,请先交办。"))
        if blocker.status not in WORKING:
            raise BlockerError(_("堵点%(status)s,不能再登记进展。") % {"status": _status_name(blocker)})
        if not note.strip():
            raise BlockerError(_("请填写进展情况。"))
        line = f"【{date.isoformat()} 进展】{note.strip()}"
        blocker.description = f"{blocker.description.rstrip()}\n{line}".strip()
        blocker.status = Blocker.Status.IN_PROGRESS
        blocker.save()
        return blocker


def blocker_solve(
    *, blocker: Blocker, solution: str, date: datetime.date, user: Any, channel: str = "web"
) -> Blocker:
    """Solved, by the department or by the project side; waits for a supervisor to strike it off."""
    with transaction.atomic(), acting_as(user, channel):
        blocker = _locked(blocker)
        ensure_allowed(user, "change", blocker)
        if not blocker.open:
            raise BlockerError(_("堵点%(status)s,不能重复办结。") % {"status": _status_name(blocker)})
        if not solution.strip():
            raise BlockerError(_("请填写解决情况。"))
        if date is None:
            raise BlockerError(_("请填写解决日期。"))
        if date > timezone.localdate():
            raise BlockerError(_("解决日期不能晚于今天。"))
        if date < timezone.localtime(blocker.created).date():
            raise BlockerError(_("解决日期不能早于堵点提出日期。"))
        blocker.solution, blocker.solved_date = solution.strip(), date
        blocker.status = Blocker.Status.SOLVED
        blocker.save()
        action_log(
            blocker, "blocker_solve", user=user, data={"date": date, "summary": blocker.solution[:200]}
        )
        return blocker


def _require_verify(user: Any, blocker: Blocker) -> None:
    ensure_allowed(user, "view", blocker)  # outside the scope: 404, as everywhere
    if not user_scope(user, "verify").allows(blocker.scoped_district_id):
        raise BlockerPermissionError(_("只有具有审核权限的督办人员才能销号或退回。"))


def blocker_strike_off(
    *, blocker: Blocker, user: Any, date: datetime.date | None = None, channel: str = "web"
) -> Blocker:
    """销号: a supervisor (verify right) confirms a solved blocker is gone."""
    with transaction.atomic(), acting_as(user, channel):
        blocker = _locked(blocker)
        _require_verify(user, blocker)
        if blocker.status == Blocker.Status.STRUCK_OFF:
            raise BlockerError(_("堵点已销号。"))
        if blocker.status != Blocker.Status.SOLVED:
            raise BlockerError(
                _("只能对已解决的堵点销号(当前:%(status)s)。") % {"status": _status_name(blocker)}
            )
        blocker.status = Blocker.Status.STRUCK_OFF
        blocker.struck_off_by = user
        blocker.struck_off_date = date or timezone.localdate()
        blocker.save()
        action_log(blocker, "blocker_strike_off", user=user, data={"date": blocker.struck_off_date})
        return blocker


def blocker_reopen(*, blocker: Blocker, reason: str, user: Any, channel: str = "web") -> Blocker:
    """The supervisor sends a solution back: the blocker is in progress again, with the reason on record."""
    with transaction.atomic(), acting_as(user, channel):
        blocker = _locked(blocker)
        _require_verify(user, blocker)
        if blocker.status != Blocker.Status.SOLVED:
            raise BlockerError(_("只能退回已解决、未销号的堵点。"))
        if not reason.strip():
            raise BlockerError(_("退回须写明原因。"))
        today = timezone.localdate().isoformat()
        blocker.description = f"{blocker.description.rstrip()}\n【{today} 退回】{reason.strip()}".strip()
        blocker.status = Blocker.Status.IN_PROGRESS if blocker.department_id else Blocker.Status.RAISED
        blocker.solved_date = None
        blocker.save()
        action_log(
            blocker, "blocker_reopen", user=user, data={"reason": reason.strip(), "summary": reason.strip()}
        )
        return blocker


def blocker_save(form: Any, user: Any) -> Blocker:
    """The saver of the blocker form: a new one is raised through the service, an edit is a plain save."""

    try:
        if form.instance._state.adding:
            data = form.cleaned_data
            return blocker_raise(
                project=data["project"],
                title=data["title"],
                description=data.get("description", ""),
                department=data.get("department"),
                deadline=data.get("deadline"),
                user=user,
            )
        return object_save(instance=form.save(commit=False), user=user)
    except BlockerError as error:
        raise ValidationError(str(error)) from error


# --- escalation -------------------------------------------------------------------------------------------


def escalation_settings(district: District) -> dict[str, int]:
    custom = (district.settings or {}).get("blockers") or {}
    merged = {**ESCALATION_DEFAULTS, **{k: v for k, v in custom.items() if k in ESCALATION_DEFAULTS}}
    return {k: max(1 if k == "escalate_every_days" else 0, int(v)) for k, v in merged.items()}


def blocker_due_level(blocker: Blocker, today: datetime.date, settings: dict[str, int]) -> int:
    """The level an open blocker should have reached: 1 on the first day past its deadline, one more every
    `escalate_every_days` days after that, at most `max_level`."""
    if not blocker.open or blocker.deadline is None or blocker.deadline >= today:
        return 0
    overdue = (today - blocker.deadline).days
    return min(settings["max_level"], 1 + (overdue - 1) // settings["escalate_every_days"])


def blockers_escalate(
    *,
    user: Any,
    today: datetime.date | None = None,
    district: District | None = None,
    channel: str = "job",
    progress: Any = None,
) -> dict[str, Any]:
    """Raise by one the level of every open blocker past its deadline whose level is below its due level.

    Idempotent per blocker per day: an escalation records the day it was made for (`escalated_on`, the given
    `today`, not the wall clock), and a blocker already escalated for that day or a later one is left alone.
    Running twice for the same day — today or a past one — raises a blocker once; catching up over missed days,
    oldest first, raises it one level a day; running for a day before its last escalation changes nothing."""
    today = today or timezone.localdate()
    with transaction.atomic(), acting_as(user, channel):
        blockers = (
            Blocker.objects.restrict(user, "change")
            .filter(status__in=OPEN, deadline__lt=today)
            .select_related("project__district", "department")
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        if district is not None:
            blockers = blockers.filter(project__district=district)
        candidates = list(blockers)
        escalated = []
        for index, blocker in enumerate(candidates, 1):
            if progress is not None:
                progress(index - 1, len(candidates), blocker.title)
            if blocker.escalated_on is not None and blocker.escalated_on >= today:
                continue  # already escalated for this day (or a later one): read after the row lock
            due = blocker_due_level(blocker, today, escalation_settings(blocker.project.district))
            if blocker.level >= due:
                continue
            blocker.level += 1
            blocker.escalated_on = today
            blocker.save(update_fields=["level", "escalated_on", "updated"])
            action_log(
                blocker,
                "blocker_escalate",
                user=user,
                data={"level": blocker.level, "date": today, "summary": level_label(blocker.level)},
            )
            escalated.append({"id": blocker.pk, "title": blocker.title, "level": blocker.level})
        return {"date": today.isoformat(), "checked": len(candidates), "escalated": escalated}


@job_runner("blockers-escalate")
def run_blockers_escalate(job: Job, progress: Any) -> dict[str, Any]:
    """Params: `district` (id, optional), `date` (ISO, optional: today)."""
    district = None
    if job.params.get("district"):
        district = District.objects.restrict(job.user, "change").get(pk=job.params["district"])
    date = job.params.get("date")
    return blockers_escalate(
        user=job.user,
        today=datetime.date.fromisoformat(date) if date else None,
        district=district,
        channel="job",
        progress=progress,
    )


# --- reads ------------------------------------------------------------------------------------------------


@dataclass
class BoardCell:
    status: str
    count: int = 0
    cards: list[Blocker] = field(default_factory=list)

    @property
    def more(self) -> int:
        """Blockers of the cell not on the chart (the list behind the cell's link has them all)."""
        return max(0, self.count - len(self.cards))


@dataclass
class BoardRow:
    department: Department | None
    label: str
    cells: list[BoardCell]
    overdue: int = 0

    @property
    def open(self) -> int:
        return sum(c.count for c in self.cells if c.status in OPEN)


CARDS_PER_CELL = 12
STRUCK_OFF_SHOWN_DAYS = 30


def blocker_board(
    user: Any, *, district: District | None = None, today: datetime.date | None = None
) -> dict[str, Any]:
    """The chart (挂图): departments × statuses with counts and at most `CARDS_PER_CELL` cards a cell (most
    escalated, then earliest deadline first); three queries and a bounded number of rows whatever the size:
    the counts (overdue ones too) are aggregated by the database, the cards picked by a window function."""
    today = today or timezone.localdate()
    blockers = Blocker.objects.restrict(user, "view")
    if district is not None:
        blockers = blockers.filter(project__district=district)
    counts: dict[tuple[int | None, str], int] = {}
    overdue_by_department: dict[int | None, int] = {}
    grouped = (
        blockers.order_by()
        .values("department_id", "status")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=overdue_blockers_q(today)))
    )
    for row in grouped:
        counts[(row["department_id"], row["status"])] = row["n"]
        if row["overdue"]:
            department = row["department_id"]
            overdue_by_department[department] = overdue_by_department.get(department, 0) + row["overdue"]
    order = [F("level").desc(), F("deadline").asc(), F("pk").asc()]
    shown = (
        blockers.exclude(
            status=Blocker.Status.STRUCK_OFF,
            struck_off_date__lt=today - datetime.timedelta(days=STRUCK_OFF_SHOWN_DAYS),
        )
        .annotate(place=Window(RowNumber(), partition_by=[F("department_id"), F("status")], order_by=order))
        .filter(place__lte=CARDS_PER_CELL)
        .select_related("project")
        .order_by(*order)
    )
    cards: dict[tuple[int | None, str], list[Blocker]] = {}
    for blocker in shown:
        blocker.overdue = blocker.open and blocker.deadline is not None and blocker.deadline < today
        cards.setdefault((blocker.department_id, blocker.status), []).append(blocker)
    departments: dict[int | None, Department | None] = {None: None}
    ids = {d for d, _s in counts if d is not None}
    for department in Department.objects.filter(pk__in=ids).select_related("district"):
        departments[department.pk] = department
    statuses = [code for code, _label in Blocker.Status.choices]
    # Seen city-wide, every district has its own 自然资源: the row then names the district too.
    several = len({d.district_id for d in departments.values() if d is not None}) > 1
    rows = []
    for pk, department in departments.items():
        cells = [BoardCell(s, counts.get((pk, s), 0), cards.get((pk, s), [])) for s in statuses]
        if not any(c.count for c in cells):
            continue
        if department is None:
            label = str(_("未交办"))
        else:
            label = f"{department.district.name} {department}" if several else str(department)
        rows.append(BoardRow(department, label, cells, overdue_by_department.get(pk, 0)))
    rows.sort(key=lambda r: (r.department is None, -r.open, r.label))
    chart = [{"department": r.label, "open": r.open, "overdue": r.overdue} for r in rows if r.open]
    totals = [sum(counts.get((pk, s), 0) for pk in departments) for s in statuses]
    return {
        "rows": rows,
        "statuses": list(zip(statuses, [label for _c, label in Blocker.Status.choices], totals, strict=True)),
        "chart": chart,
        "open_total": sum(n for (_d, s), n in counts.items() if s in OPEN),
        "overdue_total": sum(overdue_by_department.values()),
        "cards_per_cell": CARDS_PER_CELL,
        "today": today,
    }


def project_blockers(project: Project) -> Any:
    today = timezone.localdate()
    blockers = list(project.blockers.filter(status__in=OPEN).select_related("department"))
    for blocker in blockers:
        blocker.overdue = blocker.deadline is not None and blocker.deadline < today
    return blockers


def overdue_blockers_q(today: datetime.date) -> Q:
    return Q(status__in=OPEN, deadline__lt=today)

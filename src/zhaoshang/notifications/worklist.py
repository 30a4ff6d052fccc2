"""我的工作: what one person must do, in one place — their tasks, their department's approval steps and blockers,
the claims waiting for their verification, their target-firm follow-ups and the stale site records they own.

The same reads the reminders (`notifications.rules`) send, seen from the person: each section is a count (and how
many of them are late) and its first items, each item linking to its record. A fixed number of queries whatever
the size of the district: per section one aggregate and one slice; plus the profile, the scopes and the
districts (for the sites' verification periods).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.models import District, UserProfile
from zhaoshang.core.scope import user_scope
from zhaoshang.enterprises.models import TargetEntry
from zhaoshang.enterprises.selectors import OPEN as TARGET_OPEN
from zhaoshang.projects.models import Blocker, InvestmentCompletion, ProjectStep, StageMove, WeeklyTask
from zhaoshang.sites.models import Site
from zhaoshang.sites.selectors import stale_days, stale_q

# How far ahead "due" looks, per kind of work (days).
TASK_AHEAD = 7
STEP_AHEAD = 7
FOLLOWUP_AHEAD = 3
ITEMS_PER_SECTION = 20
# On the page a section shows its first few items; the rest of its 20 open under "还有 N 项" (a <details>, so no
# script is needed under the CSP) — a full page of six sections is otherwise six screens long on a phone.
FOLD_AFTER = 5

OPEN_BLOCKERS = (Blocker.Status.RAISED, Blocker.Status.ASSIGNED, Blocker.Status.IN_PROGRESS)


@dataclass(frozen=True)
class Item:
    title: str
    url: str
    context: str = ""  # the project, the firm, the district …
    due: datetime.date | None = None
    overdue: bool = False
    note: str = ""  # a state: "待审核", "已交办" …


@dataclass
class Section:
    key: str
    title: Any
    hint: Any
    count: int = 0
    overdue: int = 0
    items: list[Item] = field(default_factory=list)
    more_url: str = ""

    @property
    def more(self) -> int:
        return max(self.count - len(self.items), 0)

    @property
    def first(self) -> list[Item]:
        return self.items[:FOLD_AFTER]

    @property
    def folded(self) -> list[Item]:
        return self.items[FOLD_AFTER:]


@dataclass
class Worklist:
    sections: list[Section]
    today: datetime.date
    department: Any = None

    @property
    def count(self) -> int:
        return sum(s.count for s in self.sections)

    @property
    def overdue(self) -> int:
        return sum(s.overdue for s in self.sections)


def _profile(user: Any) -> UserProfile | None:
    return UserProfile.objects.filter(user=user).select_related("department").first()


def _counted(rows: QuerySet[Any], late: Q) -> tuple[int, int]:
    totals = rows.order_by().aggregate(n=Count("pk"), late=Count("pk", filter=late))
    return totals["n"] or 0, totals["late"] or 0


def _url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


def _tasks(user: Any, profile: UserProfile | None, today: datetime.date, limit: int) -> Section:
    mine = Q(owner=user)
    if profile is not None and profile.department_id:
        mine |= Q(department_id=profile.department_id)
    rows = (
        WeeklyTask.objects.restrict(user, "view")
        .filter(mine)
        .exclude(status=WeeklyTask.Status.DONE)
        .filter(due_date__lte=today + datetime.timedelta(days=TASK_AHEAD))
    )
    section = Section(
        "tasks",
        _("我的任务"),
        _("本人负责和交给本部门的周任务,一周内到期和已逾期的。"),
        more_url=_url("my_tasks"),
    )
    section.count, section.overdue = _counted(rows, Q(due_date__lt=today))
    for task in rows.select_related("project").order_by("due_date", "pk")[:limit]:
        section.items.append(
            Item(
                title=task.title,
                url=_url("project_delivery", task.project_id),
                context=task.project.name,
                due=task.due_date,
                overdue=task.due_date < today,
                note=task.get_status_display(),
            )
        )
    return section


def _steps(user: Any, profile: UserProfile | None, today: datetime.date, limit: int) -> Section:
    section = Section(
        "steps",
        _("本部门的审批环节"),
        _("本部门办理的审批环节,计划一周内办结和已超期的。"),
        more_url=_url("delivery_time"),
    )
    if profile is None or not profile.department_id:
        return section
    rows = (
        ProjectStep.objects.restrict(user, "view")
        .filter(department_id=profile.department_id, planned_finish__isnull=False)
        .exclude(status=ProjectStep.Status.DONE)
        .filter(planned_finish__lte=today + datetime.timedelta(days=STEP_AHEAD))
    )
    section.count, section.overdue = _counted(rows, Q(planned_finish__lt=today))
    for step in rows.select_related("project").order_by("planned_finish", "pk")[:limit]:
        section.items.append(
            Item(
                title=f"{step.code} {step.name}",
                url=_url("project_delivery", step.project_id),
                context=step.project.name,
                due=step.planned_finish,
                overdue=step.planned_finish is not None and step.planned_finish < today,
                note=step.get_status_display(),
            )
        )
    return section


def _blockers(user: Any, profile: UserProfile | None, today: datetime.date, limit: int) -> Section:
    section = Section(
        "blockers",
        _("交给本部门的堵点"),
        _("交办给本部门、尚未解决的堵点;超过办结时限的标红。"),
        more_url=_url("blocker_board"),
    )
    if profile is None or not profile.department_id:
        return section
    rows = (
        Blocker.objects.restrict(user, "view")
        .filter(department_id=profile.department_id, status__in=OPEN_BLOCKERS)
        .order_by()
    )
    section.count, section.overdue = _counted(rows, Q(deadline__lt=today))
    ordered = rows.select_related("project").order_by(F("deadline").asc(nulls_last=True), "pk")
    for blocker in ordered[:limit]:
        section.items.append(
            Item(
                title=blocker.title,
                url=_url("blocker_detail", blocker.pk),
                context=blocker.project.name,
                due=blocker.deadline,
                overdue=blocker.deadline is not None and blocker.deadline < today,
                note=blocker.get_status_display(),
            )
        )
    return section


def _verifications(user: Any, today: datetime.date, limit: int) -> Section:
    """Claims waiting for this person: stage moves and monthly investment completions of the districts where
    they may verify, which someone else reported (nobody verifies their own)."""
    section = Section(
        "verify",
        _("待我审核"),
        _("阶段变更和投资完成额申报,由他人提交、等待有审核权限的人核实。"),
        more_url=_url("review_queue"),
    )
    if user_scope(user, "verify").empty:
        return section
    moves = (
        StageMove.objects.restrict(user, "verify")
        .filter(verified_at__isnull=True, rejected_reason="")
        .exclude(requested_by=user)
    )
    completions = (
        InvestmentCompletion.objects.restrict(user, "verify")
        .filter(verified_at__isnull=True)
        .exclude(reported_by=user)
    )
    # Waiting more than a week counts as late: a claim should not sit in the queue.
    week_ago = timezone.now() - datetime.timedelta(days=7)
    moves_n, moves_late = _counted(moves, Q(created__lt=week_ago))
    done_n, done_late = _counted(completions, Q(created__lt=week_ago))
    section.count, section.overdue = moves_n + done_n, moves_late + done_late
    for move in moves.select_related("project").order_by("created", "pk")[:limit]:
        section.items.append(
            Item(
                title=_("阶段变更:%(from)s → %(to)s")
                % {"from": move.get_from_stage_display(), "to": move.get_to_stage_display()},
                url=_url("project_detail", move.project_id),
                context=move.project.name,
                due=move.date,
                overdue=move.created < week_ago,
                note=_("待审核"),
            )
        )
    rest = max(limit - len(section.items), 0)
    for entry in completions.select_related("project").order_by("created", "pk")[:rest]:
        section.items.append(
            Item(
                title=_("投资完成额 %(month)s") % {"month": entry.month.strftime("%Y-%m")},
                url=_url("project_detail", entry.project_id),
                context=entry.project.name,
                due=entry.month,
                overdue=entry.created < week_ago,
                note=_("待审核"),
            )
        )
    return section


def _followups(user: Any, profile: UserProfile | None, today: datetime.date, limit: int) -> Section:
    mine = Q(owner=user)
    if profile is not None and profile.department_id:
        mine |= Q(owner__isnull=True, team__lead_department_id=profile.department_id)
    rows = (
        TargetEntry.objects.restrict(user, "view")
        .filter(mine, status__in=TARGET_OPEN)
        .filter(next_action_date__lte=today + datetime.timedelta(days=FOLLOWUP_AHEAD))
    )
    section = Section(
        "followups",
        _("我的目标企业跟进"),
        _("本人负责(或本部门牵头专班)的目标企业,下一步跟进三天内到期和已逾期的。"),
        more_url=_url("target_list"),
    )
    section.count, section.overdue = _counted(rows, Q(next_action_date__lt=today))
    for entry in rows.select_related("enterprise").order_by("next_action_date", "pk")[:limit]:
        section.items.append(
            Item(
                title=entry.next_action or _("跟进"),
                url=_url("target_detail", entry.pk),
                context=entry.enterprise.name,
                due=entry.next_action_date,
                overdue=entry.next_action_date is not None and entry.next_action_date < today,
                note=entry.get_status_display(),
            )
        )
    return section


def _stale_sites(user: Any, today: datetime.date, limit: int) -> Section:
    section = Section(
        "sites",
        _("待核实的地块"),
        _("本人是数据责任人、超过核实周期未核实的地块。"),
        more_url=_url("sites_stale"),
    )
    districts = list(District.objects.restrict(user, "view").only("pk", "settings"))
    if not districts:
        return section
    rows = Site.objects.restrict(user, "view").filter(stale_q(districts, today), data_owner=user)
    # Every one of them is past its period: all of them are late.
    section.count, section.overdue = _counted(rows, Q(pk__isnull=False))
    period = {d.pk: datetime.timedelta(days=stale_days(d)) for d in districts}
    for site in rows.order_by("verified_on", "code", "pk")[:limit]:
        # Due again one period after the last check (never checked: due now).
        due = (
            site.verified_on + period[site.district_id]
            if site.verified_on and site.district_id in period
            else None
        )
        section.items.append(
            Item(
                title=f"{site.code} {site.name}",
                url=_url("site_detail", site.pk),
                context=_("上次核实 %(d)s") % {"d": site.verified_on or "—"},
                due=due,
                overdue=True,
            )
        )
    return section


SectionReader = Callable[..., Section]


def worklist(user: Any, *, today: datetime.date | None = None, limit: int = ITEMS_PER_SECTION) -> Worklist:
    """The person's worklist: every section, even an empty one (so the page always shows all six counts)."""
    today = today or timezone.localdate()
    profile = _profile(user)
    sections = [
        _tasks(user, profile, today, limit),
        _steps(user, profile, today, limit),
        _blockers(user, profile, today, limit),
        _verifications(user, today, limit),
        _followups(user, profile, today, limit),
        _stale_sites(user, today, limit),
    ]
    return Worklist(sections, today, profile.department if profile else None)


def worklist_counts(user: Any, *, today: datetime.date | None = None) -> Worklist:
    """The counts alone (home, inbox header): the same sections without their items."""
    return worklist(user, today=today, limit=0)

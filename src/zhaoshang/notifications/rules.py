"""The rules: which events are due today, read from the data other apps keep (nothing is written here).

Each rule is one query (values only, no model instances) over the districts it runs for, whatever their size, so
a run over 10,000 projects and 200,000 tasks costs a constant number of queries per rule. An event names the
people responsible (`persons`) or the department (`department_id`), whose staff in the district are told when
no person is named; `also` are told in any case (who raised a blocker hears it was solved).

An event key names the event and the state it is in (a step re-planned to a new date is a new event), so the
same event never reaches a person twice, and a changed one does.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.enterprises.models import TargetEntry
from zhaoshang.notifications.models import Rule
from zhaoshang.projects.models import Blocker, Project, ProjectStep, StageMove, WeeklyTask
from zhaoshang.projects.selectors import assessed_statuses, reason_text
from zhaoshang.projects.stages import DEFAULT_STAGES
from zhaoshang.sites.models import Site
from zhaoshang.sites.selectors import stale_q

# Days ahead for "due soon"; for events that happened (raised, escalated, solved), how far back a first run looks.
DEFAULT_LEAD_DAYS: dict[str, int] = {
    Rule.STEP_DUE: 3,
    Rule.STEP_OVERDUE: 0,
    Rule.TASK_DUE: 1,
    Rule.TASK_OVERDUE: 0,
    Rule.BLOCKER_RAISED: 3,
    Rule.BLOCKER_ESCALATED: 3,
    Rule.BLOCKER_SOLVED: 3,
    Rule.BLOCKER_STRUCK_OFF: 3,
    Rule.MOVE_VERIFY: 0,
    Rule.FOLLOWUP_DUE: 2,
    Rule.SITE_STALE: 0,
    Rule.PROJECT_CARD: 0,
}


@dataclass(frozen=True)
class Event:
    rule: str
    key: str
    district_id: int
    title: str
    body: str = ""
    url: str = ""
    due: datetime.date | None = None
    persons: tuple[int, ...] = ()
    department_id: int | None = None
    also: tuple[int, ...] = ()
    exclude: tuple[int, ...] = field(default=())
    verifiers: bool = False  # told: the users with the `verify` right in the district


@dataclass(frozen=True)
class RuleContext:
    today: datetime.date
    # district id → lead days, for the districts where the rule is on
    lead: dict[int, int]

    def by_lead(self) -> dict[int, list[int]]:
        groups: dict[int, list[int]] = defaultdict(list)
        for district_id, days in self.lead.items():
            groups[days].append(district_id)
        return groups


_PK = 987654321  # a placeholder id: each URL is reversed once per name, then filled in per event


@functools.lru_cache(maxsize=64)
def _url_template(name: str, with_pk: bool) -> str:
    try:
        return reverse(name, args=[_PK]) if with_pk else reverse(name)
    except NoReverseMatch:
        return ""


def _url(name: str, pk: int | None = None) -> str:
    if pk is None:
        return _url_template(name, False)
    return _url_template(name, True).replace(str(_PK), str(pk))


def _persons(*ids: int | None) -> tuple[int, ...]:
    return tuple(dict.fromkeys(i for i in ids if i))


def _date_window(ctx: RuleContext, field_name: str, *, ahead: bool) -> Q:
    """Per lead-days group: `field` within [today, today+lead] (ahead) or [today-lead, today] (back)."""
    condition = Q(pk__in=[])
    for days, ids in ctx.by_lead().items():
        low, high = (
            (ctx.today, ctx.today + datetime.timedelta(days=days))
            if ahead
            else (ctx.today - datetime.timedelta(days=days), ctx.today)
        )
        condition |= Q(**{"project__district_id__in": ids, f"{field_name}__range": (low, high)})
    return condition


def steps(ctx: RuleContext, *, overdue: bool) -> Iterator[Event]:
    rows = ProjectStep.objects.exclude(status=ProjectStep.Status.DONE).filter(
        project__district_id__in=list(ctx.lead)
    )
    if overdue:
        rows = rows.filter(planned_finish__lt=ctx.today)
    else:
        rows = rows.filter(_date_window(ctx, "planned_finish", ahead=True))
    rule = Rule.STEP_OVERDUE if overdue else Rule.STEP_DUE
    # Translated once per run, not per row: a large district has tens of thousands of rows.
    late_text, plan_text = _("已逾期 %(n)s 天"), _("计划 %(d)s 办结")
    title_text, body_text = _("审批环节 %(code)s %(name)s %(state)s"), _("项目:%(project)s")
    for r in rows.values(
        "pk", "code", "name", "planned_finish", "department_id", "project_id", "project__name",
        "project__district_id", "project__officer_id",
    ).iterator(chunk_size=2000):  # fmt: skip
        late = (ctx.today - r["planned_finish"]).days
        state = late_text % {"n": late} if overdue else plan_text % {"d": r["planned_finish"]}
        yield Event(
            rule=rule,
            key=f"step:{r['pk']}:{r['planned_finish']}",
            district_id=r["project__district_id"],
            title=title_text % {"code": r["code"], "name": r["name"], "state": state},
            body=body_text % {"project": r["project__name"]},
            url=_url("project_delivery", r["project_id"]),
            due=r["planned_finish"],
            department_id=r["department_id"],
            persons=() if r["department_id"] else _persons(r["project__officer_id"]),
        )


def tasks(ctx: RuleContext, *, overdue: bool) -> Iterator[Event]:
    rows = WeeklyTask.objects.exclude(status=WeeklyTask.Status.DONE).filter(
        project__district_id__in=list(ctx.lead)
    )
    if overdue:
        rows = rows.filter(due_date__lt=ctx.today)
    else:
        rows = rows.filter(_date_window(ctx, "due_date", ahead=True))
    rule = Rule.TASK_OVERDUE if overdue else Rule.TASK_DUE
    late_text, due_text = _("已逾期"), _("%(d)s 到期")
    title_text, body_text, url = _("周任务「%(title)s」%(state)s"), _("项目:%(project)s"), _url("my_tasks")
    for r in rows.values(
        "pk", "title", "due_date", "owner_id", "department_id", "project_id", "project__name",
        "project__district_id", "project__officer_id",
    ).iterator(chunk_size=2000):  # fmt: skip
        state = late_text if overdue else due_text % {"d": r["due_date"]}
        yield Event(
            rule=rule,
            key=f"task:{r['pk']}:{r['due_date']}",
            district_id=r["project__district_id"],
            title=title_text % {"title": r["title"], "state": state},
            body=body_text % {"project": r["project__name"]},
            url=url,
            due=r["due_date"],
            persons=_persons(r["owner_id"])
            or (() if r["department_id"] else _persons(r["project__officer_id"])),
            department_id=r["department_id"],
        )


_BLOCKER_FIELDS = (
    "pk", "title", "level", "deadline", "department_id", "raised_by_id", "project_id", "project__name",
    "project__district_id", "project__officer_id", "created", "escalated_on", "solved_date", "struck_off_date",
)  # fmt: skip


def blockers_raised(ctx: RuleContext) -> Iterator[Event]:
    condition = Q(pk__in=[])
    for days, ids in ctx.by_lead().items():
        since = timezone.make_aware(
            datetime.datetime.combine(ctx.today - datetime.timedelta(days=days), datetime.time.min)
        )
        condition |= Q(project__district_id__in=ids, created__gte=since)
    rows = Blocker.objects.filter(condition).exclude(status=Blocker.Status.STRUCK_OFF)
    for r in rows.values(*_BLOCKER_FIELDS).iterator(chunk_size=2000):
        yield Event(
            rule=Rule.BLOCKER_RAISED,
            key=f"blocker:{r['pk']}",
            district_id=r["project__district_id"],
            title=_("新堵点:%(title)s") % {"title": r["title"]},
            body=_("项目:%(project)s;办结时限:%(deadline)s")
            % {"project": r["project__name"], "deadline": r["deadline"] or "—"},
            url=_url("blocker_detail", r["pk"]),
            due=r["deadline"],
            department_id=r["department_id"],
            persons=() if r["department_id"] else _persons(r["project__officer_id"]),
            exclude=_persons(r["raised_by_id"]),
        )


def blockers_escalated(ctx: RuleContext) -> Iterator[Event]:
    rows = Blocker.objects.filter(_date_window(ctx, "escalated_on", ahead=False), level__gt=0).exclude(
        status__in=[Blocker.Status.SOLVED, Blocker.Status.STRUCK_OFF]
    )
    for r in rows.values(*_BLOCKER_FIELDS).iterator(chunk_size=2000):
        yield Event(
            rule=Rule.BLOCKER_ESCALATED,
            key=f"blocker:{r['pk']}:level{r['level']}",
            district_id=r["project__district_id"],
            title=_("堵点升级为 %(level)s 级督办:%(title)s") % {"level": r["level"], "title": r["title"]},
            body=_("项目:%(project)s;办结时限:%(deadline)s")
            % {"project": r["project__name"], "deadline": r["deadline"] or "—"},
            url=_url("blocker_detail", r["pk"]),
            due=r["deadline"],
            department_id=r["department_id"],
            also=_persons(r["project__officer_id"]),
        )


def blockers_solved(ctx: RuleContext) -> Iterator[Event]:
    rows = Blocker.objects.filter(_date_window(ctx, "solved_date", ahead=False), status=Blocker.Status.SOLVED)
    for r in rows.values(*_BLOCKER_FIELDS).iterator(chunk_size=2000):
        yield Event(
            rule=Rule.BLOCKER_SOLVED,
            key=f"blocker:{r['pk']}",
            district_id=r["project__district_id"],
            title=_("堵点已解决,待销号:%(title)s") % {"title": r["title"]},
            body=_("项目:%(project)s") % {"project": r["project__name"]},
            url=_url("blocker_detail", r["pk"]),
            persons=_persons(r["raised_by_id"], r["project__officer_id"]),
        )


def blockers_struck_off(ctx: RuleContext) -> Iterator[Event]:
    rows = Blocker.objects.filter(
        _date_window(ctx, "struck_off_date", ahead=False), status=Blocker.Status.STRUCK_OFF
    )
    for r in rows.values(*_BLOCKER_FIELDS).iterator(chunk_size=2000):
        yield Event(
            rule=Rule.BLOCKER_STRUCK_OFF,
            key=f"blocker:{r['pk']}",
            district_id=r["project__district_id"],
            title=_("堵点已销号:%(title)s") % {"title": r["title"]},
            body=_("项目:%(project)s") % {"project": r["project__name"]},
            url=_url("blocker_detail", r["pk"]),
            department_id=r["department_id"],
            also=_persons(r["raised_by_id"]),
        )


STAGES = {code: label for code, label in DEFAULT_STAGES}


def moves_to_verify(ctx: RuleContext) -> Iterator[Event]:
    rows = StageMove.objects.filter(
        project__district_id__in=list(ctx.lead), verified_at__isnull=True, rejected_reason=""
    )
    for r in rows.values(
        "pk", "from_stage", "to_stage", "date", "requested_by_id", "project__name", "project__district_id"
    ).iterator(chunk_size=2000):
        yield Event(
            rule=Rule.MOVE_VERIFY,
            key=f"move:{r['pk']}",
            district_id=r["project__district_id"],
            title=_("阶段变更待审核:%(project)s") % {"project": r["project__name"]},
            body=_("%(from)s → %(to)s,发生日期 %(date)s")
            % {
                "from": STAGES.get(r["from_stage"], r["from_stage"]),
                "to": STAGES.get(r["to_stage"], r["to_stage"]),
                "date": r["date"],
            },
            url=_url("review_queue"),
            verifiers=True,
            exclude=_persons(r["requested_by_id"]),  # the author does not verify their own move
        )


def followups(ctx: RuleContext) -> Iterator[Event]:
    condition = Q(pk__in=[])
    for days, ids in ctx.by_lead().items():
        condition |= Q(district_id__in=ids, next_action_date__lte=ctx.today + datetime.timedelta(days=days))
    rows = TargetEntry.objects.filter(condition).exclude(
        status__in=[TargetEntry.Status.CONVERTED, TargetEntry.Status.DROPPED]
    )
    rows = rows.filter(Q(owner__isnull=False) | Q(team__lead_department__isnull=False))
    for r in rows.values(
        "pk", "next_action", "next_action_date", "owner_id", "team__lead_department_id", "enterprise__name",
        "district_id",
    ).iterator(chunk_size=2000):  # fmt: skip
        late = r["next_action_date"] < ctx.today
        yield Event(
            rule=Rule.FOLLOWUP_DUE,
            key=f"target:{r['pk']}:{r['next_action_date']}",
            district_id=r["district_id"],
            title=(_("目标企业跟进已逾期:%(name)s") if late else _("目标企业跟进到期:%(name)s"))
            % {"name": r["enterprise__name"]},
            body=_("下一步:%(action)s(%(date)s)")
            % {"action": r["next_action"] or "—", "date": r["next_action_date"]},
            url=_url("target_detail", r["pk"]),
            due=r["next_action_date"],
            persons=_persons(r["owner_id"]),
            department_id=None if r["owner_id"] else r["team__lead_department_id"],
        )


def stale_sites(ctx: RuleContext, districts: Iterable[object]) -> Iterator[Event]:
    """One reminder a week per data owner: how many of their sites wait to be verified."""
    chosen = [d for d in districts if getattr(d, "pk", None) in ctx.lead]
    if not chosen:
        return
    week = ctx.today.isocalendar()
    rows = (
        Site.objects.filter(
            stale_q(chosen, ctx.today), district_id__in=list(ctx.lead), data_owner__isnull=False
        )
        .order_by()
        .values("district_id", "data_owner_id")
        .annotate(n=Count("pk"))
    )
    for r in rows:
        yield Event(
            rule=Rule.SITE_STALE,
            key=f"sites:{r['district_id']}:{week.year}-W{week.week:02d}",
            district_id=r["district_id"],
            title=_("%(n)s 个地块数据待核实") % {"n": r["n"]},
            body=_("超过核实周期未核实的地块,请核实后更新核实日期。"),
            url=_url("sites_stale"),
            persons=_persons(r["data_owner_id"]),
        )


def project_cards(ctx: RuleContext) -> Iterator[Event]:
    """红黄牌: a project whose computed status (projects.selectors.assessed_statuses, a fixed number of queries)
    carries a card; yellow then red are two events."""
    projects = Project.objects.filter(district_id__in=list(ctx.lead))
    found = assessed_statuses(projects, ctx.today)
    if not found:
        return
    rows = projects.filter(pk__in=list(found)).values(
        "pk", "name", "district_id", "officer_id", "team__lead_department_id"
    )
    for r in rows.iterator(chunk_size=2000):
        assessment = found[r["pk"]]
        red = assessment.card.code == "red"
        yield Event(
            rule=Rule.PROJECT_CARD,
            key=f"card:{r['pk']}:{assessment.card.code}",
            district_id=r["district_id"],
            title=(_("项目亮红牌:%(name)s") if red else _("项目亮黄牌:%(name)s")) % {"name": r["name"]},
            body=";".join(reason_text(reason) for reason in assessment.reasons),
            url=_url("project_detail", r["pk"]),
            persons=_persons(r["officer_id"]),
            department_id=None if r["officer_id"] else r["team__lead_department_id"],
        )


RULES: dict[str, Callable[..., Iterator[Event]]] = {
    Rule.STEP_DUE: lambda ctx, districts: steps(ctx, overdue=False),
    Rule.STEP_OVERDUE: lambda ctx, districts: steps(ctx, overdue=True),
    Rule.TASK_DUE: lambda ctx, districts: tasks(ctx, overdue=False),
    Rule.TASK_OVERDUE: lambda ctx, districts: tasks(ctx, overdue=True),
    Rule.BLOCKER_RAISED: lambda ctx, districts: blockers_raised(ctx),
    Rule.BLOCKER_ESCALATED: lambda ctx, districts: blockers_escalated(ctx),
    Rule.BLOCKER_SOLVED: lambda ctx, districts: blockers_solved(ctx),
    Rule.BLOCKER_STRUCK_OFF: lambda ctx, districts: blockers_struck_off(ctx),
    Rule.MOVE_VERIFY: lambda ctx, districts: moves_to_verify(ctx),
    Rule.FOLLOWUP_DUE: lambda ctx, districts: followups(ctx),
    Rule.SITE_STALE: stale_sites,
    Rule.PROJECT_CARD: lambda ctx, districts: project_cards(ctx),
}

"""Reads for project pages: the ladder, the pending moves, the money in place by origin."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Max, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.analytics.schedule.approval_template import waiting_for_construction
from zhaoshang.analytics.status.rule import (
    Assessment,
    Card,
    ProjectFacts,
    Reason,
    StepFacts,
    Thresholds,
    WorkdayCounter,
    assess,
)
from zhaoshang.core.selectors import work_calendar
from zhaoshang.projects.delivery.approvals import approval_summary, gantt_data
from zhaoshang.projects.forms import StageMoveForm
from zhaoshang.projects.models import (
    FundsEntry,
    InvestmentCompletion,
    Origin,
    Project,
    ProjectStep,
    StageMove,
    StatusThresholds,
    WeeklyTask,
)
from zhaoshang.projects.services import LEDGER_EVIDENCE, can_verify
from zhaoshang.projects.stages import EVIDENCE_HINTS, STAGE_CODES, VERIFIED_STAGES, stage_index, stages_for


def funds_in_place(
    user: Any,
    *,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    origin: str | None = None,
) -> Decimal:
    """Funds in place in a period (e.g. out-of-province funds this year): a query, not a spreadsheet."""
    entries = FundsEntry.objects.restrict(user, "view")
    if since:
        entries = entries.filter(date__gte=since)
    if until:
        entries = entries.filter(date__lte=until)
    if origin:
        entries = entries.filter(origin=origin)
    return entries.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def project_detail_context(project: Project, user: Any) -> dict[str, Any]:
    current = stage_index(project.stage)
    ladder = [
        {
            "code": code,
            "label": label,
            "done": i < current,
            "current": i == current,
            "counted": code in VERIFIED_STAGES,
        }
        for i, (code, label) in enumerate(stages_for(project.district))
    ]
    funds = project.funds.all()
    by_origin = {o.value: Decimal(0) for o in Origin}
    for entry in funds:
        by_origin[entry.origin] += entry.amount
    moves = project.moves.select_related("requested_by", "verified_by")

    return {
        "approvals": approval_summary(project),
        "gantt": gantt_data(project),
        "steps": project.steps.select_related("department"),
        "ladder": ladder,
        "moves": moves,
        "pending": [m for m in moves if m.pending],
        "can_verify": can_verify(user, project),
        "move_form": StageMoveForm(
            initial={"date": datetime.date.today(), "to_stage": _next_stage(project.stage)}
        ),
        "evidence_hints": {k: str(v) for k, v in EVIDENCE_HINTS.items()},
        "funds": funds,
        "funds_total": sum(by_origin.values()),
        "funds_by_origin": [(label, by_origin[code]) for code, label in Origin.choices],
        "increases": project.increases.all(),
        "computed": status_display(assessed_statuses(Project.objects.filter(pk=project.pk)).get(project.pk)),
    }


def counted(projects: Any) -> Any:
    """The projects that enter a count: not terminated, and not standing on a claim still waiting for review (a
    project whose current, counted stage was reached only by a move nobody has verified yet)."""
    claims = StageMove.objects.filter(
        verified_at__isnull=True, rejected_reason="", to_stage__in=VERIFIED_STAGES
    ).values("project_id")
    unverified = Q(stage__in=VERIFIED_STAGES, pk__in=claims) & ~Q(
        moves__verified_at__isnull=False, moves__to_stage=F("stage")
    )
    return projects.exclude(status=Project.Status.TERMINATED).exclude(
        pk__in=Project.objects.filter(unverified).values("pk")
    )


def stage_funnel(projects: Any, stages: Any, district_id: int) -> dict[str, Any]:
    """The funnel of a district's projects: one bar per stage of the projects that count (`counted`: not
    terminated, not standing on an unverified claim), each opening the project list that holds exactly its
    number; terminated projects are their own figure (终止 N), never in a stage bar."""
    by_stage = dict(counted(projects).values_list("stage").annotate(n=Count("pk")).order_by())
    terminated = projects.filter(status=Project.Status.TERMINATED).count()
    lists = reverse("project_list")
    return {
        "bars": [
            {
                "code": code,
                "name": str(label),
                "value": by_stage.get(code, 0),
                "url": f"{lists}?district={district_id}&stage={code}&counted=true",
            }
            for code, label in stages
        ],
        "terminated": {
            "count": terminated,
            "url": f"{lists}?district={district_id}&status={Project.Status.TERMINATED}",
        },
    }


def majors(projects: Any) -> Any:
    """省市重大项目: the provincial and municipal tiers, as counted."""
    return counted(projects).filter(tier__in=[Project.Tier.PROVINCIAL, Project.Tier.MUNICIPAL])


OVERDUE_START_STAGES = ["signed", "registered", "land"]


def overdue_start_of(projects: Any, today: datetime.date | None = None) -> Any:
    """Signed projects past their promised start (超时限未开工): the list leaders ask for first."""
    today = today or datetime.date.today()
    return counted(projects).filter(stage__in=OVERDUE_START_STAGES, promised_start_date__lt=today)


def overdue_start(user: Any, today: datetime.date | None = None) -> Any:
    return overdue_start_of(Project.objects.restrict(user, "view"), today)


RESERVE_MINIMUM = 100


def project_overview(user: Any, today: datetime.date | None = None) -> dict[str, Any]:
    """The numbers a leader opens the day with; a fixed number of queries whatever the size of the book. Each
    is the count of a list filter (`filters.ProjectFilterSet`): the home page links to exactly these records."""

    today = today or datetime.date.today()
    visible = Project.objects.restrict(user, "view")
    projects = counted(visible)
    by_stage = dict(projects.values_list("stage").annotate(n=Count("pk")).order_by())
    major = majors(visible)
    year_start = today.replace(month=1, day=1)
    return {
        "by_stage": by_stage,
        "reserve": by_stage.get("reserve", 0),
        "reserve_minimum": RESERVE_MINIMUM,
        "majors": major.count(),
        "majors_investment": major.aggregate(total=Sum("total_investment"))["total"] or Decimal(0),
        "funds_since": year_start,
        "funds_until": today,
        "funds_outside_province": funds_in_place(
            user, since=year_start, until=today, origin="outside_province"
        ),
        "overdue_start": overdue_start_of(visible, today).count(),
        "cards": card_counts(visible, today),
        # Moves waiting for review in the districts this user may verify: exactly the review queue's rows (which
        # also lists the user's own claims, marked, that someone else must verify).
        "pending_review": pending_moves(user).count(),
    }


def _next_stage(stage: str) -> str:
    index = STAGE_CODES.index(stage)
    return STAGE_CODES[min(index + 1, len(STAGE_CODES) - 1)]


def pending_moves(user: Any) -> Any:
    return (
        StageMove.objects.restrict(user, "verify")
        .filter(verified_at__isnull=True, rejected_reason="")
        .select_related("project", "project__district", "requested_by")
        .order_by("project__district__adcode", "date", "pk")
    )


# -- the status from facts (红黄牌) ----------------------------------------------------------------------------

# Stages whose promise is kept: started (开工) and producing (投产); a stage before these still owes its promise.
_STARTED = set(STAGE_CODES[STAGE_CODES.index("started") :])
_PRODUCING = set(STAGE_CODES[STAGE_CODES.index("production") :])
_BUILT = set(STAGE_CODES[STAGE_CODES.index("completed") :])
# Where silence is a stall: signed until completed. A lead may wait; a plant in production has delivered.
_DELIVERY = set(STAGE_CODES[STAGE_CODES.index("signed") : STAGE_CODES.index("completed") + 1])
CARD_LABELS = {Card.YELLOW: gettext_lazy("黄牌"), Card.RED: gettext_lazy("红牌")}


def status_thresholds(district_ids: Any) -> dict[int, Thresholds]:
    """The thresholds of each district (the defaults where a district set none)."""
    rows = StatusThresholds.objects.filter(district_id__in=list(district_ids))
    return {row.district_id: row.rule() for row in rows}


def _workday_counter(first: datetime.date, last: datetime.date) -> WorkdayCounter:
    calendar = work_calendar()

    def is_workday(day: datetime.date) -> bool:
        try:
            return calendar.is_workday(day)
        except Exception:  # a date the calendar cannot place (before its years): Monday–Friday
            return day.weekday() < 5

    return WorkdayCounter(is_workday, first, last)


def assessed_statuses(projects: Any, today: datetime.date | None = None) -> dict[int, Assessment]:
    """The computed status of every project of ``projects`` (a queryset, already restricted) that has one worse
    than 正常; the others are absent. A fixed number of queries, whatever the size of the book."""
    today = today or datetime.date.today()
    active = projects.exclude(status=Project.Status.TERMINATED).exclude(stage__in=_PRODUCING).order_by()
    rows = list(
        active.annotate(
            last_move=Max("moves__date", filter=Q(moves__verified_at__isnull=False)),
        ).values(
            "pk",
            "district_id",
            "stage",
            "promised_start_date",
            "expected_production_date",
            "signed_date",
            "started_date",
            "last_move",
        )
    )
    if not rows:
        return {}
    open_steps: dict[int, list[StepFacts]] = {}
    last_step: dict[int, datetime.date] = {}
    steps = ProjectStep.objects.filter(project_id__in=active.values("pk")).order_by()
    overdue = list(
        steps.filter(planned_finish__lt=today, actual_finish__isnull=True)
        .exclude(status=ProjectStep.Status.DONE)
        .values_list("project_id", "code", "name", "planned_finish")
    )
    waiting = _waiting_for_building({pid for pid, *_rest in overdue} & building_ids(rows))
    for pid, code, name, due in overdue:
        if code in waiting.get(pid, ()):
            continue
        open_steps.setdefault(pid, []).append(StepFacts(code, name, due))
    for pid, finish, start in (
        steps.values("project_id")
        .annotate(f=Max("actual_finish"), s=Max("actual_start"))
        .values_list("project_id", "f", "s")
    ):
        dates = [d for d in (finish, start) if d is not None]
        if dates:
            last_step[pid] = max(dates)
    thresholds = status_thresholds({r["district_id"] for r in rows})
    dues = [s.due for found in open_steps.values() for s in found if s.due]
    dues += [r[k] for r in rows for k in ("promised_start_date", "expected_production_date") if r[k]]
    first = min([d for d in dues if d < today], default=today)
    counter = _workday_counter(first, today)
    result: dict[int, Assessment] = {}
    # Construction shows in money and in the team's work long before the next move: funds in place, a verified
    # month of 完成投资, a weekly task done are signs of life too (a project 8 months into an 18-month build is
    # not stalled because 竣工 is still ahead).
    work = _last_work(active.values("pk"), today)
    for row in rows:
        # The last sign of life: a verified move, a step begun or done, funds, completions or tasks, else the
        # signing or start typed.
        lives = [
            row["last_move"],
            last_step.get(row["pk"]),
            work.get(row["pk"]),
            row["signed_date"],
            row["started_date"],
        ]
        facts = ProjectFacts(
            steps=open_steps.get(row["pk"], ()),
            promised_start=row["promised_start_date"],
            started=row["stage"] in _STARTED,
            expected_production=row["expected_production_date"],
            producing=row["stage"] in _PRODUCING,
            in_delivery=row["stage"] in _DELIVERY,
            last_move=max((d for d in lives if d is not None), default=None),
        )
        found = assess(facts, today, thresholds.get(row["district_id"]), counter)
        if found.card:
            result[row["pk"]] = found
    return result


def building_ids(rows: list[dict[str, Any]]) -> set[int]:
    """The projects whose building is not finished (below 竣工)."""
    return {r["pk"] for r in rows if r["stage"] not in _BUILT}


def _waiting_for_building(ids: set[int]) -> dict[int, set[str]]:
    """Per project of ``ids``, the steps that wait for the building (`waiting_for_construction`: the completion
    acceptance, S12–S14). Before 竣工 they cannot be late by the departments' doing, and a late building is
    told once, by the production date. One query over the steps of the projects with an overdue step."""
    if not ids:
        return {}
    by_project: dict[int, list[tuple[str, int, list[str]]]] = {}
    rows = ProjectStep.objects.filter(project_id__in=ids).order_by()
    for pid, code, module, preds in rows.values_list("project_id", "code", "module", "predecessors"):
        by_project.setdefault(pid, []).append((code, module, preds or []))
    return {pid: waiting_for_construction(found)[1] for pid, found in by_project.items()}


def _last_work(ids: Any, today: datetime.date) -> dict[int, datetime.date]:
    """Per project, the latest day money or work was recorded: a funds entry, a verified month of 完成投资, a
    weekly task done (never later than today). Three grouped queries, whatever the number of projects."""
    latest: dict[int, datetime.date] = {}
    sources = (
        FundsEntry.objects.filter(project_id__in=ids, date__lte=today)
        .values("project_id")
        .annotate(d=Max("date")),
        InvestmentCompletion.objects.filter(project_id__in=ids, verified_at__isnull=False, amount__gt=0)
        .values("project_id")
        .annotate(d=Max("month")),
        WeeklyTask.objects.filter(project_id__in=ids, done_date__isnull=False, done_date__lte=today)
        .values("project_id")
        .annotate(d=Max("done_date")),
    )
    for rows in sources:
        for pid, day in rows.order_by().values_list("project_id", "d"):
            if day is not None and (pid not in latest or day > latest[pid]):
                latest[pid] = day
    return latest


def reason_text(reason: Reason) -> str:
    """One reason as a leader reads it."""
    if reason.kind == "step":
        return _("%(code)s %(name)s 超期 %(days)s 个工作日(应于 %(due)s 办结)") % {
            "code": reason.code,
            "name": reason.name,
            "days": reason.days,
            "due": reason.due,
        }
    if reason.kind == "steps":
        return _("%(n)s 个审批环节同时超期") % {"n": reason.count}
    if reason.kind == "start":
        return _("超过承诺开工日期 %(due)s 已 %(days)s 个工作日未开工") % {
            "due": reason.due,
            "days": reason.days,
        }
    if reason.kind == "production":
        return _("超过预计投产日期 %(due)s 已 %(days)s 个工作日未投产") % {
            "due": reason.due,
            "days": reason.days,
        }
    return _("自 %(since)s 起 %(months)s 个月以上没有核实的进展") % {
        "since": reason.since,
        "months": reason.months,
    }


def status_display(found: Assessment | None) -> dict[str, Any]:
    """What a page shows of a computed status: the status and card labels, the card's code, the reasons."""
    if found is None or not found.card:
        return {"status": _("正常"), "card": "", "card_label": "", "reasons": [], "title": ""}
    labels = {"delayed": _("滞后"), "stalled": _("停滞")}
    reasons = [reason_text(r) for r in found.reasons]
    return {
        "status": labels.get(found.status, found.status),
        "card": found.card.code,
        "card_label": CARD_LABELS[found.card],
        "reasons": reasons,
        "title": ";".join(reasons),
    }


CARD_FILTERS = {"red": (Card.RED,), "yellow": (Card.YELLOW,), "any": (Card.YELLOW, Card.RED)}


def with_card(projects: Any, card: str, today: datetime.date | None = None) -> Any:
    """The projects of ``projects`` whose computed card is ``card`` (red, yellow, or any)."""
    wanted = CARD_FILTERS.get(card, ())
    found = assessed_statuses(projects, today)
    return projects.filter(pk__in=[pk for pk, a in found.items() if a.card in wanted])


def card_counts(projects: Any, today: datetime.date | None = None) -> dict[str, int]:
    found = assessed_statuses(projects, today)
    red = sum(1 for a in found.values() if a.card == Card.RED)
    return {"red": red, "yellow": len(found) - red}


def project_list_context(objects: Any, user: Any) -> dict[str, Any]:
    """The list page's rows with their computed status (``row.computed``), for the 红黄牌 column."""
    rows = list(objects)
    found = assessed_statuses(Project.objects.filter(pk__in=[p.pk for p in rows]))
    for project in rows:
        project.computed = status_display(found.get(project.pk))
    return {"status_column": True}


def pending_batches(user: Any) -> list[dict[str, Any]]:
    """The claims of imported ledgers waiting for this reviewer, one row per import (who loaded it, which day):
    a batch is verified at once against the evidence (`services.stage_moves_verify_batch`)."""
    rows = (
        pending_moves(user)
        .filter(evidence_note__startswith=LEDGER_EVIDENCE)
        .order_by()
        .values("requested_by", "requested_by__username", "requested_by__first_name", "created__date")
        .annotate(n=Count("pk"))
        .order_by("created__date", "requested_by")
    )
    return [
        {
            "key": f"{r['requested_by']}:{r['created__date'].isoformat()}",
            "by": r["requested_by__first_name"] or r["requested_by__username"],
            "own": r["requested_by"] == user.pk and not user.is_superuser,
            "day": r["created__date"],
            "n": r["n"],
        }
        for r in rows
    ]


def batch_moves(user: Any, key: str) -> Any:
    """The pending ledger claims of one batch (``key`` from `pending_batches`)."""
    by, _sep, day = key.partition(":")
    try:
        date = datetime.date.fromisoformat(day)
    except ValueError:
        return StageMove.objects.none()
    if not by.isdigit():
        return StageMove.objects.none()
    return pending_moves(user).filter(
        evidence_note__startswith=LEDGER_EVIDENCE, requested_by_id=int(by), created__date=date
    )

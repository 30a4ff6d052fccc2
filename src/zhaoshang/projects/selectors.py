"""Reads for project pages: the ladder, the pending moves, the money in place by origin."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from zhaoshang.projects.delivery.approvals import approval_summary, gantt_data
from zhaoshang.projects.forms import StageMoveForm
from zhaoshang.projects.models import FundsEntry, Origin, Project, StageMove
from zhaoshang.projects.services import can_verify
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
    }


def overdue_start(user: Any, today: datetime.date | None = None) -> Any:
    """Signed projects past their promised start (超时限未开工): the list leaders ask for first."""
    today = today or datetime.date.today()
    return (
        Project.objects.restrict(user, "view")
        .filter(Q(stage__in=["signed", "registered", "land"]) & Q(promised_start_date__lt=today))
        .exclude(status=Project.Status.TERMINATED)
    )


RESERVE_MINIMUM = 100


def project_overview(user: Any, today: datetime.date | None = None) -> dict[str, Any]:
    """The numbers a leader opens the day with; a fixed number of queries whatever the size of the book."""

    today = today or datetime.date.today()
    projects = Project.objects.restrict(user, "view").exclude(status=Project.Status.TERMINATED)
    by_stage = dict(projects.values_list("stage").annotate(n=Count("pk")).order_by())
    majors = projects.filter(tier__in=[Project.Tier.PROVINCIAL, Project.Tier.MUNICIPAL])
    year_start = today.replace(month=1, day=1)
    return {
        "by_stage": by_stage,
        "reserve": by_stage.get("reserve", 0),
        "reserve_minimum": RESERVE_MINIMUM,
        "majors": majors.count(),
        "majors_investment": majors.aggregate(total=Sum("total_investment"))["total"] or Decimal(0),
        "funds_outside_province": funds_in_place(
            user, since=year_start, until=today, origin="outside_province"
        ),
        "overdue_start": overdue_start(user, today).count(),
        # Moves waiting for this user's review (none for those who may not verify).
        "pending_review": StageMove.objects.restrict(user, "verify")
        .filter(verified_at__isnull=True, rejected_reason="")
        .exclude(requested_by=user)
        .count(),
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

"""The ledger's own columns: claims read from dates, tier and list wordings, the holding stage."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from zhaoshang.core.widgets import (
    LookupWidget,
)
from zhaoshang.projects.models import (
    Project,
    StageMove,
)
from zhaoshang.projects.services import LEDGER_EVIDENCE
from zhaoshang.projects.stages import stage_index
from zhaoshang.standards import parsers

HOLD_STAGE = "negotiation"  # where a new project waits while the ledger's claimed stage is reviewed


class CurrentChainWidget(LookupWidget):
    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get_queryset(value, row, *args, **kwargs).filter(is_current=True)


# Columns read into stage claims, not fields: a ledger's dates are what it says happened, to be verified.
CLAIM_COLUMNS = {"started_claim": "started", "completed_claim": "completed", "production_claim": "production"}
NATURE_ALIASES = {
    "技改": Project.Nature.RETROFIT,
    "技术改造项目": Project.Nature.RETROFIT,
    "新建项目": Project.Nature.NEW,
}
IMPLEMENTATION_ALIASES = {
    "实施": Project.ImplementationClass.IMPLEMENTING,
    "实施项目": Project.ImplementationClass.IMPLEMENTING,
    "准备": Project.ImplementationClass.PREPARING,
    "准备项目": Project.ImplementationClass.PREPARING,
    "前期": Project.ImplementationClass.PREPARING,
}


def _approx(value: Any) -> bool:
    return isinstance(value, str) and parsers.is_approximate_amount(value)


def dated_claims(
    project: Project,
    user: Any,
    stage: str | None,
    signed: datetime.date | None,
    dated: dict[str, datetime.date],
) -> list[StageMove]:
    """Claimed moves for a ledger's dated stages, each dated as claimed (a stage without a date: today), for a
    reviewer to verify. For a project already on the books only the dated stages beyond its stage are claimed,
    and none it already has a pending claim for."""
    if user is None or not getattr(user, "pk", None):
        return []
    today = timezone.localdate()
    current = project.stage
    pending = set(
        project.moves.filter(verified_at__isnull=True, rejected_reason="").values_list("to_stage", flat=True)
    )
    steps: list[tuple[str, datetime.date]] = []
    if signed is not None and stage_index(current) < stage_index("signed") and stage != "signed":
        steps.append(("signed", min(signed, today)))
    for to_stage in sorted(dated, key=stage_index):
        steps.append((to_stage, dated[to_stage]))
    if stage is not None and stage not in dated:
        steps.append((stage, min(signed, today) if stage == "signed" and signed else today))
    claims, previous = [], current
    for to_stage, day in sorted(steps, key=lambda step: stage_index(step[0])):
        if stage_index(to_stage) <= stage_index(previous) or to_stage in pending:
            continue
        claims.append(
            StageMove.objects.create(
                project=project,
                from_stage=previous,
                to_stage=to_stage,
                date=day,
                evidence_note=LEDGER_EVIDENCE,
                requested_by=user,
            )
        )
        previous = to_stage
    return claims

"""Projects imported before the counting rule (issue 16) wait in the review queue like new imports: the data
migration holds a project standing on an unverified counted stage and claims that stage as pending moves."""

from __future__ import annotations

import datetime
import importlib
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.utils import timezone

from zhaoshang.projects.models import Project, StageMove
from zhaoshang.projects.selectors import counted, pending_moves
from zhaoshang.projects.services import stage_move_verify
from zhaoshang.projects.stages import VERIFIED_STAGES

migration = importlib.import_module("zhaoshang.projects.migrations.0015_hold_unverified_imports")


def _old_import(district: Any, name: str, stage: str, **dates: Any) -> Project:
    """As the import wrote before the rule: the stage and its dates set directly, no move at all."""
    return Project.objects.create(
        district=district, name=name, stage=stage, total_investment=Decimal(20_000), **dates
    )


def test_pre_rule_imports_wait_for_review(org: Any, users: Any, as_test_actor: Any) -> None:
    from zhaoshang.core.audit import acting_as

    linzi, admin, chief = org["linzi_district"], users["linzi_admin"], users["linzi_chief"]
    signed_on, started_on = datetime.date(2025, 3, 10), datetime.date(2025, 9, 1)
    with acting_as(chief, "web"):
        plain = _old_import(linzi, "存量导入签约项目(测试)", "signed", signed_date=signed_on)
        built = _old_import(
            linzi, "存量导入开工项目(测试)", "started", signed_date=signed_on, started_date=started_on
        )
    # Signed with a verified move, then imported at 开工 over it: only 开工 is claimed, from 签约.
    with acting_as(chief, "web"):
        half = _old_import(
            linzi, "存量导入半核实项目(测试)", "started", signed_date=signed_on, started_date=started_on
        )
    StageMove.objects.create(
        project=half,
        from_stage="negotiation",
        to_stage="signed",
        date=signed_on,
        evidence_note="合同",
        requested_by=chief,
        verified_by=admin,
        verified_at=timezone.now(),
    )
    # Left alone: a stage reached by a verified move, and a terminated project.
    verified = (
        Project.objects.filter(
            district=linzi, stage="started", moves__to_stage="started", moves__verified_at__isnull=False
        )
        .exclude(status="terminated")
        .first()
    )
    ours = Project.objects.filter(pk__in=[plain.pk, built.pk, half.pk])
    # Before: counted at 签约 / 开工 although nobody verified anything.
    assert counted(ours).filter(stage__in=VERIFIED_STAGES).count() == 3
    untouched = {verified.pk: (verified.stage, verified.signed_date, verified.moves.count())}

    migration.hold_unverified(apps, None)

    for project in (plain, built, half):
        project.refresh_from_db()
    assert (plain.stage, plain.signed_date) == ("negotiation", None)
    assert (built.stage, built.signed_date, built.started_date) == ("negotiation", None, None)
    assert (half.stage, half.signed_date, half.started_date) == ("signed", signed_on, None)
    claims = {
        p.name: [
            (m.from_stage, m.to_stage, m.date)
            for m in p.moves.filter(verified_at__isnull=True).order_by("pk")
        ]
        for p in (plain, built, half)
    }
    assert claims[plain.name] == [("negotiation", "signed", signed_on)]
    assert claims[built.name] == [("negotiation", "signed", signed_on), ("signed", "started", started_on)]
    assert claims[half.name] == [("signed", "started", started_on)]
    assert all(
        m.requested_by == chief for m in StageMove.objects.filter(project__in=ours, verified_at__isnull=True)
    )
    # After: counted at 洽谈 like a new import's; only the verified 签约 counts as a signing.
    assert list(counted(ours).filter(stage__in=VERIFIED_STAGES)) == [half]
    verified.refresh_from_db()
    assert untouched == {verified.pk: (verified.stage, verified.signed_date, verified.moves.count())}
    queue = set(pending_moves(admin).filter(project__in=ours).values_list("project_id", flat=True))
    assert queue == {plain.pk, built.pk, half.pk}

    # Run again: nothing more (the claims are pending).
    migration.hold_unverified(apps, None)
    assert StageMove.objects.filter(project__in=ours, verified_at__isnull=True).count() == 4

    # Verified by someone else, they count again with the claimed dates.
    for move in built.moves.filter(verified_at__isnull=True).order_by("pk"):
        stage_move_verify(move=move, user=admin, approve=True)
    built.refresh_from_db()
    assert (built.stage, built.signed_date, built.started_date) == ("started", signed_on, started_on)

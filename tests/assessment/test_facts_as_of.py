"""A month's figures can be derived again later from the audit history, exactly as they were published
(issue 16: "every number re-derivable from the audit history for a past date")."""

from __future__ import annotations

import datetime
import io
import json
import time
from decimal import Decimal
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from zhaoshang.analytics.rates.engine import Period
from zhaoshang.assessment.selectors import rates_report
from zhaoshang.core.audit import acting_as
from zhaoshang.projects.models import FundsEntry, Origin, Project
from zhaoshang.projects.services import funds_add, project_status_set, stage_move_request, stage_move_verify


def _figures(report: dict[str, Any]) -> dict[str, Any]:
    return {
        (g["group"], g["name"]): (
            {k: (r["value"], r["numerator"], r["denominator"]) for k, r in g["rates"].items()},
            g["counts"],
        )
        for g in report["groups"]
    }


def test_a_month_is_rebuilt_from_the_audit_history_as_it_was_published(org: Any, users: Any) -> None:
    linzi, admin, chief = org["linzi_district"], users["linzi_admin"], users["linzi_chief"]
    today = timezone.localdate()
    period = Period(today.replace(day=1), today)
    with acting_as(chief, "web"):
        talks = Project(district=linzi, name="回溯测试洽谈项目", stage="negotiation", total_investment=80000)
        talks.full_clean()
        talks.save()
    counted = Project.objects.filter(district=linzi, status="on_track", total_investment__gt=0)
    signed = counted.filter(stage="signed").first() or counted.filter(stage="registered").first()
    other = counted.filter(stage__in=["started", "land", "completed"]).exclude(pk=signed.pk).first()
    assert signed is not None and other is not None
    # Before the figures are published: a signing claimed (waiting for review) and money in place.
    move = stage_move_request(
        project=talks, to_stage="signed", date=today, user=chief, evidence_note="投资协议(测试)"
    )
    entry = funds_add(
        project=signed, user=admin, date=today, amount=Decimal("3000"), origin=Origin.LOCAL, kind="fixed"
    )
    time.sleep(0.01)
    published_at = timezone.now()
    published = rates_report(admin, linzi, period)
    time.sleep(0.01)

    # Afterwards: the claim verified (dated inside the month), an amount corrected, the funds entry struck,
    # another project terminated — today's figures for the same month move.
    stage_move_verify(move=move, user=admin, approve=True)
    with acting_as(admin, "web"):
        signed.refresh_from_db()
        signed.total_investment = (signed.total_investment or Decimal(0)) + Decimal("50000")
        signed.save()
        FundsEntry.objects.get(pk=entry.pk).delete()
    project_status_set(
        project=other, status=Project.Status.TERMINATED, reason="企业战略调整(测试)", user=admin
    )
    today_figures = _figures(rates_report(admin, linzi, period))
    assert today_figures != _figures(published)

    rebuilt = rates_report(admin, linzi, period, as_of=published_at)
    assert rebuilt["as_of"] == published_at.isoformat()
    assert _figures(rebuilt) == _figures(published)

    # The command gives the same rebuild.
    out = io.StringIO()
    call_command(
        "rates",
        "--district",
        linzi.adcode,
        "--from",
        period.start.isoformat(),
        "--to",
        period.end.isoformat(),
        "--as-of",
        published_at.isoformat(),
        "--as",
        "linzi_admin",
        "--format",
        "json",
        stdout=out,
    )
    assert _figures(json.loads(out.getvalue())) == _figures(published)


def test_the_as_of_moment_cannot_be_in_the_future(org: Any) -> None:
    import pytest
    from django.core.management.base import CommandError

    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    with pytest.raises(CommandError, match="不能晚于现在"):
        call_command("rates", "--district", "370305", "--as-of", tomorrow, "--as", "linzi_admin")

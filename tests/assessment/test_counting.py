"""One counting rule on every path (issue 16 §1): nothing enters a count, a rate, a target's actual or a dispatch
figure until its move is verified by someone other than its author; a capital increase adds money, never a
project. Each test takes the figures, drives one path, and compares them before and after verification."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from zhaoshang.analytics.rates.engine import Period
from zhaoshang.assessment.models import Target
from zhaoshang.assessment.selectors import count_tables, rate_tables, target_actual
from zhaoshang.core.importing import import_run, read_table
from zhaoshang.projects.delivery.dispatch.summary import dispatch_summary
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import Project, StageMove
from zhaoshang.projects.resources import ProjectResource
from zhaoshang.projects.services import stage_move_request, stage_move_verify
from zhaoshang.projects.stages import VERIFIED_STAGES

YEAR = Period(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))


@pytest.fixture
def targets(org: Any, as_test_actor: Any) -> dict[str, Target]:
    district = org["linzi_district"]
    return {
        metric: Target.objects.create(district=district, year=2026, metric=metric, value=Decimal(100))
        for metric in ("signed_count", "signed_investment")
    }


def figures(user: Any, district: Any, targets: dict[str, Target]) -> dict[str, Any]:
    """Every figure the issue names: the district's counts and signing rate, the targets' actuals, the dispatch
    table's signed stage and totals."""
    counts = count_tables(user, ("district",), YEAR, district)["district"][district.name]
    signing = rate_tables(user, ("district",), YEAR, district)["district"][district.name]["signing"]
    dispatch = dispatch_summary(
        district=district,
        period_start=YEAR.start,
        period_end=YEAR.end,
        user=user,
        today=datetime.date(2026, 12, 1),
    )
    signed_row = next(s for s in dispatch["stages"] if s["code"] == "signed")
    counted = [s for s in dispatch["stages"] if s["code"] in VERIFIED_STAGES]
    return {
        "signed_projects": counts["signed_projects"],
        "signed_investment": counts["signed_investment_wan"],
        "increases": counts["increases"],
        "signing": (signing.numerator, signing.denominator, signing.set_aside("direct")),
        "target_count": target_actual(user, targets["signed_count"]),
        "target_money": target_actual(user, targets["signed_investment"]),
        "dispatch_signed": signed_row["count"],
        "dispatch_counted": sum(s["count"] for s in counted),
        "dispatch_total": dispatch["totals"]["count"],  # every project on the book, at whatever stage
    }


def _but_the_book(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures that count (new projects held at 洽谈 are on the book, so they add to its total)."""
    return {k: v for k, v in figures.items() if k != "dispatch_total"}


def _ledger(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["区县代码", "项目名称", "阶段", "项目层级", "总投资", "签约日期"])
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


LEDGER = [
    ["370305", "计数台账项目一", "签约", "市重点", "1亿元", "2026年3月"],
    ["370305", "计数台账项目二", "签约", "市重点", "1亿元", "2026年4月"],
    ["370305", "计数台账项目三", "签约", "市重点", "1亿元", "2026年5月"],
]


def test_an_imported_ledger_counts_only_once_another_verifier_checks_the_batch(
    org: Any, users: Any, client_for: Any, targets: dict[str, Target]
) -> None:
    district, admin, city = org["linzi_district"], users["linzi_admin"], users["city_admin"]
    before = figures(city, district, targets)
    report = import_run(
        resource=ProjectResource(user=admin),
        dataset=read_table("ledger.xlsx", _ledger(LEDGER)),
        user=admin,
        dry_run=False,
    )
    assert report.committed and report.new == 3, [i.message for i in report.issues]
    claimed = figures(city, district, targets)
    assert _but_the_book(claimed) == _but_the_book(before)  # listed as 待审核 and counted nowhere
    assert claimed["dispatch_total"] == before["dispatch_total"] + 3  # on the book, at 洽谈
    imported = Project.objects.filter(name__startswith="计数台账")
    assert set(imported.values_list("stage", flat=True)) == {"negotiation"}
    # The importing administrator sees his batch but may not verify it.
    own = client_for("linzi_admin")
    queue = own.get(reverse("review_queue"))
    (batch,) = [b for b in queue.context["batches"] if b["n"] == 3]
    assert batch["own"]
    own.post(reverse("review_queue"), {"batch": batch["key"], "evidence_note": "签约合同 3 份"})
    assert all(m.pending for m in StageMove.objects.filter(project__in=imported))
    assert figures(city, district, targets) == claimed
    # The city verifies the whole batch against the evidence it checked.
    reviewer = client_for("city_admin")
    refused = reviewer.post(reverse("review_queue"), {"batch": batch["key"]})  # no evidence: refused
    assert refused.status_code == 302 and all(
        m.pending for m in StageMove.objects.filter(project__in=imported)
    )
    reviewer.post(reverse("review_queue"), {"batch": batch["key"], "evidence_note": "签约合同 3 份"})
    moves = StageMove.objects.filter(project__in=imported)
    assert not any(m.pending for m in moves) and {m.verified_by for m in moves} == {city}
    assert all("签约合同 3 份" in m.evidence_note for m in moves)
    after = figures(city, district, targets)
    assert after["signed_projects"] == before["signed_projects"] + 3
    assert after["signed_investment"] == before["signed_investment"] + 30_000
    assert after["target_count"] == before["target_count"] + 3
    assert after["target_money"] == before["target_money"] + 30_000
    assert after["dispatch_signed"] == before["dispatch_signed"] + 3
    assert after["dispatch_counted"] == before["dispatch_counted"] + 3
    assert after["dispatch_total"] == claimed["dispatch_total"]  # the same projects, now at 签约
    # Registered straight at 签约: reported beside the signing rate, never as successful negotiations.
    assert after["signing"][:2] == before["signing"][:2]
    assert set(after["signing"][2]) - set(before["signing"][2]) == {str(p.pk) for p in imported}
    assert set(imported.values_list("signed_date", flat=True)) == {
        datetime.date(2026, 3, 1),
        datetime.date(2026, 4, 1),
        datetime.date(2026, 5, 1),
    }


def test_the_cli_import_waits_for_verification_too(
    org: Any, users: Any, targets: dict[str, Target], tmp_path: Path
) -> None:
    district, city = org["linzi_district"], users["city_admin"]
    before = figures(city, district, targets)
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(_ledger([["370305", "命令行台账项目", "开工", "市重点", "2亿元", "2026年2月"]]))
    call_command("import", "project", str(path), "--as", "linzi_admin", stdout=io.StringIO())
    project = Project.objects.get(name="命令行台账项目")
    claimed = figures(city, district, targets)
    assert project.stage == "negotiation" and _but_the_book(claimed) == _but_the_book(before)
    signing, start = project.moves.order_by("pk")
    assert (signing.to_stage, signing.date, start.to_stage) == (
        "signed",
        datetime.date(2026, 2, 1),
        "started",
    )
    # A later stage does not take effect before the signing it rests on.
    with pytest.raises(Exception, match="更早的待审核"):
        stage_move_verify(move=start, user=city, approve=True)
    for move in (signing, start):
        stage_move_verify(move=move, user=city, approve=True)
    project.refresh_from_db()
    assert (project.stage, project.signed_date) == ("started", datetime.date(2026, 2, 1))
    assert figures(city, district, targets)["signed_projects"] == before["signed_projects"] + 1


def test_a_move_made_on_the_page_counts_after_verification_by_another(
    org: Any, users: Any, client_for: Any, targets: dict[str, Target]
) -> None:
    district, city = org["linzi_district"], users["city_admin"]
    project = ProjectFactory(district=district, stage="negotiation", signed_date=None, total_investment=5000)
    before = figures(city, district, targets)
    admin = client_for("linzi_admin")  # the district's only verifier makes the move himself
    admin.post(
        reverse("project_move", args=[project.pk]),
        {"to_stage": "signed", "date": "2026-06-01", "evidence_note": "签约协议"},
    )
    move = project.moves.get()
    assert move.pending and figures(city, district, targets) == before
    refused = admin.post(reverse("stage_verify", args=[move.pk]), {"approve": "1"}, follow=True)
    assert "申报人不能审核自己的申报" in refused.content.decode()
    move.refresh_from_db()
    assert move.pending and figures(city, district, targets) == before
    client_for("city_admin").post(reverse("stage_verify", args=[move.pk]), {"approve": "1"})
    after = figures(city, district, targets)
    assert after["signed_projects"] == before["signed_projects"] + 1
    assert after["target_count"] == before["target_count"] + 1
    assert after["dispatch_signed"] == before["dispatch_signed"] + 1
    project.refresh_from_db()
    assert (project.stage, project.signed_date) == ("signed", datetime.date(2026, 6, 1))


def test_the_api_cannot_move_a_stage(org: Any, users: Any, targets: dict[str, Target]) -> None:
    district, city = org["linzi_district"], users["city_admin"]
    before = figures(city, district, targets)
    api = APIClient()
    api.force_authenticate(users["linzi_admin"])
    payload = {
        "district": district.pk,
        "name": "接口签约项目",
        "stage": "signed",
        "signed_date": "2026-05-01",
    }
    response = api.post("/api/project/", payload, format="json")
    assert response.status_code == 201, response.content
    created = Project.objects.get(name="接口签约项目")
    assert created.stage != "signed" and created.signed_date is None
    assert _but_the_book(figures(city, district, targets)) == _but_the_book(before)


def test_a_capital_increase_adds_money_never_a_project(
    org: Any, users: Any, targets: dict[str, Target]
) -> None:
    district, city = org["linzi_district"], users["city_admin"]
    base = Project.objects.filter(district=district, stage="signed").first()
    before = figures(city, district, targets)
    increase = ProjectFactory(
        district=district,
        name=f"{base.name}(增资)",
        stage="negotiation",
        signed_date=None,
        total_investment=20_000,
        increase_of=base,
    )
    move = stage_move_request(
        project=increase,
        to_stage="signed",
        date=datetime.date(2026, 7, 1),
        user=users["linzi_chief"],
        evidence_note="增资协议",
    )
    assert figures(city, district, targets) == before
    stage_move_verify(move=move, user=users["linzi_admin"], approve=True)
    after = figures(city, district, targets)
    assert after["signed_projects"] == before["signed_projects"]
    assert after["target_count"] == before["target_count"]
    assert after["increases"] == before["increases"] + 1
    assert after["signed_investment"] == before["signed_investment"] + 20_000
    assert after["target_money"] == before["target_money"] + 20_000
    assert after["dispatch_total"] == before["dispatch_total"]  # not another project on the book either
    assert after["dispatch_counted"] == before["dispatch_counted"]
    assert after["signing"] == before["signing"]  # an increase is no negotiation either
    out = io.StringIO()
    call_command("rates", "--district", "370305", "--year", "2026", "--format", "json", stdout=out)
    (whole,) = [g for g in json.loads(out.getvalue())["groups"] if g["group"] == "district"]
    assert whole["counts"]["signed_projects"] == after["signed_projects"]


def test_the_demo_counts_only_moves_verified_by_someone_else(org: Any) -> None:
    """The demo path: every verified move has a reviewer other than its author, and no project stands at a
    counted stage that no verified move brought it to."""
    verified = StageMove.objects.filter(verified_at__isnull=False, to_stage__in=VERIFIED_STAGES)
    assert verified.exists()
    assert not [m for m in verified.select_related("project") if m.verified_by_id == m.requested_by_id]
    reached = set(verified.values_list("project_id", "to_stage"))
    ahead = Project.objects.filter(stage__in=VERIFIED_STAGES, moves__isnull=False).distinct()
    assert all((p.pk, p.stage) in reached for p in ahead)

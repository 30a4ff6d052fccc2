"""Projects: honest counting, evidence-backed stage moves verified by someone else, funds in place by origin."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhaoshang.core.importing import import_run, read_table
from zhaoshang.projects.factories import FundsEntryFactory, ProjectFactory
from zhaoshang.projects.models import Project, StageMove
from zhaoshang.projects.resources import ProjectResource
from zhaoshang.projects.selectors import funds_in_place, overdue_start
from zhaoshang.projects.services import (
    ProjectError,
    project_duplicates,
    project_status_set,
    stage_move_request,
    stage_move_verify,
)

TODAY = datetime.date.today()


def test_duplicates_by_investor_or_near_same_name(org: Any) -> None:
    district = org["linzi_district"]
    original = ProjectFactory(
        district=district, name="某某石化炼化转型升级项目", investor_uscc="91370300MA3C1234X1"[:18]
    )
    assert project_duplicates(district_id=district.pk, name="某某石化炼化转型升级") == [original]
    assert project_duplicates(
        district_id=district.pk, name="完全不同的项目", investor_uscc=original.investor_uscc
    ) == [original]
    assert project_duplicates(district_id=district.pk, name="机器人减速器项目") == []
    assert project_duplicates(district_id=org["huantai_district"].pk, name="某某石化炼化转型升级项目") == []


def test_form_flags_a_duplicate_before_saving(org: Any, client_for: Any) -> None:
    district = org["linzi_district"]
    ProjectFactory(district=district, name="某某尼龙二期项目")
    client = client_for("linzi_admin")
    data = {"district": district.pk, "name": "某某尼龙二期", "stage": "lead", "tier": "general"}
    response = client.post(reverse("project_add"), data)
    assert response.status_code == 400 and "疑似重复项目" in response.content.decode()
    assert not Project.objects.filter(name="某某尼龙二期").exists()
    assert client.post(reverse("project_add"), {**data, "not_a_duplicate": "on"}).status_code == 302


def test_counted_stage_needs_evidence_and_another_persons_verification(org: Any, users: Any) -> None:
    project = ProjectFactory(district=org["linzi_district"], stage="negotiation", signed_date=None)
    chief, admin = users["linzi_chief"], users["linzi_admin"]
    with pytest.raises(ProjectError, match="佐证"):
        stage_move_request(project=project, to_stage="signed", date=TODAY, user=chief)
    evidence = SimpleUploadedFile("合同.pdf", b"%PDF-1.4 contract", content_type="application/pdf")
    move = stage_move_request(project=project, to_stage="signed", date=TODAY, user=chief, evidence=evidence)
    project.refresh_from_db()
    assert move.pending and project.stage == "negotiation"  # nothing counts until verified
    with pytest.raises(ProjectError, match="待审核"):
        stage_move_request(
            project=project, to_stage="registered", date=TODAY, user=chief, evidence_note="执照"
        )
    with pytest.raises(PermissionDenied, match="不能审核阶段变更"):  # no verify right: 403 with the reason
        stage_move_verify(move=move, user=chief, approve=True)
    stage_move_verify(move=move, user=admin, approve=True)
    project.refresh_from_db()
    move.refresh_from_db()
    assert project.stage == "signed" and project.signed_date == TODAY
    assert move.verified_by == admin and not move.pending
    with pytest.raises(ProjectError, match="已处理"):
        stage_move_verify(move=move, user=admin, approve=False, reason="x")
    assert move.history.first().history_user == admin


def test_the_requester_cannot_verify_and_rejections_need_a_reason(org: Any, users: Any) -> None:
    admin = users["linzi_admin"]
    project = ProjectFactory(district=org["linzi_district"], stage="signed")
    move = stage_move_request(
        project=project, to_stage="registered", date=TODAY, user=admin, evidence_note="执照已领"
    )
    with pytest.raises(ProjectError, match="不能审核自己"):
        stage_move_verify(move=move, user=admin, approve=True)
    with pytest.raises(ProjectError, match="原因"):
        stage_move_verify(move=move, user=users["city_admin"], approve=False)
    stage_move_verify(move=move, user=users["city_admin"], approve=False, reason="执照名称不符")
    project.refresh_from_db()
    assert project.stage == "signed" and StageMove.objects.get(pk=move.pk).rejected_reason == "执照名称不符"


def test_uncounted_moves_take_effect_at_once_and_first_signing_stays(org: Any, users: Any) -> None:
    project = ProjectFactory(district=org["linzi_district"], stage="lead", signed_date=None)
    move = stage_move_request(project=project, to_stage="negotiation", date=TODAY, user=users["linzi_chief"])
    project.refresh_from_db()
    assert not move.pending and project.stage == "negotiation"
    with pytest.raises(ProjectError, match="晚于今天"):
        stage_move_request(
            project=project,
            to_stage="signed",
            date=TODAY + datetime.timedelta(days=3),
            user=users["linzi_chief"],
            evidence_note="合同",
        )


def test_page_flow_move_and_verify(org: Any, client_for: Any) -> None:
    project = ProjectFactory(district=org["linzi_district"], stage="signed")
    chief = client_for("linzi_chief")
    page = chief.get(reverse("project_detail", args=[project.pk])).content.decode()
    assert 'id="move-form"' in page and 'id="ladder"' in page
    data = {"to_stage": "registered", "date": TODAY.isoformat(), "evidence_note": "营业执照"}
    assert chief.post(reverse("project_move", args=[project.pk]), data).status_code == 302
    move = project.moves.get()
    assert "待审核" in chief.get(reverse("project_detail", args=[project.pk])).content.decode()
    assert (
        client_for("huantai_admin")
        .post(reverse("stage_verify", args=[move.pk]), {"approve": "1"})
        .status_code
        == 404
    )
    assert (
        client_for("linzi_admin").post(reverse("stage_verify", args=[move.pk]), {"approve": "1"}).status_code
        == 302
    )
    project.refresh_from_db()
    assert project.stage == "registered"


def test_termination_needs_a_reason(org: Any, users: Any) -> None:
    from django.core.exceptions import ValidationError

    project = ProjectFactory(district=org["linzi_district"])
    with pytest.raises(ValidationError):
        project_status_set(project=project, status="terminated", reason="", user=users["linzi_admin"])
    project_status_set(project=project, status="terminated", reason="投资方撤资", user=users["linzi_admin"])
    with pytest.raises(ProjectError, match="终止"):
        stage_move_request(project=project, to_stage="lead", date=TODAY, user=users["linzi_admin"])


def test_funds_in_place_is_a_query_by_period_and_origin(org: Any, users: Any) -> None:
    linzi = users["linzi_admin"]
    spring = {"since": datetime.date(2026, 1, 1), "until": datetime.date(2026, 3, 31)}
    before_spring = funds_in_place(linzi, origin="outside_province", **spring)
    before_all = funds_in_place(linzi, origin="outside_province")
    before_local = funds_in_place(linzi, origin="local")
    project = ProjectFactory(district=org["linzi_district"])
    FundsEntryFactory(
        project=project, date=datetime.date(2026, 2, 1), amount=Decimal("3000"), origin="outside_province"
    )
    FundsEntryFactory(
        project=project, date=datetime.date(2026, 6, 1), amount=Decimal("2000"), origin="outside_province"
    )
    FundsEntryFactory(project=project, date=datetime.date(2026, 6, 1), amount=Decimal("700"), origin="local")
    huantai = ProjectFactory(district=org["huantai_district"])
    FundsEntryFactory(
        project=huantai, date=datetime.date(2026, 2, 1), amount=Decimal("9999"), origin="outside_province"
    )
    assert funds_in_place(linzi, origin="outside_province", **spring) - before_spring == 3000
    assert funds_in_place(linzi, origin="outside_province") - before_all == 5000
    assert funds_in_place(linzi, origin="local") - before_local == 700
    # Huantai's money is Huantai's: the city sees both.
    assert (
        funds_in_place(users["city_admin"], origin="outside_province", **spring) - before_spring
        >= 3000 + 9999
    )


def test_overdue_start_lists_signed_projects_past_their_promise(org: Any, users: Any) -> None:
    late = ProjectFactory(
        district=org["linzi_district"],
        stage="signed",
        promised_start_date=TODAY - datetime.timedelta(days=10),
    )
    ProjectFactory(
        district=org["linzi_district"],
        stage="started",
        promised_start_date=TODAY - datetime.timedelta(days=10),
    )
    ProjectFactory(
        district=org["linzi_district"],
        stage="signed",
        promised_start_date=TODAY + datetime.timedelta(days=10),
    )
    assert late in overdue_start(users["linzi_admin"])
    assert late not in overdue_start(users["huantai_admin"])


def test_ledger_import_with_money_units_and_stage_only_on_creation(org: Any, users: Any) -> None:
    user = users["linzi_admin"]
    book = openpyxl.Workbook()
    book.active.append(
        ["区县代码", "项目名称", "阶段", "项目层级", "投资方来源", "总投资", "签约日期", "园区"]
    )
    book.active.append(
        ["370305", "台账项目一", "签约", "市重点", "省外", "12.5亿元", "2026年3月", "齐鲁化学工业区"]
    )
    book.active.append(["370305", "台账项目二", "洽谈", "一般", "本地", "8000万元", "", ""])
    book.active.append(["370305", "台账项目三", "签约", "国家级", "省外", "很多", "", "不存在的园区"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = import_run(
        resource=ProjectResource(user=user),
        dataset=read_table("l.xlsx", buffer.getvalue()),
        user=user,
        dry_run=False,
    )
    assert not report.committed
    assert {(i.row, i.column) for i in report.issues} == {(4, "项目层级"), (4, "总投资"), (4, "园区")}
    book.active.delete_rows(4)
    buffer = io.BytesIO()
    book.save(buffer)
    report = import_run(
        resource=ProjectResource(user=user),
        dataset=read_table("l.xlsx", buffer.getvalue()),
        user=user,
        dry_run=False,
    )
    assert report.committed and report.new == 2
    first = Project.objects.get(name="台账项目一")
    # The ledger's 签约 is a claim: the project waits at 洽谈, its signing date on the claim, until verified.
    assert first.total_investment == 125000 and first.stage == "negotiation" and first.signed_date is None
    claim = first.moves.get()
    assert (claim.to_stage, claim.date, claim.pending) == ("signed", datetime.date(2026, 3, 1), True)
    assert first.park.name == "齐鲁化学工业区" and first.investor_origin == "outside_province"


def test_date_inputs_show_their_dates(org: Any, client_for: Any) -> None:
    project = ProjectFactory(district=org["linzi_district"], promised_start_date=datetime.date(2026, 9, 1))
    form = client_for("linzi_admin").get(reverse("project_edit", args=[project.pk])).content.decode()
    assert 'value="2026-09-01"' in form  # an <input type=date> only reads ISO dates


def test_stepping_back_from_a_verified_stage_waits_for_a_reviewer(org: Any, users: Any) -> None:
    project = ProjectFactory(district=org["linzi_district"], stage="registered")
    move = stage_move_request(
        project=project, to_stage="signed", date=TODAY, user=users["linzi_chief"], note="执照作废"
    )
    project.refresh_from_db()
    assert move.pending and project.stage == "registered"
    stage_move_verify(move=move, user=users["linzi_admin"], approve=True)
    project.refresh_from_db()
    assert project.stage == "signed"


def test_a_ledger_asks_for_its_stages_to_be_confirmed_and_the_queue_confirms_them(
    org: Any, users: Any, client_for: Any
) -> None:
    from zhaoshang.assessment.facts import project_facts
    from zhaoshang.projects.models import StageMove

    book = openpyxl.Workbook()
    book.active.append(["区县代码", "项目名称", "阶段", "总投资", "签约日期"])
    book.active.append(["370305", "台账签约项目", "签约", "2亿元", "2026年3月"])
    book.active.append(["370305", "台账开工项目", "开工", "3亿元", "2025年6月"])
    book.active.append(["370305", "台账洽谈项目", "洽谈", "1亿元", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    importer = users["linzi_chief"]
    report = import_run(
        resource=ProjectResource(user=importer),
        dataset=read_table("l.xlsx", buffer.getvalue()),
        user=importer,
        dry_run=False,
    )
    assert report.committed and report.new == 3, [i.message for i in report.issues]
    moves = StageMove.objects.filter(project__name__startswith="台账").order_by("project__name")
    assert {(m.project.name, m.to_stage, m.pending) for m in moves} == {
        ("台账签约项目", "signed", True),
        ("台账开工项目", "signed", True),  # the ledger's signing date, claimed apart from its start
        ("台账开工项目", "started", True),
    }  # negotiation does not count, so it needs no review
    assert set(Project.objects.filter(name__startswith="台账").values_list("stage", flat=True)) == {
        "negotiation"
    }
    signed = moves.get(to_stage="signed", project__name="台账签约项目")
    assert signed.date == datetime.date(2026, 3, 1) and signed.evidence_note == "台账导入"
    projects = Project.objects.filter(name__startswith="台账")
    facts = {f.key: f for f in project_facts(projects)}
    assert all("signed" not in f.stage_dates for f in facts.values())  # unconfirmed: not counted yet
    # The importer (a chain chief) may not verify at all: an empty queue; the district's administrator can.
    own = client_for("linzi_chief").get(reverse("review_queue"))
    assert own.status_code == 200 and not own.context["page"].object_list
    admin = client_for("linzi_admin")
    queue = admin.get(reverse("review_queue"))
    listed = {m.pk for m in queue.context["page"].object_list}
    assert set(moves.values_list("pk", flat=True)) <= listed
    home = admin.get(reverse("home")).content.decode()
    assert 'id="pending-review"' in home
    refused = admin.post(reverse("review_queue"), {"move": list(listed), "approve": "0"})
    assert refused.status_code == 302 and all(m.pending for m in StageMove.objects.filter(pk__in=listed))
    admin.post(reverse("review_queue"), {"move": [m.pk for m in moves], "approve": "1"})
    assert not any(m.pending for m in StageMove.objects.filter(pk__in=[m.pk for m in moves]))
    facts = {f.key: f for f in project_facts(projects)}
    started = Project.objects.get(name="台账开工项目")
    assert "started" in facts[str(started.pk)].stage_dates and started.stage == "started"
    # Another district's reviewer never sees Linzi's queue entries.
    other = client_for("huantai_admin").get(reverse("review_queue"))
    assert not ({m.pk for m in other.context["page"].object_list} & listed)

"""The review queue verifies an imported ledger's claims as a batch, against the evidence the reviewer checked:
kept on every move, never by the importer, each project's claims in their order (issue 16 §1)."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhaoshang.core.importing import import_run, read_table
from zhaoshang.projects.models import Project, StageMove
from zhaoshang.projects.resources import ProjectResource

PDF = b"%PDF-1.4\n% ledger signed by the district office\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run in DOS mode."


def _import(user: Any) -> Any:
    book = openpyxl.Workbook()
    book.active.append(["区县代码", "项目名称", "阶段", "总投资", "签约日期"])
    book.active.append(["370305", "批次签约项目", "签约", "1亿元", "2026年3月"])
    book.active.append(["370305", "批次开工项目", "开工", "2亿元", "2026年1月"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = import_run(
        resource=ProjectResource(user=user),
        dataset=read_table("l.xlsx", buffer.getvalue()),
        user=user,
        dry_run=False,
    )
    assert report.committed, [i.message for i in report.issues]
    return Project.objects.filter(name__startswith="批次")


def test_a_batch_is_verified_with_its_evidence_file(org: Any, users: Any, client_for: Any) -> None:
    projects = _import(users["linzi_admin"])
    moves = StageMove.objects.filter(project__in=projects)
    assert moves.count() == 3 and all(m.pending for m in moves)
    city = client_for("city_admin")
    (batch,) = [b for b in city.get(reverse("review_queue")).context["batches"] if b["n"] == 3]
    assert not batch["own"] and batch["by"]
    bad = SimpleUploadedFile("台账.pdf", EXE, content_type="application/pdf")
    city.post(reverse("review_queue"), {"batch": batch["key"], "evidence": bad})
    assert all(m.pending for m in moves.all())  # a file refused by its content verifies nothing
    good = SimpleUploadedFile("台账签字版.pdf", PDF, content_type="application/pdf")
    response = city.post(reverse("review_queue"), {"batch": batch["key"], "evidence": good})
    assert response.status_code == 302
    moves = list(moves.all())
    assert not any(m.pending for m in moves) and {m.verified_by for m in moves} == {users["city_admin"]}
    assert len({m.evidence.name for m in moves}) == 1 and moves[0].evidence.name.startswith("evidence/")
    assert {p.name: p.stage for p in projects} == {"批次签约项目": "signed", "批次开工项目": "started"}
    assert not city.get(reverse("review_queue")).context["batches"]


def test_another_verifier_of_the_district_may_verify_the_batch_the_importer_may_not(
    org: Any, users: Any, client_for: Any
) -> None:
    projects = _import(users["linzi_chief"])
    chief = client_for("linzi_chief")
    assert not chief.get(reverse("review_queue")).context["batches"]  # a chief verifies nothing
    admin = client_for("linzi_admin")
    (batch,) = [b for b in admin.get(reverse("review_queue")).context["batches"] if b["n"] == 3]
    # Picking the later claim alone leaves it pending: its signing comes first.
    started = StageMove.objects.get(project__name="批次开工项目", to_stage="started")
    admin.post(reverse("review_queue"), {"move": [started.pk], "approve": "1"})
    started.refresh_from_db()
    assert started.pending
    admin.post(reverse("review_queue"), {"batch": batch["key"], "evidence_note": "核对签约合同 2 份"})
    assert set(projects.values_list("stage", flat=True)) == {"signed", "started"}
    assert all(m.evidence_note.startswith("台账导入") for m in StageMove.objects.filter(project__in=projects))
    # Huantai's reviewer never sees Linzi's batches.
    assert not client_for("huantai_admin").get(reverse("review_queue")).context["batches"]

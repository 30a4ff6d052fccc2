"""Evidence files: uploaded by content, stored under safe names, served only by the scope-checked download view."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhaoshang.core.api import StoredFileField
from zhaoshang.projects.delivery.approvals import project_steps_create, step_update
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import ProjectStep, StageMove
from zhaoshang.projects.services import stage_move_request

TODAY = datetime.date.today()
PDF = b"%PDF-1.4\n% contract signed 2025-03-01\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run in DOS mode."


@pytest.fixture
def move(org: Any, users: Any) -> StageMove:
    project = ProjectFactory(district=org["linzi_district"], stage="negotiation", signed_date=None)
    evidence = SimpleUploadedFile("../合同 (签字版).pdf", PDF, content_type="application/pdf")
    return stage_move_request(
        project=project, to_stage="signed", date=TODAY, user=users["linzi_chief"], evidence=evidence
    )


def _url(move: StageMove) -> str:
    return reverse("stored_file", args=["projects.stagemove", move.pk, "evidence"])


def test_evidence_is_served_to_its_scope_only(move: StageMove, client_for: Any, client: Any) -> None:
    assert move.evidence.name.startswith("evidence/") and "合同_签字版-" in move.evidence.name
    assert ".." not in move.evidence.name and " " not in move.evidence.name
    for persona in ("linzi_admin", "linzi_chief", "city_admin"):
        response = client_for(persona).get(_url(move))
        assert response.status_code == 200, persona
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote("合同_签字版.pdf")
        assert response["X-Content-Type-Options"] == "nosniff"
    assert client_for("huantai_admin").get(_url(move)).status_code == 404  # out of scope: 404, not 403
    anonymous = client.get(_url(move))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))


def test_pages_link_to_the_view_never_to_media(move: StageMove, client_for: Any) -> None:
    client = client_for("linzi_admin")
    for page in (reverse("project_detail", args=[move.project_id]), reverse("review_queue")):
        html = client.get(page).content.decode()
        assert _url(move) in html and "/media/" not in html


def test_missing_files_and_other_fields_are_404(move: StageMove, client_for: Any) -> None:
    client = client_for("city_admin")
    for model, pk, field in (
        ("projects.stagemove", move.pk + 10_000, "evidence"),  # no such record
        ("projects.stagemove", move.pk, "note"),  # not a file
        ("projects.stagemove", move.pk, "nothing"),
        ("auth.user", 1, "password"),  # no scope: never served
        ("nowhere.nothing", 1, "file"),
    ):
        assert client.get(reverse("stored_file", args=[model, pk, field])).status_code == 404, (model, field)
    default_storage.delete(move.evidence.name)
    assert client.get(_url(move)).status_code == 404  # in the database, gone from storage


def test_nginx_sends_the_bytes_when_configured(move: StageMove, client_for: Any, settings: Any) -> None:
    settings.X_ACCEL_PREFIX = "/protected-media/"
    response = client_for("linzi_admin").get(_url(move))
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/protected-media/" + quote(move.evidence.name)
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client_for("huantai_admin").get(_url(move)).status_code == 404  # nginx never hears of it


def test_an_exe_renamed_pdf_is_refused_as_evidence(org: Any, users: Any, client_for: Any) -> None:
    project = ProjectFactory(district=org["linzi_district"], stage="negotiation", signed_date=None)
    client = client_for("linzi_chief")
    response = client.post(
        reverse("project_move", args=[project.pk]),
        {"to_stage": "signed", "date": TODAY.isoformat(), "evidence": SimpleUploadedFile("合同.pdf", EXE)},
        follow=True,
    )
    assert "不是允许的文件类型" in response.content.decode()
    assert not StageMove.objects.filter(project=project).exists()
    # The service checks too (the model field's validator), whoever calls it.
    with pytest.raises(ValidationError, match="不是允许的文件类型"):
        stage_move_request(
            project=project,
            to_stage="signed",
            date=TODAY,
            user=users["linzi_chief"],
            evidence=SimpleUploadedFile("合同.pdf", EXE),
        )


def test_oversize_evidence_is_refused(org: Any, client_for: Any, settings: Any) -> None:
    settings.UPLOAD_MAX_MB = {**settings.UPLOAD_MAX_MB, "pdf": 0.01}
    project = ProjectFactory(district=org["linzi_district"], stage="negotiation", signed_date=None)
    big = SimpleUploadedFile("合同.pdf", PDF + b"0" * 20_000)
    response = client_for("linzi_chief").post(
        reverse("project_move", args=[project.pk]),
        {"to_stage": "signed", "date": TODAY.isoformat(), "evidence": big},
        follow=True,
    )
    assert "超过上限 0 MB(PDF)" in response.content.decode()
    assert not StageMove.objects.filter(project=project).exists()


def test_approval_documents_are_checked_and_served(org: Any, users: Any, client_for: Any) -> None:
    project = ProjectFactory(district=org["linzi_district"])
    user = users["linzi_admin"]
    project_steps_create(project=project, user=user)
    step = project.steps.filter(predecessors=[]).order_by("code").first()
    assert step is not None
    with pytest.raises(ValidationError, match="不是允许的文件类型"):
        step_update(
            step=step,
            user=user,
            status="in_progress",
            date=TODAY,
            document=SimpleUploadedFile("批复.pdf", EXE),
        )
    step = step_update(
        step=ProjectStep.objects.get(pk=step.pk),
        user=user,
        status="in_progress",
        date=TODAY,
        document=SimpleUploadedFile("批复.pdf", PDF),
    )
    url = reverse("stored_file", args=["projects.projectstep", step.pk, "document"])
    assert client_for("linzi_admin").get(url).status_code == 200
    assert client_for("huantai_admin").get(url).status_code == 404
    assert url in client_for("linzi_admin").get(reverse("project_detail", args=[project.pk])).content.decode()


def test_the_api_gives_the_download_view_not_the_storage_path(move: StageMove) -> None:
    field = StoredFileField()
    assert field.to_representation(move.evidence) == _url(move)
    assert field.to_representation(StageMove(evidence="").evidence) is None

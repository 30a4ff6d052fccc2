"""Approvals: the district template from the 6-module/14-step default, a project's steps on the critical path."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from zhaoshang.projects.delivery.approvals import (
    approval_summary,
    gantt_data,
    project_schedule,
    project_steps_create,
    step_update,
)
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import ApprovalStepTemplate


def test_steps_come_from_the_district_template_with_departments(org: Any, users: Any) -> None:
    project = ProjectFactory(district=org["linzi_district"], stage="signed")
    steps = project_steps_create(project=project, user=users["linzi_admin"])
    assert len(steps) == 14 and len({s.module for s in steps}) == 6
    assert ApprovalStepTemplate.objects.filter(district=org["linzi_district"]).count() == 14
    eia = project.steps.get(code="S6")
    assert eia.department.short_name == "生态环境" and eia.predecessors == ["S1"]
    assert project_steps_create(project=project, user=users["linzi_admin"]) and project.steps.count() == 14


def test_schedule_on_the_chinese_calendar_marks_the_critical_path(org: Any, users: Any) -> None:
    project = ProjectFactory(district=org["linzi_district"])
    project_steps_create(project=project, user=users["linzi_admin"])
    result = project_schedule(project=project, user=users["linzi_admin"], start=datetime.date(2024, 2, 8))
    s1 = project.steps.get(code="S1")
    # 2024-02-08 is a Thursday before the Spring Festival holidays (10–17 Feb); S1 takes one working day.
    assert s1.planned_start == datetime.date(2024, 2, 8)
    summary = approval_summary(project)
    assert summary["duration"] == result["duration"] < summary["serial"] and summary["compression"] > 0
    critical = set(project.steps.filter(critical=True).values_list("code", flat=True))
    assert set(summary["critical_path"]) == critical and {"S1", "S14"} <= critical
    for step in project.steps.all():
        assert step.planned_finish >= step.planned_start and (step.total_float == 0) == step.critical
        for code in step.predecessors:
            assert project.steps.get(code=code).planned_finish <= step.planned_start


def test_steps_finish_in_order_unless_on_commitment(org: Any, users: Any) -> None:
    project = ProjectFactory(district=org["linzi_district"])
    project_steps_create(project=project, user=users["linzi_admin"])
    today = datetime.date.today()
    with pytest.raises(ValueError, match="S1"):
        step_update(step=project.steps.get(code="S3"), user=users["linzi_admin"], status="done", date=today)
    step_update(step=project.steps.get(code="S1"), user=users["linzi_admin"], status="done", date=today)
    done = step_update(
        step=project.steps.get(code="S3"), user=users["linzi_admin"], status="done", date=today
    )
    assert done.actual_finish == today and done.history.first().history_user == users["linzi_admin"]


def test_project_page_shows_gantt_and_steps(org: Any, client_for: Any) -> None:
    project = ProjectFactory(district=org["linzi_district"])
    client = client_for("linzi_chief")
    assert client.post(reverse("project_steps_create", args=[project.pk])).status_code == 302
    page = client.get(reverse("project_detail", args=[project.pk]))
    html = page.content.decode()
    assert 'id="gantt"' in html and 'id="steps"' in html and "压缩" in html
    assert len(page.context["gantt"]["steps"]) == 14
    huantai = client_for("huantai_admin")
    assert huantai.post(reverse("project_steps_create", args=[project.pk])).status_code == 404
    step = project.steps.get(code="S1")
    assert (
        huantai.post(
            reverse("step_update", args=[step.pk]), {"status": "done", "date": "2026-01-01"}
        ).status_code
        == 404
    )


def _started(org: Any, users: Any, **extra: Any) -> Any:
    today = datetime.date.today()
    project = ProjectFactory(
        district=org["linzi_district"],
        stage="started",
        started_date=today - datetime.timedelta(days=90),
        **extra,
    )
    project_steps_create(project=project, user=users["linzi_admin"])
    project_schedule(project=project, user=users["linzi_admin"], start=today - datetime.timedelta(days=400))
    baseline = {s.code: (s.planned_start, s.planned_finish) for s in project.steps.all()}
    for step in project.steps.filter(module__lte=5):
        step.status, step.actual_finish = "done", today - datetime.timedelta(days=100)
        step.save()
    return project, baseline


def test_the_acceptance_is_planned_after_the_building_and_done_steps_keep_their_plan(
    org: Any, users: Any, as_test_actor: Any
) -> None:
    today = datetime.date.today()
    expected = today + datetime.timedelta(days=300)
    project, baseline = _started(org, users, expected_production_date=expected)
    result = project_schedule(project=project, user=users["linzi_admin"], start=today)
    steps = {s.code: s for s in project.steps.all()}
    # The permit's plan is history: re-planning from today leaves the done steps' dates alone.
    assert (steps["S11"].planned_start, steps["S11"].planned_finish) == baseline["S11"]
    # The acceptance waits for construction up to the expected production date, not the week after the permit.
    assert result["construction_days"] > 100
    assert today + datetime.timedelta(days=200) < steps["S12"].planned_start < expected
    assert steps["S14"].planned_finish <= expected
    # What the ≤120-working-day target measures stays the approvals alone, without the building.
    assert result["duration"] < result["construction_days"]
    # The Gantt shades and names the building between the permit and the acceptance.
    span = gantt_data(project)["construction"]
    assert steps["S11"].planned_finish < datetime.date.fromisoformat(span["start"])
    assert datetime.date.fromisoformat(span["finish"]) < steps["S12"].planned_start


def test_a_passed_production_date_falls_back_to_the_typical_build(
    org: Any, users: Any, as_test_actor: Any
) -> None:
    today = datetime.date.today()
    project, _baseline = _started(org, users, expected_production_date=today - datetime.timedelta(days=30))
    result = project_schedule(project=project, user=users["linzi_admin"], start=today)
    s12 = project.steps.get(code="S12")
    # 18 months typical, 3 already built: about 15 months (≈ 310 working days) still ahead.
    assert 280 <= result["construction_days"] <= 330
    assert s12.planned_start > today + datetime.timedelta(days=365)

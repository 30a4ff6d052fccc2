"""The status from facts on the project pages: the computed card beside the typed status, the list's badge and
filter, and the district's thresholds (audited, for those who may verify)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import Project, ProjectStep, StatusThresholds
from zhaoshang.projects.selectors import assessed_statuses

TODAY = datetime.date.today()


def _step(project: Project, code: str, days_ago: int, **extra: Any) -> ProjectStep:
    return ProjectStep.objects.create(
        project=project,
        code=code,
        name=f"环节{code}",
        module=1,
        module_name="测试",
        duration=5,
        planned_finish=TODAY - datetime.timedelta(days=days_ago),
        **extra,
    )


@pytest.fixture
def late(org: Any, as_test_actor: Any) -> Project:
    """Like 鲁油鲁炼: every approval step and the promised start overdue, typed 正常推进."""
    project = ProjectFactory(
        district=org["linzi_district"],
        name="事实滞后项目",
        stage="signed",
        signed_date=TODAY - datetime.timedelta(days=90),
        promised_start_date=TODAY - datetime.timedelta(days=60),
        status="on_track",
    )
    for code in ("1.1", "1.2", "2.1"):
        _step(project, code, 40)
    return project


def test_the_typed_status_cannot_hide_overdue_facts(late: Project, client_for: Any) -> None:
    found = assessed_statuses(Project.objects.filter(pk=late.pk))[late.pk]
    assert found.status == "delayed" and found.card.code == "red"
    page = client_for("linzi_admin").get(reverse("project_detail", args=[late.pk])).content.decode()
    assert 'data-card="red"' in page
    assert "按事实:滞后 · 红牌" in page
    assert "填报:正常推进" in page
    assert "1.1 环节1.1 超期" in page and "3 个审批环节同时超期" in page
    assert "超过承诺开工日期" in page


def test_a_step_done_or_a_start_made_clears_the_card(late: Project, as_test_actor: Any) -> None:
    late.steps.update(actual_finish=TODAY, status="done")
    late.stage = "started"
    late.save()
    assert late.pk not in assessed_statuses(Project.objects.filter(pk=late.pk))


def test_the_list_shows_the_card_with_its_reasons_and_filters_by_it(late: Project, client_for: Any) -> None:
    client = client_for("linzi_admin")
    response = client.get(reverse("project_list") + "?card=red&q=事实滞后")
    assert response.context["page"].paginator.count == 1
    page = response.content.decode()
    assert "红黄牌" in page and 'data-card="red"' in page and "个审批环节同时超期" in page
    assert (
        client.get(reverse("project_list") + "?card=yellow&q=事实滞后").context["page"].paginator.count == 0
    )
    # HTMX asks for the table alone: it keeps the column.
    table = client.get(reverse("project_list") + "?card=red&q=事实滞后", HTTP_HX_REQUEST="true")
    assert 'data-card="red"' in table.content.decode() and "<form" not in table.content.decode()


def test_the_district_thresholds_grade_the_card_and_are_audited(
    late: Project, org: Any, client_for: Any, as_test_actor: Any
) -> None:
    linzi = org["linzi_district"]
    late.steps.exclude(code="1.1").delete()
    late.promised_start_date = None
    late.save()
    assert assessed_statuses(Project.objects.filter(pk=late.pk))[late.pk].card.code == "red"  # 40 days late
    url = reverse("status_thresholds", args=[linzi.pk])
    client = client_for("linzi_admin")
    assert client.get(url).status_code == 200
    data = {
        "step_yellow_days": 1,
        "step_red_days": 100,
        "red_overdue_steps": 3,
        "promise_yellow_days": 1,
        "promise_red_days": 40,
        "stall_months": 6,
    }
    assert client.post(url, data).status_code == 302
    row = StatusThresholds.objects.get(district=linzi)
    assert row.step_red_days == 100 and row.history.count() == 1
    assert assessed_statuses(Project.objects.filter(pk=late.pk))[late.pk].card.code == "yellow"
    # A red below its yellow is refused.
    assert client.post(url, {**data, "step_red_days": 0}).status_code == 400
    assert client.post(url, {**data, "promise_yellow_days": 50}).status_code == 400
    # A clerk may not change how the district is graded; Huantai's admin may not touch Linzi's.
    assert client_for("linzi_clerk").get(url).status_code == 403
    assert client_for("huantai_admin").post(url, data).status_code == 404


def _acceptance(project: Project, days_ago: int) -> None:
    """The default template's tail: S11 (permit, done) → S12 → S13 → S14, all after construction."""
    for code, module, preds, done in (
        ("S11", 5, [], True),
        ("S12", 6, ["S11"], False),
        ("S13", 6, ["S12"], False),
        ("S14", 6, ["S13"], False),
    ):
        ProjectStep.objects.create(
            project=project,
            code=code,
            name=f"环节{code}",
            module=module,
            module_name="测试",
            duration=5,
            predecessors=preds,
            planned_finish=TODAY - datetime.timedelta(days=400 if done else days_ago),
            status="done" if done else "pending",
            actual_finish=TODAY - datetime.timedelta(days=400) if done else None,
        )


def test_the_completion_acceptance_waits_for_the_building(org: Any, as_test_actor: Any) -> None:
    """S12–S14 planned in the past while the building is still going up are not three overdue approval
    steps (the departments cannot accept a building that is not there); once 竣工, they are."""
    building = ProjectFactory(
        district=org["linzi_district"], stage="started", started_date=TODAY - datetime.timedelta(days=60)
    )
    _acceptance(building, 30)
    assert building.pk not in assessed_statuses(Project.objects.filter(pk=building.pk))
    building.stage = "completed"
    building.save()
    found = assessed_statuses(Project.objects.filter(pk=building.pk))[building.pk]
    assert found.card.code == "red" and {r.kind for r in found.reasons} >= {"steps"}


def test_money_and_work_are_signs_of_life(org: Any, as_test_actor: Any) -> None:
    """Eight months into an 18-month build with no move since 开工: stalled, unless funds came in, a verified
    month of 完成投资 was reported or the team got a weekly task done within the stall period."""
    from zhaoshang.projects.models import FundsEntry, WeeklyTask

    started = TODAY - datetime.timedelta(days=240)
    project = ProjectFactory(district=org["linzi_district"], stage="started", started_date=started)
    found = assessed_statuses(Project.objects.filter(pk=project.pk))[project.pk]
    assert found.status == "stalled"
    monday = TODAY - datetime.timedelta(days=TODAY.weekday() + 7)
    task = WeeklyTask.objects.create(
        project=project, week=monday, title="现场督导", due_date=monday, status="done", done_date=monday
    )
    assert project.pk not in assessed_statuses(Project.objects.filter(pk=project.pk))
    task.delete()
    FundsEntry.objects.create(
        project=project, date=TODAY - datetime.timedelta(days=20), amount=100, origin="local"
    )
    assert project.pk not in assessed_statuses(Project.objects.filter(pk=project.pk))

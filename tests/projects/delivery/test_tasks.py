"""Weekly tasks: generated per week to year end from open approval steps (idempotent), 我的任务, one-click done."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from zhaoshang.core.importing import import_run, read_table
from zhaoshang.projects.delivery.resources import WeeklyTaskResource
from zhaoshang.projects.delivery.tasks import (
    TaskError,
    my_tasks,
    task_complete,
    task_owner_choices,
    tasks_generate,
)
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import Project, ProjectStep, WeeklyTask

TODAY = datetime.date(2026, 12, 1)  # a Tuesday: the first week starts on Monday 30 November
D = datetime.date


def _step(project: Project, code: str, name: str, department: Any = None, **kwargs: Any) -> ProjectStep:
    return ProjectStep.objects.create(
        project=project, code=code, name=name, module=int(code[1:]), module_name="模块", duration=10,
        department=department, **kwargs,
    )  # fmt: skip


@pytest.fixture
def project(org: Any, users: Any, as_test_actor: None) -> Project:
    linzi = org["linzi"]["departments"]
    project = ProjectFactory(
        district=org["linzi_district"], name="周任务项目", stage="registered", officer=users["linzi_chief"]
    )
    # S3 spans two weeks; S6 falls in the first; S2 is already late; S1 is done; S7 has no plan yet.
    _step(project, "S3", "用地预审与选址意见", linzi["自然资源"], planned_start=D(2026, 11, 30),
          planned_finish=D(2026, 12, 10))  # fmt: skip
    _step(project, "S6", "环评审批", linzi["生态环境"], planned_start=D(2026, 12, 2),
          planned_finish=D(2026, 12, 3), status=ProjectStep.Status.IN_PROGRESS)  # fmt: skip
    _step(
        project, "S2", "节能审查", linzi["发改"], planned_start=D(2026, 11, 2), planned_finish=D(2026, 11, 10)
    )
    _step(project, "S1", "项目备案", linzi["发改"], planned_start=D(2026, 12, 14),
          planned_finish=D(2026, 12, 15), status=ProjectStep.Status.DONE)  # fmt: skip
    _step(project, "S7", "安全评价", linzi["应急"])
    return project


def _rows(project: Project) -> list[tuple[Any, ...]]:
    return list(
        project.tasks.order_by("week", "title").values_list(
            "week", "title", "department__short_name", "owner__username", "due_date", "step__code"
        )
    )


def test_generate_one_task_per_week_to_year_end(project: Project, users: Any) -> None:
    result = tasks_generate(project=project, user=users["linzi_admin"], today=TODAY)
    assert (result.created, result.existing, result.weeks, result.unplanned) == (7, 0, 5, 1)
    assert _rows(project) == [
        # the late step is carried into the first week; due on its planned finish (already past)
        (D(2026, 11, 30), "办理 S2 节能审查", "发改", None, D(2026, 11, 10), "S2"),
        (D(2026, 11, 30), "办理 S3 用地预审与选址意见", "自然资源", None, D(2026, 12, 4), "S3"),
        (D(2026, 11, 30), "办理 S6 环评审批", "生态环境", None, D(2026, 12, 3), "S6"),
        # S3 again in its second week: due on its planned finish, a Thursday, before the Friday
        (D(2026, 12, 7), "办理 S3 用地预审与选址意见", "自然资源", None, D(2026, 12, 10), "S3"),
        # weeks with nothing planned: the officer pushes the next stage (registered → 供地)
        (D(2026, 12, 14), "推进 供地", None, "linzi_chief", D(2026, 12, 18), None),
        (D(2026, 12, 21), "推进 供地", None, "linzi_chief", D(2026, 12, 25), None),
        (D(2026, 12, 28), "推进 供地", None, "linzi_chief", D(2027, 1, 1), None),
    ]
    history = WeeklyTask.history.filter(project_id=project.pk)
    assert history.count() == 7
    assert {(h.history_user_id, h.history_change_reason) for h in history} == {
        (users["linzi_admin"].pk, "web")
    }


def test_generate_is_idempotent(project: Project, users: Any) -> None:
    tasks_generate(project=project, user=users["linzi_admin"], today=TODAY)
    before = _rows(project)
    again = tasks_generate(
        project=project, user=users["linzi_chief"], today=TODAY + datetime.timedelta(days=1)
    )
    assert (again.created, again.existing) == (0, 7)
    assert _rows(project) == before
    # A later run only adds what is new: a step planned for the last week joins the officer's task there.
    _step(project, "S8", "设计方案审查", None, planned_start=D(2026, 12, 29), planned_finish=D(2027, 1, 8))
    third = tasks_generate(project=project, user=users["linzi_admin"], today=TODAY)
    assert third.created == 1
    assert project.tasks.filter(week=D(2026, 12, 28)).count() == 2
    assert project.tasks.get(step__code="S8").due_date == D(2027, 1, 1)


def test_from_saturday_the_list_starts_next_week(project: Project, users: Any) -> None:
    result = tasks_generate(project=project, user=users["linzi_admin"], today=D(2026, 12, 5))
    assert result.weeks == 4
    assert min(project.tasks.values_list("week", flat=True)) == D(2026, 12, 7)
    # S3's planned span ends in the week of 7 December; S2 and S6, already past, are carried into it.
    assert sorted(project.tasks.filter(week=D(2026, 12, 7)).values_list("step__code", flat=True)) == [
        "S2",
        "S3",
        "S6",
    ]


def test_generate_until_and_refusals(project: Project, users: Any) -> None:
    result = tasks_generate(project=project, user=users["linzi_admin"], today=TODAY, until=D(2026, 12, 8))
    assert result.weeks == 2 and project.tasks.count() == 4
    with pytest.raises(Http404):  # the outsider
        tasks_generate(project=project, user=users["huantai_admin"], today=TODAY)
    with pytest.raises(PermissionDenied):  # the clerk has no right to add (inside the district: 403)
        tasks_generate(project=project, user=users["linzi_clerk"], today=TODAY)
    Project.objects.filter(pk=project.pk).update(status="terminated", status_reason="投资方撤资")
    project.refresh_from_db()
    with pytest.raises(TaskError, match="终止"):
        tasks_generate(project=project, user=users["linzi_admin"], today=TODAY)


def test_generate_button(project: Project, client_for: Any) -> None:
    url = reverse("project_tasks_generate", args=[project.pk])
    assert client_for("huantai_admin").post(url).status_code == 404
    assert client_for("linzi_clerk").post(url).status_code == 403
    assert client_for("linzi_chief").post(url).status_code == 302
    assert project.tasks.count() > 0
    panel = client_for("linzi_clerk").get(reverse("project_delivery", args=[project.pk]))
    assert panel.status_code == 200 and "办理 S3 用地预审与选址意见" in panel.content.decode()
    assert client_for("huantai_admin").get(reverse("project_delivery", args=[project.pk])).status_code == 404


@pytest.mark.usefixtures("as_test_actor")
def test_my_tasks_by_owner_or_department_with_overdue_count(org: Any, users: Any, client_for: Any) -> None:
    clerk = users["linzi_clerk"]
    departments = org["linzi"]["departments"]
    today = datetime.date.today()
    monday = today - datetime.timedelta(days=today.weekday())
    baseline = my_tasks(clerk, today=today)["overdue"]
    project = ProjectFactory(district=org["linzi_district"], name="我的任务项目")
    mine = WeeklyTask.objects.create(
        project=project,
        week=monday,
        title="核发用地预审意见",
        department=departments["自然资源"],
        due_date=monday,
    )
    late = WeeklyTask.objects.create(
        project=project,
        week=monday - datetime.timedelta(weeks=3),
        title="补正规划条件",
        department=departments["自然资源"],
        due_date=today - datetime.timedelta(days=10),
    )
    owned = WeeklyTask.objects.create(
        project=project,
        week=monday,
        title="本人跟进",
        owner=clerk,
        due_date=today + datetime.timedelta(days=3),
    )
    other = WeeklyTask.objects.create(
        project=project, week=monday, title="环评受理", department=departments["生态环境"], due_date=monday
    )
    listing = my_tasks(clerk, today=today)
    shown = {t.pk for group in listing["groups"] for t in group.tasks}
    assert {mine.pk, late.pk, owned.pk} <= shown and other.pk not in shown
    overdue_now = (
        baseline + 1 + int(monday < today)
    )  # `mine` is due on Monday: overdue unless today is Monday
    assert listing["overdue"] == overdue_now

    page = client_for("linzi_clerk").get(reverse("my_tasks"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "核发用地预审意见" in html and "补正规划条件" in html and "环评受理" not in html
    assert f'id="overdue-count">{overdue_now}<' in html
    assert f'id="task-{late.pk}" class="task-row table-danger overdue' in html
    # The outsider sees none of it.
    assert "补正规划条件" not in client_for("huantai_admin").get(reverse("my_tasks")).content.decode()


@pytest.mark.usefixtures("as_test_actor")
def test_one_click_done(org: Any, users: Any, client_for: Any) -> None:
    today = datetime.date.today()
    project = ProjectFactory(district=org["linzi_district"], name="完成任务项目")
    task = WeeklyTask.objects.create(
        project=project,
        week=today - datetime.timedelta(days=today.weekday() + 7),
        title="提交环评报告",
        department=org["linzi"]["departments"]["自然资源"],
        due_date=today - datetime.timedelta(days=2),
    )
    url = reverse("task_complete", args=[task.pk])
    assert client_for("huantai_admin").post(url, HTTP_HX_REQUEST="true").status_code == 404
    clerk = client_for("linzi_clerk")
    response = clerk.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert (
        f'id="task-{task.pk}"' in response.content.decode()
        and "<s>提交环评报告</s>" in response.content.decode()
    )
    overdue = json.loads(response["HX-Trigger"])["overdueChanged"]["value"]
    assert overdue == my_tasks(users["linzi_clerk"], today=today)["overdue"]
    task.refresh_from_db()
    assert task.status == "done" and task.done_date == today
    assert task.history.first().history_user == users["linzi_clerk"]
    again = clerk.post(url, HTTP_HX_REQUEST="true")
    assert "任务已完成" in again.content.decode()
    with pytest.raises(TaskError, match="任务已完成"):
        task_complete(task=task, user=users["linzi_admin"])


def test_form_saves_monday_and_done_date(org: Any, users: Any, client_for: Any) -> None:
    project = ProjectFactory(district=org["linzi_district"], name="表单任务项目")
    data = {
        "project": project.pk,
        "week": "2026-12-03",
        "title": "表单任务",
        "due_date": "2026-12-04",
        "status": "done",
    }
    assert client_for("linzi_chief").post(reverse("task_add"), data).status_code == 302
    task = WeeklyTask.objects.get(title="表单任务")
    assert task.week == D(2026, 11, 30) and task.done_date is not None
    assert users["huantai_admin"] not in task_owner_choices(users["linzi_admin"])
    assert users["linzi_clerk"] in task_owner_choices(users["linzi_admin"])


def test_import_tasks_from_a_spreadsheet(org: Any, users: Any) -> None:
    ProjectFactory(district=org["linzi_district"], name="导入任务项目")
    csv = (
        "区县代码,项目名称,周(周一),任务,责任人账号,责任部门,完成时限,状态\n"
        "370305,导入任务项目,2026-12-02,现场踏勘,linzi_clerk,临淄区自然资源局,2026-12-04,待办\n"
        "370305,导入任务项目,2026年12月9日,出具意见,,临淄区自然资源局,2026-12-11,已完成\n"
    ).encode()
    report = import_run(
        resource=WeeklyTaskResource(user=users["linzi_admin"]),
        dataset=read_table("tasks.csv", csv),
        user=users["linzi_admin"],
        dry_run=False,
    )
    assert report.ok, report.issues
    first = WeeklyTask.objects.get(title="现场踏勘")
    assert first.week == D(2026, 11, 30) and first.owner == users["linzi_clerk"]
    assert WeeklyTask.objects.get(title="出具意见").done_date is not None
    # Huantai's admin cannot give a task to a Linzi project or person.
    refused = import_run(
        resource=WeeklyTaskResource(user=users["huantai_admin"]),
        dataset=read_table("tasks.csv", csv),
        user=users["huantai_admin"],
        dry_run=False,
    )
    assert not refused.ok and "项目" in refused.issues[0].message


def test_step_choices_are_the_projects_own(project: Project, users: Any) -> None:
    from zhaoshang.projects.delivery.forms import TaskForm

    other = ProjectFactory(district=project.district, name="别的项目")
    _step(other, "S9", "建设工程规划许可")
    form = TaskForm(user=users["linzi_admin"], initial={"project": str(project.pk)})
    assert set(form.fields["step"].queryset) == set(project.steps.all())
    assert not TaskForm(user=users["linzi_admin"]).fields["step"].queryset.exists()
    data = {"project": project.pk, "week": "2026-12-01", "title": "x", "due_date": "2026-12-04", "status": "todo",
            "step": other.steps.get().pk}  # fmt: skip
    assert "step" in TaskForm(data, user=users["linzi_admin"]).errors

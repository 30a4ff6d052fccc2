"""Blockers: raised → assigned → in progress → solved → struck off by a supervisor; refusals; escalation; chart."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404
from django.urls import reverse

from zhaoshang.core.jobs import job_submit
from zhaoshang.projects.delivery.blockers import (
    BlockerError,
    blocker_assign,
    blocker_progress,
    blocker_raise,
    blocker_reopen,
    blocker_solve,
    blocker_strike_off,
    blockers_escalate,
)
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.management.commands.escalate import Command as EscalateCommand
from zhaoshang.projects.models import Blocker, Project

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def project(org: Any) -> Project:
    return ProjectFactory(district=org["linzi_district"], name="堵点测试项目")


def test_lifecycle_attributed_at_every_step(org: Any, users: Any, project: Project) -> None:
    chief, clerk, admin = users["linzi_chief"], users["linzi_clerk"], users["linzi_admin"]
    land = org["linzi"]["departments"]["自然资源"]
    blocker = blocker_raise(project=project, title="用地指标未落实", description="缺 50 亩指标", user=chief)
    assert blocker.status == "raised" and blocker.raised_by == chief
    blocker = blocker_assign(blocker=blocker, department=land, deadline=TODAY + 10 * DAY, user=admin)
    assert (blocker.status, blocker.department, blocker.deadline) == ("assigned", land, TODAY + 10 * DAY)
    blocker = blocker_progress(blocker=blocker, note="已上报市局调剂指标", user=clerk)
    assert blocker.status == "in_progress" and "已上报市局调剂指标" in blocker.description
    blocker = blocker_solve(blocker=blocker, solution="市局调剂 50 亩", date=TODAY, user=clerk)
    assert (blocker.status, blocker.solved_date) == ("solved", TODAY)
    with pytest.raises(BlockerError, match="审核权限"):  # the clerk may solve but not strike off
        blocker_strike_off(blocker=blocker, user=clerk)
    blocker = blocker_strike_off(blocker=blocker, user=admin)
    assert (blocker.status, blocker.struck_off_by, blocker.struck_off_date) == ("struck_off", admin, TODAY)
    trail = [(h.status, h.history_user) for h in blocker.history.order_by("history_date", "history_id")]
    assert trail == [
        ("raised", chief),
        ("assigned", admin),
        ("in_progress", clerk),
        ("solved", clerk),
        ("struck_off", admin),
    ]
    with pytest.raises(BlockerError, match="已销号"):
        blocker_strike_off(blocker=blocker, user=admin)


def test_refusals_have_clear_reasons(org: Any, users: Any, project: Project) -> None:
    admin, clerk = users["linzi_admin"], users["linzi_clerk"]
    land = org["linzi"]["departments"]["自然资源"]
    blocker = blocker_raise(project=project, title="环评批复进度慢", user=admin)
    with pytest.raises(BlockerError, match="只能对已解决的堵点销号"):
        blocker_strike_off(blocker=blocker, user=admin)
    with pytest.raises(BlockerError, match="尚未交办"):
        blocker_progress(blocker=blocker, note="x", user=clerk)
    with pytest.raises(BlockerError, match="须属于项目所在区县"):
        blocker_assign(
            blocker=blocker, department=org["huantai"]["departments"]["自然资源"], deadline=TODAY, user=admin
        )
    with pytest.raises(BlockerError, match="不能早于今天"):
        blocker_assign(blocker=blocker, department=land, deadline=TODAY - DAY, user=admin)
    with pytest.raises(BlockerError, match="同时指定"):
        blocker_raise(project=project, title="只有部门", department=land, user=admin)
    with pytest.raises(BlockerError, match="解决情况"):
        blocker_solve(blocker=blocker, solution=" ", date=TODAY, user=clerk)
    with pytest.raises(BlockerError, match="不能晚于今天"):
        blocker_solve(blocker=blocker, solution="已解决", date=TODAY + DAY, user=clerk)
    with pytest.raises(BlockerError, match="只能退回已解决"):
        blocker_reopen(blocker=blocker, reason="未解决", user=admin)
    # Inside the district, a role without the right to add is told why (403), not shown a 404.
    with pytest.raises(PermissionDenied, match="不能新增"):
        blocker_raise(project=project, title="x", user=clerk)
    # Outside the scope: 404, whatever the action.
    for action in (
        lambda: blocker_raise(project=project, title="x", user=users["huantai_admin"]),
        lambda: blocker_assign(blocker=blocker, department=land, deadline=TODAY, user=users["huantai_admin"]),
        lambda: blocker_solve(blocker=blocker, solution="x", date=TODAY, user=users["huantai_admin"]),
        lambda: blocker_strike_off(blocker=blocker, user=users["huantai_admin"]),
    ):
        with pytest.raises(Http404):
            action()
    blocker.refresh_from_db()
    assert blocker.status == "raised"
    # A supervisor sends a thin solution back.
    blocker = blocker_solve(blocker=blocker, solution="已协调", date=TODAY, user=clerk)
    blocker = blocker_reopen(blocker=blocker, reason="未见批复文件", user=admin)
    assert (
        blocker.status == "raised" and "未见批复文件" in blocker.description and blocker.solved_date is None
    )


def test_pages_refuse_and_report(org: Any, users: Any, project: Project, client_for: Any) -> None:
    land = org["linzi"]["departments"]["自然资源"]
    blocker = blocker_raise(
        project=project,
        title="配套道路未贯通",
        user=users["linzi_admin"],
        department=land,
        deadline=TODAY + DAY,
    )
    detail = reverse("blocker_detail", args=[blocker.pk])
    outsider = client_for("huantai_admin")
    assert outsider.get(detail).status_code == 404
    for action in ("assign", "progress", "solve", "strike-off", "reopen"):
        url = reverse(f"blocker_{action.replace('-', '_')}", args=[blocker.pk])
        assert outsider.post(url, {"note": "x", "solution": "x", "date": TODAY}).status_code == 404

    clerk = client_for("linzi_clerk")
    page = clerk.get(detail).content.decode()
    assert 'id="solve-form"' in page and 'id="strike-off-form"' not in page
    clerk.post(
        reverse("blocker_solve", args=[blocker.pk]), {"solution": "道路已贯通", "date": TODAY.isoformat()}
    )
    response = clerk.post(reverse("blocker_strike_off", args=[blocker.pk]), follow=True)
    assert "只有具有审核权限的督办人员才能销号" in response.content.decode()
    blocker.refresh_from_db()
    assert blocker.status == "solved"
    admin = client_for("linzi_admin")
    assert 'id="strike-off-form"' in admin.get(detail).content.decode()
    admin.post(reverse("blocker_strike_off", args=[blocker.pk]))
    blocker.refresh_from_db()
    assert blocker.status == "struck_off" and blocker.struck_off_by == users["linzi_admin"]
    # Edits through the generic form cannot touch the status.
    assert "status" not in admin.get(reverse("blocker_edit", args=[blocker.pk])).context["form"].fields


def _overdue(project: Project, users: Any, department: Any, days: int, title: str = "逾期堵点") -> Blocker:
    blocker = blocker_raise(
        project=project, title=title, user=users["linzi_admin"], department=department, deadline=TODAY
    )
    Blocker.objects.filter(pk=blocker.pk).update(deadline=TODAY - days * DAY)
    blocker.refresh_from_db()
    return blocker


def _level(blocker: Blocker) -> int:
    blocker.refresh_from_db()
    return blocker.level


def test_escalation_one_level_per_day_and_per_week_overdue(org: Any, users: Any, project: Project) -> None:
    admin = users["linzi_admin"]
    land = org["linzi"]["departments"]["自然资源"]
    late = _overdue(project, users, land, days=1)
    solved = _overdue(project, users, land, days=30, title="已解决堵点")
    blocker_solve(blocker=solved, solution="已解决", date=TODAY, user=admin)
    on_time = blocker_raise(project=project, title="未到期", user=admin, department=land, deadline=TODAY)

    blockers_escalate(user=admin)
    assert (_level(late), _level(solved), _level(on_time)) == (1, 0, 0)
    blockers_escalate(user=admin)  # the same day again: nothing more
    assert _level(late) == 1
    blockers_escalate(user=admin, today=TODAY + 6 * DAY)  # 7 days overdue: still the first level
    assert _level(late) == 1
    blockers_escalate(user=admin, today=TODAY + 7 * DAY)  # 8 days overdue: the second level
    assert _level(late) == 2
    # Far behind: one level per day, never above the top level.
    for days in (100, 100, 101, 102, 103):
        blockers_escalate(user=admin, today=TODAY + days * DAY)
    assert _level(late) == 3
    assert late.history.filter(history_change_reason="job").count() == 3
    # The outsider escalates nothing of Linzi's.
    other = _overdue(project, users, land, days=5, title="另一个逾期堵点")
    result = blockers_escalate(user=users["huantai_admin"])
    assert other.pk not in {row["id"] for row in result["escalated"]} and _level(other) == 0


def test_escalate_twice_for_a_past_day_escalates_once(org: Any, users: Any, project: Project) -> None:
    land = org["linzi"]["departments"]["自然资源"]
    blocker = _overdue(project, users, land, days=40, title="补跑逾期堵点")
    behind = _overdue(project, users, land, days=40, title="导入时已一级")
    Blocker.objects.filter(pk=behind.pk).update(level=1)  # e.g. imported at level 1, never escalated here
    day = TODAY - 3 * DAY  # a past day: the timer did not run, someone catches up by hand

    def escalate(date: datetime.date) -> str:
        out = io.StringIO()
        call_command(EscalateCommand(), "--district", "370305", "--date", date.isoformat(), stdout=out)
        return out.getvalue()

    first = escalate(day)
    assert (
        f"升级 #{blocker.pk} 补跑逾期堵点 → 1 级" in first
        and f"升级 #{behind.pk} 导入时已一级 → 2 级" in first
    )
    second = escalate(day)
    assert f"#{blocker.pk} " not in second and f"#{behind.pk} " not in second
    assert (_level(blocker), _level(behind)) == (1, 2)
    assert blocker.escalated_on == day
    rises = blocker.history.filter(history_change_reason="cli")
    assert [h.level for h in rises] == [1]  # one escalation, one history row
    # Catching up day by day: one level a day; an earlier day after a later one changes nothing.
    escalate(day + DAY)
    escalate(day + DAY)
    assert _level(blocker) == 2 and blocker.escalated_on == day + DAY
    escalate(day)
    assert _level(blocker) == 2
    assert blocker.history.filter(history_change_reason="cli").count() == 2
    # The export says when each blocker was last escalated.
    from zhaoshang.projects.delivery.resources import BlockerResource

    exported = BlockerResource(user=users["linzi_admin"]).export(Blocker.objects.filter(pk=blocker.pk))
    row = dict(zip(exported.headers, exported[0], strict=True))
    assert str(row["最近升级日期"]) == (day + DAY).isoformat()


@pytest.mark.usefixtures("as_test_actor")
def test_district_settings_and_command_and_job(org: Any, users: Any, project: Project) -> None:
    district = org["linzi_district"]
    district.settings = {**district.settings, "blockers": {"escalate_every_days": 1, "max_level": 2}}
    district.save()
    blocker = _overdue(project, users, org["linzi"]["departments"]["住建"], days=10)
    out = io.StringIO()
    call_command(EscalateCommand(), "--district", "370305", stdout=out)
    assert f"升级 #{blocker.pk} 逾期堵点 → 1 级" in out.getvalue()
    assert _level(blocker) == 1
    assert blocker.history.first().history_change_reason == "cli"
    job = job_submit(
        kind="blockers-escalate",
        title="逾期升级",
        user=users["linzi_admin"],
        params={"district": district.pk, "date": (TODAY + DAY).isoformat()},
    )
    assert job.status == "succeeded", job.result
    assert _level(blocker) == 2
    blockers_escalate(user=users["linzi_admin"], today=TODAY + 5 * DAY)
    assert _level(blocker) == 2  # max_level of this district


def test_board_by_department_and_status(org: Any, users: Any, project: Project, client_for: Any) -> None:
    departments = org["linzi"]["departments"]
    late = _overdue(project, users, departments["自然资源"], days=3, title="挂图逾期堵点")
    blocker_raise(project=project, title="挂图未交办堵点", user=users["linzi_admin"])
    huantai_project = ProjectFactory(district=org["huantai_district"], name="桓台堵点项目")
    blocker_raise(project=huantai_project, title="桓台的堵点", user=users["huantai_admin"])

    page = client_for("linzi_admin").get(reverse("blocker_board"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "挂图逾期堵点" in html and "挂图未交办堵点" in html and "桓台的堵点" not in html
    assert f'href="/blocker/{late.pk}/"' in html
    row = next(r for r in page.context["rows"] if r.department == departments["自然资源"])
    assigned = next(c for c in row.cells if c.status == "assigned")
    assert late in assigned.cards and next(c for c in assigned.cards if c.pk == late.pk).overdue
    assert 'class="link-danger"' in html and "blocker-chart-data" in html
    chart = {d["department"]: d for d in page.context["chart"]}
    assert chart["自然资源"]["overdue"] >= 1 and chart["未交办"]["open"] >= 1

    city = client_for("city_admin")
    assert "桓台的堵点" in city.get(reverse("blocker_board")).content.decode()
    only_huantai = city.get(
        reverse("blocker_board") + f"?district={org['huantai_district'].pk}"
    ).content.decode()
    assert "桓台的堵点" in only_huantai and "挂图逾期堵点" not in only_huantai
    board = reverse("blocker_board") + f"?district={org['huantai_district'].pk}"
    assert client_for("linzi_admin").get(board).status_code == 404


def test_escalate_button(org: Any, users: Any, project: Project, client_for: Any) -> None:
    blocker = _overdue(project, users, org["linzi"]["departments"]["应急"], days=2, title="按钮升级堵点")
    response = client_for("linzi_admin").post(
        reverse("blocker_escalate"), {"district": org["linzi_district"].pk}
    )
    assert response.status_code == 302
    assert _level(blocker) == 1
    assert (
        client_for("huantai_admin")
        .post(reverse("blocker_escalate"), {"district": org["linzi_district"].pk})
        .status_code
        == 404
    )


def test_api_raises_and_assigns_but_never_moves_the_status(org: Any, users: Any, project: Project) -> None:
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(users["city_admin"])
    data = {"project": project.pk, "title": "接口提出的堵点", "deadline": (TODAY + DAY).isoformat()}
    wrong = {**data, "department": org["huantai"]["departments"]["住建"].pk}
    response = api.post("/api/blocker/", wrong, format="json")
    assert response.status_code == 400 and "项目所在区县" in response.content.decode()
    right = {**data, "department": org["linzi"]["departments"]["住建"].pk}
    response = api.post("/api/blocker/", right, format="json")
    assert response.status_code == 201, response.content
    blocker = Blocker.objects.get(pk=response.json()["id"])
    assert (blocker.status, blocker.raised_by) == ("assigned", users["city_admin"])
    api.patch(f"/api/blocker/{blocker.pk}/", {"status": "struck_off", "level": 3}, format="json")
    blocker.refresh_from_db()
    assert (blocker.status, blocker.level) == ("assigned", 0)

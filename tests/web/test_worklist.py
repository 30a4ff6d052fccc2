"""我的工作: one worklist per person and department, with counts on home and in the inbox, in constant queries."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from zhaoshang.enterprises.factories import TargetEntryFactory
from zhaoshang.enterprises.models import TargetEntry
from zhaoshang.notifications.worklist import worklist, worklist_counts
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import Blocker, InvestmentCompletion, ProjectStep, StageMove, WeeklyTask
from zhaoshang.sites.factories import SiteFactory
from zhaoshang.sites.models import Site

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _task(project: Any, title: str, due: datetime.date, **kwargs: Any) -> WeeklyTask:
    return WeeklyTask.objects.create(project=project, week=_monday(due), title=title, due_date=due, **kwargs)


def _step(project: Any, code: str, department: Any, finish: datetime.date, **kwargs: Any) -> ProjectStep:
    return ProjectStep.objects.create(
        project=project,
        code=code,
        name=f"环节{code}",
        module=1,
        module_name="立项用地",
        duration=5,
        department=department,
        planned_finish=finish,
        **kwargs,
    )


@pytest.fixture
def world(org: Any, users: Any, as_test_actor: Any) -> dict[str, Any]:
    """Work for the Linzi land clerk (自然资源) and her department, and the same kinds of work in Huantai."""
    clerk, chief = users["linzi_clerk"], users["linzi_chief"]
    land = org["linzi"]["departments"]["自然资源"]
    other = org["linzi"]["departments"]["发改"]
    linzi, huantai = org["linzi_district"], org["huantai_district"]
    # A clean slate: the demo's own work for her and her department goes to nobody, so the counts are exact.
    WeeklyTask.objects.filter(Q(owner=clerk) | Q(department=land)).delete()
    ProjectStep.objects.filter(department=land).update(department=None)
    Blocker.objects.filter(department=land).update(department=None)
    TargetEntry.objects.filter(owner=clerk).update(owner=None)
    Site.objects.filter(data_owner=clerk).update(data_owner=None)
    project = ProjectFactory(district=linzi, name="某新材料项目", stage="negotiation")
    outside = ProjectFactory(district=huantai, name="桓台某项目", stage="negotiation")
    before = {s.key: (s.count, s.overdue) for s in worklist_counts(clerk).sections}
    made = {
        "late_task": _task(project, "补交用地材料", TODAY - 3 * DAY, owner=clerk),
        "soon_task": _task(project, "现场踏勘", TODAY + 2 * DAY, department=land),
        "far_task": _task(project, "远期任务", TODAY + 30 * DAY, owner=clerk),
        "done_task": _task(project, "已办任务", TODAY - DAY, owner=clerk, status=WeeklyTask.Status.DONE),
        "other_task": _task(project, "发改的任务", TODAY, department=other),
        "huantai_task": _task(outside, "桓台任务", TODAY - DAY, owner=clerk),
        "late_step": _step(project, "S3", land, TODAY - 5 * DAY),
        "soon_step": _step(project, "S4", land, TODAY + 3 * DAY, status=ProjectStep.Status.IN_PROGRESS),
        "done_step": _step(project, "S5", land, TODAY - 9 * DAY, status=ProjectStep.Status.DONE),
        "other_step": _step(project, "S6", other, TODAY - 9 * DAY),
        "late_blocker": Blocker.objects.create(
            project=project,
            title="用地指标不足",
            department=land,
            deadline=TODAY - DAY,
            status="assigned",
            raised_by=chief,
        ),
        "blocker": Blocker.objects.create(
            project=project, title="规划调整", department=land, status="raised", raised_by=chief
        ),
        "solved_blocker": Blocker.objects.create(
            project=project,
            title="已解决堵点",
            department=land,
            status="solved",
            solved_date=TODAY,
            raised_by=chief,
        ),
        "move": StageMove.objects.create(
            project=project, from_stage="negotiation", to_stage="signed", date=TODAY, requested_by=chief
        ),
        "completion": InvestmentCompletion.objects.create(
            project=project, month=TODAY.replace(day=1), amount=Decimal("1200"), reported_by=clerk
        ),
        "late_target": TargetEntryFactory(
            district=linzi, owner=clerk, next_action="回访", next_action_date=TODAY - 2 * DAY
        ),
        "soon_target": TargetEntryFactory(
            district=linzi, owner=clerk, next_action="送达政策", next_action_date=TODAY + DAY
        ),
        "stale_site": SiteFactory(
            district=linzi, data_owner=clerk, verified_on=TODAY - 400 * DAY, code="ZS-9"
        ),
        "fresh_site": SiteFactory(district=linzi, data_owner=clerk, verified_on=TODAY, code="ZS-10"),
    }
    return {"before": before, "clerk": clerk, "chief": chief, **made}


def _delta(world: dict[str, Any], user: Any) -> dict[str, tuple[int, int]]:
    now = {s.key: (s.count, s.overdue) for s in worklist_counts(user).sections}
    before = world["before"] if user == world["clerk"] else dict.fromkeys(now, (0, 0))
    return {k: (now[k][0] - before[k][0], now[k][1] - before[k][1]) for k in now}


def test_the_clerks_worklist(world: dict[str, Any]) -> None:
    delta = _delta(world, world["clerk"])
    assert delta["tasks"] == (2, 1)  # late (hers) + soon (her department's); not far, done, 发改's, Huantai's
    assert delta["steps"] == (2, 1)  # 自然资源's S3 (late) and S4 (due); not done, not 发改's
    assert delta["blockers"] == (2, 1)  # open ones given to 自然资源; the one past its deadline is late
    assert delta["verify"] == (0, 0)  # the clerk verifies nothing
    assert delta["followups"] == (2, 1)
    assert delta["sites"] == (1, 1)
    work = worklist(world["clerk"], limit=500)
    sections = {s.key: s for s in work.sections}
    titles = [i.title for i in sections["tasks"].items]
    assert "补交用地材料" in titles and "现场踏勘" in titles and "桓台任务" not in titles
    # Overdue first, marked, and linking to the record.
    late = sections["tasks"].items[0]
    assert late.overdue and late.due < TODAY
    step_titles = [i.title for i in sections["steps"].items]
    assert step_titles.index("S3 环节S3") < step_titles.index("S4 环节S4")
    blocker = next(i for i in sections["blockers"].items if i.title == "用地指标不足")
    assert blocker.overdue and blocker.url == reverse("blocker_detail", args=[world["late_blocker"].pk])
    assert [i.title for i in sections["blockers"].items] == ["用地指标不足", "规划调整"]  # dated first
    site = next(i for i in sections["sites"].items if i.title.startswith("ZS-9"))
    assert site.url == reverse("site_detail", args=[world["stale_site"].pk])
    # Due one checking period after the last check, not on the day it was last checked.
    from zhaoshang.sites.selectors import stale_days

    assert (
        site.due == world["stale_site"].verified_on + stale_days(world["stale_site"].district) * DAY < TODAY
    )
    assert not any(i.title.startswith("ZS-10") for i in sections["sites"].items)


def test_verifications_wait_for_others_than_the_author(world: dict[str, Any], users: Any) -> None:
    admin = users["linzi_admin"]
    work = {s.key: s for s in worklist(admin, limit=500).sections}
    titles = [i.title for i in work["verify"].items]
    assert any("签约" in t for t in titles)  # the chief's claim
    assert any(t.startswith("投资完成额") for t in titles)  # the clerk's report
    assert work["verify"].count >= 2
    # The author of a claim does not see it as waiting for them; the chief cannot verify at all.
    StageMove.objects.filter(pk=world["move"].pk).update(requested_by=admin)
    mine = {s.key: s for s in worklist(admin).sections}["verify"]
    assert mine.count == work["verify"].count - 1
    assert {s.key: s for s in worklist(world["chief"]).sections}["verify"].count == 0
    # Another district's administrator sees none of Linzi's.
    huantai = {s.key: s for s in worklist(users["huantai_admin"], limit=500).sections}["verify"]
    assert all(i.context != "某新材料项目" for i in huantai.items)


def test_constant_queries(world: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    clerk = world["clerk"]
    project = world["late_task"].project
    land = world["soon_task"].department
    worklist(clerk)  # warm the scopes as a request would
    with django_assert_max_num_queries(20) as small:
        worklist(clerk)
    for n in range(40):
        _task(project, f"批量任务{n}", TODAY - (n % 5) * DAY, owner=clerk)
        _step(project, f"X{n}", land, TODAY - (n % 4) * DAY)
        Blocker.objects.create(
            project=project, title=f"堵点{n}", department=land, status="assigned", raised_by=world["chief"]
        )
        SiteFactory(district=project.district, data_owner=clerk, verified_on=None, code=f"BULK-{n}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        work = worklist(clerk)
    assert {s.key: len(s.items) for s in work.sections}["tasks"] == 20  # the first 20, the rest counted


def test_page_home_and_inbox_show_it(world: dict[str, Any], client_for: Any) -> None:
    client = client_for("linzi_clerk")
    page = client.get(reverse("my_work"))
    html = page.content.decode()
    assert page.status_code == 200
    for key in ("tasks", "steps", "blockers", "verify", "followups", "sites"):
        assert f'id="work-{key}"' in html
    assert "补交用地材料" in html and "用地指标不足" in html and "list-group-item-danger" in html
    assert "桓台任务" not in html
    work = worklist_counts(world["clerk"])
    home = client.get(reverse("home")).content.decode()
    assert 'id="home-work"' in home and f"逾期 {work.overdue}" in home
    inbox = client.get(reverse("notifications_inbox")).content.decode()
    assert 'id="home-work"' in inbox and reverse("my_work") in inbox


def test_nobody_signed_in_is_sent_to_login(client: Any) -> None:
    response = client.get(reverse("my_work"))
    assert response.status_code == 302 and "login" in response["Location"]

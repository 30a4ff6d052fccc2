"""我的工作 on a phone (390 px): no sideways scroll, every section with its count, the late item in red and
linking to its record."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _work(org: dict[str, Any]) -> dict[str, Any]:
    from zhaoshang.core.audit import acting_as, system_actor
    from zhaoshang.projects.factories import ProjectFactory
    from zhaoshang.projects.models import Blocker, WeeklyTask

    clerk = org["users"]["linzi_clerk"]
    land = org["linzi"]["departments"]["自然资源"]
    today = datetime.date.today()
    late = today - datetime.timedelta(days=4)
    with acting_as(system_actor("test"), "system"):
        project = ProjectFactory(
            district=org["linzi_district"], name="淄博某高端化工新材料一体化项目(一期、二期及配套公用工程)"
        )
        task = WeeklyTask.objects.create(
            project=project,
            week=late - datetime.timedelta(days=late.weekday()),
            title="补交建设用地预审与选址意见书申请材料并对接市自然资源和规划局审查",
            owner=clerk,
            due_date=late,
        )
        blocker = Blocker.objects.create(
            project=project,
            title="用地指标不足",
            department=land,
            deadline=late,
            status="assigned",
            raised_by=org["users"]["linzi_chief"],
        )
    return {"project": project, "task": task, "blocker": blocker}


def test_my_work_on_a_phone(page_as: Any, live_org: dict[str, Any], shoot: Any) -> None:
    work = _work(live_org)
    page = page_as("linzi_clerk")
    page.set_viewport_size(PHONE)
    # The home page carries the counts and leads to the page.
    link = page.locator("#home-work a", has_text="我的工作").first
    link.click()
    page.wait_for_url(re.compile(r"/my/$"))
    assert page.locator("h1").inner_text() == "我的工作"
    for key in ("tasks", "steps", "blockers", "verify", "followups", "sites"):
        assert page.locator(f"#work-{key}").count() == 1, key
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width} px"
    tasks = page.locator("#work-tasks")
    assert int(tasks.get_attribute("data-overdue")) >= 1
    late = tasks.locator("li[data-overdue='1'] a", has_text="补交建设用地预审").first
    color = late.evaluate("element => getComputedStyle(element).color")
    assert color in ("rgb(220, 53, 69)", "rgba(220, 53, 69, 1)"), color  # Bootstrap's text-danger
    blockers = page.locator("#work-blockers")
    assert "用地指标不足" in blockers.inner_text()
    shoot(page, "my-work-390.png")
    blockers.locator("a", has_text="用地指标不足").click()
    page.wait_for_url(re.compile(rf"/blocker/{work['blocker'].pk}/"))


def test_a_full_section_folds_on_a_phone(page_as: Any, live_org: dict[str, Any]) -> None:
    """A section with more than five items shows five, the rest open under "还有 N 项" (a <details>, no script);
    the counts do not change when it folds or opens."""
    from zhaoshang.core.audit import acting_as, system_actor
    from zhaoshang.projects.factories import ProjectFactory
    from zhaoshang.projects.models import WeeklyTask

    clerk = live_org["users"]["linzi_clerk"]
    today = datetime.date.today()
    with acting_as(system_actor("test"), "system"):
        project = ProjectFactory(district=live_org["linzi_district"], name="折叠测试项目")
        for i in range(12):
            due = today + datetime.timedelta(days=1 + i % 5)
            WeeklyTask.objects.create(
                project=project,
                week=due - datetime.timedelta(days=due.weekday()),
                title=f"折叠测试任务{i:02d}",
                owner=clerk,
                due_date=due,
            )
    page = page_as("linzi_clerk")
    page.set_viewport_size(PHONE)
    page.goto("/my/")
    tasks = page.locator("#work-tasks")
    count = int(tasks.get_attribute("data-count"))
    assert count >= 12
    shown = min(count, 20)  # the page lists at most 20 a section
    visible = tasks.locator("li.list-group-item:visible")
    assert visible.count() == 5
    fold = tasks.locator("details.work-fold")
    assert fold.get_attribute("open") is None
    summary = fold.locator("summary")
    assert summary.inner_text().strip() == f"还有 {shown - 5} 项"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    folded_height = page.evaluate("document.documentElement.scrollHeight")
    summary.click()
    assert fold.get_attribute("open") is not None
    assert tasks.locator("li.list-group-item:visible").count() == shown
    assert int(tasks.get_attribute("data-count")) == count  # unchanged
    assert page.locator("#work-summary [data-section='tasks'] .badge").inner_text() == str(count)
    assert page.evaluate("document.documentElement.scrollHeight") > folded_height
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate("window.__csp_violations") == []

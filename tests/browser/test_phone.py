"""The daily pages on a phone (issue 17 item 4): at 390 px nothing scrolls sideways — wide tables scroll inside
their own box, charts shrink with the screen — and the project list's filters fold behind a 筛选 button."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _records(org: dict[str, Any]) -> dict[str, Any]:
    """A project with a long name, long approval steps and a blocker: the rows that widened the pages."""
    from zhaoshang.core.audit import acting_as, system_actor
    from zhaoshang.projects.factories import ProjectFactory
    from zhaoshang.projects.models import Blocker, ProjectStep

    today = datetime.date.today()
    with acting_as(system_actor("test"), "system"):
        project = ProjectFactory(
            district=org["linzi_district"],
            name="年产30万吨高性能聚烯烃弹性体及配套原料一体化项目(一期)",
            stage="signed",
            tier="provincial",
            total_investment=2_850_000,
            signed_date=today - datetime.timedelta(days=200),
        )
        for i in range(6):
            ProjectStep.objects.create(
                project=project,
                code=f"3.{i}",
                name=f"建设用地规划许可证核发及建设工程规划许可证核发(含方案审查)第{i}步",
                module=3,
                module_name="规划许可",
                duration=10,
                planned_finish=today - datetime.timedelta(days=40 - i),
            )
        Blocker.objects.create(
            project=project,
            title="110千伏变电站间隔扩建及线路路径协调,需市供电公司与自然资源部门联合审查",
            department=org["linzi"]["departments"]["自然资源"],
            deadline=today - datetime.timedelta(days=3),
            status="assigned",
            raised_by=org["users"]["linzi_admin"],
        )
    return {"project": project}


def _no_sideways_scroll(page: Any, what: str) -> None:
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{what} scrolls sideways at 390 px: {width} px"


def test_daily_pages_fit_a_phone(page_as: Any, live_org: dict[str, Any], shoot: Any) -> None:
    records = _records(live_org)
    page = page_as("linzi_admin")
    page.set_viewport_size(PHONE)
    page.reload()
    _no_sideways_scroll(page, "home")
    shoot(page, "home-390.png")
    # The menu folds behind the toggler; opened, it holds the global search box at full width.
    toggler = page.locator("nav .navbar-toggler")
    assert toggler.is_visible()
    assert not page.locator("#global-search input").is_visible()
    toggler.click()
    box = page.locator("#global-search input")
    box.wait_for(state="visible")
    assert box.bounding_box()["width"] > 300
    _no_sideways_scroll(page, "home with the menu open")

    page.goto(f"/project/{records['project'].pk}/")
    _no_sideways_scroll(page, "project page")
    # The approval steps are a wide table: it scrolls inside its own box, not the page.
    steps = page.locator("main table", has_text="建设用地规划许可证核发").first
    assert steps.evaluate("t => t.scrollWidth > t.clientWidth && getComputedStyle(t).overflowX === 'auto'")

    page.goto("/blockers/board/")
    _no_sideways_scroll(page, "blocker board")
    assert "110千伏变电站" in page.locator("main").inner_text()

    page.goto("/my/")
    _no_sideways_scroll(page, "my work")

    page.goto("/assessment/")
    _no_sideways_scroll(page, "dashboard")
    funnel = page.locator("#funnel")
    funnel.wait_for(state="attached")
    page.wait_for_function("() => document.getElementById('funnel').dataset.ready === 'true'")
    box = funnel.bounding_box()
    assert box["width"] <= PHONE["width"] and box["height"] <= 320  # the chart shrank with the screen
    canvas = funnel.locator("canvas").first.bounding_box()
    assert canvas["width"] <= PHONE["width"]


def test_project_list_filters_fold_behind_a_button(page_as: Any, live_org: dict[str, Any]) -> None:
    _records(live_org)
    page = page_as("linzi_admin")
    page.set_viewport_size(PHONE)
    page.goto("/project/")
    _no_sideways_scroll(page, "project list")
    filters = page.locator("#list-filters")
    button = page.locator("#list-filters-toggle")
    assert button.is_visible() and button.inner_text().startswith("筛选")
    assert not filters.is_visible()
    # The first row of the list is on the first screen, not below ten filters.
    first = page.locator("#object-table tbody tr").first.bounding_box()
    assert first["y"] < PHONE["height"]
    button.click()
    filters.wait_for(state="visible")
    page.locator("#list-filters input[name=q]").fill("聚烯烃")
    page.wait_for_function(
        "() => document.querySelectorAll('#object-table tbody tr').length === 1"
        " && document.querySelector('#object-table').innerText.includes('聚烯烃')"
    )
    _no_sideways_scroll(page, "project list with the filters open")
    # On a wide screen the filters are shown without the button.
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/project/")
    assert page.locator("#list-filters").is_visible()
    assert not page.locator("#list-filters-toggle").is_visible()
    assert re.search(r"/project/$", page.url)


def test_slow_loads_show_a_sign_of_work(page_as: Any, live_org: dict[str, Any]) -> None:
    """A request that takes long shows the bar at the top; it goes when the answer came. (Whole-page loads show
    the same bar from web/loading.js; Playwright cannot look into a page whose navigation it holds.)"""
    page = page_as("linzi_admin")
    held: list[Any] = []
    page.route(re.compile(r"/search/\?"), lambda route: held.append(route))
    bar = page.locator("#page-loading")
    assert not bar.is_visible()
    page.locator("#global-search input").fill("临淄")
    page.wait_for_function("() => document.getElementById('page-loading').dataset.active === 'true'")
    assert bar.is_visible()
    assert held, "the search request was not sent"
    held.pop().continue_()
    page.locator("#global-search-list").wait_for()
    page.wait_for_function("() => document.getElementById('page-loading').hidden")
    assert not bar.is_visible()

"""大屏模式 (issue 17 item 4): at 1920×1080 a layout of its own — no navigation, dark, no scroll, large figures,
ECharts in the dark theme, the date and the data time — that refreshes itself."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest

pytestmark = pytest.mark.browser

SCREEN = {"width": 1920, "height": 1080}


def test_big_screen_fills_a_meeting_room_display(page_as: Any, live_org: dict[str, Any], shoot: Any) -> None:
    from zhaoshang.core.audit import acting_as, system_actor
    from zhaoshang.projects.factories import ProjectFactory
    from zhaoshang.projects.models import Project

    linzi = live_org["linzi_district"]
    with acting_as(system_actor("test"), "system"):
        for i in range(30):  # more rows than the screen lists: they are cut, never scrolled
            ProjectFactory(
                district=linzi, name=f"大屏测试项目{i:02d}", stage="signed", total_investment=50_000
            )
    page = page_as("linzi_admin")
    page.set_viewport_size(SCREEN)
    page.goto(f"/assessment/?district={linzi.pk}&screen=1&refresh=5")
    page.wait_for_function("() => document.getElementById('screen-funnel').dataset.ready === 'true'")

    assert page.locator("nav").count() == 0  # no navigation
    assert page.locator("html").get_attribute("data-bs-theme") == "dark"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(6, 21, 43)", background
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size[0] <= SCREEN["width"] and size[1] <= SCREEN["height"], size
    # Large figures: the district's projects, counted as the database counts them.
    count = Project.objects.filter(district=linzi).count()
    figure = page.locator("#kpi-projects")
    assert figure.inner_text() == str(count)
    assert float(figure.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 40
    # The date and the data time.
    today = datetime.date.today().isoformat()
    assert today[:4] in page.locator("#screen-clock").inner_text()
    assert "数据时间" in page.locator("#screen-data-time").inner_text()

    # The clock tells the server's time (Asia/Shanghai) like the data time, not the browser's (UTC here).
    def moment(text: str) -> datetime.datetime:
        found = re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", text)
        assert found, text
        return datetime.datetime.strptime(found.group(0), "%Y-%m-%d %H:%M")

    page.wait_for_function("() => /:\\d\\d:\\d\\d$/.test(document.getElementById('screen-clock').innerText)")
    drift = moment(page.locator("#screen-clock").inner_text()) - moment(
        page.locator("#screen-data-time").inner_text()
    )
    assert abs(drift) < datetime.timedelta(minutes=10), drift
    # The chart is drawn on a canvas inside its panel.
    canvas = page.locator("#screen-funnel canvas").first.bounding_box()
    assert canvas["width"] > 300 and canvas["height"] > 150
    page.wait_for_timeout(1500)  # the charts' entry animation, for the documentation's picture only
    shoot(page, "big-screen.png")

    # It refreshes itself: a new project appears without a reload.
    stamp = page.evaluate("window.__same_document = true")
    assert stamp is True
    with acting_as(system_actor("test"), "system"):
        ProjectFactory(district=linzi, name="大屏刷新后出现的项目", stage="signed")
    page.wait_for_function(
        f"() => document.getElementById('kpi-projects').innerText === '{count + 1}'", timeout=20_000
    )
    assert page.evaluate("window.__same_document") is True
    assert int(page.locator("#screen").get_attribute("data-refreshed")) >= 1
    assert page.evaluate("[document.documentElement.scrollHeight]")[0] <= SCREEN["height"]


def test_dashboard_links_to_the_big_screen(page_as: Any, live_org: dict[str, Any]) -> None:
    page = page_as("linzi_admin")
    page.goto("/assessment/")
    page.get_by_role("link", name="大屏模式").click()
    page.wait_for_function("() => document.getElementById('screen-funnel') !== null")
    assert "screen=1" in page.url
    page.get_by_role("link", name="退出大屏").click()
    page.locator("nav.navbar").wait_for()

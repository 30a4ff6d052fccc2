"""要素保障地图 in a real browser: markers load, the legend toggles, a filter narrows, a card opens."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_site_map(page_as: Any, shoot: Any) -> None:
    page = page_as("linzi_admin")
    page.goto("/sites/map/")
    box = page.locator("#site-map[data-ready=true]")
    box.wait_for()
    total = int(box.get_attribute("data-markers"))
    assert total > 5000
    assert page.locator(".marker-cluster").count() > 0
    shoot(page, "site-map.png")
    page.locator("input[data-group=kind][value=courtyard]").uncheck()
    page.wait_for_function("Number(document.getElementById('site-map').dataset.markers) < 2000")
    page.select_option("#id_kind", "building")
    page.wait_for_function("Number(document.getElementById('site-map').dataset.markers) <= 100")
    page.wait_for_function("document.querySelector('#site-totals').innerText.includes('厂房')")
    page.goto("/site/?q=LZ-DK-0001")
    page.locator("#object-table a", has_text="LZ-DK-0001").first.click()
    page.locator("#site-detail-map[data-ready=true]").wait_for()
    shoot(page, "site-detail.png")
    page.locator("#site-verify").click()
    page.wait_for_load_state()
    assert "仍然属实" in page.content()
    page.goto("/demand/")
    page.locator("#object-table a", has_text="高端聚烯烃").click()
    page.locator("#demand-map[data-ready=true]").wait_for()
    shoot(page, "demand-find-sites.png")

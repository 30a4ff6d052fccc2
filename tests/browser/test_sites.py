"""要素保障地图 in a real browser: markers load, the legend toggles, a filter narrows, a card opens; zoomed in,
parcels show as polygons fetched for the view, and zooming out brings the clusters back."""

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
    page.wait_for_function("() => Number(document.getElementById('site-map').dataset.markers) < 2000")
    page.select_option("#id_kind", "building")
    page.wait_for_function("() => Number(document.getElementById('site-map').dataset.markers) <= 100")
    page.wait_for_function("() => document.querySelector('#site-totals').innerText.includes('厂房')")
    page.goto("/site/?q=LZ-DK-0001")
    page.locator("#object-table a", has_text="LZ-DK-0001").first.click()
    page.locator("#site-detail-map[data-ready=true]").wait_for()
    shoot(page, "site-detail.png")
    page.locator("#site-verify").click()
    page.wait_for_load_state()
    assert "仍然属实" in page.content()
    page.goto("/demand/")
    page.locator("#object-table a", has_text="天辰二期").first.click()
    page.locator("#demand-map[data-ready=true]").wait_for()
    shoot(page, "demand-find-sites.png")
    # Zoomed in on a parcel (the view is in the address): polygons for the box in view, a card on click.
    point = page.evaluate(
        "fetch('/sites/map/data/?q=LZ-DK-0001').then(r => r.json()).then(d => d.features[0].geometry.coordinates)"
    )
    page.goto(f"/sites/map/#17/{point[1]}/{point[0]}")
    page.locator("#site-map[data-mode=shapes][data-shapes-ready=true]").wait_for()
    box = page.locator("#site-map")
    assert int(box.get_attribute("data-shapes")) > 0
    assert page.locator(".marker-cluster").count() == 0
    box.click()  # the centre: inside LZ-DK-0001
    page.locator(".leaflet-popup .site-card").wait_for()
    assert "LZ-DK-" in page.locator(".leaflet-popup .site-card").inner_text()
    shoot(page, "site-map-shapes.png")
    page.keyboard.press("Escape")
    for zoom in (16, 15, 14, 13, 12):  # one step at a time: a click during the zoom animation is dropped
        page.locator(".leaflet-control-zoom-out").click()
        page.wait_for_function(f"() => location.hash.startsWith('#{zoom}/')")
    page.locator("#site-map[data-mode=points]").wait_for()
    page.locator(".marker-cluster").first.wait_for()

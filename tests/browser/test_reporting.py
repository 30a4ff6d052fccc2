"""月报 in the browser, level by level: 临淄 submits its month, the city returns it with a reason, 临淄 submits
again, the city verifies; the city's roll-up (every district and zone verified) goes to the province, which
verifies it. At 1440 px; the status board on a phone (390 px) without sideways scroll."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
MONTH = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)  # last month


def _province(org: dict[str, Any]) -> dict[str, Any]:
    """The province's instance, with every district and zone of 淄博 but 临淄 submitted and verified already."""
    from zhaoshang.assessment.province_demo import province_demo_ensure
    from zhaoshang.assessment.services import district_submit, submission_verify
    from zhaoshang.core.audit import acting_as, system_actor
    from zhaoshang.core.scope import forget_scopes

    with acting_as(system_actor("demo"), "demo"):
        found = province_demo_ensure("secret-password")
    for user in org["users"].values():
        forget_scopes(user)
    city_admin, province_admin = org["users"]["city_admin"], found["province_admin"]
    for district in found["zibo"].districts.exclude(pk=org["linzi_district"].pk):
        submission = district_submit(user=city_admin, district=district, month=MONTH, channel="web")
        submission_verify(user=province_admin, submission=submission, channel="web")
    return found


def _row(page: Any, board: str, name: str) -> Any:
    return page.locator(f"#{board} tbody tr", has_text=name).first


def _board(page: Any, url: str) -> None:
    page.goto(url)
    assert page.locator("h1").inner_text().startswith("月报报送与审核")


def test_a_month_goes_up_level_by_level(
    page_as: Any, live_org: dict[str, Any], live_server: Any, shoot: Any
) -> None:
    from playwright.sync_api import expect  # here, as in conftest: without Playwright the browser tests skip

    found = _province(live_org)
    url = f"/assessment/reporting/?month={MONTH:%Y-%m}"
    linzi_name, zibo_name = live_org["linzi_district"].name, found["zibo"].name

    district = page_as("linzi_admin")
    _board(district, url)
    row = _row(district, "district-board", linzi_name)
    assert "未报送" in row.inner_text()
    row.get_by_role("button", name="报送", exact=True).click()
    expect(_row(district, "district-board", linzi_name)).to_contain_text("待审核")

    city = page_as("city_admin")
    _board(city, url)
    row = _row(city, "district-board", linzi_name)
    row.get_by_label("退回原因").fill("签约金额与台账不符,请核对后重报")
    row.get_by_role("button", name="退回", exact=True).click()
    expect(_row(city, "district-board", linzi_name)).to_contain_text("已退回")
    assert "签约金额与台账不符" in _row(city, "district-board", linzi_name).inner_text()

    _board(district, url)
    row = _row(district, "district-board", linzi_name)
    assert "签约金额与台账不符" in row.inner_text()
    row.get_by_role("button", name="重新报送", exact=True).click()
    expect(_row(district, "district-board", linzi_name)).to_contain_text("待审核")

    _board(city, url)
    _row(city, "district-board", linzi_name).get_by_role("button", name="审核通过").click()
    expect(_row(city, "district-board", linzi_name)).to_contain_text("已审核")
    city_row = _row(city, "city-board", zibo_name)
    districts = found["zibo"].districts.count()
    assert f"{districts} / {districts}" in city_row.inner_text()
    city_row.get_by_role("button", name="报送", exact=True).click()
    expect(_row(city, "city-board", zibo_name)).to_contain_text("待审核")

    province = page_as("province_admin")
    _board(province, url)
    _row(province, "city-board", zibo_name).get_by_role("button", name="审核通过").click()
    expect(_row(province, "city-board", zibo_name)).to_contain_text("已审核")
    assert "1 个城市已审核" in province.locator("#province-rollup").inner_text()
    deadlines = province.locator("#deadlines").inner_text()
    assert "次月 5 日前" in deadlines and "次月 10 日前" in deadlines
    shoot(province, "reporting.png")

    # The district's status board on a phone: everything within 390 px.
    district.set_viewport_size(PHONE)
    _board(district, url)
    assert "已审核" in _row(district, "district-board", linzi_name).inner_text()
    width = district.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width} px"
    shoot(district, "reporting-390.png")
    # And the city's, with its roll-up and the deadline it may change.
    city.set_viewport_size(PHONE)
    _board(city, url)
    width = city.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the city's board scrolls sideways: {width} px"

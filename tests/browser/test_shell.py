"""The shell in a real browser: sign-in, role-shaped home, navbar, HTMX filtering, detail, history, 404."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

ENGLISH_CATALOG = Path(__file__).resolve().parents[2] / "src/zhaoshang/locale/en/LC_MESSAGES/django.mo"


def test_district_admin_tour(page_as: Any, shoot: Any) -> None:
    page = page_as("linzi_admin")

    # Home: 临淄区's card only.
    card = page.locator('.district-card[data-adcode="370305"]')
    expect_visible(card)
    assert "临淄区" in card.inner_text()
    assert page.locator('.district-card[data-adcode="370321"]').count() == 0
    assert page.locator("#city-districts").count() == 0
    shoot(page, "home-district.png")

    # Navbar dropdown 组织机构 → 园区.
    page.locator("nav .dropdown-toggle", has_text="组织机构").click()
    menu = page.locator("nav .dropdown-menu.show")
    expect_visible(menu)
    menu.get_by_role("link", name="园区", exact=True).click()
    page.wait_for_url(re.compile(r"/park/$"))
    table = page.locator("#object-table")
    assert page.locator("h1").inner_text() == "园区"
    rows = table.locator("tbody tr")
    assert rows.count() == 3
    text = table.inner_text()
    assert "齐鲁化学工业区" in text
    assert "临淄机器人产业园" in text
    assert "东岳氟硅材料产业园" not in text  # 桓台县's park
    assert "桓台经济开发区" not in text
    # The filters are labelled in Chinese, and 区县 offers only the user's own district.
    assert page.locator("label[for=id_kind]").inner_text() == "类型"
    assert page.locator("#id_kind option").first.inner_text() == "全部"
    assert page.locator("#id_district option").all_inner_texts() == ["全部", "临淄区"]
    assert page.locator("#id_is_chemical_park option").all_inner_texts() == ["全部", "是", "否"]
    shoot(page, "park-list.png")

    # The search box filters through HTMX: a partial request, no page load, the table narrows.
    # Chinese arrives through an input method as text input events, which the list's trigger listens to.
    page.evaluate("window.__same_document = true")
    box = page.locator("input[name=q]")
    box.click()
    with page.expect_response(lambda r: "/park/" in r.url and "q=" in r.url) as response_info:
        box.fill("机器人")
    response = response_info.value
    assert response.ok
    assert response.request.headers.get("hx-request") == "true"
    table.locator("tbody tr").first.wait_for()
    page.wait_for_function("() => document.querySelectorAll('#object-table tbody tr').length === 1")
    assert "临淄机器人产业园" in table.inner_text()
    assert "齐鲁化学工业区" not in table.inner_text()
    assert page.evaluate("window.__same_document") is True
    assert "q=" in page.url  # hx-push-url keeps the filter in the address bar

    # Detail, then its change history.
    table.get_by_role("link", name="临淄机器人产业园").click()
    page.wait_for_url(re.compile(r"/park/\d+/$"))
    assert page.locator("h1").inner_text() == "临淄机器人产业园"
    details = page.locator("main dl").inner_text()
    assert "辛店街道" in details
    assert "临淄区" in details
    shoot(page, "park-detail.png")

    # An edit through the form, so that the history has a change to show.
    page.get_by_role("link", name="修改", exact=True).click()
    page.wait_for_url(re.compile(r"/park/\d+/edit/$"))
    page.locator("#id_area_mu").fill("3200")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/park/\d+/$"))
    assert "3200" in page.locator("main dl").inner_text()

    page.get_by_role("link", name="变更历史").click()
    page.wait_for_url(re.compile(r"/park/\d+/history/$"))
    assert page.locator("h1").inner_text() == "变更历史"
    history_rows = page.locator("main table tbody tr")
    assert history_rows.count() == 2
    newest, oldest = history_rows.all()
    assert "修改" in newest.inner_text()
    assert "网页" in newest.inner_text()
    assert "临淄区" in newest.inner_text()  # linzi_admin's name
    changes = newest.locator("li").all_inner_texts()
    assert len(changes) == 1 and "规划面积" in changes[0] and "3200" in changes[0], changes
    assert "新建" in oldest.inner_text()
    assert "演示数据" in oldest.inner_text()
    shoot(page, "history.png")


def test_wrong_password_stays_on_login(
    new_page: Any, live_org: Any, live_server: Any, shoot: Any, login_form: Any
) -> None:
    page = new_page()
    page.goto("/accounts/login/")
    assert page.locator("h1").inner_text() == "登录招商平台"
    shoot(page, "login.png")

    login_form(page, "linzi_admin", "not-the-password")
    alert = page.locator("main .alert-danger")
    expect_visible(alert)
    assert "用户名或密码不正确" in alert.inner_text()
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    # Still anonymous: no navbar menu, and the home page sends back to the login form.
    assert page.get_by_role("button", name="退出").count() == 0
    page.goto("/")
    assert "/accounts/login/" in page.url


def test_other_district_record_is_404(page_as: Any, live_org: Any, live_server: Any) -> None:
    from zhaoshang.core.models import Park

    linzi_park = Park.objects.get(name="齐鲁化学工业区")
    huantai_park = Park.objects.get(name="东岳氟硅材料产业园")
    page = page_as("huantai_admin")

    response = page.goto(f"/park/{huantai_park.pk}/")
    assert response is not None and response.status == 200
    assert page.locator("h1").inner_text() == "东岳氟硅材料产业园"

    for path in (f"/park/{linzi_park.pk}/", f"/park/{linzi_park.pk}/history/"):
        response = page.goto(path)
        assert response is not None and response.status == 404, path
        assert "齐鲁化学工业区" not in page.content()


def test_language_switch(page_as: Any) -> None:
    page = page_as("linzi_admin")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.goto("/park/")
    select = page.locator("nav select[name=language]")
    assert select.input_value() == "zh-hans"
    with page.expect_navigation():
        select.select_option("en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert re.search(r"/park/$", page.url), page.url  # back where the switch was made
    if ENGLISH_CATALOG.exists():  # compiled by the translation work; the .mo is not committed
        assert page.locator("nav .nav-link").first.inner_text() == "Home"
        assert page.locator("h1").inner_text() == "Parks"
    assert page.locator("nav select[name=language]").input_value() == "en"
    # The choice sticks for the next page.
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"


def test_city_home_lists_districts(page_as: Any, shoot: Any) -> None:
    page = page_as("city_admin")
    assert page.locator("h1").inner_text() == "全市概览"
    table = page.locator("#city-districts")
    expect_visible(table)
    text = table.inner_text()
    assert "临淄区" in text
    assert "桓台县" in text
    linzi_row = table.locator("tbody tr", has_text="临淄区")
    assert "370305" in linzi_row.inner_text()
    # Cards only for the districts with data; the table lists them all.
    assert page.locator(".district-card").count() == 2
    assert table.locator("tbody tr").count() > 2
    shoot(page, "home-city.png")


def expect_visible(locator: Any) -> None:
    locator.wait_for(state="visible")
    assert locator.is_visible()

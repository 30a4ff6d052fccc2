"""Two people editing the same park in two browsers: the second save shows the first person's change and asks."""

from __future__ import annotations

from typing import Any

import pytest

from zhaoshang.core.models import Park

pytestmark = pytest.mark.browser


def test_a_stale_form_shows_the_other_change_and_asks(page_as: Any, live_org: Any, shoot: Any) -> None:
    park = Park.objects.get(name="齐鲁化学工业区")
    mine, theirs = page_as("linzi_admin"), page_as("city_admin")
    for page in (mine, theirs):
        page.goto(f"/park/{park.pk}/edit/")
    theirs.locator("#id_area_mu").fill("36500")
    theirs.locator("main form button[type=submit]").click()
    theirs.wait_for_url(f"**/park/{park.pk}/")

    mine.locator("#id_name").fill("齐鲁化学工业区(新)")
    mine.locator("main form button[type=submit]").click()
    conflict = mine.locator("[data-testid=edit-conflict]")
    conflict.wait_for()
    assert "36500" in conflict.inner_text() and "面积" in conflict.inner_text()
    assert mine.locator("h1").inner_text() == "修改 齐鲁化学工业区"  # the stored name, not the unsaved one
    shoot(mine, "edit-conflict.png")
    park.refresh_from_db()
    assert park.name == "齐鲁化学工业区" and park.area_mu == 36500

    mine.get_by_role("button", name="仍以我的修改保存").click()
    mine.wait_for_url(f"**/park/{park.pk}/")
    park.refresh_from_db()
    assert park.name == "齐鲁化学工业区(新)"

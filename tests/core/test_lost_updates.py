"""No lost updates: a form or an API write made on an old version of a record is refused and explained."""

from __future__ import annotations

import html as htmllib
import re
from typing import Any

import pytest
from rest_framework.test import APIClient

from zhaoshang.core.concurrency import StaleEdit, expect_version
from zhaoshang.core.models import Park
from zhaoshang.sites.models import Site


def _form_data(client: Any, url: str) -> dict[str, Any]:
    """The fields of the edit form as the browser would send them back unchanged."""
    html = client.get(url).content.decode()
    html = html[html.index('<form method="post"') :]
    data: dict[str, Any] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrfmiddlewaretoken":
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if kind and kind.group(1) == "checkbox":
            if "checked" in tag:
                data[name.group(1)] = "on"
            continue
        data[name.group(1)] = htmllib.unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.findall(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen[0] if chosen else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = htmllib.unescape(body.strip())
    return data


def test_two_people_saving_the_same_park_form(org: Any, client_for: Any) -> None:
    park = Park.objects.get(name="齐鲁化学工业区")
    url = f"/park/{park.pk}/edit/"
    first, second = client_for("linzi_admin"), client_for("city_admin")
    mine, theirs = _form_data(first, url), _form_data(second, url)
    assert mine["_version"] == str(park.edit_version)

    theirs["area_mu"] = "12345"
    assert second.post(url, theirs).status_code == 302
    park.refresh_from_db()
    assert park.area_mu == 12345 and park.edit_version == int(mine["_version"]) + 1

    # The first person's form was drawn from the old version: nothing is written, the change is shown.
    mine["name"] = "齐鲁化学工业区(改)"
    response = first.post(url, mine)
    assert response.status_code == 409
    page = response.content.decode()
    assert 'data-testid="edit-conflict"' in page and "12345" in page and "仍以我的修改保存" in page
    park.refresh_from_db()
    assert park.name == "齐鲁化学工业区" and park.area_mu == 12345

    # Saving again from the conflict page is a knowing choice: it carries the current version.
    again = re.search(r'name="_version" value="(\d+)"', page)
    assert again and int(again.group(1)) == park.edit_version
    mine["_version"] = again.group(1)
    assert first.post(url, mine).status_code == 302
    park.refresh_from_db()
    assert park.name == "齐鲁化学工业区(改)"


def test_a_form_without_a_concurrent_edit_saves(org: Any, client_for: Any) -> None:
    park = Park.objects.get(name="齐鲁化学工业区")
    client = client_for("linzi_admin")
    data = _form_data(client, f"/park/{park.pk}/edit/")
    data["area_mu"] = "777"
    assert client.post(f"/park/{park.pk}/edit/", data).status_code == 302
    park.refresh_from_db()
    assert park.area_mu == 777


def test_api_etag_and_if_match(org: Any, users: Any) -> None:
    site = Site.objects.filter(district=org["linzi_district"]).first()
    one, two = APIClient(), APIClient()
    one.force_authenticate(users["linzi_admin"])
    two.force_authenticate(users["city_admin"])
    url = f"/api/site/{site.pk}/"
    read_one, read_two = one.get(url), two.get(url)
    assert read_one["ETag"] == read_two["ETag"] == f'"{site.edit_version}"'

    first = two.patch(url, {"name": "第二人改名"}, format="json", HTTP_IF_MATCH=read_two["ETag"])
    assert first.status_code == 200 and first["ETag"] == f'"{site.edit_version + 1}"'

    stale = one.patch(url, {"name": "第一人改名"}, format="json", HTTP_IF_MATCH=read_one["ETag"])
    assert stale.status_code == 412 and "修改" in stale.json()["detail"]
    stale_put = one.put(
        url, {**read_one.json(), "name": "覆盖"}, format="json", HTTP_IF_MATCH=read_one["ETag"]
    )
    assert stale_put.status_code == 412
    assert one.delete(url, HTTP_IF_MATCH=read_one["ETag"]).status_code == 412
    site.refresh_from_db()
    assert site.name == "第二人改名"

    fresh = one.patch(url, {"name": "第一人改名"}, format="json", HTTP_IF_MATCH=first["ETag"])
    assert fresh.status_code == 200
    site.refresh_from_db()
    assert site.name == "第一人改名"
    assert one.patch(url, {"name": "x"}, format="json", HTTP_IF_MATCH='"garbage"').status_code == 412


def test_every_save_moves_the_version_and_a_stale_save_is_refused(org: Any, as_test_actor: Any) -> None:
    park = Park.objects.get(name="齐鲁化学工业区")
    start = park.edit_version
    park.save()
    assert park.edit_version == start + 1
    park.save(update_fields=["name"])
    park.refresh_from_db()
    assert park.edit_version == start + 2
    stale = Park.objects.get(pk=park.pk)
    Park.objects.get(pk=park.pk).save()
    expect_version(stale, start + 2)
    stale.name = "陈旧"
    with pytest.raises(StaleEdit):
        stale.save()
    assert Park.objects.get(pk=park.pk).name != "陈旧"
    # The history keeps the version, so the change between two versions can be shown.
    assert park.history.filter(edit_version=start + 2).exists()


def test_a_form_of_a_record_deleted_meanwhile_is_refused_not_resurrected(org: Any, client_for: Any) -> None:
    from zhaoshang.core.audit import acting_as
    from zhaoshang.core.services import object_delete

    city = org["users"]["city_admin"]
    with acting_as(city, "web"):
        park = Park.objects.create(district=org["linzi_district"], name="临时园区", kind="industrial")
    admin = client_for("linzi_admin")
    pk = park.pk  # deleting sets the instance's pk to None
    url = f"/park/{pk}/edit/"
    data = _form_data(admin, url)
    object_delete(instance=park, user=city)
    data["name"] = "已删除后保存"
    # The record is gone: its edit page is a 404, and nothing is written back.
    assert admin.post(url, data).status_code == 404
    assert not Park.objects.filter(pk=pk).exists()
    # A save that races the deletion is refused by the version check itself.
    ghost = Park(pk=pk, district=org["linzi_district"], name="幽灵", kind="industrial")
    ghost._state.adding = False
    expect_version(ghost, 1)
    with acting_as(city, "web"), pytest.raises(StaleEdit):
        ghost.save()
    assert not Park.objects.filter(pk=pk).exists()

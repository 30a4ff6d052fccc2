"""Every registered model: allowed users list, view, create, edit, delete, restore; outsiders get 404."""

from __future__ import annotations

import dataclasses
import io
import re
from typing import Any
from urllib.parse import urlencode

import openpyxl
import pytest
from rest_framework.test import APIClient

from zhaoshang.core.audit import acting_as, system_actor
from zhaoshang.core.declarations import config_for_key, configs
from zhaoshang.core.models import District
from zhaoshang.core.scope import user_scope
from zhaoshang.core.testing import ModelSpec, all_specs, form_errors, post_data, url

SPECS = all_specs()
DISTRICT_OWNED = sorted(SPECS)


def test_every_registered_district_owned_model_has_a_spec() -> None:
    registered = {c.key for c in configs() if c.key != "district"}
    assert registered == set(SPECS), "declare a ModelSpec for every new model so the generic checks cover it"


@pytest.fixture(params=DISTRICT_OWNED)
def spec(request: Any) -> ModelSpec:
    declared = SPECS[request.param]

    def build(district: Any) -> Any:
        # Some specs build with a plain `objects.create`: like the factories, they write as the test actor.
        with acting_as(system_actor("test"), "system"):
            return declared.build(district)

    return dataclasses.replace(declared, build=build)


def test_list_and_detail_are_scoped(spec: ModelSpec, org: Any, client_for: Any) -> None:
    config = config_for_key(spec.key)
    obj = spec.build(org["linzi_district"])
    linzi, huantai = client_for("linzi_admin"), client_for("huantai_admin")

    # Searched by its marker: demo data fills more than one page of some lists.
    listing = url(config, "list") + "?" + urlencode({"q": spec.marker(obj)})
    # The table alone (as HTMX asks for it): the search box would echo the marker back.
    table = linzi.get(listing, HTTP_HX_REQUEST="true").content.decode()
    assert spec.marker(obj) in table
    # The row's link to its page has text and no link inside it (which browsers would split, leaving it empty).
    row_link = re.search(rf'<a href="{re.escape(url(config, "detail", obj.pk))}">(.*?)</a>', table, re.S)
    assert row_link is not None and row_link.group(1).strip() and "<a" not in row_link.group(1)
    assert spec.marker(obj) not in huantai.get(listing, HTTP_HX_REQUEST="true").content.decode()
    assert linzi.get(url(config, "detail", obj.pk)).status_code == 200
    for action in ("detail", "edit", "delete", "history"):
        assert huantai.get(url(config, action, obj.pk)).status_code == 404, action
    # City supervisors see every district.
    assert spec.marker(obj) in client_for("city_admin").get(listing, HTTP_HX_REQUEST="true").content.decode()


def test_create_edit_delete_restore_with_history(
    spec: ModelSpec, org: Any, client_for: Any, users: Any
) -> None:
    config = config_for_key(spec.key)
    model = config.model
    linzi = client_for("linzi_admin")
    district = org["linzi_district"]

    data = spec.form_data(district)
    response = linzi.post(url(config, "add"), data)
    assert response.status_code == 302, form_errors(response)
    obj = spec.find(model, district, data)
    created = obj.history.get()
    assert created.history_type == "+"
    assert created.history_user == users["linzi_admin"]
    assert created.history_change_reason == "web"

    response = linzi.post(
        url(config, "edit", obj.pk), post_data(config, obj, users["linzi_admin"], **spec.changes)
    )
    assert response.status_code == 302, form_errors(response)
    obj.refresh_from_db()
    latest = obj.history.first()
    delta = latest.diff_against(latest.prev_record)
    assert set(spec.changes) <= {c.field for c in delta.changes}
    changed_label = str(model._meta.get_field(next(iter(spec.changes))).verbose_name)
    assert changed_label in linzi.get(url(config, "history", obj.pk)).content.decode()

    # The outsider can neither edit nor delete it.
    huantai = client_for("huantai_admin")
    assert huantai.post(url(config, "edit", obj.pk), spec.form_data(district)).status_code == 404
    assert huantai.post(url(config, "delete", obj.pk)).status_code == 404
    assert model.objects.filter(pk=obj.pk).exists()

    assert linzi.post(url(config, "delete", obj.pk)).status_code == 302
    assert not model.objects.filter(pk=obj.pk).exists()
    deletion = model.history.filter(id=obj.pk, history_type="-").get()
    assert deletion.history_user == users["linzi_admin"]

    # Huantai cannot see or restore Linzi's deleted record; Linzi can.
    assert spec.marker(obj) not in huantai.get(url(config, "deleted")).content.decode()
    assert huantai.post(url(config, "restore", deletion.history_id)).status_code == 404
    assert spec.marker(obj) in linzi.get(url(config, "deleted")).content.decode()
    assert linzi.post(url(config, "restore", deletion.history_id)).status_code == 302
    assert model.objects.filter(pk=obj.pk).exists()


def test_cannot_create_in_another_district(spec: ModelSpec, org: Any, client_for: Any) -> None:
    config = config_for_key(spec.key)
    data = spec.form_data(org["huantai_district"])
    response = client_for("linzi_admin").post(url(config, "add"), data)
    assert response.status_code == 400
    assert not _created(spec, config.model, org["huantai_district"], data)


def _created(spec: ModelSpec, model: Any, district: Any, data: dict[str, Any]) -> bool:
    try:
        spec.find(model, district, data)
    except model.DoesNotExist:
        return False
    return True


def test_clerk_cannot_add_or_delete(spec: ModelSpec, org: Any, users: Any, client_for: Any) -> None:
    """Inside her district the clerk is refused with a 403 (the reason on the page); her roles' grants on some
    kinds of records (projects; the land clerk's sites, core/personas.py) let her add those."""
    config = config_for_key(spec.key)
    obj = spec.build(org["linzi_district"])
    clerk = client_for("linzi_clerk")
    assert clerk.get(url(config, "detail", obj.pk)).status_code == 200
    granted = user_scope(users["linzi_clerk"], "add", config.model).allows(org["linzi_district"].pk)
    added = clerk.post(url(config, "add"), spec.form_data(org["linzi_district"]))
    assert added.status_code == (302 if granted else 403), (spec.key, added.status_code)
    assert clerk.post(url(config, "delete", obj.pk)).status_code == 403
    assert config.model.objects.filter(pk=obj.pk).exists()


def test_api_is_scoped(spec: ModelSpec, org: Any, users: Any) -> None:
    obj = spec.build(org["linzi_district"])
    api = APIClient()
    token = api.post("/api/auth/token/", {"username": "huantai_admin", "password": "secret-password"}).data[
        "token"
    ]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listed = api.get(f"/api/{spec.key}/?limit=500").json()["results"]
    assert obj.pk not in {row["id"] for row in listed}
    assert api.get(f"/api/{spec.key}/{obj.pk}/").status_code == 404
    assert api.delete(f"/api/{spec.key}/{obj.pk}/").status_code == 404
    changes = spec.api_changes or {"name": f"{obj.name}改"}
    assert api.patch(f"/api/{spec.key}/{obj.pk}/", changes, format="json").status_code == 404

    linzi = APIClient()
    linzi.force_authenticate(users["linzi_admin"])
    assert linzi.get(f"/api/{spec.key}/{obj.pk}/").json()["id"] == obj.pk
    response = linzi.patch(f"/api/{spec.key}/{obj.pk}/", changes, format="json")
    assert response.status_code == 200, response.content
    obj.refresh_from_db()
    assert all(getattr(obj, k) == v for k, v in changes.items())
    assert obj.history.first().history_change_reason == "api"
    assert obj.history.first().history_user == users["linzi_admin"]
    # Creating in another district through the API is refused too (a table the API cannot add to offers no POST).
    data = spec.form_data(org["huantai_district"])
    refused = 400 if getattr(config_for_key(spec.key).serializer, "api_create", True) else 405
    assert linzi.post(f"/api/{spec.key}/", data, format="json").status_code == refused


def test_exports_are_scoped(spec: ModelSpec, org: Any, client_for: Any) -> None:
    config = config_for_key(spec.key)
    obj = spec.build(org["linzi_district"])
    response = client_for("huantai_admin").get(url(config, "export") + "?format=xlsx")
    if config.resource is None:  # a model without a file format offers no export at all
        assert response.status_code == 404
        return
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = {str(cell.value) for row in sheet.iter_rows() for cell in row}
    marker = (spec.export_marker or spec.marker)(obj)
    assert marker not in values
    assert "区县代码" in values  # Chinese headers
    linzi_csv = (
        client_for("linzi_admin").get(url(config, "export") + "?format=csv").content.decode("utf-8-sig")
    )
    assert marker in linzi_csv


@pytest.mark.usefixtures("as_test_actor")
def test_district_pages_are_scoped(org: Any, client_for: Any) -> None:
    config = config_for_key("district")
    linzi_district, huantai_district = org["linzi_district"], org["huantai_district"]
    linzi = client_for("linzi_admin")
    assert linzi.get(url(config, "detail", linzi_district.pk)).status_code == 200
    assert linzi.get(url(config, "detail", huantai_district.pk)).status_code == 404
    listing = linzi.get(url(config, "list")).content.decode()
    assert "临淄区" in listing and "桓台县" not in listing
    # Only a city-level user may create a district.
    data = {"city": linzi_district.city_id, "kind": "county", "adcode": "370323", "name": "沂源县"}
    District.objects.filter(adcode="370323").delete()
    # A district admin inside the city is told why (403 with the reason), and nothing is created.
    refused = linzi.post(url(config, "add"), data)
    assert refused.status_code == 403 and "不能新增区县/功能区" in refused.content.decode()
    assert not District.objects.filter(adcode="370323").exists()
    assert client_for("city_admin").post(url(config, "add"), data).status_code == 302

"""What the schema fuzz found, pinned down: the document states the errors and headers the API really sends,
and the requests that used to fail as server errors or pass unchecked now get a 400 or a JSON 404."""

from __future__ import annotations

import re
from typing import Any

from rest_framework.test import APIClient

from zhaoshang.chains.models import Chain


def _api(users: Any, who: str = "linzi_admin") -> APIClient:
    api = APIClient()
    api.force_authenticate(users[who])
    return api


def test_the_schema_documents_errors_etag_and_if_match(org: Any, users: Any) -> None:
    schema = _api(users).get("/api/schema/?format=json").json()
    detail = schema["paths"]["/api/park/{id}/"]
    assert set(detail["get"]["responses"]) == {"200", "401", "404"}
    assert detail["get"]["responses"]["200"]["headers"]["ETag"]["required"] is True
    for method in ("put", "patch", "delete"):
        names = {p["name"] for p in detail[method]["parameters"] if p["in"] == "header"}
        assert names == {"If-Match"}, method
        assert "412" in detail[method]["responses"], method
    assert "409" in detail["delete"]["responses"]
    token = schema["paths"]["/api/auth/token/"]["post"]
    # Obtaining a token takes the password, no credentials: no security requirement on the operation.
    assert {"200", "400", "429"} <= set(token["responses"]) and token.get("security", []) in ([], [{}])
    # A dispatch report is only ever generated: the API offers no POST for it.
    assert "post" not in schema["paths"]["/api/dispatch/"]
    # A blocker's project and assignment are not edited: they are read-only in its change request.
    update = schema["components"]["schemas"]["BlockerUpdateRequest"]["properties"]
    assert "project" not in update and "department" not in update
    # Areas may not be negative: no minus sign in their decimal pattern.
    area = schema["components"]["schemas"]["ParkRequest"]["properties"]["area_mu"]["pattern"]
    assert re.search(area, "12.5") and not re.search(area, "-12.5")


def test_paging_parameters_are_checked(org: Any, users: Any) -> None:
    api = _api(users)
    for query in ("limit=abc", "limit=0", "limit=1.5", "offset=-1", "offset=true"):
        response = api.get(f"/api/park/?{query}")
        assert response.status_code == 400, query
    capped = api.get("/api/park/?limit=100000&offset=0")
    assert capped.status_code == 200 and capped.json()["count"] >= len(capped.json()["results"])


def test_malformed_ids_are_the_apis_json_404(org: Any, users: Any) -> None:
    api = _api(users)
    for path in ("/api/park/1.5/", "/api/park/abc/", "/api/blocker/2.5/progress/"):
        response = api.get(path) if "progress" not in path else api.post(path, {}, format="json")
        assert response.status_code == 404, path
        assert response["Content-Type"].startswith("application/json"), path


def test_many_to_many_fields_are_written(org: Any, users: Any) -> None:
    api = _api(users)
    chain = Chain.objects.restrict(users["linzi_admin"], "change").filter(is_current=True).first()
    town = org["linzi"]["towns"]["凤凰镇"]
    response = api.patch(f"/api/chain/{chain.pk}/", {"towns": [town.pk]}, format="json")
    assert response.status_code == 200, response.content
    assert list(Chain.objects.get(pk=chain.pk).towns.values_list("pk", flat=True)) == [town.pk]


def test_bodies_of_any_shape_are_a_400(org: Any, users: Any) -> None:
    assert APIClient().post("/api/auth/token/", [1, 2], format="json").status_code == 400
    api = _api(users)
    assert api.get("/api/industries/?limit=abc").status_code == 400
    # The length limit holds for the text as sent, even when it would fit once trimmed.
    long_name = " " + "园" * 100
    response = api.post(
        "/api/park/", {"district": org["linzi_district"].pk, "name": long_name}, format="json"
    )
    assert response.status_code == 400 and "name" in response.json()


def test_bodies_are_json_as_the_schema_says(org: Any, users: Any) -> None:
    """A form encoding has no null: the records take JSON only, say so, and answer anything else with a 415."""
    api = _api(users)
    schema = api.get("/api/schema/?format=json").json()
    create = schema["paths"]["/api/park/"]["post"]
    assert set(create["requestBody"]["content"]) == {"application/json"}
    assert "415" in create["responses"] and "415" in schema["paths"]["/api/park/{id}/"]["patch"]["responses"]
    assert "415" not in schema["paths"]["/api/park/{id}/"]["delete"]["responses"]  # no body to read
    district = org["linzi_district"].pk
    assert api.post("/api/park/", {"district": district, "name": "表单园"}).status_code == 415  # multipart
    response = api.post("/api/park/", {"district": district, "name": "JSON 园"}, format="json")
    assert response.status_code == 201, response.content
    # A nullable amount may also be sent as an empty text (DRF reads it as null), and its pattern says so.
    pattern = schema["components"]["schemas"]["ParkRequest"]["properties"]["area_mu"]["pattern"]
    assert re.search(pattern, "") and re.search(pattern, " 12.5 ") and not re.search(pattern, "-1")
    response = api.post(
        "/api/park/", {"district": district, "name": "空面积园", "area_mu": ""}, format="json"
    )
    assert response.status_code == 201 and response.json()["area_mu"] is None


def test_single_field_rules_are_in_the_schema(org: Any, users: Any) -> None:
    """A slug, an amount above 0 and a value not below 0: the schema's patterns refuse what the API refuses."""
    schema = _api(users).get("/api/schema/?format=json").json()["components"]["schemas"]
    code = schema["ChainRequest"]["properties"]["code"]["pattern"]
    assert re.search(code, " robotics ") and not re.search(code, "机器人") and not re.search(code, "a b")
    amount = schema["FundsEntryRequest"]["properties"]["amount"]["pattern"]
    assert [bool(re.search(amount, v)) for v in ("0", "0.00", "0.01", "12", "-1", "")] == [
        False,
        False,
        True,
        True,
        False,
        False,
    ]
    value = schema["TargetRequest"]["properties"]["value"]["pattern"]
    assert re.search(value, "0") and not re.search(value, "-1")
    # Filters through a method are described by their kind, not left untyped.
    site = {
        p["name"]: p["schema"]
        for p in _api(users)
        .get("/api/schema/?format=json")
        .json()["paths"]["/api/site/"]["get"]["parameters"]
    }
    assert site["area_min"]["type"] == "number" and site["stale"]["type"] == "boolean"


def test_yes_no_filters_take_true_or_false_only(org: Any, users: Any) -> None:
    """django-filter took any other value for "all", silently: `?active=null` listed every reservation."""
    api = _api(users)
    assert api.get("/api/sitereservation/?active=true").status_code == 200
    assert api.get("/api/sitereservation/?active=false").status_code == 200
    for value in ("null", "", "yes", "1"):
        response = api.get(f"/api/sitereservation/?active={value}")
        assert response.status_code == 400 and "active" in response.json(), value
    assert api.get("/api/site/?stale=maybe").status_code == 400

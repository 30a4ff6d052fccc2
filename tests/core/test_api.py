from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from zhaoshang.core.models import Park


def test_token_login_and_wrong_password(org: Any) -> None:
    api = APIClient()
    assert api.post("/api/auth/token/", {"username": "linzi_admin", "password": "wrong"}).status_code == 400
    token = api.post("/api/auth/token/", {"username": "linzi_admin", "password": "secret-password"}).data[
        "token"
    ]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    names = {row["name"] for row in api.get("/api/park/?limit=100").json()["results"]}
    assert "齐鲁化学工业区" in names and "东岳氟硅材料产业园" not in names


def test_anonymous_gets_nothing(org: Any) -> None:
    response = APIClient().get("/api/park/")
    assert response.status_code == 401 and "Token" in response["WWW-Authenticate"]


def test_filters_are_the_pages_filters(org: Any, users: Any) -> None:
    api = APIClient()
    api.force_authenticate(users["city_admin"])
    rows = api.get("/api/park/?is_chemical_park=true&limit=100").json()["results"]
    assert {r["name"] for r in rows} == set(
        Park.objects.filter(is_chemical_park=True).values_list("name", flat=True)
    )
    rows = api.get("/api/town/?q=街道&limit=100").json()["results"]
    assert rows and all("街道" in r["name"] for r in rows)


def test_model_rules_hold_in_the_api(org: Any, users: Any) -> None:
    api = APIClient()
    api.force_authenticate(users["linzi_admin"])
    huantai_town = org["huantai"]["towns"]["索镇街道"]
    data = {"district": org["linzi_district"].pk, "name": "跨区园区", "town": huantai_town.pk}
    # The town of another district is not even a valid choice for a Linzi user.
    assert api.post("/api/park/", data, format="json").status_code == 400
    api.force_authenticate(users["city_admin"])
    response = api.post("/api/park/", data, format="json")
    assert response.status_code == 400 and "town" in response.json()
    assert not Park.objects.filter(name="跨区园区").exists()


def test_schema_and_docs_are_served_without_a_cdn(org: Any, client_for: Any) -> None:
    client = client_for("linzi_admin")
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/park/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn." not in docs and "unpkg" not in docs

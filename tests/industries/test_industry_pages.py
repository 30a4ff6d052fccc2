from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework.test import APIClient


def test_browse_sections_then_down_to_classes(org: Any, client_for: Any) -> None:
    client = client_for("linzi_clerk")
    top = client.get(reverse("industry_browser")).content.decode()
    assert "制造业" in top and top.count("<tr>") == 20 + 1  # 20 sections and the header
    division = client.get(reverse("industry_browser") + "?code=34").content.decode()
    assert "通用设备制造业" in division and "349" in division
    group = client.get(reverse("industry_browser") + "?code=349").content.decode()
    assert "3491" in group and "工业机器人制造" in group


def test_search_by_name_or_code_with_htmx(org: Any, client_for: Any) -> None:
    client = client_for("linzi_clerk")
    partial = client.get(reverse("industry_browser") + "?q=机器人", HTTP_HX_REQUEST="true").content.decode()
    assert "3491" in partial and '<nav class="navbar' not in partial
    assert "2511" in client.get(reverse("industry_browser") + "?q=2511").content.decode()


def test_industry_api(org: Any, users: Any) -> None:
    api = APIClient()
    assert api.get("/api/industries/?q=机器人").status_code == 401
    api.force_authenticate(users["huantai_admin"])
    rows = api.get("/api/industries/?q=机器人").json()
    assert {"code": "3491", "name": "工业机器人制造", "level": "class", "parent": "349"} in rows
    assert api.get("/api/industries/?code=9999").json() == []

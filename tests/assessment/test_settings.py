from __future__ import annotations

from typing import Any

from django.urls import reverse


def test_district_chooses_its_four_top500_lists_and_gap_thresholds(
    org: Any, client_for: Any, users: Any
) -> None:
    district = org["linzi_district"]
    client = client_for("linzi_admin")
    url = reverse("district_settings", args=[district.pk])
    assert client.get(url).status_code == 200
    three = {"lists": ["fortune_global", "china_enterprise", "china_private"], "f_min": 3, "lq_threshold": 1}
    response = client.post(url, three)
    assert response.status_code == 400 and "四个" in response.content.decode()
    four = {**three, "lists": three["lists"] + ["china_service"], "f_min": 5, "lq_threshold": 1.2}
    assert client.post(url, four).status_code == 302
    district.refresh_from_db()
    assert (
        district.settings["top500_lists"][-1] == "china_service" and district.settings["gaps"]["f_min"] == 5
    )
    assert district.history.first().history_user == users["linzi_admin"]
    assert client_for("huantai_admin").get(url).status_code == 404
    # Changing how the district is assessed takes the verify right: the clerk and the chain chief lack it.
    assert client_for("linzi_clerk").get(url).status_code == 404
    assert client_for("linzi_chief").post(url, four).status_code == 404

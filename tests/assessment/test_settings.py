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
    assert client_for("linzi_clerk").get(url).status_code == 403
    assert client_for("linzi_chief").post(url, four).status_code == 403


def test_the_forecast_baseline_and_target_are_set_on_the_settings_page(org: Any, client_for: Any) -> None:
    district = org["huantai_district"]
    client = client_for("huantai_admin")
    url = reverse("district_settings", args=[district.pk])
    base = {"lists": ["fortune_global", "china_enterprise", "china_private", "china_manufacturing"]}
    base |= {"f_min": 3, "lq_threshold": 1}
    bad = client.post(
        url, {**base, "baseline": "2026 1200\n二〇二七 1250", "target": "1500", "target_year": "2027"}
    )
    assert bad.status_code == 400 and "第 2 行" in bad.content.decode()
    district.refresh_from_db()
    assert "forecast" not in district.settings  # nothing saved
    off_year = client.post(
        url, {**base, "baseline": "2026 1200\n2027 1250", "target": "1500", "target_year": "2029"}
    )
    assert off_year.status_code == 400 and "目标年份须是产值基数中的一个年度" in off_year.content.decode()
    good = {**base, "baseline": "2026 1200\n2027,1250\n2028：1300.5", "target": "1300", "target_year": "2028"}
    assert client.post(url, good).status_code == 302
    district.refresh_from_db()
    assert district.settings["forecast"] == {
        "baseline": {"2026": 12000000.0, "2027": 12500000.0, "2028": 13005000.0},
        "target": 13000000.0,
        "target_year": 2028,
    }
    form = client.get(url).context["form"]
    assert (
        form.initial["baseline"] == "2026 1200\n2027 1250\n2028 1300.5" and form.initial["target"] == "1300"
    )
    # Huantai can now forecast: the page shows a probability for 2028.
    page = client.get(reverse("assessment_forecast"))
    assert page.context["forecast"]["target"]["by_year"] == 2028
    assert page.context["forecast"]["probability"] is not None
    # Emptying the baseline turns the forecast off.
    assert client.post(url, {**base, "baseline": ""}).status_code == 302
    district.refresh_from_db()
    assert "forecast" not in district.settings

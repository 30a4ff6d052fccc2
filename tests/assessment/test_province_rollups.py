"""Roll-ups at each level on a province's instance: districts and functional zones → cities → the province; the
sum of the children is the parent, zones take part, a city user sees only their city, and another city is 404."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from zhaoshang.analytics.rates.engine import Period
from zhaoshang.assessment.province_demo import province_demo_ensure
from zhaoshang.assessment.selectors import count_tables, rate_table
from zhaoshang.core.audit import acting_as, system_actor
from zhaoshang.core.models import District
from zhaoshang.core.scope import forget_scopes
from zhaoshang.projects.factories import ProjectFactory, StageMoveFactory

TODAY = datetime.date.today()
PERIOD = Period(datetime.date(TODAY.year, 1, 1), TODAY)


@pytest.fixture
def province(org: Any) -> dict[str, Any]:
    with acting_as(system_actor("demo"), "demo"):
        found = province_demo_ensure("secret-password")
        project = ProjectFactory(
            district=found["zones"][0],
            name="高新区示例签约项目",
            total_investment=40000,
            signed_date=TODAY.replace(day=1),
        )
        # Counted from the verified move (DOMAIN.md §9): requested by the district, verified by the province.
        StageMoveFactory(
            project=project,
            from_stage="negotiation",
            to_stage="signed",
            date=TODAY.replace(day=1),
            requested_by=org["users"]["linzi_admin"],
            verified_by=found["province_admin"],
            verified_at=timezone.now(),
        )
    for user in org["users"].values():
        forget_scopes(user)
    return {**found, **org}


def test_the_sum_of_districts_is_the_city_and_zones_count(province: Any) -> None:
    admin = province["province_admin"]
    tables = count_tables(admin, ("district", "city"), PERIOD)
    by_district, by_city = tables["district"], tables["city"]
    assert set(by_city) == {"淄博市", "潍坊市"}
    zone = province["zones"][0]
    assert by_district[zone.name]["signed_investment_wan"] >= 40000  # the zone is a reporting unit
    cities = dict(District.objects.values_list("name", "city__name"))
    for city, counts in by_city.items():
        for key, value in counts.items():
            children = sum(row[key] for name, row in by_district.items() if cities[name] == city)
            assert children == pytest.approx(value), (city, key)
    rates = rate_table(admin, "city", PERIOD)
    district_rates = rate_table(admin, "district", PERIOD)
    for city in rates:
        denominator = sum(
            r["signing"].denominator for name, r in district_rates.items() if cities[name] == city
        )
        assert rates[city]["signing"].denominator == pytest.approx(denominator)


def test_a_city_user_rolls_up_their_city_only(province: Any) -> None:
    city_admin = province["users"]["city_admin"]
    counts = count_tables(city_admin, ("district", "city"), PERIOD)
    assert set(counts["city"]) == {"淄博市"}
    zibo_names = set(District.objects.filter(city=province["zibo"]).values_list("name", flat=True))
    assert set(counts["district"]) <= zibo_names
    assert province["zones"][0].name in counts["district"]
    whole = count_tables(province["province_admin"], ("city",), PERIOD)["city"]["淄博市"]
    assert counts["city"]["淄博市"] == whole  # the city's own figure is the province's line for it


def test_comparison_pages_at_each_level(province: Any, client: Any) -> None:
    url = reverse("assessment_city")
    client.force_login(province["province_admin"])
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and 'id="city-ranking"' in body
    assert "淄博市" in body and "潍坊市" in body
    drilled = client.get(url, {"city": province["weifang"].pk}).content.decode()
    assert "潍城区" in drilled and "临淄区" not in drilled and 'id="city-ranking"' not in drilled
    client.force_login(province["users"]["city_admin"])
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and 'id="city-ranking"' not in body
    assert "潍城区" not in body and "功能区" in body  # its zones, marked as such
    assert client.get(url, {"city": province["weifang"].pk}).status_code == 404
    weifang = province["weifang_counties"][0]
    assert client.get(reverse("district_detail", args=[weifang.pk])).status_code == 404
    client.force_login(province["users"]["linzi_admin"])
    assert client.get(url).status_code == 404


def test_a_city_supervisor_adds_a_functional_zone_to_their_city(province: Any, client: Any) -> None:
    client.force_login(province["users"]["city_admin"])
    data = {"city": province["zibo"].pk, "kind": "zone", "adcode": "370375", "name": "示例功能区"}
    response = client.post(reverse("district_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    zone = District.objects.get(adcode="370375")
    assert zone.is_zone and zone.city == province["zibo"]
    refused = client.post(
        reverse("district_add"), {**data, "adcode": "370376", "city": province["weifang"].pk}
    )
    assert refused.status_code == 400 and not District.objects.filter(adcode="370376").exists()
    not_a_zone = client.post(reverse("district_add"), {**data, "adcode": "370305"})  # a GB/T 2260 county
    assert not_a_zone.status_code == 400 and "行政区划代码" in not_a_zone.content.decode()
    listing = client.get(reverse("district_list")).content.decode()
    assert "示例功能区" in listing and "功能区" in listing


def test_monthly_scores_rank_within_each_city(province: Any) -> None:
    from zhaoshang.assessment.models import ScoreSnapshot
    from zhaoshang.assessment.scoring import scores_compute

    month = TODAY.replace(day=1)
    scores_compute(month=month, user=province["province_admin"], channel="web")
    rows = ScoreSnapshot.objects.filter(month=month, level="district").select_related("district")
    by_city: dict[int, list[int]] = {}
    for row in rows:
        by_city.setdefault(row.district.city_id, []).append(row.rank)
    assert province["zibo"].pk in by_city  # the zone with a verified signing is scored at least
    for ranks in by_city.values():
        assert sorted(ranks)[0] == 1 and len(set(ranks)) <= len(ranks)  # each city ranks from 1
    weifang_before = set(rows.filter(district__city=province["weifang"]).values_list("pk", "score", "rank"))
    scores_compute(month=month, user=province["users"]["city_admin"], channel="web")  # Zibo's only
    after = ScoreSnapshot.objects.filter(month=month, level="district")
    assert set(after.filter(district__city=province["weifang"]).values_list("pk", "score", "rank")) == (
        weifang_before
    )
    assert after.filter(district__city=province["zibo"]).exists()

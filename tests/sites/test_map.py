"""The map's JSON and page: filters, scope, totals, GCJ-02 at the display edge, queries flat in the data size."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhaoshang.core.models import District, Park
from zhaoshang.geo.coords import M2_PER_MU, convert
from zhaoshang.sites.factories import BuildingFactory, CourtyardFactory, SiteFactory
from zhaoshang.sites.models import Site


@pytest.fixture
def sample(org: Any) -> dict[str, Site]:
    """A few Huantai sites; Linzi's come from the demo (≈6,000)."""
    district = org["huantai_district"]
    park = Park.objects.get(district=district, name="东岳氟硅材料产业园")
    return {
        "chem": SiteFactory(
            district=district,
            code="M-1",
            name="化工地块",
            park=park,
            area_mu=80,
            land_use="M3",
            power_kva=9000,
            land_price=30,
        ),
        "small": SiteFactory(
            district=district,
            code="M-2",
            name="小地块",
            area_mu=8,
            land_use="M1",
            power_kva=500,
            land_price=20,
        ),
        "hall": BuildingFactory(district=district, code="M-3", name="标准厂房", floor_area_m2=5000, rent=11),
        "yard": CourtyardFactory(district=district, code="M-4", name="院落", availability="occupied"),
    }


def _codes(client: Any, query: str = "") -> set[str]:
    response = client.get(f"/sites/map/data/?{query}")
    assert response.status_code == 200
    return {f["properties"]["code"] for f in response.json()["features"]}


def test_scope_huantai_sees_none_of_linzis_sites(org: Any, client_for: Any, sample: Any) -> None:
    huantai = _codes(client_for("huantai_admin"))
    assert {"M-1", "M-2", "M-3", "M-4"} <= huantai
    assert not any(code.startswith("LZ-") for code in huantai)
    linzi = _codes(client_for("linzi_admin"))
    assert len(linzi) > 5000 and not linzi & {"M-1", "M-2", "M-3", "M-4"}
    assert {"M-1", "LZ-DK-0001"} <= _codes(client_for("city_admin"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=parcel", {"M-1", "M-2"}),
        ("kind=building", {"M-3"}),
        ("availability=occupied", {"M-4"}),
        ("chemical=true", {"M-1"}),
        ("area_min=50&area_unit=mu", {"M-1"}),
        ("area_min=4000&area_max=6000&area_unit=m2", {"M-2", "M-3"}),  # 8 亩 = 5,333 m²
        ("kind=building&area_min=4000&area_unit=m2", {"M-3"}),
        ("kind=parcel&area_max=10", {"M-2"}),
        ("power_min=1000", {"M-1", "M-3"}),
        ("kind=parcel&price_max=25", {"M-2"}),
        ("land_use=M3&land_use=M1", {"M-1", "M-2", "M-3"}),
        ("q=厂房", {"M-3"}),
    ],
)
def test_filters(org: Any, client_for: Any, sample: Any, query: str, expected: set[str]) -> None:
    codes = _codes(client_for("huantai_admin"), query) & {"M-1", "M-2", "M-3", "M-4"}
    assert codes == expected


def test_feature_card_and_park_boundaries(org: Any, client_for: Any, sample: Any) -> None:
    data = client_for("huantai_admin").get("/sites/map/data/?boundaries=1&q=化工地块").json()
    (feature,) = data["features"]
    p = feature["properties"]
    assert p["name"] == "化工地块" and p["chemical"] and p["park"] == "东岳氟硅材料产业园"
    assert p["area_mu"] == 80 and p["price"] == 30 and p["status"] == "available" and not p["stale"]
    assert p["url"] == f"/site/{sample['chem'].pk}/"
    assert feature["geometry"]["coordinates"] == [118.31, 36.82]
    names = {f["properties"]["name"] for f in data["boundaries"]["features"]}
    assert names == {"桓台经济开发区", "东岳氟硅材料产业园"}  # Huantai's parks only
    bad = client_for("huantai_admin").get("/sites/map/data/?area_min=lots")
    assert bad.status_code == 400


def test_gcj02_tiles_shift_points_at_the_display_edge(
    org: Any, client_for: Any, sample: Any, settings: Any
) -> None:
    settings.MAP_TILES_CRS = "gcj02"
    data = client_for("huantai_admin").get("/sites/map/data/?q=化工地块&boundaries=1").json()
    lng, lat = data["features"][0]["geometry"]["coordinates"]
    assert (lng, lat) == pytest.approx(convert(118.31, 36.82, "wgs84", "gcj02"), abs=1e-6)
    sample["chem"].refresh_from_db()
    assert sample["chem"].lng == 118.31  # stored data stay WGS84
    park = Park.objects.get(name="东岳氟硅材料产业园")
    shifted = next(f for f in data["boundaries"]["features"] if f["properties"]["name"] == park.name)
    x0, y0 = park.boundary["coordinates"][0][0]
    assert shifted["geometry"]["coordinates"][0][0] == pytest.approx(
        list(convert(x0, y0, "wgs84", "gcj02")), abs=1e-6
    )


def test_map_page_totals_per_kind_status_town_and_park(org: Any, client_for: Any, sample: Any) -> None:
    client = client_for("huantai_admin")
    page = client.get("/sites/map/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="site-map"' in html and "leaflet.markercluster.js" in html
    totals = page.context["totals"]
    kinds = {r["kind"]: r for r in totals["kind"]}
    assert kinds["parcel"]["count"] >= 2 and kinds["building"]["building_m2"] >= 5000
    assert {r["label"] for r in totals["park"]} >= {"东岳氟硅材料产业园"}
    assert {r["availability"] for r in totals["status"]} >= {"available", "occupied"}
    partial = client.get("/sites/map/?kind=building", HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    assert {r["kind"] for r in partial.context["totals"]["kind"]} == {"building"}


def test_linzi_totals_match_the_demo(org: Any, client_for: Any) -> None:
    totals = client_for("linzi_admin").get("/sites/map/").context["totals"]
    kinds = {r["kind"]: r for r in totals["kind"]}
    assert kinds["parcel"]["parcel_mu"] == pytest.approx(5000, rel=0.1)
    assert kinds["building"]["building_m2"] == pytest.approx(150_000, rel=0.1)
    assert kinds["courtyard"]["count"] >= 4900


def _bulk(district: District, n: int, start: int) -> None:
    parks = list(Park.objects.filter(district__adcode="370305"))
    rows = []
    for i in range(start, start + n):
        rows.append(
            Site(
                district=district,
                code=f"Q-{i:04d}",
                name=f"查询计数{i}",
                kind="parcel",
                lng=118.0 + i / 1e4,
                lat=36.8,
                geometry={"type": "Point", "coordinates": [118.0 + i / 1e4, 36.8]},
                area_mu=Decimal(10),
                area_m2=10 * M2_PER_MU,
                verified_on=datetime.date(2025, 1, 1),
                park=parks[i % len(parks)] if i % 2 else None,
            )
        )
    Site.objects.bulk_create(rows)


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_counts_do_not_grow_with_the_sites(org: Any, client_for: Any) -> None:
    district = District.objects.get(adcode="370303")  # 张店区: empty in the demo
    client = client_for("city_admin")
    urls = [
        f"/sites/map/data/?district={district.pk}",
        f"/site/?district={district.pk}",
        f"/sites/map/?district={district.pk}",
        f"/api/site/?district={district.pk}&limit=500",
    ]
    _bulk(district, 50, 0)
    small = [_queries(client, url) for url in urls]
    assert len(client.get(urls[0]).json()["features"]) == 50
    _bulk(district, 450, 50)
    large = [_queries(client, url) for url in urls]
    assert len(client.get(urls[0]).json()["features"]) == 500
    assert large == small

"""The demo inventory (Linzi's numbers, placed in its parks, audited) and the site form's coordinate systems."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Count, Max, Min, Sum
from shapely.geometry import Point, shape

from zhaoshang.core.models import Park
from zhaoshang.geo.coords import convert
from zhaoshang.sites.models import Demand, Site


def test_demo_inventory_is_linzis(org: Any) -> None:
    linzi = Site.objects.filter(district=org["linzi_district"])
    totals = {
        r["kind"]: r
        for r in linzi.values("kind").annotate(n=Count("pk"), mu=Sum("area_mu"), m2=Sum("floor_area_m2"))
    }
    assert totals["parcel"]["n"] == pytest.approx(1000, rel=0.1)
    assert float(totals["parcel"]["mu"]) == pytest.approx(5000, rel=0.1)
    assert float(totals["building"]["m2"]) == pytest.approx(150_000, rel=0.1)
    assert totals["courtyard"]["n"] == 4900
    chemical_park = Park.objects.get(district=org["linzi_district"], name="齐鲁化学工业区")
    boundary = shape(chemical_park.boundary)
    m3_in_park = linzi.filter(park=chemical_park)
    assert m3_in_park.count() > 200
    assert all(boundary.contains(Point(s.lng, s.lat)) for s in m3_in_park.only("lng", "lat")[:200])
    assert all(boundary.contains(shape(s.geometry)) for s in m3_in_park.only("geometry")[:50])
    box = linzi.aggregate(Min("lng"), Max("lng"), Min("lat"), Max("lat"))
    assert 118.05 < box["lng__min"] and box["lng__max"] < 118.6  # around 临淄 (36.82 N, 118.31 E)
    assert 36.6 < box["lat__min"] and box["lat__max"] < 37.05
    # Every demo row has its creation in the audit trail, by the demo actor.
    first = linzi.get(code="LZ-DK-0001")
    created = first.history.get(history_type="+")
    assert created.history_user.username == "system-demo" and created.history_change_reason == "demo"
    assert Site.history.filter(history_type="+").count() >= Site.objects.count()
    assert Demand.objects.filter(district=org["linzi_district"]).count() >= 5
    assert linzi.filter(availability="reserved").exists()


def test_site_form_converts_coordinates_from_the_chosen_crs(org: Any, client_for: Any) -> None:
    lng, lat = convert(118.33, 36.81, "wgs84", "bd09")
    data = {
        "district": org["linzi_district"].pk,
        "code": "FORM-1",
        "name": "百度坐标地块",
        "kind": "parcel",
        "availability": "available",
        "tenure": "both",
        "lng": lng,
        "lat": lat,
        "coord_crs": "bd09",
        "area_mu": "12",
    }
    response = client_for("linzi_admin").post("/site/add/", data)
    assert response.status_code == 302
    site = Site.objects.get(code="FORM-1")
    assert (site.lng, site.lat) == pytest.approx((118.33, 36.81), abs=1e-6)
    assert site.source_crs == "bd09" and site.geometry["type"] == "Point"
    x, y = convert(118.33, 36.81, "wgs84", "epsg:4527")
    polygon = {
        "type": "Polygon",
        "coordinates": [[[x, y], [x + 100, y], [x + 100, y + 100], [x, y + 100], [x, y]]],
    }
    import json

    data.update(
        code="FORM-2", name="投影坐标地块", coord_crs="epsg:4527", geometry=json.dumps(polygon), area_mu=""
    )
    response = client_for("linzi_admin").post("/site/add/", data)
    assert response.status_code == 302
    site = Site.objects.get(code="FORM-2")
    assert float(site.area_mu) == pytest.approx(15, rel=1e-3)  # 100 m × 100 m = 15 亩
    assert site.source_crs == "epsg:4527"
    data.update(code="FORM-3", lng="500", lat="36", coord_crs="wgs84", geometry="")
    response = client_for("linzi_admin").post("/site/add/", data)
    assert response.status_code == 400 and "lng" in response.context["form"].errors


def test_the_reservation_form_searches_the_thousands_of_demo_sites(org: Any, client_for: Any) -> None:
    import re

    from zhaoshang.sites.models import Site

    available = Site.objects.filter(district=org["linzi_district"], availability="available").count()
    assert available > 200
    html = client_for("linzi_admin").get("/sitereservation/add/").content.decode()
    site_select = re.search(r'<select name="site".*?</select>', html, re.S)
    assert site_select is not None
    assert site_select.group(0).count("<option") <= 2  # the blank and nothing else: one searches instead
    assert 'hx-get="/search-select/' in html

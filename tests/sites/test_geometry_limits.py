"""Heavy geometry is bounded: a vertex limit on import, a simplified copy for pages and the map, and a capped
polygon endpoint whose answer says its limits."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from django.urls import reverse
from shapely.geometry import shape

from zhaoshang.sites.factories import SiteFactory
from zhaoshang.sites.geometry import geometry_simplified, geometry_vertices
from zhaoshang.sites.models import Site
from zhaoshang.sites.resources import GEOMETRY_COLUMN
from zhaoshang.sites.transfer import sites_geo_import

CENTRE = (118.30, 36.80)
BOX = "118.29,36.79,118.31,36.81"


def circle(n: int, radius: float = 0.004, centre: tuple[float, float] = CENTRE) -> dict[str, Any]:
    """A polygon of ``n`` distinct vertices (plus the closing one), slightly jagged so that none is redundant."""
    lng, lat = centre
    ring = [
        [
            round(lng + radius * (1 + 0.01 * (i % 2)) * math.cos(2 * math.pi * i / n), 7),
            round(lat + radius * (1 + 0.01 * (i % 2)) * math.sin(2 * math.pi * i / n), 7),
        ]
        for i in range(n)
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def test_a_polygon_of_100000_vertices_is_refused_with_its_row(org: Any, users: Any) -> None:
    features = [
        {"type": "Feature", "geometry": circle(4), "properties": {"编号": "V-1", "名称": "小地块"}},
        {"type": "Feature", "geometry": circle(100_000), "properties": {"编号": "V-2", "名称": "巨型地块"}},
    ]
    content = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    report = sites_geo_import(
        content=content, user=users["linzi_admin"], dry_run=False, district=org["linzi_district"].adcode
    )
    assert not report.committed
    (issue,) = report.issues
    assert issue.row == 2 and issue.column == GEOMETRY_COLUMN
    assert "100,001 个顶点,超过上限 20,000 个" in issue.message
    assert not Site.objects.filter(code__in=["V-1", "V-2"]).exists()  # all or nothing


def test_the_limit_is_a_setting(org: Any, users: Any, settings: Any) -> None:
    settings.SITE_MAX_VERTICES = 50
    feature = {"type": "Feature", "geometry": circle(60), "properties": {"编号": "V-3", "名称": "地块"}}
    report = sites_geo_import(
        content=json.dumps(feature).encode(),
        user=users["linzi_admin"],
        dry_run=True,
        district=org["linzi_district"].adcode,
    )
    assert "超过上限 50 个" in report.issues[0].message


def test_many_vertices_are_stored_whole_and_served_simplified(org: Any, client_for: Any) -> None:
    site = SiteFactory(
        district=org["linzi_district"], code="V-4", name="细碎边界地块", geometry=circle(15_000)
    )
    site.refresh_from_db()
    assert geometry_vertices(site.geometry) == 15_001  # stored whole: areas, exports and matching use it
    assert site.display_geometry is not None and geometry_vertices(site.display_geometry) <= 1000
    client = client_for("linzi_admin")
    data = client.get(f"/sites/map/shapes/?bbox={BOX}&q=细碎边界地块").json()
    (feature,) = data["features"]
    assert geometry_vertices(feature["geometry"]) <= 1000
    assert data["vertices"] == geometry_vertices(feature["geometry"]) and data["max_vertices"] == 200_000
    page = client.get(reverse("site_detail", args=[site.pk]))
    shown = json.loads(
        page.content.decode().split('id="site-geometry" type="application/json">')[1].split("<")[0]
    )
    assert geometry_vertices(shown) <= 1000
    assert len(page.content) < 200_000  # not the 15,000 vertices
    export = client.get(reverse("site_export") + "?format=json&q=细碎边界地块").content
    exported = json.loads(export)["features"][0]["geometry"]
    assert geometry_vertices(exported) == 15_001  # the file keeps every vertex


def test_simplification_keeps_the_shape() -> None:
    polygon = circle(5000)
    simple = geometry_simplified(polygon, 500)
    assert simple is not None and geometry_vertices(simple) <= 500
    assert shape(simple).is_valid
    assert shape(simple).area == pytest.approx(shape(polygon).area, rel=0.01)
    assert geometry_simplified(circle(100), 500) is None  # small enough already: drawn as it is
    assert geometry_simplified({"type": "Point", "coordinates": list(CENTRE)}, 500) is None


def test_the_shapes_response_is_bounded(org: Any, client_for: Any, settings: Any) -> None:
    for i in range(12):
        SiteFactory(
            district=org["linzi_district"],
            code=f"V-B{i}",
            name=f"边界计数{i}",
            geometry=circle(40, radius=0.0004, centre=(CENTRE[0] + 0.0008 * i, CENTRE[1])),
        )
    client = client_for("linzi_admin")
    whole = client.get(f"/sites/map/shapes/?bbox={BOX}&q=边界计数").json()
    assert len(whole["features"]) == 12 and not whole["truncated"] and whole["vertices"] == 12 * 41
    settings.MAP_SHAPES_MAX_VERTICES = 300  # fewer than the twelve polygons have
    capped = client.get(f"/sites/map/shapes/?bbox={BOX}&q=边界计数").json()
    assert capped["features"] == [] and capped["truncated"]
    assert capped["reason"] == "vertices" and capped["max_vertices"] == 300 and capped["limit"] == 5000

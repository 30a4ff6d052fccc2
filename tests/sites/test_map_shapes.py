"""The map's polygons in view (/sites/map/shapes/?bbox=…): the box, the filters, the scope, GCJ-02 at the
display edge, the same card as the points, and queries flat in the number of polygons."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhaoshang.core.models import District
from zhaoshang.geo.coords import convert
from zhaoshang.sites.factories import BuildingFactory, SiteFactory
from zhaoshang.sites.map_selectors import bbox_parse, map_shapes
from zhaoshang.sites.models import Site

BOX = "117.49,36.49,117.51,36.51"  # far from the demo's sites


def square(west: float, south: float, side: float = 0.002) -> dict[str, Any]:
    ring = [[west, south], [west + side, south], [west + side, south + side], [west, south + side]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


@pytest.fixture
def shapes(org: Any) -> dict[str, Site]:
    huantai, linzi = org["huantai_district"], org["linzi_district"]
    return {
        "inside": SiteFactory(
            district=huantai, code="S-1", name="框内地块", geometry=square(117.500, 36.500)
        ),
        # Its representative point lies east of the box, its western edge inside: it is drawn.
        "edge": SiteFactory(
            district=huantai, code="S-2", name="跨界地块", geometry=square(117.509, 36.500, 0.004)
        ),
        "far": SiteFactory(district=huantai, code="S-3", name="框外地块", geometry=square(117.600, 36.500)),
        "taken": SiteFactory(
            district=huantai,
            code="S-4",
            name="已占用地块",
            geometry=square(117.495, 36.495),
            availability="occupied",
        ),
        "point": BuildingFactory(district=huantai, code="S-5", name="框内厂房", lng=117.501, lat=36.501),
        "linzi": SiteFactory(
            district=linzi, code="S-6", name="临淄框内地块", geometry=square(117.503, 36.503)
        ),
    }


def _get(client: Any, query: str) -> Any:
    response = client.get(f"/sites/map/shapes/?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def _codes(client: Any, query: str) -> set[str]:
    return {f["properties"]["code"] for f in _get(client, query)["features"]}


def test_the_box_decides(org: Any, client_for: Any, shapes: Any) -> None:
    data = _get(client_for("huantai_admin"), f"bbox={BOX}")
    assert {f["properties"]["code"] for f in data["features"]} == {"S-1", "S-2", "S-4"}
    assert not data["truncated"]
    inside = next(f for f in data["features"] if f["properties"]["code"] == "S-1")
    assert inside["geometry"] == shapes["inside"].geometry  # the polygon itself, WGS84 as stored
    assert _codes(client_for("huantai_admin"), "bbox=117.595,36.49,117.61,36.51") == {"S-3"}
    assert _codes(client_for("huantai_admin"), "bbox=100,20,100.1,20.1") == set()


def test_another_districts_sites_never_appear(org: Any, client_for: Any, shapes: Any) -> None:
    assert "S-6" not in _codes(client_for("huantai_admin"), f"bbox={BOX}")
    assert _codes(client_for("linzi_admin"), f"bbox={BOX}") == {"S-6"}
    assert _codes(client_for("city_admin"), f"bbox={BOX}") == {"S-1", "S-2", "S-4", "S-6"}
    # A box over Linzi's demo parcels shows them to Linzi and nothing to Huantai.
    parcel = Site.objects.get(code="LZ-DK-0001")
    assert parcel.bbox_west is not None  # the demo writes the extents too
    box = f"bbox={parcel.lng - 0.01},{parcel.lat - 0.01},{parcel.lng + 0.01},{parcel.lat + 0.01}"
    assert "LZ-DK-0001" in _codes(client_for("linzi_admin"), box)
    assert not any(code.startswith("LZ-") for code in _codes(client_for("huantai_admin"), box))
    # Asking for another district by the filter does not widen the scope.
    linzi = org["linzi_district"].pk
    response = client_for("huantai_admin").get(f"/sites/map/shapes/?bbox={BOX}&district={linzi}")
    assert response.status_code == 400 or not response.json()["features"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("availability=occupied", {"S-4"}),
        ("availability=available", {"S-1", "S-2"}),
        ("kind=building", set()),
        ("q=跨界", {"S-2"}),
    ],
)
def test_the_filters_apply(org: Any, client_for: Any, shapes: Any, query: str, expected: set[str]) -> None:
    assert _codes(client_for("huantai_admin"), f"bbox={BOX}&{query}") == expected


def test_polygons_carry_the_points_card(org: Any, client_for: Any, shapes: Any) -> None:
    client = client_for("huantai_admin")
    (shape,) = _get(client, f"bbox={BOX}&q=框内地块")["features"]
    points = client.get("/sites/map/data/?q=框内").json()["features"]
    point = next(f for f in points if f["properties"]["code"] == "S-1")
    assert shape["properties"] == point["properties"]
    assert point["properties"]["shape"] is True
    assert next(f for f in points if f["properties"]["code"] == "S-5")["properties"]["shape"] is False


@pytest.mark.parametrize(
    "bbox",
    ["", "1,2,3", "a,b,c,d", "117.51,36.49,117.49,36.51", "nan,36.49,117.51,36.51", "1,1,1,1"],
)
def test_a_bad_box_is_refused(org: Any, client_for: Any, bbox: str) -> None:
    response = client_for("huantai_admin").get(f"/sites/map/shapes/?bbox={bbox}")
    assert response.status_code == 400
    assert "bbox" in response.json()["errors"]


def test_a_box_past_the_world_is_clipped() -> None:
    assert bbox_parse("-200,-95,200,95") == (-180.0, -90.0, 180.0, 90.0)


def test_gcj02_tiles(org: Any, client_for: Any, shapes: Any, settings: Any) -> None:
    settings.MAP_TILES_CRS = "gcj02"
    west, south = convert(117.49, 36.49, "wgs84", "gcj02")
    east, north = convert(117.51, 36.51, "wgs84", "gcj02")
    data = _get(client_for("huantai_admin"), f"bbox={west},{south},{east},{north}&q=框内地块")
    (feature,) = data["features"]
    x, y = shapes["inside"].geometry["coordinates"][0][0]
    assert feature["geometry"]["coordinates"][0][0] == pytest.approx(
        list(convert(x, y, "wgs84", "gcj02")), abs=1e-6
    )
    shapes["inside"].refresh_from_db()
    assert shapes["inside"].geometry["coordinates"][0][0] == [x, y]  # stored data stay WGS84


def test_too_many_polygons_answer_none(org: Any, shapes: Any) -> None:
    queryset = Site.objects.filter(district=org["huantai_district"])
    data = map_shapes(queryset, bbox=bbox_parse(BOX), limit=2)
    assert data["truncated"] and data["features"] == []
    assert len(map_shapes(queryset, bbox=bbox_parse(BOX), limit=3)["features"]) == 3


def _bulk_polygons(district: District, n: int, start: int) -> None:
    rows = []
    for i in range(start, start + n):
        site = Site(
            district=district,
            code=f"SQ-{i:04d}",
            name=f"范围计数{i}",
            kind="parcel",
            geometry=square(117.0 + (i % 40) * 0.003, 36.0 + (i // 40) * 0.003),
        )
        site.clean()  # the extent, the point and the area, as a save through the pages
        rows.append(site)
    Site.objects.bulk_create(rows)


def _queries(client: Any, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), len(response.json()["features"])


def test_query_count_does_not_grow_with_the_polygons(org: Any, client_for: Any) -> None:
    district = District.objects.get(adcode="370303")  # 张店区: empty in the demo
    client = client_for("city_admin")
    url = f"/sites/map/shapes/?bbox=116.99,35.99,117.2,36.2&district={district.pk}"
    _bulk_polygons(district, 5, 0)
    small, count = _queries(client, url)
    assert count == 5
    _bulk_polygons(district, 95, 5)
    large, count = _queries(client, url)
    assert count == 100
    assert large == small


def test_the_map_page_knows_where_to_ask(org: Any, client_for: Any) -> None:
    html = client_for("huantai_admin").get("/sites/map/").content.decode()
    assert 'data-shapes-url="/sites/map/shapes/"' in html and 'data-shapes-zoom="15"' in html

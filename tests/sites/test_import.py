"""Sites in and out: xlsx with a CRS column, GBK Shapefiles in GK zones, GeoJSON round trips."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
import pytest
import tablib
from pyproj import Transformer

from zhaoshang.core.importing import import_run
from zhaoshang.geo.coords import convert, geometry_area
from zhaoshang.sites.models import Site
from zhaoshang.sites.resources import SiteResource
from zhaoshang.sites.transfer import sites_geo_import, sites_geojson

HEADERS = [
    "区县代码",
    "编号",
    "名称",
    "类型",
    "所在园区",
    "经度",
    "纬度",
    "坐标系",
    "土地面积(亩)",
    "建筑面积(m²)",
    "电力余量(kVA)",
    "用地性质",
]


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _dataset(rows: list[list[Any]]) -> tablib.Dataset:
    from zhaoshang.core.importing import read_table

    return read_table("sites.xlsx", _xlsx(rows))


def test_xlsx_with_crs_column_converts_to_wgs84(org: Any, users: Any) -> None:
    gcj = convert(118.31, 36.82, "wgs84", "gcj02")
    x, y = convert(118.35, 36.85, "wgs84", "epsg:4527")
    rows = [
        [
            "370305",
            "X-1",
            "导入地块一",
            "地块",
            "齐鲁化学工业区",
            118.3,
            36.84,
            "",
            "30亩",
            None,
            "4,000",
            "M3",
        ],
        ["370305", "X-2", "导入地块二", "地块", None, gcj[0], gcj[1], "gcj02", "2公顷", None, 800, "M2"],
        ["370305", "X-3", "导入厂房", "厂房/楼宇", None, x, y, "EPSG:4527", None, "6000", None, "M1"],
    ]
    report = import_run(
        resource=SiteResource(user=users["linzi_admin"]),
        dataset=_dataset(rows),
        user=users["linzi_admin"],
        dry_run=False,
    )
    assert report.ok, report.issues
    assert report.new == 3 and report.committed
    first, second, third = (
        Site.objects.get(district=org["linzi_district"], code=c) for c in ("X-1", "X-2", "X-3")
    )
    assert (
        first.chemical_park
        and first.area_mu == 30
        and first.power_kva == 4000
        and first.source_crs == "wgs84"
    )
    assert second.area_mu == 30  # 2 公顷 = 30 亩
    assert second.source_crs == "gcj02"
    assert (second.lng, second.lat) == pytest.approx((118.31, 36.82), abs=1e-6)
    assert third.source_crs == "epsg:4527" and third.area_m2 == 6000
    assert (third.lng, third.lat) == pytest.approx((118.35, 36.85), abs=1e-7)
    assert third.history.get().history_change_reason == "import"


def test_xlsx_bad_rows_refuse_the_whole_file_and_name_the_column(org: Any, users: Any) -> None:
    rows = [
        ["370305", "Y-1", "好地块", "地块", None, 118.3, 36.84, "wgs84", "30亩", None, 100, "M2"],
        ["370305", "Y-2", "坏面积", "地块", None, 118.3, 36.84, "wgs84", "三十亩", None, 100, "M2"],
        ["370305", "Y-3", "坏坐标系", "地块", None, 118.3, 36.84, "火星坐标", "30", None, 100, "M2"],
        ["370305", "Y-4", "坏类型", "仓库", None, 118.3, 36.84, "wgs84", "30", None, 100, "M2"],
        ["370305", "Y-5", "没有位置", "地块", None, None, None, "wgs84", "30", None, 100, "M2"],
        ["370321", "Y-6", "别的区县", "地块", None, 118.1, 36.9, "wgs84", "30", None, 100, "M2"],
        ["370305", "Y-7", "坐标出界", "地块", None, 218.3, 36.84, "wgs84", "30", None, 100, "M2"],
    ]
    report = import_run(
        resource=SiteResource(user=users["linzi_admin"]),
        dataset=_dataset(rows),
        user=users["linzi_admin"],
        dry_run=False,
    )
    assert not report.committed
    by_row = {(i.row, i.column) for i in report.issues}
    assert (3, "土地面积(亩)") in by_row
    assert (4, "坐标系") in by_row
    assert (5, "类型") in by_row
    assert (6, "范围(GeoJSON)") in by_row  # no location at all
    assert (7, "区县代码") in by_row
    assert (8, "经度") in by_row
    assert 2 not in {i.row for i in report.issues}
    assert not Site.objects.filter(code__startswith="Y-").exists()


def _gk_square(x: float, y: float, side: float) -> list[tuple[float, float]]:
    h = side / 2
    return [
        (x - h, y - h),
        (x - h, y + h),
        (x + h, y + h),
        (x + h, y - h),
    ]  # clockwise: a shapefile's outer ring


def test_gbk_shapefile_in_gk_zone_lands_at_the_right_wgs84_position(
    org: Any, users: Any, shapes: Any
) -> None:
    truth = Transformer.from_crs("EPSG:4527", "EPSG:4490", always_xy=True)
    centre = (39_527_000.0, 4_076_000.0)
    fields = [
        ("编号", "C", 12, 0),
        ("名称", "C", 40, 0),
        ("类型", "C", 10, 0),
        ("电力余量", "N", 10, 0),
        ("用地性质", "C", 4, 0),
    ]
    data = shapes.zip(
        [("polygon", [_gk_square(*centre, 200.0)]), ("point", (39_528_000.0, 4_077_500.0))],
        fields,
        [
            ["SHP-1", "金山镇闲置地块", "地块", 2500, "M2"],
            ["SHP-2", "金山镇闲置厂房", "厂房/楼宇", 600, "M1"],
        ],
    )
    # The building needs its floor area; the file lacks it, so the whole file is refused first.
    refused = sites_geo_import(content=data, user=users["linzi_admin"], dry_run=False)
    assert not refused.committed and [(i.row, i.column) for i in refused.issues] == [(2, "建筑面积(m²)")]
    fields.append(("建筑面积", "N", 10, 0))
    data = shapes.zip(
        [("polygon", [_gk_square(*centre, 200.0)]), ("point", (39_528_000.0, 4_077_500.0))],
        fields,
        [
            ["SHP-1", "金山镇闲置地块", "地块", 2500, "M2", None],
            ["SHP-2", "金山镇闲置厂房", "厂房/楼宇", 600, "M1", 3200],
        ],
    )
    preview = sites_geo_import(content=data, user=users["linzi_admin"], dry_run=True)
    assert preview.ok and preview.new == 2 and not preview.committed
    assert not Site.objects.filter(code="SHP-1").exists()
    report = sites_geo_import(content=data, user=users["linzi_admin"], dry_run=False)
    assert report.ok and report.committed, report.issues
    parcel = Site.objects.get(district=org["linzi_district"], code="SHP-1")
    assert parcel.name == "金山镇闲置地块" and parcel.source_crs == "epsg:4527" and parcel.power_kva == 2500
    ring = parcel.geometry["coordinates"][0]
    corner_lng, corner_lat = truth.transform(centre[0] - 100, centre[1] - 100)
    assert min(convert_m(p, (corner_lng, corner_lat)) for p in ring) < 1.0  # within a metre of pyproj's truth
    assert float(parcel.area_mu) == pytest.approx(40_000 / (10000 / 15), rel=1e-3)  # 200 m × 200 m = 60 亩
    assert geometry_area(parcel.geometry).m2 == pytest.approx(40_000, rel=1e-4)
    building = Site.objects.get(district=org["linzi_district"], code="SHP-2")
    lng, lat = truth.transform(39_528_000.0, 4_077_500.0)
    assert convert_m([building.lng, building.lat], (lng, lat)) < 1.0
    assert building.kind == "building" and building.floor_area_m2 == 3200


def convert_m(point: Any, truth: tuple[float, float]) -> float:
    from zhaoshang.geo.coords import haversine_km

    return haversine_km(point[0], point[1], truth[0], truth[1]) * 1000


@pytest.mark.usefixtures("as_test_actor")
def test_geojson_export_import_round_trip(org: Any, users: Any, client_for: Any) -> None:
    from zhaoshang.sites.factories import BuildingFactory, SiteFactory

    district = org["linzi_district"]
    polygon = {
        "type": "Polygon",
        "coordinates": [
            [[118.30, 36.80], [118.302, 36.80], [118.302, 36.802], [118.30, 36.802], [118.30, 36.80]]
        ],
    }
    SiteFactory(
        district=district,
        code="RT-1",
        name="往返地块",
        geometry=polygon,
        area_mu=None,
        lng=None,
        lat=None,
        source_crs="epsg:4527",
        gas=True,
        net_land=True,
        evidence=["国土档案 2024-17"],
    )
    BuildingFactory(district=district, code="RT-2", name="往返厂房", divisible=True, crane_t=10)
    queryset = Site.objects.filter(district=district, code__startswith="RT-")
    before = {s.code: s for s in queryset}
    response = client_for("linzi_admin").get("/site/export/?format=json&q=RT-")
    assert response.status_code == 200
    exported = json.loads(response.content)
    assert exported == sites_geojson(queryset)
    assert {f["properties"]["编号"] for f in exported["features"]} == {"RT-1", "RT-2"}
    assert exported["features"][0]["properties"]["坐标系"] == "wgs84"
    queryset.delete()
    content = json.dumps(exported, ensure_ascii=False).encode()
    report = sites_geo_import(content=content, user=users["linzi_admin"], dry_run=False)
    assert report.ok and report.new == 2, report.issues
    for code, old in before.items():
        new = Site.objects.get(district=district, code=code)
        for field in (
            "name",
            "kind",
            "geometry",
            "lng",
            "lat",
            "area_mu",
            "floor_area_m2",
            "gas",
            "net_land",
            "divisible",
            "crane_t",
            "source_crs",
            "evidence",
            "land_use",
            "power_kva",
            "verified_on",
        ):
            assert getattr(new, field) == getattr(old, field), (code, field)


def test_geo_import_errors(org: Any, users: Any, shapes: Any) -> None:
    admin = users["linzi_admin"]
    assert "GeoJSON" in sites_geo_import(content=b"{oops", user=admin, dry_run=True).issues[0].message
    empty = sites_geo_import(
        content=b'{"type": "FeatureCollection", "features": []}', user=admin, dry_run=True
    )
    assert "没有要素" in empty.issues[0].message
    bad_crs = b'{"type": "FeatureCollection", "crs": {"properties": {"name": "EPSG:2436"}}, "features": []}'
    assert sites_geo_import(content=bad_crs, user=admin, dry_run=True).issues[0].column == "坐标系"
    xian = shapes.zip([("point", (1.0, 2.0))], [("编号", "C", 5, 0)], [["a"]], prj=shapes.prj_xian80)
    assert "西安80" in sites_geo_import(content=xian, user=admin, dry_run=True).issues[0].message
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [118.3, 36.8]},
        "properties": {"编号": "G-1", "名称": "外区县", "土地面积": 10, "区县代码": "370321"},
    }
    refused = sites_geo_import(content=json.dumps(feature).encode(), user=admin, dry_run=False)
    assert refused.issues[0].column == "区县代码" and refused.issues[0].row == 1


def test_geo_import_pages_preview_then_confirm(org: Any, client_for: Any, users: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for("linzi_admin")
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [118.33, 36.81]},
                "properties": {"id": "WEB-1", "name": "网页导入地块", "area_mu": 12, "land_use": "M1"},
            }
        ],
    }
    upload = SimpleUploadedFile("sites.geojson", json.dumps(collection).encode(), "application/geo+json")
    response = client.post(
        "/sites/import/", {"file": upload, "crs": "wgs84", "district": org["linzi_district"].pk}
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "import-confirm" in page.content.decode()
    assert not Site.objects.filter(code="WEB-1").exists()
    done = client.post(response["Location"])
    assert done.status_code == 302
    assert "import-done" in client.get(done["Location"]).content.decode()
    site = Site.objects.get(code="WEB-1")
    assert site.district == org["linzi_district"] and site.area_mu == 12
    assert site.history.get().history_user == users["linzi_admin"]
    # The land clerk (自然资源) maintains the sites: she has the upload page (tests/core/test_roles_flow.py).
    assert client_for("linzi_clerk").get("/sites/import/").status_code == 200
    bad = SimpleUploadedFile("sites.txt", b"x")
    assert client.post("/sites/import/", {"file": bad, "crs": "wgs84"}).status_code == 400

"""Coordinate conversions, Gauss-Krüger zones, measures, and the `coords` command."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pytest
import shapely
from django.core.management import CommandError, call_command
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer

from zhaoshang.geo import coords
from zhaoshang.geo.coords import (
    CoordError,
    convert,
    convert_many,
    geometry_area,
    geometry_distance_m,
    geometry_length_m,
    gk_epsg,
    gk_zone,
    gk_zone_of_epsg,
    haversine_km,
    haversine_km_many,
    in_china,
    parse_crs,
)

# DOMAIN.md §7: published WGS84 → GCJ-02 vectors as (lat, lng) → (lat, lng).
VECTORS = [
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
]
LINZI = (118.3, 36.8)
GRS80 = Geod(ellps="GRS80")

# Mainland China's bounding box, well inside the algorithm's rectangle (see coords' module docstring).
china_lng = st.floats(73.6, 134.7)
china_lat = st.floats(18.2, 53.5)


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return haversine_km(a[0], a[1], b[0], b[1]) * 1000


@pytest.mark.parametrize(("wgs", "gcj"), VECTORS)
def test_published_gcj02_vectors(wgs: tuple[float, float], gcj: tuple[float, float]) -> None:
    lng, lat = convert(wgs[1], wgs[0], "wgs84", "gcj02")
    assert lng == pytest.approx(gcj[1], abs=1e-6)
    assert lat == pytest.approx(gcj[0], abs=1e-6)


def test_published_vectors_vectorised() -> None:
    lng, lat = convert_many([v[0][1] for v in VECTORS], [v[0][0] for v in VECTORS], "WGS84", "GCJ02")
    np.testing.assert_allclose(lng, [v[1][1] for v in VECTORS], atol=1e-6)
    np.testing.assert_allclose(lat, [v[1][0] for v in VECTORS], atol=1e-6)


@pytest.mark.parametrize(("wgs", "gcj"), VECTORS)
def test_gcj02_back_to_wgs84_recovers_the_published_inputs(
    wgs: tuple[float, float], gcj: tuple[float, float]
) -> None:
    lng, lat = convert(gcj[1], gcj[0], "gcj02", "wgs84")
    assert _metres((lng, lat), (wgs[1], wgs[0])) <= 0.001


@settings(max_examples=300, deadline=None)
@given(china_lng, china_lat)
def test_gcj02_round_trip_within_a_millimetre(lng: float, lat: float) -> None:
    gcj = convert(lng, lat, "wgs84", "gcj02")
    assert _metres(gcj, (lng, lat)) > 1  # the offset really applies inside China
    back = convert(*gcj, "gcj02", "wgs84")
    assert _metres(back, (lng, lat)) <= 0.001


@settings(max_examples=200, deadline=None)
@given(china_lng, china_lat)
@example(118.98416368286858, 52.344069248850246)  # a 0.999 mm residual was a 1.002 mm error
def test_bd09_round_trip_within_a_millimetre(lng: float, lat: float) -> None:
    bd = convert(lng, lat, "wgs84", "bd09")
    assert _metres(convert(*bd, "bd09", "wgs84"), (lng, lat)) <= 0.001
    gcj = convert(lng, lat, "wgs84", "gcj02")
    bd_from_gcj = convert(*gcj, "gcj02", "bd09")
    assert _metres(bd_from_gcj, bd) <= 1e-6
    assert _metres(convert(*bd, "bd09", "gcj02"), gcj) <= 0.001


def test_round_trip_of_many_points_at_once() -> None:
    rng = np.random.default_rng(4)
    lng, lat = rng.uniform(73.6, 134.7, 5000), rng.uniform(18.2, 53.5, 5000)
    for system in ("gcj02", "bd09"):
        x, y = convert_many(lng, lat, "wgs84", system)
        back_lng, back_lat = convert_many(x, y, system, "wgs84")
        assert haversine_km_many(lng, lat, back_lng, back_lat).max() * 1e6 <= 1.0  # mm


def test_bd09_known_value() -> None:
    # Baidu's formula on the Beijing vector's GCJ-02 point, as computed by the common published code.
    lng, lat = convert(116.38404722455657, 39.91334545536069, "gcj02", "bd09")
    assert lng == pytest.approx(116.390454713, abs=1e-8)
    assert lat == pytest.approx(39.919575551, abs=1e-8)


@pytest.mark.parametrize(
    "point",
    [(-0.1276, 51.5072), (151.2093, -33.8688), (139.0, 56.5), (70.0, 30.0), (100.0, 0.5), (-74.0, 40.7)],
)
@pytest.mark.parametrize("system", ["gcj02", "bd09"])
def test_outside_china_is_left_unchanged(point: tuple[float, float], system: str) -> None:
    assert not in_china(*point)
    assert convert(*point, "wgs84", system) == point
    assert convert(*point, system, "wgs84") == point


def test_china_rectangle_edges() -> None:
    assert in_china(72.004, 0.8293) and in_china(137.8347, 55.8271)
    assert not in_china(72.0039, 30) and not in_china(120, 55.8272)


def test_cgcs2000_is_treated_as_wgs84() -> None:
    assert convert(*LINZI, "cgcs2000", "wgs84") == LINZI
    assert convert(*LINZI, "epsg:4326", "EPSG:4490") == LINZI


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("WGS84", "wgs84"),
        (" wgs84 ", "wgs84"),
        ("EPSG:4326", "wgs84"),
        ("CGCS2000", "cgcs2000"),
        ("epsg:4490", "cgcs2000"),
        ("GCJ02", "gcj02"),
        ("gcj-02", "gcj02"),
        ("BD09", "bd09"),
        ("EPSG:4527", "epsg:4527"),
        ("urn:ogc:def:crs:EPSG::4548", "epsg:4548"),
        ("urn:ogc:def:crs:OGC:1.3:CRS84", "wgs84"),
    ],
)
def test_parse_crs_names(name: str, key: str) -> None:
    assert parse_crs(name).key == key


@pytest.mark.parametrize("name", ["mercator", "", "epsg:", "epsg:99999", "gcj03"])
def test_unknown_crs_has_a_bilingual_error(name: str) -> None:
    with pytest.raises(CoordError) as caught:
        parse_crs(name)
    assert caught.value.zh and caught.value.en
    assert str(caught.value) == caught.value.zh


def test_crs_on_an_old_datum_is_refused() -> None:
    with pytest.raises(CoordError, match="Beijing 1954") as caught:
        parse_crs("epsg:2436")  # Beijing 1954 / 3-degree GK CM 117E
    assert "CGCS2000" in caught.value.en


def test_gk_zone_numbers() -> None:
    assert gk_zone(118.3) == 39 and gk_zone(117.0) == 39 and gk_zone(115.6) == 39 and gk_zone(115.4) == 38
    assert gk_epsg(39) == 4527 and gk_epsg(39, prefixed=False) == 4548
    assert gk_epsg(25) == 4513 and gk_epsg(45) == 4533 and gk_epsg(25, prefixed=False) == 4534
    assert gk_epsg(45, prefixed=False) == 4554
    assert gk_zone_of_epsg(4527) == (39, True) and gk_zone_of_epsg(4548) == (39, False)
    assert gk_zone_of_epsg(4326) is None
    with pytest.raises(CoordError):
        gk_epsg(46)


def test_known_projected_point_matches_pyproj() -> None:
    # Computed independently of coords' cache, from the CGCS2000 geographic CRS.
    x_cm, y_cm = Transformer.from_crs("EPSG:4490", "EPSG:4548", always_xy=True).transform(*LINZI)
    x_zone, y_zone = Transformer.from_crs("EPSG:4490", "EPSG:4527", always_xy=True).transform(*LINZI)
    assert convert(*LINZI, "wgs84", "epsg:4548") == pytest.approx((x_cm, y_cm), abs=1e-3)
    assert convert(*LINZI, "cgcs2000", "epsg:4527") == pytest.approx((x_zone, y_zone), abs=1e-3)
    # The same plane: the zone-prefixed variant adds 39 000 000 m to the easting.
    assert x_zone - x_cm == pytest.approx(39_000_000, abs=1e-6)
    assert (x_cm, y_cm) == pytest.approx((616020.378, 4075104.339), abs=1e-3)
    assert convert(x_zone, y_zone, "epsg:4527", "epsg:4548") == pytest.approx((x_cm, y_cm), abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(st.floats(73.6, 134.7), st.floats(18.2, 53.5), st.booleans())
def test_gk_zone_round_trip(lng: float, lat: float, prefixed: bool) -> None:
    system = f"epsg:{gk_epsg(gk_zone(lng), prefixed=prefixed)}"
    x, y = convert(lng, lat, "wgs84", system)
    assert convert(x, y, system, "cgcs2000") == pytest.approx((lng, lat), abs=1e-9)


def test_gk_to_gcj02_goes_through_wgs84() -> None:
    x, y = convert(*LINZI, "wgs84", "epsg:4527")
    assert convert(x, y, "epsg:4527", "gcj02") == pytest.approx(convert(*LINZI, "wgs84", "gcj02"), abs=1e-9)
    gcj = convert(*LINZI, "wgs84", "gcj02")
    assert convert(*gcj, "gcj02", "epsg:4527") == pytest.approx((x, y), abs=1e-3)


@pytest.mark.parametrize(("lng", "lat"), [(200.0, 10.0), (100.0, 95.0), (math.nan, 30.0), (math.inf, 30.0)])
def test_invalid_points_are_refused(lng: float, lat: float) -> None:
    with pytest.raises(CoordError, match="1"):
        convert(lng, lat, "wgs84", "gcj02")


def _square_near_linzi(side_m: float = 1000.0) -> shapely.Polygon:
    sw = LINZI
    se = GRS80.fwd(*sw, 90, side_m)[:2]
    nw = GRS80.fwd(*sw, 0, side_m)[:2]
    ne = GRS80.fwd(*nw, 90, side_m)[:2]
    return shapely.Polygon([sw, se, ne, nw, sw])


def test_area_of_a_square_kilometre_near_linzi_is_1500_mu() -> None:
    square = _square_near_linzi()
    area = geometry_area(square)
    assert area.mu == pytest.approx(1500, rel=0.005)
    assert area.m2 == pytest.approx(area.mu * 10000 / 15)
    assert area.projection == "EPSG:4527"
    geodesic, _ = GRS80.geometry_area_perimeter(square)
    assert area.m2 == pytest.approx(abs(geodesic), rel=0.001)  # GK distortion ≤ 0.07 % (module docstring)


def test_area_from_geojson_and_from_another_crs() -> None:
    square = _square_near_linzi()
    geojson = shapely.geometry.mapping(square)
    geojson = {"type": "Polygon", "coordinates": [[list(p) for p in geojson["coordinates"][0]]]}
    assert geometry_area(geojson).m2 == pytest.approx(geometry_area(square).m2)
    assert geometry_area({"type": "Feature", "geometry": geojson, "properties": {}}).m2 == pytest.approx(
        geometry_area(square).m2
    )
    gcj = shapely.transform(
        square, lambda xy: np.column_stack(convert_many(xy[:, 0], xy[:, 1], "wgs84", "gcj02"))
    )
    assert geometry_area(gcj, "gcj02").m2 == pytest.approx(geometry_area(square).m2, rel=1e-6)
    planar = shapely.box(39_600_000, 4_075_000, 39_600_100, 4_075_100)
    assert geometry_area(planar, "epsg:4527").m2 == pytest.approx(10_000, rel=1e-6)
    assert geometry_area(planar, "epsg:4527").mu == pytest.approx(15, rel=1e-6)


def test_bad_geojson_has_a_bilingual_error() -> None:
    open_ring = {"type": "Polygon", "coordinates": [[[118, 36], [118.1, 36], [118.1, 36.1], [118, 36.2]]]}
    with pytest.raises(CoordError) as caught:
        geometry_area(open_ring)
    assert "闭合" in caught.value.zh and "closed" in caught.value.en
    with pytest.raises(CoordError):
        geometry_area({"type": "Nonsense"})


def test_area_outside_chinas_zones_uses_the_same_projection() -> None:
    # Near Greenwich there is no CGCS2000 zone; a 3-degree TM on the nearest meridian is used.
    box = shapely.box(0.5, 51.0, 0.51, 51.01)
    area = geometry_area(box)
    assert area.projection.startswith("+proj=tmerc") and "+lon_0=0" in area.projection
    assert area.m2 == pytest.approx(abs(GRS80.geometry_area_perimeter(box)[0]), rel=0.001)


def test_length_and_distance() -> None:
    east = GRS80.fwd(*LINZI, 90, 1000)[:2]
    line = shapely.LineString([LINZI, east])
    assert geometry_length_m(line) == pytest.approx(1000, rel=0.001)
    assert geometry_distance_m(shapely.Point(LINZI), shapely.Point(east)) == pytest.approx(1000, rel=0.001)
    assert geometry_length_m(_square_near_linzi()) == pytest.approx(4000, rel=0.001)


def test_haversine() -> None:
    assert haversine_km(*LINZI, *LINZI) == 0
    # Beijing Tiananmen to Shanghai People's Square: about 1,067 km.
    assert haversine_km(116.3975, 39.9087, 121.4737, 31.2304) == pytest.approx(1067, rel=0.005)
    north = GRS80.fwd(*LINZI, 0, 10_000)[:2]
    assert haversine_km(*LINZI, *north) == pytest.approx(10, rel=0.005)
    many = haversine_km_many([116.3975, LINZI[0]], [39.9087, LINZI[1]], LINZI[0], LINZI[1])
    assert many[1] == 0 and many[0] == pytest.approx(haversine_km(116.3975, 39.9087, *LINZI))


def test_transformers_are_cached_per_pair() -> None:
    coords._transformer.cache_clear()
    convert(*LINZI, "wgs84", "epsg:4527")
    convert(118.4, 36.9, "wgs84", "epsg:4527")
    convert(*LINZI, "wgs84", "epsg:4548")
    assert coords._transformer.cache_info().currsize == 2


# --- the command ---------------------------------------------------------------------------------------


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("coords", *args, stdout=out)
    return out.getvalue()


def test_command_converts_points_with_ten_decimals() -> None:
    text = _run("--from", "wgs84", "--to", "gcj02", "116.377817,39.911954", "121.5272106,31.1774276")
    lines = text.splitlines()
    assert lines == ["116.3840472246,39.9133454554", "121.5315418592,31.1753039836"]


def test_command_projected_output() -> None:
    x, y = (float(v) for v in _run("--from", "WGS84", "--to", "EPSG:4548", "118.3,36.8").split(","))
    assert (x, y) == pytest.approx(convert(*LINZI, "wgs84", "epsg:4548"), abs=1e-9)


def test_command_converts_a_csv_keeping_other_columns(tmp_path: Path) -> None:
    source = tmp_path / "points.csv"
    # A byte-order mark, as Excel writes it.
    source.write_text(
        "名称,经度,纬度,备注\n北京,116.377817,39.911954,a\n上海,121.5272106,31.1774276,\n", "utf-8-sig"
    )
    text = _run(
        "--from", "wgs84", "--to", "gcj02", "--input", str(source), "--lng-col", "经度", "--lat-col", "纬度"
    )
    assert text.splitlines() == [
        "名称,经度,纬度,备注",
        "北京,116.3840472246,39.9133454554,a",
        "上海,121.5315418592,31.1753039836,",
    ]
    output = tmp_path / "out.csv"
    assert (
        _run(
            "--from",
            "wgs84",
            "--to",
            "gcj02",
            "--input",
            str(source),
            "--lng-col",
            "经度",
            "--lat-col",
            "纬度",
            "-o",
            str(output),
        )
        == ""
    )
    assert output.read_text("utf-8") == text


def test_command_csv_round_trip_through_baidu(tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_text("lng,lat\n118.3,36.8\n", "utf-8")
    bd = tmp_path / "bd.csv"
    _run("--from", "wgs84", "--to", "bd09", "--input", str(source), "-o", str(bd))
    back = _run("--from", "bd09", "--to", "wgs84", "--input", str(bd))
    lng, lat = (float(v) for v in back.splitlines()[1].split(","))
    assert _metres((lng, lat), LINZI) <= 0.001


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "wgs84", "--to", "mercator", "1,2"], "mercator"),
        (["--from", "wgs84", "--to", "gcj02", "116.3"], "LNG,LAT"),
        (["--from", "wgs84", "--to", "gcj02", "116.3,abc"], "abc"),
        (["--from", "wgs84", "--to", "gcj02", "116.3,95"], "95"),
        (["--from", "wgs84", "--to", "gcj02"], "--input"),
    ],
)
def test_command_errors(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message) as caught:
        _run(*args)
    assert "\n" not in str(caught.value)


def test_command_csv_errors(tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_text("x,y\n1,2\n", "utf-8")
    with pytest.raises(CommandError, match="lng"):
        _run("--from", "wgs84", "--to", "gcj02", "--input", str(source))
    source.write_text("lng,lat\n118.3,36.8\n118.3,\n", "utf-8")
    with pytest.raises(CommandError, match="第 3 行") as caught:
        _run("--from", "wgs84", "--to", "gcj02", "--input", str(source))
    assert "line 3" in str(caught.value)
    with pytest.raises(CommandError, match="not found"):
        _run("--from", "wgs84", "--to", "gcj02", "--input", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="either"):
        _run("--from", "wgs84", "--to", "gcj02", "--input", str(source), "1,2")

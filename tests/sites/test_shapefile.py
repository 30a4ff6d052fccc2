"""The pure Shapefile reader on files built byte by byte: shapes, GBK attributes, .cpg, .prj zones."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from zhaoshang.sites.shapefile import (
    ShapefileError,
    crs_from_prj,
    read_dbf,
    read_shapefile,
    read_shapefile_zip,
    read_shp,
)

SQUARE_CW = [(0.0, 0.0), (0.0, 10.0), (10.0, 10.0), (10.0, 0.0)]  # clockwise: an outer ring
HOLE_CCW = [(2.0, 2.0), (4.0, 2.0), (4.0, 4.0), (2.0, 4.0)]  # counter-clockwise: a hole
FAR_CW = [(20.0, 0.0), (20.0, 5.0), (25.0, 5.0), (25.0, 0.0)]


def test_points_polygons_holes_and_multipolygons(shapes: Any) -> None:
    data = shapes.shp(
        [
            ("polygon", [SQUARE_CW, HOLE_CCW]),
            ("polygon", [SQUARE_CW, FAR_CW]),
            ("null", None),
        ]
    )
    first, second, third = read_shp(data)
    assert first["type"] == "Polygon" and len(first["coordinates"]) == 2
    outer, hole = first["coordinates"]
    assert outer[0] == outer[-1] and len(outer) == 5
    # GeoJSON winding: outer counter-clockwise, holes clockwise (the reverse of the shapefile's).
    assert outer == [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]]
    assert hole[1] == [2.0, 4.0]
    assert second["type"] == "MultiPolygon" and len(second["coordinates"]) == 2
    assert third is None
    assert read_shp(shapes.shp([("point", (118.3, 36.8))])) == [
        {"type": "Point", "coordinates": [118.3, 36.8]}
    ]


def test_gbk_table_with_numbers_dates_flags_and_deleted_rows(shapes: Any) -> None:
    fields = [("编号", "C", 10, 0), ("土地面积", "N", 12, 4), ("净地", "L", 1, 0), ("核实", "D", 8, 0)]
    data = shapes.dbf(
        fields,
        [["DK-1", 12.5, True, "20250301"], ["DK-2", None, False, ""], ["DK-3", 7, None, "20250102"]],
        deleted=(1,),
    )
    records = read_dbf(data, "gbk")
    assert records[0] == {"编号": "DK-1", "土地面积": 12.5, "净地": True, "核实": datetime.date(2025, 3, 1)}
    assert records[1] == {"__deleted__": True}
    assert records[2]["土地面积"] == 7.0 and records[2]["净地"] is None


def test_encodings_from_cpg_and_language_driver(shapes: Any) -> None:
    fields = [("名称", "C", 30, 0)]
    shp = shapes.shp([("point", (1.0, 2.0))])
    utf8 = shapes.dbf(fields, [["齐鲁化学工业区地块"]], encoding="utf-8", ldid=0)
    assert read_shapefile(shp, utf8, None, "UTF-8").features[0][1] == {"名称": "齐鲁化学工业区地块"}
    gbk = shapes.dbf(fields, [["齐鲁化学工业区地块"]])
    parsed = read_shapefile(shp, gbk)
    assert parsed.encoding == "gbk" and parsed.features[0][1]["名称"] == "齐鲁化学工业区地块"
    with pytest.raises(ShapefileError, match=".cpg"):
        read_shapefile(shp, utf8.replace(b"\x00" * 17 + b"\x00", b"\x00" * 17 + b"\x4d", 1), None, None)
    with pytest.raises(ShapefileError, match="无法识别"):
        read_shapefile(shp, gbk, None, "KLINGON")


@pytest.mark.parametrize(
    ("prj", "expected"),
    [
        ("prj_zone_39", "epsg:4527"),
        ("prj_cm_117", "epsg:4548"),
        ("prj_wgs84", "wgs84"),
    ],
)
def test_prj_zones(shapes: Any, prj: str, expected: str) -> None:
    assert crs_from_prj(getattr(shapes, prj)) == expected


def test_prj_refusals(shapes: Any) -> None:
    with pytest.raises(ShapefileError, match="西安80"):
        crs_from_prj(shapes.prj_xian80)
    with pytest.raises(ShapefileError, match="中央经线"):
        crs_from_prj(shapes.prj_zone_39.replace("117.0", "118.5"))
    with pytest.raises(ShapefileError, match="东偏移"):
        crs_from_prj(shapes.prj_zone_39.replace("39500000.0", "123.0"))
    assert crs_from_prj('PROJCS["x",GEOGCS["y"],AUTHORITY["EPSG","4527"]]') == "epsg:4527"


def test_zip_errors(shapes: Any) -> None:
    with pytest.raises(ShapefileError, match="zip"):
        read_shapefile_zip(b"not a zip")
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "no shapes")
    with pytest.raises(ShapefileError, match=r"\.shp"):
        read_shapefile_zip(buffer.getvalue())
    mismatched = shapes.zip([("point", (1.0, 2.0))], [("编号", "C", 5, 0)], [["a"], ["b"]])
    with pytest.raises(ShapefileError, match="一一对应"):
        read_shapefile_zip(mismatched)
    with pytest.raises(ShapefileError, match="头无效"):
        read_shp(b"\x00" * 100)

"""Builders for the sites tests: Shapefiles written byte by byte (no GIS library needed)."""

from __future__ import annotations

import io
import struct
import zipfile
from typing import Any

import pytest

# A CGCS2000 3-degree GK zone 39 .prj as ArcGIS writes it (CM 117E, false easting 39,500,000 m), no EPSG tag.
PRJ_ZONE_39 = (
    'PROJCS["CGCS2000_3_Degree_GK_Zone_39",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",'
    'DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],'
    'UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",39500000.0],'
    'PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],'
    'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
)
PRJ_CM_117 = PRJ_ZONE_39.replace("Zone_39", "CM_117E").replace("39500000.0", "500000.0")
PRJ_WGS84 = (
    'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],'
    'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]'
)
PRJ_XIAN80 = PRJ_ZONE_39.replace("China_Geodetic_Coordinate_System_2000", "Xian_1980").replace(
    "D_China_2000", "D_Xian_1980"
)


def _ring_points(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    return ring if ring[0] == ring[-1] else [*ring, ring[0]]


def shp_bytes(shapes: list[tuple[str, Any]]) -> bytes:
    """("point", (x, y)), ("polygon", [ring, ...]) or ("null", None); rings as given (shapefile order)."""
    records = []
    kinds = {kind for kind, _ in shapes if kind != "null"}
    shape_type = 5 if "polygon" in kinds else 1 if kinds else 0
    xs: list[float] = []
    ys: list[float] = []
    for number, (kind, value) in enumerate(shapes, start=1):
        if kind == "null":
            content = struct.pack("<i", 0)
        elif kind == "point":
            content = struct.pack("<i2d", 1, *value)
            xs.append(value[0])
            ys.append(value[1])
        else:
            rings = [_ring_points(r) for r in value]
            points = [p for r in rings for p in r]
            parts, start = [], 0
            for ring in rings:
                parts.append(start)
                start += len(ring)
            px, py = [p[0] for p in points], [p[1] for p in points]
            xs += px
            ys += py
            content = struct.pack("<i4d2i", 5, min(px), min(py), max(px), max(py), len(rings), len(points))
            content += struct.pack(f"<{len(parts)}i", *parts)
            content += b"".join(struct.pack("<2d", *p) for p in points)
        records.append(struct.pack(">2i", number, len(content) // 2) + content)
    body = b"".join(records)
    bbox = (min(xs), min(ys), max(xs), max(ys)) if xs else (0.0, 0.0, 0.0, 0.0)
    header = struct.pack(">7i", 9994, 0, 0, 0, 0, 0, (100 + len(body)) // 2)
    header += struct.pack("<2i4d4d", 1000, shape_type, *bbox, 0, 0, 0, 0)
    return header + body


def dbf_bytes(
    fields: list[tuple[str, str, int, int]],
    records: list[list[Any]],
    encoding: str = "gbk",
    ldid: int = 0x4D,
    deleted: tuple[int, ...] = (),
) -> bytes:
    """A dBase III table: fields (name, type C/N/L/D, length, decimals); values written as text."""
    header_length = 32 + 32 * len(fields) + 1
    record_length = 1 + sum(f[2] for f in fields)
    header = struct.pack("<B3BIHH", 3, 124, 1, 1, len(records), header_length, record_length)
    header += b"\x00" * 17 + bytes([ldid]) + b"\x00\x00"
    for name, kind, length, decimals in fields:
        encoded = name.encode(encoding)[:10]
        header += encoded.ljust(11, b"\x00") + kind.encode() + b"\x00" * 4 + bytes([length, decimals])
        header += b"\x00" * 14
    header += b"\x0d"
    body = b""
    for i, record in enumerate(records):
        body += b"*" if i in deleted else b" "
        for (_name, kind, length, _decimals), value in zip(fields, record, strict=True):
            if value is None:
                raw = b""
            elif kind == "L":
                raw = b"T" if value else b"F"
            else:
                raw = str(value).encode(encoding)
            if kind in ("N", "F"):
                body += raw[:length].rjust(length, b" ")
            else:
                body += raw[:length].ljust(length, b" ")
    return header + body + b"\x1a"


def shapefile_zip(
    shapes: list[tuple[str, Any]],
    fields: list[tuple[str, str, int, int]],
    records: list[list[Any]],
    *,
    prj: str | None = PRJ_ZONE_39,
    cpg: str | None = None,
    encoding: str = "gbk",
    stem: str = "地块/idle_land",
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{stem}.shp", shp_bytes(shapes))
        archive.writestr(f"{stem}.dbf", dbf_bytes(fields, records, encoding))
        if prj is not None:
            archive.writestr(f"{stem}.prj", prj)
        if cpg is not None:
            archive.writestr(f"{stem}.cpg", cpg)
    return buffer.getvalue()


@pytest.fixture
def shapes() -> Any:
    class Builders:
        shp = staticmethod(shp_bytes)
        dbf = staticmethod(dbf_bytes)
        zip = staticmethod(shapefile_zip)
        prj_zone_39 = PRJ_ZONE_39
        prj_cm_117 = PRJ_CM_117
        prj_wgs84 = PRJ_WGS84
        prj_xian80 = PRJ_XIAN80

    return Builders

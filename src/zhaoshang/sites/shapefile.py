"""A small reader for ESRI Shapefiles as survey offices hand them over: .shp + .dbf + .prj (+ .cpg), zipped.

Only what site registers need: Point and Polygon shapes (with or without Z/M), dBase III attribute tables in
GBK (the usual encoding of Chinese shapefiles) or whatever a .cpg names, and a .prj whose WKT is mapped to an
EPSG code that ``zhaoshang.geo.coords`` converts: WGS84, CGCS2000, and CGCS2000 3-degree Gauss-Krüger zones
(recognised from the central meridian and the false easting: 39,500,000 m means zone 39 with its prefix,
500,000 m the plain CM variant). Pure Python, no GDAL. Format: ESRI Shapefile Technical Description (1998).
"""

from __future__ import annotations

import datetime
import io
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from zhaoshang.geo.crs import GK_FIRST_ZONE, GK_LAST_ZONE, gk_epsg
from zhaoshang.standards.errors import BilingualError

SHAPE_NULL = 0
POINT_TYPES = (1, 11, 21)
POLYGON_TYPES = (5, 15, 25)
_LDID_ENCODINGS = {0x4D: "gbk", 0x7A: "gbk", 0x57: "cp1252", 0x03: "cp1252", 0x01: "cp437"}
_CPG_ALIASES = {"936": "gbk", "gb2312": "gbk", "cp936": "gbk", "utf8": "utf-8", "65001": "utf-8"}
_MAX_ZIP_BYTES = 200 * 1024 * 1024


class ShapefileError(BilingualError):
    """A file that cannot be read; ``zh`` and ``en`` are messages for people."""


@dataclass
class Shapefile:
    """Features as (GeoJSON geometry or None for a null shape, attributes); ``crs`` as for coords.parse_crs."""

    features: list[tuple[dict[str, Any] | None, dict[str, Any]]] = field(default_factory=list)
    crs: str | None = None  # None when there is no .prj
    encoding: str = "gbk"


# --- .shp ---------------------------------------------------------------------------------------------


def _ring_area(ring: list[tuple[float, float]]) -> float:
    """Shoelace area: negative for clockwise rings (outer rings in a shapefile), positive for holes."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        total += x1 * y2 - x2 * y1
    return total / 2


def _inside(point: tuple[float, float], ring: list[tuple[float, float]]) -> bool:
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _polygon(rings: list[list[tuple[float, float]]]) -> dict[str, Any]:
    """Shapefile rings (outer clockwise, holes counter-clockwise) as a GeoJSON Polygon or MultiPolygon."""
    outers: list[list[list[tuple[float, float]]]] = []
    holes: list[list[tuple[float, float]]] = []
    for ring in rings:
        if ring[0] != ring[-1]:
            ring = [*ring, ring[0]]
        (outers.append([ring]) if _ring_area(ring) <= 0 else holes.append(ring))
    if not outers:  # rings written the wrong way round: treat them all as outer rings
        outers, holes = [[list(reversed(h))] for h in holes], []
    for hole in holes:
        owner = next((p for p in outers if _inside(hole[0], p[0])), outers[0])
        owner.append(hole)

    def coords(polygon: list[list[tuple[float, float]]]) -> list[list[list[float]]]:
        # GeoJSON (RFC 7946) winds outer rings counter-clockwise and holes clockwise: the reverse of shapefiles.
        return [[[x, y] for x, y in reversed(ring)] for ring in polygon]

    if len(outers) == 1:
        return {"type": "Polygon", "coordinates": coords(outers[0])}
    return {"type": "MultiPolygon", "coordinates": [coords(p) for p in outers]}


def read_shp(data: bytes) -> list[dict[str, Any] | None]:
    """The geometries of a .shp file in file order (None for null shapes)."""
    if len(data) < 100 or struct.unpack(">i", data[:4])[0] != 9994:
        raise ShapefileError(".shp 文件头无效", "The .shp file has no valid header")
    shape_type = struct.unpack("<i", data[32:36])[0]
    if shape_type not in (SHAPE_NULL, *POINT_TYPES, *POLYGON_TYPES):
        raise ShapefileError(
            f".shp 的几何类型 {shape_type} 不受支持,只支持点和面",
            f"Shape type {shape_type} is not supported; only points and polygons are",
        )
    geometries: list[dict[str, Any] | None] = []
    offset = 100
    while offset + 8 <= len(data):
        _number, length_words = struct.unpack(">ii", data[offset : offset + 8])
        content = data[offset + 8 : offset + 8 + 2 * length_words]
        offset += 8 + 2 * length_words
        if len(content) < 4:
            raise ShapefileError(".shp 文件被截断", "The .shp file is truncated")
        record_type = struct.unpack("<i", content[:4])[0]
        try:
            if record_type == SHAPE_NULL:
                geometries.append(None)
            elif record_type in POINT_TYPES:
                x, y = struct.unpack("<2d", content[4:20])
                geometries.append({"type": "Point", "coordinates": [x, y]})
            elif record_type in POLYGON_TYPES:
                n_parts, n_points = struct.unpack("<2i", content[36:44])
                parts = list(struct.unpack(f"<{n_parts}i", content[44 : 44 + 4 * n_parts]))
                start = 44 + 4 * n_parts
                flat = struct.unpack(f"<{2 * n_points}d", content[start : start + 16 * n_points])
                points = [(flat[2 * i], flat[2 * i + 1]) for i in range(n_points)]
                bounds = [*parts, n_points]
                rings = [points[bounds[i] : bounds[i + 1]] for i in range(n_parts)]
                geometries.append(_polygon([r for r in rings if len(r) >= 3]))
            else:
                raise ShapefileError(
                    f"第 {len(geometries) + 1} 条记录的几何类型 {record_type} 不受支持",
                    f"Record {len(geometries) + 1} has the unsupported shape type {record_type}",
                )
        except struct.error:
            raise ShapefileError(
                f".shp 第 {len(geometries) + 1} 条记录被截断", f"Record {len(geometries) + 1} is truncated"
            ) from None
    return geometries


# --- .dbf ---------------------------------------------------------------------------------------------


def dbf_encoding(data: bytes, cpg: str | None = None) -> str:
    """The attribute table's encoding: the .cpg's, else the header's language driver, else GBK."""
    if cpg and cpg.strip():
        name = cpg.strip().lower()
        name = _CPG_ALIASES.get(name, name)
        try:
            "".encode(name)
        except LookupError:
            raise ShapefileError(
                f".cpg 中的编码“{cpg.strip()}”无法识别", f"Unknown .cpg encoding {cpg!r}"
            ) from None
        return name
    if len(data) > 29 and data[29] in _LDID_ENCODINGS:
        return _LDID_ENCODINGS[data[29]]
    return "gbk"


def _value(kind: str, raw: bytes, decimals: int, encoding: str) -> Any:
    if kind in ("N", "F"):
        text = raw.strip(b" \x00*").decode("ascii", "replace")
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            return None
        return int(number) if decimals == 0 and number.is_integer() and abs(number) < 2**53 else number
    if kind == "L":
        return {b"T": True, b"Y": True, b"F": False, b"N": False}.get(raw.strip().upper()[:1])
    if kind == "D":
        text = raw.strip().decode("ascii", "replace")
        try:
            return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:8])) if text else None
        except ValueError:
            return None
    try:
        return raw.decode(encoding).strip(" \x00")
    except UnicodeDecodeError:
        raise ShapefileError(
            f".dbf 中的文字不是 {encoding} 编码,请附上写明编码的 .cpg 文件",
            f"Text in the .dbf is not {encoding}; add a .cpg naming the encoding",
        ) from None


def read_dbf(data: bytes, encoding: str) -> list[dict[str, Any]]:
    """The records of a dBase III table (deleted records skipped), field names as written."""
    if len(data) < 33:
        raise ShapefileError(".dbf 文件头无效", "The .dbf file has no valid header")
    n_records, header_length, record_length = struct.unpack("<IHH", data[4:12])
    fields: list[tuple[str, str, int, int]] = []
    position = 32
    while position + 32 <= header_length and data[position] != 0x0D:
        descriptor = data[position : position + 32]
        name = descriptor[:11].split(b"\x00")[0].decode(encoding, "replace").strip()
        fields.append((name, chr(descriptor[11]), descriptor[16], descriptor[17]))
        position += 32
    records: list[dict[str, Any]] = []
    for i in range(n_records):
        start = header_length + i * record_length
        record = data[start : start + record_length]
        if len(record) < record_length:
            raise ShapefileError(".dbf 文件被截断", "The .dbf file is truncated")
        if record[:1] == b"*":
            records.append({"__deleted__": True})
            continue
        values: dict[str, Any] = {}
        cursor = 1
        for name, kind, length, decimals in fields:
            values[name] = _value(kind, record[cursor : cursor + length], decimals, encoding)
            cursor += length
        records.append(values)
    return records


# --- .prj ---------------------------------------------------------------------------------------------

_PARAMETER = re.compile(r'PARAMETER\[\s*"([^"]+)"\s*,\s*([-+0-9.eE]+)\s*\]', re.IGNORECASE)
_AUTHORITY_TAIL = re.compile(r'AUTHORITY\[\s*"EPSG"\s*,\s*"?(\d+)"?\s*\]\s*\]\s*$', re.IGNORECASE)
_CGCS = ("CGCS2000", "CGCS_2000", "CHINA_2000", "CHINA 2000", "CHINA_GEODETIC_COORDINATE_SYSTEM_2000")
_WGS = ("WGS_1984", "WGS 84", "WGS84", "WGS_84")
_OLD_DATUMS = ("BEIJING", "XIAN", "XI'AN", "XIAN_1980", "NEW_BEIJING")


def crs_from_prj(wkt: str) -> str:
    """An EPSG name for the .prj's WKT: "epsg:4527" (GK zone 39 with prefix), "wgs84", "cgcs2000"…"""
    text = wkt.strip()
    upper = text.upper()
    tail = _AUTHORITY_TAIL.search(text)
    if tail:
        return f"epsg:{tail.group(1)}"
    if any(name in upper for name in _OLD_DATUMS):
        raise ShapefileError(
            ".prj 是北京54或西安80坐标系,与 CGCS2000 之间没有公开的转换参数,请先由测绘单位转换为 CGCS2000",
            "The .prj is Beijing 1954 or Xian 1980, which has no public transformation to CGCS2000; "
            "have it converted to CGCS2000 first",
        )
    cgcs = any(name in upper for name in _CGCS)
    if not upper.startswith("PROJCS"):
        if upper.startswith("GEOGCS") and (cgcs or any(name in upper for name in _WGS)):
            return "cgcs2000" if cgcs else "wgs84"
        raise ShapefileError(f"无法识别 .prj 中的坐标系:{text[:80]}", f"Unknown CRS in the .prj: {text[:80]}")
    params = {name.lower(): float(value) for name, value in _PARAMETER.findall(text)}
    transverse = "TRANSVERSE_MERCATOR" in upper or "GAUSS" in upper
    central = params.get("central_meridian")
    easting = params.get("false_easting", 0.0)
    if not (cgcs and transverse and central is not None):
        raise ShapefileError(
            f"只支持 CGCS2000 高斯-克吕格 3 度带投影,.prj 为:{text[:80]}",
            f"Only CGCS2000 3-degree Gauss-Krüger zones are supported; the .prj is: {text[:80]}",
        )
    zone = round(central / 3)
    if abs(zone * 3 - central) > 1e-6 or not GK_FIRST_ZONE <= zone <= GK_LAST_ZONE:
        raise ShapefileError(
            f"中央经线 {central}° 不是中国的 3 度带(75°E–135°E,3 的倍数)",
            f"Central meridian {central} is not one of China's 3-degree zones",
        )
    if abs(easting - (zone * 1_000_000 + 500_000)) < 1:
        return f"epsg:{gk_epsg(zone, prefixed=True)}"
    if abs(easting - 500_000) < 1:
        return f"epsg:{gk_epsg(zone, prefixed=False)}"
    raise ShapefileError(
        f"东偏移 {easting} 既不是 500000 也不是带号加 500000", f"False easting {easting} is not a GK zone's"
    )


# --- all of it, from a zip ----------------------------------------------------------------------------


def read_shapefile(
    shp: bytes, dbf: bytes | None, prj: str | None = None, cpg: str | None = None
) -> Shapefile:
    geometries = read_shp(shp)
    encoding = dbf_encoding(dbf, cpg) if dbf is not None else "gbk"
    records = read_dbf(dbf, encoding) if dbf is not None else [{} for _ in geometries]
    if len(records) != len(geometries):
        raise ShapefileError(
            f".shp 有 {len(geometries)} 条记录而 .dbf 有 {len(records)} 条,两者须一一对应",
            f"The .shp has {len(geometries)} records and the .dbf {len(records)}; they must match",
        )
    features = [(g, r) for g, r in zip(geometries, records, strict=True) if not r.get("__deleted__")]
    return Shapefile(features, crs_from_prj(prj) if prj and prj.strip() else None, encoding)


def read_shapefile_zip(content: bytes) -> Shapefile:
    """One shapefile (the first .shp, with its same-named .dbf, .prj and .cpg) from an uploaded zip."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise ShapefileError("不是有效的 zip 文件", "Not a valid zip file") from None
    with archive:
        if sum(info.file_size for info in archive.infolist()) > _MAX_ZIP_BYTES:
            raise ShapefileError("压缩包解压后过大", "The zip is too large once unpacked")
        members = {PurePosixPath(info.filename): info for info in archive.infolist() if not info.is_dir()}
        shps = sorted(p for p in members if p.suffix.lower() == ".shp" and not p.name.startswith("._"))
        if not shps:
            raise ShapefileError("压缩包中没有 .shp 文件", "The zip holds no .shp file")
        stem = shps[0].with_suffix("")

        def member(suffix: str) -> bytes | None:
            for path in members:
                if path.with_suffix("") == stem and path.suffix.lower() == suffix:
                    return archive.read(members[path])
            return None

        shp = member(".shp")
        assert shp is not None
        prj, cpg = member(".prj"), member(".cpg")
        return read_shapefile(
            shp,
            member(".dbf"),
            prj.decode("utf-8", "replace") if prj else None,
            cpg.decode("ascii", "replace") if cpg else None,
        )

"""Coordinate systems met in Chinese site data, conversions between them, and metric measures.

Systems (parse_crs names, case-insensitive):

* ``wgs84`` (EPSG:4326) and ``cgcs2000`` (EPSG:4490): GPS and 天地图 (Tianditu). CGCS2000 and WGS84 (G1150 and
  later) differ by centimetres, far below the metre this platform cares about, so they are **treated as the
  same system**: converting between them is the identity (PROJ itself only has a "ballpark", i.e. identity,
  operation between the two).
* ``gcj02``: the obfuscated system every map published in China must use (Amap/高德, Tencent). There is no
  formula from GCJ-02 back to WGS84; we invert the published forward algorithm by fixed-point iteration
  (gcj02_to_wgs84) until the residual is at most 1 mm.
* ``bd09``: Baidu's further offset of GCJ-02, converted to and from GCJ-02 directly. The published inverse
  formula is approximate (centimetres off); we refine it by the same fixed-point iteration so that round trips
  close to 1 mm.
* ``epsg:NNNN``: any 2D geographic or projected CRS on the CGCS2000 or WGS84 datum, converted with pyproj
  (always_xy=True, one cached Transformer per CRS pair). The survey systems are the CGCS2000 3-degree
  Gauss-Krüger zones: EPSG:4513–4533 are zones 25–45 with the zone number prefixed to the false easting
  (4527 = zone 39, CM 117E, x = 39 500 000 m at the meridian); EPSG:4534–4554 are the same meridians 75E–135E
  without the prefix (4548 = CM 117E, x = 500 000 m at the meridian). CRSs on older datums (Beijing 1954,
  Xi'an 1980) are refused: no public transformation exists and PROJ would silently use none (≈100 m off).

Outside China the offsets do not apply: the published GCJ-02 algorithm leaves a point unchanged when it lies
outside the rectangle lng 72.004–137.8347, lat 0.8293–55.8271 (a rough box, not the border: it also covers
Korea, Japan, Vietnam...). We apply the same rule to GCJ-02 and BD-09 in both directions, testing the point as
given. Within about a kilometre of that rectangle's edge a round trip may therefore not close; the edge runs
through sea, desert or foreign land, never through a Chinese industrial park.

Measures (area, length, distance) are computed in the CGCS2000 3-degree Gauss-Krüger zone whose central
meridian is nearest the geometry's centroid, because survey drawings (勘测定界图) give coordinates and plane
areas in that plane. Transverse Mercator is conformal, not equal-area: within the zone's ±1.5° the scale
error is at most (Δλ·cosφ)²/2 ≈ 3.4·10⁻⁴, so areas are within 0.07 % of the ellipsoidal area (0.044 % at
Linzi's latitude; a square kilometre at Linzi is 0.033 % larger in the plane).
Outside longitudes 73.5–136.5 the same projection is built for the nearest 3-degree meridian from a PROJ
string. haversine_km is the great-circle distance on the mean Earth sphere (R = 6371.0088 km), good to 0.5 %.

The GCJ-02 and BD-09 formulas and their inverses are in ``chinese_offsets``, re-exported here.

No Django import: the CLI, the importers and the matching engine all call this module.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

# The one legal definition of the 市亩 (15 亩 = 1 公顷) lives with the area parser.
from zhaoshang.core.parsers import _M2_PER_MU
from zhaoshang.geo.chinese_offsets import (
    CHINA_RECTANGLE,
    DEFAULT_TOLERANCE_M,
    _floats,
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    in_china,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from zhaoshang.geo.geojson import GeometryError, check_polygon

__all__ = [
    "AreaMeasure",
    "BD09",
    "CGCS2000",
    "CHINA_RECTANGLE",
    "CoordError",
    "CoordSystem",
    "DEFAULT_TOLERANCE_M",
    "EARTH_RADIUS_KM",
    "GCJ02",
    "GK_FIRST_ZONE",
    "GK_LAST_ZONE",
    "M2_PER_MU",
    "WGS84",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "convert",
    "convert_many",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "geometry_area",
    "geometry_distance_m",
    "geometry_length_m",
    "gk_epsg",
    "gk_zone",
    "gk_zone_of_epsg",
    "haversine_km",
    "haversine_km_many",
    "in_china",
    "parse_crs",
    "project_to_gk",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

M2_PER_MU: Final = float(_M2_PER_MU)
EARTH_RADIUS_KM: Final = 6371.0088  # IUGG mean radius R1

GK_FIRST_ZONE: Final = 25  # CM 75E
GK_LAST_ZONE: Final = 45  # CM 135E
_GK_PREFIXED_BASE: Final = 4513  # EPSG of zone 25 with zone prefix; +1 per zone up to 4533
_GK_CM_BASE: Final = 4534  # EPSG of CM 75E without prefix; +1 per zone up to 4554


class CoordError(ValueError):
    """A CRS name, coordinate or geometry that cannot be used; ``zh`` and ``en`` are messages for people."""

    def __init__(self, zh: str, en: str) -> None:
        # Both messages in args so that the error survives pickling (task queues, multiprocessing).
        super().__init__(zh, en)
        self.zh = zh
        self.en = en

    def __str__(self) -> str:
        return self.zh


@dataclass(frozen=True)
class CoordSystem:
    """A parsed CRS name. ``epsg`` is None for GCJ-02 and BD-09, which have no EPSG code."""

    key: str  # canonical name: wgs84, cgcs2000, gcj02, bd09 or epsg:NNNN
    epsg: int | None
    geographic: bool  # (lng, lat) in degrees; otherwise (x=easting, y=northing) in metres
    name: str

    @property
    def lnglat(self) -> bool:
        """WGS84 or CGCS2000 degrees: the hub every conversion passes through."""
        return self.epsg in (4326, 4490)


WGS84: Final = CoordSystem("wgs84", 4326, True, "WGS 84")
CGCS2000: Final = CoordSystem("cgcs2000", 4490, True, "CGCS2000")
GCJ02: Final = CoordSystem("gcj02", None, True, "GCJ-02 (高德/腾讯)")
BD09: Final = CoordSystem("bd09", None, True, "BD-09 (百度)")

_NAMED: Final[dict[str, CoordSystem]] = {
    "wgs84": WGS84,
    "wgs-84": WGS84,
    "crs84": WGS84,
    "urn:ogc:def:crs:ogc:1.3:crs84": WGS84,
    "epsg:4326": WGS84,
    "cgcs2000": CGCS2000,
    "cgcs-2000": CGCS2000,
    "epsg:4490": CGCS2000,
    "gcj02": GCJ02,
    "gcj-02": GCJ02,
    "bd09": BD09,
    "bd-09": BD09,
    "bd09ll": BD09,
}
_EPSG_NAME = re.compile(r"(?:epsg:|urn:ogc:def:crs:epsg:[0-9.]*:)(\d{4,6})")
_DATUMS_OK: Final = ("World Geodetic System 1984", "China 2000")


def parse_crs(name: str | CoordSystem) -> CoordSystem:
    """wgs84, cgcs2000, gcj02, bd09 or epsg:NNNN (also GeoJSON's urn:ogc:def:crs:EPSG::NNNN), any case."""
    if isinstance(name, CoordSystem):
        return name
    text = name.strip().lower() if isinstance(name, str) else ""
    if text in _NAMED:
        return _NAMED[text]
    match = _EPSG_NAME.fullmatch(text)
    if match is None:
        raise CoordError(
            f"无法识别的坐标系“{name}”，可用：wgs84、cgcs2000、gcj02、bd09 或 epsg:编号（如 epsg:4527）",
            f"Unknown coordinate system '{name}'; use wgs84, cgcs2000, gcj02, bd09 or epsg:NNNN "
            "(e.g. epsg:4527)",
        )
    return _epsg_system(int(match[1]))


@lru_cache(maxsize=256)
def _epsg_system(code: int) -> CoordSystem:
    if code == 4326:
        return WGS84
    if code == 4490:
        return CGCS2000
    try:
        crs = CRS.from_epsg(code)
    except CRSError:
        raise CoordError(f"EPSG:{code} 不是已知的坐标系", f"EPSG:{code} is not a known CRS") from None
    if not (crs.is_geographic or crs.is_projected) or len(crs.axis_info) != 2:
        raise CoordError(
            f"EPSG:{code}（{crs.name}）不是二维的经纬度或投影坐标系",
            f"EPSG:{code} ({crs.name}) is not a 2D geographic or projected CRS",
        )
    datum = crs.datum.name if crs.datum is not None else ""
    if not datum.startswith(_DATUMS_OK):
        raise CoordError(
            f"EPSG:{code}（{crs.name}）基于 {datum}，与 CGCS2000 之间没有公开的转换参数，"
            "请先由测绘单位转换为 CGCS2000",
            f"EPSG:{code} ({crs.name}) is on the {datum} datum, which has no public transformation to "
            "CGCS2000; have it converted to CGCS2000 first",
        )
    return CoordSystem(f"epsg:{code}", code, crs.is_geographic, crs.name)


@lru_cache(maxsize=64)
def _transformer(source: int, target: int) -> Transformer:
    # One Transformer per pair: building one costs ~1 ms of PROJ database lookups, using it microseconds.
    # pyproj ≥ 3.1 Transformers are thread-safe, so sharing the cached object between threads is fine.
    return Transformer.from_crs(CRS.from_epsg(source), CRS.from_epsg(target), always_xy=True)


# --- Gauss-Krüger zones -------------------------------------------------------------------------------


def gk_zone(lng: float) -> int:
    """The 3-degree zone whose central meridian (3 × zone degrees east) is nearest lng: 118.3E → 39."""
    return math.floor(lng / 3.0 + 0.5)


def gk_epsg(zone: int, *, prefixed: bool = True) -> int:
    """EPSG code of a CGCS2000 3-degree GK zone: prefixed 39 → 4527, CM variant 39 (117E) → 4548."""
    if not GK_FIRST_ZONE <= zone <= GK_LAST_ZONE:
        raise CoordError(
            f"3 度带带号 {zone} 不在中国范围（25–45 带，中央经线 75°E–135°E）",
            f"3-degree zone {zone} is outside China's zones 25–45 (CM 75E–135E)",
        )
    return (_GK_PREFIXED_BASE if prefixed else _GK_CM_BASE) + zone - GK_FIRST_ZONE


def gk_zone_of_epsg(epsg: int) -> tuple[int, bool] | None:
    """(zone, prefixed) for EPSG:4513–4554, None for any other code."""
    if _GK_PREFIXED_BASE <= epsg < _GK_CM_BASE:
        return epsg - _GK_PREFIXED_BASE + GK_FIRST_ZONE, True
    if _GK_CM_BASE <= epsg <= _GK_CM_BASE + GK_LAST_ZONE - GK_FIRST_ZONE:
        return epsg - _GK_CM_BASE + GK_FIRST_ZONE, False
    return None


# --- conversions between any two systems --------------------------------------------------------------


def _check_input(x: FloatArray, y: FloatArray, system: CoordSystem) -> None:
    bad = ~(np.isfinite(x) & np.isfinite(y))
    if system.geographic:
        bad |= (np.abs(x) > 180) | (np.abs(y) > 90)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise CoordError(
            f"第 {i + 1} 个点 ({x.flat[i]}, {y.flat[i]}) 不是有效的 {system.name} 坐标",
            f"Point {i + 1} ({x.flat[i]}, {y.flat[i]}) is not a valid {system.name} coordinate",
        )


def _to_lnglat(x: FloatArray, y: FloatArray, system: CoordSystem) -> tuple[FloatArray, FloatArray]:
    if system.lnglat:
        return x, y
    if system is GCJ02:
        return gcj02_to_wgs84(x, y)
    if system is BD09:
        return bd09_to_wgs84(x, y)
    assert system.epsg is not None
    lng, lat = _transformer(system.epsg, 4326).transform(x, y)
    return _floats(lng), _floats(lat)


def _from_lnglat(lng: FloatArray, lat: FloatArray, system: CoordSystem) -> tuple[FloatArray, FloatArray]:
    if system.lnglat:
        return lng, lat
    if system is GCJ02:
        return wgs84_to_gcj02(lng, lat)
    if system is BD09:
        return wgs84_to_bd09(lng, lat)
    assert system.epsg is not None
    x, y = _transformer(4326, system.epsg).transform(lng, lat)
    return _floats(x), _floats(y)


def convert_many(
    x: ArrayLike, y: ArrayLike, source: str | CoordSystem, target: str | CoordSystem
) -> tuple[FloatArray, FloatArray]:
    """Convert arrays of points (lng/lat in degrees or easting/northing in metres) from source to target."""
    src, dst = parse_crs(source), parse_crs(target)
    xs, ys = np.broadcast_arrays(_floats(x), _floats(y))
    xs, ys = np.array(xs), np.array(ys)
    _check_input(xs, ys, src)
    if src.key == dst.key or (src.lnglat and dst.lnglat):
        return xs, ys
    if {src.key, dst.key} == {"gcj02", "bd09"}:
        # Baidu's offset is defined on GCJ-02: convert directly rather than via WGS84's iteration.
        out_x, out_y = gcj02_to_bd09(xs, ys) if src is GCJ02 else bd09_to_gcj02(xs, ys)
    elif src.epsg is not None and dst.epsg is not None and not (src.lnglat or dst.lnglat):
        # Both are pyproj systems (e.g. zone 39 → CM 117E): one direct operation, no detour via degrees.
        out_x, out_y = _transformer(src.epsg, dst.epsg).transform(xs, ys)
        out_x, out_y = _floats(out_x), _floats(out_y)
    else:
        out_x, out_y = _from_lnglat(*_to_lnglat(xs, ys, src), dst)
    bad = ~(np.isfinite(out_x) & np.isfinite(out_y))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise CoordError(
            f"第 {i + 1} 个点 ({xs.flat[i]}, {ys.flat[i]}) 无法从 {src.name} 转换到 {dst.name}",
            f"Point {i + 1} ({xs.flat[i]}, {ys.flat[i]}) cannot be converted from {src.name} to {dst.name}",
        )
    return out_x, out_y


def convert(x: float, y: float, source: str | CoordSystem, target: str | CoordSystem) -> tuple[float, float]:
    """One point; see convert_many."""
    out_x, out_y = convert_many([x], [y], source, target)
    return float(out_x[0]), float(out_y[0])


# --- distances and areas ------------------------------------------------------------------------------


def haversine_km_many(lng1: ArrayLike, lat1: ArrayLike, lng2: ArrayLike, lat2: ArrayLike) -> FloatArray:
    """Great-circle distances in km between WGS84 points, element-wise with broadcasting."""
    phi1, phi2 = np.radians(_floats(lat1)), np.radians(_floats(lat2))
    d_phi = phi2 - phi1
    d_lambda = np.radians(_floats(lng2) - _floats(lng1))
    h = np.sin(d_phi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(d_lambda / 2) ** 2
    result: FloatArray = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return result


def haversine_km(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    return float(haversine_km_many(lng1, lat1, lng2, lat2))


@dataclass(frozen=True)
class AreaMeasure:
    """An area in m² and in 亩, with the Gauss-Krüger plane it was measured in."""

    m2: float
    mu: float
    projection: str  # "EPSG:4527" or a PROJ string outside China's zones


def _as_geometry(value: BaseGeometry | Mapping[str, Any], system: CoordSystem) -> BaseGeometry:
    if isinstance(value, BaseGeometry):
        geometry = value
    else:
        data: Any = value.get("geometry") if value.get("type") == "Feature" else value
        try:
            if (
                system.geographic
                and isinstance(data, Mapping)
                and data.get("type") in ("Polygon", "MultiPolygon")
            ):
                check_polygon(dict(data))  # the shared ring checks, with their bilingual messages
            geometry = shape(data)
        except GeometryError as error:
            raise CoordError(error.zh, error.en) from None
        except (AttributeError, KeyError, TypeError, ValueError, shapely.errors.ShapelyError):
            raise CoordError("不是有效的 GeoJSON 几何", "Not a valid GeoJSON geometry") from None
    if geometry.is_empty:
        raise CoordError("几何为空", "The geometry is empty")
    return geometry


def _gk_plane(lng: float) -> tuple[int | None, str]:
    zone = gk_zone(lng)
    if GK_FIRST_ZONE <= zone <= GK_LAST_ZONE:
        epsg = gk_epsg(zone)
        return epsg, f"EPSG:{epsg}"
    return None, f"+proj=tmerc +lat_0=0 +lon_0={3 * zone} +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m"


@lru_cache(maxsize=16)
def _plane_transformer(proj: str) -> Transformer:
    return Transformer.from_crs(CRS.from_epsg(4326), CRS.from_user_input(proj), always_xy=True)


def project_to_gk(
    geometry: BaseGeometry | Mapping[str, Any], crs: str | CoordSystem = WGS84, *, lng: float | None = None
) -> tuple[BaseGeometry, str]:
    """The geometry in the 3-degree GK plane of its centroid (or of ``lng``), and that plane's name."""
    system = parse_crs(crs)
    shapely_geometry = _as_geometry(geometry, system)
    lnglat = shapely.transform(
        shapely_geometry, lambda xy: np.column_stack(convert_many(xy[:, 0], xy[:, 1], system, WGS84))
    )
    centre = lng if lng is not None else float(lnglat.centroid.x)
    epsg, name = _gk_plane(centre)
    transformer = _transformer(4326, epsg) if epsg is not None else _plane_transformer(name)

    def to_plane(xy: FloatArray) -> FloatArray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack((x, y))

    return shapely.transform(lnglat, to_plane), name


def geometry_area(geometry: BaseGeometry | Mapping[str, Any], crs: str | CoordSystem = WGS84) -> AreaMeasure:
    """Area of a (multi)polygon in its centroid's GK plane, in m² and 亩 (1 亩 = 10000/15 m²)."""
    plane, name = project_to_gk(geometry, crs)
    m2 = float(plane.area)
    return AreaMeasure(m2=m2, mu=m2 / M2_PER_MU, projection=name)


def geometry_length_m(geometry: BaseGeometry | Mapping[str, Any], crs: str | CoordSystem = WGS84) -> float:
    """Length of lines (perimeter of polygons) in metres in the centroid's GK plane."""
    plane, _ = project_to_gk(geometry, crs)
    return float(plane.length)


def geometry_distance_m(
    a: BaseGeometry | Mapping[str, Any], b: BaseGeometry | Mapping[str, Any], crs: str | CoordSystem = WGS84
) -> float:
    """Shortest distance in metres between two geometries, both projected to the plane of their midpoint."""
    system = parse_crs(crs)
    first, second = _as_geometry(a, system), _as_geometry(b, system)
    both = shapely.GeometryCollection([first, second])
    centre, _ = convert(both.centroid.x, both.centroid.y, system, WGS84)
    plane_a, _ = project_to_gk(first, system, lng=centre)
    plane_b, _ = project_to_gk(second, system, lng=centre)
    return float(plane_a.distance(plane_b))

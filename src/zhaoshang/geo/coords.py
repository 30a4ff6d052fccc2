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

The GCJ-02 and BD-09 formulas and their inverses are in ``chinese_offsets``; the system names, the
Gauss-Krüger zones and the 亩 in ``crs`` (light: what is needed at import time elsewhere). Both are
re-exported here.

No Django import: the CLI, the importers and the matching engine all call this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Transformer
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

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
from zhaoshang.geo.crs import (
    BD09,
    CGCS2000,
    GCJ02,
    GK_FIRST_ZONE,
    GK_LAST_ZONE,
    M2_PER_MU,
    WGS84,
    CoordSystem,
    gk_epsg,
    gk_zone,
    gk_zone_of_epsg,
    parse_crs,
)
from zhaoshang.geo.earth import EARTH_RADIUS_KM, CoordError
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


@lru_cache(maxsize=64)
def _transformer(source: int, target: int) -> Transformer:
    # One Transformer per pair: building one costs ~1 ms of PROJ database lookups, using it microseconds.
    # pyproj ≥ 3.1 Transformers are thread-safe, so sharing the cached object between threads is fine.
    return Transformer.from_crs(CRS.from_epsg(source), CRS.from_epsg(target), always_xy=True)


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

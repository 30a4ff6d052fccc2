"""Site geometry as GeoJSON in WGS84: checks, the representative point, and conversion from a source CRS.

Pure: no Django. Errors carry Chinese and English messages (``zh``, ``en``) like the other cores.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from zhaoshang.geo.crs import WGS84, CoordError, CoordSystem, parse_crs
from zhaoshang.geo.geojson import GeometryError, check_polygon
from zhaoshang.standards.errors import BilingualError

GEOMETRY_TYPES = ("Point", "Polygon", "MultiPolygon")


class SiteGeometryError(BilingualError):
    """A site's geometry that cannot be used; without an English message the Chinese one serves for both."""

    def __init__(self, zh: str, en: str = "") -> None:
        super().__init__(zh, en or zh)


def _lnglat_ok(lng: Any, lat: Any) -> bool:
    return (
        isinstance(lng, int | float)
        and isinstance(lat, int | float)
        and not isinstance(lng, bool)
        and not isinstance(lat, bool)
        and math.isfinite(lng)
        and math.isfinite(lat)
        and -180 <= lng <= 180
        and -90 <= lat <= 90
    )


def geometry_vertices(geometry: Any) -> int:
    """The positions of a GeoJSON geometry (a ring's closing position counts), without reading them."""
    if not isinstance(geometry, Mapping):
        return 0
    coordinates = geometry.get("coordinates")
    if geometry.get("type") == "Point":
        return 1
    polygons = coordinates if geometry.get("type") == "MultiPolygon" else [coordinates]
    if not isinstance(polygons, list):
        return 0
    return sum(
        len(ring)
        for polygon in polygons
        if isinstance(polygon, list)
        for ring in polygon
        if isinstance(ring, list)
    )


def geometry_vertex_limit(geometry: Any, limit: int | None) -> None:
    """SiteGeometryError when a geometry has more than ``limit`` vertices (None: no limit)."""
    if isinstance(geometry, Mapping) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    if limit is None:
        return
    count = geometry_vertices(geometry)
    if count > limit:
        raise SiteGeometryError(
            f"范围有 {count:,} 个顶点,超过上限 {limit:,} 个;请先在 GIS 软件中简化(抽稀)后再导入。",
            f"The boundary has {count:,} vertices, more than the limit of {limit:,}; simplify it in a GIS first.",
        )


def geometry_check(value: Any, *, max_vertices: int | None = None) -> dict[str, Any]:
    """A GeoJSON Point, Polygon or MultiPolygon in WGS84 degrees (bare or inside a Feature), of at most
    ``max_vertices`` vertices (counted before anything else reads them)."""
    if isinstance(value, Mapping) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, Mapping) or value.get("type") not in GEOMETRY_TYPES:
        raise SiteGeometryError(
            "位置须为 GeoJSON 的 Point、Polygon 或 MultiPolygon。",
            "The location must be a GeoJSON Point, Polygon or MultiPolygon.",
        )
    geometry_vertex_limit(value, max_vertices)
    if value["type"] == "Point":
        coordinates = value.get("coordinates")
        if not isinstance(coordinates, list | tuple) or len(coordinates) < 2:
            raise SiteGeometryError("点须写成 [经度, 纬度]。", "A point must be [lng, lat].")
        lng, lat = coordinates[0], coordinates[1]
        if not _lnglat_ok(lng, lat):
            raise SiteGeometryError(
                f"坐标 ({lng}, {lat}) 不是 WGS84 经纬度。",
                f"({lng}, {lat}) is not a WGS84 longitude/latitude.",
            )
        return {"type": "Point", "coordinates": [float(lng), float(lat)]}
    try:
        checked = check_polygon(dict(value))
    except GeometryError as error:
        raise SiteGeometryError(error.zh, error.en) from None
    # deferred: shapely loads only when a polygon is checked (a point needs none of it)
    import shapely
    from shapely.geometry import shape

    try:
        polygon = shape(checked)
    except (TypeError, ValueError, shapely.errors.ShapelyError):
        raise SiteGeometryError("不是有效的面。", "Not a valid polygon.") from None
    if polygon.is_empty or polygon.area == 0:
        raise SiteGeometryError("面的面积为 0。", "The polygon has no area.")
    return {"type": checked["type"], "coordinates": checked["coordinates"]}


def geometry_point(geometry: Mapping[str, Any]) -> tuple[float, float]:
    """(lng, lat): the point itself, or a polygon's representative point (always inside it)."""
    if geometry["type"] == "Point":
        lng, lat = geometry["coordinates"][:2]
        return float(lng), float(lat)
    from shapely.geometry import shape  # deferred: shapely loads only for a polygon's point

    point = shape(geometry).representative_point()
    return round(float(point.x), 7), round(float(point.y), 7)


def geometry_bounds(geometry: Mapping[str, Any]) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of a polygon's outer rings; None for a point (nothing to draw but itself)."""
    if geometry["type"] == "Point":
        return None
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    xs = [float(p[0]) for polygon in polygons for p in polygon[0]]
    ys = [float(p[1]) for polygon in polygons for p in polygon[0]]
    return min(xs), min(ys), max(xs), max(ys)


def _transform(geometry: Mapping[str, Any], func: Callable[[Any, Any], tuple[Any, Any]]) -> dict[str, Any]:
    # deferred: numpy and shapely load only when a geometry changes coordinate system
    import numpy as np
    import shapely
    from shapely.geometry import mapping, shape

    def apply(xy: Any) -> Any:
        x, y = func(xy[:, 0], xy[:, 1])
        return np.column_stack((x, y))

    result: dict[str, Any] = _lists(dict(mapping(shapely.transform(shape(geometry), apply))))
    return result


def _lists(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_lists(v) for v in value]
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, float):
        return round(value, 7)
    return value


def geometry_to_wgs84(geometry: Mapping[str, Any], crs: str | CoordSystem) -> dict[str, Any]:
    """A Point/Polygon/MultiPolygon from ``crs`` (degrees or metres) to WGS84 degrees; CoordError if it fails."""
    system = parse_crs(crs)
    if geometry.get("type") not in GEOMETRY_TYPES:
        raise CoordError("几何须为点或面", "The geometry must be a point or a polygon")
    # deferred: shapely loads only when a geometry is read
    import shapely
    from shapely.geometry import shape

    try:
        shape(geometry)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError, shapely.errors.ShapelyError):
        raise CoordError("不是有效的 GeoJSON 几何", "Not a valid GeoJSON geometry") from None
    if system.lnglat:
        same: dict[str, Any] = _lists(dict(geometry))
        return same
    from zhaoshang.geo.coords import convert_many  # deferred: numpy and pyproj load only to convert

    return _transform(geometry, lambda x, y: convert_many(x, y, system, WGS84))


def geometry_from_wgs84(geometry: Mapping[str, Any], crs: str | CoordSystem) -> dict[str, Any]:
    """The inverse, for display edges (e.g. GCJ-02 tiles)."""
    system = parse_crs(crs)
    if system.lnglat:
        return dict(geometry)
    from zhaoshang.geo.coords import convert_many  # deferred: numpy and pyproj load only to convert

    return _transform(geometry, lambda x, y: convert_many(x, y, WGS84, system))


def geometry_simplified(geometry: Mapping[str, Any], max_vertices: int) -> dict[str, Any] | None:
    """A copy of a polygon with at most about ``max_vertices`` vertices for pages and maps, or None when the
    geometry is already that small (or a point).

    Douglas-Peucker with topology kept (shapely ``simplify(preserve_topology=True)``: no ring crosses itself or
    vanishes), in degrees: the tolerance starts at 1/10,000 of the polygon's extent (about 0.1 m for a 1 km
    parcel) and doubles until the copy is small enough. Rings keep at least 4 positions each, so a MultiPolygon
    of very many parts may stay above the target; the map's response is bounded separately."""
    if geometry.get("type") == "Point" or geometry_vertices(geometry) <= max_vertices:
        return None
    # deferred: shapely loads only when a large polygon is simplified
    import shapely
    from shapely.geometry import mapping, shape

    polygon = shape(geometry)
    west, south, east, north = polygon.bounds
    extent = max(east - west, north - south) or 1e-6
    tolerance = extent / 10_000
    simple = polygon.simplify(tolerance, preserve_topology=True)
    while shapely.get_num_coordinates(simple) > max_vertices and tolerance < extent:
        tolerance *= 2
        simple = polygon.simplify(tolerance, preserve_topology=True)
    result: dict[str, Any] = _lists(dict(mapping(simple)))
    return result

"""Checks on GeoJSON geometry stored in JSON fields (no GIS database needed)."""

from __future__ import annotations

from typing import Any

from zhaoshang.standards.errors import BilingualError


class GeometryError(BilingualError):
    """A GeoJSON geometry that is not a usable polygon; ``zh`` and ``en`` are messages for people."""


def _check_ring(ring: Any) -> None:
    if not isinstance(ring, list) or len(ring) < 4:
        raise GeometryError(
            "面的每个环至少需要 4 个坐标点。", "Each polygon ring needs at least 4 positions."
        )
    for position in ring:
        if (
            not isinstance(position, list | tuple)
            or len(position) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position[:2])
        ):
            raise GeometryError(
                f"坐标点 {position!r} 不是 [经度, 纬度]。", f"Position {position!r} is not [lng, lat]."
            )
        lng, lat = position[0], position[1]
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            raise GeometryError(
                f"坐标 ({lng}, {lat}) 超出经纬度范围,请确认坐标系为 WGS84 经纬度。",
                f"Position ({lng}, {lat}) is outside longitude/latitude range; is it WGS84 degrees?",
            )
    if list(ring[0][:2]) != list(ring[-1][:2]):
        raise GeometryError(
            "面的环未闭合:首尾坐标必须相同。", "Polygon ring is not closed: first and last positions differ."
        )


def check_polygon(value: Any) -> dict[str, Any]:
    """Accept a Polygon or MultiPolygon (bare or inside a Feature); return the geometry."""
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon"):
        raise GeometryError(
            "边界必须是 GeoJSON 的 Polygon 或 MultiPolygon。",
            "A boundary must be a GeoJSON Polygon or MultiPolygon.",
        )
    coordinates = value.get("coordinates")
    polygons = [coordinates] if value["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise GeometryError("边界没有坐标。", "The boundary has no coordinates.")
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise GeometryError("边界没有坐标。", "The boundary has no coordinates.")
        for ring in polygon:
            _check_ring(ring)
    return value

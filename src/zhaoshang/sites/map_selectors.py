"""Reads for the factor map (/sites/map/): the overview's points, the polygons in view, totals, park boundaries.

The overview draws every site as a clustered point from ``map_features`` (one query, whatever their number).
Zoomed in, the page asks ``map_shapes`` for the polygons inside the visible box only, so the geometries of
100,000 sites never travel at once. Both read a queryset that the caller has already restricted to the user
(``Site.objects.restrict(user, "view")``) and filtered with ``SiteFilterSet``; both send the same properties,
which are what the site card shows, so a polygon and a point look and behave alike.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from django.conf import settings
from django.db.models import Count, JSONField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from zhaoshang.core.models import District, Park
from zhaoshang.sites.geometry import geometry_from_wgs84, geometry_vertices
from zhaoshang.sites.models import Kind, Site
from zhaoshang.sites.selectors import stale_days

# The page switches from clustered points to polygons at this zoom, or from SHAPES_MIN_ZOOM on when at most
# SHAPES_MAX_IN_VIEW sites are in view; the polygon endpoint answers at most SHAPES_LIMIT polygons per box (and
# at most settings.MAP_SHAPES_MAX_VERTICES vertices in all).
SHAPES_ZOOM = 15
SHAPES_MIN_ZOOM = 13
SHAPES_MAX_IN_VIEW = 2000
SHAPES_LIMIT = 5000

MAP_COLUMNS = (
    "pk",
    "code",
    "name",
    "kind",
    "availability",
    "lng",
    "lat",
    "area_mu",
    "land_area_m2",
    "floor_area_m2",
    "available_area_m2",
    "area_m2",
    "land_use",
    "park__name",
    "park__is_chemical_park",
    "town__name",
    "land_price",
    "rent",
    "power_kva",
    "verified_on",
    "district_id",
    "bbox_west",
)


def _round(value: Any, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


class _Cards:
    """The card properties of map rows: staleness per district (one query) and the detail link."""

    def __init__(self, rows: list[dict[str, Any]], today: datetime.date | None) -> None:
        today = today or timezone.localdate()
        districts = District.objects.filter(pk__in={r["district_id"] for r in rows})
        self.cutoff = {d.pk: today - datetime.timedelta(days=stale_days(d)) for d in districts}
        self.detail = reverse("site_detail", args=[0]).replace("/0/", "/{}/")

    def properties(self, row: dict[str, Any]) -> dict[str, Any]:
        verified = row["verified_on"]
        return {
            "id": row["pk"],
            "code": row["code"],
            "name": row["name"],
            "kind": row["kind"],
            "status": row["availability"],
            "area_mu": _round(row["area_mu"], 4),
            "land_area_m2": _round(row["land_area_m2"]),
            "floor_area_m2": _round(row["floor_area_m2"]),
            "available_area_m2": _round(row["available_area_m2"]),
            "land_use": row["land_use"],
            "park": row["park__name"] or "",
            "chemical": bool(row["park__is_chemical_park"]),
            "town": row["town__name"] or "",
            "price": _round(row["land_price"] if row["kind"] == Kind.PARCEL else row["rent"]),
            "power_kva": row["power_kva"],
            "verified_on": verified.isoformat() if verified else None,
            "stale": verified is None or verified < self.cutoff[row["district_id"]],
            "shape": row["bbox_west"] is not None,
            "url": self.detail.format(row["pk"]),
        }


def map_features(
    queryset: QuerySet[Site], *, crs: str = "wgs84", today: datetime.date | None = None
) -> dict[str, Any]:
    """The sites as GeoJSON points with what the map's card shows; one query whatever their number.

    ``crs`` "gcj02" shifts the points for GCJ-02 tiles (the display edge); stored data stay WGS84.
    ``shape`` says the site also has a polygon (``map_shapes`` draws it when zoomed in)."""
    rows = list(queryset.filter(lng__isnull=False).values(*MAP_COLUMNS).order_by("pk"))
    cards = _Cards(rows, today)
    lngs = [r["lng"] for r in rows]
    lats = [r["lat"] for r in rows]
    if crs == "gcj02" and rows:
        from zhaoshang.geo.coords import wgs84_to_gcj02  # deferred: numpy loads only to shift points

        shifted = wgs84_to_gcj02(lngs, lats)
        lngs, lats = shifted[0].tolist(), shifted[1].tolist()
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lng, 6), round(lat, 6)]},
            "properties": cards.properties(row),
        }
        for row, lng, lat in zip(rows, lngs, lats, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def bbox_parse(text: str, *, crs: str = "wgs84") -> tuple[float, float, float, float]:
    """``west,south,east,north`` in degrees of the display system (the tiles'), as a WGS84 box.

    Longitudes and latitudes beyond the world are clipped to it (a map panned past 180° asks for them);
    anything else malformed — not four numbers, an empty box — is a ValueError."""
    parts = text.split(",")
    if len(parts) != 4:
        raise ValueError(text)
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise ValueError(text) from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise ValueError(text)
    west, east = max(west, -180.0), min(east, 180.0)
    south, north = max(south, -90.0), min(north, 90.0)
    if not (west < east and south < north):
        raise ValueError(text)
    if crs == "gcj02":
        from zhaoshang.geo.coords import convert  # deferred: numpy loads only to shift the box

        # GCJ-02 shifts by a few hundred metres at most and smoothly: the corners carry the box over.
        corners = [convert(x, y, "gcj02", "wgs84") for x, y in ((west, south), (east, north))]
        (west, south), (east, north) = corners
    return west, south, east, north


def map_shapes(
    queryset: QuerySet[Site],
    *,
    bbox: tuple[float, float, float, float],
    crs: str = "wgs84",
    today: datetime.date | None = None,
    limit: int = SHAPES_LIMIT,
    max_vertices: int | None = None,
) -> dict[str, Any]:
    """The polygons of the sites whose extent meets ``bbox`` (WGS84), with the same card properties as the
    points; one query. A large polygon travels as its simplified copy (``Site.display_geometry``). More than
    ``limit`` polygons, or more than ``max_vertices`` vertices in all (``MAP_SHAPES_MAX_VERTICES``): no features,
    ``truncated`` and the ``reason`` (the page stays on points), so neither a box over a whole city nor a few
    huge polygons load at once. The answer states its limits (``limit``, ``max_vertices``) and ``vertices``."""
    max_vertices = settings.MAP_SHAPES_MAX_VERTICES if max_vertices is None else max_vertices
    bounds = {"limit": limit, "max_vertices": max_vertices}
    west, south, east, north = bbox
    inside = queryset.filter(
        bbox_west__lte=east, bbox_east__gte=west, bbox_south__lte=north, bbox_north__gte=south
    )
    shapes = inside.annotate(shape=Coalesce("display_geometry", "geometry", output_field=JSONField())).values(
        *MAP_COLUMNS, "shape"
    )
    rows: list[dict[str, Any]] = []
    vertices = 0
    # Read in chunks and stop at a bound: what is never sent is not read either.
    for row in shapes.order_by("pk")[: limit + 1].iterator(chunk_size=100):
        rows.append(row)
        vertices += geometry_vertices(row["shape"])
        if len(rows) > limit or vertices > max_vertices:
            reason = "features" if len(rows) > limit else "vertices"
            return {
                "type": "FeatureCollection",
                "features": [],
                "truncated": True,
                "reason": reason,
                **bounds,
            }
    cards = _Cards(rows, today)
    features = []
    for row in rows:
        geometry = row["shape"]
        if crs == "gcj02":
            geometry = geometry_from_wgs84(geometry, "gcj02")
        features.append({"type": "Feature", "geometry": geometry, "properties": cards.properties(row)})
    return {
        "type": "FeatureCollection",
        "features": features,
        "truncated": False,
        **bounds,
        "vertices": vertices,
    }


def site_totals(queryset: QuerySet[Site]) -> dict[str, list[dict[str, Any]]]:
    """Counts and areas per kind, status, town and park (four grouped queries)."""

    def grouped(*fields: str) -> list[dict[str, Any]]:
        rows = (
            queryset.order_by()
            .values(*fields)
            .annotate(
                n=Count("pk"),
                mu=Sum("area_mu", filter=Q(kind=Kind.PARCEL)),
                land_m2=Sum("area_m2", filter=Q(kind=Kind.COURTYARD)),
                floor_m2=Sum("floor_area_m2", filter=Q(kind=Kind.BUILDING)),
            )
            .order_by(*fields)
        )
        return [
            {
                **{f: r[f] for f in fields},
                "count": r["n"],
                "parcel_mu": _round(r["mu"]) or 0,
                "building_m2": _round(r["floor_m2"]) or 0,
                "courtyard_m2": _round(r["land_m2"]) or 0,
            }
            for r in rows
        ]

    kinds = dict(Kind.choices)
    statuses = dict(Site.Availability.choices)
    by_kind = [{**r, "label": str(kinds.get(r["kind"], r["kind"]))} for r in grouped("kind")]
    by_status = [
        {**r, "label": str(statuses.get(r["availability"], r["availability"]))}
        for r in grouped("availability")
    ]
    by_town = [{**r, "label": r["town__name"] or "—"} for r in grouped("town__name")]
    by_park = [{**r, "label": r["park__name"] or "—"} for r in grouped("park__name")]
    return {"kind": by_kind, "status": by_status, "town": by_town, "park": by_park}


def park_boundaries(user: Any, *, crs: str = "wgs84") -> dict[str, Any]:
    features = []
    for park in Park.objects.restrict(user, "view").exclude(boundary=None).order_by("pk"):
        geometry = park.boundary.get("geometry") if park.boundary.get("type") == "Feature" else park.boundary
        if crs == "gcj02":
            geometry = geometry_from_wgs84(geometry, "gcj02")
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {"name": park.name, "chemical": park.is_chemical_park},
            }
        )
    return {"type": "FeatureCollection", "features": features}

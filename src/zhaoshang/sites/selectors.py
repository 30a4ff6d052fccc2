"""Reads on sites: the engine's view of sites and demands, candidates, map data, totals, stale records."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from zhaoshang.analytics.assignment import BatchAssignment, assign_demands
from zhaoshang.analytics.matching import Demand as EngineDemand
from zhaoshang.analytics.matching import MatchOptions, MatchResult, SiteTable, match
from zhaoshang.analytics.matching import Site as EngineSite
from zhaoshang.core.models import District
from zhaoshang.geo.coords import M2_PER_MU, wgs84_to_gcj02
from zhaoshang.sites.models import Demand, Kind, Site, SiteReservation

DEFAULT_STALE_DAYS = 180

# The columns the engine needs, read with values(): no model instances for thousands of sites.
ENGINE_COLUMNS = (
    "pk",
    "kind",
    "lng",
    "lat",
    "area_mu",
    "floor_area_m2",
    "land_area_m2",
    "land_use",
    "park__name",
    "park__is_chemical_park",
    "power_kva",
    "water_tpd",
    "steam_tph",
    "gas",
    "emission_quota",
    "clear_height_m",
    "floor_load_kn",
    "crane_t",
    "land_price",
    "rent",
    "tenure",
    "available_from",
    "divisible",
    "name",
)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def site_row_to_engine(row: Mapping[str, Any]) -> EngineSite:
    """One ``values(*ENGINE_COLUMNS)`` row as the matching engine's Site (id = the primary key as text)."""
    kind = row["kind"]
    return EngineSite(
        id=str(row["pk"]),
        kind=kind,
        location=(float(row["lng"]), float(row["lat"])),
        area_mu=_float(row["area_mu"]),
        floor_area_m2=_float(row["floor_area_m2"]),
        land_area_m2=_float(row["land_area_m2"]),
        land_use=row["land_use"] or "",
        chemical_park=bool(row["park__is_chemical_park"]),
        power_kva=row["power_kva"],
        water_tpd=row["water_tpd"],
        steam_tph=row["steam_tph"],
        gas=bool(row["gas"]),
        emission_quota=row["emission_quota"],
        clear_height_m=row["clear_height_m"],
        floor_load_kn=row["floor_load_kn"],
        crane_t=row["crane_t"],
        price=_float(row["land_price"] if kind == Kind.PARCEL else row["rent"]),
        tenure=row["tenure"],
        park=row["park__name"] or "",
        available_from=row["available_from"],
        divisible=bool(row["divisible"]) and kind == Kind.BUILDING,
        name=row["name"],
    )


def site_to_engine(site: Site) -> EngineSite:
    row = {column: getattr(site, column) for column in ENGINE_COLUMNS if "__" not in column}
    row["park__name"] = site.park.name if site.park_id else ""
    row["park__is_chemical_park"] = site.chemical_park
    return site_row_to_engine(row)


def demand_to_engine(demand: Demand) -> EngineDemand:
    """The demand as the engine's Demand (id = the primary key as text, "new" before saving)."""
    location = (demand.lng, demand.lat) if demand.lng is not None and demand.lat is not None else None
    return EngineDemand(
        id=str(demand.pk or "new"),
        kind=demand.kind,
        min_area=float(demand.min_area),
        max_area=float(demand.max_area),
        land_use=tuple(demand.land_use or ()),
        chemical=demand.chemical,
        power_kva=demand.power_kva or 0.0,
        water_tpd=demand.water_tpd or 0.0,
        steam_tph=demand.steam_tph or 0.0,
        gas=demand.gas,
        emission_quota=demand.emission_quota or 0.0,
        clear_height_m=demand.clear_height_m or 0.0,
        floor_load_kn=demand.floor_load_kn or 0.0,
        crane_t=demand.crane_t or 0.0,
        max_price=_float(demand.max_price),
        lease_or_buy=demand.lease_or_buy,
        preferred_park=(demand.preferred_park.name,) if demand.preferred_park_id else (),
        location=location,
        max_distance_km=demand.max_distance_km,
        ready_by=demand.ready_by,
        weights=dict(demand.weights or {}),
    )


def site_table(queryset: QuerySet[Site]) -> SiteTable:
    """The engine's columnar table over the sites of ``queryset`` that have a location (one query)."""
    rows = queryset.filter(lng__isnull=False, lat__isnull=False).values(*ENGINE_COLUMNS).order_by("pk")
    return SiteTable(site_row_to_engine(row) for row in rows)


def matchable_sites(district_id: int, kind: str | None = None) -> QuerySet[Site]:
    """Sites a demand may be offered: available ones of its district (and kind)."""
    queryset = Site.objects.filter(district_id=district_id, availability=Site.Availability.AVAILABLE)
    return queryset.filter(kind=kind) if kind else queryset


@dataclass
class FoundSites:
    """A demand's candidates (sites in rank order, with the engine's reasons) and near misses."""

    result: MatchResult
    sites: dict[str, Site]

    @property
    def candidates(self) -> list[tuple[Site, Any]]:
        return [(self.sites[c.site_id], c) for c in self.result.candidates]

    @property
    def near_misses(self) -> list[tuple[Site, Any]]:
        return [(self.sites[n.site_id], n) for n in self.result.near_misses]


def demand_find_sites(
    *, demand: Demand, top: int = 10, near: int = 5, today: datetime.date | None = None
) -> FoundSites:
    """Rank the demand's district's available sites with the matching engine (two queries)."""
    table = site_table(matchable_sites(demand.district_id, demand.kind))
    options = MatchOptions(today=today or timezone.localdate())
    result = match(table, demand_to_engine(demand), top=top, near=near, options=options)
    wanted = [int(c.site_id) for c in result.candidates] + [int(n.site_id) for n in result.near_misses]
    sites = Site.objects.select_related("park", "town").in_bulk(wanted)
    return FoundSites(result, {str(pk): site for pk, site in sites.items()})


def open_demands(user: Any, district: District) -> QuerySet[Demand]:
    return (
        Demand.objects.restrict(user, "view")
        .filter(district=district, status=Demand.Status.OPEN)
        .select_related("preferred_park", "project")
        .order_by("created", "pk")
    )


@dataclass
class Batch:
    demands: list[Demand]
    sites: dict[str, Site]
    result: BatchAssignment

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for demand in self.demands:
            key = str(demand.pk)
            best, greedy = self.result.assignment[key], self.result.greedy_assignment[key]
            out.append(
                {
                    "demand": demand,
                    "site": self.sites.get(best) if best else None,
                    "score": self.result.scores[key],
                    "greedy_site": self.sites.get(greedy) if greedy else None,
                }
            )
        return out


def district_batch_assignment(
    *, user: Any, district: District, today: datetime.date | None = None, time_limit: float = 20.0
) -> Batch:
    """Every open demand of the district against its available sites: optimal assignment and greedy."""
    demands = list(open_demands(user, district))
    table = site_table(matchable_sites(district.pk))
    options = MatchOptions(today=today or timezone.localdate())
    result = assign_demands(
        table, [demand_to_engine(d) for d in demands], options=options, time_limit=time_limit
    )
    wanted = {int(s) for s in result.assignment.values() if s} | {
        int(s) for s in result.greedy_assignment.values() if s
    }
    sites = {str(pk): s for pk, s in Site.objects.select_related("park").in_bulk(list(wanted)).items()}
    return Batch(demands, sites, result)


# --- freshness ----------------------------------------------------------------------------------------


def stale_days(district: District) -> int:
    value = (district.settings or {}).get("site_stale_days", DEFAULT_STALE_DAYS)
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_STALE_DAYS
    return days if days > 0 else DEFAULT_STALE_DAYS


def stale_q(districts: Iterable[District], today: datetime.date | None = None) -> Q:
    """Sites not verified for their district's number of days (never verified counts as stale)."""
    today = today or timezone.localdate()
    by_days: dict[int, list[int]] = defaultdict(list)
    for district in districts:
        by_days[stale_days(district)].append(district.pk)
    condition = Q(verified_on__isnull=True)
    for days, ids in by_days.items():
        condition |= Q(district_id__in=ids, verified_on__lt=today - datetime.timedelta(days=days))
    return condition


def site_is_stale(site: Site, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    if site.verified_on is None:
        return True
    return site.verified_on < today - datetime.timedelta(days=stale_days(site.district))


def stale_sites(user: Any, today: datetime.date | None = None) -> QuerySet[Site]:
    districts = District.objects.restrict(user, "view")
    return (
        Site.objects.restrict(user, "view")
        .filter(stale_q(districts, today))
        .select_related("district", "data_owner")
        .order_by("data_owner__username", "data_owner_name", "verified_on", "code")
    )


def stale_by_owner(user: Any, today: datetime.date | None = None) -> list[dict[str, Any]]:
    """Counts of stale sites per data owner (a user, or the owner's name when it has no account)."""
    rows = (
        stale_sites(user, today)
        .order_by()
        .values("data_owner", "data_owner__username", "data_owner__first_name", "data_owner_name")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    return [
        {
            "owner_id": r["data_owner"],
            "owner": r["data_owner__first_name"] or r["data_owner__username"] or r["data_owner_name"] or "",
            "count": r["n"],
        }
        for r in rows
    ]


# --- the map ------------------------------------------------------------------------------------------

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
)


def _round(value: Any, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


def map_features(
    queryset: QuerySet[Site], *, crs: str = "wgs84", today: datetime.date | None = None
) -> dict[str, Any]:
    """The sites as GeoJSON points with what the map's card shows; one query whatever their number.

    ``crs`` "gcj02" shifts the points for GCJ-02 tiles (the display edge); stored data stay WGS84."""
    today = today or timezone.localdate()
    rows = list(queryset.filter(lng__isnull=False).values(*MAP_COLUMNS).order_by("pk"))
    districts = {
        d.pk: stale_days(d) for d in District.objects.filter(pk__in={r["district_id"] for r in rows})
    }
    lngs = [r["lng"] for r in rows]
    lats = [r["lat"] for r in rows]
    if crs == "gcj02" and rows:
        shifted = wgs84_to_gcj02(lngs, lats)
        lngs, lats = shifted[0].tolist(), shifted[1].tolist()
    detail = reverse("site_detail", args=[0]).replace("/0/", "/{}/")
    features = []
    for row, lng, lat in zip(rows, lngs, lats, strict=True):
        verified = row["verified_on"]
        stale = verified is None or verified < today - datetime.timedelta(days=districts[row["district_id"]])
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lng, 6), round(lat, 6)]},
                "properties": {
                    "id": row["pk"],
                    "code": row["code"],
                    "name": row["name"],
                    "kind": row["kind"],
                    "status": row["availability"],
                    "area_mu": _round(row["area_mu"], 4),
                    "land_area_m2": _round(row["land_area_m2"]),
                    "floor_area_m2": _round(row["floor_area_m2"]),
                    "land_use": row["land_use"],
                    "park": row["park__name"] or "",
                    "chemical": bool(row["park__is_chemical_park"]),
                    "town": row["town__name"] or "",
                    "price": _round(row["land_price"] if row["kind"] == Kind.PARCEL else row["rent"]),
                    "power_kva": row["power_kva"],
                    "verified_on": verified.isoformat() if verified else None,
                    "stale": stale,
                    "url": detail.format(row["pk"]),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


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
    from zhaoshang.core.models import Park
    from zhaoshang.sites.geometry import geometry_from_wgs84

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


def display_crs() -> str:
    """The basemap's system: "gcj02" when the configured tiles are GCJ-02 (points are shifted to match)."""
    from django.conf import settings

    return "gcj02" if str(settings.MAP_TILES_CRS).lower().replace("-", "") == "gcj02" else "wgs84"


def site_detail_context(site: Site, user: Any) -> dict[str, Any]:
    from zhaoshang.sites.geometry import geometry_from_wgs84

    geometry = site.geometry
    if geometry and display_crs() == "gcj02":
        geometry = geometry_from_wgs84(geometry, "gcj02")
    reservations = site.reservations.select_related("project", "demand", "by").order_by("-reserved_at")
    return {
        "display_geometry": geometry,
        "stale": site_is_stale(site),
        "stale_days": stale_days(site.district),
        "reservations": reservations,
        "active_reservation": next((r for r in reservations if r.released_at is None), None),
        "units": site.units.all() if site.kind == Kind.BUILDING else [],
        "area_mu_equivalent": (site.area_m2 / M2_PER_MU) if site.area_m2 else None,
        "demands": Demand.objects.restrict(user, "view")
        .filter(district_id=site.district_id, status=Demand.Status.OPEN, kind=site.kind)
        .order_by("name")[:50],
    }


def demand_detail_context(demand: Demand, user: Any) -> dict[str, Any]:
    found = demand_find_sites(demand=demand)
    reservations = (
        SiteReservation.objects.filter(demand=demand).select_related("site").order_by("-reserved_at")
    )
    points = [
        {
            "id": s.pk,
            "code": s.code,
            "name": s.name,
            "lng": s.lng,
            "lat": s.lat,
            "rank": i + 1,
            "score": c.score,
        }
        for i, (s, c) in enumerate(found.candidates)
    ]
    if points and display_crs() == "gcj02":
        lngs, lats = wgs84_to_gcj02([p["lng"] for p in points], [p["lat"] for p in points])
        for point, lng, lat in zip(points, lngs.tolist(), lats.tolist(), strict=True):
            point["lng"], point["lat"] = lng, lat
    return {"found": found, "reservations": reservations, "candidate_points": points}

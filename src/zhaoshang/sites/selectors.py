"""Reads on sites: the engine's view of sites and demands, candidates, stale records, detail pages (the map's
reads are in ``map_selectors``)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from zhaoshang.analytics.matching.model import MatchOptions
from zhaoshang.analytics.matching.model import Site as EngineSite
from zhaoshang.core.generic.display import detail_fields
from zhaoshang.core.models import District
from zhaoshang.core.scope import user_scope
from zhaoshang.geo.crs import M2_PER_MU
from zhaoshang.sites.geometry import geometry_from_wgs84
from zhaoshang.sites.models import Demand, Kind, Site, SiteReservation
from zhaoshang.sites.models.demands import demand_to_engine

if TYPE_CHECKING:
    from zhaoshang.analytics.matching.assignment import BatchAssignment
    from zhaoshang.analytics.matching.engine import MatchResult
    from zhaoshang.analytics.matching.table import SiteTable

DEFAULT_STALE_DAYS = 180

# The columns the engine needs, read with values(): no model instances for thousands of sites.
ENGINE_COLUMNS = (
    "pk",
    "kind",
    "lng",
    "lat",
    "area_mu",
    "floor_area_m2",
    "available_area_m2",
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
    """One ``values(*ENGINE_COLUMNS)`` row as the matching engine's Site (id = the primary key as text).

    A building split into units offers what its available units add up to, not its whole floor area."""
    kind = row["kind"]
    floor_area = row["floor_area_m2"]
    if kind == Kind.BUILDING and row.get("available_area_m2") is not None:
        floor_area = row["available_area_m2"]
    return EngineSite(
        id=str(row["pk"]),
        kind=kind,
        location=(float(row["lng"]), float(row["lat"])),
        area_mu=_float(row["area_mu"]),
        floor_area_m2=_float(floor_area),
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


def site_table(queryset: QuerySet[Site]) -> SiteTable:
    """The engine's columnar table over the sites of ``queryset`` that have a location (one query)."""
    from zhaoshang.analytics.matching.table import SiteTable  # deferred: numpy loads only to match sites

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
    from zhaoshang.analytics.matching.engine import match  # deferred: numpy loads only to match sites

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
    # deferred: scipy and numpy load only when demands are assigned
    from zhaoshang.analytics.matching.assignment import assign_demands

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


def display_crs() -> str:
    """The basemap's system: "gcj02" when the configured tiles are GCJ-02 (points are shifted to match)."""

    return "gcj02" if str(settings.MAP_TILES_CRS).lower().replace("-", "") == "gcj02" else "wgs84"


# Kept for the map's queries, not for people: left off the detail page.
INTERNAL_FIELDS = ("bbox_west", "bbox_south", "bbox_east", "bbox_north", "display_geometry")


def site_detail_context(site: Site, user: Any) -> dict[str, Any]:
    # A large polygon's simplified copy: the page stays small.
    geometry = site.display_geometry or site.geometry
    if geometry and display_crs() == "gcj02":
        geometry = geometry_from_wgs84(geometry, "gcj02")
    reservations = list(
        site.reservations.select_related("project", "demand", "by", "unit").order_by("-reserved_at", "-pk")
    )
    active = [r for r in reservations if r.released_at is None]
    holds = {r.unit_id: r for r in active if r.unit_id}
    units = list(site.units.order_by("floor", "name")) if site.kind == Kind.BUILDING else []
    hidden = {str(Site._meta.get_field(name).verbose_name) for name in INTERNAL_FIELDS}
    return {
        "detail_rows": [row for row in detail_fields(site) if row[0] not in hidden],
        "display_geometry": geometry,
        "stale": site_is_stale(site),
        "stale_days": stale_days(site.district),
        "reservations": reservations,
        "active_reservation": next((r for r in active if r.unit_id is None), None),
        "units": units,
        "unit_rows": [(unit, holds.get(unit.pk)) for unit in units],
        "units_held": len(holds),
        "area_mu_equivalent": (site.area_m2 / M2_PER_MU) if site.area_m2 else None,
        "demands": list(
            Demand.objects.restrict(user, "view")
            .filter(district_id=site.district_id, status=Demand.Status.OPEN, kind=site.kind)
            .order_by("name")[:50]
        ),
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
        from zhaoshang.geo.coords import wgs84_to_gcj02  # deferred: numpy loads only to shift points

        lngs, lats = wgs84_to_gcj02([p["lng"] for p in points], [p["lat"] for p in points])
        for point, lng, lat in zip(points, lngs.tolist(), lats.tolist(), strict=True):
            point["lng"], point["lat"] = lng, lat
    return {"found": found, "reservations": reservations, "candidate_points": points}


def project_sites_context(project: Any, user: Any) -> dict[str, Any]:
    """For the project page: its demands (with a link to find sites) and the sites held for it."""
    return {
        "site_demands": Demand.objects.restrict(user, "view").filter(project=project).order_by("-updated"),
        "site_reservations": project.site_reservations.select_related("site").order_by("-reserved_at"),
        "demand_add_url": (
            f"{reverse('demand_add')}?district={project.district_id}&project={project.pk}"
            if user_scope(user, "add").allows(project.district_id)
            else None
        ),
    }

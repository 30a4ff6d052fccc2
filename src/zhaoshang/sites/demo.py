"""A Linzi-like factor inventory for the demo (DOMAIN §2 step 4): ≈5,000 亩 of idle land in ≈1,000 parcels,
≈150,000 m² of idle buildings and 4,900 idle courtyards, placed around 临淄 (36.82 N, 118.31 E).

Park parcels and buildings lie inside the demo parks' rectangles (core.demo), chemical-park parcels in
齐鲁化学工业区; courtyards around the towns. Seeded, so the same every time; rows go in with
``bulk_create_with_history`` so that each one has its creation in the audit trail, attributed to the demo actor.
Town centres are approximate demo positions, not surveyed ones.
"""

from __future__ import annotations

import datetime
import math
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from zhaoshang.core.audit import acting_as, current_actor, current_channel
from zhaoshang.core.demo import HUANTAI_PARKS, LINZI_PARKS, demo_step
from zhaoshang.core.models import District, Park, Town
from zhaoshang.geo.crs import M2_PER_MU
from zhaoshang.projects.models import Project
from zhaoshang.sites.bulk_history import bulk_insert_with_history
from zhaoshang.sites.models import Demand, Kind, Site, Tenure
from zhaoshang.sites.selectors import demand_find_sites
from zhaoshang.sites.services import site_reserve

if TYPE_CHECKING:
    import numpy as np

SEED = 20240223
PARCELS, PARCEL_MU = 1000, 5000.0
# As a real county's inventory is: mostly small leftovers, and a few large parcels (50–300 亩) in the parks,
# two of them the chemical park's reserve plots, one big enough for the refinery's expansion (520–650 亩).
LARGE_PARCELS = [(520.0, 650.0)] + [(280.0, 320.0)] + [(150.0, 300.0)] * 5 + [(50.0, 120.0)] * 14
# Freshness as a working land bureau keeps it: most re-checked within the half year, some overdue, a few long.
FRESHNESS = [((2, 60), 0.45), ((60, 175), 0.33), ((190, 400), 0.17), ((400, 900), 0.05)]


def demo_today() -> datetime.date:
    """The demo's "now": the real date, so that freshness, deadlines and plans read as of the day it is built."""
    return datetime.date.today()


BUILDINGS, BUILDING_M2 = 100, 150_000.0
COURTYARDS = 4900
KM_LAT = 1 / 111.0
KM_LNG = 1 / 89.0  # at 36.8° N

LINZI_TOWN_CENTRES = {
    "辛店街道": (118.300, 36.812),
    "稷下街道": (118.338, 36.826),
    "齐陵街道": (118.372, 36.792),
    "闻韶街道": (118.312, 36.842),
    "雪宫街道": (118.282, 36.790),
    "齐都镇": (118.352, 36.866),
    "皇城镇": (118.468, 36.895),
    "敬仲镇": (118.430, 36.920),
    "朱台镇": (118.245, 36.930),
    "凤凰镇": (118.218, 36.862),
    "金岭回族镇": (118.196, 36.800),
    "金山镇": (118.240, 36.730),
}


def _rect(spec: Any) -> tuple[float, float, float, float]:
    side_km = (spec.area_mu * 666.67) ** 0.5 / 1000
    lng, lat = spec.corner
    return lng, lat, lng + side_km * KM_LNG, lat + side_km * KM_LAT


def _square(lng: float, lat: float, area_m2: float) -> dict[str, Any]:
    half = math.sqrt(area_m2) / 2000  # km
    dx, dy = half * KM_LNG, half * KM_LAT
    ring = [(lng - dx, lat - dy), (lng + dx, lat - dy), (lng + dx, lat + dy), (lng - dx, lat + dy)]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [[[round(x, 7), round(y, 7)] for x, y in ring]]}


def _scaled(
    rng: np.random.Generator, n: int, total: float, sigma: float, low: float, high: float
) -> list[float]:
    import numpy as np  # deferred: numpy loads only when the demo is built

    sizes = np.clip(rng.lognormal(0.0, sigma, n), low / 10, None)
    sizes = np.clip(sizes * total / sizes.sum(), low, high)
    sizes *= total / sizes.sum()
    return [float(s) for s in sizes]


def _maybe(rng: np.random.Generator, value: float, digits: int = 0, missing: float = 0.08) -> float | None:
    return None if rng.random() < missing else round(value, digits)


def _verified_days(rng: np.random.Generator) -> int:
    """Days since the record was last checked, drawn from FRESHNESS."""
    roll, acc = float(rng.random()), 0.0
    for (low, high), share in FRESHNESS:
        acc += share
        if roll < acc:
            return int(rng.integers(low, high))
    return int(rng.integers(*FRESHNESS[-1][0]))


def _common(rng: np.random.Generator, users: dict[str, Any]) -> dict[str, Any]:
    availability = rng.choice(["available", "occupied", "unavailable"], p=[0.9, 0.04, 0.06])
    days = _verified_days(rng)
    owner = users.get("linzi_clerk") if rng.random() < 0.6 else None
    today = demo_today()
    return {
        "availability": str(availability),
        "verified_on": today - datetime.timedelta(days=days),
        "idle_since": today - datetime.timedelta(days=days + int(rng.integers(200, 2500))),
        "idle_reason": str(rng.choice(["idle", "inefficient"], p=[0.6, 0.4])),
        "data_owner": owner,
        "data_owner_name": "" if owner else "镇办经济发展办公室",
        "source_crs": "wgs84",
    }


def _place(
    rng: np.random.Generator, rect: tuple[float, float, float, float], margin: float
) -> tuple[float, float]:
    west, south, east, north = rect
    dx, dy = margin * KM_LNG, margin * KM_LAT
    return float(rng.uniform(west + dx, east - dx)), float(rng.uniform(south + dy, north - dy))


def _near(rng: np.random.Generator, centre: tuple[float, float], km: float) -> tuple[float, float]:
    return (
        centre[0] + float(rng.normal(0, km)) * KM_LNG,
        centre[1] + float(rng.normal(0, km)) * KM_LAT,
    )


def _parcels(
    rng: np.random.Generator,
    district: District,
    parks: dict[str, Park],
    towns: dict[str, Town],
    users: dict[str, Any],
) -> list[Site]:
    large = [float(rng.uniform(low, high)) for low, high in LARGE_PARCELS]
    sizes = large + _scaled(rng, PARCELS - len(large), PARCEL_MU - sum(large), 0.9, 0.6, 45.0)
    rects = {spec.name: _rect(spec) for spec in LINZI_PARKS}
    sites = []
    for i, mu in enumerate(sizes):
        roll = rng.random()
        park = None
        if mu >= 150:  # the big reserve plots lie in the two large parks
            park = parks["齐鲁化学工业区"] if i < 4 or roll < 0.5 else parks["临淄经济开发区"]
        elif mu >= 50:
            park = parks["齐鲁化学工业区"] if roll < 0.55 else parks["临淄经济开发区"]
        elif roll < 0.35:
            park = parks["齐鲁化学工业区"]
        elif roll < 0.60:
            park = parks["临淄经济开发区"]
        elif roll < 0.66:
            park = parks["临淄机器人产业园"]
        margin = math.sqrt(mu * M2_PER_MU) / 1000
        if park is not None:
            lng, lat = _place(rng, rects[park.name], margin + 0.05)
            town = park.town
        else:
            town_name = str(rng.choice(list(LINZI_TOWN_CENTRES)))
            town = towns[town_name]
            lng, lat = _near(rng, LINZI_TOWN_CENTRES[town_name], 1.5)
        chemical = park is not None and park.is_chemical_park
        land_use = (
            "M3" if chemical and rng.random() < 0.7 else str(rng.choice(["M1", "M2", "M2", "W1", "B1"]))
        )
        area = Decimal(str(round(mu, 4)))
        sites.append(
            Site(
                district=district,
                code=f"LZ-DK-{i + 1:04d}",
                name=f"{(park.name if park else town.name)}{i + 1}号地块",
                kind=Kind.PARCEL,
                town=town,
                park=park,
                geometry=_square(lng, lat, mu * M2_PER_MU),
                lng=round(lng, 7),
                lat=round(lat, 7),
                area_mu=area,
                area_m2=float(area) * M2_PER_MU,
                net_area_mu=Decimal(str(round(mu * float(rng.uniform(0.85, 1.0)), 4))),
                land_use=land_use,
                net_land=bool(rng.random() < 0.5),
                tenure=Tenure.SALE if rng.random() < 0.7 else Tenure.BOTH,
                plot_ratio=round(float(rng.uniform(1.0, 2.0)), 1),
                investment_intensity=Decimal(str(int(rng.integers(250, 500)))),
                tax_per_mu=Decimal(str(int(rng.integers(15, 40)))),
                regional_assessment=park is not None,
                power_kva=_maybe(
                    rng, float(rng.uniform(2000, 20000) if chemical else rng.uniform(400, 8000)), -2
                ),
                voltage_kv=10.0 if not chemical else 35.0,
                water_tpd=_maybe(rng, float(rng.uniform(200, 5000) if chemical else rng.uniform(50, 800))),
                sewage_tpd=_maybe(rng, float(rng.uniform(50, 2000))),
                gas=bool(park is not None or rng.random() < 0.4),
                steam_tph=_maybe(rng, float(rng.uniform(5, 60)), 1) if chemical else None,
                emission_quota=_maybe(rng, float(rng.uniform(5, 200)), 1, 0.3),
                highway_km=round(float(rng.uniform(1, 15)), 1),
                rail_km=round(float(rng.uniform(2, 25)), 1),
                port_km=round(float(rng.uniform(120, 180)), 0),
                airport_km=round(float(rng.uniform(60, 90)), 0),
                land_price=Decimal(str(int(rng.integers(18, 42)))),
                owner="临淄区自然资源局(国有建设用地)" if rng.random() < 0.7 else "原用地企业",
                address=f"{town.name}",
                **_common(rng, users),
            )
        )
    return sites


def _buildings(
    rng: np.random.Generator,
    district: District,
    parks: dict[str, Park],
    towns: dict[str, Town],
    users: dict[str, Any],
) -> list[Site]:
    sizes = _scaled(rng, BUILDINGS, BUILDING_M2, 0.8, 300.0, 12000.0)
    rects = {spec.name: _rect(spec) for spec in LINZI_PARKS}
    sites = []
    for i, m2 in enumerate(sizes):
        roll = rng.random()
        park = parks["临淄经济开发区"] if roll < 0.5 else parks["临淄机器人产业园"] if roll < 0.7 else None
        if park is not None:
            lng, lat = _place(rng, rects[park.name], 0.1)
            town = park.town
        else:
            town_name = str(rng.choice(list(LINZI_TOWN_CENTRES)))
            town = towns[town_name]
            lng, lat = _near(rng, LINZI_TOWN_CENTRES[town_name], 1.2)
        area = Decimal(str(round(m2, 2)))
        divisible = bool(m2 > 3000 and rng.random() < 0.6)
        sites.append(
            Site(
                district=district,
                code=f"LZ-CF-{i + 1:03d}",
                name=f"{(park.name if park else town.name)}{'标准厂房' if park else '闲置厂房'}{i + 1}号",
                kind=Kind.BUILDING,
                town=town,
                park=park,
                geometry={"type": "Point", "coordinates": [round(lng, 7), round(lat, 7)]},
                lng=round(lng, 7),
                lat=round(lat, 7),
                floor_area_m2=area,
                area_m2=float(area),
                floors=int(rng.choice([1, 1, 1, 2, 3, 4])),
                divisible=divisible,
                units_total=int(m2 // 1000) if divisible else None,
                land_use="M1" if rng.random() < 0.8 else "W1",
                tenure=str(rng.choice([Tenure.LEASE, Tenure.BOTH, Tenure.SALE], p=[0.6, 0.3, 0.1])),
                power_kva=_maybe(rng, float(rng.uniform(200, 3000)), -1),
                water_tpd=_maybe(rng, float(rng.uniform(10, 300))),
                gas=bool(rng.random() < 0.5),
                clear_height_m=_maybe(rng, float(rng.choice([4.5, 6, 8, 9, 10, 12]))),
                floor_load_kn=_maybe(rng, float(rng.choice([5, 10, 20, 30, 50]))),
                crane_t=float(rng.choice([0, 0, 0, 5, 10, 20])),
                column_grid=str(rng.choice(["9×12", "12×24", "8×8", "24×24"])),
                dock_doors=int(rng.integers(0, 6)),
                fire_class=str(rng.choice(["C", "D", "E"])),
                highway_km=round(float(rng.uniform(1, 12)), 1),
                rent=Decimal(str(round(float(rng.uniform(7, 18)), 1))),
                sale_price=Decimal(str(int(rng.integers(1800, 3200)))),
                owner="园区平台公司" if park else "原使用企业",
                address=town.name,
                **_common(rng, users),
            )
        )
    return sites


def _courtyards(
    rng: np.random.Generator, district: District, towns: dict[str, Town], users: dict[str, Any]
) -> list[Site]:
    import numpy as np  # deferred: numpy loads only when the demo is built

    names = list(LINZI_TOWN_CENTRES)
    # Idle courtyards are rural: more in the towns (镇) than in the urban sub-districts (街道).
    weights = np.array([0.3 if n.endswith("街道") else 1.0 for n in names])
    picks = rng.choice(len(names), size=COURTYARDS, p=weights / weights.sum())
    sites = []
    for i, pick in enumerate(picks):
        town_name = names[int(pick)]
        lng, lat = _near(rng, LINZI_TOWN_CENTRES[town_name], 1.8)
        land = Decimal(str(int(rng.integers(150, 650))))
        sites.append(
            Site(
                district=district,
                code=f"LZ-YL-{i + 1:04d}",
                name=f"{town_name}闲置院落{i + 1}号",
                kind=Kind.COURTYARD,
                town=towns[town_name],
                geometry={"type": "Point", "coordinates": [round(lng, 7), round(lat, 7)]},
                lng=round(lng, 7),
                lat=round(lat, 7),
                land_area_m2=land,
                area_m2=float(land),
                floor_area_m2=Decimal(str(int(float(land) * float(rng.uniform(0.3, 0.6))))),
                land_use="",
                tenure=Tenure.LEASE,
                power_kva=_maybe(rng, float(rng.choice([20, 50, 80, 100])), 0, 0.3),
                water_tpd=_maybe(rng, float(rng.uniform(1, 10)), 1, 0.3),
                rent=Decimal(str(round(float(rng.uniform(1.5, 6)), 1))),
                owner="村集体经济组织",
                address=f"{town_name}",
                **_common(rng, users),
            )
        )
    return sites


def _huantai(rng: np.random.Generator) -> list[Site]:
    district = District.objects.get(adcode="370321")
    parks = {p.name: p for p in Park.objects.filter(district=district)}
    sites = []
    for i in range(30):
        spec = HUANTAI_PARKS[i % len(HUANTAI_PARKS)]
        mu = float(rng.uniform(60, 220)) if i % 6 == 0 else float(rng.uniform(5, 45))
        lng, lat = _place(rng, _rect(spec), 0.4)
        area = Decimal(str(round(mu, 4)))
        sites.append(
            Site(
                district=district,
                code=f"HT-DK-{i + 1:03d}",
                name=f"{spec.name}{i + 1}号地块",
                kind=Kind.PARCEL,
                park=parks[spec.name],
                town=parks[spec.name].town,
                geometry=_square(lng, lat, mu * M2_PER_MU),
                lng=round(lng, 7),
                lat=round(lat, 7),
                area_mu=area,
                area_m2=float(area) * M2_PER_MU,
                land_use="M3" if spec.chemical else "M2",
                power_kva=round(float(rng.uniform(1000, 10000)), -2),
                land_price=Decimal(str(int(rng.integers(20, 40)))),
                availability="available",
                verified_on=demo_today() - datetime.timedelta(days=_verified_days(rng)),
                data_owner_name="桓台县自然资源局",
            )
        )
    return sites


# name, project (a word of its name, or none), kind, min, max (亩 or m²; a parcel's from the project's land when
# it has one), land use, chemical, power kVA, steam t/h, max price, park
DEMANDS = [
    (
        "鲁油鲁炼转型升级项目用地",
        "鲁油鲁炼",
        Kind.PARCEL,
        0,
        0,
        ["M3"],
        True,
        30000,
        60,
        42,
        "齐鲁化学工业区",
    ),
    (
        "天辰二期尼龙新材料项目用地",
        "天辰二期",
        Kind.PARCEL,
        0,
        0,
        ["M3"],
        True,
        15000,
        30,
        42,
        "齐鲁化学工业区",
    ),
    (
        "精密减速器生产基地用地",
        "精密减速器",
        Kind.PARCEL,
        0,
        0,
        ["M1", "M2"],
        False,
        1500,
        0,
        40,
        "临淄机器人产业园",
    ),
    ("汽车轻量化部件项目用地", "汽车轻量化", Kind.PARCEL, 0, 0, ["M"], False, 2000, 0, 40, "临淄经济开发区"),
    ("智能装备装配车间", "", Kind.BUILDING, 3000, 6000, ["M"], False, 500, 0, 16, "临淄经济开发区"),
    ("医疗器械洁净厂房", "", Kind.BUILDING, 1500, 3000, ["M1"], False, 300, 0, 15, ""),
    ("乡村文旅民宿院落", "", Kind.COURTYARD, 300, 600, [], False, 0, 0, 5, ""),
]


def _parcel_range(project: Project | None) -> tuple[Decimal, Decimal]:
    """A parcel demand as its project needs it: from 85 % to 110 % of the project's land (亩), 10–25 without."""
    land = project.land_mu if project is not None and project.land_mu else None
    if land is None:
        return Decimal(10), Decimal(25)
    return (land * Decimal("0.85")).quantize(Decimal(1)), (land * Decimal("1.1")).quantize(Decimal(1))


@demo_step(98, "要素保障地图:临淄闲置土地、厂房、院落")
def sites(state: dict[str, Any]) -> None:
    import numpy as np  # deferred: numpy loads only when the demo is built

    rng = np.random.default_rng(SEED)
    linzi = District.objects.get(adcode="370305")
    parks = {p.name: p for p in Park.objects.filter(district=linzi).select_related("town")}
    towns = {t.name: t for t in Town.objects.filter(district=linzi)}
    users = state.get("users") or {}
    parcels = _parcels(rng, linzi, parks, towns, users)
    _reserve_plots(parcels)
    rows = (
        parcels
        + _buildings(rng, linzi, parks, towns, users)
        + _courtyards(rng, linzi, towns, users)
        + _huantai(rng)
    )
    bulk_insert_with_history(rows, user=current_actor(), reason=current_channel())
    _demands(linzi, parks, users)


def _reserve_plots(sites: list[Site]) -> None:
    """The two largest parcels are the chemical park's reserve plots: M3, free and checked this quarter."""
    for site in sites[:2]:
        site.land_use, site.availability, site.tenure = "M3", "available", Tenure.SALE
        site.verified_on = demo_today() - datetime.timedelta(days=20)
        site.steam_tph, site.power_kva = 80.0, 40000.0


def _demands(linzi: District, parks: dict[str, Park], users: dict[str, Any]) -> None:
    projects = Project.objects.filter(district=linzi).exclude(status="terminated").exclude(stage="reserve")
    demands = []
    for name, word, kind, low, high, land_use, chemical, power, steam, price, park in DEMANDS:
        project = projects.filter(name__contains=word).order_by("pk").first() if word else None
        if kind == Kind.PARCEL:
            minimum, maximum = _parcel_range(project)
        else:
            minimum, maximum = Decimal(low), Decimal(high)
        demand = Demand(
            district=linzi,
            name=name,
            project=project,
            kind=kind,
            min_area=minimum,
            max_area=maximum,
            land_use=land_use,
            chemical=chemical,
            power_kva=power,
            steam_tph=steam,
            max_price=Decimal(price),
            preferred_park=parks.get(park),
            lng=118.31,
            lat=36.82,
            notes=_("按项目用地规模测算(演示数据)") if project is not None else _("演示数据"),
        )
        demand.full_clean()
        demand.save()
        demands.append(demand)
    admin = users.get("linzi_admin")
    if admin is None:
        return
    # Two demands already hold a site, so the map shows reserved ones and the release path has data.

    held = 0
    with acting_as(admin, "demo"):
        for demand in demands[:4]:
            found = demand_find_sites(demand=demand, top=1, near=1, today=demo_today())
            if found.candidates and held < 2:
                held += 1
                site_reserve(site=found.candidates[0][0], user=admin, demand=demand, note=_("演示:洽谈中"))

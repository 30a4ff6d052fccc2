"""The demo city: 淄博 with 临淄区 and 桓台县 filled in, the other districts empty.

Deterministic: same input, same database. Later modules add their own steps with `demo_step`.
Names of real places are public; parks' recognition and every person are demo data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from zhaoshang.core.models import Department, District, Park, Team, Town
from zhaoshang.core.personas import PERSONAS, personas_ensure
from zhaoshang.standards.divisions import children

SEED = 20240223  # the day of the interview the product is built from

LINZI_TOWNS = [
    ("辛店街道", Town.Kind.SUBDISTRICT),
    ("稷下街道", Town.Kind.SUBDISTRICT),
    ("齐陵街道", Town.Kind.SUBDISTRICT),
    ("闻韶街道", Town.Kind.SUBDISTRICT),
    ("雪宫街道", Town.Kind.SUBDISTRICT),
    ("齐都镇", Town.Kind.TOWN),
    ("皇城镇", Town.Kind.TOWN),
    ("敬仲镇", Town.Kind.TOWN),
    ("朱台镇", Town.Kind.TOWN),
    ("凤凰镇", Town.Kind.TOWN),
    ("金岭回族镇", Town.Kind.TOWN),
    ("金山镇", Town.Kind.TOWN),
]
HUANTAI_TOWNS = [
    ("索镇街道", Town.Kind.SUBDISTRICT),
    ("少海街道", Town.Kind.SUBDISTRICT),
    ("田庄镇", Town.Kind.TOWN),
    ("荆家镇", Town.Kind.TOWN),
    ("马桥镇", Town.Kind.TOWN),
    ("新城镇", Town.Kind.TOWN),
    ("起凤镇", Town.Kind.TOWN),
    ("果里镇", Town.Kind.TOWN),
    ("唐山镇", Town.Kind.TOWN),
]
DEPARTMENTS = [
    ("发展和改革局", "发改"),
    ("商务局(投资促进中心)", "商务"),
    ("工业和信息化局", "工信"),
    ("自然资源局", "自然资源"),
    ("生态环境分局", "生态环境"),
    ("住房和城乡建设局", "住建"),
    ("行政审批服务局", "行政审批"),
    ("应急管理局", "应急"),
    ("财政局", "财政"),
    ("统计局", "统计"),
]


@dataclass(frozen=True)
class ParkSpec:
    name: str
    kind: str
    town: str
    chemical: bool
    area_mu: int
    corner: tuple[float, float]  # south-west corner (lng, lat) of a demo rectangle


LINZI_PARKS = [
    ParkSpec("齐鲁化学工业区", Park.Kind.CHEMICAL, "金山镇", True, 36000, (118.235, 36.845)),
    ParkSpec("临淄经济开发区", Park.Kind.ECONOMIC, "稷下街道", False, 18000, (118.320, 36.800)),
    ParkSpec("临淄机器人产业园", Park.Kind.INDUSTRIAL, "辛店街道", False, 3000, (118.290, 36.815)),
]
HUANTAI_PARKS = [
    ParkSpec("桓台经济开发区", Park.Kind.ECONOMIC, "索镇街道", False, 20000, (118.080, 36.950)),
    ParkSpec("东岳氟硅材料产业园", Park.Kind.CHEMICAL, "唐山镇", True, 12000, (118.040, 36.890)),
]

_steps: list[tuple[int, str, Callable[[dict[str, Any]], None]]] = []


def demo_step(
    order: int, label: str
) -> Callable[[Callable[[dict[str, Any]], None]], Callable[[dict[str, Any]], None]]:
    def decorate(func: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
        _steps.append((order, label, func))
        return func

    return decorate


def _rectangle(corner: tuple[float, float], area_mu: int) -> dict[str, Any]:
    # A square of about the park's area; 1 亩 ≈ 666.67 m², 1° latitude ≈ 111 km.
    side_km = (area_mu * 666.67) ** 0.5 / 1000
    dlat = side_km / 111.0
    dlng = side_km / 89.0  # cos(36.8°) × 111 km
    lng, lat = corner
    ring = [[lng, lat], [lng + dlng, lat], [lng + dlng, lat + dlat], [lng, lat + dlat], [lng, lat]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def _fill_district(
    district: District, towns: list[tuple[str, str]], parks: list[ParkSpec], prefix: str
) -> dict[str, Any]:
    # deferred: factory_boy and Faker load only when the demo is built
    from zhaoshang.core.factories import DepartmentFactory, ParkFactory, TownFactory

    town_by_name = {name: TownFactory(district=district, name=name, kind=kind) for name, kind in towns}
    for spec in parks:
        ParkFactory(
            district=district,
            name=spec.name,
            kind=spec.kind,
            town=town_by_name[spec.town],
            is_chemical_park=spec.chemical,
            chemical_park_list="山东省化工园区认定名单(示例数据)" if spec.chemical else "",
            area_mu=spec.area_mu,
            boundary=_rectangle(spec.corner, spec.area_mu),
        )
    departments = {
        short: DepartmentFactory(district=district, name=f"{prefix}{name}", short_name=short)
        for name, short in DEPARTMENTS
    }
    return {"towns": town_by_name, "departments": departments}


@demo_step(10, "组织机构")
def organisation(state: dict[str, Any]) -> None:
    # deferred: factory_boy and Faker load only when the demo is built
    from zhaoshang.core.factories import CityFactory, DistrictFactory, TeamFactory

    city = CityFactory(adcode="370300")
    for division in children("370300"):
        # "市辖区" (xx01) is a statistical placeholder in GB/T 2260, not a district anyone works in.
        if division.level == "county" and division.name != "市辖区":
            DistrictFactory(city=city, adcode=division.code)
    linzi = District.objects.get(adcode="370305")
    huantai = District.objects.get(adcode="370321")
    linzi.settings = {**linzi.settings, "demo": True}
    linzi.save()
    state["linzi"] = _fill_district(linzi, LINZI_TOWNS, LINZI_PARKS, "临淄区")
    state["huantai"] = _fill_district(huantai, HUANTAI_TOWNS, HUANTAI_PARKS, "桓台县")
    state["linzi_robot_team"] = TeamFactory(
        district=linzi,
        name="机器人产业链专班",
        kind=Team.Kind.CHAIN,
        lead_department=state["linzi"]["departments"]["工信"],
        research_institution="示例:某高校机器人研究院",
    )
    TeamFactory(
        district=linzi,
        name="炼化一体化产业链专班",
        kind=Team.Kind.CHAIN,
        lead_department=state["linzi"]["departments"]["发改"],
        research_institution="示例:某石化研究院",
    )


@demo_step(90, "演示账号")
def accounts(state: dict[str, Any]) -> None:
    state["users"] = personas_ensure(
        state["password"],
        department=state["linzi"]["departments"]["自然资源"],
        chain_team=state["linzi_robot_team"],
    )


def demo_exists() -> bool:
    return District.objects.filter(adcode="370305", town__isnull=False).exists()


def demo_build(*, password: str, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    import factory.random  # deferred: factory_boy and Faker load only when the demo is built

    factory.random.reseed_random(SEED)
    state: dict[str, Any] = {"password": password}
    for _order, label, step in sorted(_steps, key=lambda s: s[0]):
        if progress:
            progress(label)
        step(state)
    return state


def demo_accounts_reset(*, password: str) -> dict[str, Any]:
    """On an existing demo database only the accounts are reset (so `make demo` can run again)."""

    return personas_ensure(
        password,
        department=Department.objects.filter(district__adcode="370305", short_name="自然资源").first(),
        chain_team=Team.objects.filter(district__adcode="370305", name="机器人产业链专班").first(),
    )


def demo_state() -> dict[str, Any]:
    """The demo's handles (districts, towns, departments, the robot team, the personas) read back from the database."""

    state: dict[str, Any] = {}
    for key, adcode in (("linzi", "370305"), ("huantai", "370321")):
        district = District.objects.get(adcode=adcode)
        state[f"{key}_district"] = district
        state[key] = {
            "towns": {t.name: t for t in Town.objects.filter(district=district)},
            "departments": {d.short_name: d for d in Department.objects.filter(district=district)},
        }
    state["linzi_robot_team"] = Team.objects.get(district__adcode="370305", name="机器人产业链专班")
    users = get_user_model().objects.filter(username__in=[p.username for p in PERSONAS])
    state["users"] = {u.username: u for u in users}
    return state

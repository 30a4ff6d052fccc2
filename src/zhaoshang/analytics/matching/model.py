"""The data of site matching: sites, demands and options (the columnar SiteTable is in ``table``).

Units follow the site kind: parcels in 亩 (area) and 万元/亩 (land price); buildings and courtyards in m² and
元/m²/月 (rent). Spare utilities: power kVA, water t/d, steam t/h, emission quota t/a; building specs: clear
height m, floor load kN/m², crane t. None on a site means "not known"; 0 on a demand means "not needed".
Validation raises MatchError with Chinese and English messages and the offending field, so that file
readers (the ``match`` command) can point at the exact cell.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from zhaoshang.geo.crs import M2_PER_MU
from zhaoshang.standards.errors import BilingualError

SiteKind = Literal["parcel", "building", "courtyard"]
KINDS: Final[tuple[SiteKind, ...]] = ("parcel", "building", "courtyard")
TENURES: Final = {"lease": 1, "sale": 2, "both": 3}  # bit 1 = can lease, bit 2 = can buy
WANTS: Final = {"lease": 1, "buy": 2, "either": 0}

# Weights are relative; criteria that do not apply to a demand (no location, no preferred park, building
# specs for a parcel) are dropped and the rest renormalised.
DEFAULT_WEIGHTS: Final[Mapping[str, float]] = {
    "area": 30,
    "price": 25,
    "distance": 25,
    "power": 10,
    "park": 10,
}
INFLUENCE: Final = {
    "area": "ideal",
    "price": "inverse",
    "distance": "inverse",
    "park": "positive",
    "power": "positive",
    "water": "positive",
    "steam": "positive",
    "emission": "positive",
    "clear_height": "positive",
    "floor_load": "positive",
    "crane": "positive",
}


@dataclass(frozen=True)
class Need:
    """A site value that must cover the demand's need; the spare is also a positive criterion."""

    key: str  # criterion and constraint name
    field: str  # attribute name on Site and Demand
    unit: str
    zh: str
    building_only: bool


NEEDS: Final = (
    Need("power", "power_kva", "kVA", "电力余量", False),
    Need("water", "water_tpd", "t/d", "供水余量", False),
    Need("steam", "steam_tph", "t/h", "蒸汽余量", False),
    Need("emission", "emission_quota", "t/a", "排放指标余量", False),
    Need("clear_height", "clear_height_m", "m", "净高", True),
    Need("floor_load", "floor_load_kn", "kN/m²", "地面荷载", True),
    Need("crane", "crane_t", "t", "行车吨位", True),
)
NEED_BY_KEY: Final = {need.key: need for need in NEEDS}
NEED_FIELDS: Final = tuple(need.field for need in NEEDS)  # the attributes, on Site and Demand alike


class MatchError(BilingualError):
    """Invalid site or demand data; ``zh`` and ``en`` are messages for people, ``field`` the culprit."""

    def __init__(self, zh: str, en: str, field: str = "") -> None:
        super().__init__(zh, en, field)
        self.field = field


def _non_negative(owner: str, name: str, value: float | None) -> None:
    if value is not None and not (math.isfinite(value) and value >= 0):
        raise MatchError(
            f"{owner}的 {name} 须为不小于 0 的数字", f"{owner}: {name} must be a number ≥ 0", name
        )


def area_unit(kind: str) -> str:
    return "亩" if kind == "parcel" else "m²"


def price_unit(kind: str) -> str:
    return "万元/亩" if kind == "parcel" else "元/m²/月"


@dataclass(frozen=True)
class Site:
    """One site. Area: parcels ``area_mu``; buildings ``floor_area_m2``; courtyards ``land_area_m2`` (or
    ``area_mu``) of land, with ``floor_area_m2`` of buildings as information. None means "not known"."""

    id: str
    kind: SiteKind
    location: tuple[float, float]  # (lng, lat) WGS84
    area_mu: float | None = None
    floor_area_m2: float | None = None
    land_area_m2: float | None = None
    land_use: str = ""
    chemical_park: bool = False
    power_kva: float | None = None
    water_tpd: float | None = None
    steam_tph: float | None = None
    gas: bool = False
    emission_quota: float | None = None
    clear_height_m: float | None = None
    floor_load_kn: float | None = None
    crane_t: float | None = None
    price: float | None = None
    tenure: Literal["lease", "sale", "both"] = "both"
    park: str = ""
    available_from: datetime.date | None = None
    divisible: bool = False
    name: str = ""

    def __post_init__(self) -> None:
        owner = f"场地 {self.id}"
        if not self.id:
            raise MatchError("场地缺少 id", "A site has no id", "id")
        if self.kind not in KINDS:
            raise MatchError(
                f"{owner}的类型“{self.kind}”须为 parcel、building 或 courtyard",
                f"{owner}: kind '{self.kind}' must be parcel, building or courtyard",
                "kind",
            )
        if self.tenure not in TENURES:
            raise MatchError(
                f"{owner}的 tenure 须为 lease、sale 或 both",
                f"{owner}: tenure must be lease, sale or both",
                "tenure",
            )
        lng, lat = self.location
        if not (math.isfinite(lng) and math.isfinite(lat) and abs(lng) <= 180 and abs(lat) <= 90):
            raise MatchError(f"{owner}的位置不是经纬度", f"{owner}: location is not (lng, lat)", "location")
        for name in ("area_mu", "floor_area_m2", "land_area_m2", "price", *NEED_FIELDS):
            _non_negative(owner, name, getattr(self, name))
        if self.area_m2 is None:
            needed = {
                "parcel": "area_mu",
                "building": "floor_area_m2",
                "courtyard": "land_area_m2 或 area_mu",
            }
            raise MatchError(
                f"{owner}缺少面积 {needed[self.kind]}",
                f"{owner}: the area {needed[self.kind].replace('或', 'or')} is missing",
                needed[self.kind].split()[0],
            )

    @property
    def area_m2(self) -> float | None:
        """The area matched against demands: land for parcels and courtyards, floor for buildings."""
        if self.kind == "building":
            return self.floor_area_m2
        if self.kind == "courtyard" and self.land_area_m2 is not None:
            return self.land_area_m2
        return None if self.area_mu is None else self.area_mu * M2_PER_MU


@dataclass(frozen=True)
class Demand:
    """What a project needs. Areas and prices are in the units of its kind (see ``area_unit``/``price_unit``);
    a need of 0 and None limits mean "no requirement"."""

    id: str
    kind: SiteKind
    min_area: float
    max_area: float
    land_use: tuple[str, ...] = ()  # accepted codes; "M" accepts M1, M2, M3; empty accepts any
    chemical: bool = False
    power_kva: float = 0.0
    water_tpd: float = 0.0
    steam_tph: float = 0.0
    gas: bool = False
    emission_quota: float = 0.0
    clear_height_m: float = 0.0
    floor_load_kn: float = 0.0
    crane_t: float = 0.0
    max_price: float | None = None
    lease_or_buy: Literal["lease", "buy", "either"] = "either"
    preferred_park: tuple[str, ...] = ()
    location: tuple[float, float] | None = None
    max_distance_km: float | None = None
    ready_by: datetime.date | None = None
    weights: Mapping[str, float] = field(default_factory=dict)  # empty: DEFAULT_WEIGHTS

    def __post_init__(self) -> None:
        owner = f"需求 {self.id}"
        if not self.id:
            raise MatchError("需求缺少 id", "A demand has no id", "id")
        if self.kind not in KINDS:
            raise MatchError(
                f"{owner}的类型“{self.kind}”须为 parcel、building 或 courtyard",
                f"{owner}: kind '{self.kind}' must be parcel, building or courtyard",
                "kind",
            )
        if self.lease_or_buy not in WANTS:
            raise MatchError(
                f"{owner}的 lease_or_buy 须为 lease、buy 或 either",
                f"{owner}: lease_or_buy must be lease, buy or either",
                "lease_or_buy",
            )
        for name in ("min_area", "max_area", "max_price", "max_distance_km", *NEED_FIELDS):
            _non_negative(owner, name, getattr(self, name))
        if self.min_area > self.max_area:
            raise MatchError(
                f"{owner}的面积下限 {self.min_area} 大于上限 {self.max_area}",
                f"{owner}: min_area {self.min_area} is above max_area {self.max_area}",
                "min_area",
            )
        if self.location is not None:
            lng, lat = self.location
            if not (math.isfinite(lng) and math.isfinite(lat) and abs(lng) <= 180 and abs(lat) <= 90):
                raise MatchError(
                    f"{owner}的位置不是经纬度", f"{owner}: location is not (lng, lat)", "location"
                )
        unknown = sorted(set(self.weights) - set(INFLUENCE))
        if unknown:
            raise MatchError(
                f"{owner}的权重含未知准则 {', '.join(unknown)}；可用：{', '.join(INFLUENCE)}",
                f"{owner}: unknown weight criteria {', '.join(unknown)}; use {', '.join(INFLUENCE)}",
                "weights",
            )
        for name, weight in self.weights.items():
            _non_negative(owner, f"weights.{name}", weight)
        if self.weights and not sum(self.weights.values()) > 0:
            raise MatchError(
                f"{owner}的权重之和须大于 0", f"{owner}: the weights must not all be 0", "weights"
            )

    @property
    def ideal_area(self) -> float:
        return (self.min_area + self.max_area) / 2

    def area_m2(self, area: float) -> float:
        return area * M2_PER_MU if self.kind == "parcel" else area


@dataclass(frozen=True)
class MatchOptions:
    """``scale`` picks the normalisation of positive and inverse criteria:

    * ``anchored`` (default): against the demand's own numbers, so a score means the same whatever else is in
      the table. Spare utilities and building specs score (have − need) / need, full marks at twice the need;
      price scores (max_price − price) / (max_price / 2), full marks at half the budget; distance scores
      1 − km / max_distance_km (``default_distance_km`` when the demand sets none). A criterion with no anchor
      (no need, no max price) falls back to the min–max over the candidates.
    * ``candidates``: Esri's min–max over the candidates that passed the filters (the best candidate 1, the
      worst 0; all equal: 1).

    The area criterion is an ideal value either way: 1 at the middle of [min, max], 0.5 at min and max, 0 a
    whole range-width away (a range narrower than 10 % of its middle counts as 10 %); in ``candidates`` mode
    it is 1 − |area − ideal| / the largest such gap among the candidates.
    """

    area_tolerance: float = 0.0  # 0.05 accepts areas 5 % below the minimum and 5 % above the maximum
    scale: Literal["anchored", "candidates"] = "anchored"
    max_failures: int = 2  # near misses are sites failing 1..max_failures filters
    today: datetime.date | None = None  # the "available by" date for demands without ready_by
    default_distance_km: float = 50.0


def land_use_code(land_use: str) -> str:
    return land_use.strip().upper()

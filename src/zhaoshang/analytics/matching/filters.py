"""The hard filters of site matching, and the person-readable account of a filter a near miss fails.

Internal to ``matching``, whose module docstring lists the filters; pure (numpy only).
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from zhaoshang.analytics.matching.model import (
    NEED_BY_KEY,
    NEEDS,
    WANTS,
    Demand,
    MatchOptions,
    area_unit,
    land_use_code,
    price_unit,
)
from zhaoshang.analytics.matching.table import BoolArray, FloatArray, IndexArray, KindColumns, SiteTable


@dataclass(frozen=True)
class Miss:
    """A failed constraint: what the demand needs, what the site has, and the shortfall in ``unit``."""

    constraint: str
    need: float | str | None
    have: float | str | None
    short: float | None  # None for yes/no constraints and unknown site data
    unit: str
    zh: str


@dataclass(frozen=True)
class _Check:
    """One active hard filter over a kind's columns: flag (``ok`` given), at least ``bound``, or at most."""

    name: str
    op: Literal["flag", "min", "max"]
    values: FloatArray | BoolArray
    bound: float = 0.0
    scale: float = 1.0  # divides the shortfall to rank near misses by relative distance
    unit: str = ""
    zh: str = ""

    def failed(self) -> BoolArray:
        if self.op == "flag":
            return ~self.values.astype(np.bool_, copy=False)
        # NaN compares False, so unknown values fail, as ``matching``'s docstring promises.
        ok = self.values >= self.bound if self.op == "min" else self.values <= self.bound
        return ~ok

    def failed_at(self, i: int) -> bool:
        value = self.values[i]
        if self.op == "flag":
            return not bool(value)
        return not (value >= self.bound if self.op == "min" else value <= self.bound)

    def gap(self, idx: IndexArray) -> FloatArray:
        """Relative shortfall of the sites idx (0 if they pass; 1 for flags and unknown data)."""
        if self.op == "flag":
            return (~self.values[idx].astype(np.bool_, copy=False)).astype(np.float64)
        values = self.values[idx].astype(np.float64, copy=False)
        short = self.bound - values if self.op == "min" else values - self.bound
        gap = np.clip(short, 0.0, None) / self.scale
        return np.where(np.isnan(gap), 1.0, gap)


def _number(value: float) -> str:
    """Numbers for people: 2000, 1.5, 0.25 — at most 2 decimals, no trailing zeros."""
    if not math.isfinite(value):
        return str(value)
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _iso(ordinal: float) -> str:
    return datetime.date.fromordinal(int(ordinal)).isoformat()


def _checks(
    table: SiteTable, cols: KindColumns, demand: Demand, options: MatchOptions, distance: FloatArray | None
) -> list[_Check]:
    checks: list[_Check] = []
    if demand.chemical:
        checks.append(_Check("chemical", "flag", cols.chemical, zh="不在认定的化工园区内"))
    if demand.land_use:
        wanted = [land_use_code(code) for code in demand.land_use]
        allowed = np.array(
            [any(code.startswith(w) for w in wanted) for code in table.land_uses], dtype=np.bool_
        )
        checks.append(_Check("land_use", "flag", allowed[cols.land_use], zh="用地性质不符"))
    tolerance = options.area_tolerance
    unit = area_unit(demand.kind)
    checks.append(
        _Check("area", "min", cols.area, demand.min_area * (1 - tolerance), max(demand.min_area, 1e-9), unit)
    )
    # A divisible building is cut to size, so only its minimum matters.
    upper = np.where(cols.divisible, -math.inf, cols.area) if cols.divisible.any() else cols.area
    checks.append(
        _Check("area", "max", upper, demand.max_area * (1 + tolerance), max(demand.max_area, 1e-9), unit)
    )
    want = WANTS[demand.lease_or_buy]
    if want:
        checks.append(
            _Check("tenure", "flag", (cols.tenure & want) == want, zh="只售不租" if want == 1 else "只租不售")
        )
    for need in NEEDS:
        amount = float(getattr(demand, need.field))
        if amount > 0 and not (need.building_only and demand.kind == "parcel"):
            checks.append(_Check(need.key, "min", cols.needs[need.key], amount, amount, need.unit, need.zh))
    if demand.gas:
        checks.append(_Check("gas", "flag", cols.gas, zh="无天然气供应"))
    ready = demand.ready_by or options.today
    if ready is not None:
        checks.append(
            _Check("available", "max", cols.available, ready.toordinal(), 365.0, "天", "可用日期晚于需求")
        )
    if demand.max_price is not None:
        checks.append(
            _Check(
                "price",
                "max",
                cols.price,
                demand.max_price,
                max(demand.max_price, 1e-9),
                price_unit(demand.kind),
            )
        )
    if demand.max_distance_km is not None and distance is not None:
        checks.append(
            _Check(
                "distance", "max", distance, demand.max_distance_km, max(demand.max_distance_km, 1e-9), "km"
            )
        )
    return checks


def _miss(check: _Check, i: int, demand: Demand, table: SiteTable, cols: KindColumns) -> Miss:
    """The person-readable account of site i (position in cols) failing check."""
    if check.op == "flag":
        if check.name == "land_use":
            have = table.land_uses[cols.land_use[i]] or "未填"
            need = "/".join(demand.land_use)
            return Miss("land_use", need, have, None, "", f"用地性质 {have} 不在需求的 {need} 之内")
        return Miss(check.name, True, False, None, "", check.zh)
    value = float(check.values[i])
    if check.name == "available":
        need_date = _iso(check.bound)  # a site without a date is available now, so value is a date here
        days = value - check.bound
        return Miss(
            "available",
            need_date,
            _iso(value),
            days,
            "天",
            f"{_iso(value)} 才可用，比需求的 {need_date} 晚 {days:.0f} 天",
        )
    label = {
        "area": "面积",
        "price": "价格",
        "distance": "距意向位置",
    }.get(check.name) or NEED_BY_KEY[check.name].zh
    if math.isnan(value):
        return Miss(
            check.name,
            check.bound,
            None,
            None,
            check.unit,
            f"{label}未填报，无法确认满足 {_number(check.bound)} {check.unit}",
        )
    if check.op == "min":
        short = check.bound - value
        text = (
            f"{label} {_number(value)} {check.unit}，"
            f"比需要的 {_number(check.bound)} 少 {_number(short)} {check.unit}"
        )
    else:
        short = value - check.bound
        text = (
            f"{label} {_number(value)} {check.unit}，"
            f"超出上限 {_number(check.bound)} 达 {_number(short)} {check.unit}"
        )
    return Miss(check.name, check.bound, value, short, check.unit, text)

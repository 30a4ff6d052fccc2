"""The weighted score of site matching: each criterion's 0–1 score, the total, and the reason line per criterion.

Internal to ``matching``, whose module docstring describes the influences; pure (numpy only).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from zhaoshang.analytics.matching.filters import _number
from zhaoshang.analytics.matching.model import (
    DEFAULT_WEIGHTS,
    INFLUENCE,
    NEED_BY_KEY,
    NEEDS,
    Demand,
    MatchOptions,
    area_unit,
    price_unit,
)
from zhaoshang.analytics.matching.table import FloatArray, IndexArray, KindColumns, SiteTable


@dataclass(frozen=True)
class Reason:
    """One criterion's part in a candidate's score: ``points`` = 100 × ``weight`` × ``score``."""

    criterion: str
    influence: str  # positive | inverse | ideal
    value: float | None  # the site's value; None when unknown (scores 0)
    unit: str
    score: float  # 0–1
    weight: float  # share of the total, weights sum to 1
    points: float
    zh: str


@dataclass(frozen=True)
class _Criterion:
    name: str
    weight: float
    values: FloatArray  # over the scored sites
    scores: FloatArray


def _minmax(values: FloatArray, reference: FloatArray, influence: str) -> FloatArray:
    """Esri's min–max normalisation of values against the range of reference (the candidates)."""
    known = reference[~np.isnan(reference)]
    if known.size == 0:
        return np.zeros_like(values)
    low, high = float(known.min()), float(known.max())
    if high == low:
        scaled = np.where(np.isnan(values), np.nan, 1.0)  # unknown values still score 0 below
    else:
        scaled = (values - low) / (high - low)
        if influence == "inverse":
            scaled = 1.0 - scaled
    return np.clip(scaled, 0.0, 1.0)


def _weights(demand: Demand) -> dict[str, float]:
    weights = dict(demand.weights or DEFAULT_WEIGHTS)
    if demand.location is None:
        weights.pop("distance", None)
    if not demand.preferred_park:
        weights.pop("park", None)
    if demand.kind == "parcel":
        for need in NEEDS:
            if need.building_only:
                weights.pop(need.key, None)
    weights = {name: w for name, w in weights.items() if w > 0}
    if not weights:  # every weighted criterion dropped: rank by area fit alone
        weights = {"area": 1.0}
    total = sum(weights.values())
    return {name: w / total for name, w in weights.items()}


def _criteria(
    table: SiteTable,
    cols: KindColumns,
    idx: IndexArray,
    reference: IndexArray,
    demand: Demand,
    options: MatchOptions,
    distance: FloatArray | None,
) -> list[_Criterion]:
    """Score the sites idx on every weighted criterion; ``reference`` (the candidates) sets min–max ranges."""
    out: list[_Criterion] = []
    candidates_mode = options.scale == "candidates"
    for name, weight in _weights(demand).items():
        if name == "area":
            values = cols.area[idx]
            values = np.where(cols.divisible[idx], np.minimum(values, demand.ideal_area), values)
            deviation = np.abs(values - demand.ideal_area)
            if candidates_mode:
                ref = cols.area[reference]
                ref = np.where(cols.divisible[reference], np.minimum(ref, demand.ideal_area), ref)
                worst = float(np.abs(ref - demand.ideal_area).max()) if ref.size else 0.0
                scores = np.ones_like(values) if worst == 0 else 1.0 - deviation / worst
            else:
                width = max(demand.max_area - demand.min_area, 0.1 * demand.ideal_area, 1e-9)
                scores = 1.0 - deviation / width
        elif name == "park":
            preferred = np.array([park in demand.preferred_park for park in table.parks], dtype=np.bool_)
            values = preferred[cols.park[idx]].astype(np.float64)
            scores = values
        elif name == "distance":
            assert distance is not None
            values = distance[idx]
            if candidates_mode:
                scores = _minmax(values, distance[reference], "inverse")
            else:
                reach = demand.max_distance_km or options.default_distance_km
                scores = 1.0 - values / max(reach, 1e-9)
        elif name == "price":
            values = cols.price[idx]
            if candidates_mode or not demand.max_price:
                scores = _minmax(values, cols.price[reference], "inverse")
            else:
                scores = (demand.max_price - values) / (demand.max_price / 2)
        else:
            need = float(getattr(demand, NEED_BY_KEY[name].field))
            values = cols.needs[name][idx]
            if candidates_mode or need <= 0:
                scores = _minmax(values, cols.needs[name][reference], "positive")
            else:
                scores = (values - need) / need
        scores = np.where(np.isnan(scores), 0.0, np.clip(scores, 0.0, 1.0))
        out.append(_Criterion(name, weight, values, scores))
    return out


def _total(criteria: list[_Criterion], n: int) -> FloatArray:
    total = np.zeros(n, dtype=np.float64)
    for criterion in criteria:
        total += criterion.weight * criterion.scores
    return 100.0 * total


def _reason(
    criterion: _Criterion,
    j: int,
    demand: Demand,
    table: SiteTable,
    cols: KindColumns,
    i: int,
    by_candidates: bool,
) -> Reason:
    """One criterion's line; ``by_candidates``: scores are normalised over the candidates."""
    value = float(criterion.values[j])
    score = float(criterion.scores[j])
    name = criterion.name
    known = not math.isnan(value)
    unit = ""
    if name == "area":
        unit = area_unit(demand.kind)
        text = (
            f"面积 {_number(value)} {unit}，"
            f"需求 {_number(demand.min_area)}–{_number(demand.max_area)} {unit}，"
            f"理想 {_number(demand.ideal_area)} {unit}，相差 {_number(abs(value - demand.ideal_area))} {unit}"
        )
        if cols.divisible[i] and cols.area[i] > value:
            text += f"（可分割厂房共 {_number(float(cols.area[i]))} {unit}）"
    elif name == "park":
        park = table.parks[cols.park[i]] or "未填园区"
        text = (
            f"位于意向园区 {park}" if score else f"{park} 不是意向园区（{'、'.join(demand.preferred_park)}）"
        )
    elif name == "distance":
        unit = "km"
        text = f"距意向位置 {_number(value)} km"
    elif name == "price":
        unit = price_unit(demand.kind)
        if not known:
            text = "价格未填报"
        elif demand.max_price:
            below = (demand.max_price - value) / demand.max_price * 100
            text = f"价格 {_number(value)} {unit}，比上限 {_number(demand.max_price)} 低 {_number(below)}%"
        else:
            text = f"价格 {_number(value)} {unit}"
    else:
        need_spec = NEED_BY_KEY[name]
        unit = need_spec.unit
        need = float(getattr(demand, need_spec.field))
        if not known:
            text = f"{need_spec.zh}未填报"
        elif need > 0:
            spare = (value - need) / need * 100
            text = (
                f"{need_spec.zh} {_number(value)} {unit}，需要 {_number(need)} {unit}，富余 {_number(spare)}%"
            )
        else:
            text = f"{need_spec.zh} {_number(value)} {unit}"
    relative = name != "park" and (
        by_candidates
        or (name == "price" and not demand.max_price)
        or (name in NEED_BY_KEY and float(getattr(demand, NEED_BY_KEY[name].field)) <= 0)
    )
    if relative and known:
        text += "（按候选场地之间比较）"
    text += f"；得分 {score:.2f} × 权重 {criterion.weight:.0%} = {100 * criterion.weight * score:.1f} 分"
    return Reason(
        criterion=name,
        influence=INFLUENCE[name],
        value=value if known else None,
        unit=unit,
        score=score,
        weight=criterion.weight,
        points=100 * criterion.weight * score,
        zh=text,
    )

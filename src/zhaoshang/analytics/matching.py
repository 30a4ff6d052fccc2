"""Site matching: hard filters, then a weighted suitability score with reasons, over a columnar site table.

The method is site-selection practice in the form of Esri Business Analyst's suitability analysis (DOMAIN §7):

1. **Hard filters** remove every site that cannot host the demand: same kind (parcel, building, courtyard);
   chemical projects only in a recognised chemical park; land use among the demand's codes; area within
   [min, max] (± ``area_tolerance``; divisible buildings only need the minimum); lease/sale as wanted; spare
   power, water, steam, gas and emission quota ≥ the need; clear height, floor load and crane ≥ the need
   (buildings and courtyards only: a parcel is bare land the investor builds on); available by the ready
   date; price ≤ the maximum; distance ≤ the maximum. A constraint the demand sets is failed by a site that
   lacks the datum: an unverified site is not promised to an investor.
2. **A weighted score** (0–100) ranks the survivors. Each criterion scores 0–1 and is one of Esri's three
   influences: *positive* (more is better: spare utilities, building specs, the preferred park), *inverse*
   (less is better: price, distance to the demand's location) or *ideal value* (area nearest the middle of
   the demand's range). See ``MatchOptions.scale`` for the two normalisations.
3. **Reasons**: every candidate gets one line per criterion (Chinese text and the numbers behind it); sites
   that fail only one or two filters come back as **near misses** saying which constraint failed and by how
   much, closest first, because "add 500 kVA and it fits" is often the answer an official needs.

Sites are held once in a ``SiteTable`` of numpy columns split by kind, so a demand costs a handful of
vector comparisons: one demand against 100,000 sites takes a few milliseconds (bench/matching.py).
Units follow the site kind: parcels in 亩 and 万元/亩, buildings and courtyards in m² and 元/m²/月.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from zhaoshang.analytics.matching_model import (
    DEFAULT_WEIGHTS,
    INFLUENCE,
    KINDS,
    NEED_BY_KEY,
    NEEDS,
    WANTS,
    BoolArray,
    Demand,
    FloatArray,
    IndexArray,
    KindColumns,
    MatchError,
    MatchOptions,
    Site,
    SiteTable,
    area_unit,
    land_use_code,
    price_unit,
)
from zhaoshang.geo.coords import haversine_km_many

__all__ = [
    "DEFAULT_WEIGHTS",
    "INFLUENCE",
    "KINDS",
    "Candidate",
    "Demand",
    "MatchError",
    "MatchOptions",
    "MatchResult",
    "Miss",
    "NearMiss",
    "Reason",
    "Site",
    "SiteTable",
    "feasible_scores",
    "match",
]

# --- filters ------------------------------------------------------------------------------------------


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
        # NaN compares False, so unknown values fail, as the module docstring promises.
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


# --- scores -------------------------------------------------------------------------------------------


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


# --- the engine ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    site_id: str
    row: int  # position in the SiteTable
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class NearMiss:
    site_id: str
    row: int
    score: float  # what it would score if the failed constraints were lifted
    failed: tuple[Miss, ...]


@dataclass(frozen=True)
class MatchResult:
    demand_id: str
    feasible: int  # number of sites passing every filter
    candidates: tuple[Candidate, ...]  # best first
    near_misses: tuple[NearMiss, ...]  # closest first


@dataclass(frozen=True)
class _Pass:
    cols: KindColumns
    checks: list[_Check]
    failures: NDArray[np.int8]
    distance: FloatArray | None


def _run(table: SiteTable, demand: Demand, options: MatchOptions) -> _Pass:
    cols = table.columns(demand.kind)
    distance = None
    if demand.location is not None and len(cols):
        distance = haversine_km_many(cols.lng, cols.lat, demand.location[0], demand.location[1])
    checks = _checks(table, cols, demand, options, distance)
    failures = np.zeros(len(cols), dtype=np.int8)
    for check in checks:
        failures += check.failed()
    return _Pass(cols, checks, failures, distance)


def _ranked(scores: FloatArray, rows: IndexArray, limit: int) -> IndexArray:
    """Positions of the best ``limit`` scores (all if limit ≤ 0), ties broken by table row, deterministic."""
    if limit <= 0 or limit >= scores.size:
        return np.lexsort((rows, -scores)).astype(np.intp)
    # Partition first so that 100,000 survivors do not cost a full sort; keep every tie of the cut-off.
    cutoff = np.partition(-scores, limit - 1)[limit - 1]
    keep = np.flatnonzero(-scores <= cutoff)
    order = np.lexsort((rows[keep], -scores[keep]))
    result: IndexArray = keep[order[:limit]].astype(np.intp)
    return result


def feasible_scores(
    table: SiteTable, demand: Demand, options: MatchOptions | None = None
) -> tuple[IndexArray, FloatArray]:
    """Table rows of every site passing the filters and their scores (0–100): the input of assignment."""
    options = options or MatchOptions()
    state = _run(table, demand, options)
    idx = np.flatnonzero(state.failures == 0)
    criteria = _criteria(table, state.cols, idx, idx, demand, options, state.distance)
    return state.cols.rows[idx], _total(criteria, idx.size)


def match(
    table: SiteTable, demand: Demand, *, top: int = 5, near: int = 5, options: MatchOptions | None = None
) -> MatchResult:
    """Candidates best first (``top`` ≤ 0: all) with reasons; the closest near misses (``near`` ≤ 0: all)."""
    options = options or MatchOptions()
    state = _run(table, demand, options)
    cols = state.cols
    idx = np.flatnonzero(state.failures == 0)
    criteria = _criteria(table, cols, idx, idx, demand, options, state.distance)
    scores = _total(criteria, idx.size)
    candidates = []
    for j in _ranked(scores, cols.rows[idx], top):
        i = int(idx[j])
        by_candidates = options.scale == "candidates"
        reasons = tuple(_reason(c, int(j), demand, table, cols, i, by_candidates) for c in criteria)
        candidates.append(Candidate(table.ids[cols.rows[i]], int(cols.rows[i]), float(scores[j]), reasons))

    near_idx = np.flatnonzero((state.failures > 0) & (state.failures <= options.max_failures))
    near_misses = []
    if near_idx.size:
        reference = idx if idx.size else near_idx
        near_criteria = _criteria(table, cols, near_idx, reference, demand, options, state.distance)
        near_scores = _total(near_criteria, near_idx.size)
        gap = np.zeros(near_idx.size, dtype=np.float64)
        for check in state.checks:
            gap += check.gap(near_idx)
        # Closest first: fewest failed filters, then the smallest total relative shortfall, then the score.
        order = np.lexsort((cols.rows[near_idx], -near_scores, gap, state.failures[near_idx]))
        if near > 0:
            order = order[:near]
        for j in order:
            i = int(near_idx[j])
            failed = tuple(_miss(c, i, demand, table, cols) for c in state.checks if c.failed_at(i))
            near_misses.append(
                NearMiss(table.ids[cols.rows[i]], int(cols.rows[i]), float(near_scores[j]), failed)
            )
    return MatchResult(demand.id, int(idx.size), tuple(candidates), tuple(near_misses))

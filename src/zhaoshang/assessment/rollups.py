"""The city's and the province's comparisons (per district, per city), added up from per-district results.

A roll-up over 136 districts and 300,000 projects must not read 300,000 facts per request: each district's result
for a period and definitions (its rates as a whole, its projects' output growth, its counts) is kept under the
district's facts version (`facts.cache_key`: in this process and in Django's cache), so after a write only the
districts written are computed again, and a province page reads 136 small results.

The per-district rates are the engine's own (`rates_by_groups` over the district's facts). A city's are their
sums — numerators and denominators add up, since each project's share counts in exactly one district — with the
engine's explanation; 贡献率 is put together here from each district's project growths (numerator, in the project
list's order) over the growth of the unit's districts' entered 规上工业总产值 (`assessment.wholes`, read at each
request: it is not part of the facts, so not of their version). The member lists are left out (a roll-up shows
figures; a drill-down reads the facts of the one district or city it explains). Districts and cities are keyed by
id: two districts of the same name (two 市中区) stay two."""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from zhaoshang.analytics.rates.engine import RATE_NAMES, Period, ProjectFacts, Rate, RateDefinitions
from zhaoshang.analytics.rates.engine.investment import _investment_text
from zhaoshang.analytics.rates.engine.rates import (
    _attainment_text,
    _contribution,
    _funds_text,
    _landing_text,
    _signing_text,
    _stage_text,
    whole_growth,
)
from zhaoshang.analytics.rates.engine.shares import _growth
from zhaoshang.analytics.rates.engine.totals import ASIDE_LABELS, _rate
from zhaoshang.analytics.rates.groups import SHARED, counts_by_groups, rates_by_groups
from zhaoshang.assessment.facts import CACHE_SECONDS, Versions, cache_key, facts_by_district, on_forget

MEMO_RESULTS = 2048  # per-district results kept in this process (a few periods of a province)
BATCH = 16  # districts whose facts are read together when their results are missing


@dataclass(frozen=True)
class DistrictResult:
    """One district's figures for a period: its rates but 贡献率 (no member lists), the output (or tax) growth of
    each of its projects that grew or shrank, in list order, and its counts. ``rates`` is empty without
    assessed projects."""

    rates: dict[str, Rate]
    growth: tuple[tuple[str, float], ...]
    counts: dict[str, float]


_RESULTS: OrderedDict[tuple[Any, ...], DistrictResult] = OrderedDict()
_LOCK = threading.Lock()


def forget() -> None:
    with _LOCK:
        _RESULTS.clear()


on_forget(forget)  # `facts.forget` empties this memory too


def _span(period: Period) -> list[int]:
    return list(range(period.start.year, period.end.year + 1))  # as `rates_by_groups` by default


def _light(rate: Rate) -> Rate:
    return dataclasses.replace(rate, members_numerator=[], members_denominator=[])


def _compute(facts: list[ProjectFacts], period: Period, definitions: RateDefinitions) -> DistrictResult:
    if not facts:
        return DistrictResult({}, (), {})
    rates = next(iter(rates_by_groups(facts, ("district",), period, definitions)["district"].values()))
    span = _span(period)
    growth = tuple((f.key, g) for f in facts if (g := _growth(f, span, definitions)))
    counts = next(iter(counts_by_groups(facts, ("district",), period)["district"].values()))
    return DistrictResult({name: _light(rates[name]) for name in SHARED}, growth, counts)


def district_results(
    versions: Versions, period: Period, definitions: RateDefinitions
) -> dict[int, DistrictResult]:
    """Each district's result, from this process, then the shared cache (one round trip), then computed."""
    found: dict[int, DistrictResult] = {}
    slots = {d: (d, v, period, definitions) for d, v in versions.items()}
    with _LOCK:
        for district_id, slot in slots.items():
            if slot[1] is not None and slot in _RESULTS:
                found[district_id] = _RESULTS[slot]
                _RESULTS.move_to_end(slot)
    keys = {
        cache_key("rollup", d, v, period, definitions): d
        for d, v in versions.items()
        if d not in found and v is not None
    }
    for key, result in cache.get_many(list(keys)).items():
        found[keys[key]] = result
    missing = [d for d in versions if d not in found]
    # A few districts' facts at a time: a province's 300,000 would not fit a worker.
    for start in range(0, len(missing), BATCH):
        batch = {d: versions[d] for d in missing[start : start + BATCH]}
        fresh = {}
        for district_id, facts in facts_by_district(batch).items():
            found[district_id] = _compute(facts, period, definitions)
            version = batch[district_id]
            if version is not None:
                fresh[cache_key("rollup", district_id, version, period, definitions)] = found[district_id]
        if fresh:
            cache.set_many(fresh, CACHE_SECONDS)
    with _LOCK:
        for district_id, result in found.items():
            if slots[district_id][1] is not None:
                _RESULTS[slots[district_id]] = result
                _RESULTS.move_to_end(slots[district_id])
        while len(_RESULTS) > MEMO_RESULTS:
            _RESULTS.popitem(last=False)
    return found


def _texts(period: Period, definitions: RateDefinitions) -> dict[str, tuple[str, str]]:
    """The engine's formula and scope of each rate (as `rates_by_groups` words them)."""
    as_of = period.end
    in_period = period if definitions.cohort == "period" else None
    span = _span(period)
    return {
        "signing": _signing_text(period, definitions),
        "landing": _landing_text(as_of, definitions, in_period),
        "start": _stage_text("started", as_of, definitions, in_period),
        "funds_in_place": _funds_text(as_of, definitions, in_period),
        "completion": _stage_text("completed", as_of, definitions, in_period),
        "attainment": _attainment_text(span, definitions),
        "investment_completion": _investment_text(as_of, definitions),
    }


def _added(name: str, parts: list[Rate], text: tuple[str, str]) -> Rate:
    """One rate of several districts: their numerators and denominators added up, the projects set aside
    listed together (by reason, in the engine's order)."""
    aside: dict[str, list[str]] = {}
    for rate in parts:
        for reason, keys in rate.aside:
            aside.setdefault(reason, []).extend(keys)
    kept = tuple((reason, tuple(aside[reason])) for reason in ASIDE_LABELS if reason in aside)
    num = sum(rate.numerator for rate in parts)
    den = sum(rate.denominator for rate in parts)
    return _rate(name, num, den, [], [], *text, kept)


def rollup(
    units: list[tuple[Any, list[int]]],
    results: dict[int, DistrictResult],
    period: Period,
    definitions: RateDefinitions,
    wholes: dict[int, dict[int, float]] | None = None,
) -> list[tuple[Any, dict[str, Rate], dict[str, float]]]:
    """Rates and counts per unit (a district, a city: any object, with the ids of its districts), 贡献率 against
    the growth of the unit's districts' entered 规上工业总产值 (``wholes``: district id → year → 万元; "—" unless
    every district of the unit has it). Units without assessed projects are left out, like a group without
    members."""
    span = _span(period)
    growth_of = {d: whole_growth(by_year, span) for d, by_year in (wholes or {}).items()}
    texts = _texts(period, definitions)
    rows = []
    for unit, district_ids in units:
        theirs = [results[d] for d in sorted(district_ids) if d in results and results[d].rates]
        if not theirs:
            continue
        if len(theirs) == 1:
            shared = dict(theirs[0].rates)
        else:
            shared = {name: _added(name, [r.rates[name] for r in theirs], texts[name]) for name in SHARED}
        part = [g for r in theirs for g in r.growth]
        grown = [growth_of.get(d) for d in district_ids]
        whole = None if not grown or None in grown else sum(g for g in grown if g is not None)
        contribution = _light(_contribution(part, whole, span, definitions))
        rates = {name: contribution if name == "contribution" else shared[name] for name in RATE_NAMES}
        counts: dict[str, float] = {}
        for r in theirs:
            for key, value in r.counts.items():
                counts[key] = counts.get(key, 0.0) + value
        rows.append((unit, rates, counts))
    return rows

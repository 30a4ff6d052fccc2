"""Every rate of `rates.RATE_NAMES` per chain team, town, park, district or city, for dashboards that ask for
several groupings of thousands of projects again and again.

The definitions stay in `zhaoshang.analytics.rates.engine` (one project's share in each rate); this module adds them up
per group, asking each project once per question and reusing a group's figures while its projects are the same
facts objects. Pure: no Django."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from zhaoshang.analytics.rates.engine.facts import (
    DEFAULT_DEFINITIONS,
    RATE_NAMES,
    Period,
    ProjectFacts,
    Rate,
    RateDefinitions,
)
from zhaoshang.analytics.rates.engine.investment import _investment_share, _investment_text
from zhaoshang.analytics.rates.engine.rates import (
    _attainment_text,
    _contribution,
    _funds_text,
    _landing_text,
    _signing_text,
    _stage_text,
    whole_growth,
)
from zhaoshang.analytics.rates.engine.shares import (
    _attainment_share,
    _funds_share,
    _growth,
    _landing_share,
    _signing_share,
    _stage_share,
)
from zhaoshang.analytics.rates.engine.totals import _COMPLETED, _SIGNED, _STARTED, _is_signed, _total

__all__ = ["COUNT_NAMES", "counts_by_groups", "rates_by_group", "rates_by_groups"]


# Questions remembered per project (a district's and the city's definitions, a drill's period).
_SHARES_KEPT = 4
_ASKED: dict[
    tuple[Any, ...], tuple[Any, ...]
] = {}  # one key object per question: lookups compare by identity


def _asked(period: Period, definitions: RateDefinitions, span: Sequence[int]) -> tuple[Any, ...]:
    key = (period, definitions, tuple(span))
    if len(_ASKED) > 256:
        _ASKED.clear()
    return _ASKED.setdefault(key, key)


# The rates added up from each project's own share (all but 贡献率, whose denominator is the whole's growth).
SHARED = tuple(name for name in RATE_NAMES if name != "contribution")


def _shares(f: ProjectFacts, asked: tuple[Period, RateDefinitions, tuple[int, ...]]) -> tuple[Any, ...]:
    """The project's share in each rate of SHARED (then its growth for 贡献率), remembered on the (immutable)
    facts object: a dashboard whose facts are kept between requests recomputes only the projects that
    changed."""
    kept: dict[tuple[Any, ...], tuple[Any, ...]] = f.__dict__.setdefault("_shares", {})
    row = kept.get(asked)
    if row is None:
        period, definitions, span = asked
        as_of = period.end
        in_period = period if definitions.cohort == "period" else None
        signed = _is_signed(f, as_of, definitions, in_period)
        money = _is_signed(f, as_of, definitions, in_period, money=True)
        row = (
            _signing_share(f, period, definitions),
            _landing_share(f, as_of, definitions, in_period),
            _stage_share(f, _STARTED, as_of) if signed else None,
            _funds_share(f, as_of, definitions) if money else None,
            _stage_share(f, _COMPLETED, as_of) if signed else None,
            _attainment_share(f, span, definitions),
            _investment_share(f, as_of, definitions),
            _growth(f, span, definitions),
        )
        if len(kept) >= _SHARES_KEPT:
            kept.pop(next(iter(kept)), None)
        kept[asked] = row
    return row


def rates_by_group(
    facts: Iterable[ProjectFacts],
    group_key: str,
    period: Period,
    definitions: RateDefinitions = DEFAULT_DEFINITIONS,
    years: Collection[int] | None = None,
    wholes: Mapping[str, Mapping[int, float]] | None = None,
) -> dict[str, dict[str, Rate]]:
    """Every rate of `RATE_NAMES` per value of ``groups[group_key]`` (projects without the key are left out),
    groups in sorted order. ``years`` for the contribution rate default to the calendar years of the period;
    ``wholes``: see `rates_by_groups`."""
    return rates_by_groups(facts, (group_key,), period, definitions, years, wholes)[group_key]


def rates_by_groups(
    facts: Iterable[ProjectFacts],
    group_keys: Sequence[str],
    period: Period,
    definitions: RateDefinitions = DEFAULT_DEFINITIONS,
    years: Collection[int] | None = None,
    wholes: Mapping[str, Mapping[int, float]] | None = None,
) -> dict[str, dict[str, dict[str, Rate]]]:
    """`rates_by_group` for several group keys at once (e.g. the chains and the district of a dashboard).

    ``wholes``: per district (its ``groups["district"]``), year → its 规上工业总产值 (or 税收, as
    ``contribution_by`` says) in 万元, as entered. A group's 贡献率 is its projects' growth over the growth of
    the whole of the districts its projects are in (a chain: its district's; a city's roll-up: the sum of its
    districts'); a district without the years has no figure ("—", `Rate.missing`).

    Each project's share in each rate is worked out once, then added up per group: the same figures as the
    rate functions on each group's projects (a property test checks), without asking every project the same
    questions once per rate, group key and cohort test."""
    facts = list(facts)
    span = sorted(set(years if years is not None else range(period.start.year, period.end.year + 1)))
    as_of = period.end
    in_period = period if definitions.cohort == "period" else None
    texts = {
        "signing": _signing_text(period, definitions),
        "landing": _landing_text(as_of, definitions, in_period),
        "start": _stage_text("started", as_of, definitions, in_period),
        "funds_in_place": _funds_text(as_of, definitions, in_period),
        "completion": _stage_text("completed", as_of, definitions, in_period),
        "attainment": _attainment_text(span, definitions),
        "investment_completion": _investment_text(as_of, definitions),
    }
    asked = _asked(period, definitions, span)
    rows = [_shares(f, asked) for f in facts]
    keys = [f.key for f in facts]
    growth = [(keys[i], row[-1]) for i, row in enumerate(rows)]  # 贡献率: each project's part
    district_growth = {
        name: whole_growth(by_year, span) for name, by_year in (wholes or {}).items()
    }  # 贡献率: each district's whole
    result: dict[str, dict[str, dict[str, Rate]]] = {}
    for group_key in group_keys:
        buckets: dict[str, list[int]] = {}
        for i, f in enumerate(facts):
            group = f.groups.get(group_key)
            if group is not None:
                buckets.setdefault(group, []).append(i)
        result[group_key] = {}
        for group, members in sorted(buckets.items()):
            same = tuple(facts[i] for i in members)
            kept = _kept_group((group_key, group, asked), same)
            if kept is None:
                member_keys = [keys[i] for i in members]
                member_rows = [rows[i] for i in members]
                kept = {
                    name: _total(name, member_keys, [row[j] for row in member_rows], *texts[name])
                    for j, name in enumerate(SHARED)
                }
                _keep_group((group_key, group, asked), same, kept)
            # Not kept with the group: its denominator is the districts' entered whole, not its projects.
            part = [growth[i] for i in members]
            whole = _whole_of({facts[i].groups.get("district") for i in members}, district_growth)
            rates = {**kept, "contribution": _contribution(part, whole, span, definitions)}
            result[group_key][group] = {name: rates[name] for name in RATE_NAMES}
    return result


def _whole_of(districts: set[str | None], growth: Mapping[str, float | None]) -> float | None:
    """The growth of the whole of these districts: None unless every one of them has it."""
    total = 0.0
    for name in districts:
        found = growth.get(name) if name is not None else None
        if found is None:
            return None
        total += found
    return total


# A group's rates, kept with the very facts objects they were added up from: facts are immutable and a kept
# list of facts replaces only the projects that changed, so a group whose members are the same objects in the
# same order has the same rates (after one change, only that project's chain and the whole district are added
# up again). The entry holds its members, so their identities cannot be reused while it lives.
_GROUPS_KEPT = 512
_GROUP_RATES: OrderedDict[tuple[Any, ...], tuple[tuple[ProjectFacts, ...], dict[str, Rate]]] = OrderedDict()
_GROUP_LOCK = threading.Lock()


def _kept_group(slot: tuple[Any, ...], members: tuple[ProjectFacts, ...]) -> dict[str, Rate] | None:
    with _GROUP_LOCK:
        kept = _GROUP_RATES.get(slot)
    if kept is None or len(kept[0]) != len(members):
        return None
    if not all(a is b for a, b in zip(kept[0], members, strict=True)):
        return None
    return kept[1]


def _keep_group(slot: tuple[Any, ...], members: tuple[ProjectFacts, ...], rates: dict[str, Rate]) -> None:
    with _GROUP_LOCK:
        _GROUP_RATES[slot] = (members, rates)
        _GROUP_RATES.move_to_end(slot)
        while len(_GROUP_RATES) > _GROUPS_KEPT:
            _GROUP_RATES.popitem(last=False)


COUNT_NAMES = (
    "signed_projects",
    "signed_investment_wan",
    "increases",
    "started_projects",
    "funds_in_place_wan",
)


def counts_by_groups(
    facts: Iterable[ProjectFacts], group_keys: Sequence[str], period: Period
) -> dict[str, dict[str, dict[str, float]]]:
    """What was done in the period per group, by the same verified dates as the rates: projects signed (a
    capital increase adds its money to ``signed_investment_wan`` and counts in ``increases``, never as a
    project), projects started, funds that arrived (万元)."""
    result: dict[str, dict[str, dict[str, float]]] = {}
    for group_key in group_keys:
        table: dict[str, dict[str, float]] = {}
        for f in facts:
            group = f.groups.get(group_key)
            if group is None:
                continue
            row = table.setdefault(group, dict.fromkeys(COUNT_NAMES, 0.0))
            signed, started = f._reached[_SIGNED], f._reached[_STARTED]
            if signed is not None and signed in period:
                row["signed_investment_wan"] += f.signed_amount
                row["increases" if f.increase_of is not None else "signed_projects"] += 1
            if f.increase_of is None and started is not None and started in period:
                row["started_projects"] += 1
            row["funds_in_place_wan"] += sum(a for day, a, _o in f.funds if day in period)
        result[group_key] = dict(sorted(table.items()))
    return result

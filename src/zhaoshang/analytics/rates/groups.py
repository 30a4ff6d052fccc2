"""Every rate of `rates.RATE_NAMES` per chain team, town, park, district or city, for dashboards that ask for
several groupings of thousands of projects again and again.

The definitions stay in `zhaoshang.analytics.rates.engine` (one project's share in each rate); this module adds them up
per group, asking each project once per question and reusing a group's figures while its projects are the same
facts objects. Pure: no Django."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from zhaoshang.analytics.rates.engine import (
    _COMPLETED,
    _STARTED,
    DEFAULT_DEFINITIONS,
    RATE_NAMES,
    Period,
    ProjectFacts,
    Rate,
    RateDefinitions,
    _contribution_share,
    _contribution_text,
    _funds_share,
    _funds_text,
    _is_signed,
    _landing_share,
    _landing_text,
    _Share,
    _signing_share,
    _signing_text,
    _stage_share,
    _stage_text,
    _total,
)

__all__ = ["rates_by_group", "rates_by_groups"]


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


def _shares(
    f: ProjectFacts, asked: tuple[Period, RateDefinitions, tuple[int, ...]]
) -> tuple[_Share | None, ...]:
    """The project's share in each rate of RATE_NAMES, remembered on the (immutable) facts object: a dashboard
    whose facts are kept between requests recomputes only the projects that changed."""
    kept: dict[tuple[Any, ...], tuple[_Share | None, ...]] = f.__dict__.setdefault("_shares", {})
    row = kept.get(asked)
    if row is None:
        period, definitions, span = asked
        as_of = period.end
        in_period = period if definitions.cohort == "period" else None
        signed = _is_signed(f, as_of, definitions, in_period)
        row = (
            _signing_share(f, period),
            _landing_share(f, as_of, definitions, in_period),
            _contribution_share(f, span, definitions),
            _funds_share(f, as_of, definitions) if signed else None,
            _stage_share(f, _STARTED, as_of) if signed else None,
            _stage_share(f, _COMPLETED, as_of) if signed else None,
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
) -> dict[str, dict[str, Rate]]:
    """Every rate of `RATE_NAMES` per value of ``groups[group_key]`` (projects without the key are left out),
    groups in sorted order. ``years`` for the contribution rate default to the calendar years of the period."""
    return rates_by_groups(facts, (group_key,), period, definitions, years)[group_key]


def rates_by_groups(
    facts: Iterable[ProjectFacts],
    group_keys: Sequence[str],
    period: Period,
    definitions: RateDefinitions = DEFAULT_DEFINITIONS,
    years: Collection[int] | None = None,
) -> dict[str, dict[str, dict[str, Rate]]]:
    """`rates_by_group` for several group keys at once (e.g. the chains and the district of a dashboard).

    Each project's share in each rate is worked out once, then added up per group: the same figures as the
    rate functions on each group's projects (a property test checks), without asking every project the same
    questions once per rate, group key and cohort test."""
    facts = list(facts)
    span = sorted(set(years if years is not None else range(period.start.year, period.end.year + 1)))
    as_of = period.end
    in_period = period if definitions.cohort == "period" else None
    texts = {
        "signing": _signing_text(period),
        "landing": _landing_text(as_of, definitions, in_period),
        "contribution": _contribution_text(span, definitions),
        "funds_in_place": _funds_text(as_of, definitions, in_period),
        "start": _stage_text("started", as_of, definitions, in_period),
        "completion": _stage_text("completed", as_of, definitions, in_period),
    }
    asked = _asked(period, definitions, span)
    rows = [_shares(f, asked) for f in facts]
    keys = [f.key for f in facts]
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
            if kept is not None:
                result[group_key][group] = dict(kept)
                continue
            member_keys = [keys[i] for i in members]
            member_rows = [rows[i] for i in members]
            rates = {
                name: _total(name, member_keys, [row[j] for row in member_rows], *texts[name])
                for j, name in enumerate(RATE_NAMES)
            }
            _keep_group((group_key, group, asked), same, rates)
            result[group_key][group] = dict(rates)
    return result


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

"""超时限未开工: signed projects past their promised start, per group."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from zhaoshang.analytics.rates.engine.facts import (
    ProjectFacts,
)


def overdue_projects(facts: Iterable[ProjectFacts], as_of: dt.date) -> list[str]:
    """超时限未开工: signed, not terminated by ``as_of``, promised start before ``as_of`` and not started by
    ``as_of``."""
    result = []
    for f in facts:
        if f.terminated_by(as_of) or f.increase_of is not None:
            continue  # an increase is its project's money, not a project that could be late
        if f.promised_start_date is None or f.promised_start_date >= as_of:
            continue
        signed, started = f.reached("signed"), f.reached("started")
        if signed is not None and signed <= as_of and (started is None or started > as_of):
            result.append(f.key)
    return result


def _buckets(facts: Iterable[ProjectFacts], group_key: str) -> dict[str, list[ProjectFacts]]:
    buckets: dict[str, list[ProjectFacts]] = {}
    for f in facts:
        group = f.groups.get(group_key)
        if group is not None:
            buckets.setdefault(group, []).append(f)
    return dict(sorted(buckets.items()))


def overdue_by_group(facts: Iterable[ProjectFacts], group_key: str, as_of: dt.date) -> dict[str, list[str]]:
    return {g: overdue_projects(members, as_of) for g, members in _buckets(facts, group_key).items()}

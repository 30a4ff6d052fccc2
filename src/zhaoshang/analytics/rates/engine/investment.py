"""投资完成率 (the 发改 side): the year's verified monthly 完成投资 up to the last month over, over the year's
planned investment (年度计划投资) of the projects on a list with a plan for that year. Money rate: may exceed 1."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

from zhaoshang.analytics.rates.engine.facts import DEFAULT_DEFINITIONS, ProjectFacts, Rate, RateDefinitions
from zhaoshang.analytics.rates.engine.totals import _Share, _total


def months_over(as_of: dt.date) -> int:
    """The months of ``as_of``'s year that have ended by ``as_of`` (its own month when it is the last day)."""
    last = calendar.monthrange(as_of.year, as_of.month)[1]
    return as_of.month if as_of.day == last else as_of.month - 1


def _investment_share(f: ProjectFacts, as_of: dt.date, definitions: RateDefinitions) -> _Share | None:
    """In the cohort when the project has a planned investment for ``as_of``'s year; adds what it completed in
    the months over (verified figures only: the facts carry no other)."""
    plan = f.planned_investment.get(as_of.year)
    if not plan or plan <= 0 or (definitions.exclude_terminated and f.terminated_by(as_of)):
        return None
    months = months_over(as_of)
    done = sum(a for month, a in f.completed_investment if month.year == as_of.year and month.month <= months)
    return _Share(float(plan), float(done), done > 0)


def _investment_text(as_of: dt.date, definitions: RateDefinitions) -> tuple[str, str]:
    scope = f"{as_of.year} 年 1–{months_over(as_of)} 月"
    if definitions.exclude_terminated:
        scope += "，不含已终止项目"
    return "已核实的月度完成投资 / 年度计划投资（万元）", scope


def investment_completion_rate(
    facts: Iterable[ProjectFacts], as_of: dt.date, definitions: RateDefinitions = DEFAULT_DEFINITIONS
) -> Rate:
    """投资完成率 (module note)."""
    facts = list(facts)
    shares = [_investment_share(f, as_of, definitions) for f in facts]
    return _total(
        "investment_completion", [f.key for f in facts], shares, *_investment_text(as_of, definitions)
    )

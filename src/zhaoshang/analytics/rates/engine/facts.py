"""The records the rates read (a project's facts, a period) and the rates' names and result type."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, NamedTuple

from zhaoshang.analytics.rates.definitions import definition

# The default ladder of zhaoshang.projects.stages (which imports Django, so it is mirrored here; a test checks).
STAGES: tuple[str, ...] = tuple(
    "reserve lead negotiation signed registered land started completed production capacity".split()
)
_INDEX = {code: i for i, code in enumerate(STAGES)}

# The rates, in the order pages show them; their words are in `definitions` (one table).
RATE_NAMES: tuple[str, ...] = (
    "signing",
    "landing",
    "start",
    "funds_in_place",
    "completion",
    "attainment",
    "contribution",
    "investment_completion",
)
RATE_LABELS: dict[str, str] = {name: definition(name).label for name in RATE_NAMES}


class FundsInPlace(NamedTuple):
    date: dt.date
    amount: float  # 万元
    origin: str = ""  # e.g. "local", "outside_city", "outside_province"


class Period(NamedTuple):
    """A closed date interval: both ends count."""

    start: dt.date
    end: dt.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


@dataclass(frozen=True)
class ProjectFacts:
    key: str
    stage: str
    stage_dates: Mapping[str, dt.date] = field(default_factory=dict)
    groups: Mapping[str, str] = field(default_factory=dict)  # e.g. {"chain": "robotics", "town": "370305001"}
    signed_amount: float = 0.0  # 万元
    funds: Sequence[tuple[dt.date, float, str]] = ()  # (date, amount 万元, origin)
    designed_output: float = 0.0  # 万元 per year at full capacity (达产产值)
    designed_tax: float = 0.0  # 万元 per year
    actual_output: Mapping[int, float] = field(default_factory=dict)  # year → 万元
    actual_tax: Mapping[int, float] = field(default_factory=dict)
    promised_start_date: dt.date | None = None
    terminated: bool = False
    # When it left the counts (the date as claimed); None with ``terminated``: undated, terminated all along.
    terminated_on: dt.date | None = None
    increase_of: str | None = None  # the key of the project this capital increase enlarges
    # The 发改 side: the year's planned investment of the lists the project is on (year → 万元) and its verified
    # monthly completed investment (first of the month, 万元).
    planned_investment: Mapping[int, float] = field(default_factory=dict)
    completed_investment: Sequence[tuple[dt.date, float]] = ()

    def __post_init__(self) -> None:
        for code in (self.stage, *self.stage_dates):
            if code not in _INDEX:
                raise ValueError(f"项目 {self.key}: 未知阶段 {code!r}")

    def terminated_by(self, day: dt.date) -> bool:
        """Terminated on or before ``day``: a period that ended before the termination still counts the project
        as it was then (alive, in talks, late)."""
        return self.terminated and (self.terminated_on is None or self.terminated_on <= day)

    def reached(self, stage: str) -> dt.date | None:
        """First date the project reached ``stage`` (see the module note on unrecorded stages)."""
        return self._reached[_INDEX[stage]]

    @cached_property
    def _reached(self) -> tuple[dt.date | None, ...]:
        # Every stage at once (a stage without its own date takes the earliest later one): the rates of
        # 10,000 projects ask ~100,000 times.
        out: list[dt.date | None] = [None] * len(STAGES)
        earliest_later: dt.date | None = None
        for i in range(len(STAGES) - 1, -1, -1):
            own = self.stage_dates.get(STAGES[i])
            out[i] = own if own is not None else earliest_later
            if own is not None and (earliest_later is None or own < earliest_later):
                earliest_later = own
        return tuple(out)


@dataclass(frozen=True)
class RateDefinitions:
    landing_months: int = 12
    negotiation_months: int = 6  # talks this long without an outcome count as not signed
    landing_by: Literal["started", "registered_land", "either"] = "started"
    contribution_by: Literal["output", "tax"] = "output"
    prorate_production_year: bool = False
    exclude_terminated: bool = False
    cohort: Literal["cumulative", "period"] = "cumulative"
    funds_origins: frozenset[str] | None = None  # None: funds of every origin count

    def __post_init__(self) -> None:
        if self.landing_months < 0 or self.negotiation_months < 0:
            raise ValueError("landing_months and negotiation_months must be ≥ 0")


DEFAULT_DEFINITIONS = RateDefinitions()


@dataclass(frozen=True)
class Rate:
    numerator: float
    denominator: float
    value: float | None
    members_numerator: list[str]
    members_denominator: list[str]
    explain: str
    # Projects set aside, neither numerator nor denominator, by reason (signing: "direct", "pending").
    aside: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Why there is no figure although the projects are there (贡献率: the whole was not entered): a msgid.
    missing: str = ""

    def set_aside(self, reason: str) -> tuple[str, ...]:
        return dict(self.aside).get(reason, ())


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, the day clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))

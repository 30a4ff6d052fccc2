"""Assessment rates (DOMAIN.md §9) over plain project records, each figure able to drill down to its projects.

Pure: no Django. Amounts in 万元. Every function returns a `Rate`: numerator, denominator, value (None when
the denominator is 0), the keys of the projects in the numerator and in the denominator (in input order), and a
one-line Chinese explanation that a dashboard can show beside the figure.

**When a stage was reached.** ``ProjectFacts.stage_dates`` maps a stage code to the first date it was reached.
A stage without a date of its own counts as reached on the earliest date of any later recorded stage (a ladder
is monotone: a project that started has been signed, even if nobody typed the signing date). A stage counts only
with a date: the stages that count in assessment are verified and dated (DOMAIN.md §8); ``stage`` (the current
stage) is not used to infer dates.

**Definitions** (`RateDefinitions`, defaults of DOMAIN.md §9, each configurable per district):

- signing rate 签约率: cohort of the leads that reached negotiation in the period; numerator = those of them
  that reached signed by the period's end. Always in [0, 1].
- landing rate 落地率: cohort of the signed projects whose landing window (``landing_months`` = 12 after
  signing) has passed by ``as_of``; numerator = those that landed within their window. "Landed" is reaching
  started (default), or registered + land supplied (the later of the two dates), or whichever comes first.
- contribution rate 贡献率: over the projects that reached production, Σ actual output (or tax) / Σ committed
  output (or tax) for the same years; committed = designed annual output, pro-rated in the production year by
  the months from the production month on (production in March → 10/12). May exceed 1.
- funds-in-place rate 到位率 = Σ funds in place by ``as_of`` / Σ signed amount of the signed projects; may
  exceed 1 (capital increases arrive as funds).
- start rate 开工率 = signed projects that reached started / signed projects; completion rate 建成率 = … that
  reached completed / signed projects; both in [0, 1].

**Terminated projects.** By default (``exclude_terminated=False``) a terminated project stays in every cohort
it entered: a signing that never lands lowers the landing, start and completion rates, which is the point of
honest signing numbers (DOMAIN.md §10). With ``exclude_terminated=True`` they leave the post-signing rates
(landing, contribution, funds, start, completion). The signing rate always keeps them: a lead dropped during
negotiation is exactly a negotiation that did not sign.

`groups.rates_by_group` buckets the records by one group key (chain team, town, park, district, city) in
one pass and computes every rate per bucket; ``cohort="cumulative"`` (default) takes every project signed by the
period's end for the post-signing rates, ``cohort="period"`` only those signed in the period (landing: whose
window ended in the period).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, NamedTuple

__all__ = [
    "DEFAULT_DEFINITIONS",
    "RATE_LABELS",
    "RATE_NAMES",
    "STAGES",
    "FundsInPlace",
    "Period",
    "ProjectFacts",
    "Rate",
    "RateDefinitions",
    "add_months",
    "completion_rate",
    "contribution_rate",
    "funds_arrived",
    "funds_in_place_rate",
    "landing_rate",
    "overdue_by_group",
    "overdue_projects",
    "signing_rate",
    "start_rate",
]

# The default ladder of zhaoshang.projects.stages (which imports Django, so it is mirrored here; a test checks).
STAGES: tuple[str, ...] = tuple(
    "reserve lead negotiation signed registered land started completed production capacity".split()
)
_INDEX = {code: i for i, code in enumerate(STAGES)}

RATE_NAMES: tuple[str, ...] = ("signing", "landing", "contribution", "funds_in_place", "start", "completion")
RATE_LABELS: dict[str, str] = dict(
    zip(RATE_NAMES, ("签约率", "落地率", "贡献率", "到位率", "开工率", "建成率"), strict=True)
)


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

    def __post_init__(self) -> None:
        for code in (self.stage, *self.stage_dates):
            if code not in _INDEX:
                raise ValueError(f"项目 {self.key}: 未知阶段 {code!r}")

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
    landing_by: Literal["started", "registered_land", "either"] = "started"
    contribution_by: Literal["output", "tax"] = "output"
    prorate_production_year: bool = True
    exclude_terminated: bool = False
    cohort: Literal["cumulative", "period"] = "cumulative"
    funds_origins: frozenset[str] | None = None  # None: funds of every origin count

    def __post_init__(self) -> None:
        if self.landing_months < 0:
            raise ValueError("landing_months must be ≥ 0")


DEFAULT_DEFINITIONS = RateDefinitions()


@dataclass(frozen=True)
class Rate:
    numerator: float
    denominator: float
    value: float | None
    members_numerator: list[str]
    members_denominator: list[str]
    explain: str


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, the day clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def _pct(value: float | None) -> str:
    return "无（分母为 0）" if value is None else f"{value:.1%}"


def _num(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


class _Share(NamedTuple):
    """One project's part in one rate: what it adds to the denominator and the numerator, and whether it is
    listed among the numerator's projects (counted rates add 1/0, money rates their amounts)."""

    den: float
    num: float
    counted: bool


_IN, _OUT = _Share(1.0, 1.0, True), _Share(1.0, 0.0, False)
_NEGOTIATION, _SIGNED, _REGISTERED, _LAND, _STARTED, _COMPLETED, _PRODUCTION = (
    _INDEX[code]
    for code in ("negotiation", "signed", "registered", "land", "started", "completed", "production")
)


def _rate(
    name: str, num: float, den: float, num_keys: list[str], den_keys: list[str], formula: str, scope: str
) -> Rate:
    value = num / den if den else None
    explain = f"{RATE_LABELS[name]} = {formula}：{_num(num)} / {_num(den)} = {_pct(value)}（{scope}）"
    return Rate(float(num), float(den), value, num_keys, den_keys, explain)


def _total(name: str, keys: Sequence[str], shares: Sequence[_Share | None], formula: str, scope: str) -> Rate:
    """Adds the shares in input order (so a group's figure is the same float whichever way it was reached)."""
    num = den = 0.0
    num_keys: list[str] = []
    den_keys: list[str] = []
    add_den, add_num = den_keys.append, num_keys.append  # the dashboard's hot loop: ~90,000 shares
    for key, share in zip(keys, shares, strict=True):
        if share is not None:
            den += share[0]
            num += share[1]
            add_den(key)
            if share[2]:
                add_num(key)
    return _rate(name, num, den, num_keys, den_keys, formula, scope)


def _period_text(period: Period) -> str:
    return f"{period.start.isoformat()} 至 {period.end.isoformat()}"


def _is_signed(
    f: ProjectFacts, as_of: dt.date, definitions: RateDefinitions, signed_in: Period | None
) -> bool:
    """In the cohort of the post-signing rates: signed by ``as_of`` (in ``signed_in`` when given)."""
    signed = f._reached[_SIGNED]
    if signed is None or signed > as_of or (signed_in is not None and signed not in signed_in):
        return False
    return not (definitions.exclude_terminated and f.terminated)


def _scope(as_of: dt.date, signed_in: Period | None, definitions: RateDefinitions) -> str:
    text = f"截至 {as_of.isoformat()}"
    if signed_in is not None:
        text += f"，{_period_text(signed_in)} 签约的项目"
    if definitions.exclude_terminated:
        text += "，不含已终止项目"
    return text


# --- one project's share in each rate (the definitions) -----------------------------------------------------


def _signing_share(f: ProjectFacts, period: Period) -> _Share | None:
    negotiation = f._reached[_NEGOTIATION]
    if negotiation is None or not period.start <= negotiation <= period.end:
        return None
    signed = f._reached[_SIGNED]
    return _IN if signed is not None and signed <= period.end else _OUT


def _landed_on(f: ProjectFacts, landing_by: str) -> dt.date | None:
    started = f._reached[_STARTED]
    registered, land = f._reached[_REGISTERED], f._reached[_LAND]
    both = max(registered, land) if registered is not None and land is not None else None
    if landing_by == "started":
        return started
    if landing_by == "registered_land":
        return both
    options = [d for d in (started, both) if d is not None]
    return min(options) if options else None


def _landing_share(
    f: ProjectFacts, as_of: dt.date, definitions: RateDefinitions, window_ended_in: Period | None
) -> _Share | None:
    if not _is_signed(f, as_of, definitions, None):
        return None
    signed = f._reached[_SIGNED]
    assert signed is not None
    deadline = add_months(signed, definitions.landing_months)
    if deadline > as_of or (window_ended_in is not None and deadline not in window_ended_in):
        return None
    landed = _landed_on(f, definitions.landing_by)
    return _IN if landed is not None and landed <= deadline else _OUT


def _production_share(production: dt.date, year: int, prorate: bool) -> float:
    if production.year > year:
        return 0.0
    if production.year < year or not prorate:
        return 1.0
    return (13 - production.month) / 12


def _contribution_share(f: ProjectFacts, years: Sequence[int], definitions: RateDefinitions) -> _Share | None:
    """``years`` sorted, without repeats."""
    production = f._reached[_PRODUCTION]
    if production is None or (definitions.exclude_terminated and f.terminated):
        return None
    by_tax = definitions.contribution_by == "tax"
    designed = f.designed_tax if by_tax else f.designed_output
    actual = f.actual_tax if by_tax else f.actual_output
    committed = achieved = 0.0
    for year in years:
        share = _production_share(production, year, definitions.prorate_production_year)
        if share > 0:
            committed += designed * share
            achieved += actual.get(year, 0.0)
    if committed <= 0:
        return None
    return _Share(committed, achieved, achieved > 0)


def _funds_share(f: ProjectFacts, as_of: dt.date, definitions: RateDefinitions) -> _Share:
    """For a project of the signed cohort."""
    origins = definitions.funds_origins
    arrived = sum(a for day, a, o in f.funds if day <= as_of and (origins is None or o in origins))
    return _Share(f.signed_amount, arrived, True) if arrived > 0 else _Share(f.signed_amount, 0.0, False)


def _stage_share(f: ProjectFacts, index: int, as_of: dt.date) -> _Share:
    """For a project of the signed cohort: has it reached the stage by ``as_of``?"""
    day = f._reached[index]
    return _IN if day is not None and day <= as_of else _OUT


# --- the rates ----------------------------------------------------------------------------------------------


def _signing_text(period: Period) -> tuple[str, str]:
    return "期内进入洽谈的线索中已签约的 / 期内进入洽谈的线索", _period_text(period)


_LANDING_TEXT = {"started": "开工", "registered_land": "注册并供地", "either": "开工或注册并供地"}


def _landing_text(
    as_of: dt.date, definitions: RateDefinitions, window_ended_in: Period | None
) -> tuple[str, str]:
    months = definitions.landing_months
    formula = (
        f"签约后 {months} 个月内{_LANDING_TEXT[definitions.landing_by]}的项目 / 签约满 {months} 个月的项目"
    )
    scope = f"截至 {as_of.isoformat()}"
    if window_ended_in is not None:
        scope += f"，{months} 个月期满于 {_period_text(window_ended_in)}"
    if definitions.exclude_terminated:
        scope += "，不含已终止项目"
    return formula, scope


def _contribution_text(years: Sequence[int], definitions: RateDefinitions) -> tuple[str, str]:
    what = "税收" if definitions.contribution_by == "tax" else "产值"
    scope = f"{'、'.join(str(y) for y in years) or '无'} 年"
    if definitions.exclude_terminated:
        scope += "，不含已终止项目"
    return f"投产项目实际{what} / 承诺{what}", scope


def _funds_text(as_of: dt.date, definitions: RateDefinitions, signed_in: Period | None) -> tuple[str, str]:
    origins = definitions.funds_origins
    which = "" if origins is None else "（" + "、".join(sorted(origins)) + "）"
    return f"签约项目到位资金{which} / 签约金额（万元）", _scope(as_of, signed_in, definitions)


def _stage_text(
    stage: str, as_of: dt.date, definitions: RateDefinitions, signed_in: Period | None
) -> tuple[str, str]:
    label = "开工" if stage == "started" else "竣工"
    return f"已{label}的签约项目 / 签约项目", _scope(as_of, signed_in, definitions)


def signing_rate(facts: Iterable[ProjectFacts], period: Period) -> Rate:
    """签约率 (module note)."""
    facts = list(facts)
    shares = [_signing_share(f, period) for f in facts]
    return _total("signing", [f.key for f in facts], shares, *_signing_text(period))


def landing_rate(
    facts: Iterable[ProjectFacts],
    as_of: dt.date,
    definitions: RateDefinitions = DEFAULT_DEFINITIONS,
    window_ended_in: Period | None = None,
) -> Rate:
    """落地率 (module note)."""
    facts = list(facts)
    shares = [_landing_share(f, as_of, definitions, window_ended_in) for f in facts]
    text = _landing_text(as_of, definitions, window_ended_in)
    return _total("landing", [f.key for f in facts], shares, *text)


def contribution_rate(
    facts: Iterable[ProjectFacts], years: Collection[int], definitions: RateDefinitions = DEFAULT_DEFINITIONS
) -> Rate:
    """贡献率 (module note)."""
    facts, span = list(facts), sorted(set(years))
    shares = [_contribution_share(f, span, definitions) for f in facts]
    return _total("contribution", [f.key for f in facts], shares, *_contribution_text(span, definitions))


def funds_in_place_rate(
    facts: Iterable[ProjectFacts],
    as_of: dt.date,
    definitions: RateDefinitions = DEFAULT_DEFINITIONS,
    signed_in: Period | None = None,
) -> Rate:
    """到位率 (module note)."""
    facts = list(facts)
    shares = [
        _funds_share(f, as_of, definitions) if _is_signed(f, as_of, definitions, signed_in) else None
        for f in facts
    ]
    text = _funds_text(as_of, definitions, signed_in)
    return _total("funds_in_place", [f.key for f in facts], shares, *text)


def _stage_rate(
    name: str,
    stage: str,
    facts: Iterable[ProjectFacts],
    as_of: dt.date,
    definitions: RateDefinitions,
    signed_in: Period | None,
) -> Rate:
    facts, index = list(facts), _INDEX[stage]
    shares = [
        _stage_share(f, index, as_of) if _is_signed(f, as_of, definitions, signed_in) else None for f in facts
    ]
    return _total(name, [f.key for f in facts], shares, *_stage_text(stage, as_of, definitions, signed_in))


def start_rate(
    facts: Iterable[ProjectFacts],
    as_of: dt.date,
    definitions: RateDefinitions = DEFAULT_DEFINITIONS,
    signed_in: Period | None = None,
) -> Rate:
    return _stage_rate("start", "started", facts, as_of, definitions, signed_in)


def completion_rate(
    facts: Iterable[ProjectFacts],
    as_of: dt.date,
    definitions: RateDefinitions = DEFAULT_DEFINITIONS,
    signed_in: Period | None = None,
) -> Rate:
    return _stage_rate("completion", "completed", facts, as_of, definitions, signed_in)


def funds_arrived(
    facts: Iterable[ProjectFacts], period: Period, origins: Collection[str] | None = None
) -> tuple[float, list[str]]:
    """Funds in place that arrived in ``period`` (of the given origins), and the projects they came to — the
    actual of a target such as 省外到位资金 ≥ 105 亿元."""
    total = 0.0
    keys: list[str] = []
    for f in facts:
        amount = sum(a for day, a, o in f.funds if day in period and (origins is None or o in origins))
        if amount > 0:
            total += amount
            keys.append(f.key)
    return total, keys


def overdue_projects(facts: Iterable[ProjectFacts], as_of: dt.date) -> list[str]:
    """超时限未开工: signed, not terminated, promised start before ``as_of`` and not started by ``as_of``."""
    result = []
    for f in facts:
        if f.terminated or f.promised_start_date is None or f.promised_start_date >= as_of:
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

"""Assessment rates (DOMAIN.md §9) over plain project records, each figure able to drill down to its projects.

Pure: no Django. Amounts in 万元. Every function returns a `Rate`: numerator, denominator, value (None when
the denominator is 0), the keys of the projects in the numerator and in the denominator (in input order), and a
one-line Chinese explanation that a dashboard can show beside the figure.

**When a stage was reached.** ``ProjectFacts.stage_dates`` maps a stage code to the first date it was reached.
A stage without a date of its own counts as reached on the earliest date of any later recorded stage (a ladder
is monotone: a project that started has been signed, even if nobody typed the signing date). A stage counts only
with a date: the stages that count in assessment are verified and dated (DOMAIN.md §8); ``stage`` (the current
stage) is not used to infer dates.

**Definitions** (words in `definitions.DEFINITIONS`; parameters in `RateDefinitions`, defaults of DOMAIN.md §9,
each configurable per district):

- signing rate 签约率: cohort of the projects whose negotiation was *recorded* in the period (its own date,
  never inferred from a later stage, and not after the signing: a record typed in after the fact is no
  negotiation) and is decided by the period's end — signed, terminated, or in talks for ``negotiation_months``
  (6) or more; numerator = those signed by the period's end. Projects registered straight at 签约 are set
  aside as "direct" and those still in talks within their window as "pending" (`Rate.aside`): neither is a
  success nor a failure. Always in [0, 1].
- landing rate 落地率: cohort of the signed projects whose landing window (``landing_months`` = 12 after
  signing) has passed by ``as_of``; numerator = those that landed within their window. "Landed" is reaching
  started (default), or registered + land supplied (the later of the two dates), or whichever comes first.
- attainment rate 达效率: over the projects that reached production, Σ actual output (or tax) / Σ committed
  output (or tax) for the same years; committed = designed annual output, for the production year too (the
  ledger's actuals are annual figures), or pro-rated by months with ``prorate_production_year``. May exceed 1.
- contribution rate 贡献率 (Chinese statistics): a part's share of the growth of the whole, Δ(part) / Δ(whole)
  of output (or tax) from the year before the first year to the last year; the whole is every project of the
  computation (`rates_by_groups`) or ``whole``. None when the whole did not grow.
- funds-in-place rate 到位率 = Σ funds in place by ``as_of`` / Σ signed amount of the signed projects; may
  exceed 1 (capital increases arrive as funds).
- start rate 开工率 = signed projects that reached started / signed projects; completion rate 建成率 = … that
  reached completed / signed projects; both in [0, 1].

**A project counts once.** A capital increase (增资, ``increase_of`` set) adds its money (signed amount, funds,
committed and actual output) and never counts as a project: it is in no counted cohort (signing, landing,
start, completion).

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

from zhaoshang.analytics.rates.definitions import definition

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
    "attainment_rate",
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

# The rates, in the order pages show them; their words are in `definitions` (one table).
RATE_NAMES: tuple[str, ...] = (
    "signing",
    "landing",
    "start",
    "funds_in_place",
    "completion",
    "attainment",
    "contribution",
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
    increase_of: str | None = None  # the key of the project this capital increase enlarges

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

    def set_aside(self, reason: str) -> tuple[str, ...]:
        return dict(self.aside).get(reason, ())


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
    name: str,
    num: float,
    den: float,
    num_keys: list[str],
    den_keys: list[str],
    formula: str,
    scope: str,
    aside: tuple[tuple[str, tuple[str, ...]], ...] = (),
) -> Rate:
    value = num / den if den else None
    explain = f"{RATE_LABELS[name]} = {formula}：{_num(num)} / {_num(den)} = {_pct(value)}（{scope}）"
    for reason, keys in aside:
        if keys:
            explain += f"；另有{ASIDE_LABELS[reason]} {len(keys)} 个不计入"
    return Rate(float(num), float(den), value, num_keys, den_keys, explain, aside)


# Why a project is set aside from a rate (neither numerator nor denominator), in the order pages list them.
ASIDE_LABELS = {"direct": "直接签约（无洽谈记录）", "pending": "在谈未满期限"}
Shares = Sequence["_Share | str | None"]  # a share, the reason it is set aside, or None (not in the cohort)


def _total(name: str, keys: Sequence[str], shares: Shares, formula: str, scope: str) -> Rate:
    """Adds the shares in input order (so a group's figure is the same float whichever way it was reached)."""
    num = den = 0.0
    num_keys: list[str] = []
    den_keys: list[str] = []
    aside: dict[str, list[str]] = {}
    add_den, add_num = den_keys.append, num_keys.append  # the dashboard's hot loop: ~90,000 shares
    for key, share in zip(keys, shares, strict=True):
        if share is None:
            continue
        if isinstance(share, str):
            aside.setdefault(share, []).append(key)
            continue
        den += share[0]
        num += share[1]
        add_den(key)
        if share[2]:
            add_num(key)
    kept = tuple((reason, tuple(aside[reason])) for reason in ASIDE_LABELS if reason in aside)
    return _rate(name, num, den, num_keys, den_keys, formula, scope, kept)


def _period_text(period: Period) -> str:
    return f"{period.start.isoformat()} 至 {period.end.isoformat()}"


def _is_signed(
    f: ProjectFacts,
    as_of: dt.date,
    definitions: RateDefinitions,
    signed_in: Period | None,
    money: bool = False,
) -> bool:
    """In the cohort of the post-signing rates: signed by ``as_of`` (in ``signed_in`` when given). A capital
    increase is in the money rates' cohort only (``money``): it is never another project."""
    if f.increase_of is not None and not money:
        return False
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


def negotiated_on(f: ProjectFacts) -> dt.date | None:
    """The recorded start of the talks: the negotiation's own date (never inferred from a later stage), and
    only if it is not after the signing (a record made after the fact is no negotiation)."""
    own = f.stage_dates.get("negotiation")
    signed = f._reached[_SIGNED]
    if own is None or (signed is not None and own > signed):
        return None
    return own


def _signing_share(f: ProjectFacts, period: Period, definitions: RateDefinitions) -> _Share | str | None:
    if f.increase_of is not None:
        return None
    signed = f._reached[_SIGNED]
    negotiation = negotiated_on(f)
    if negotiation is None:
        # Registered straight at 签约: reported beside the rate, never as a successful negotiation.
        return "direct" if signed is not None and signed in period else None
    if not period.start <= negotiation <= period.end:
        return None
    if signed is not None and signed <= period.end:
        return _IN
    if f.terminated or add_months(negotiation, definitions.negotiation_months) <= period.end:
        return _OUT
    return "pending"


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


def _attainment_share(f: ProjectFacts, years: Sequence[int], definitions: RateDefinitions) -> _Share | None:
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


def _growth(f: ProjectFacts, years: Sequence[int], definitions: RateDefinitions) -> float:
    """Δ output (or tax) of one project from the year before the first year to the last (0 without years)."""
    if not years:
        return 0.0
    actual = f.actual_tax if definitions.contribution_by == "tax" else f.actual_output
    return actual.get(years[-1], 0.0) - actual.get(years[0] - 1, 0.0)


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


def _signing_text(period: Period, definitions: RateDefinitions) -> tuple[str, str]:
    months = definitions.negotiation_months
    return (
        f"期内进入洽谈、期末前已签约的项目 / 期内进入洽谈、已签约、已终止或洽谈满 {months} 个月的项目",
        _period_text(period),
    )


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


def _attainment_text(years: Sequence[int], definitions: RateDefinitions) -> tuple[str, str]:
    what = "税收" if definitions.contribution_by == "tax" else "产值"
    scope = f"{'、'.join(str(y) for y in years) or '无'} 年"
    if definitions.prorate_production_year:
        scope += "，投产当年按月折算"
    if definitions.exclude_terminated:
        scope += "，不含已终止项目"
    return f"投产项目实际{what} / 承诺{what}", scope


def _contribution_text(years: Sequence[int], definitions: RateDefinitions) -> tuple[str, str]:
    what = "税收" if definitions.contribution_by == "tax" else "产值"
    scope = f"{years[0] - 1} 至 {years[-1]} 年" if years else "无年度"
    return f"本组项目{what}增量 / 全部项目{what}增量", scope


def _funds_text(as_of: dt.date, definitions: RateDefinitions, signed_in: Period | None) -> tuple[str, str]:
    origins = definitions.funds_origins
    which = "" if origins is None else "（" + "、".join(sorted(origins)) + "）"
    return f"签约项目到位资金{which} / 签约金额（万元）", _scope(as_of, signed_in, definitions)


def _stage_text(
    stage: str, as_of: dt.date, definitions: RateDefinitions, signed_in: Period | None
) -> tuple[str, str]:
    label = "开工" if stage == "started" else "竣工"
    return f"已{label}的签约项目 / 签约项目", _scope(as_of, signed_in, definitions)


def signing_rate(
    facts: Iterable[ProjectFacts], period: Period, definitions: RateDefinitions = DEFAULT_DEFINITIONS
) -> Rate:
    """签约率 (module note); `Rate.aside` lists the direct signings and the talks still within their window."""
    facts = list(facts)
    shares = [_signing_share(f, period, definitions) for f in facts]
    return _total("signing", [f.key for f in facts], shares, *_signing_text(period, definitions))


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


def attainment_rate(
    facts: Iterable[ProjectFacts], years: Collection[int], definitions: RateDefinitions = DEFAULT_DEFINITIONS
) -> Rate:
    """达效率 (module note)."""
    facts, span = list(facts), sorted(set(years))
    shares = [_attainment_share(f, span, definitions) for f in facts]
    return _total("attainment", [f.key for f in facts], shares, *_attainment_text(span, definitions))


def contribution_rate(
    facts: Iterable[ProjectFacts],
    years: Collection[int],
    definitions: RateDefinitions = DEFAULT_DEFINITIONS,
    whole: Iterable[ProjectFacts] | None = None,
) -> Rate:
    """贡献率 (module note): Δ of ``facts`` / Δ of ``whole`` (default: ``facts`` themselves)."""
    facts, span = list(facts), sorted(set(years))
    everyone = facts if whole is None else list(whole)
    part = [(f.key, _growth(f, span, definitions)) for f in facts]
    total = [(f.key, _growth(f, span, definitions)) for f in everyone]
    return _contribution(part, total, span, definitions)


def _contribution(
    part: Sequence[tuple[str, float]],
    total: Sequence[tuple[str, float]],
    span: Sequence[int],
    definitions: RateDefinitions,
) -> Rate:
    num = sum(d for _k, d in part)
    den = sum(d for _k, d in total)
    num_keys = [k for k, d in part if d]
    den_keys = [k for k, d in total if d]
    formula, scope = _contribution_text(span, definitions)
    if den <= 0:
        # A whole that did not grow has no shares of its growth: no figure rather than a meaningless one.
        explain = f"{RATE_LABELS['contribution']} = {formula}：全部项目没有增长，不计算（{scope}）"
        return Rate(float(num), float(den), None, num_keys, den_keys, explain)
    return _rate("contribution", num, den, num_keys, den_keys, formula, scope)


def funds_in_place_rate(
    facts: Iterable[ProjectFacts],
    as_of: dt.date,
    definitions: RateDefinitions = DEFAULT_DEFINITIONS,
    signed_in: Period | None = None,
) -> Rate:
    """到位率 (module note)."""
    facts = list(facts)
    shares = [
        _funds_share(f, as_of, definitions)
        if _is_signed(f, as_of, definitions, signed_in, money=True)
        else None
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
        if f.terminated or f.increase_of is not None:
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

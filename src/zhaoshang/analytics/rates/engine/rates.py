"""The rates over many projects, and their formulas and scopes in words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence

from zhaoshang.analytics.rates.engine.facts import (
    _INDEX,
    DEFAULT_DEFINITIONS,
    RATE_LABELS,
    Period,
    ProjectFacts,
    Rate,
    RateDefinitions,
)
from zhaoshang.analytics.rates.engine.shares import (
    _attainment_share,
    _funds_share,
    _growth,
    _landing_share,
    _signing_share,
    _stage_share,
)
from zhaoshang.analytics.rates.engine.totals import (
    _is_signed,
    _period_text,
    _rate,
    _scope,
    _total,
)

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
    scope = f"{years[0] - 1} 至 {years[-1]} 年" if years else "无年度"
    return f"本组项目实际{_part(definitions)}增量 / 全区{_whole(definitions)}增量", scope


def _part(definitions: RateDefinitions) -> str:
    return "税收" if definitions.contribution_by == "tax" else "产值"


def _whole(definitions: RateDefinitions) -> str:
    return "规上工业税收" if definitions.contribution_by == "tax" else "规上工业总产值"


# The reasons 贡献率 has no figure although projects are there (msgids: the pages translate them).
MISSING_WHOLE = {"output": "未录入全区规上工业总产值", "tax": "未录入全区规上工业税收"}
NO_GROWTH = {"output": "全区规上工业总产值没有增长", "tax": "全区规上工业税收没有增长"}


def whole_growth(whole: Mapping[int, float] | None, years: Sequence[int]) -> float | None:
    """Δ of the district's whole (规上工业总产值 or 税收, year → 万元) from the year before the first year to the
    last; None when either year was not entered (never guessed, never replaced by the projects' own sum)."""
    if not years or whole is None:
        return None
    first, last = whole.get(years[0] - 1), whole.get(years[-1])
    if first is None or last is None:
        return None
    return last - first


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
    whole: Mapping[int, float] | None = None,
) -> Rate:
    """贡献率 (module note): Δ actual output (or tax) of ``facts`` / Δ of ``whole``, the district's
    规上工业总产值 (or 税收) by year as entered; no figure without it."""
    facts, span = list(facts), sorted(set(years))
    part = [(f.key, _growth(f, span, definitions)) for f in facts]
    return _contribution(part, whole_growth(whole, span), span, definitions)


def _contribution(
    part: Sequence[tuple[str, float]],
    whole: float | None,
    span: Sequence[int],
    definitions: RateDefinitions,
) -> Rate:
    num = sum(d for _k, d in part)
    num_keys = [k for k, d in part if d]
    formula, scope = _contribution_text(span, definitions)
    if not isinstance(whole, int | float):
        whole = None  # a caller still passing its projects' growths: that is no whole, so no figure
    if whole is None or whole <= 0:
        # No whole entered: "—" with the reason, never the projects' own sum in its place; a whole that did not
        # grow has no shares of its growth.
        reason = (MISSING_WHOLE if whole is None else NO_GROWTH)[definitions.contribution_by]
        explain = f"{RATE_LABELS['contribution']} = {formula}：{reason}，不计算（{scope}）"
        return Rate(float(num), float(whole or 0.0), None, num_keys, [], explain, missing=reason)
    return _rate("contribution", num, whole, num_keys, [], formula, scope)


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

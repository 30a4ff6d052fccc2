"""Adding one project's shares up into a rate, with its one-line explanation; who is in a signed cohort."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from zhaoshang.analytics.rates.engine.facts import (
    _INDEX,
    RATE_LABELS,
    Period,
    ProjectFacts,
    Rate,
    RateDefinitions,
)


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
    return not (definitions.exclude_terminated and f.terminated_by(as_of))


def _scope(as_of: dt.date, signed_in: Period | None, definitions: RateDefinitions) -> str:
    text = f"截至 {as_of.isoformat()}"
    if signed_in is not None:
        text += f"，{_period_text(signed_in)} 签约的项目"
    if definitions.exclude_terminated:
        text += "，不含已终止项目"
    return text

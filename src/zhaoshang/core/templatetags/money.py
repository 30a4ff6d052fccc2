"""Money on pages, as officials write it (``zhaoshang.standards.money``): never a raw ``3000000`` nor
``1256649.9600000000``.

``{% load money %}``

- ``{{ project.total_investment|money }}``: an amount held in 万元, with its unit — "125.66 亿元" from 1 亿 up,
  "3,000 万元" below; "—" when missing. ``|money:"亿元"`` always in 亿元, ``|money:"万元"`` always in 万元.
- ``{{ value|yi_number }}``: an amount *already in 亿元* under a header that names the unit: "1,234.56".
- ``{{ value|wan_as_yi }}``: an amount held in 万元, as a number of 亿元 under a header that names the unit.
- ``{{ value|wan_number }}``: an amount in 万元 under a header that names the unit: "3,000" / "12.5".
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.translation import gettext, override

from zhaoshang.standards.money import format_wan

register = template.Library()

EMPTY = "—"
UNITS = {"亿元", "万元"}


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


@register.filter
def money(value: Any, unit: str = "auto") -> str:
    text = format_wan(value, unit=unit if unit in UNITS else "auto", empty=EMPTY)
    if text == EMPTY:
        return text
    number, _space, shown = text.rpartition(" ")
    return f"{number} {gettext(shown)}"  # the unit in the reader's language ("亿元" / "100M yuan")


@register.filter
def yi_number(value: Any, places: int = 2) -> str:
    amount = _decimal(value)
    if amount is None:
        return EMPTY
    rounded = amount.quantize(Decimal(1).scaleb(-int(places)), ROUND_HALF_UP)
    return f"{rounded:,.{int(places)}f}"


@register.filter
def wan_number(value: Any) -> str:
    amount = _decimal(value)
    if amount is None:
        return EMPTY
    rounded = amount.quantize(Decimal("0.01"), ROUND_HALF_UP)
    if rounded == rounded.to_integral():
        return f"{rounded:,.0f}"
    return f"{rounded:,.2f}".rstrip("0").rstrip(".")


@register.filter
def wan_as_yi(value: Any, places: int = 2) -> str:
    amount = _decimal(value)
    return EMPTY if amount is None else yi_number(amount / 10000, places)


@register.filter
def amount_for(value: Any, target: Any) -> str:
    """A target's value or actual: with its unit when the target's metric is an amount in 万元 ("签约总投资(万元)"),
    else the plain number (a count of projects)."""
    with override("zh-hans"):
        label = str(target.get_metric_display()) if hasattr(target, "get_metric_display") else ""
    if "(万元)" in label:
        return money(value)
    amount = _decimal(value)
    if amount is None:
        return EMPTY
    return wan_number(amount)

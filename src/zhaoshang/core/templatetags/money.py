"""Money on pages, as officials write it (``zhaoshang.standards.money``): never a raw ``3000000`` nor
``1256649.9600000000``.

``{% load money %}``

- ``{{ project.total_investment|money }}``: an amount held in 万元, with its unit — "125.66 亿元" from 1 亿 up,
  "3,000 万元" below; "—" when missing. ``|money:"亿元"`` always in 亿元, ``|money:"万元"`` always in 万元.
  In English the amount is said in yuan as English readers say it (``english_money``): "12.57 billion yuan",
  "30 million yuan", "125,000 yuan"; a fixed unit ("亿元"/"万元") gives "… million yuan" throughout, so that a
  column stays comparable.
- ``{% with parts=value|money_parts %}{{ parts.0 }}<small>{{ parts.1 }}</small>{% endwith %}``: the same, split
  into the number and the unit (a big figure with a small unit, as on the big screen).
- ``{{ value|yi_number }}``: an amount *already in 亿元* under a header that names the unit: "1,234.56".
- ``{{ value|wan_as_yi }}``: an amount held in 万元, as a number of 亿元 under a header that names the unit.
- ``{{ value|wan_number }}``: an amount in 万元 under a header that names the unit: "3,000" / "12.5".
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.translation import get_language, gettext, override

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


YUAN_PER_WAN = Decimal(10000)
BILLION, MILLION = Decimal(10) ** 9, Decimal(10) ** 6


def _grouped(amount: Decimal, places: int) -> str:
    """Grouped, rounded half up to `places` decimals, trailing zeros dropped: 34.50 → "34.5", 30.00 → "30"."""
    rounded = amount.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    text = f"{rounded:,.{places}f}"
    return text.rstrip("0").rstrip(".") if places else text


def english_money(value: Any, unit: str = "auto") -> str:
    """An amount held in 万元 as English readers say it, never "100M yuan" after a number: in billions of yuan
    from 1 billion (10 亿) up, in millions from 1 million (100 万) up, else in yuan; a fixed unit (a column in
    亿元 or 万元) in millions throughout."""
    amount = _decimal(value)
    if amount is None:
        return EMPTY
    yuan = amount * YUAN_PER_WAN
    size = abs(yuan)
    if unit == "auto" and size >= BILLION:
        text, word = f"{(yuan / BILLION).quantize(Decimal('0.01'), ROUND_HALF_UP):,.2f}", "billion yuan"
    elif unit != "auto" or size >= MILLION:
        text, word = _grouped(yuan / MILLION, 2), "million yuan"
    else:
        text, word = _grouped(yuan, 0), "yuan"
    return f"{text} {word}"


def money_parts(value: Any, unit: str = "auto") -> tuple[str, str]:
    """(number, unit) of ``money``: ("125.66", "亿元"), in English ("12.57", "billion yuan"); ("—", "")."""
    unit = unit if unit in UNITS else "auto"
    if (get_language() or "").lower().startswith("en"):
        text = english_money(value, unit)
        number, _space, word = text.partition(" ")
        return (number, word) if word else (text, "")
    text = format_wan(value, unit=unit, empty=EMPTY)
    if text == EMPTY:
        return text, ""
    number, _space, shown = text.rpartition(" ")
    return number, gettext(shown)


@register.filter
def money(value: Any, unit: str = "auto") -> str:
    number, shown = money_parts(value, unit)
    return f"{number} {shown}" if shown else number


register.filter("money_parts", money_parts)


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


@register.filter
def grouped(value: Any) -> str:
    """A reported figure as tables print it: a count as it is, an amount (a decimal, as stored in 万元) with
    thousands separators and two decimals; the unit is the column's."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    amount = _decimal(value)
    if amount is None:
        return EMPTY
    return f"{amount.quantize(Decimal('0.01'), ROUND_HALF_UP):,.2f}"

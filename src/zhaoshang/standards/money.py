"""Money as officials write it: amounts are stored in 万元 and shown in 亿元 from one 亿 up, with the unit.

`1256649.96` (万元) reads "125.66 亿元"; `3000` reads "3,000 万元"; nothing is ever shown without its unit.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

WAN_PER_YI = Decimal(10000)


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def wan_to_yi(wan: object, places: int = 2) -> Decimal | None:
    amount = _decimal(wan)
    if amount is None:
        return None
    return (amount / WAN_PER_YI).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def format_wan(wan: object, *, unit: str = "auto", places: int = 2, empty: str = "—") -> str:
    """An amount held in 万元, with its unit: in 亿元 from 1 亿 up (or when `unit="亿元"`), else in 万元."""
    amount = _decimal(wan)
    if amount is None:
        return empty
    if unit == "亿元" or (unit == "auto" and abs(amount) >= WAN_PER_YI):
        yi = (amount / WAN_PER_YI).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
        return f"{yi:,.{places}f} 亿元"
    rounded = amount.quantize(Decimal("0.01"), ROUND_HALF_UP)
    text = (
        f"{rounded:,.2f}".rstrip("0").rstrip(".") if rounded != rounded.to_integral() else f"{rounded:,.0f}"
    )
    return f"{text} 万元"

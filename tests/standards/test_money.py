from __future__ import annotations

from decimal import Decimal

from zhaoshang.standards.money import format_wan, wan_to_yi


def test_amounts_read_as_officials_write_them() -> None:
    assert format_wan(Decimal("1256649.96")) == "125.66 亿元"
    assert format_wan(3000000) == "300.00 亿元"
    assert format_wan(130000) == "13.00 亿元"
    assert format_wan(3000) == "3,000 万元"
    assert format_wan("2500.5") == "2,500.5 万元"
    assert format_wan(9999.999) == "10,000 万元"
    assert format_wan(500, unit="亿元") == "0.05 亿元"
    assert format_wan(None) == "—" and format_wan("") == "—" and format_wan("abc") == "—"
    assert wan_to_yi(130000) == Decimal("13.00") and wan_to_yi(None) is None

"""The spreadsheet parsers: good forms, bad forms with their messages, and properties over many values."""

from __future__ import annotations

import ast
import datetime
import pickle
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhaoshang.standards import parsers
from zhaoshang.standards.parsers import (
    Area,
    ParsedDate,
    ParseError,
    Precision,
    normalise_text,
    parse_area,
    parse_date,
    parse_date_precise,
    parse_decimal,
    parse_money_wan,
    parse_percent,
    parse_yes_no,
)

PURE_MODULES = [
    "standards/parsers.py",
    "standards/codes.py",
    "standards/divisions.py",
    "standards/industries.py",
]


def _raises(function: object, value: object, *fragments: str) -> ParseError:
    assert callable(function)
    with pytest.raises(ParseError) as caught:
        function(value)
    for fragment in fragments:
        assert fragment in caught.value.zh
    return caught.value


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_modules_do_not_import_django(module: str) -> None:
    source = (Path(parsers.__file__).parents[1] / module).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert not {name for name in imported if name.split(".")[0] in {"django", "rest_framework"}}


def test_parse_error_is_bilingual_and_str_is_chinese() -> None:
    error = ParseError("中文", "English")
    assert isinstance(error, ValueError)
    assert (str(error), error.zh, error.en) == ("中文", "中文", "English")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.zh, copy.en, str(copy)) == ("中文", "English", "中文")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1,234.5", Decimal("1234.5")),
        ("１２３", Decimal(123)),
        ("  42 ", Decimal(42)),
        ("-3.25", Decimal("-3.25")),
        ("1，000", Decimal(1000)),
        (7, Decimal(7)),
        (0.1, Decimal("0.1")),
        (Decimal("1.50"), Decimal("1.50")),
        ("1.2e3", Decimal(1200)),
    ],
)
def test_parse_decimal_reads(value: object, expected: Decimal) -> None:
    assert parse_decimal(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (None, "数字不能为空"),
        ("", "数字不能为空"),
        ("   ", "数字不能为空"),
        ("nan", "无法识别的数字“nan”"),
        ("inf", "无法识别的数字“inf”"),
        (float("nan"), "无法识别的数字"),
        (float("inf"), "无法识别的数字"),
        (Decimal("NaN"), "无法识别的数字"),
        ("12a", "无法识别的数字“12a”"),
        ("1,23", "无法识别的数字“1,23”"),
        ("1.2.3", "无法识别的数字"),
        (True, "无法识别的数字“True”"),
        ([1], "无法识别的数字"),
        ("1e30", "过大"),
    ],
)
def test_parse_decimal_refuses(value: object, fragment: str) -> None:
    _raises(parse_decimal, value, fragment)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_parse_decimal_reads_thousands_grouping(number: int) -> None:
    assert parse_decimal(f"{number:,}") == number


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.2亿元", Decimal(12000)),
        ("1.2亿", Decimal(12000)),
        ("500万元", Decimal(500)),
        ("500万", Decimal(500)),
        ("500 万元", Decimal(500)),
        ("3,000,000元", Decimal(300)),
        ("800千元", Decimal(80)),
        ("2千万元", Decimal(2000)),
        ("5百万", Decimal(500)),
        ("500", Decimal(500)),
        ("¥500万元", Decimal(500)),
        ("￥1,000元", Decimal("0.1")),
        ("人民币500万元", Decimal(500)),
        ("RMB 500万", Decimal(500)),
        ("500万元人民币", Decimal(500)),
        ("１２万元", Decimal(12)),
        (500, Decimal(500)),
        (12.5, Decimal("12.5")),
        (Decimal("0.01"), Decimal("0.01")),
        (0, Decimal(0)),
    ],
)
def test_parse_money_reads_wan(value: object, expected: Decimal) -> None:
    assert parse_money_wan(value) == expected


def test_parse_money_result_has_no_needless_trailing_zeros() -> None:
    assert str(parse_money_wan("1.2亿元")) == "12000"
    assert str(parse_money_wan("3,000,000元")) == "300"
    assert str(parse_money_wan("1,234元")) == "0.1234"


def test_parse_money_default_unit_applies_to_bare_numbers_only() -> None:
    assert parse_money_wan("3000000", default_unit="元") == 300
    assert parse_money_wan(3_000_000, default_unit="元") == 300
    assert parse_money_wan(1.5, default_unit="亿元") == 15000
    assert parse_money_wan("500万元", default_unit="元") == 500
    _raises(lambda value: parse_money_wan(value, default_unit="斤"), "5", "单位“斤”无法识别")


@pytest.mark.parametrize(
    ("value", "fragments"),
    [
        ("abc", ["无法识别的金额“abc”", "500万元"]),
        ("约500万", ["无法识别的金额“约500万”"]),
        ("1,23万", ["无法识别的金额“1,23万”"]),
        (None, ["金额不能为空"]),
        ("", ["金额不能为空"]),
        ("-5万元", ["金额不能为负数", "-5万元"]),
        (-1, ["金额不能为负数"]),
        ("100万美元", ["不是人民币", "只接受人民币"]),
        ("$100", ["不是人民币"]),
        ("USD 100", ["不是人民币"]),
        ("50万港币", ["不是人民币"]),
        ("10欧元", ["不是人民币"]),
        ("5斤", ["单位“斤”无法识别", "万元"]),
        (float("nan"), ["无法识别的金额"]),
        (True, ["无法识别的金额"]),
    ],
)
def test_parse_money_refuses(value: object, fragments: list[str]) -> None:
    _raises(parse_money_wan, value, *fragments)


def test_parse_money_error_in_english_names_the_value() -> None:
    error = _raises(parse_money_wan, "abc")
    assert error.en == "Cannot read the amount 'abc'; write a number with a unit such as 500万元 or 1.2亿元"


_AMOUNTS = st.decimals(min_value=0, max_value=10**10, places=4, allow_nan=False, allow_infinity=False)


@given(_AMOUNTS)
def test_money_round_trips_through_each_unit(amount: Decimal) -> None:
    assert parse_money_wan(f"{amount:f}万元") == amount
    assert parse_money_wan(f"{amount:,f}万") == amount
    assert parse_money_wan(f"{amount:f}亿元") == amount * 10000
    assert parse_money_wan(f"{amount:f}元") == amount / 10000
    assert parse_money_wan(f"{amount:f}") == amount


@pytest.mark.parametrize(
    ("value", "mu", "m2"),
    [
        ("15亩", "15", "10000"),
        ("1公顷", "15", "10000"),
        ("1 ha", "15", "10000"),
        ("1hm²", "15", "10000"),
        ("10000平方米", "15", "10000"),
        ("10000㎡", "15", "10000"),
        ("10000m²", "15", "10000"),
        ("10000 m2", "15", "10000"),
        ("10000平米", "15", "10000"),
        ("1万平方米", "15", "10000"),
        ("1平方公里", "1500", "1000000"),
        ("1km²", "1500", "1000000"),
        ("1万亩", "10000", "6666666.6667"),
        ("1亩", "1", "666.6667"),
        ("2.5", "2.5", "1666.6667"),
        (2.5, "2.5", "1666.6667"),
        ("1,200亩", "1200", "800000"),
        ("1平方米", "0.0015", "1"),
        ("0", "0", "0"),
    ],
)
def test_parse_area_converts_to_mu_and_m2(value: object, mu: str, m2: str) -> None:
    assert parse_area(value) == Area(mu=Decimal(mu), m2=Decimal(m2))


def test_parse_area_rounds_half_up_to_four_places() -> None:
    area = parse_area("1亩")
    assert area.mu.as_tuple().exponent == -4 and area.m2.as_tuple().exponent == -4
    # 0.00075 m² is 0.000001125 亩 (rounds to 0) and 0.00075 m² itself rounds half up to 0.0008.
    assert parse_area("0.00075平方米") == Area(mu=Decimal("0.0000"), m2=Decimal("0.0008"))
    assert parse_area("0.00015公顷").mu == Decimal("0.0023")  # exactly 0.00225 亩


def test_parse_area_default_unit() -> None:
    assert parse_area("10000", default_unit="平方米").mu == 15
    assert parse_area(2, default_unit="公顷").mu == 30
    assert parse_area("3亩", default_unit="公顷").mu == 3


@pytest.mark.parametrize(
    ("value", "fragments"),
    [
        ("abc", ["无法识别的面积“abc”", "120亩"]),
        (None, ["面积不能为空"]),
        (" ", ["面积不能为空"]),
        ("-1亩", ["面积不能为负数", "-1亩"]),
        (-3, ["面积不能为负数"]),
        ("5平方", ["单位“平方”无法识别", "公顷"]),
        ("5英亩", ["单位“英亩”无法识别"]),
        ("亩", ["无法识别的面积“亩”"]),
    ],
)
def test_parse_area_refuses(value: object, fragments: list[str]) -> None:
    _raises(parse_area, value, *fragments)


_AREAS = st.decimals(min_value=0, max_value=10**8, places=4, allow_nan=False, allow_infinity=False)


@given(_AREAS)
def test_area_hectares_are_fifteen_mu(hectares: Decimal) -> None:
    area = parse_area(f"{hectares:f}公顷")
    assert abs(area.mu - 15 * hectares) <= Decimal("0.00005")
    assert area.m2 == hectares * 10000


@given(_AREAS)
def test_area_mu_to_m2_is_exact_before_rounding(mu: Decimal) -> None:
    area = parse_area(f"{mu:f}亩")
    assert area.mu == mu
    assert abs(Fraction(area.m2) - Fraction(mu) * Fraction(10000, 15)) <= Fraction(1, 20000)


D = datetime.date


@pytest.mark.parametrize(
    ("value", "expected", "precision"),
    [
        ("2024年3月5日", D(2024, 3, 5), "day"),
        ("2024年03月05日", D(2024, 3, 5), "day"),
        ("2024年3月5号", D(2024, 3, 5), "day"),
        ("2024 年 3 月 5 日", D(2024, 3, 5), "day"),
        ("２０２４年３月５日", D(2024, 3, 5), "day"),
        ("2024年3月", D(2024, 3, 1), "month"),
        ("2024年", D(2024, 1, 1), "year"),
        ("2024-03-05", D(2024, 3, 5), "day"),
        ("2024-3-5", D(2024, 3, 5), "day"),
        ("2024.3.5", D(2024, 3, 5), "day"),
        ("2024/3/5", D(2024, 3, 5), "day"),
        ("2024/3/5 0:00", D(2024, 3, 5), "day"),
        ("2024-03-05T10:30:00", D(2024, 3, 5), "day"),
        ("2024.03", D(2024, 3, 1), "month"),
        ("2024-03", D(2024, 3, 1), "month"),
        ("2024/3", D(2024, 3, 1), "month"),
        ("20240305", D(2024, 3, 5), "day"),
        (20240305, D(2024, 3, 5), "day"),
        ("202403", D(2024, 3, 1), "month"),
        (45356, D(2024, 3, 5), "day"),
        (45356.75, D(2024, 3, 5), "day"),
        (Decimal("45356"), D(2024, 3, 5), "day"),
        ("45356", D(2024, 3, 5), "day"),
        ("45356.5", D(2024, 3, 5), "day"),
        (1, D(1900, 1, 1), "day"),
        (59, D(1900, 2, 28), "day"),
        (61, D(1900, 3, 1), "day"),
        (2958465, D(9999, 12, 31), "day"),
        (D(2024, 3, 5), D(2024, 3, 5), "day"),
        (datetime.datetime(2024, 3, 5, 23, 59), D(2024, 3, 5), "day"),
        ("2024年2月29日", D(2024, 2, 29), "day"),
    ],
)
def test_parse_date_precise_reads(value: object, expected: datetime.date, precision: Precision) -> None:
    assert parse_date_precise(value) == ParsedDate(expected, precision)
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "fragments"),
    [
        ("2024年2月30日", ["2024年2月30日", "不存在", "2024年2月没有30日"]),
        ("2023-02-29", ["不存在", "2023年2月没有29日"]),
        ("2024年13月", ["不存在", "没有13月"]),
        ("2024-00-10", ["没有0月"]),
        ("2024/4/31", ["2024年4月没有31日"]),
        ("20241301", ["没有13月"]),
        ("abc", ["无法识别的日期“abc”", "2024年3月5日"]),
        ("3月5日", ["无法识别的日期"]),
        ("24-3-5", ["无法识别的日期"]),
        ("2024-03/05", ["无法识别的日期"]),
        (None, ["日期不能为空"]),
        ("", ["日期不能为空"]),
        (60, ["1900年2月29日"]),
        (0, ["1 到 2958465"]),
        (0.5, ["1 到 2958465"]),
        (-5, ["1 到 2958465"]),
        (2958466, ["1 到 2958465"]),
        ("123456", ["没有56月"]),
        (float("nan"), ["无法识别的日期"]),
        (True, ["无法识别的日期"]),
        (datetime.time(10, 30), ["无法识别的日期"]),
    ],
)
def test_parse_date_refuses(value: object, fragments: list[str]) -> None:
    _raises(parse_date_precise, value, *fragments)


def _excel_serial(day: datetime.date) -> int:
    """Excel's 1900 date system, written independently of the parser: it counts a 29 February 1900."""
    serial = (day - D(1899, 12, 31)).days
    return serial if day < D(1900, 3, 1) else serial + 1


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(9999, 12, 31)), st.floats(min_value=0, max_value=0.999))
def test_excel_serials_round_trip(day: datetime.date, time_of_day: float) -> None:
    serial = _excel_serial(day)
    assert parse_date(serial + time_of_day) == day
    if 1900 <= serial <= 2100:
        return  # whole numbers 1900..2100 are read as years; see test_bare_years_are_years
    assert parse_date(serial) == day
    if serial < 100_000:
        assert parse_date(str(serial)) == day


@pytest.mark.parametrize("value", [2024, "2024", " 2024 ", 1900, "2100"])
def test_bare_years_are_years(value: object) -> None:
    parsed = parse_date_precise(value)
    assert parsed.precision == "year"
    assert parsed.date == D(int(str(value).strip()), 1, 1)


def test_numbers_just_outside_the_year_range_are_serials() -> None:
    assert parse_date_precise(2101).date == D(1905, 10, 1)
    assert parse_date_precise(1899).date == D(1905, 3, 13)


@given(st.dates(min_value=D(1000, 1, 1), max_value=D(9999, 12, 31)))
def test_written_dates_round_trip(day: datetime.date) -> None:
    for text in (
        f"{day.year}年{day.month}月{day.day}日",
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month}.{day.day}",
        day.strftime("%Y%m%d"),
    ):
        assert parse_date_precise(text) == ParsedDate(day, "day")
    assert parse_date_precise(f"{day.year}年{day.month}月") == ParsedDate(day.replace(day=1), "month")
    assert parse_date_precise(f"{day.year}年") == ParsedDate(D(day.year, 1, 1), "year")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("35%", "0.35"),
        ("35％", "0.35"),
        ("35 %", "0.35"),
        ("0.35", "0.35"),
        (0.35, "0.35"),
        (Decimal("0.35"), "0.35"),
        ("35", "0.35"),
        (35, "0.35"),
        ("100", "1"),
        ("1", "1"),
        ("0", "0"),
        ("120%", "1.2"),
        ("0.5%", "0.005"),
        ("12.5", "0.125"),
    ],
)
def test_parse_percent_returns_a_fraction(value: object, expected: str) -> None:
    assert parse_percent(value) == Decimal(expected)


@pytest.mark.parametrize(
    ("value", "fragments"),
    [
        ("150", ["超过100", "150%"]),
        (101, ["超过100"]),
        ("-5%", ["比例不能为负数", "-5%"]),
        (-0.1, ["比例不能为负数"]),
        ("abc", ["无法识别的比例“abc”", "35%"]),
        ("%", ["无法识别的比例“%”"]),
        ("35%%", ["无法识别的比例"]),
        (None, ["比例不能为空"]),
        ("", ["比例不能为空"]),
    ],
)
def test_parse_percent_refuses(value: object, fragments: list[str]) -> None:
    _raises(parse_percent, value, *fragments)


@given(st.decimals(min_value=0, max_value=10000, places=2, allow_nan=False, allow_infinity=False))
def test_percent_with_sign_is_hundredths(points: Decimal) -> None:
    assert parse_percent(f"{points:f}%") == points / 100
    if 1 < points <= 100:
        assert parse_percent(f"{points:f}") == points / 100


@pytest.mark.parametrize(
    "value",
    [
        "是",
        "有",
        "对",
        "√",
        "✓",
        "✔",
        "Y",
        "y",
        "yes",
        " YES ",
        "Yes",
        "true",
        "TRUE",
        "1",
        "真",
        1,
        1.0,
        True,
    ],
)
def test_parse_yes_no_true(value: object) -> None:
    assert parse_yes_no(value) is True


@pytest.mark.parametrize(
    "value", ["否", "无", "错", "×", "✗", "N", "n", "no", " No", "false", "False", "0", "假", 0, 0.0, False]
)
def test_parse_yes_no_false(value: object) -> None:
    assert parse_yes_no(value) is False


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("X", "无法识别的是否项“X”"),
        ("maybe", "无法识别的是否项“maybe”"),
        ("是否", "无法识别的是否项"),
        (2, "无法识别的是否项“2”"),
        (0.5, "无法识别的是否项"),
        (None, "是否项不能为空"),
        ("  ", "是否项不能为空"),
    ],
)
def test_parse_yes_no_refuses(value: object, fragment: str) -> None:
    error = _raises(parse_yes_no, value, fragment)
    assert "“是”或“否”" in error.zh or "不能为空" in error.zh


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  淄博市  临淄区 ", "淄博市 临淄区"),
        ("a\t\nb\u3000\u3000c\xa0d", "a b c d"),
        (13800138000.0, "13800138000"),
        (1.5, "1.5"),
        (42, "42"),
    ],
)
def test_normalise_text(value: object, expected: str) -> None:
    assert normalise_text(value) == expected


@given(st.text())
def test_normalise_text_is_idempotent_and_tidy(text: str) -> None:
    tidy = normalise_text(text)
    assert normalise_text(tidy) == tidy
    assert tidy == tidy.strip() and "  " not in tidy

"""Parse what people type into Chinese government spreadsheets into typed Python values.

Every parser accepts whatever a spreadsheet reader hands over (str, int, float, Decimal, date, None) and
raises ParseError, whose Chinese and English messages name the bad value so that an import report can
show the clerk exactly which cell to fix. No Django here: these run in imports, the API and scripts alike.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from zhaoshang.standards.errors import BilingualError

Precision = Literal["day", "month", "year"]


class ParseError(BilingualError):
    """A value that cannot be read; ``zh`` and ``en`` are messages for people, ``str()`` is ``zh``."""


@dataclass(frozen=True)
class _Kind:
    """The words a family of errors uses: what the value is, and how to write it correctly."""

    zh: str
    en: str
    hint_zh: str
    hint_en: str

    def unreadable(self, value: object) -> ParseError:
        shown = _show(value)
        return ParseError(
            f"无法识别的{self.zh}“{shown}”，{self.hint_zh}",
            f"Cannot read the {self.en} '{shown}'; {self.hint_en}",
        )

    def missing(self) -> ParseError:
        return ParseError(f"{self.zh}不能为空", f"The {self.en} is missing")

    def negative(self, value: object) -> ParseError:
        shown = _show(value)
        return ParseError(f"{self.zh}不能为负数：“{shown}”", f"The {self.en} cannot be negative: '{shown}'")


_NUMBER = _Kind("数字", "number", "请填写数字，如 1234.5", "write a number such as 1234.5")
_MONEY = _Kind(
    "金额",
    "amount",
    "请填写数字加单位，如 500万元、1.2亿元",
    "write a number with a unit such as 500万元 or 1.2亿元",
)
_AREA = _Kind("面积", "area", "请填写数字加单位，如 120亩、8公顷", "write a number with a unit such as 120亩")
_DATE = _Kind("日期", "date", "请按 2024年3月5日 或 2024-03-05 的格式填写", "write it like 2024-03-05")
_PERCENT = _Kind("比例", "percentage", "请填写如 35% 或 0.35", "write it like 35% or 0.35")
_YES_NO = _Kind("是否项", "yes/no value", "请填写“是”或“否”", "write 是 (yes) or 否 (no)")


def _show(value: object) -> str:
    text = value if isinstance(value, str) else repr(value) if value is None else str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _clean(text: str) -> str:
    # NFKC turns full-width digits, ％, ／ and the ideographic space into ASCII, and ㎡, m², ㎢ into m2, km2.
    return unicodedata.normalize("NFKC", text).strip()


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not _clean(value))


def _tidy(number: Decimal) -> Decimal:
    """Drop trailing zeros that unit arithmetic introduces (12000.0 → 12000) without going to 1.2E+4."""
    if not number:
        return Decimal(0)
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


# Grouping must be real thousands grouping: "1,23" is more likely a mistyped decimal than 123.
_NUMBER_TEXT = re.compile(r"[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?")
# Beyond 10^15 (万元, 亩, m²) is surely a typo; the cap also keeps unit arithmetic within Decimal precision.
_MAX_ADJUSTED_EXPONENT = 15


def parse_decimal(value: object) -> Decimal:
    """A finite number from int, float, Decimal or text such as " 1,234.5 " or "１２３"; sign allowed."""
    if _blank(value):
        raise _NUMBER.missing()
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, float):
        # str() is the shortest text that round-trips, i.e. what the spreadsheet showed; Decimal(0.1) is not.
        number = Decimal(str(value))
    elif isinstance(value, str) and _NUMBER_TEXT.fullmatch(text := _clean(value).lower()):
        number = Decimal(text.replace(",", ""))
    else:
        raise _NUMBER.unreadable(value)
    if not number.is_finite():
        raise _NUMBER.unreadable(value)
    if number and number.adjusted() > _MAX_ADJUSTED_EXPONENT:
        shown = _show(value)
        raise ParseError(f"数字“{shown}”过大，请检查是否填错", f"The number '{shown}' is too large")
    return number


_NUMBER_AND_UNIT = re.compile(r"([+-]?[\d.,]+(?:e[+-]?\d+)?)\s*(.*)")


def _split_unit(value: object, kind: _Kind, ignore: re.Pattern[str] | None = None) -> tuple[Decimal, str]:
    """Split "1.2 亿元" into (1.2, "亿元") once ``ignore`` is removed; numbers from Excel have unit ""."""
    if _blank(value):
        raise kind.missing()
    if not isinstance(value, str):
        try:
            return parse_decimal(value), ""
        except ParseError:
            raise kind.unreadable(value) from None
    text = _clean(value).lower()
    match = _NUMBER_AND_UNIT.fullmatch(ignore.sub("", text) if ignore else text)
    if match is None:
        raise kind.unreadable(value)
    try:
        return parse_decimal(match[1]), match[2]
    except ParseError:
        raise kind.unreadable(value) from None


def _unknown_unit(kind: _Kind, unit: str, value: object, units: str) -> ParseError:
    shown = _show(value)
    return ParseError(
        f"{kind.zh}“{shown}”的单位“{unit}”无法识别，可用单位：{units}",
        f"The unit '{unit}' of the {kind.en} '{shown}' is not recognised; use one of {units}",
    )


_MONEY_UNITS: dict[str, Decimal] = {
    "元": Decimal("0.0001"),
    "千元": Decimal("0.1"),
    "万元": Decimal(1),
    "万": Decimal(1),
    "百万元": Decimal(100),
    "百万": Decimal(100),
    "千万元": Decimal(1000),
    "千万": Decimal(1000),
    "亿元": Decimal(10000),
    "亿": Decimal(10000),
}
_FOREIGN_CURRENCY = re.compile(
    r"美元|美金|港元|港币|澳门元|澳元|欧元|日元|英镑|韩元|台币|卢布|外币|usd|hkd|eur|jpy|gbp|us\$|\$|€|£"
)
# Only RMB is accepted, so an explicit RMB marker carries no information and is dropped.
_RMB_MARK = re.compile(r"^(?:人民币|rmb|cny|¥)\s*|\s*(?:人民币|rmb|cny)$")


def parse_money_wan(value: object, default_unit: str = "万元") -> Decimal:
    """An RMB amount ≥ 0 in 万元: "1.2亿元" → 12000, "3,000,000元" → 300, a bare number is in default_unit.

    Units: 元, 千元, 万元/万, 百万元/百万, 千万元/千万, 亿元/亿; a leading ¥/人民币 is allowed. Foreign
    currency is refused rather than converted, because the exchange rate and date would be guesses.
    """
    if isinstance(value, str) and _FOREIGN_CURRENCY.search(_clean(value).lower()):
        shown = _show(value)
        raise ParseError(
            f"金额“{shown}”不是人民币：只接受人民币金额，外币请先按当日汇率折算为人民币",
            f"The amount '{shown}' is not in RMB; only 人民币 is accepted, convert foreign currency first",
        )
    number, unit = _split_unit(value, _MONEY, ignore=_RMB_MARK)
    unit = unit or _clean(default_unit)
    factor = _MONEY_UNITS.get(unit)
    if factor is None:
        raise _unknown_unit(_MONEY, unit, value, "元、千元、万元、百万元、千万元、亿元")
    if number < 0:
        raise _MONEY.negative(value)
    return _tidy(number * factor)


# "过百亿", "超10亿元", "近5000万", "约3亿", "数亿元", "10亿元以上": sizes officials write, not amounts.
_APPROXIMATE_AMOUNT = re.compile(
    r"^(?:过|超过?|逾|近|约|大约|上|数|几|十几|数十|上百|近百)[\d.,一二三四五六七八九十百千万亿两]*\s*(?:万元?|亿元?)"
    r"|^[\d.,一二三四五六七八九十百千两]+\s*(?:万元?|亿元?)\s*(?:以上|以下|左右|多|余)$"
    r"|^[\d.,]+\s*(?:多|余)\s*(?:万元?|亿元?)$"
)


def is_approximate_amount(value: object) -> bool:
    """Whether a money cell is a size rather than an amount ("过百亿", "超10亿元", "5亿元以上", "3亿多"): an
    import leaves the stored value as it was and warns, instead of refusing the row or guessing a figure."""
    if not isinstance(value, str):
        return False
    return bool(_APPROXIMATE_AMOUNT.search("".join(_clean(value).split())))


@dataclass(frozen=True)
class Area:
    """The same area in 亩 and in square metres, each rounded to 4 decimal places."""

    mu: Decimal
    m2: Decimal


M2_PER_MU_EXACT = Fraction(10000, 15)  # the legal 市亩: 15 亩 = 1 公顷 exactly
# Keys are after NFKC and lower(): ㎡ and m² arrive as "m2", ㏊ as "ha", ㎢ and km² as "km2".
_AREA_UNITS: dict[str, Fraction] = {
    "亩": M2_PER_MU_EXACT,
    "万亩": 10000 * M2_PER_MU_EXACT,
    "公顷": Fraction(10000),
    "ha": Fraction(10000),
    "hm2": Fraction(10000),
    "平方米": Fraction(1),
    "平米": Fraction(1),
    "m2": Fraction(1),
    "万平方米": Fraction(10000),
    "平方公里": Fraction(1_000_000),
    "平方千米": Fraction(1_000_000),
    "km2": Fraction(1_000_000),
}


def _round4(exact: Fraction) -> Decimal:
    # ROUND_HALF_UP of a non-negative value, done on the exact fraction: 1 亩 is 666.666… m², which no
    # Decimal holds exactly, so rounding a Decimal product could round the wrong way at a half.
    return Decimal(f"{math.floor(exact * 10000 + Fraction(1, 2))}e-4")


def parse_area(value: object, default_unit: str = "亩") -> Area:
    """An area ≥ 0 in 亩, 万亩, 公顷 (ha, hm²), 平方米 (㎡, m², m2, 平米), 万平方米 or 平方公里 (km²).

    A bare number is in default_unit. 1 亩 = 10000/15 m² exactly, so 1 公顷 = 15 亩.
    """
    number, unit = _split_unit(value, _AREA)
    unit = unit or _clean(default_unit).lower()
    m2_per_unit = _AREA_UNITS.get(unit)
    if m2_per_unit is None:
        raise _unknown_unit(_AREA, unit, value, "亩、万亩、公顷、平方米、万平方米、平方公里")
    if number < 0:
        raise _AREA.negative(value)
    m2 = Fraction(number) * m2_per_unit
    return Area(mu=_round4(m2 / M2_PER_MU_EXACT), m2=_round4(m2))


@dataclass(frozen=True)
class ParsedDate:
    """A date and how much of it was written: "2024年3月" is 2024-03-01 with precision "month"."""

    date: datetime.date
    precision: Precision


_DATE_FORMS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?P<y>\d{4})\s*年(?:\s*(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*[日号]?)?)?"),
    # The time after a day is dropped: CSV exports of date cells often read "2024/3/5 0:00".
    re.compile(
        r"(?P<y>\d{4})(?P<sep>[-./])(?P<m>\d{1,2})"
        r"(?:(?P=sep)(?P<d>\d{1,2})(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?)?"
    ),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})?"),
)
_SERIAL_TEXT = re.compile(r"\d{1,5}(?:\.\d+)?")
# Serial 0 would be Excel's "1900-01-00"; 2958465 is 9999-12-31, the last day Excel can show.
_MAX_SERIAL = 2958465
_SERIAL_EPOCH = datetime.date(1899, 12, 30)


def _from_serial(value: object, serial: Decimal) -> ParsedDate:
    """An Excel (1900 date system) serial day number; the fraction is the time of day and is dropped."""
    day = int(serial)
    if serial < 1 or day > _MAX_SERIAL:
        shown = _show(value)
        raise ParseError(
            f"无法把“{shown}”识别为日期：Excel 日期序号应在 1 到 {_MAX_SERIAL} 之间",
            f"Cannot read '{shown}' as a date: Excel date serials run from 1 to {_MAX_SERIAL}",
        )
    if day == 60:
        raise ParseError(
            "Excel 日期序号 60 对应不存在的 1900年2月29日，请改填正确日期",
            "Excel date serial 60 stands for 29 February 1900, which did not exist; write the real date",
        )
    # Excel kept Lotus 1-2-3's fictitious 1900-02-29 (serial 60), so earlier serials are one day further out.
    if day < 60:
        day += 1
    return ParsedDate(_SERIAL_EPOCH + datetime.timedelta(days=day), "day")


def _from_parts(value: object, year: int, month: int, day: int, precision: Precision) -> ParsedDate:
    shown = _show(value)
    if year < datetime.MINYEAR:
        raise _DATE.unreadable(value)
    if not 1 <= month <= 12:
        raise ParseError(
            f"日期“{shown}”不存在：没有{month}月，月份应为 1–12",
            f"The date '{shown}' does not exist: month {month} is not between 1 and 12",
        )
    try:
        return ParsedDate(datetime.date(year, month, day), precision)
    except ValueError:
        raise ParseError(
            f"日期“{shown}”不存在：{year}年{month}月没有{day}日",
            f"The date '{shown}' does not exist: {year}-{month:02d} has no day {day}",
        ) from None


def parse_date_precise(value: object) -> ParsedDate:
    """A date and its precision from a date object, Chinese or numeric text, or an Excel serial.

    Day: 2024年3月5日 / 5号, 2024-03-05, 2024-3-5, 2024.3.5, 2024/3/5, 20240305 (also as an int).
    Month (day set to 1): 2024年3月, 2024-03, 2024.03, 2024/3, 202403. Year (set to 1 January): 2024年.
    Excel serials (45356 = 2024-03-05) are read from int, float, Decimal, or text of at most five digits
    with an optional fraction. A whole number from 1900 to 2100 (int or text) is a year, not a serial:
    officials type "2024" meaning the year, and serials that small (1905) never occur in their sheets.
    """
    if _blank(value):
        raise _DATE.missing()
    if isinstance(value, datetime.datetime):
        return ParsedDate(value.date(), "day")
    if isinstance(value, datetime.date):
        return ParsedDate(value, "day")
    if isinstance(value, bool):
        raise _DATE.unreadable(value)
    if isinstance(value, int | str) and not isinstance(value, bool) and str(value).strip().isdigit():
        if 1900 <= int(str(value).strip()) <= 2100:
            return ParsedDate(datetime.date(int(str(value).strip()), 1, 1), "year")
    # An 8-digit whole number is far beyond any serial, and is how people type 20240305 in a number cell.
    if isinstance(value, int) and 10_000_000 <= value <= 99_999_999:
        value = str(value)
    if isinstance(value, int | float | Decimal):
        try:
            serial = parse_decimal(value)
        except ParseError:
            raise _DATE.unreadable(value) from None
        return _from_serial(value, serial)
    if not isinstance(value, str):
        raise _DATE.unreadable(value)
    text = _clean(value)
    for form in _DATE_FORMS:
        if match := form.fullmatch(text):
            year, month, day = match["y"], match["m"], match["d"]
            precision: Precision = "day" if day else "month" if month else "year"
            return _from_parts(value, int(year), int(month or 1), int(day or 1), precision)
    if _SERIAL_TEXT.fullmatch(text):
        return _from_serial(value, Decimal(text))
    raise _DATE.unreadable(value)


def parse_date(value: object) -> datetime.date:
    """The date of parse_date_precise(value), i.e. the first day of a month or year written without one."""
    return parse_date_precise(value).date


def parse_percent(value: object) -> Decimal:
    """A proportion as a fraction ≥ 0: "35%" and "35％" → 0.35.

    With a % sign any value ≥ 0 is allowed ("120%" → 1.2). Without one the number is read by size: up to 1
    it is already a fraction ("0.35" → 0.35, and "1" → 1, i.e. 100%), above 1 and up to 100 it is
    percentage points ("35" → 0.35), and above 100 it is refused as ambiguous. Excel's percent cells
    arrive as fractions (0.35), which this rule keeps.
    """
    if _blank(value):
        raise _PERCENT.missing()
    text = _clean(value) if isinstance(value, str) else None
    has_sign = text is not None and text.endswith("%")
    try:
        number = parse_decimal(text[:-1] if text is not None and has_sign else value)
    except ParseError:
        raise _PERCENT.unreadable(value) from None
    if number < 0:
        raise _PERCENT.negative(value)
    if not has_sign and number > 100:
        shown = _show(value)
        raise ParseError(
            f"比例“{shown}”超过100：如确为百分数请加 %，如 {shown}%",
            f"The percentage '{shown}' is over 100; if you mean a percentage, add %, e.g. {shown}%",
        )
    return _tidy(number / 100 if has_sign or number > 1 else number)


_YES = frozenset({"是", "有", "对", "√", "✓", "✔", "y", "yes", "true", "1", "真"})
_NO = frozenset({"否", "无", "错", "×", "✗", "✘", "n", "no", "false", "0", "假"})


def parse_yes_no(value: object) -> bool:
    """是/否, 有/无, 对/错, 真/假, √/×, ✓/✗, Y/N, yes/no, true/false, 1/0 (text or number), and bool.

    Case and spaces are ignored. "X" is refused: some people tick a box with it, others cross it out.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        try:
            number = parse_decimal(value)
        except ParseError:
            raise _YES_NO.unreadable(value) from None
        if number in (0, 1):
            return number == 1
        raise _YES_NO.unreadable(value)
    if _blank(value):
        raise _YES_NO.missing()
    if isinstance(value, str):
        key = "".join(_clean(value).lower().split())
        if key in _YES:
            return True
        if key in _NO:
            return False
    raise _YES_NO.unreadable(value)


def normalise_text(value: object) -> str:
    """Text with the ends stripped and each run of whitespace (including 　) collapsed to one space.

    None is "". A whole float is written without ".0", because Excel turns digit strings such as phone
    numbers into floats.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())

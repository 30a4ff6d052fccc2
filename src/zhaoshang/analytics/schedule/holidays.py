"""Chinese public holidays by law, and the working-day calendars the schedules count on.

Pure: no Django. Two sources, one law:

* **Published years** (the State Council's yearly notice, 国务院办公厅关于某年部分节假日安排的通知): the
  ``chinesecalendar`` package carries them, 调休 included (weekend days worked, bridge days off).
* **Any other year**: the statutory days of 《全国年节及纪念日放假办法》 placed by its own rules, with the lunar
  and solar-term dates *computed* (``tyme4py``: 寿星 astronomical algorithms for new moons and solar terms, not
  a typed table), weekends off, and a statutory day that falls on a weekend made up on the next working day
  (补假, Article 6 of the 办法: "适逢星期六、星期日，应当在工作日补假"). What only the notice decides, the
  调休 swaps, is left out; such a year is **provisional** and every calendar says which years it guessed.
* **Administrator-entered notices** (the official 调休 of a year the package does not know yet, entered as
  data and passed in here): for such a year the entered days decide, on top of the statutory days, and the
  year is no longer provisional.

The rules, by the year they came into force (national holidays for all citizens only):

=====  ====================================================================================================
2000   1999 amendment (国务院令第270号): 元旦 1; 春节 3 (正月初一–初三); 劳动节 3 (5月1–3日); 国庆 3 (10月1–3日)
2008   2007 amendment (国务院令第513号): 元旦 1; 春节 3 (除夕、初一、初二); 清明 1; 劳动节 1; 端午 1; 中秋 1;
       国庆 3
2014   2013 amendment (国务院令第644号): 春节 3 becomes 正月初一–初三
2025   2024 amendment (国务院令第795号): 春节 4 (除夕–初三); 劳动节 2 (5月1–2日)
=====  ====================================================================================================

除夕 is the last day of the twelfth lunar month (the day before 正月初一, so 腊月廿九 in a short month); 清明 is
the day of the 清明 solar term (sun at 15° ecliptic longitude, Beijing time); 端午 the 5th of the 5th lunar
month; 中秋 the 15th of the 8th.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import chinese_calendar
from chinese_calendar import constants
from tyme4py.lunar import LunarDay
from tyme4py.solar import SolarDay, SolarTerm

from zhaoshang.analytics.schedule.errors import ScheduleError

__all__ = [
    "FESTIVALS",
    "CalendarDays",
    "CnWorkdays",
    "DayAdjustment",
    "WorkdayCalendar",
    "calendar_by_name",
    "provisional_warning",
    "statutory_festivals",
    "statutory_holidays",
    "substitute_days",
]

FIRST_RULE_YEAR = 2000  # the 1999 amendment; earlier years followed rules this module does not carry

# Festival keys with their Chinese and English names (the keys are stable for JSON and tests).
FESTIVALS: dict[str, tuple[str, str]] = {
    "new_year": ("元旦", "New Year's Day"),
    "spring_festival": ("春节", "Spring Festival"),
    "qingming": ("清明节", "Tomb-sweeping Day"),
    "labour_day": ("劳动节", "Labour Day"),
    "dragon_boat": ("端午节", "Dragon Boat Festival"),
    "mid_autumn": ("中秋节", "Mid-autumn Festival"),
    "national_day": ("国庆节", "National Day"),
}


@dataclass(frozen=True, slots=True)
class _Rule:
    since: int  # first year in force
    # Spring Festival as offsets from 正月初一 (-1 is 除夕).
    spring: tuple[int, ...]
    labour_days: int
    traditional: bool  # 清明、端午、中秋 (from 2008)


_RULES = (
    _Rule(since=2025, spring=(-1, 0, 1, 2), labour_days=2, traditional=True),
    _Rule(since=2014, spring=(0, 1, 2), labour_days=1, traditional=True),
    _Rule(since=2008, spring=(-1, 0, 1), labour_days=1, traditional=True),
    _Rule(since=2000, spring=(0, 1, 2), labour_days=3, traditional=False),
)


def _rule(year: int) -> _Rule:
    for rule in _RULES:
        if year >= rule.since:
            return rule
    raise ScheduleError(
        f"法定节假日规则只收录 {FIRST_RULE_YEAR} 年以后，{year} 年无法计算",
        f"The statutory holiday rules are known from {FIRST_RULE_YEAR} on; {year} cannot be computed",
        kind="calendar_range",
    )


def _date(day: SolarDay) -> datetime.date:
    return datetime.date(day.get_year(), day.get_month(), day.get_day())


def _lunar(year: int, month: int, day: int) -> datetime.date:
    return _date(LunarDay.from_ymd(year, month, day).get_solar_day())


@lru_cache(maxsize=256)
def _festival_days(year: int) -> tuple[tuple[datetime.date, str], ...]:
    """(date, festival key) for every statutory day of ``year``, in date order; a date appears twice when two
    festivals fall on it (中秋 on 10月1日, as in 2001 and 2020)."""
    rule = _rule(year)
    one = datetime.timedelta(days=1)
    days = [(datetime.date(year, 1, 1), "new_year")]
    new_moon = _lunar(year, 1, 1)
    days += [(new_moon + k * one, "spring_festival") for k in rule.spring]
    days += [(datetime.date(year, 5, d), "labour_day") for d in range(1, rule.labour_days + 1)]
    days += [(datetime.date(year, 10, d), "national_day") for d in (1, 2, 3)]
    if rule.traditional:
        days.append((_date(SolarTerm.from_name(year, "清明").get_solar_day()), "qingming"))
        days.append((_lunar(year, 5, 5), "dragon_boat"))
        days.append((_lunar(year, 8, 15), "mid_autumn"))
    return tuple(sorted(days))


def statutory_festivals(year: int) -> dict[datetime.date, tuple[str, ...]]:
    """The statutory days of ``year`` with the festival(s) each belongs to."""
    result: dict[datetime.date, tuple[str, ...]] = {}
    for day, key in _festival_days(year):
        result[day] = (*result.get(day, ()), key)
    return result


def statutory_holidays(year: int) -> frozenset[datetime.date]:
    """The statutory days off of ``year`` (law only: no weekends, no 补假, no 调休)."""
    return frozenset(day for day, _ in _festival_days(year))


@lru_cache(maxsize=256)
def substitute_days(year: int) -> frozenset[datetime.date]:
    """补假: one working day off for each statutory day on a Saturday or Sunday, and for each festival day
    that shares its date with another festival, placed on the first working days after that festival.

    The notice may place them elsewhere; this is the placement the practice of the notices follows when no
    swap is involved (元旦 2022 on a Saturday: 3 January off; 2023 on a Sunday: 2 January off).
    """
    statutory = statutory_holidays(year)
    taken: set[datetime.date] = set()
    seen: set[datetime.date] = set()
    by_festival: dict[str, list[datetime.date]] = {}
    owed: dict[str, int] = {}
    for day, key in _festival_days(year):
        by_festival.setdefault(key, []).append(day)
        if day.weekday() >= 5 or day in seen:
            owed[key] = owed.get(key, 0) + 1
        seen.add(day)
    one = datetime.timedelta(days=1)
    for key, days in sorted(by_festival.items(), key=lambda item: item[1][0]):
        day = max(days)
        for _ in range(owed.get(key, 0)):
            day += one
            while day.weekday() >= 5 or day in statutory or day in taken:
                day += one
            taken.add(day)
    return frozenset(taken)


def provisional_warning(years: Iterable[int]) -> tuple[str, str]:
    """The sentence pages and commands show when a plan counts on computed holidays ("" when none)."""
    shown = sorted(set(years))
    if not shown:
        return "", ""
    zh_years = "、".join(str(y) for y in shown)
    en_years = ", ".join(str(y) for y in shown)
    return (
        f"含暂定假日(国务院通知未发布):{zh_years} 年按《全国年节及纪念日放假办法》计算法定假日并补假,"
        "未含调休;通知发布后请重排计划",
        f"Provisional holidays (State Council notice not yet published): {en_years} counted with the "
        "statutory days of the holiday law and their make-up days, without the notice's swaps; "
        "re-plan once the notice is published",
    )


# -- calendars ----------------------------------------------------------------------------------------------


class WorkdayCalendar(Protocol):
    """Which dates count as working days."""

    name: str

    def is_workday(self, day: datetime.date) -> bool: ...


class CalendarDays:
    """Every day counts (for contractual periods written in calendar days)."""

    name = "days"

    def __init__(self) -> None:
        self.provisional_years: set[int] = set()  # never guesses: stays empty

    def is_workday(self, day: datetime.date) -> bool:
        return True


@dataclass(frozen=True, slots=True)
class DayAdjustment:
    """One day of an administrator-entered notice: ``workday`` True for a 调休 working day, False for a day
    off (放假)."""

    day: datetime.date
    workday: bool


Adjustments = Iterable[DayAdjustment] | Callable[[], Iterable[DayAdjustment]]


class CnWorkdays:
    """Chinese working days: the published notice where the ``chinesecalendar`` package has it, an
    administrator-entered notice for a later year, else the statutory days by law (provisional).

    ``adjustments`` may be a callable: it is called once, and only when a day outside the package's years is
    asked for, so a plan within the published years never reads the database.
    """

    name = "cn-workdays"

    def __init__(self, adjustments: Adjustments = ()) -> None:
        self._is_workday = chinese_calendar.is_workday
        self.first_year: int = min(constants.holidays).year
        self.last_year: int = max(constants.holidays).year
        self.provisional_years: set[int] = set()
        self._source = adjustments
        self._entered: dict[datetime.date, bool] | None = None
        self._entered_years: frozenset[int] = frozenset()

    def published(self, year: int) -> bool:
        """The installed package carries the State Council's notice for ``year``."""
        return self.first_year <= year <= self.last_year

    def _load(self) -> dict[datetime.date, bool]:
        if self._entered is None:
            source = self._source() if callable(self._source) else self._source
            # Entries inside the package's years are ignored: the package already holds that notice.
            self._entered = {a.day: a.workday for a in source if not self.published(a.day.year)}
            self._entered_years = frozenset(d.year for d in self._entered)
        return self._entered

    def noticed(self, year: int) -> bool:
        """A notice is known for ``year``: published in the package or entered by an administrator."""
        if self.published(year):
            return True
        self._load()
        return year in self._entered_years

    def is_provisional(self, year: int) -> bool:
        return not self.noticed(year)

    def is_workday(self, day: datetime.date) -> bool:
        if self.published(day.year):
            return bool(self._is_workday(day))
        _rule(day.year)  # a year before the rules is refused before any entered notice is read
        entered = self._load()
        if day in entered:
            return entered[day]
        weekday = day.weekday() < 5
        if day.year in self._entered_years:
            # The entered notice places the days off and the swaps; the law's days stay off whatever was typed.
            return weekday and day not in statutory_holidays(day.year)
        self.provisional_years.add(day.year)
        try:
            off = statutory_holidays(day.year) | substitute_days(day.year)
        except ValueError as error:  # tyme4py refuses years beyond its range (−1…9999)
            if isinstance(error, ScheduleError):
                raise
            raise ScheduleError(
                f"无法计算 {day.year} 年的农历日期",
                f"Cannot compute lunar dates for {day.year}",
                kind="calendar_range",
            ) from error
        return weekday and day not in off


def calendar_by_name(name: str, adjustments: Adjustments = ()) -> WorkdayCalendar:
    if name == CnWorkdays.name:
        return CnWorkdays(adjustments)
    if name == CalendarDays.name:
        return CalendarDays()
    raise ScheduleError(
        f"未知日历 {name}；可用：cn-workdays, days",
        f"Unknown calendar {name}; use cn-workdays or days",
        kind="format",
    )

"""Statutory holidays by law, computed (lunar dates, the 清明 solar term), and the calendar past the notices.

Ground truth: the ``chinesecalendar`` package for the years the State Council has published (2004–2026), and
for later years the lunar and solar-term dates of the published almanacs (Hong Kong Observatory tables): the
computed dates are never typed into the code under test.
"""

from __future__ import annotations

import datetime
import subprocess
import sys

import chinese_calendar
import pytest
from chinese_calendar import constants

from zhaoshang.analytics.schedule.cpm import Step, schedule_compute, schedule_dates
from zhaoshang.analytics.schedule.errors import ScheduleError
from zhaoshang.analytics.schedule.holidays import (
    CnWorkdays,
    DayAdjustment,
    provisional_warning,
    statutory_festivals,
    statutory_holidays,
    substitute_days,
)

D = datetime.date
PUBLISHED = range(2004, 2027)
# The package's English names, per festival key of the module.
PACKAGE_NAMES = {
    "new_year": "New Year's Day",
    "spring_festival": "Spring Festival",
    "qingming": "Tomb-sweeping Day",
    "labour_day": "Labour Day",
    "dragon_boat": "Dragon Boat Festival",
    "mid_autumn": "Mid-autumn Festival",
    "national_day": "National Day",
}


def year_days(year: int) -> list[datetime.date]:
    first = D(year, 1, 1)
    return [first + datetime.timedelta(days=i) for i in range((D(year + 1, 1, 1) - first).days)]


# -- the rules ----------------------------------------------------------------------------------------------


def test_rules_of_2000_without_traditional_festivals() -> None:
    # 2007: 春节 正月初一 = 2月18日, 劳动节 5月1–3日, no 清明/端午/中秋 yet.
    days = statutory_festivals(2007)
    assert sorted(d for d, keys in days.items() if "spring_festival" in keys) == [
        D(2007, 2, d) for d in (18, 19, 20)
    ]
    assert [d for d, keys in days.items() if "labour_day" in keys] == [D(2007, 5, d) for d in (1, 2, 3)]
    assert len(days) == 10 and not {"qingming", "dragon_boat", "mid_autumn"} & {
        k for ks in days.values() for k in ks
    }


def test_rules_of_2008_give_new_years_eve_not_the_third_day() -> None:
    # 2010: 正月初一 = 2月14日, so 除夕 2月13日, 初二 2月15日; 清明 4月5日, 端午 6月16日, 中秋 9月22日.
    days = statutory_festivals(2010)
    assert sorted(d for d, keys in days.items() if "spring_festival" in keys) == [
        D(2010, 2, d) for d in (13, 14, 15)
    ]
    assert {D(2010, 4, 5), D(2010, 6, 16), D(2010, 9, 22), D(2010, 5, 1)} <= set(days)
    assert D(2010, 5, 2) not in days and len(statutory_holidays(2010)) == 11


def test_rules_of_2014_and_of_2025() -> None:
    spring = lambda y: sorted(d for d, ks in statutory_festivals(y).items() if "spring_festival" in ks)  # noqa: E731
    assert spring(2024) == [D(2024, 2, d) for d in (10, 11, 12)]  # 初一–初三
    # 2025: 除夕 is 腊月廿九 (a short twelfth month): 1月28日, the day before 正月初一.
    assert spring(2025) == [D(2025, 1, d) for d in (28, 29, 30, 31)]
    assert {D(2025, 5, 1), D(2025, 5, 2)} <= statutory_holidays(2025) and D(
        2025, 5, 3
    ) not in statutory_holidays(2025)
    assert len(statutory_holidays(2024)) == 11 and len(statutory_holidays(2025)) == 13


@pytest.mark.parametrize(
    ("year", "new_moon", "qingming", "dragon_boat", "mid_autumn"),
    [
        (2027, D(2027, 2, 6), D(2027, 4, 5), D(2027, 6, 9), D(2027, 9, 15)),
        (2028, D(2028, 1, 26), D(2028, 4, 4), D(2028, 5, 28), D(2028, 10, 3)),
        (2029, D(2029, 2, 13), D(2029, 4, 4), D(2029, 6, 16), D(2029, 9, 22)),
        (2030, D(2030, 2, 3), D(2030, 4, 5), D(2030, 6, 5), D(2030, 9, 12)),
    ],
)
def test_future_years_by_the_2024_rules(
    year: int,
    new_moon: datetime.date,
    qingming: datetime.date,
    dragon_boat: datetime.date,
    mid_autumn: datetime.date,
) -> None:
    one = datetime.timedelta(days=1)
    expected = {D(year, 1, 1), D(year, 5, 1), D(year, 5, 2), D(year, 10, 1), D(year, 10, 2), D(year, 10, 3)}
    expected |= {
        new_moon - one,
        new_moon,
        new_moon + one,
        new_moon + 2 * one,
        qingming,
        dragon_boat,
        mid_autumn,
    }
    assert statutory_holidays(year) == expected


def test_qingming_agrees_with_the_packages_own_solar_term_formula_through_2100() -> None:
    # chinesecalendar computes solar terms with a different method (century constants); the two must agree.
    def ours(year: int) -> datetime.date:
        (day,) = [d for d, ks in statutory_festivals(year).items() if "qingming" in ks]
        return day

    for year in range(2008, 2100):  # 清明 is a holiday from 2008
        terms = chinese_calendar.get_solar_terms(D(year, 4, 1), D(year, 4, 30))
        assert [ours(year)] == [d for d, name in terms if name == "清明"], year
    # In 2100 the package's century-constant formula gives 4月4日; the sun reaches 15° on 5 April at about
    # 00:42 Beijing time (Meeus's low-precision solar longitude agrees), so 4月5日 is right.
    assert ours(2100) == D(2100, 4, 5)


def test_before_2000_is_refused() -> None:
    with pytest.raises(ScheduleError) as info:
        statutory_holidays(1999)
    assert info.value.kind == "calendar_range" and "2000" in info.value.zh


# -- against the published years ----------------------------------------------------------------------------


@pytest.mark.parametrize("year", PUBLISHED)
def test_statutory_days_are_the_published_holidays(year: int) -> None:
    for day, keys in statutory_festivals(year).items():
        assert not chinese_calendar.is_workday(day), (year, day, keys)
        # The package names its holidays; where it lists the day, one of our festivals is that name. (It omits
        # 2012-06-23, a Saturday within 端午 6月22–24日, which is still a day off.)
        if day in constants.holidays:
            assert constants.holidays[day] in {PACKAGE_NAMES[k] for k in keys}, (day, keys)


# Days off beyond the law in a notice: 2015 纪念抗战胜利70周年 (9月3–4日 off, 9月6日 worked: +1); 2020 新冠疫情
# extended 春节 (1月31日 off, the 2月1日 Saturday no longer worked: +2).
EXTRA = {2015: 1, 2020: 2}
# A New Year swap made in the year before (2011-12-31 worked for 2012-01-03 off): those years count as a pair.
# Before 2008 such swaps chain from year to year back past the package's first year, so the balance starts at
# 2008 (the statutory days themselves are checked from 2004, above).
PAIRS = [(2011, 2012)]


def _balance(years: tuple[int, ...]) -> tuple[int, int]:
    """(weekdays off − weekend days worked by the package, statutory weekdays + 补假 by law): every bridge day
    a notice adds is paid for by a weekend day worked, so the two agree when the law is right."""
    days = [d for y in years for d in year_days(y)]
    published = sum(d.weekday() < 5 and not chinese_calendar.is_workday(d) for d in days) - sum(
        d.weekday() >= 5 and chinese_calendar.is_workday(d) for d in days
    )
    by_law = sum(
        sum(d.weekday() < 5 for d in statutory_holidays(y)) + len(substitute_days(y)) + EXTRA.get(y, 0)
        for y in years
    )
    return published, by_law


def test_days_off_balance_with_the_law_every_published_year() -> None:
    paired = {y for pair in PAIRS for y in pair}
    groups = [(y,) for y in range(2008, 2027) if y not in paired] + PAIRS
    for group in groups:
        published, by_law = _balance(group)
        assert published == by_law, group


def test_make_up_days_fall_on_published_days_off_but_two() -> None:
    # The notice placed two of them elsewhere: 2012 端午 (Saturday) made up on Friday 6月22日, before it; 2015
    # 中秋 (Sunday 9月27日) made up within the National Day week.
    moved = {d for y in range(2008, 2027) for d in substitute_days(y) if chinese_calendar.is_workday(d)}
    assert moved == {D(2012, 6, 25), D(2015, 9, 28)}


def test_make_up_days_of_2027_and_2028() -> None:
    # 2027: 初一/初二 on Saturday/Sunday → 2月9–10日; 5月1–2日 Saturday/Sunday → 5月3–4日; 10月2–3日 → 10月4–5日.
    assert substitute_days(2027) == {
        D(2027, 2, 9),
        D(2027, 2, 10),
        D(2027, 5, 3),
        D(2027, 5, 4),
        D(2027, 10, 4),
        D(2027, 10, 5),
    }
    # 2028: 10月1日 is a Sunday, and 中秋 falls on 10月3日 with 国庆: two days owed, 10月4–5日.
    assert {d for d in substitute_days(2028) if d.month == 10} == {D(2028, 10, 4), D(2028, 10, 5)}


# -- the calendar -------------------------------------------------------------------------------------------


def test_a_plan_for_2027_skips_the_spring_festival() -> None:
    calendar = CnWorkdays()
    assert calendar.last_year < 2027  # else this test no longer tests the provisional path
    schedule = schedule_compute([Step("A", "受理", 10)])
    dates = schedule_dates(schedule, D(2027, 2, 1), calendar)
    # 2月1–4日 (4), then 除夕 2月5日 to 2月10日 off (初一/初二 on the weekend made up on 9–10日), then 11–12日
    # and 15–18日: the tenth working day is 2月18日.
    assert (dates.start, dates.finish) == (D(2027, 2, 1), D(2027, 2, 18))
    assert not any(calendar.is_workday(D(2027, 2, d)) for d in range(5, 11))
    assert calendar.is_workday(D(2027, 2, 11)) and not calendar.is_workday(D(2027, 2, 13))
    assert calendar.provisional_years == {2027} and calendar.is_provisional(2027)
    assert not calendar.is_provisional(2026)


def test_published_years_still_follow_the_notice() -> None:
    calendar = CnWorkdays()
    assert not calendar.is_workday(D(2024, 2, 12)) and calendar.is_workday(D(2024, 2, 18))  # 调休 Sunday
    assert calendar.provisional_years == set()


def test_entered_notice_replaces_the_provisional_days() -> None:
    one = datetime.timedelta(days=1)
    # An invented notice for 2027: 2月5–13日 off, Sunday 2月14日 worked; nothing entered for October.
    notice = [DayAdjustment(D(2027, 2, 5) + k * one, workday=False) for k in range(9)]
    notice.append(DayAdjustment(D(2027, 2, 14), workday=True))
    calls: list[int] = []

    def load() -> list[DayAdjustment]:
        calls.append(1)
        return notice

    calendar = CnWorkdays(load)
    assert calendar.is_workday(D(2024, 3, 1)) and calls == []  # a published year never loads the entries
    assert not calendar.is_workday(D(2027, 2, 11)) and not calendar.is_workday(D(2027, 2, 12))  # entered off
    assert calendar.is_workday(D(2027, 2, 14))  # entered working Sunday
    assert calendar.is_workday(D(2027, 10, 4))  # the law's make-up day is the notice's to place: not entered
    assert not calendar.is_workday(D(2027, 10, 1))  # a statutory day stays off though not typed
    assert not calendar.is_provisional(2027) and calendar.provisional_years == set()
    assert calendar.is_workday(D(2028, 10, 4)) is False and calendar.provisional_years == {2028}
    assert calls == [1]


def test_entries_for_a_published_year_are_ignored() -> None:
    calendar = CnWorkdays([DayAdjustment(D(2024, 2, 12), workday=True)])
    assert not calendar.is_workday(D(2024, 2, 12))


def test_warning_names_the_years() -> None:
    zh, en = provisional_warning([2028, 2027, 2027])
    assert zh.startswith("含暂定假日(国务院通知未发布)") and "2027、2028 年" in zh
    assert "2027, 2028" in en and provisional_warning([]) == ("", "")


def test_holidays_module_does_not_import_django() -> None:
    code = "import sys, zhaoshang.analytics.schedule.holidays; sys.exit('django' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0

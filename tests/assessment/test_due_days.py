"""The days a month's submissions are due: a city sets its districts' (and zones'), a province its cities';
the defaults are the 5th and the 10th of the following month; the status boards show them and count overdue
by them; a district's administrator is refused (403, the reason), another city's supervisor gets a 404."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from zhaoshang.assessment.models import DueDay
from zhaoshang.assessment.submissions import CITY_DUE_DAY, DISTRICT_DUE_DAY, status_board

MONTH = datetime.date(2026, 10, 1)
URL = reverse("assessment_reporting") + "?month=2026-10"


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _set(user: Any, level: str, unit: Any, day: Any) -> Any:
    data = {"action": "due_day", "month": "2026-10", "level": level, "unit": unit.pk, "day": day}
    return signed_in(user).post(reverse("assessment_reporting"), data)


def test_the_defaults_are_the_5th_and_the_10th(org: Any, users: Any) -> None:
    board = status_board(users["city_admin"], MONTH, today=datetime.date(2026, 11, 6))
    linzi = next(r for r in board["district_rows"] if r["district"] == org["linzi_district"])
    assert linzi["due"] == datetime.date(2026, 11, DISTRICT_DUE_DAY) and linzi["overdue"]
    assert [(d["level"], d["day"]) for d in board["deadlines"]] == [("district", DISTRICT_DUE_DAY)]
    early = status_board(users["city_admin"], MONTH, today=datetime.date(2026, 11, 5))
    assert not next(r for r in early["district_rows"] if r["district"] == org["linzi_district"])["overdue"]
    page = signed_in(users["linzi_admin"]).get(URL).content.decode()
    assert 'id="deadlines"' in page and "次月 5 日前（2026-11-05）" in page
    assert 'name="action" value="due_day"' not in page  # a district's administrator may not change it


def test_the_city_sets_its_districts_day_audited_and_the_board_counts_by_it(province: Any) -> None:
    zibo, supervisor = province["zibo"], province["city_admin"]
    linzi_admin = province["users"]["linzi_admin"]
    response = _set(supervisor, "district", zibo, 12)
    assert response.status_code == 302
    record = DueDay.objects.get(city=zibo)
    assert record.day == 12 and record.history.get().history_user == supervisor
    board = status_board(linzi_admin, MONTH, today=datetime.date(2026, 11, 10))
    row = next(r for r in board["district_rows"] if r["district"] == province["linzi_district"])
    assert row["due"] == datetime.date(2026, 11, 12) and not row["overdue"]
    later = status_board(linzi_admin, MONTH, today=datetime.date(2026, 11, 13))
    assert next(r for r in later["district_rows"] if r["district"] == province["linzi_district"])["overdue"]
    # 潍坊's districts keep the default; the province sees both cities' days.
    board = status_board(province["province_admin"], MONTH, today=datetime.date(2026, 11, 10))
    days = {r["district"].city_id: r["due"].day for r in board["district_rows"]}
    assert days[zibo.pk] == 12 and days[province["weifang"].pk] == DISTRICT_DUE_DAY
    page = signed_in(supervisor).get(URL).content.decode()
    assert "次月 12 日前（2026-11-12）" in page and 'name="action" value="due_day"' in page


def test_the_province_sets_its_cities_day(province: Any) -> None:
    admin, zibo = province["province_admin"], province["zibo"]
    before = status_board(admin, MONTH, today=datetime.date(2026, 11, 11))
    assert {r["due"].day for r in before["city_rows"]} == {CITY_DUE_DAY}
    assert all(r["overdue"] for r in before["city_rows"])
    assert _set(admin, "city", province["province"], 15).status_code == 302
    after = status_board(admin, MONTH, today=datetime.date(2026, 11, 11))
    assert {r["due"].day for r in after["city_rows"]} == {15}
    assert not any(r["overdue"] for r in after["city_rows"])
    # The city's supervisor sees the province's day for their city, and may not change it.
    mine = status_board(province["city_admin"], MONTH)
    assert [(d["level"], d["day"], d["can_change"]) for d in mine["deadlines"]] == [
        ("district", DISTRICT_DUE_DAY, True),
        ("city", 15, False),
    ]
    refused = _set(province["city_admin"], "city", province["province"], 20)
    assert refused.status_code == 403 and "你的角色(市级管理员)不能修改月报截止日" in refused.content.decode()
    assert DueDay.objects.get(province=province["province"]).day == 15
    # The province may set a city's day for its districts too.
    assert _set(admin, "district", zibo, 8).status_code == 302
    assert DueDay.objects.get(city=zibo).day == 8


def test_a_district_is_refused_and_another_city_hidden(province: Any) -> None:
    zibo, weifang = province["zibo"], province["weifang"]
    linzi_admin = province["users"]["linzi_admin"]
    refused = _set(linzi_admin, "district", zibo, 20)
    assert refused.status_code == 403 and "你的角色(区县管理员)不能修改月报截止日" in refused.content.decode()
    assert _set(linzi_admin, "district", weifang, 20).status_code == 404
    assert _set(province["weifang_admin"], "district", zibo, 20).status_code == 404
    assert _set(province["weifang_admin"], "district", weifang, 3).status_code == 302
    assert not DueDay.objects.filter(city=zibo).exists()
    assert DueDay.objects.get(city=weifang).day == 3


def test_a_day_past_the_28th_is_refused(province: Any) -> None:
    response = _set(province["city_admin"], "district", province["zibo"], 31)
    assert response.status_code == 302
    told = [str(m) for m in get_messages(response.wsgi_request)]
    assert told and not DueDay.objects.exists()
    assert _set(province["city_admin"], "district", province["zibo"], "五").status_code == 302
    assert not DueDay.objects.exists()

"""Holiday notices entered by the city's administrators: who may, what is refused, the audit, the calendar."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from zhaoshang.core.models import CalendarAdjustment
from zhaoshang.core.selectors import calendar_adjustments, work_calendar

ADD = "/admin/core/calendaradjustment/add/"


def test_city_admin_enters_a_notice_day_audited(users: Any, client_for: Any) -> None:
    client = client_for("city_admin")
    response = client.post(
        ADD, {"date": "2027-02-14", "kind": "work", "notice": "国办发明电〔2026〕1号", "note": "春节"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = CalendarAdjustment.objects.get(date=datetime.date(2027, 2, 14))
    record = entry.history.get()
    assert record.history_user == users["city_admin"] and record.history_type == "+"
    # Sunday 2027-02-14 is now a working day; the year is no longer provisional.
    calendar = work_calendar()
    assert calendar.is_workday(datetime.date(2027, 2, 14)) and not calendar.is_provisional(2027)
    assert calendar_adjustments()[0].workday is True


def test_a_district_admin_may_not(client_for: Any) -> None:
    client = client_for("linzi_admin")
    assert client.get(ADD).status_code == 403
    client.post(ADD, {"date": "2027-02-05", "kind": "off", "notice": "x"})
    assert not CalendarAdjustment.objects.exists()


def test_refused_entries(org: Any, as_test_actor: Any) -> None:
    published = CalendarAdjustment(date=datetime.date(2025, 10, 9), kind="off", notice="x")
    with pytest.raises(ValidationError) as info:
        published.full_clean()
    assert "date" in info.value.message_dict
    weekday_work = CalendarAdjustment(date=datetime.date(2027, 2, 10), kind="work", notice="x")  # a Wednesday
    with pytest.raises(ValidationError) as info:
        weekday_work.full_clean()
    assert "kind" in info.value.message_dict
    CalendarAdjustment(date=datetime.date(2027, 2, 13), kind="work", notice="x").full_clean()  # a Saturday

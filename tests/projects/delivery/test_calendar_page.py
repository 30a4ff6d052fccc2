"""The project page marks a plan that counts on provisional holidays, and drops the mark once the notice is in."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.urls import reverse

from zhaoshang.core.audit import acting_as
from zhaoshang.core.models import CalendarAdjustment
from zhaoshang.projects.factories import ProjectFactory

MARK = "含暂定假日(国务院通知未发布)"


def test_a_plan_into_2027_is_marked_and_skips_the_spring_festival(
    org: Any, users: Any, client_for: Any
) -> None:
    project = ProjectFactory(district=org["linzi_district"])
    client = client_for("linzi_admin")
    assert client.post(reverse("project_steps_create", args=[project.pk])).status_code == 302
    moved = client.post(
        reverse("project_schedule", args=[project.pk]), {"start": "2027-01-25", "calendar": "cn"}, follow=True
    )
    assert MARK in " ".join(str(m) for m in moved.context["messages"])
    off = {datetime.date(2027, 2, d) for d in range(5, 11)}  # 除夕 to the make-up days of 初一/初二
    for step in project.steps.all():
        assert step.planned_start not in off and step.planned_finish not in off, step.code
    page = client.get(reverse("project_detail", args=[project.pk]))
    html = page.content.decode()
    # The plan runs on past 2027: construction goes in front of the completion acceptance, so the later years
    # whose holidays are computed are named too.
    assert 'id="calendar-provisional"' in html and MARK in html
    assert re.search(r"2027(、20\d\d)* 年的计划", html)
    assert page.context["approvals"]["provisional_years"][0] == 2027

    # The city's administrator enters the notice for 2027: the mark goes, the plan is official.
    with acting_as(users["city_admin"], "web"):
        CalendarAdjustment.objects.create(
            date=datetime.date(2027, 2, 5), kind="off", notice="国办发明电〔2026〕1号"
        )
    page = client.get(reverse("project_detail", args=[project.pk]))
    # The approvals end within 2027 (93 working days from 25 January): 2027 is official now. The completion
    # acceptance waits for an 18-month build (no expected production date) and falls in 2028, still provisional.
    years = page.context["approvals"]["provisional_years"]
    assert 2027 not in years and years and min(years) == 2028
    assert re.search(r"(?<!、)2028(、20\d\d)* 年的计划", page.content.decode())


def test_a_plan_within_the_published_years_carries_no_mark(org: Any, client_for: Any) -> None:
    project = ProjectFactory(district=org["linzi_district"])
    client = client_for("linzi_admin")
    client.post(reverse("project_steps_create", args=[project.pk]))
    client.post(reverse("project_schedule", args=[project.pk]), {"start": "2024-01-02", "calendar": "cn"})
    page = client.get(reverse("project_detail", args=[project.pk]))
    assert page.context["approvals"]["provisional_years"] == [] and MARK not in page.content.decode()

"""Vertical reporting: a district's (or zone's) month submitted to the city and verified or returned there, the
city's roll-up of verified district months submitted to and verified by the province; figures frozen as
submitted; nobody verifies their own; another city's submission is a 404."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404

from zhaoshang.assessment.models import MonthlySubmission
from zhaoshang.assessment.province_demo import province_demo_ensure
from zhaoshang.assessment.services import city_submit, district_submit, submission_return, submission_verify
from zhaoshang.assessment.submissions import (
    add_figures,
    due_date,
    month_figures,
    province_rollup,
    status_board,
    waiting_for,
)
from zhaoshang.core.audit import acting_as, system_actor
from zhaoshang.core.factories import RoleAssignmentFactory, RoleFactory, UserFactory
from zhaoshang.core.models import ActionEntry, District
from zhaoshang.core.scope import forget_scopes
from zhaoshang.projects.factories import ProjectFactory

TODAY = datetime.date.today()
MONTH = (TODAY.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)  # last month


@pytest.fixture
def province(org: Any) -> dict[str, Any]:
    with acting_as(system_actor("demo"), "demo"):
        found = province_demo_ensure("secret-password")
        role = RoleFactory(code="city-clerk", actions=["view", "add", "change"])
        clerk = RoleAssignmentFactory(user=UserFactory(username="zibo_clerk"), role=role)
        clerk.cities.add(found["zibo"])
        other = RoleAssignmentFactory(
            user=UserFactory(username="province_second"), role=RoleFactory(code="p2")
        )
        other.all_districts = True
        other.save()
    for user in org["users"].values():
        forget_scopes(user)
    return {**found, **org, "zibo_clerk": clerk.user, "province_second": other.user}


def signed(district: District, investment: int, day: int = 10) -> Any:
    with acting_as(system_actor("test"), "system"):
        return ProjectFactory(
            district=district, total_investment=investment, signed_date=MONTH.replace(day=day)
        )


def test_a_district_month_is_frozen_as_submitted(province: Any) -> None:
    linzi, linzi_admin = province["linzi_district"], province["users"]["linzi_admin"]
    before = month_figures([linzi.pk], MONTH)[linzi.pk]
    signed(linzi, 12345)
    submission = district_submit(user=linzi_admin, district=linzi, month=MONTH)
    assert submission.figures["signed_projects"] == before["signed_projects"] + 1
    assert Decimal(submission.figures["signed_investment"]) == Decimal(before["signed_investment"]) + 12345
    assert submission.status == "submitted" and submission.city_id == province["zibo"].pk
    signed(linzi, 500)  # later data changes the dashboard, never the submission
    submission.refresh_from_db()
    assert Decimal(submission.figures["signed_investment"]) == Decimal(before["signed_investment"]) + 12345
    live = month_figures([linzi.pk], MONTH)[linzi.pk]
    assert Decimal(live["signed_investment"]) == Decimal(before["signed_investment"]) + 12845
    entry = ActionEntry.objects.get(action="report_submit", object_id=submission.pk)
    assert entry.actor == linzi_admin and entry.district_id == linzi.pk
    assert submission.history.count() == 1


def test_the_city_verifies_or_returns_and_nobody_verifies_their_own(province: Any) -> None:
    users, linzi, huantai = province["users"], province["linzi_district"], province["huantai_district"]
    city_admin = users["city_admin"]
    linzi_month = district_submit(user=users["linzi_admin"], district=linzi, month=MONTH)
    with pytest.raises(Http404):  # a district cannot verify, not even another district's
        submission_verify(user=users["huantai_admin"], submission=linzi_month)
    verified = submission_verify(user=city_admin, submission=linzi_month)
    assert verified.status == "verified" and verified.verified_by == city_admin
    with pytest.raises(ValidationError):  # once verified the month is closed
        district_submit(user=users["linzi_admin"], district=linzi, month=MONTH)
    own = district_submit(
        user=city_admin, district=huantai, month=MONTH
    )  # the city may submit for a district
    with pytest.raises(ValidationError, match="自己"):
        submission_verify(user=city_admin, submission=own)
    huantai_month = district_submit(user=users["huantai_admin"], district=huantai, month=MONTH)
    assert huantai_month.pk == own.pk  # submitted again: one submission per district and month
    with pytest.raises(ValidationError):
        submission_return(user=city_admin, submission=huantai_month, reason="  ")
    returned = submission_return(user=city_admin, submission=huantai_month, reason="开工项目数与台账不符")
    assert returned.status == "returned" and returned.return_reason == "开工项目数与台账不符"
    again = district_submit(user=users["huantai_admin"], district=huantai, month=MONTH)
    assert again.status == "submitted" and again.return_reason == "" and again.verified_by is None
    assert list(waiting_for(city_admin)) == [again]
    assert not waiting_for(users["huantai_admin"]).exists()
    actions = set(
        ActionEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(own)), object_id__in=[linzi_month.pk, own.pk]
        ).values_list("action", flat=True)
    )
    assert actions == {"report_submit", "report_verify", "report_return"}


def test_another_citys_units_are_404_to_a_city_user(province: Any) -> None:
    city_admin, weifang = province["users"]["city_admin"], province["weifang_counties"][0]
    with pytest.raises(Http404):
        district_submit(user=city_admin, district=weifang, month=MONTH)
    weifang_month = district_submit(user=province["province_admin"], district=weifang, month=MONTH)
    with pytest.raises(Http404):
        submission_verify(user=city_admin, submission=weifang_month)
    with pytest.raises(Http404):
        city_submit(user=city_admin, city=province["weifang"], month=MONTH)
    submission_verify(user=province["province_second"], submission=weifang_month)  # the province covers it


def test_the_city_rolls_up_verified_months_and_the_province_verifies(province: Any) -> None:
    users, zibo = province["users"], province["zibo"]
    clerk, city_admin = province["zibo_clerk"], users["city_admin"]
    zone = province["zones"][0]
    signed(zone, 30000)  # a functional zone reports like a county and counts in the roll-up
    signed(province["linzi_district"], 20000)
    districts = list(District.objects.filter(city=zibo))
    months = [district_submit(user=clerk, district=d, month=MONTH) for d in districts]
    with pytest.raises(ValidationError, match="尚未审核通过"):
        city_submit(user=city_admin, city=zibo, month=MONTH)
    for submission in months[:-1]:
        submission_verify(user=city_admin, submission=submission)
    with pytest.raises(ValidationError):  # one still waiting: the city cannot report yet
        city_submit(user=city_admin, city=zibo, month=MONTH)
    submission_verify(user=city_admin, submission=months[-1])
    with pytest.raises(Http404):  # a district user does not report for the city
        city_submit(user=users["linzi_admin"], city=zibo, month=MONTH)
    city_month = city_submit(user=city_admin, city=zibo, month=MONTH)
    children = [m.figures for m in MonthlySubmission.objects.filter(level="district", city=zibo, month=MONTH)]
    expected = add_figures(children)
    assert {k: city_month.figures[k] for k in expected} == expected  # sum of children = parent
    assert city_month.figures["districts"] == len(districts)
    zone_month = MonthlySubmission.objects.get(district=zone, month=MONTH)
    assert Decimal(zone_month.figures["signed_investment"]) >= 30000
    assert Decimal(city_month.figures["signed_investment"]) >= 50000
    with pytest.raises(Http404):  # a city does not verify its own level
        submission_verify(user=city_admin, submission=city_month)
    assert province_rollup(MONTH)["cities"] == 0  # not verified yet: not in the province's sum
    submission_verify(user=province["province_admin"], submission=city_month)
    rollup = province_rollup(MONTH)
    assert (
        rollup["cities"] == 1
        and rollup["figures"]["signed_investment"] == city_month.figures["signed_investment"]
    )


def test_status_boards_per_level(province: Any) -> None:
    users, zibo, weifang = province["users"], province["zibo"], province["weifang"]
    linzi = province["linzi_district"]
    district_submit(user=users["linzi_admin"], district=linzi, month=MONTH)
    late = due_date(MONTH, "district") + datetime.timedelta(days=1)
    board = status_board(users["city_admin"], MONTH, today=late)
    assert board["level"] == "city"
    seen = {row["district"].pk: row for row in board["district_rows"]}
    assert set(seen) == set(District.objects.filter(city=zibo).values_list("pk", flat=True))
    assert {z.pk for z in province["zones"]} <= set(seen)
    assert seen[linzi.pk]["status"] == "submitted" and not seen[linzi.pk]["overdue"]
    assert seen[linzi.pk]["can_verify"]
    assert seen[province["huantai_district"].pk]["overdue"]  # not submitted after the due day
    assert [row["city"] for row in board["city_rows"]] == [zibo]
    early = status_board(users["city_admin"], MONTH, today=MONTH)
    assert not any(row["overdue"] for row in early["district_rows"])
    province_board = status_board(province["province_admin"], MONTH)
    assert province_board["level"] == "province"
    assert {row["city"] for row in province_board["city_rows"]} == {zibo, weifang}
    drilled = status_board(province["province_admin"], MONTH, weifang)
    assert {row["district"].city_id for row in drilled["district_rows"]} == {weifang.pk}
    mine = status_board(users["linzi_admin"], MONTH)
    assert [row["district"] for row in mine["district_rows"]] == [linzi]
    assert mine["city_rows"] == [] and not mine["district_rows"][0]["can_verify"]


def test_the_reporting_page(province: Any, client: Any) -> None:
    users, linzi = province["users"], province["linzi_district"]
    month = f"{MONTH:%Y-%m}"
    signed(linzi, 23456)
    client.force_login(users["linzi_admin"])
    response = client.post(
        "/assessment/reporting/", {"action": "submit_district", "district": linzi.pk, "month": month}
    )
    assert response.status_code == 302
    submission = MonthlySubmission.objects.get(district=linzi, month=MONTH)
    client.force_login(users["huantai_admin"])
    assert (
        client.post(
            "/assessment/reporting/", {"action": "verify", "submission": submission.pk, "month": month}
        ).status_code
        == 404
    )
    client.force_login(users["city_admin"])
    page = client.get("/assessment/reporting/", {"month": month})
    assert (
        page.status_code == 200
        and "功能区" in page.content.decode()
        and "潍城区" not in page.content.decode()
    )
    # Amounts in 万元 with thousands separators, as the tables officials read print them.
    amount = Decimal(submission.figures["signed_investment"])
    assert amount >= 1000 and f"{amount:,.2f}" in page.content.decode()
    assert f">{amount:.2f}<" not in page.content.decode()
    assert client.get("/assessment/reporting/", {"city": province["weifang"].pk}).status_code == 404
    client.post("/assessment/reporting/", {"action": "verify", "submission": submission.pk, "month": month})
    submission.refresh_from_db()
    assert submission.status == "verified"
    client.force_login(province["province_admin"])
    page = client.get("/assessment/reporting/", {"month": month})
    assert (
        page.status_code == 200
        and "潍坊市" in page.content.decode()
        and "province-rollup" in page.content.decode()
    )


def test_the_board_takes_the_same_queries_whatever_the_units(province: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = province["province_admin"]
    status_board(admin, MONTH)  # the levels and scopes cached on the user
    with CaptureQueriesContext(connection) as before:
        status_board(admin, MONTH)
    with acting_as(system_actor("test"), "system"):
        for n in range(5):
            District.objects.create(
                city=province["weifang"], adcode=f"3707{90 + n}", name=f"示例区{n}", kind="zone"
            )
    district_submit(user=province["users"]["city_admin"], district=province["linzi_district"], month=MONTH)
    with CaptureQueriesContext(connection) as after:
        board = status_board(admin, MONTH)
    assert len(board["district_rows"]) >= len(District.objects.all())
    assert len(after.captured_queries) == len(before.captured_queries)

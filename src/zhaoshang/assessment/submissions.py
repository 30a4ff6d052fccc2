"""Vertical reporting, the reads: a reporting unit's month figures (live), the submissions a user may see, and
the status board of each level — district and zone → city → province (who submitted, verified, returned, is
overdue). The writes are in `assessment.services`."""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from zhaoshang.assessment.models import DueDay, MonthlySubmission
from zhaoshang.core.models import City, District, Province
from zhaoshang.core.scope import covered_city_ids, covers_city, scope_level, user_scope
from zhaoshang.projects.models import InvestmentCompletion, Project, StageMove

# The month's figures a unit reports (its dashboard's numbers for that month), in this order.
FIGURES = {
    "signed_projects": _("签约项目数(个)"),
    "signed_investment": _("签约金额(万元)"),
    "started_projects": _("开工项目数(个)"),
    "completed_investment": _("完成投资(万元)"),
}
MONEY = ("signed_investment", "completed_investment")
# A month's submissions are due by these days of the following month unless the level above sets its own
# (assessment.models.DueDay): the districts' (set by their city), then the city's (set by its province).
DISTRICT_DUE_DAY = 5
CITY_DUE_DAY = 10


def month_first(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_last(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def due_date(month: datetime.date, level: str, day: int | None = None) -> datetime.date:
    """The day of the following month by which `level`'s month is due: `day`, else the default."""
    following = month_last(month) + datetime.timedelta(days=1)
    return following.replace(day=day or (DISTRICT_DUE_DAY if level == "district" else CITY_DUE_DAY))


def due_days(cities: list[City]) -> dict[int, tuple[int, int]]:
    """Per city (in one query): the day of the following month its districts' and zones' month is due (the
    city's setting) and the day its own is due (its province's setting); the defaults where none is set."""
    provinces = {c.province_id for c in cities if c.province_id}
    rows = DueDay.objects.filter(Q(city__in=[c.pk for c in cities]) | Q(province__in=provinces))
    by_city = {r.city_id: r.day for r in rows if r.city_id}
    by_province = {r.province_id: r.day for r in rows if r.province_id}
    return {
        c.pk: (by_city.get(c.pk, DISTRICT_DUE_DAY), by_province.get(c.province_id, CITY_DUE_DAY))
        for c in cities
    }


def zero_figures() -> dict[str, Any]:
    return {key: ("0.00" if key in MONEY else 0) for key in FIGURES}


def month_figures(district_ids: list[int], month: datetime.date) -> dict[int, dict[str, Any]]:
    """Each district's figures of the month from the live data, in four grouped queries whatever the number of
    districts: projects signed (a capital increase adds money, not a project), verified starts, and completed
    investment verified by someone other than its reporter. Money as decimal strings in 万元."""
    start, end = month_first(month), month_last(month)
    found = {pk: zero_figures() for pk in district_ids}
    projects = Project.objects.filter(district__in=district_ids).exclude(stage="reserve")
    signed = (
        projects.filter(signed_date__range=(start, end))
        .order_by()
        .values("district")
        .annotate(
            n=Count("pk", filter=Q(increase_of__isnull=True)),
            money=Sum("total_investment"),
        )
    )
    for row in signed:
        found[row["district"]]["signed_projects"] = row["n"]
        found[row["district"]]["signed_investment"] = _money(row["money"])
    started = (
        StageMove.objects.filter(
            project__in=projects.filter(increase_of__isnull=True),
            to_stage="started",
            verified_at__isnull=False,
            date__range=(start, end),
        )
        .order_by()
        .values("project__district")
        .annotate(n=Count("project", distinct=True))
    )
    for row in started:
        found[row["project__district"]]["started_projects"] = row["n"]
    completed = (
        InvestmentCompletion.objects.filter(
            project__district__in=district_ids, month=start, verified_by__isnull=False
        )
        .exclude(verified_by=F("reported_by"))
        .order_by()
        .values("project__district")
        .annotate(money=Sum("amount"))
    )
    for row in completed:
        found[row["project__district"]]["completed_investment"] = _money(row["money"])
    return found


def _money(value: Any) -> str:
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


def add_figures(many: list[dict[str, Any]]) -> dict[str, Any]:
    """The sum of several submissions' figures (money added as decimals, never floats)."""
    total = zero_figures()
    for figures in many:
        for key in FIGURES:
            if key in MONEY:
                total[key] = _money(Decimal(total[key]) + Decimal(str(figures.get(key) or 0)))
            else:
                total[key] = int(total[key]) + int(figures.get(key) or 0)
    return total


def visible_submissions(user: Any, action: str = "view") -> Any:
    """The submissions a user may see: a district's where they may see the district, a city's where they cover
    the city (or everywhere)."""
    scope = user_scope(user, action)
    rows = MonthlySubmission.objects.select_related("district", "city", "submitted_by", "verified_by")
    if scope.all_districts:
        return rows
    return rows.filter(
        Q(level="district", district__in=scope.district_ids) | Q(level="city", city__in=scope.city_ids)
    )


def can_verify(user: Any, submission: MonthlySubmission) -> bool:
    """Whether `user` is the level above: the city's for a district's month, the province's for a city's."""
    if submission.level == MonthlySubmission.Level.DISTRICT:
        return covers_city(user, "verify", submission.city_id)
    return scope_level(user, "verify") == "province"


def _overdue(status: str | None, due: datetime.date, today: datetime.date) -> bool:
    open_ = status in (None, MonthlySubmission.Status.RETURNED)
    return open_ and today > due


def _cells(figures: dict[str, Any]) -> list[Any]:
    return [figures.get(key, 0) for key in FIGURES]


def status_board(
    user: Any, month: datetime.date, city: City | None = None, today: datetime.date | None = None
) -> dict[str, Any]:
    """One month's board for the user's level: the districts and zones they see (of `city` if given) with their
    live and submitted figures and status, and — for a city's or the province's users — each covered city's
    roll-up of verified district submissions and its own submission. A constant number of queries."""
    today = today or datetime.date.today()
    month = month_first(month)
    districts = (
        District.objects.restrict(user, "view")
        .select_related("city__province")
        .order_by("city", "kind", "adcode")
    )
    if city is not None:
        districts = districts.filter(city=city)
    districts = list(districts)
    ids = [d.pk for d in districts]
    live = month_figures(ids, month)
    submitted = {
        s.district_id: s
        for s in MonthlySubmission.objects.filter(
            level="district", month=month, district__in=ids
        ).select_related("submitted_by", "verified_by")
    }
    covered = covered_city_ids(user, "view")
    cities = City.objects.select_related("province").order_by("adcode")
    if covered is not None:
        cities = cities.filter(pk__in=covered)
    if city is not None:
        cities = cities.filter(pk=city.pk)
    cities = list(cities)
    # The cities whose deadlines the board shows: those of its districts and those it rolls up.
    shown = {c.pk: c for c in [*(d.city for d in districts), *cities]}
    days = due_days(list(shown.values()))
    change = user_scope(user, "change")
    district_rows = []
    for district in districts:
        submission = submitted.get(district.pk)
        status = submission.status if submission else None
        due = due_date(month, "district", days[district.city_id][0])
        district_rows.append(
            {
                "district": district,
                "live": _cells(live[district.pk]),
                "submitted": _cells(submission.figures) if submission else None,
                "submission": submission,
                "status": status,
                "due": due,
                "overdue": _overdue(status, due, today),
                "can_submit": change.allows(district.pk) and status != MonthlySubmission.Status.VERIFIED,
                "can_verify": submission is not None
                and status == MonthlySubmission.Status.SUBMITTED
                and submission.submitted_by_id != user.pk
                and can_verify(user, submission),
            }
        )
    city_rows = _city_rows(user, cities, month, today, days)
    return {
        "month": month,
        "level": scope_level(user, "view"),
        "district_rows": district_rows,
        "city_rows": city_rows,
        "deadlines": _deadlines(user, list(shown.values()), cities, month, days),
        "labels": list(FIGURES.values()),
    }


def _deadlines(
    user: Any,
    cities: list[City],
    rolled_up: list[City],
    month: datetime.date,
    days: dict[int, tuple[int, int]],
) -> list[dict[str, Any]]:
    """The deadlines the board shows, each with whether the user may change it: each city's for its districts
    and zones (its supervisor, or the province), then — for the cities' and the province's users, whose board
    rolls cities up — each province's for its cities (the province)."""
    rows = []
    for city in sorted(cities, key=lambda c: c.adcode):
        day = days[city.pk][0]
        rows.append(
            {
                "level": "district",
                "unit": city,
                "day": day,
                "due": due_date(month, "district", day),
                "can_change": covers_city(user, "verify", city),
            }
        )
    provinces: dict[int, Province] = {c.province_id: c.province for c in rolled_up if c.province_id}
    everywhere = user_scope(user, "verify").all_districts
    for city in rolled_up:
        if city.province_id in provinces:
            province = provinces.pop(city.province_id)
            day = days[city.pk][1]
            rows.append(
                {
                    "level": "city",
                    "unit": province,
                    "day": day,
                    "due": due_date(month, "city", day),
                    "can_change": everywhere,
                }
            )
    return rows


def _city_rows(
    user: Any,
    cities: list[City],
    month: datetime.date,
    today: datetime.date,
    days: dict[int, tuple[int, int]],
) -> list[dict[str, Any]]:
    if not cities:
        return []
    ids = [c.pk for c in cities]
    counts = dict(
        District.objects.filter(city__in=ids).order_by().values_list("city").annotate(n=Count("pk"))
    )
    verified: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
    for city_id, figures in MonthlySubmission.objects.filter(
        level="district", month=month, city__in=ids, status=MonthlySubmission.Status.VERIFIED
    ).values_list("city", "figures"):
        verified[city_id].append(figures)
    own = {
        s.city_id: s
        for s in MonthlySubmission.objects.filter(level="city", month=month, city__in=ids).select_related(
            "submitted_by", "verified_by"
        )
    }
    rows = []
    for city in cities:
        submission = own.get(city.pk)
        status = submission.status if submission else None
        complete = len(verified[city.pk]) == counts.get(city.pk, 0) and counts.get(city.pk, 0) > 0
        due = due_date(month, "city", days[city.pk][1])
        rows.append(
            {
                "city": city,
                "districts": counts.get(city.pk, 0),
                "verified": len(verified[city.pk]),
                "rollup": _cells(add_figures(verified[city.pk])),
                "submitted": _cells(submission.figures) if submission else None,
                "submission": submission,
                "status": status,
                "due": due,
                "overdue": _overdue(status, due, today),
                "can_submit": complete
                and covers_city(user, "change", city)
                and status != MonthlySubmission.Status.VERIFIED,
                "can_verify": submission is not None
                and status == MonthlySubmission.Status.SUBMITTED
                and submission.submitted_by_id != user.pk
                and can_verify(user, submission),
            }
        )
    return rows


def province_rollup(month: datetime.date) -> dict[str, Any]:
    """The province's month: the sum of the cities' verified submissions (frozen figures)."""
    rows = MonthlySubmission.objects.filter(
        level="city", month=month_first(month), status=MonthlySubmission.Status.VERIFIED
    ).values_list("figures", flat=True)
    figures = list(rows)
    total = add_figures(figures)
    return {
        "cities": len(figures),
        "figures": total,
        "pairs": [(label, total[key]) for key, label in FIGURES.items()],
    }


def waiting_for(user: Any) -> Any:
    """Submissions waiting for this user's verification (not their own)."""
    rows = MonthlySubmission.objects.filter(status=MonthlySubmission.Status.SUBMITTED).exclude(
        submitted_by=user
    )
    scope = user_scope(user, "verify")
    if scope.all_districts:
        return rows if scope_level(user, "verify") == "province" else rows.filter(level="district")
    return rows.filter(level="district", city__in=scope.city_ids)

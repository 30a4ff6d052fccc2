"""Reads for pages and reports; every one starts from `restrict`."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from zhaoshang.analytics.schedule.holidays import DayAdjustment, WorkdayCalendar, calendar_by_name
from zhaoshang.core.models import CalendarAdjustment, Department, District, Park, Team, Town


def _count(model: Any, **extra: Any) -> Any:
    rows = (
        model.objects.filter(district=OuterRef("pk"), **extra)
        .order_by()
        .values("district")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def district_overview(user: Any) -> QuerySet[District]:
    """Districts the user may see, with the size of their organisation, in one query."""
    return (
        District.objects.restrict(user, "view")
        .select_related("city")
        .annotate(
            towns=_count(Town),
            parks=_count(Park),
            chemical_parks=_count(Park, is_chemical_park=True),
            departments=_count(Department),
            teams=_count(Team),
        )
    )


def calendar_adjustments() -> list[DayAdjustment]:
    """The administrator-entered holiday notices (放假 / 调休上班 days) for the working-day calendar."""
    return [
        DayAdjustment(day, kind == CalendarAdjustment.Kind.WORK)
        for day, kind in CalendarAdjustment.objects.values_list("date", "kind")
    ]


def work_calendar(name: str = "cn-workdays") -> WorkdayCalendar:
    """The calendar plans are counted on: the published notices, the entered ones, else the law (provisional).
    The entered notices are read only if a plan reaches a year the calendar package does not cover."""
    return calendar_by_name(name, calendar_adjustments)

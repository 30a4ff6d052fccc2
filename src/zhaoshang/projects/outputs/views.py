"""The 推进情况表 page: choose a month and a place, see the table, download it (``?format=xlsx``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from zhaoshang.core.downloads import download_check
from zhaoshang.core.models import City, District
from zhaoshang.core.spreadsheets import download_response
from zhaoshang.projects.outputs.progress_table import (
    ALL_LEVELS,
    CITY_LEVELS,
    Selection,
    headers,
    progress_table,
    workbook,
)

DOWNLOAD = "progress_table_xlsx"


def _month(value: str, current: datetime.date) -> datetime.date | None:
    """The first of ``YYYY-MM``; the current month when empty; None when it is not a month."""
    if not value:
        return current
    try:
        return datetime.date.fromisoformat(value + "-01")
    except ValueError:
        return None


def _default_place(districts: Any, cities: Any) -> tuple[Any, Any]:
    """(district, city) when nothing is chosen: a user of one district gets it; a user who sees every district and
    zone of one city gets that city (so the title names the place); otherwise (None, None): all they see."""
    if districts.count() == 1:
        return districts.first(), None
    if len(cities) == 1 and not District.objects.filter(city=cities[0]).exclude(pk__in=districts).exists():
        return None, cities[0]
    return None, None


class ProgressTableView(LoginRequiredMixin, View):
    def get(self, request: Any) -> HttpResponse:
        current = datetime.date.today().replace(day=1)
        districts = District.objects.restrict(request.user, "view").select_related("city")
        cities = City.objects.filter(pk__in=districts.values("city")).order_by("adcode")
        district = districts.filter(pk=request.GET.get("district") or 0).first()
        city = None if district else cities.filter(pk=request.GET.get("city") or 0).first()
        if district is None and city is None:  # nothing chosen: the user's one district, or their whole city
            district, city = _default_place(districts, cities)
        levels = ALL_LEVELS if request.GET.get("lists") == "all" else CITY_LEVELS
        month = _month(request.GET.get("month", ""), current)
        wants_file = request.GET.get("format") == "xlsx"
        if wants_file:  # the gate first: a refused file costs no work
            if city is not None:  # every district and zone of the city the user sees
                for member in districts.filter(city=city):
                    download_check(request.user, DOWNLOAD, member)
            else:
                download_check(request.user, DOWNLOAD, district)
            if month is None or month > current:
                raise Http404  # a month that has not begun has no table
        error = ""
        if month is None or month > current:
            error = _("所选月份尚未开始,已改为本月。") if month else _("月份格式应为“年-月”。")
            month = current
        selection = Selection(month=month, district=district, city=city, levels=tuple(levels))
        table = progress_table(request.user, selection)
        if wants_file:
            return download_response(workbook(table, selection), selection.filename)
        context = {
            "selection": selection,
            "table": table,
            "headers": headers(month),
            "month_value": month.strftime("%Y-%m"),
            "max_month": current.strftime("%Y-%m"),
            "districts": districts,
            "cities": cities,
            "district": district,
            "city": city,
            "all_lists": request.GET.get("lists") == "all",
            "error": error,
        }
        return render(request, "projects/outputs/progress_table.html", context)

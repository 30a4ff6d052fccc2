"""Vertical reporting pages: the status board of a month at the user's level, and the actions on it (submit,
verify, return) — each a service call; another district's or city's submission is a 404."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from zhaoshang.assessment.services import (
    city_submit,
    district_submit,
    due_day_set,
    submission_return,
    submission_verify,
)
from zhaoshang.assessment.submissions import province_rollup, status_board, visible_submissions
from zhaoshang.core.models import City, District, Province
from zhaoshang.core.scope import covered_city_ids, scope_level


def _month(value: str | None) -> datetime.date:
    today = datetime.date.today()
    try:
        return datetime.date.fromisoformat((value or today.strftime("%Y-%m")) + "-01")
    except ValueError:
        raise Http404 from None


def _city(user: Any, value: str | None) -> City | None:
    if not value:
        return None
    covered = covered_city_ids(user, "view")
    cities = City.objects.all() if covered is None else City.objects.filter(pk__in=covered)
    return get_object_or_404(cities, pk=value if str(value).isdigit() else 0)


class ReportingView(LoginRequiredMixin, View):
    """月报: who has submitted, been verified, returned, or is overdue — districts and zones for the city, the
    cities (and, drilled in, a city's districts) for the province, the user's own units for a district."""

    def get(self, request: Any) -> HttpResponse:
        month = _month(request.GET.get("month"))
        city = _city(request.user, request.GET.get("city"))
        board = status_board(request.user, month, city)
        context = {
            **board,
            "city": city,
            "province": province_rollup(month) if scope_level(request.user) == "province" else None,
        }
        return render(request, "assessment/reporting.html", context)

    def post(self, request: Any) -> HttpResponse:
        user, action = request.user, request.POST.get("action", "")
        month = _month(request.POST.get("month"))
        try:
            if action == "submit_district":
                district = get_object_or_404(
                    District.objects.restrict(user, "change"), pk=_pk(request.POST.get("district"))
                )
                district_submit(user=user, district=district, month=month, channel="web")
                messages.success(request, _("已报送 %(unit)s 的月报。") % {"unit": district.name})
            elif action == "submit_city":
                city = _city(user, request.POST.get("city"))
                if city is None:
                    raise Http404
                city_submit(user=user, city=city, month=month, channel="web")
                messages.success(request, _("已报送 %(unit)s 的月报。") % {"unit": city.name})
            elif action in ("verify", "return"):
                submission = get_object_or_404(
                    visible_submissions(user), pk=_pk(request.POST.get("submission"))
                )
                if action == "verify":
                    submission_verify(user=user, submission=submission, channel="web")
                    messages.success(request, _("已审核通过。"))
                else:
                    submission_return(
                        user=user, submission=submission, reason=request.POST.get("reason", ""), channel="web"
                    )
                    messages.success(request, _("已退回。"))
            elif action == "due_day":
                _due_day(request)
            else:
                raise Http404
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        query = f"?month={month:%Y-%m}"
        if request.POST.get("back_city", "").isdigit():
            query += f"&city={request.POST['back_city']}"
        return redirect(reverse("assessment_reporting") + query)


def _due_day(request: Any) -> None:
    """The day of the following month by which the level below reports: a city's for its districts and zones,
    a province's for its cities; refused or hidden by `due_day_set`."""
    post = request.POST
    if post.get("level") == "district":
        unit: Any = get_object_or_404(City, pk=_pk(post.get("unit")))
        where = {"city": unit}
    elif post.get("level") == "city":
        unit = get_object_or_404(Province, pk=_pk(post.get("unit")))
        where = {"province": unit}
    else:
        raise Http404
    day = _pk(post.get("day"))
    due_day_set(user=request.user, day=day, **where)
    messages.success(
        request, _("已将 %(unit)s 的月报截止日设为次月 %(day)s 日。") % {"unit": unit.name, "day": day}
    )


def _pk(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0

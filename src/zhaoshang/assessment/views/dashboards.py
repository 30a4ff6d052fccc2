"""The leaders' view: targets against actuals, the funnel, rates by chain, stuck projects; the city's comparison."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View

from zhaoshang.analytics.rates.engine import Period
from zhaoshang.analytics.status.rule import Card
from zhaoshang.assessment.forecasting import (
    ForecastNotConfigured,
    backtest_request,
    forecast_request,
    latest_forecast,
)
from zhaoshang.assessment.models import Target
from zhaoshang.assessment.selectors import (
    ASIDE,
    GROUPS,
    RATE_LABELS,
    rate_definitions,
    rate_table,
    rate_tables,
    rollup_tables,
    target_actual,
    target_progress,
    target_records,
)
from zhaoshang.assessment.views.big_screen import screen_figures
from zhaoshang.core.models import City, District, Job, Park
from zhaoshang.core.scope import covered_city_ids, has_city_rights, scope_level
from zhaoshang.projects.delivery.blockers import OPEN, overdue_blockers_q
from zhaoshang.projects.fagai_selectors import fagai_figures
from zhaoshang.projects.models import Blocker, Project
from zhaoshang.projects.selectors import assessed_statuses, stage_funnel, status_display
from zhaoshang.projects.stages import stages_for


def _int(value: str) -> int:
    return int(value) if value.isdigit() else 0


def _year(request: Any) -> int:
    today = datetime.date.today()
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= today.year + 1 else today.year


def _period(year: int) -> Period:
    end = min(datetime.date(year, 12, 31), datetime.date.today())
    return Period(datetime.date(year, 1, 1), end)


def _home_district(user: Any, districts: Any) -> Any:
    """The user's own district (profile), else the busiest one they may see."""
    profile = getattr(user, "profile", None)
    if profile is not None and profile.district_id and districts.filter(pk=profile.district_id).exists():
        return profile.district
    return districts.annotate(n=Count("project")).order_by("-n", "adcode").first()


def _project_map(projects: Any) -> dict[str, Any]:
    """Projects on the map by park: one circle per park, sized by investment, coloured by how many are stuck."""

    rows = list(
        projects.exclude(stage="reserve")
        .filter(park__isnull=False)
        .order_by()
        .values("park", "park__name")
        .annotate(
            n=Count("pk"),
            investment=Sum("total_investment"),
            stuck=Count("pk", filter=Q(status__in=[Project.Status.DELAYED, Project.Status.STALLED])),
        )
    )
    # The outlines apart: grouping thousands of projects by a JSON polygon costs more than a second query.
    outlines = dict(Park.objects.filter(pk__in=[r["park"] for r in rows]).values_list("pk", "boundary"))
    parks = []
    for row in sorted(rows, key=lambda r: r["park__name"]):
        boundary = outlines.get(row["park"]) or {}
        ring = (boundary.get("coordinates") or [[[]]])[0] if boundary.get("type") == "Polygon" else []
        if not ring:
            continue
        lng = sum(p[0] for p in ring[:-1]) / max(len(ring) - 1, 1)
        lat = sum(p[1] for p in ring[:-1]) / max(len(ring) - 1, 1)
        parks.append(
            {
                "name": row["park__name"],
                "lng": lng,
                "lat": lat,
                "projects": row["n"],
                "investment": float(row["investment"] or 0) / 10000,
                "stuck": row["stuck"],
            }
        )
    return {"parks": parks}


def _rows(
    table: dict[str, dict[str, Any]], group: str, period: Period, district: Any | None = None
) -> list[dict[str, Any]]:
    """Each group's rates as cells: the figure, numerator and denominator, the projects set aside, and the
    link to the records behind it (for the same period and district, so the drill-down shows this figure)."""
    bounded = {d["key"]: d["bounded"] for d in rate_definitions()}
    rows = []
    for name, rates in table.items():
        cells = []
        for key, label in RATE_LABELS.items():
            rate = rates[key]
            query = {
                "group": group,
                "name": name,
                "rate": key,
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "district": district.pk if district is not None else "",
            }
            url = reverse("assessment_drill") + "?" + urlencode(query)
            aside = [(ASIDE[reason], len(keys)) for reason, keys in rate.aside if keys]
            cells.append(
                {
                    "key": key,
                    "label": label,
                    "rate": rate,
                    "url": url,
                    "aside": aside,
                    "bounded": bounded[key],
                }
            )
        rows.append({"name": name, "cells": cells})
    return rows


def _rate_period(request: Any) -> Period:
    """``start``/``end`` when given (the rates page and its drill-downs), else the ``year`` up to today."""
    try:
        start = request.GET.get("start")
        end = request.GET.get("end")
        if start and end:
            first, last = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
            return Period(min(first, last), max(first, last))
    except ValueError:
        raise Http404 from None
    return _period(_year(request))


STUCK_SHOWN = 12


def _stuck(projects: Any) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The projects the facts flag (红牌 first, then by investment) and the count of each card: the status
    computed from overdue steps and promises, whatever was typed (`projects.selectors.assessed_statuses`)."""
    found = assessed_statuses(projects)
    flagged = {p.pk: p for p in projects.filter(pk__in=list(found))}
    order = sorted(flagged.values(), key=lambda p: (-found[p.pk].card, -(p.total_investment or 0), p.name))
    rows = [{"project": p, **status_display(found[p.pk])} for p in order[:STUCK_SHOWN]]
    red = sum(1 for a in found.values() if a.card == Card.RED)
    return rows, {"red": red, "yellow": len(found) - red}


class LeaderDashboardView(LoginRequiredMixin, View):
    """One district at a glance; the big-screen mode (?screen=1) fills a meeting-room display and refreshes."""

    def get(self, request: Any) -> HttpResponse:
        user = request.user
        districts = District.objects.restrict(user, "view")
        district = districts.filter(pk=request.GET.get("district") or 0).first() or _home_district(
            user, districts
        )
        if district is None:
            raise Http404
        year = _year(request)
        period = _period(year)
        projects = Project.objects.restrict(user, "view").filter(district=district)
        # The counted projects by stage; terminated ones are their own figure, never a stage's bar.
        funnel = stage_funnel(projects, stages_for(district), district.pk)
        stuck, cards = _stuck(projects)
        blockers = Blocker.objects.restrict(user, "view").filter(project__district=district, status__in=OPEN)
        tables = rate_tables(user, ("chain", "district"), period, district)
        context = {
            "project_map": _project_map(projects),
            "district": district,
            "districts": districts,
            "year": year,
            "targets": target_progress(user, year, district),
            "chain_rows": _rows(tables["chain"], "chain", period, district),
            "district_rows": _rows(tables["district"], "district", period, district),
            "rate_info": rate_definitions(),
            "funnel": funnel["bars"],
            "funnel_terminated": funnel["terminated"],
            "stuck": stuck,
            "cards": cards,
            "open_blockers": blockers.count(),
            "overdue_blockers": blockers.filter(overdue_blockers_q(datetime.date.today())).count(),
            "forecast": latest_forecast(district),
            "screen": request.GET.get("screen") == "1",
            "rate_labels": RATE_LABELS,
            "fagai": fagai_figures(user, year, district),  # 发改: lists, planned and completed investment
        }
        if context["screen"]:  # 大屏模式: its own layout (assessment/views/big_screen.py)
            context.update(screen_figures(projects, year, context["targets"], request.GET.get("refresh")))
            return render(request, "assessment/big_screen.html", context)
        return render(request, "assessment/dashboard.html", context)


class CityView(LoginRequiredMixin, View):
    """The city compares its districts and functional zones on the same definitions; the province compares its
    cities, then drills into one (?city=) → its districts and zones → a district's dashboard."""

    def get(self, request: Any) -> HttpResponse:
        user = request.user
        if not has_city_rights(user, "view"):
            raise Http404
        year = _year(request)
        period = _period(year)
        covered = covered_city_ids(user, "view")
        cities = City.objects.order_by("adcode")
        if covered is not None:
            cities = cities.filter(pk__in=covered)
        city = None
        if request.GET.get("city"):
            city = get_object_or_404(cities, pk=_int(request.GET["city"]))
        elif covered is not None and len(covered) == 1:
            city = cities.first()
        province = scope_level(user, "view") == "province"
        # Added up from per-district results kept under the districts' facts versions, keyed by the objects:
        # two districts of the same name (two 市中区) are two rows, each linking to its own dashboard.
        tables = rollup_tables(
            user,
            period,
            city=city,
            groups=("district", "city") if city is None and province else ("district",),
        )
        city_rows = []
        for found, rates, _counts in tables.get("city", []):
            row = _rows({found.name: rates}, "city", period)[0]
            row["link"] = f"?year={year}&city={found.pk}"
            city_rows.append(row)
        rows = []
        for found, rates, _counts in tables["district"]:
            row = _rows({found.name: rates}, "district", period, found)[0]
            row["zone"] = found.is_zone
            row["link"] = reverse("assessment_dashboard") + f"?district={found.pk}&year={year}"
            rows.append(row)
        targets = target_progress(user, year, city=city)
        context = {
            "year": year,
            "city": city,
            "cities": cities if province or (covered is not None and len(covered) > 1) else [],
            "city_rows": city_rows,
            "rows": rows,
            "targets": targets,
            "rate_labels": RATE_LABELS,
            "rate_info": rate_definitions(),
            "fagai": fagai_figures(user, year),
        }
        return render(request, "assessment/city.html", context)


class DrillView(LoginRequiredMixin, View):
    """The projects behind one figure: who is in the numerator, who only in the denominator, who is set aside
    (and why), with the rate's definition."""

    def get(self, request: Any) -> HttpResponse:
        group, name, rate_key = (
            request.GET.get("group", ""),
            request.GET.get("name", ""),
            request.GET.get("rate", ""),
        )
        if group not in GROUPS or rate_key not in RATE_LABELS:
            raise Http404
        period = _rate_period(request)
        district = (
            District.objects.restrict(request.user, "view")
            .filter(pk=request.GET.get("district") or 0)
            .first()
        )
        city = None
        if district is None and group == "city":  # one city's projects, not the province's
            covered = covered_city_ids(request.user, "view")
            cities = City.objects.filter(name=name)
            city = (cities if covered is None else cities.filter(pk__in=covered)).order_by("pk").first()
            if city is None:
                raise Http404
        table = rate_table(request.user, group, period, district, city=city, members=True)
        if name not in table:
            raise Http404
        rate = table[name][rate_key]
        aside = [(reason, ASIDE[reason], keys) for reason, keys in rate.aside if keys]
        ids = {int(k) for k in rate.members_denominator} | {int(k) for k in rate.members_numerator}
        ids |= {int(k) for _r, _l, keys in aside for k in keys}
        projects = {p.pk: p for p in Project.objects.restrict(request.user, "view").filter(pk__in=ids)}
        numerator = [projects[int(k)] for k in rate.members_numerator if int(k) in projects]
        in_numerator = set(rate.members_numerator)
        rest = [
            projects[int(k)] for k in rate.members_denominator if int(k) in projects and k not in in_numerator
        ]
        set_aside = [
            {
                "reason": reason,
                "label": label,
                "projects": [projects[int(k)] for k in keys if int(k) in projects],
            }
            for reason, label, keys in aside
        ]
        context = {
            "group": GROUPS[group],
            "name": name,
            "label": RATE_LABELS[rate_key],
            "definition": next(d for d in rate_definitions() if d["key"] == rate_key),
            "rate": rate,
            "year": period.end.year,
            "period": period,
            "numerator": numerator,
            "rest": rest,
            "set_aside": set_aside,
        }
        return render(request, "assessment/drill.html", context)


class TargetDrillView(LoginRequiredMixin, View):
    """The records behind a target's actual: the projects, funds entries or investors that make it up."""

    def get(self, request: Any, pk: int) -> HttpResponse:
        target = get_object_or_404(
            Target.objects.restrict(request.user, "view").select_related("district"), pk=pk
        )
        actual = target_actual(request.user, target)
        progress = {"actual": actual, "completion": float(actual / target.value) if target.value else None}
        context = {"target": target, "progress": progress, **target_records(request.user, target)}
        return render(request, "assessment/target_drill.html", context)


class ForecastView(LoginRequiredMixin, View):
    """The fan chart: will output reach the target (e.g. 5,000 亿 in three years), and which projects decide it.

    Today's forecast is computed once per change of the data (see ``forecasting``): here for a small district,
    in the worker for a large one, while this page shows its progress and reloads when it is ready."""

    def get(self, request: Any) -> HttpResponse:
        districts = District.objects.restrict(request.user, "view")
        district = districts.filter(pk=request.GET.get("district") or 0).first() or _home_district(
            request.user, districts
        )
        if district is None:
            raise Http404
        context: dict[str, Any] = {"district": district, "districts": districts, "forecast": None}
        try:
            job = forecast_request(district, request.user)
        except ForecastNotConfigured:
            return render(request, "assessment/forecast.html", context)
        if request.headers.get("HX-Request"):
            if job.done:
                response = HttpResponse()
                response["HX-Refresh"] = "true"
                return response
            return render(request, "assessment/_forecast_progress.html", {**context, "job": job})
        context["job"] = job
        if job.status == Job.Status.SUCCEEDED:
            context["forecast"] = job.result
            # Its back-test, stored the same way (in the worker for a large district: shown when ready).
            backtest = backtest_request(district, request.user)
            context["backtest_job"] = backtest
            context["backtest"] = backtest.result if backtest.status == Job.Status.SUCCEEDED else None
        return render(request, "assessment/forecast.html", context)

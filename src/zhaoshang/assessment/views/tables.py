"""The tables behind the dashboards: any rate for any period and grouping (with its Excel), the rates' definitions,
and the monthly rankings with their Word report."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from zhaoshang.analytics.rates.engine import Period
from zhaoshang.assessment.report import assessment_document
from zhaoshang.assessment.scoring import changes_since_scored, rankings
from zhaoshang.assessment.selectors import (
    COUNT_LABELS,
    GROUPS,
    RATE_LABELS,
    count_tables,
    definitions_for,
    rate_definitions,
    rate_table,
)
from zhaoshang.assessment.views.dashboards import _home_district, _rows
from zhaoshang.assessment.wholes import district_wholes
from zhaoshang.core.downloads import download_check
from zhaoshang.core.jobs import job_submit
from zhaoshang.core.models import District
from zhaoshang.core.scope import has_city_rights
from zhaoshang.core.spreadsheets import Sheet, download_response, workbook_response


class RateDefinitionsView(LoginRequiredMixin, View):
    """What each rate counts: numerator, denominator, how to read it, and the district's parameters."""

    def get(self, request: Any) -> HttpResponse:
        districts = District.objects.restrict(request.user, "view")
        district = districts.filter(pk=request.GET.get("district") or 0).first() or _home_district(
            request.user, districts
        )
        parameters = definitions_for(district)
        whole_years = (
            sorted(district_wholes([district.pk], parameters).get(district.name, {})) if district else []
        )
        context = {
            "definitions": rate_definitions(),
            "district": district,
            "parameters": parameters,
            "whole_years": whole_years,
        }
        return render(request, "assessment/rate_definitions.html", context)


class RankingsView(LoginRequiredMixin, View):
    def get(self, request: Any) -> HttpResponse:
        if request.GET.get("format") == "docx":
            return self.word(request)

        today = datetime.date.today()
        try:
            month = datetime.date.fromisoformat((request.GET.get("month") or today.strftime("%Y-%m")) + "-01")
        except ValueError:
            raise Http404 from None
        districts = District.objects.restrict(request.user, "view")
        district = districts.filter(pk=request.GET.get("district") or 0).first()
        ranked = rankings(request.user, month, "district")
        scored = {row["snapshot"].district_id for row in ranked}
        context = {
            "month": month,
            "districts": ranked,
            # Districts with nothing to assess get no score: listed as 未参评, never ranked at 0.
            "unranked_districts": [d.name for d in districts if d.pk not in scored],
            "teams": rankings(request.user, month, "team", district),
            "can_compute": has_city_rights(request.user, "verify"),
            "unscored": changes_since_scored(request.user, month),
        }
        return render(request, "assessment/rankings.html", context)

    def word(self, request: Any) -> HttpResponse:
        download_check(request.user, "rankings_docx")
        try:
            month = datetime.date.fromisoformat(request.GET.get("month", "") + "-01")
        except ValueError:
            raise Http404 from None
        if month > datetime.date.today().replace(day=1):
            raise Http404  # a month that has not begun has no report
        return download_response(assessment_document(request.user, month), f"考核月报-{month:%Y-%m}.docx")

    def post(self, request: Any) -> HttpResponse:
        if not has_city_rights(request.user, "verify"):
            raise Http404
        month = request.POST.get("month") or datetime.date.today().strftime("%Y-%m")
        job = job_submit(
            kind="scores-monthly",
            title=_("月度考核得分 %(month)s") % {"month": month},
            user=request.user,
            params={"month": month + "-01"},
            key=month,  # a double click is one run
        )
        return (
            redirect(reverse("assessment_rankings") + f"?month={month}")
            if job.done
            else redirect("job_detail", pk=job.pk)
        )


# The page shows amounts in 亿元 (the workbook keeps the 万元 of COUNT_LABELS, as numbers).
PAGE_COUNT_LABELS = {
    "signed_investment_wan": gettext_lazy("签约金额（亿元）"),
    "funds_in_place_wan": gettext_lazy("到位资金（亿元）"),
}


class RatesView(LoginRequiredMixin, View):
    """Any rate for any period and grouping: by chain, town, park or district (city users: all districts)."""

    def get(self, request: Any) -> HttpResponse:
        today = datetime.date.today()
        group = request.GET.get("group", "chain")
        if group not in GROUPS:
            raise Http404
        try:
            start = datetime.date.fromisoformat(request.GET.get("start") or f"{today.year}-01-01")
            end = datetime.date.fromisoformat(request.GET.get("end") or today.isoformat())
        except ValueError:
            raise Http404 from None
        if end < start:
            start, end = end, start
        districts = District.objects.restrict(request.user, "view")
        district = districts.filter(pk=request.GET.get("district") or 0).first()
        if request.GET.get("format") == "xlsx":  # the download gate first: a refused file costs no work
            download_check(request.user, "rates_xlsx", district)
        period = Period(start, end)
        table = rate_table(request.user, group, period, district)
        counts = count_tables(request.user, (group,), period, district)[group]
        rows = _rows(table, group, period, district)
        for row in rows:
            # Amounts (keys in ``_wan``) go to the page in 亿元 with the unit; the workbook keeps 万元 numbers.
            row["counts"] = [
                {"value": counts.get(row["name"], {}).get(key, 0), "money": key.endswith("_wan")}
                for key in COUNT_LABELS
            ]
        context = {
            "rows": rows,
            "group": group,
            "groups": GROUPS,
            "start": start,
            "end": end,
            "district": district,
            "districts": districts,
            "rate_labels": RATE_LABELS,
            "rate_info": rate_definitions(),
            "count_labels": COUNT_LABELS,
            "count_heads": [PAGE_COUNT_LABELS.get(key, label) for key, label in COUNT_LABELS.items()],
            "heading": GROUPS[group],
        }
        if request.GET.get("format") == "xlsx":
            return _rates_workbook(context)
        return render(request, "assessment/rates.html", context)


def _rates_workbook(context: dict[str, Any]) -> HttpResponse:
    """Each rate with its numerator and denominator (a figure without them cannot be checked), then the counts."""
    headers: list[Any] = [context["heading"]]
    for label in context["rate_labels"].values():
        headers += [label, _("%(rate)s分子") % {"rate": label}, _("%(rate)s分母") % {"rate": label}]
    headers += list(context["count_labels"].values())
    rows = []
    for row in context["rows"]:
        line: list[Any] = [row["name"]]
        for c in row["cells"]:
            line += [c["rate"].value, c["rate"].numerator, c["rate"].denominator]
        rows.append(line + [c["value"] for c in row["counts"]])
    return workbook_response([Sheet(str(context["heading"]), headers, rows)], "考核指标.xlsx")

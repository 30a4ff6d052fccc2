"""Settings that assessment and analysis read: the district's (which top-500 lists count, gap thresholds, the
forecast's baseline) and the city's scoring scheme of a year."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from zhaoshang.assessment.forms import DistrictSettingsForm, SchemeForm, Top500ListsForm
from zhaoshang.assessment.models import ScoringScheme
from zhaoshang.assessment.scoring import scheme_for, scheme_save
from zhaoshang.core.models import District
from zhaoshang.core.scope import user_scope
from zhaoshang.core.services import object_save


class DistrictSettingsView(LoginRequiredMixin, View):
    """Settings that change how the district is assessed: for those who may verify (its admins), not clerks."""

    def get_district(self, action: str) -> District:
        return get_object_or_404(District.objects.restrict(self.request.user, action), pk=self.kwargs["pk"])

    def get(self, request: Any, pk: int) -> HttpResponse:
        district = self.get_district("verify")
        gaps = district.settings.get("gaps") or {}
        initial = {
            **Top500ListsForm.initial_for(district),
            "f_min": gaps.get("f_min", 3),
            "lq_threshold": gaps.get("lq_threshold", 1.0),
            **DistrictSettingsForm.initial_forecast(district),
        }
        return render(
            request,
            "assessment/district_settings.html",
            {"district": district, "form": DistrictSettingsForm(initial=initial)},
        )

    def post(self, request: Any, pk: int) -> HttpResponse:
        district = self.get_district("verify")
        form = DistrictSettingsForm(request.POST)
        if not form.is_valid():
            return render(
                request, "assessment/district_settings.html", {"district": district, "form": form}, status=400
            )
        data = form.cleaned_data
        district.settings = {
            **district.settings,
            "top500_lists": data["lists"],
            "gaps": {
                **(district.settings.get("gaps") or {}),
                "f_min": data["f_min"],
                "lq_threshold": data["lq_threshold"],
            },
        }
        if data["baseline"]:
            target = data["target"]
            district.settings["forecast"] = {
                "baseline": data["baseline"],
                "target": float(target) * 10000 if target is not None else None,
                "target_year": data["target_year"],
            }
        else:
            district.settings.pop("forecast", None)
        object_save(instance=district, user=request.user)
        messages.success(request, _("已保存本区县设置。"))
        return redirect("district_detail", pk=district.pk)


class SchemeView(LoginRequiredMixin, View):
    """The city's scoring scheme of a year: everyone reads it, the city's assessment administrators edit it."""

    def context(self, request: Any, form: Any, year: int) -> dict[str, Any]:
        record = ScoringScheme.objects.filter(year=year).first()
        can_edit = user_scope(request.user, "verify").all_districts
        if not can_edit:
            for field in form.fields.values():
                field.disabled = True
        return {"form": form, "year": year, "record": record, "can_edit": can_edit}

    def year(self, request: Any) -> int:
        try:
            return int(request.GET.get("year") or datetime.date.today().year)
        except ValueError:
            raise Http404 from None

    def get(self, request: Any) -> HttpResponse:
        year = self.year(request)
        form = SchemeForm(initial=SchemeForm.initial_for(scheme_for(year)))
        context = self.context(request, form, year)
        if context["record"] is not None:
            form.initial["note"] = context["record"].note
        return render(request, "assessment/scheme.html", context)

    def post(self, request: Any) -> HttpResponse:
        year = self.year(request)
        form = SchemeForm(request.POST)
        if not form.is_valid():
            return render(request, "assessment/scheme.html", self.context(request, form, year), status=400)
        scheme_save(year=year, user=request.user, **form.stored())
        messages.success(request, _("已保存 %(year)s 年考核办法。重新计算各月得分后生效。") % {"year": year})
        return redirect(reverse("assessment_scheme") + f"?year={year}")

"""District settings that assessment and analysis read: which top-500 lists count, gap thresholds."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from zhaoshang.assessment.forms import Top500ListsForm
from zhaoshang.core.models import District
from zhaoshang.core.services import object_save


class DistrictSettingsForm(Top500ListsForm):
    f_min = forms.IntegerField(
        label=gettext_lazy("强项最少企业数"),
        min_value=1,
        initial=3,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    lq_threshold = forms.FloatField(
        label=gettext_lazy("强项区位熵门槛"),
        min_value=0.1,
        initial=1.0,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.1"}),
    )


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
        object_save(instance=district, user=request.user)
        messages.success(request, _("已保存本区县设置。"))
        return redirect("district_detail", pk=district.pk)

"""Settings that assessment and analysis read: the district's (which top-500 lists count, gap thresholds, the
forecast's baseline) and the city's scoring scheme of a year."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from zhaoshang.assessment.forms import DistrictSettingsForm, SchemeForm, Top500ListsForm
from zhaoshang.assessment.models import ScoringScheme
from zhaoshang.assessment.scoring import scheme_for, scheme_save
from zhaoshang.core.models import City, District
from zhaoshang.core.scope import (
    ensure_level_right,
    get_allowed,
    instance_is_province,
    sees_city,
    user_scope,
)
from zhaoshang.core.services import object_save


class DistrictSettingsView(LoginRequiredMixin, View):
    """Settings that change how the district is assessed: for those who may verify (its admins), not clerks."""

    def get_district(self, action: str) -> District:
        # Someone of the district without the right: 403 with the reason; another district: 404.
        return get_allowed(
            District.objects,
            self.request.user,
            action,
            what=_("本区县考核设置"),
            shown_as="change",
            pk=self.kwargs["pk"],
        )

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
    """A year's scoring scheme: a city's (the one its districts are scored by) or, on a province's instance,
    the province's default for its cities (``?city=`` empty). Whoever sees the city reads it; its supervisor
    (or the province) changes it, the province changes the default — decided by `ensure_level_right`."""

    def city(self, request: Any) -> City | None:
        """The city asked for (404 for one the user does not see); without one: the user's own city on a
        province's instance (the default for those who see the whole province), nothing on a city's."""
        value = request.GET.get("city")
        if value is not None:
            if value == "":
                return None
            city = City.objects.filter(pk=int(value) if value.isdigit() else 0).first()
            if city is None or not sees_city(request.user, city):
                raise Http404
            return city
        if not instance_is_province() or user_scope(request.user, "view").all_districts:
            return None
        return _own_cities(request.user).first()

    def context(self, request: Any, form: Any, year: int, city: City | None) -> dict[str, Any]:
        record = ScoringScheme.objects.filter(year=year, city=city).first()
        try:
            ensure_level_right(request.user, "verify", city, what=_("考核办法"), shown_as="change")
            can_edit = True
        except (Http404, PermissionDenied):
            can_edit = False
        if not can_edit:
            for field in form.fields.values():
                field.disabled = True
        province = instance_is_province()
        default = ScoringScheme.objects.filter(year=year, city=None).first() if city is not None else None
        return {
            "form": form,
            "year": year,
            "record": record,
            "default_record": default,
            "city": city,
            "province": province,
            "cities": _own_cities(request.user) if province else [],
            "can_edit": can_edit,
        }

    def year(self, request: Any) -> int:
        try:
            return int(request.GET.get("year") or datetime.date.today().year)
        except ValueError:
            raise Http404 from None

    def get(self, request: Any) -> HttpResponse:
        year, city = self.year(request), self.city(request)
        form = SchemeForm(initial=SchemeForm.initial_for(scheme_for(year, city)))
        context = self.context(request, form, year, city)
        shown = context["record"] or context["default_record"]
        if shown is not None:
            form.initial["note"] = shown.note
        return render(request, "assessment/scheme.html", context)

    def post(self, request: Any) -> HttpResponse:
        year, city = self.year(request), self.city(request)
        # Refused before the form is read: a 403 (or 404) whatever was sent.
        ensure_level_right(request.user, "verify", city, what=_("考核办法"), shown_as="change")
        form = SchemeForm(request.POST)
        if not form.is_valid():
            return render(
                request, "assessment/scheme.html", self.context(request, form, year, city), status=400
            )
        scheme_save(year=year, city=city, user=request.user, **form.stored())
        if city is None:
            done = _("已保存 %(year)s 年考核办法。重新计算各月得分后生效。") % {"year": year}
        else:
            done = _("已保存 %(city)s %(year)s 年考核办法。重新计算各月得分后生效。") % {
                "city": city.name,
                "year": year,
            }
        messages.success(request, done)
        query = f"?year={year}" + (f"&city={city.pk}" if city is not None else "")
        return redirect(reverse("assessment_scheme") + query)


def _own_cities(user: Any) -> Any:
    """The cities the user sees anything of: all of them for the province, else those covered as a whole
    and those of the user's districts."""
    scope = user_scope(user, "view")
    if scope.all_districts:
        return City.objects.order_by("adcode")
    return (
        City.objects.filter(Q(pk__in=scope.city_ids) | Q(districts__in=scope.district_ids))
        .distinct()
        .order_by("adcode")
    )

"""One filter definition per model: the site filters serve the list page, the API, the export and the map."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.filters import DistrictOwnedFilterSet, ScopedFilterSet, scoped
from zhaoshang.core.models import District, Park, Town
from zhaoshang.geo.crs import M2_PER_MU
from zhaoshang.sites.models import LAND_USES, Demand, Kind, Site, SiteReservation, SiteUnit
from zhaoshang.sites.selectors import stale_q

AREA_UNITS = (("mu", _("亩")), ("m2", "m²"))


class SiteFilterSet(DistrictOwnedFilterSet):
    search_fields = ("code", "name", "address", "owner")
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("类型"))
    availability = django_filters.ChoiceFilter(choices=Site.Availability.choices, label=_("可用状态"))
    land_use = django_filters.MultipleChoiceFilter(
        choices=LAND_USES, label=_("用地性质"), widget=forms.SelectMultiple(attrs={"size": 1})
    )
    town = django_filters.ModelChoiceFilter(queryset=scoped(Town), label=_("镇办"))
    park = django_filters.ModelChoiceFilter(queryset=scoped(Park), label=_("园区"))
    area_min = django_filters.NumberFilter(method="area_at_least", label=_("面积不小于"))
    area_max = django_filters.NumberFilter(method="area_at_most", label=_("面积不大于"))
    area_unit = django_filters.ChoiceFilter(
        choices=AREA_UNITS, method="no_filter", label=_("面积单位"), empty_label=None
    )
    power_min = django_filters.NumberFilter(
        field_name="power_kva", lookup_expr="gte", label=_("电力余量≥(kVA)")
    )
    water_min = django_filters.NumberFilter(
        field_name="water_tpd", lookup_expr="gte", label=_("供水余量≥(吨/日)")
    )
    steam_min = django_filters.NumberFilter(
        field_name="steam_tph", lookup_expr="gte", label=_("蒸汽余量≥(吨/时)")
    )
    price_max = django_filters.NumberFilter(
        method="price_at_most", label=_("价格≤(地块万元/亩,厂房院落元/m²/月)")
    )
    chemical = django_filters.BooleanFilter(
        field_name="park__is_chemical_park", label=_("仅认定化工园区"), method="chemical_only"
    )
    stale = django_filters.BooleanFilter(method="stale_only", label=_("超期未核实"))

    class Meta:
        model = Site
        fields = [
            "q",
            "district",
            "kind",
            "availability",
            "land_use",
            "town",
            "park",
            "area_min",
            "area_max",
            "area_unit",
            "power_min",
            "water_min",
            "steam_min",
            "price_max",
            "chemical",
            "stale",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            if isinstance(field.widget, forms.NumberInput):
                field.widget.attrs["class"] = "form-control"

    def _m2(self, value: Any) -> float:
        unit = (
            self.form.cleaned_data.get("area_unit") if hasattr(self.form, "cleaned_data") else None
        ) or "mu"
        return float(value) * (M2_PER_MU if unit == "mu" else 1.0)

    def area_at_least(self, queryset: Any, name: str, value: Any) -> Any:
        return queryset if value is None else queryset.filter(area_m2__gte=self._m2(value) * (1 - 1e-9))

    def area_at_most(self, queryset: Any, name: str, value: Any) -> Any:
        return queryset if value is None else queryset.filter(area_m2__lte=self._m2(value) * (1 + 1e-9))

    def no_filter(self, queryset: Any, name: str, value: Any) -> Any:
        return queryset

    def price_at_most(self, queryset: Any, name: str, value: Any) -> Any:
        if value is None:
            return queryset
        return queryset.filter(
            Q(kind=Kind.PARCEL, land_price__lte=value) | (~Q(kind=Kind.PARCEL) & Q(rent__lte=value))
        )

    def chemical_only(self, queryset: Any, name: str, value: Any) -> Any:
        return queryset.filter(park__is_chemical_park=True) if value else queryset

    def stale_only(self, queryset: Any, name: str, value: Any) -> Any:
        if value is None:
            return queryset

        user = getattr(self.request, "user", None)
        districts = District.objects.restrict(user, "view") if user is not None else District.objects.all()
        condition = stale_q(districts, timezone.localdate())
        return queryset.filter(condition) if value else queryset.exclude(condition)


class SiteUnitFilterSet(ScopedFilterSet):
    search_fields = ("name", "site__code", "site__name")
    district = django_filters.ModelChoiceFilter(
        queryset=scoped(District), field_name="site__district", label=_("区县")
    )

    class Meta:
        model = SiteUnit
        fields = ["q", "district", "availability"]


class SiteReservationFilterSet(ScopedFilterSet):
    search_fields = ("site__code", "site__name", "project__name", "demand__name", "note")
    district = django_filters.ModelChoiceFilter(
        queryset=scoped(District), field_name="site__district", label=_("区县")
    )
    active = django_filters.BooleanFilter(field_name="released_at", lookup_expr="isnull", label=_("仍在预留"))

    class Meta:
        model = SiteReservation
        fields = ["q", "district", "active"]


class DemandFilterSet(DistrictOwnedFilterSet):
    search_fields = ("name", "project__name", "notes")

    class Meta:
        model = Demand
        fields = ["q", "district", "kind", "status", "chemical"]

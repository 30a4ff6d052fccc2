from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from zhaoshang.core.models import Department, District, Park, Team, Town
from zhaoshang.core.search_select import ChoiceSource, offer_search


class ScopedModelForm(forms.ModelForm):
    """Choices of scoped objects are limited to the user's scope; the district to where they may write.

    A choice among many rows (projects, sites, enterprises) becomes a search box: see `core.search_select`.
    """

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        adding = self.instance._state.adding
        for name, value in list(self.initial.items()):
            if isinstance(value, Decimal):
                # 36000.0000 → 36000: the form shows numbers as people typed them.
                normal = value.normalize()
                self.initial[name] = normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal
        for name, field in self.fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "restrict"):
                action = ("add" if adding else "change") if name == "district" else "view"
                # Only the plain model queryset can be described to the search endpoint (no limit_choices_to).
                plain = not queryset.query.where
                field.queryset = queryset.restrict(user, action)
                if plain:
                    offer_search(field, ChoiceSource(model=queryset.model, action=action))
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class DistrictForm(ScopedModelForm):
    class Meta:
        model = District
        fields = ["city", "adcode", "name", "lng", "lat"]


class TownForm(ScopedModelForm):
    class Meta:
        model = Town
        fields = ["district", "name", "kind", "code"]


class ParkForm(ScopedModelForm):
    class Meta:
        model = Park
        fields = [
            "district",
            "name",
            "kind",
            "town",
            "is_chemical_park",
            "chemical_park_list",
            "area_mu",
            "boundary",
        ]
        widgets = {"boundary": forms.Textarea(attrs={"rows": 3})}


class DepartmentForm(ScopedModelForm):
    class Meta:
        model = Department
        fields = ["district", "name", "short_name", "contact", "phone"]


class TeamForm(ScopedModelForm):
    class Meta:
        model = Team
        fields = ["district", "name", "kind", "lead_department", "research_institution"]

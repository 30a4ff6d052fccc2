from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from zhaoshang.core.models import Department, District, Park, Team, Town
from zhaoshang.core.models.organisation import (
    DEPARTMENT_FIELDS,
    DISTRICT_FIELDS,
    PARK_FIELDS,
    TEAM_FIELDS,
    TOWN_FIELDS,
)
from zhaoshang.core.scope import limit_choices
from zhaoshang.core.search_select import ChoiceSource, offer_search


class ListField(forms.CharField):
    """A list edited as one line: items separated by 、 , ; or new lines."""

    def prepare_value(self, value: Any) -> Any:
        return "、".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:
        text = super().to_python(value) or ""
        for separator in (",", "\uff0c", ";", "\uff1b", "\n"):  # also full-width ， and ；
            text = text.replace(separator, "、")
        return [item.strip() for item in text.split("、") if item.strip()]


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
        for name, (queryset, action) in limit_choices(self.fields, user, adding=adding).items():
            # Only the plain model queryset can be described to the search endpoint (no limit_choices_to).
            if not queryset.query.where:
                offer_search(self.fields[name], ChoiceSource(model=queryset.model, action=action))
        for field in self.fields.values():
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
        fields = DISTRICT_FIELDS


class TownForm(ScopedModelForm):
    class Meta:
        model = Town
        fields = TOWN_FIELDS


class ParkForm(ScopedModelForm):
    class Meta:
        model = Park
        fields = PARK_FIELDS
        widgets = {"boundary": forms.Textarea(attrs={"rows": 3})}


class DepartmentForm(ScopedModelForm):
    class Meta:
        model = Department
        fields = DEPARTMENT_FIELDS


class TeamForm(ScopedModelForm):
    class Meta:
        model = Team
        fields = TEAM_FIELDS

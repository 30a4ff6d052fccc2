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
from zhaoshang.core.pickers import limit_people
from zhaoshang.core.scope import covered_city_ids, limit_choices, user_scope
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
        for name, (queryset, action) in limit_choices(
            self.fields, user, adding=adding, model=type(self.instance)
        ).items():
            # Only the plain model queryset can be described to the search endpoint (no limit_choices_to).
            if not queryset.query.where:
                offer_search(self.fields[name], ChoiceSource(model=queryset.model, action=action))
        self._default_district(adding)
        limit_people(self, self.district_ids())
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def _default_district(self, adding: bool) -> None:
        """A new record of a single-district user starts in that district."""
        field = self.fields.get("district")
        if not adding or field is None or self.is_bound or self.initial.get("district"):
            return
        scope = user_scope(self.user, "add", type(self.instance))
        if not scope.all_districts and len(scope.district_ids) == 1:
            self.initial["district"] = next(iter(scope.district_ids))

    def district_ids(self) -> list[int] | None:
        """The district(s) the record belongs to, for choices of people: the chosen district (sent, stored or
        preset), else every district the user may see (None: all of them)."""
        chosen: Any = None
        if "district" in self.fields:
            if self.is_bound:
                chosen = self.data.get(self.add_prefix("district"))
            else:
                chosen = self.initial.get("district")
        if not chosen:
            chosen = getattr(self.instance, "district_id", None)
        if hasattr(chosen, "pk"):
            chosen = chosen.pk
        scope = user_scope(self.user, "view")
        try:
            district_id = int(chosen) if chosen else None
        except (TypeError, ValueError):
            district_id = None
        if district_id is not None and scope.allows(district_id):
            return [district_id]
        return None if scope.all_districts else sorted(scope.district_ids)


class DistrictForm(ScopedModelForm):
    class Meta:
        model = District
        fields = DISTRICT_FIELDS

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        # A city's supervisor adds districts and functional zones to their own cities only.
        covered = covered_city_ids(user, "add" if self.instance._state.adding else "change")
        if covered is not None and "city" in self.fields:
            self.fields["city"].queryset = self.fields["city"].queryset.filter(pk__in=covered)


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

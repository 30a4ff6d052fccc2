from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.assessment.models import TOP500_LISTS, RecordFinding, ScoringScheme, Target
from zhaoshang.core.forms import ScopedModelForm


class TargetForm(ScopedModelForm):
    class Meta:
        model = Target
        fields = [
            "district",
            "year",
            "metric",
            "custom_name",
            "value",
            "team",
            "town",
            "park",
            "custom_actual",
            "note",
        ]


class RecordFindingForm(ScopedModelForm):
    class Meta:
        model = RecordFinding
        fields = ["district", "project", "kind", "found_on", "found_by", "description"]
        widgets = {
            "found_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class ScoringSchemeForm(ScopedModelForm):
    class Meta:
        model = ScoringScheme
        fields = ["year", "weights", "deductions", "note"]
        widgets = {
            "weights": forms.Textarea(attrs={"rows": 4}),
            "deductions": forms.Textarea(attrs={"rows": 3}),
        }


class Top500ListsForm(forms.Form):
    """Which four of the top-500 lists count as "四类500强" is the district's choice (the province's rule)."""

    lists = forms.MultipleChoiceField(
        label=_("计入“四类500强”的榜单"),
        choices=TOP500_LISTS,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("按省里的口径选择四个榜单"),
    )

    def clean_lists(self) -> list[str]:
        chosen: list[str] = self.cleaned_data["lists"]
        if len(chosen) != 4:
            raise forms.ValidationError(_("须恰好选择四个榜单。"))
        return chosen

    @staticmethod
    def initial_for(district: Any) -> dict[str, Any]:
        return {"lists": district.settings.get("top500_lists") or DEFAULT_TOP500_LISTS}


DEFAULT_TOP500_LISTS = ["fortune_global", "china_enterprise", "china_private", "china_manufacturing"]

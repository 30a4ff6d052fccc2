from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.assessment.models import (
    DEFAULT_TOP500_LISTS,
    RECORD_FINDING_FIELDS,
    TARGET_FIELDS,
    TOP500_LISTS,
    RecordFinding,
    ScoringScheme,
    Target,
)
from zhaoshang.assessment.selectors import RATE_LABELS
from zhaoshang.core.forms import ScopedModelForm


class TargetForm(ScopedModelForm):
    class Meta:
        model = Target
        fields = TARGET_FIELDS


class RecordFindingForm(ScopedModelForm):
    class Meta:
        model = RecordFinding
        fields = RECORD_FINDING_FIELDS
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


def _points(label: Any, help_text: Any = "") -> forms.FloatField:
    return forms.FloatField(
        label=label,
        min_value=0,
        max_value=1000,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "any"}),
    )


# The target completions the scheme weighs (analytics.scores.TARGET_LABELS, translatable here).
SCHEME_TARGET_LABELS = {"top500": _("四类 500 强企业落地"), "outside_province_funds": _("省外到位资金")}


class SchemeForm(forms.Form):
    """The city's scoring scheme of a year, field by field (stored as ScoringScheme's JSON)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in RATE_LABELS.items():
            self.fields[f"rate_{key}"] = _points(label)
        for key, label in SCHEME_TARGET_LABELS.items():
            self.fields[f"target_{key}"] = _points(label)
        self.fields["overdue"] = _points(_("超时限未开工,每个项目扣分"))
        self.fields["falsified"] = _points(_("弄虚作假查实,每条扣分"))
        self.fields["note"] = forms.CharField(
            label=_("说明"),
            required=False,
            widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
        )

    def rate_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith("rate_")]

    def target_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith("target_")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        weights = [v for k, v in data.items() if k.startswith(("rate_", "target_")) and v is not None]
        if weights and not any(w > 0 for w in weights):
            raise forms.ValidationError(_("至少要有一项权重大于 0。"))
        return data

    @staticmethod
    def initial_for(scheme: Any) -> dict[str, Any]:
        """From an analytics ScoringScheme (the year's, or the default)."""
        initial: dict[str, Any] = {f"rate_{k}": v for k, v in scheme.rate_weights.items()}
        initial.update({f"target_{k}": v for k, v in scheme.target_weights.items()})
        initial.update(overdue=scheme.overdue_deduction, falsified=scheme.falsified_deduction)
        return initial

    def stored(self) -> dict[str, Any]:
        """What ScoringScheme keeps: weights, deductions, note."""
        data = self.cleaned_data
        pick = {
            prefix: {k[len(prefix) :]: v for k, v in data.items() if k.startswith(prefix)}
            for prefix in ("rate_", "target_")
        }
        return {
            "weights": {"rates": pick["rate_"], "targets": pick["target_"]},
            "deductions": {"overdue": data["overdue"], "falsified": data["falsified"]},
            "note": data["note"],
        }

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from zhaoshang.assessment.models import (
    DEFAULT_TOP500_LISTS,
    OUTPUT_TOTAL_FIELDS,
    RECORD_FINDING_FIELDS,
    TARGET_FIELDS,
    TOP500_LISTS,
    IndustrialOutputTotal,
    RecordFinding,
    ScoringScheme,
    Target,
)
from zhaoshang.assessment.selectors import RATE_LABELS
from zhaoshang.core.forms import ScopedModelForm
from zhaoshang.core.models import District


class TargetForm(ScopedModelForm):
    class Meta:
        model = Target
        fields = TARGET_FIELDS


class IndustrialOutputTotalForm(ScopedModelForm):
    class Meta:
        model = IndustrialOutputTotal
        fields = OUTPUT_TOTAL_FIELDS


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

    baseline = forms.CharField(
        label=gettext_lazy("产值基数(亿元)"),
        required=False,
        widget=forms.Textarea(
            attrs={"class": "form-control", "rows": 4, "placeholder": "2026 2600\n2027 2652"}
        ),
        help_text=gettext_lazy(
            "每行一个年度和该年不含项目库项目的工业产值,例如“2026 2600”;预测就算这些年份。留空则不做预测。"
        ),
    )
    target = forms.DecimalField(
        label=gettext_lazy("产值目标(亿元)"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "any"}),
    )
    target_year = forms.IntegerField(
        label=gettext_lazy("目标年份"),
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )

    def clean_baseline(self) -> dict[str, float]:
        """ "2026 2600" per line (亿元; a comma, colon or tab may separate) → {"2026": 万元}."""
        years: dict[str, float] = {}
        for number, line in enumerate(self.cleaned_data["baseline"].splitlines(), start=1):
            parts = re.split(r"[\s,，:：]+", line.strip())
            if parts == [""]:
                continue
            try:
                year, amount = int(parts[0]), float(parts[1])
                if len(parts) != 2 or not 2000 <= year <= 2100 or amount < 0:
                    raise ValueError
            except (ValueError, IndexError):
                raise forms.ValidationError(
                    _("第 %(n)s 行应为“年度 产值(亿元)”,例如“2026 2600”。") % {"n": number}
                ) from None
            if str(year) in years:
                raise forms.ValidationError(_("年度 %(year)s 重复。") % {"year": year})
            years[str(year)] = round(amount * 10000, 2)
        return dict(sorted(years.items()))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        target, year, baseline = data.get("target"), data.get("target_year"), data.get("baseline")
        if (target is None) != (year is None):
            self.add_error("target_year", _("产值目标和目标年份须同时填写。"))
        elif year is not None and baseline is not None and str(year) not in baseline:
            self.add_error("target_year", _("目标年份须是产值基数中的一个年度。"))
        return data

    @staticmethod
    def initial_forecast(district: District) -> dict[str, Any]:
        given = district.settings.get("forecast") or {}
        lines = [f"{y} {float(v) / 10000:g}" for y, v in sorted((given.get("baseline") or {}).items())]
        target = given.get("target")
        return {
            "baseline": "\n".join(lines),
            "target": f"{float(target) / 10000:g}" if target is not None else None,
            "target_year": given.get("target_year"),
        }

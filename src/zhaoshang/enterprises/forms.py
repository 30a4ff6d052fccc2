from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.chains.forms import ListField
from zhaoshang.core.forms import ScopedModelForm
from zhaoshang.enterprises.models import ContactLog, Enterprise, TargetEntry


class EnterpriseForm(ScopedModelForm):
    tags = ListField(label=_("标签"), required=False, help_text=_("用 、 分隔,如:专精特新、高新技术企业"))

    class Meta:
        model = Enterprise
        fields = [
            "district",
            "uscc",
            "name",
            "legal_representative",
            "founded",
            "registered_capital",
            "paid_in_capital",
            "insured_employees",
            "industry_code",
            "business_scope",
            "address",
            "adcode",
            "lng",
            "lat",
            "crs",
            "status",
            "ownership",
            "listed",
            "tags",
            "parent_name",
        ]
        widgets = {
            "founded": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "business_scope": forms.Textarea(attrs={"rows": 3}),
        }


class TargetEntryForm(ScopedModelForm):
    class Meta:
        model = TargetEntry
        fields = [
            "district",
            "enterprise",
            "chain",
            "node",
            "team",
            "owner",
            "status",
            "drop_reason",
            "next_action",
            "next_action_date",
            "notes",
        ]
        widgets = {
            "next_action_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chain"].queryset = self.fields["chain"].queryset.filter(is_current=True)
        self.fields["node"].queryset = self.fields["node"].queryset.filter(chain__is_current=True)


class ContactLogForm(ScopedModelForm):
    next_action_date = forms.DateField(
        label=_("下一步日期"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"}),
    )

    class Meta:
        model = ContactLog
        fields = ["entry", "date", "kind", "participants", "summary", "next_step"]
        widgets = {
            "date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }


class OverrideForm(forms.Form):
    value = forms.CharField(label=_("修正为"), required=False)
    reason = forms.CharField(label=_("修正理由"), required=False)

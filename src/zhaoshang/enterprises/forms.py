from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.forms import ListField, ScopedModelForm
from zhaoshang.core.pickers import follow_parent
from zhaoshang.enterprises.models import (
    CONTACT_LOG_FIELDS,
    ENTERPRISE_FIELDS,
    TARGET_ENTRY_FIELDS,
    ContactLog,
    Enterprise,
    TargetEntry,
)


class EnterpriseForm(ScopedModelForm):
    tags = ListField(label=_("标签"), required=False, help_text=_("用 、 分隔,如:专精特新、高新技术企业"))

    class Meta:
        model = Enterprise
        fields = ENTERPRISE_FIELDS
        widgets = {
            "founded": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "business_scope": forms.Textarea(attrs={"rows": 3}),
        }


class TargetEntryForm(ScopedModelForm):
    class Meta:
        model = TargetEntry
        fields = TARGET_ENTRY_FIELDS
        widgets = {
            "next_action_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chain"].queryset = self.fields["chain"].queryset.filter(is_current=True)
        self.fields["node"].queryset = self.fields["node"].queryset.filter(chain__is_current=True)
        follow_parent(self, "chain", "node", reverse("picker_chain_nodes"))


class ContactLogForm(ScopedModelForm):
    next_action_date = forms.DateField(
        label=_("下一步日期"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"}),
    )

    class Meta:
        model = ContactLog
        fields = CONTACT_LOG_FIELDS
        widgets = {
            "date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }


class OverrideForm(forms.Form):
    value = forms.CharField(label=_("修正为"), required=False)
    reason = forms.CharField(label=_("修正理由"), required=False)

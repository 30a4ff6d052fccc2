"""Forms of the 发改 side: a project's yearly listings and its monthly 完成投资."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.forms import ScopedModelForm
from zhaoshang.projects.models import InvestmentCompletion, ProjectListing
from zhaoshang.projects.models.fagai import INVESTMENT_COMPLETION_FIELDS, PROJECT_LISTING_FIELDS

MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d", "%Y/%m", "%Y年%m月"]


class ProjectListingForm(ScopedModelForm):
    class Meta:
        model = ProjectListing
        fields = PROJECT_LISTING_FIELDS


class InvestmentCompletionForm(ScopedModelForm):
    month = forms.DateField(
        label=_("月份"),
        input_formats=MONTH_FORMATS,
        widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}),
        help_text=_("填报月份,如 2026-11"),
    )

    class Meta:
        model = InvestmentCompletion
        fields = INVESTMENT_COMPLETION_FIELDS


class CompletionReportForm(forms.Form):
    """The project page's one-line entry of a month's 完成投资."""

    month = forms.DateField(
        label=_("月份"),
        input_formats=MONTH_FORMATS,
        widget=forms.DateInput(
            format="%Y-%m", attrs={"type": "month", "class": "form-control form-control-sm"}
        ),
    )
    amount = forms.DecimalField(
        label=_("当月完成投资(万元)"),
        min_value=0,
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "0.01"}),
    )
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )

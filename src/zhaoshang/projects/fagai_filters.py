"""Filters of the 发改 records' lists (listings, monthly 完成投资)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.filters import ScopedFilterSet, scoped
from zhaoshang.core.models import District
from zhaoshang.projects.models import InvestmentCompletion, ProjectListing


class ProjectListingFilterSet(ScopedFilterSet):
    search_fields = ("project__name", "project__project_code", "wording")
    district = django_filters.ModelChoiceFilter(
        queryset=scoped(District), field_name="project__district", label=_("区县")
    )

    class Meta:
        model = ProjectListing
        fields = ["q", "district", "year", "level", "year_class"]


class InvestmentCompletionFilterSet(ScopedFilterSet):
    search_fields = ("project__name", "project__project_code", "note")
    district = django_filters.ModelChoiceFilter(
        queryset=scoped(District), field_name="project__district", label=_("区县")
    )
    year = django_filters.NumberFilter(field_name="month__year", label=_("年度"))
    verified = django_filters.BooleanFilter(method="with_verified", label=_("已核实"))

    class Meta:
        model = InvestmentCompletion
        fields = ["q", "district", "year", "verified"]

    def with_verified(self, queryset: Any, name: str, value: Any) -> Any:
        if value is None:
            return queryset
        return queryset.filter(verified_at__isnull=not value)

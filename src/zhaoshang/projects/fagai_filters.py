"""Filters of the 发改 records' lists (listings, monthly 完成投资)."""

from __future__ import annotations

import datetime
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
    year = django_filters.NumberFilter(method="in_year", label=_("年度"))
    verified = django_filters.BooleanFilter(method="with_verified", label=_("已核实"))

    class Meta:
        model = InvestmentCompletion
        fields = ["q", "district", "year", "verified"]

    def in_year(self, queryset: Any, name: str, value: Any) -> Any:
        """The months of a calendar year; a year no month can be in (2025.5, 10¹⁶) matches nothing."""
        if value is None:
            return queryset
        if value != int(value) or not 1 <= value <= 9998:
            return queryset.none()
        year = int(value)
        return queryset.filter(month__gte=datetime.date(year, 1, 1), month__lt=datetime.date(year + 1, 1, 1))

    def with_verified(self, queryset: Any, name: str, value: Any) -> Any:
        if value is None:
            return queryset
        return queryset.filter(verified_at__isnull=not value)

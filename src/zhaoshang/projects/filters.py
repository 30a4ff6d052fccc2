from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _

from zhaoshang.chains.models import Chain
from zhaoshang.core.filters import DistrictOwnedFilterSet, ScopedFilterSet, scoped
from zhaoshang.core.models import District, Park, Team, Town
from zhaoshang.projects.models import FundsEntry, Project, ProjectOutput


class ProjectFilterSet(DistrictOwnedFilterSet):
    search_fields = ("name", "investor_name", "investor_uscc", "content")
    chain = django_filters.ModelChoiceFilter(queryset=scoped(Chain), label=_("产业链"))
    town = django_filters.ModelChoiceFilter(queryset=scoped(Town), label=_("镇办"))
    park = django_filters.ModelChoiceFilter(queryset=scoped(Park), label=_("园区"))
    team = django_filters.ModelChoiceFilter(queryset=scoped(Team), label=_("负责专班"))
    pending = django_filters.BooleanFilter(method="with_pending", label=_("待审核"))

    class Meta:
        model = Project
        fields = [
            "q",
            "district",
            "stage",
            "status",
            "tier",
            "investor_origin",
            "chain",
            "town",
            "park",
            "team",
            "pending",
        ]

    def with_pending(self, queryset: Any, name: str, value: Any) -> Any:
        if not value:
            return queryset
        return queryset.filter(moves__verified_at__isnull=True, moves__rejected_reason="").distinct()


class FundsEntryFilterSet(ScopedFilterSet):
    search_fields = ("project__name", "evidence_note")
    district = django_filters.ModelChoiceFilter(
        queryset=scoped(District), field_name="project__district", label=_("区县")
    )
    since = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("起始日期"))
    until = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("截止日期"))

    class Meta:
        model = FundsEntry
        fields = ["q", "district", "origin", "kind", "since", "until"]


class ProjectOutputFilterSet(ScopedFilterSet):
    search_fields = ("project__name",)
    district = django_filters.ModelChoiceFilter(
        queryset=scoped(District), field_name="project__district", label=_("区县")
    )

    class Meta:
        model = ProjectOutput
        fields = ["q", "district", "year"]

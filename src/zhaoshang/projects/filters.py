from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _

from zhaoshang.chains.models import Chain
from zhaoshang.core.filters import DistrictOwnedFilterSet, ScopedFilterSet, scoped
from zhaoshang.core.models import District, Park, Team, Town
from zhaoshang.projects.models import FundsEntry, Project, ProjectOutput
from zhaoshang.projects.selectors import counted, majors, overdue_start_of, with_card

CARD_CHOICES = [("red", _("红牌")), ("yellow", _("黄牌")), ("any", _("红牌或黄牌"))]


class ProjectFilterSet(DistrictOwnedFilterSet):
    search_fields = ("name", "investor_name", "investor_uscc", "content")
    chain = django_filters.ModelChoiceFilter(queryset=scoped(Chain), label=_("产业链"))
    town = django_filters.ModelChoiceFilter(queryset=scoped(Town), label=_("镇办"))
    park = django_filters.ModelChoiceFilter(queryset=scoped(Park), label=_("园区"))
    team = django_filters.ModelChoiceFilter(queryset=scoped(Team), label=_("负责专班"))
    pending = django_filters.BooleanFilter(method="with_pending", label=_("待审核"))
    # The home page's and the dashboards' figures, each the count of one of these (tests/web/test_home_cards.py).
    card = django_filters.ChoiceFilter(choices=CARD_CHOICES, method="with_card", label=_("红黄牌"))
    overdue_start = django_filters.BooleanFilter(method="with_overdue_start", label=_("超期未开工"))
    major = django_filters.BooleanFilter(method="with_major", label=_("省市重大项目"))
    counted = django_filters.BooleanFilter(method="with_counted", label=_("计入统计"))

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
            "card",
            "overdue_start",
            "major",
            "counted",
        ]

    def with_pending(self, queryset: Any, name: str, value: Any) -> Any:
        if not value:
            return queryset
        return queryset.filter(moves__verified_at__isnull=True, moves__rejected_reason="").distinct()

    def with_card(self, queryset: Any, name: str, value: Any) -> Any:
        return with_card(queryset, value) if value else queryset

    def with_overdue_start(self, queryset: Any, name: str, value: Any) -> Any:
        return _yes_no(queryset, value, overdue_start_of)

    def with_major(self, queryset: Any, name: str, value: Any) -> Any:
        return _yes_no(queryset, value, majors)

    def with_counted(self, queryset: Any, name: str, value: Any) -> Any:
        return _yes_no(queryset, value, counted)


def _yes_no(queryset: Any, value: Any, subset: Any) -> Any:
    """Yes: the subset; no: the rest; unset: all."""
    if value is None:
        return queryset
    chosen = subset(queryset)
    return chosen if value else queryset.exclude(pk__in=chosen.values("pk"))


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

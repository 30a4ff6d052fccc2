from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _

from zhaoshang.chains.models import Chain, Node
from zhaoshang.core.filters import DistrictOwnedFilterSet, ScopedFilterSet, scoped
from zhaoshang.core.models import District, Team
from zhaoshang.enterprises.models import ContactLog, Enterprise, TargetEntry
from zhaoshang.enterprises.selectors import due_filter


class EnterpriseFilterSet(DistrictOwnedFilterSet):
    search_fields = ("name", "uscc", "business_scope", "legal_representative")
    industry = django_filters.CharFilter(
        field_name="industry_code", lookup_expr="startswith", label=_("行业代码")
    )
    node = django_filters.ModelChoiceFilter(queryset=scoped(Node), method="on_node", label=_("所在环节"))

    class Meta:
        model = Enterprise
        fields = ["q", "district", "industry", "status", "listed", "node"]

    def on_node(self, queryset: Any, name: str, value: Any) -> Any:
        return queryset.filter(placements__node=value, placements__excluded=False).distinct()


class TargetEntryFilterSet(DistrictOwnedFilterSet):
    search_fields = ("enterprise__name", "enterprise__uscc", "notes", "next_action")
    chain = django_filters.ModelChoiceFilter(queryset=scoped(Chain), label=_("产业链"))
    team = django_filters.ModelChoiceFilter(queryset=scoped(Team), label=_("负责专班"))
    due = django_filters.BooleanFilter(method="due_soon", label=_("三天内到期"))

    class Meta:
        model = TargetEntry
        fields = ["q", "district", "chain", "team", "status", "due"]

    def due_soon(self, queryset: Any, name: str, value: Any) -> Any:
        return queryset.filter(due_filter()) if value else queryset


class ContactLogFilterSet(ScopedFilterSet):
    search_fields = ("summary", "participants", "entry__enterprise__name")
    district = django_filters.ModelChoiceFilter(
        queryset=scoped(District), field_name="entry__district", label=_("区县")
    )

    class Meta:
        model = ContactLog
        fields = ["q", "district", "kind"]

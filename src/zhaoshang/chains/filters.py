from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from zhaoshang.chains.models import Chain, ChainGroup, Edge, Node
from zhaoshang.core.filters import DistrictOwnedFilterSet, ScopedFilterSet, scoped
from zhaoshang.core.models import District


class ChainGroupFilterSet(DistrictOwnedFilterSet):
    class Meta:
        model = ChainGroup
        fields = ["q", "district", "kind"]


class ChainFilterSet(DistrictOwnedFilterSet):
    search_fields = ("name", "code", "description")
    group = django_filters.ModelChoiceFilter(queryset=scoped(ChainGroup), label=_("链群"))

    class Meta:
        model = Chain
        fields = ["q", "district", "group", "is_current"]


class NodeFilterSet(ScopedFilterSet):
    search_fields = ("name", "code", "industries__code")
    district = django_filters.ModelChoiceFilter(
        queryset=scoped(District), field_name="chain__district", label=_("区县")
    )
    chain = django_filters.ModelChoiceFilter(queryset=scoped(Chain), label=_("产业链"))

    class Meta:
        model = Node
        fields = ["q", "district", "chain", "segment"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return super().search(queryset, name, value).distinct()


class EdgeFilterSet(ScopedFilterSet):
    search_fields = ("source__name", "target__name")
    chain = django_filters.ModelChoiceFilter(queryset=scoped(Chain), label=_("产业链"))

    class Meta:
        model = Edge
        fields = ["q", "chain"]

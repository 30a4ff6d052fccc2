from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from zhaoshang.assessment.models import IndustrialOutputTotal, RecordFinding, ScoringScheme, Target
from zhaoshang.core.filters import DistrictOwnedFilterSet, ScopedFilterSet, scoped
from zhaoshang.core.models import Team


class TargetFilterSet(DistrictOwnedFilterSet):
    search_fields = ("custom_name", "note")
    team = django_filters.ModelChoiceFilter(queryset=scoped(Team), label=_("专班"))

    class Meta:
        model = Target
        fields = ["q", "district", "year", "metric", "team"]


class ScoringSchemeFilterSet(ScopedFilterSet):
    search_fields = ("note",)

    class Meta:
        model = ScoringScheme
        fields = ["q", "year"]


class RecordFindingFilterSet(DistrictOwnedFilterSet):
    search_fields = ("project__name", "found_by", "description")

    class Meta:
        model = RecordFinding
        fields = ["q", "district", "kind"]


class IndustrialOutputTotalFilterSet(DistrictOwnedFilterSet):
    search_fields = ("source",)

    class Meta:
        model = IndustrialOutputTotal
        fields = ["q", "district", "year"]

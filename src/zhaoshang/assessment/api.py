from __future__ import annotations

from zhaoshang.assessment.models import RecordFinding, Target
from zhaoshang.core.api import ScopedModelSerializer


class TargetSerializer(ScopedModelSerializer):
    class Meta:
        model = Target
        fields = [
            "id",
            "district",
            "year",
            "metric",
            "custom_name",
            "value",
            "team",
            "town",
            "park",
            "custom_actual",
            "note",
            "created",
            "updated",
        ]


class RecordFindingSerializer(ScopedModelSerializer):
    class Meta:
        model = RecordFinding
        fields = [
            "id",
            "district",
            "project",
            "kind",
            "found_on",
            "found_by",
            "description",
            "created",
            "updated",
        ]

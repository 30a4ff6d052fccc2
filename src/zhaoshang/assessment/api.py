from __future__ import annotations

from zhaoshang.assessment.models import Target
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

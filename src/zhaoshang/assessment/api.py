from __future__ import annotations

from zhaoshang.assessment.models import RECORD_FINDING_FIELDS, TARGET_FIELDS, RecordFinding, Target
from zhaoshang.core.api import ScopedModelSerializer
from zhaoshang.core.declarations import api_fields


class TargetSerializer(ScopedModelSerializer):
    class Meta:
        model = Target
        fields = api_fields(TARGET_FIELDS)


class RecordFindingSerializer(ScopedModelSerializer):
    class Meta:
        model = RecordFinding
        fields = api_fields(RECORD_FINDING_FIELDS)

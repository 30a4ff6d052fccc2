from __future__ import annotations

from zhaoshang.assessment.models import (
    OUTPUT_TOTAL_FIELDS,
    RECORD_FINDING_FIELDS,
    TARGET_FIELDS,
    IndustrialOutputTotal,
    RecordFinding,
    Target,
)
from zhaoshang.core.api import ScopedModelSerializer
from zhaoshang.core.declarations import api_fields


class TargetSerializer(ScopedModelSerializer):
    class Meta:
        model = Target
        fields = api_fields(TARGET_FIELDS)
        # A target value is not negative (Target.clean): said here, it is in the schema too.
        extra_kwargs = {"value": {"min_value": 0}}


class RecordFindingSerializer(ScopedModelSerializer):
    class Meta:
        model = RecordFinding
        fields = api_fields(RECORD_FINDING_FIELDS)


class IndustrialOutputTotalSerializer(ScopedModelSerializer):
    class Meta:
        model = IndustrialOutputTotal
        fields = api_fields(OUTPUT_TOTAL_FIELDS)
        extra_kwargs = {"output": {"min_value": 0}, "tax": {"min_value": 0}}

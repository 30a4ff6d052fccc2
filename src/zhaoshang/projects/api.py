from __future__ import annotations

from decimal import Decimal

from zhaoshang.core.api import ScopedModelSerializer
from zhaoshang.core.declarations import api_fields
from zhaoshang.projects.models import FundsEntry, Project, ProjectOutput
from zhaoshang.projects.models.library import FUNDS_ENTRY_FIELDS, PROJECT_FIELDS, PROJECT_OUTPUT_FIELDS


class ProjectSerializer(ScopedModelSerializer):
    class Meta:
        model = Project
        # Beyond the form, the API carries the status and its reason, the linked enterprise, and the stage's dates.
        fields = api_fields(
            PROJECT_FIELDS,
            after={
                "stage": ["status", "status_reason"],
                "investor_top500": ["enterprise"],
                "officer": ["signed_date"],
                "promised_start_date": ["started_date"],
            },
        )
        # The stage and its dates move only through verified stage moves.
        read_only_fields = ["stage", "signed_date", "started_date"]


class FundsEntrySerializer(ScopedModelSerializer):
    class Meta:
        model = FundsEntry
        fields = api_fields(FUNDS_ENTRY_FIELDS)
        # An amount is above 0 (FundsEntry.clean): with two places, at least 0.01, which the schema then says.
        extra_kwargs = {"amount": {"min_value": Decimal("0.01")}}


class ProjectOutputSerializer(ScopedModelSerializer):
    class Meta:
        model = ProjectOutput
        fields = api_fields(PROJECT_OUTPUT_FIELDS)

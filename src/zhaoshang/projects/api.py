from __future__ import annotations

from zhaoshang.core.api import ScopedModelSerializer
from zhaoshang.projects.models import FundsEntry, Project, ProjectOutput


class ProjectSerializer(ScopedModelSerializer):
    class Meta:
        model = Project
        fields = [
            "id",
            "district",
            "name",
            "content",
            "stage",
            "status",
            "status_reason",
            "tier",
            "investor_name",
            "investor_uscc",
            "investor_origin",
            "investor_top500",
            "enterprise",
            "total_investment",
            "first_phase_investment",
            "increase_of",
            "industry_code",
            "chain",
            "node",
            "town",
            "park",
            "land_mu",
            "referrer",
            "team",
            "officer",
            "signed_date",
            "promised_start_date",
            "started_date",
            "expected_production_date",
            "designed_output",
            "designed_tax",
            "designed_jobs",
            "reserve_source",
            "expected_timing",
            "notes",
            "created",
            "updated",
        ]
        # The stage and its dates move only through verified stage moves.
        read_only_fields = ["stage", "signed_date", "started_date"]


class FundsEntrySerializer(ScopedModelSerializer):
    class Meta:
        model = FundsEntry
        fields = ["id", "project", "date", "amount", "origin", "kind", "evidence_note", "created", "updated"]


class ProjectOutputSerializer(ScopedModelSerializer):
    class Meta:
        model = ProjectOutput
        fields = ["id", "project", "year", "output", "tax", "created", "updated"]

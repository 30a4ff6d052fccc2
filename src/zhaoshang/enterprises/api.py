from __future__ import annotations

from zhaoshang.core.api import ScopedModelSerializer
from zhaoshang.enterprises.models import ContactLog, Enterprise, TargetEntry


class EnterpriseSerializer(ScopedModelSerializer):
    class Meta:
        model = Enterprise
        fields = [
            "id",
            "district",
            "uscc",
            "name",
            "legal_representative",
            "founded",
            "registered_capital",
            "paid_in_capital",
            "insured_employees",
            "industry_code",
            "business_scope",
            "address",
            "adcode",
            "lng",
            "lat",
            "crs",
            "status",
            "ownership",
            "listed",
            "tags",
            "top500",
            "parent_name",
            "provenance",
            "overrides",
            "created",
            "updated",
        ]
        read_only_fields = ["provenance", "overrides"]


class TargetEntrySerializer(ScopedModelSerializer):
    class Meta:
        model = TargetEntry
        fields = [
            "id",
            "district",
            "enterprise",
            "chain",
            "node",
            "team",
            "owner",
            "status",
            "drop_reason",
            "next_action",
            "next_action_date",
            "score",
            "score_explain",
            "notes",
            "created",
            "updated",
        ]
        read_only_fields = ["score", "score_explain"]


class ContactLogSerializer(ScopedModelSerializer):
    class Meta:
        model = ContactLog
        fields = ["id", "entry", "date", "kind", "participants", "summary", "next_step", "created", "updated"]

from __future__ import annotations

from zhaoshang.core.api import ScopedModelSerializer
from zhaoshang.core.declarations import api_fields
from zhaoshang.enterprises.models import (
    CONTACT_LOG_FIELDS,
    ENTERPRISE_FIELDS,
    TARGET_ENTRY_FIELDS,
    ContactLog,
    Enterprise,
    TargetEntry,
)


class EnterpriseSerializer(ScopedModelSerializer):
    class Meta:
        model = Enterprise
        # Beyond the form: the top-500 listings ([{list, year}], no form field) and, read-only, where each value
        # came from and which were corrected by hand.
        fields = api_fields(ENTERPRISE_FIELDS, "provenance", "overrides", after={"tags": ["top500"]})
        read_only_fields = ["provenance", "overrides"]


class TargetEntrySerializer(ScopedModelSerializer):
    class Meta:
        model = TargetEntry
        # The API also shows the score the system gives (read-only).
        fields = api_fields(TARGET_ENTRY_FIELDS, after={"next_action_date": ["score", "score_explain"]})
        read_only_fields = ["score", "score_explain"]


class ContactLogSerializer(ScopedModelSerializer):
    class Meta:
        model = ContactLog
        fields = api_fields(CONTACT_LOG_FIELDS)

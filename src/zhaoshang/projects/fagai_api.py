"""The API of the 发改 records: listings, and the monthly 完成投资 (its reporter and verification read-only)."""

from __future__ import annotations

from zhaoshang.core.api import ScopedModelSerializer
from zhaoshang.core.declarations import api_fields
from zhaoshang.projects.models import InvestmentCompletion, ProjectListing
from zhaoshang.projects.models.fagai import INVESTMENT_COMPLETION_FIELDS, PROJECT_LISTING_FIELDS


class ProjectListingSerializer(ScopedModelSerializer):
    class Meta:
        model = ProjectListing
        fields = api_fields(PROJECT_LISTING_FIELDS)


class InvestmentCompletionSerializer(ScopedModelSerializer):
    class Meta:
        model = InvestmentCompletion
        fields = api_fields(INVESTMENT_COMPLETION_FIELDS, "reported_by", "verified_by", "verified_at")
        # A figure is verified in the review queue by someone other than its reporter, never written as data.
        read_only_fields = ["reported_by", "verified_by", "verified_at"]

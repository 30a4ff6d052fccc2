from __future__ import annotations

from zhaoshang.core.api import ScopedModelSerializer
from zhaoshang.sites.forms import DEMAND_FIELDS, SITE_FIELDS
from zhaoshang.sites.models import Demand, Site, SiteReservation, SiteUnit


class SiteSerializer(ScopedModelSerializer):
    class Meta:
        model = Site
        fields = ["id", *SITE_FIELDS, "source_crs", "area_m2", "available_area_m2", "created", "updated"]
        read_only_fields = ["area_m2", "availability", "available_area_m2"]


class SiteUnitSerializer(ScopedModelSerializer):
    class Meta:
        model = SiteUnit
        fields = ["id", "site", "name", "floor", "area_m2", "availability", "notes", "created", "updated"]
        # Status changes go through the pages (services), where the building follows its units.
        read_only_fields = ["availability"]


class SiteReservationSerializer(ScopedModelSerializer):
    class Meta:
        model = SiteReservation
        fields = [
            "id",
            "site",
            "unit",
            "project",
            "demand",
            "reserved_at",
            "released_at",
            "by",
            "release_reason",
            "note",
            "created",
            "updated",
        ]
        read_only_fields = ["reserved_at", "released_at", "by"]


class DemandSerializer(ScopedModelSerializer):
    class Meta:
        model = Demand
        fields = ["id", *DEMAND_FIELDS, "created", "updated"]

from __future__ import annotations

from zhaoshang.core.api import ScopedModelSerializer
from zhaoshang.core.declarations import api_fields
from zhaoshang.sites.models import Demand, Site, SiteReservation, SiteUnit
from zhaoshang.sites.models.demands import DEMAND_FIELDS, SITE_RESERVATION_FIELDS
from zhaoshang.sites.models.sites import SITE_FIELDS, SITE_UNIT_FIELDS


class SiteSerializer(ScopedModelSerializer):
    class Meta:
        model = Site
        # The API also says what coordinate system a site came in and its areas as the system computes them.
        fields = api_fields(SITE_FIELDS, "source_crs", "area_m2", "available_area_m2")
        read_only_fields = ["area_m2", "availability", "available_area_m2"]


class SiteUnitSerializer(ScopedModelSerializer):
    class Meta:
        model = SiteUnit
        fields = api_fields(SITE_UNIT_FIELDS)
        # Status changes go through the pages (services), where the building follows its units.
        read_only_fields = ["availability"]


class SiteReservationSerializer(ScopedModelSerializer):
    class Meta:
        model = SiteReservation
        # The API also shows when and by whom a reservation was made or released (read-only).
        fields = api_fields(SITE_RESERVATION_FIELDS, after={"demand": ["reserved_at", "released_at", "by"]})
        read_only_fields = ["reserved_at", "released_at", "by"]


class DemandSerializer(ScopedModelSerializer):
    class Meta:
        model = Demand
        fields = api_fields(DEMAND_FIELDS)

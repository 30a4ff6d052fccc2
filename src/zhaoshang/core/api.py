"""Serializers of the organisation tables; relations limited to the requesting user's scope."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from zhaoshang.core.models import Department, District, Park, Team, Town


class ScopedModelSerializer(serializers.ModelSerializer):
    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        adding = self.instance is None
        for name, field in fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "restrict"):
                action = ("add" if adding else "change") if name == "district" else "view"
                field.queryset = queryset.restrict(user, action)
        return fields


class DistrictSerializer(ScopedModelSerializer):
    class Meta:
        model = District
        fields = ["id", "city", "adcode", "name", "lng", "lat", "created", "updated"]


class TownSerializer(ScopedModelSerializer):
    class Meta:
        model = Town
        fields = ["id", "district", "name", "kind", "code", "created", "updated"]


class ParkSerializer(ScopedModelSerializer):
    class Meta:
        model = Park
        fields = [
            "id",
            "district",
            "name",
            "kind",
            "town",
            "is_chemical_park",
            "chemical_park_list",
            "area_mu",
            "boundary",
            "created",
            "updated",
        ]


class DepartmentSerializer(ScopedModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "district", "name", "short_name", "contact", "phone", "created", "updated"]


class TeamSerializer(ScopedModelSerializer):
    class Meta:
        model = Team
        fields = [
            "id",
            "district",
            "name",
            "kind",
            "lead_department",
            "research_institution",
            "created",
            "updated",
        ]

"""Serializers of the organisation tables; relations limited to the requesting user's scope."""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers

from zhaoshang.core.declarations import api_fields
from zhaoshang.core.generic.files import stored_file_url
from zhaoshang.core.models import Department, District, Park, Team, Town
from zhaoshang.core.models.organisation import (
    DEPARTMENT_FIELDS,
    DISTRICT_FIELDS,
    PARK_FIELDS,
    TEAM_FIELDS,
    TOWN_FIELDS,
)
from zhaoshang.core.scope import limit_choices


class StoredFileField(serializers.FileField):
    """A stored file as the address of the scope-checked download view, never its storage path; uploads are
    checked by the model field's validators (``core.uploads``)."""

    def to_representation(self, value: Any) -> str | None:
        if not value:
            return None
        url = stored_file_url(value)
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class BoundedCharField(serializers.CharField):
    """DRF's CharField, with the length limit applied to the text as sent, not only after trimming it: the
    schema's maxLength is then exactly what is refused."""

    def to_internal_value(self, data: Any) -> str:
        if self.max_length is not None and isinstance(data, str) and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return str(super().to_internal_value(data))


class ScopedModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.FileField: StoredFileField,
        models.CharField: BoundedCharField,
        models.TextField: BoundedCharField,
    }
    #: Fields that may be set when a record is created but not changed afterwards (a transition moves them).
    read_only_on_update: tuple[str, ...] = ()

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        user = getattr(self.context.get("request"), "user", None)
        limit_choices(fields, user, adding=self.instance is None, model=self.Meta.model)
        if self.instance is not None or self.context.get("updating"):
            for name in self.read_only_on_update:
                fields[name].read_only = True
        return fields


class DistrictSerializer(ScopedModelSerializer):
    class Meta:
        model = District
        fields = api_fields(DISTRICT_FIELDS)


class TownSerializer(ScopedModelSerializer):
    class Meta:
        model = Town
        fields = api_fields(TOWN_FIELDS)


class ParkSerializer(ScopedModelSerializer):
    class Meta:
        model = Park
        fields = api_fields(PARK_FIELDS)


class DepartmentSerializer(ScopedModelSerializer):
    class Meta:
        model = Department
        fields = api_fields(DEPARTMENT_FIELDS)


class TeamSerializer(ScopedModelSerializer):
    class Meta:
        model = Team
        fields = api_fields(TEAM_FIELDS)

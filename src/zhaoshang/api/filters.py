"""The API's filter backend: the pages' filtersets, with yes/no filters as strict as the schema says.

django-filter reads a yes/no filter (BooleanFilter) with a NullBooleanField, which takes any other value
("null", "abc", "") for "all" and so ignores it silently: `?active=null` would list every record. The schema
says `type: boolean`, so the API takes exactly `true` or `false` and refuses anything else with a 400. The list
pages keep their select with "全部" (`unknown`), which belongs to the page's form, not to the API.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.contrib.django_filters import DjangoFilterExtension as DjangoFilterExtension_
from drf_spectacular.contrib.django_filters import _NoHint as _NO_HINT

VALUES = {"true": True, "false": False}


class StrictBooleanField(forms.Field):
    """`true` or `false`, as JSON and the schema write them; an absent parameter filters nothing."""

    default_error_messages = {"invalid": _("请填写 true 或 false。")}

    def to_python(self, value: Any) -> bool | None:
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        if value not in VALUES:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return VALUES[value]

    def validate(self, value: Any) -> None:
        # None (the parameter absent) is "all"; what to_python returned is otherwise a valid choice.
        return None


class StrictFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request: Any, queryset: Any, view: Any) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        fields = filterset.form.fields
        for name, field in list(fields.items()):
            if isinstance(field, forms.NullBooleanField):
                fields[name] = StrictBooleanField(required=False, label=field.label)
        return filterset


class FilterSchemaExtension(DjangoFilterExtension_):
    """drf-spectacular's reading of the filtersets, for the backend above: a filter with a method typed
    `value: Any` (the filtersets' methods) is described by its own kind (a number, a yes/no), not left untyped."""

    target_class = "zhaoshang.api.filters.StrictFilterBackend"
    priority = 1

    def _get_filter_method_hint(self, filter_method: Any) -> Any:
        hint = super()._get_filter_method_hint(filter_method)
        return _NO_HINT if hint is Any else hint

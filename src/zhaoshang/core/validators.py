"""Django validators over the pure parsers: one message, in the user's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import get_language

from zhaoshang.core import codes
from zhaoshang.core.parsers import ParseError
from zhaoshang.geo.geojson import GeometryError, check_polygon


def localised(error: ParseError | GeometryError) -> str:
    language = get_language() or "zh-hans"
    return error.zh if language.startswith("zh") else error.en


def django_validator(check: Callable[[Any], Any], name: str) -> Callable[[Any], None]:
    def validator(value: Any) -> None:
        if value in (None, ""):
            return
        try:
            check(value)
        except (ParseError, GeometryError) as error:
            raise ValidationError(localised(error), code="invalid") from error

    # Named like the module attribute so that migrations can reference it.
    validator.__name__ = validator.__qualname__ = name
    validator.__module__ = __name__
    return validator


validate_adcode = django_validator(codes.validate_adcode, "validate_adcode")
validate_uscc = django_validator(codes.validate_uscc, "validate_uscc")
validate_industry_code = django_validator(codes.validate_industry_code, "validate_industry_code")
validate_boundary = django_validator(check_polygon, "validate_boundary")

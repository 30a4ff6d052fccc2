"""Rendering of model values the way officials read them: labels for choices, 是/否, links, units."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from zhaoshang.core.registry import config_for_model

register = template.Library()


def _display(obj: Any, field: models.Field) -> Any:
    value = getattr(obj, field.name)
    if value is None or value == "":
        return mark_safe('<span class="text-body-secondary">—</span>')
    if field.choices:
        return getattr(obj, f"get_{field.name}_display")()
    if isinstance(field, models.BooleanField):
        css = "text-bg-success" if value else "text-bg-light"
        return format_html('<span class="badge {}">{}</span>', css, _("是") if value else _("否"))
    if isinstance(field, models.ForeignKey):
        return object_link(value)
    if isinstance(value, Decimal):
        return number_format(value.normalize() if value == value.to_integral() else value, use_l10n=True)
    if isinstance(field, models.JSONField):
        return format_html('<code class="small">{}</code>', str(value)[:120])
    return value


@register.simple_tag
def cell(obj: Any, name: str) -> Any:
    return _display(obj, obj._meta.get_field(name))


@register.simple_tag
def field_label(meta: Any, name: str) -> str:
    return str(meta.get_field(name).verbose_name)


@register.simple_tag
def object_link(obj: Any) -> Any:
    config = config_for_model(type(obj))
    if config is None:
        return str(obj)
    try:
        url = reverse(config.url_name("detail"), args=[obj.pk])
    except NoReverseMatch:
        return str(obj)
    return format_html('<a href="{}">{}</a>', url, obj)


@register.simple_tag
def url_for(config: Any, action: str, *args: Any) -> str:
    return reverse(config.url_name(action), args=args)


@register.filter
def detail_fields(obj: Any) -> list[tuple[str, Any]]:
    """Every concrete, editable field but the timestamps, as (label, displayed value)."""
    skip = {"id", "created", "updated"}
    rows = []
    for field in obj._meta.concrete_fields:
        if field.name in skip:
            continue
        rows.append((str(field.verbose_name), _display(obj, field)))
    return rows


@register.filter
def yes_no(value: Any) -> str:
    return _("是") if value else _("否")

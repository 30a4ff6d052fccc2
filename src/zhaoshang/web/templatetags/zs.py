"""Rendering of model values the way officials read them: labels for choices, 是/否, links, units."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import template
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from zhaoshang.core.audit import CHANNEL_LABELS
from zhaoshang.core.registry import config_for_model

register = template.Library()


def _display(obj: Any, field: models.Field, link: bool = True) -> Any:
    value = getattr(obj, field.name)
    if value is None or value == "" or value == []:
        return mark_safe('<span class="text-body-secondary">—</span>')
    if field.choices:
        return getattr(obj, f"get_{field.name}_display")()
    if isinstance(field, models.BooleanField):
        css = "text-bg-success" if value else "text-bg-light"
        return format_html('<span class="badge {}">{}</span>', css, _("是") if value else _("否"))
    if isinstance(field, models.ForeignKey):
        if hasattr(value, "get_full_name"):
            return value.get_full_name() or value.get_username()  # people by name, as officials know them
        return object_link(value) if link else str(value)
    if isinstance(value, float):
        return number_format(round(value, 2), use_l10n=True)
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(field, models.JSONField):
        return _json_display(value)
    return value


def _json_display(value: Any) -> Any:
    if isinstance(value, dict) and value.get("type") in ("Polygon", "MultiPolygon"):
        rings = (
            value["coordinates"]
            if value["type"] == "Polygon"
            else [r for p in value["coordinates"] for r in p]
        )
        points = sum(len(ring) - 1 for ring in rings)
        return format_html('<span title="GeoJSON">{}</span>', _("GeoJSON 面,%(n)s 个顶点") % {"n": points})
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "、".join(value)
    text = json.dumps(value, ensure_ascii=False)
    return format_html('<code class="small">{}</code>', text if len(text) <= 200 else text[:200] + "…")


def _number(value: Decimal) -> str:
    # 3000.0000 → 3,000; 12.5000 → 12.5 (as officials write them)
    normal = value.normalize()
    return number_format(
        normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal, use_l10n=True
    )


@register.filter
def plain(value: Any) -> Any:
    """A history value as people read it: numbers without trailing zeros, lists joined, JSON as JSON."""
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, dict | list):
        return _json_display(value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return value


@register.filter
def channel_label(code: str) -> str:
    return str(CHANNEL_LABELS.get(code, code or ""))


@register.simple_tag
def cell(obj: Any, name: str, link: bool = True) -> Any:
    """A field as a list shows it; ``link=False`` inside the row's own link (a link in a link is invalid HTML:
    browsers split it and the row's link comes out empty)."""
    return _display(obj, obj._meta.get_field(name), link)


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

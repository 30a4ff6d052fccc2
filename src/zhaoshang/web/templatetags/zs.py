"""Rendering of model values the way officials read them: labels for choices, 是/否, links, units."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from zhaoshang.core.audit import CHANNEL_LABELS
from zhaoshang.core.generic import display
from zhaoshang.core.generic.display import field_display, json_display, number_display

register = template.Library()


@register.filter
def plain(value: Any) -> Any:
    """A history value as people read it: numbers without trailing zeros, lists joined, JSON as JSON."""
    if isinstance(value, Decimal):
        return number_display(value)
    if isinstance(value, dict | list):
        return json_display(value)
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
    return field_display(obj, obj._meta.get_field(name), link)


@register.simple_tag
def field_label(meta: Any, name: str) -> str:
    return display.label_display(meta.get_field(name))  # a money column's cells carry the unit


@register.simple_tag
def url_for(config: Any, action: str, *args: Any) -> str:
    return reverse(config.url_name(action), args=args)


@register.filter
def yes_no(value: Any) -> str:
    return _("是") if value else _("否")


register.filter("detail_fields", display.detail_fields)
register.simple_tag(display.object_link, name="object_link")

"""How a record's values read on a page: choices by label, people by name, numbers as officials write them,
links to the records they name. Used by the templates (through the `zs` tags) and by detail selectors."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from zhaoshang.core.declarations import config_for_model
from zhaoshang.core.generic.files import stored_file_url
from zhaoshang.core.uploads import download_name

# A money field's unit in its label, in either language: "总投资(万元)", "Total investment (10k yuan)".
_WAN_UNIT = re.compile(r"\s*[(（](万元|10k yuan)[)）]\s*$")


def field_display(obj: Any, field: models.Field, link: bool = True) -> Any:
    value = getattr(obj, field.name)
    if value is None or value == "" or value == []:
        return mark_safe('<span class="text-body-secondary">—</span>')
    if field.choices:
        return choice_label(obj, field, value)
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
        if is_money(field):
            return money_display(value)
        if price_unit(field):  # a price's value carries its unit, as its label names it: "25 万元/亩"
            return f"{number_display(value)} {_label_unit(field)}"
        return number_display(value)
    if isinstance(field, models.JSONField):
        return json_display(value)
    if isinstance(field, models.FileField):  # through the scope-checked download view, never /media/
        return format_html('<a href="{}">{}</a>', stored_file_url(value), download_name(value.name))
    return value


@lru_cache(maxsize=512)
def _choice_labels(field: models.Field, language: str | None) -> dict[Any, str]:
    return {key: str(label) for key, label in field.flatchoices}


def choice_label(obj: Any, field: models.Field, value: Any) -> Any:
    """What ``get_<field>_display()`` gives, with the field's labels translated once per language: Django's
    rebuilds and translates every label of the field for each cell, a seventh of a 50-row list page's time."""
    try:
        return _choice_labels(field, get_language()).get(value, value)
    except TypeError:  # an unhashable value (a list): Django's own way
        return getattr(obj, f"get_{field.name}_display")()


def json_display(value: Any) -> Any:
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


@lru_cache(maxsize=512)
def is_money(field: models.Field) -> bool:
    """An amount in 万元: a decimal field whose Chinese label ends with "(万元)" (not 万元/亩, a price)."""
    if not isinstance(field, models.DecimalField):
        return False
    with override("zh-hans"):
        return bool(re.search(r"[(（]万元[)）]$", str(field.verbose_name)))


def money_display(value: Any) -> str:
    """An amount held in 万元 with its unit in the reader's language: "125.66 亿元", "3,000 万元" (English:
    "12.57 billion yuan"): the pages' one ``|money`` filter."""
    from zhaoshang.core.templatetags.money import money

    return money(value)


# A price's unit in its Chinese label: 土地价格(万元/亩), 租金(元/m²/月), 售价(元/m²).
_PRICE_UNIT = re.compile(r"[(（](万元/亩|元/亩|元/m²/月|元/m²)[)）]$")
_LAST_BRACKET = re.compile(r"\s*[(（](?P<unit>[^()（）]*)[)）]\s*$")


def _label_unit(field: models.Field) -> str:
    """The unit in the field's label in the reader's language: "万元/亩", "10k yuan/mu"."""
    found = _LAST_BRACKET.search(str(field.verbose_name))
    return found["unit"].strip() if found else ""


@lru_cache(maxsize=512)
def price_unit(field: models.Field) -> str:
    """The unit of a price field ("万元/亩"), from its Chinese label; "" for any other field."""
    if not isinstance(field, models.DecimalField):
        return ""
    with override("zh-hans"):
        found = _PRICE_UNIT.search(str(field.verbose_name))
    return found.group(1) if found else ""


def label_display(field: models.Field) -> str:
    """A field's label on a page: a money field's value carries its own unit, so its label drops "(万元)"; so
    does a price's ("土地价格(万元/亩)" → "土地价格", the value reading "25 万元/亩")."""
    label = str(field.verbose_name)
    if is_money(field):
        return _WAN_UNIT.sub("", label)
    return _LAST_BRACKET.sub("", label) if price_unit(field) else label


def number_display(value: Decimal) -> str:
    # 3000.0000 → 3,000; 12.5000 → 12.5 (as officials write them)
    normal = value.normalize()
    return number_format(
        normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal, use_l10n=True
    )


def object_link(obj: Any) -> Any:
    config = config_for_model(type(obj))
    if config is None:
        return str(obj)
    try:
        url = reverse(config.url_name("detail"), args=[obj.pk])
    except NoReverseMatch:
        return str(obj)
    return format_html('<a href="{}">{}</a>', url, obj)


def detail_fields(obj: Any) -> list[tuple[str, Any]]:
    """Every concrete, editable field but the timestamps, as (label, displayed value)."""
    skip = {"id", "created", "updated"}
    rows = []
    for field in obj._meta.concrete_fields:
        if field.name in skip:
            continue
        rows.append((label_display(field), field_display(obj, field)))
    return rows

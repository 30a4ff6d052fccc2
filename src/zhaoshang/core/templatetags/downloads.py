"""The download buttons: shown exactly when the gate (``core.downloads``) would serve the file.

``{% download_allowed "node_targets" node as can_download %}`` for a button of one's own (a group, a submit
button); ``{% download_button "dispatch_word" report href=url %}`` renders a plain link button, or nothing.
Generic pages name the model's config: ``{% download_allowed "export" config=config as can_export %}``.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from zhaoshang.core.downloads import download_allowed as allowed
from zhaoshang.core.downloads import download_for

register = template.Library()


def _key(key: str, config: Any) -> str:
    return f"{config.key}_{key}" if config is not None else key


@register.simple_tag(takes_context=True)
def download_allowed(context: Any, key: str, target: Any = None, config: Any = None) -> bool:
    request = context.get("request")
    return allowed(getattr(request, "user", None), _key(key, config), target)


@register.simple_tag(takes_context=True)
def download_button(
    context: Any,
    key: str,
    target: Any = None,
    *,
    href: str,
    config: Any = None,
    label: Any = None,
    css: str = "btn btn-outline-secondary",
    id: str = "",  # noqa: A002  (the HTML attribute)
) -> str:
    key = _key(key, config)
    request = context.get("request")
    if not allowed(getattr(request, "user", None), key, target):
        return ""
    text = label if label is not None else download_for(key).label
    if id:
        return format_html('<a class="{}" id="{}" href="{}">{}</a>', css, id, href, text)
    return format_html('<a class="{}" href="{}">{}</a>', css, href, text)

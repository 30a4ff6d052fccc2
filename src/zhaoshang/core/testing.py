"""Generic checks that every registered model passes (NetBox's generic test classes, as plain functions).

Each app's tests declare a `ModelSpec` per registered model: how to build one in a district and what a valid
form post looks like. `check_model_pages` then walks list/detail/create/edit/delete/history as an allowed user
and proves the outsider gets 404 everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from zhaoshang.core.registry import ModelConfig


@dataclass
class ModelSpec:
    key: str
    build: Callable[[Any], Any]  # district → saved object
    form_data: Callable[[Any], dict[str, Any]]  # district → valid POST data for a new object
    changes: dict[str, Any]  # a field edit to make through the form


def post_data(config: ModelConfig, obj: Any, user: Any, **overrides: Any) -> dict[str, Any]:
    """The edit form's current values for `obj`, as a browser would post them back."""
    form = config.form(instance=obj, user=user)
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        if hasattr(value, "pk"):
            value = value.pk
        data[name] = value if not isinstance(value, dict | list) else __import__("json").dumps(value)
    data.update(overrides)
    return data


def url(config: ModelConfig, action: str, *args: Any) -> str:
    return reverse(config.url_name(action), args=args)

"""Generic checks that every registered model passes (NetBox's generic test classes, as plain functions).

Each app's tests declare a `ModelSpec` per registered model: how to build one in a district and what a valid
form post looks like. `check_model_pages` then walks list/detail/create/edit/delete/history as an allowed user
and proves the outsider gets 404 everywhere.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import reverse

from zhaoshang.core.declarations import ModelConfig


@dataclass
class ModelSpec:
    key: str
    build: Callable[[Any], Any]  # district → saved object
    form_data: Callable[[Any], dict[str, Any]]  # district → valid POST data for a new object
    changes: dict[str, Any]  # a field edit to make through the form
    api_changes: dict[str, Any] | None = None  # the same through the API (JSON values); default: a new name
    lookup: Callable[[dict[str, Any]], dict[str, Any]] | None = (
        None  # form data → filter finding the new object
    )
    marker: Callable[[Any], str] = str  # text that shows the object in its list
    export_marker: Callable[[Any], str] | None = None  # text that shows it in an export (default: marker)

    def find(self, model: Any, district: Any, data: dict[str, Any]) -> Any:
        criteria = self.lookup(data) if self.lookup else {"name": data["name"]}
        return model.objects.filter(**{model.scope_path: district}).get(**criteria)


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
        elif isinstance(value, list | tuple) and all(hasattr(v, "pk") for v in value):
            value = [v.pk for v in value]  # a many-to-many field posts its ids
        elif isinstance(value, dict):
            value = json.dumps(value)
        data[name] = value
    data.update(overrides)
    return data


def form_errors(response: Any) -> str:
    """The form's errors from a failed post, for assertion messages."""
    form = response.context.get("form") if response.context else None
    return str(form.errors.as_data()) if form is not None else response.content.decode()[:500]


def url(config: ModelConfig, action: str, *args: Any) -> str:
    return reverse(config.url_name(action), args=args)


def all_specs() -> dict[str, ModelSpec]:
    """Every app's `specs.SPECS`: an app declares how to build its models next to its factories."""

    specs: dict[str, ModelSpec] = {}
    for app in apps.get_app_configs():
        if not app.name.startswith("zhaoshang."):
            continue
        try:
            module = importlib.import_module(f"{app.name}.specs")
        except ModuleNotFoundError as error:
            if error.name != f"{app.name}.specs":
                raise
            continue
        specs.update(module.SPECS)
    return specs

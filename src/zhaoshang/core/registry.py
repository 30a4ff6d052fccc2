"""Every model the generic pages, API, import/export and CLI serve is declared once, here.

A declaration names the model's list columns, filter set, form, import/export resource and serializer;
URLs, API routes, CLI names and the generic tests are derived from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models


@dataclass
class ModelConfig:
    key: str  # URL segment and CLI name, e.g. "park"
    model: type[models.Model]
    columns: list[str]
    filterset: type[Any]
    form: type[Any]
    serializer: type[Any]
    resource: type[Any] | None = None
    nav_group: str = "org"
    detail_fields: list[str] = field(default_factory=list)
    select_related: list[str] = field(default_factory=list)
    # Extra context for the detail page: (object, user) → dict; e.g. a chain's graph.
    detail_context: Any = None
    # Whole-structure JSON import/export (e.g. chain bundles): (content, user, dry_run, district) → ImportReport
    # and (queryset) → dict.
    json_import: Any = None
    json_export: Any = None
    # File suffixes that go to json_import instead of the spreadsheet reader (e.g. .geojson, zipped Shapefiles).
    json_suffixes: tuple[str, ...] = (".json",)
    # A domain service that saves a valid form: (form, user) → object; default: the generic object_save.
    saver: Any = None
    # The same services for the API, which has an instance rather than a form: (instance, user, channel) →
    # object, and (instance, user, channel) for a deletion; default: object_save / object_delete.
    writer: Any = None
    deleter: Any = None

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def verbose_name_plural(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    def url_name(self, action: str) -> str:
        return f"{self.key}_{action}"


_registry: dict[str, ModelConfig] = {}
_nav_groups: dict[str, tuple[int, Any]] = {}


def register_nav_group(code: str, label: Any, order: int) -> None:
    """A menu of the navigation bar; each app declares its own (label lazily translated)."""
    _nav_groups[code] = (order, label)


def nav_groups() -> list[tuple[str, Any]]:
    return [
        (code, label) for code, (_order, label) in sorted(_nav_groups.items(), key=lambda item: item[1][0])
    ]


def register(config: ModelConfig) -> ModelConfig:
    if config.key in _registry and _registry[config.key].model is not config.model:
        raise ValueError(f"{config.key!r} is already registered for {_registry[config.key].model}")
    _registry[config.key] = config
    return config


def configs() -> list[ModelConfig]:
    return list(_registry.values())


def config_for_key(key: str) -> ModelConfig | None:
    return _registry.get(key)


def config_for_model(model: type[models.Model]) -> ModelConfig | None:
    return next((c for c in _registry.values() if c.model is model), None)

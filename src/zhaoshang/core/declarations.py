"""Every model the generic pages, API, import/export and CLI serve is declared once, here.

A declaration names the model's list columns, filter set, form, import/export resource and serializer;
URLs, API routes, CLI names and the generic tests are derived from it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
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
    # Extra context for a list page: (the page's objects, user) → dict; e.g. the projects' computed status.
    # With it the page may have its own templates: <app>/<key>_list.html and <app>/_<key>_table.html.
    list_context: Any = None
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


@dataclass(frozen=True)
class DetailPanel:
    """A section that a higher app adds to a lower app's detail page: its template and its context."""

    template: str
    context: Any  # (object, user) → dict


_registry: dict[str, ModelConfig] = {}
_panels: dict[str, list[DetailPanel]] = {}
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


def register_detail_panel(key: str, *, template: str, context: Any) -> None:
    """Add a section to the detail page of the model registered as `key` (e.g. the sites a project holds, on
    the project page), so that the lower app never imports the higher one; the page includes the panels'
    templates in registration order."""
    panels = _panels.setdefault(key, [])
    if all(panel.template != template for panel in panels):
        panels.append(DetailPanel(template, context))


def detail_panels(key: str) -> list[DetailPanel]:
    return list(_panels.get(key, []))


def configs() -> list[ModelConfig]:
    return list(_registry.values())


def config_for_key(key: str) -> ModelConfig | None:
    return _registry.get(key)


def config_for_model(model: type[models.Model]) -> ModelConfig | None:
    return next((c for c in _registry.values() if c.model is model), None)


# --- field lists ---------------------------------------------------------------------------------------------
# A model's editable fields are declared once, beside the model (e.g. ``PARK_FIELDS``): the form takes them as
# they are, the API and the files derive theirs from them here, and only say how they differ.

API_KEY = "id"
API_TIMESTAMPS = ("created", "updated")


def field_list(
    fields: Sequence[str],
    *,
    after: Mapping[str, Sequence[str]] | None = None,
    leave_out: Collection[str] = (),
) -> list[str]:
    """``fields`` less ``leave_out``, with ``after[name]`` placed after ``name`` (even a left-out one)."""
    listed: list[str] = []
    for name in fields:
        if name not in leave_out:
            listed.append(name)
        listed.extend((after or {}).get(name, ()))
    return listed


def api_fields(
    fields: Sequence[str], *extra: str, after: Mapping[str, Sequence[str]] | None = None
) -> list[str]:
    """A serializer's fields: the id, the model's fields (with what only the API shows placed ``after`` them,
    or ``extra`` at the end), and the timestamps."""
    return [API_KEY, *field_list(fields, after=after), *extra, *API_TIMESTAMPS]


def file_fields(
    fields: Sequence[str],
    *,
    after: Mapping[str, Sequence[str]] | None = None,
    leave_out: Collection[str] = (),
) -> tuple[str, ...]:
    """An import/export resource's columns: the model's fields less what files do not carry, the district's
    name after its code (``district_name_field``), and the columns only files have placed ``after`` others."""
    placed = {"district": ["district_name"], **{name: list(more) for name, more in (after or {}).items()}}
    return tuple(field_list(fields, after=placed, leave_out=leave_out))

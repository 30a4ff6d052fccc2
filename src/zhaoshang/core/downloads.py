"""The downloads: every file the application hands to people, named once, with the right it needs and where.

One table decides both whether a file is served and whether its button is shown, so that the two never disagree:

- each app registers its downloads in its ``registry.py`` (``register_download``); the generic export and the blank
  import templates of every declared model are derived here from ``core.declarations``;
- every view that sends a file calls ``download_check`` (403 with a Chinese message when the right is missing in
  the district the file is judged in, 404 when the user may not even see what it is made from);
- every template that shows a download button asks ``download_allowed`` through ``{% load downloads %}``.

The right is ``export`` for everything the application *produces* (exports, workbooks, Word reports, GeoJSON).
Two kinds of file are not products and say why in ``note``: a record's own attachment (evidence, an approval's
document) is part of seeing the record (``view``), and a blank import template carries no data, only the headers
of the import it serves (``add``).

Where a download is judged (``scope``):

- ``object``: the one record it is made from (a node, a dispatch report, a stored file's owner), in its district;
- ``rows``: rows the view selects through ``restrict(user, right)``, so that only the districts where the user
  holds the right are in the file; the user needs the right somewhere;
- ``filter``: figures over the districts the user may view, or the one chosen: the right is needed in the chosen
  district, or in every district the user views when none is chosen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.declarations import configs
from zhaoshang.core.scope import ACTION_LABELS, ACTIONS, Scope, user_scope

OBJECT, ROWS, FILTER = "object", "rows", "filter"
SCOPES = {
    OBJECT: _("所依据记录的区县"),
    ROWS: _("只含有权限的区县的记录"),
    FILTER: _("所选区县(未选时为可查看的全部区县)"),
}
TABLE_FORMATS = ("xlsx", "csv")  # the generic export and templates (``core.importing.FORMATS``)


@dataclass(frozen=True)
class Download:
    key: str  # e.g. "node_targets"; generic ones: "<model key>_export", "<model key>_template"
    label: Any  # what the button says and the refusal names, lazily translated
    url_name: str  # the URL that serves it
    right: str = "export"
    scope: str = OBJECT
    formats: tuple[str, ...] = ("xlsx",)
    # Query parameters that make a page's own address send a file (the rates page with ?format=xlsx).
    trigger: dict[str, str] = field(default_factory=dict)
    # A stored file served by ``/files/<app.model>/<pk>/<field>/``: "app.model.field" (lower case).
    stored: str = ""
    note: Any = ""  # why a right other than ``export``

    def __post_init__(self) -> None:
        if self.right not in ACTIONS:
            raise ValueError(f"unknown right {self.right!r}")
        if self.scope not in SCOPES:
            raise ValueError(f"unknown scope {self.scope!r}")
        if self.right != "export" and not self.note:
            raise ValueError(f"{self.key}: a download judged by {self.right!r}, not export, must say why")


_registry: dict[str, Download] = {}


def register_download(download: Download) -> Download:
    if download.key in _registry and _registry[download.key] != download:
        raise ValueError(f"download {download.key!r} is already registered differently")
    _registry[download.key] = download
    return download


def _generic() -> list[Download]:
    """The generic export (xlsx, csv, and the model's JSON bundle or GeoJSON) and blank import template of every
    declared model with a resource (``core.generic.transfer``)."""
    derived = []
    for config in configs():
        if config.resource is None:
            continue
        name = config.verbose_name_plural
        derived.append(
            Download(
                key=f"{config.key}_export",
                label=format_lazy(_("导出{name}"), name=name),
                url_name=config.url_name("export"),
                scope=ROWS,
                formats=(*TABLE_FORMATS, *(("json",) if config.json_export else ())),
            )
        )
        derived.append(
            Download(
                key=f"{config.key}_template",
                label=format_lazy(_("{name}导入模板"), name=name),
                url_name=config.url_name("template"),
                right="add",
                scope=ROWS,
                formats=TABLE_FORMATS,
                note=_("空白模板只有导入的表头,不含任何数据;用于导入,需要新增权限"),
            )
        )
    return derived


def downloads() -> list[Download]:
    """The whole table: the registered downloads, then the generic ones."""
    return [*_registry.values(), *_generic()]


def download_for(key: str) -> Download:
    found = _registry.get(key) or next((d for d in _generic() if d.key == key), None)
    if found is None:
        raise KeyError(f"no download {key!r}")
    return found


def stored_download(label: str, field_name: str) -> Download | None:
    """The download of a stored file field (``app.model``, ``field``), or None: unlisted fields are never served."""
    name = f"{label}.{field_name}".lower()
    return next((d for d in _registry.values() if d.stored == name), None)


# --- the gate ------------------------------------------------------------------------------------------------


class DownloadRefused(PermissionDenied):
    """The user may see what the file is made from but lacks the right to take it away: a 403 that says why."""


def _district_id(target: Any) -> int | None:
    if target is None or isinstance(target, int):
        return target
    return target.pk if target._meta.label_lower == "core.district" else target.scoped_district_id


def _covers(right: Scope, view: Scope) -> bool:
    """Whether every district the user views is one where they hold the right."""
    return right.all_districts or (not view.all_districts and view.district_ids <= right.district_ids)


def download_refusal(user: Any, download: Download, target: Any = None) -> str | None:
    """None when ``user`` may take ``download`` (judged on ``target``: the record for ``object``, the chosen
    district or None for ``filter``); otherwise the reason, in the reader's language. Raises ``Http404`` when the
    user may not even see what the file is made from: out of scope looks like nothing there, as everywhere."""
    view, right = user_scope(user, "view"), user_scope(user, download.right)
    names = {"download": download.label, "right": ACTION_LABELS[download.right]}
    missing = gettext("“%(download)s”需要“%(right)s”权限,您在本区县没有这项权限;请联系管理员开通。") % names
    if download.scope == OBJECT and target is None:
        raise ValueError(f"{download.key}: judged on a record, and none was given")
    if download.scope == OBJECT or (download.scope == FILTER and target is not None):
        district_id = _district_id(target)
        if not view.allows(district_id):
            raise Http404
        return None if right.allows(district_id) else missing
    if download.scope == ROWS:
        if not right.empty:
            return None
        if view.empty:
            raise Http404
        return missing
    # A filter without a chosen district: the figures of every district the user views.
    if view.empty:
        raise Http404
    if _covers(right, view):
        return None
    if right.empty:
        return missing
    return gettext("“%(download)s”会包含您没有“%(right)s”权限的区县的数据;请先选择区县。") % names


def download_check(user: Any, key: str, target: Any = None) -> Download:
    """The one gate of every view that sends a file: returns the download when allowed, else raises
    ``DownloadRefused`` (403, its message shown on the page) or ``Http404``."""
    download = download_for(key)
    reason = download_refusal(user, download, target)
    if reason is not None:
        raise DownloadRefused(reason)
    return download


def download_allowed(user: Any, key: str, target: Any = None) -> bool:
    """Whether the button of ``key`` is shown: the same decision as the gate, without raising."""
    try:
        return download_refusal(user, download_for(key), target) is None
    except Http404:
        return False

"""A choice among thousands of rows: a select holding only the chosen row, and a search box that fetches matches.

The form field's queryset is described by a `ChoiceSource` (model, scope action, filters). The description is
signed into the widget's lookup URL; the lookup view verifies it and rebuilds the same queryset for the asking
user through `restrict`, so it offers exactly what the form would accept and nothing outside the user's scope.
Small querysets keep the ordinary select: the switch is made when the widget renders (one COUNT).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import reduce
from operator import or_
from typing import Any

from django import forms
from django.apps import apps
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.http import HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views import View

from zhaoshang.core.declarations import config_for_model
from zhaoshang.core.scope import ACTIONS

SEARCH_THRESHOLD = 200  # more rows than this: search instead of listing them
SEARCH_LIMIT = 30  # matches shown per search
SALT = "zhaoshang.search-select"
BLANK = "—"
LOOKUP_PARTS = ("name", "code", "short_name", "uscc")


@dataclass(frozen=True)
class ChoiceSource:
    """`model.objects.restrict(user, action).filter(**filters).exclude(**excludes)`, as data that can be signed."""

    model: type[models.Model]
    action: str = "view"
    filters: Mapping[str, Any] = field(default_factory=dict)
    excludes: Mapping[str, Any] = field(default_factory=dict)
    to_field: str = "pk"

    def queryset(self, user: Any) -> Any:
        queryset = self.model._default_manager.restrict(user, self.action)  # type: ignore[attr-defined]
        return queryset.filter(**self.filters).exclude(**self.excludes)

    def search(self, user: Any, text: str, limit: int) -> list[models.Model]:
        paths = search_fields(self.model)
        queryset = self.queryset(user)
        text = text.strip()
        if text:
            queryset = queryset.filter(reduce(or_, (Q(**{f"{path}__icontains": text}) for path in paths)))
        related = sorted({path.rsplit("__", 1)[0] for path in paths if "__" in path})
        order = "name" if "name" in paths else paths[0]
        return list(queryset.select_related(*related).order_by(order, "pk")[:limit])

    def sign(self) -> str:
        payload = {
            "model": self.model._meta.label,
            "action": self.action,
            "filters": dict(self.filters),
            "excludes": dict(self.excludes),
            "to_field": self.to_field,
        }
        return signing.dumps(payload, salt=SALT, compress=True)

    @classmethod
    def unsign(cls, token: str) -> ChoiceSource:
        """The source a widget signed; BadSignature when forged or altered, ValueError when not searchable."""
        payload = signing.loads(token, salt=SALT)
        try:
            model = apps.get_model(payload["model"])
        except (KeyError, LookupError, TypeError, ValueError) as error:
            raise ValueError("unknown model") from error
        if not hasattr(model._default_manager, "restrict") or not search_fields(model):
            raise ValueError("model is not searchable")
        if payload.get("action") not in ACTIONS:
            raise ValueError("unknown action")
        return cls(
            model=model,
            action=payload["action"],
            filters=dict(payload.get("filters") or {}),
            excludes=dict(payload.get("excludes") or {}),
            to_field=str(payload.get("to_field") or "pk"),
        )


def search_fields(model: type[models.Model]) -> list[str]:
    """The short text fields a person would type: the model's name/code, or those its list search names."""

    own = [name for name in LOOKUP_PARTS if _field_path_ok(model, name)]
    config = config_for_model(model)
    listed = getattr(config.filterset, "search_fields", ()) if config else ()
    related = [
        path
        for path in listed
        if "__" in path and path.rsplit("__", 1)[1] in LOOKUP_PARTS and _field_path_ok(model, path)
    ]
    return own + related


def _field_path_ok(model: type[models.Model], path: str) -> bool:
    """A text field, reached through forward foreign keys only (no duplicates from many-valued relations)."""
    parts = path.split("__")
    try:
        for part in parts[:-1]:
            relation = model._meta.get_field(part)
            if not (relation.many_to_one or relation.one_to_one) or not relation.concrete:
                return False
            model = relation.related_model
        return isinstance(model._meta.get_field(parts[-1]), models.CharField)
    except FieldDoesNotExist:
        return False


class SearchSelect(forms.Select):
    """A select that, over a large queryset, lists only the chosen row and fills itself from a search box."""

    search_template_name = "core/widgets/search_select.html"

    def __init__(
        self, attrs: Any = None, choices: Any = (), *, source: ChoiceSource, label: Any = ""
    ) -> None:
        super().__init__(attrs, choices)
        self.source = source
        self.label = label
        self.queryset: Any = None  # the field's queryset that `source` describes

    def searching(self) -> bool:
        queryset = getattr(self.choices, "queryset", None)
        # A form that replaced the field's queryset after the source was attached gets the ordinary select.
        return queryset is not None and queryset is self.queryset and queryset.count() > SEARCH_THRESHOLD

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> str:
        if not self.searching():
            return super().render(name, value, attrs, renderer)
        shown = copy.copy(self)
        shown.choices = [("", BLANK), *self._chosen(value)]
        context = shown.get_context(name, value, attrs)
        code = any(path.rsplit("__", 1)[-1] != "name" for path in search_fields(self.source.model))
        placeholder = _("输入名称或编号搜索") if code else _("输入名称搜索")
        context["search"] = {
            "url": f"{reverse('search_select')}?source={self.source.sign()}",
            "placeholder": placeholder,
            "label": f"{self.label}:{placeholder}" if self.label else placeholder,
        }
        return self._render(self.search_template_name, context, renderer)

    def _chosen(self, value: Any) -> list[tuple[Any, Any]]:
        chosen = [v for v in self.format_value(value) if v]
        if not chosen:
            return []
        try:
            found = self.queryset.filter(**{f"{self.source.to_field}__in": chosen})
            return [self.choices.choice(obj) for obj in found]
        except (ValueError, TypeError, ValidationError):
            return []  # a value that is not a key: the form's validation says so


def offer_search(field: forms.Field, source: ChoiceSource) -> None:
    """Give a model choice field the search select; it still renders as a plain select while its queryset is
    small. The field's current queryset must be what `source` describes."""
    if type(field.widget) is not forms.Select or not search_fields(source.model):
        return
    to_field = getattr(field, "to_field_name", None) or "pk"
    widget = SearchSelect(
        attrs=field.widget.attrs, source=replace(source, to_field=to_field), label=field.label
    )
    widget.is_required = field.widget.is_required
    field.widget = widget
    widget.queryset = field.queryset  # type: ignore[attr-defined]
    widget.choices = field.choices  # type: ignore[attr-defined]


def narrow_choices(field: forms.Field, **filters: Any) -> None:
    """`field.queryset = field.queryset.filter(**filters)`, and the search box (if any) offers the same rows.

    Forms narrow a choice this way (e.g. only buildings, only available sites) instead of replacing the
    queryset, which would turn a search select back into a list of every row."""
    field.queryset = field.queryset.filter(**filters)  # type: ignore[attr-defined]
    widget = field.widget
    if isinstance(widget, SearchSelect):
        widget.source = replace(widget.source, filters={**widget.source.filters, **filters})
        widget.queryset = field.queryset  # type: ignore[attr-defined]


class SearchSelectView(LoginRequiredMixin, View):
    """The matching <option>s for a search box: a blank, then at most SEARCH_LIMIT rows ordered by name."""

    def get(self, request: Any) -> HttpResponse:
        try:
            source = ChoiceSource.unsign(request.GET.get("source", ""))
        except (signing.BadSignature, ValueError):
            return HttpResponseBadRequest()
        found = source.search(request.user, request.GET.get("q", ""), SEARCH_LIMIT + 1)
        options = format_html_join(
            "",
            '<option value="{}">{}</option>',
            ((getattr(obj, source.to_field), str(obj)) for obj in found[:SEARCH_LIMIT]),
        )
        if len(found) > SEARCH_LIMIT:
            note = _("仅显示前 %(count)s 条,请输入更多文字") % {"count": SEARCH_LIMIT}
        elif not found:
            note = _("没有匹配的记录")
        else:
            note = ""
        tail = format_html('<option value="" disabled>{}</option>', note) if note else ""
        return HttpResponse(format_html('<option value="">{}</option>{}{}', BLANK, options, tail))

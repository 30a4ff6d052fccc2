"""One filter definition per model serves its list page, its API and its export."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

import django_filters
from django.db.models import Q
from django.forms.widgets import NullBooleanSelect, Select
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.models import Department, District, Park, Team, Town


def scoped(model: Any, action: str = "view") -> Any:
    """A filter queryset limited to what the requesting user may see (all, for commands without a request)."""

    def queryset(request: Any) -> Any:
        user = getattr(request, "user", None)
        return model.objects.restrict(user, action) if user is not None else model.objects.all()

    return queryset


def _attrs(attrs: dict[str, Any]) -> str:
    """As django/forms/widgets/attrs.html writes them: in order, True bare, False left out."""
    parts = []
    for key, value in attrs.items():
        if value is True:
            parts.append(format_html(" {}", key))
        elif value is not False:
            parts.append(format_html(' {}="{}"', key, value))
    return mark_safe("".join(parts))


class ListSelect(Select):
    """Django's select, the same HTML, with the options written here rather than through a template each
    (~0.2 ms an option: a list page's filters hold a hundred and more, growing with chains, towns and parks)."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> Any:
        widget = self.get_context(name, value, attrs)["widget"]
        html = [format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))]
        for group, options, _index in widget["optgroups"]:
            if group:
                html.append(format_html('<optgroup label="{}">', group))
            html += [
                format_html(
                    '<option value="{}"{}>{}</option>', str(o["value"]), _attrs(o["attrs"]), o["label"]
                )
                for o in options
            ]
            if group:
                html.append("</optgroup>")
        html.append("</select>")
        return mark_safe("".join(html))


class ScopedFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    search_fields: tuple[str, ...] = ("name",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Labels from the model's verbose names, set per instance: the schema generator otherwise leaves the
        # shared class-level filters with English defaults for every later page.
        opts = self._meta.model._meta
        for name, generated in self.filters.items():
            if name in self.declared_filters:
                continue
            try:
                generated.label = opts.get_field(generated.field_name).verbose_name
            except Exception:
                continue
            generated.__dict__.pop("_field", None)  # rebuild the form field with the lazy label
        for name, field in self.form.fields.items():
            if isinstance(field.widget, NullBooleanSelect):
                field.widget.choices = (("unknown", _("全部")), ("true", _("是")), ("false", _("否")))
            elif hasattr(field, "empty_label"):
                field.empty_label = _("全部")
            if type(field.widget) is Select:
                old = field.widget
                field.widget = ListSelect(attrs=old.attrs, choices=old.choices)
                field.widget.is_required, field.widget.is_localized = old.is_required, old.is_localized
            css = "form-control" if name == "q" else "form-select"
            field.widget.attrs.setdefault("class", css)
            field.widget.attrs.setdefault("aria-label", str(field.label))

    def search(self, queryset: Any, name: str, value: str) -> Any:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(reduce(or_, (Q(**{f"{f}__icontains": value}) for f in self.search_fields)))


class DistrictFilterSet(ScopedFilterSet):
    search_fields = ("name", "adcode")

    class Meta:
        model = District
        fields = ["q", "city"]


class DistrictOwnedFilterSet(ScopedFilterSet):
    district = django_filters.ModelChoiceFilter(queryset=scoped(District), label=_("区县"))


class TownFilterSet(DistrictOwnedFilterSet):
    search_fields = ("name", "code")

    class Meta:
        model = Town
        fields = ["q", "district", "kind"]


class ParkFilterSet(DistrictOwnedFilterSet):
    town = django_filters.ModelChoiceFilter(queryset=scoped(Town), label=_("所在镇办"))

    class Meta:
        model = Park
        fields = ["q", "district", "kind", "town", "is_chemical_park"]


class DepartmentFilterSet(DistrictOwnedFilterSet):
    search_fields = ("name", "short_name", "contact")

    class Meta:
        model = Department
        fields = ["q", "district"]


class TeamFilterSet(DistrictOwnedFilterSet):
    search_fields = ("name", "research_institution")

    class Meta:
        model = Team
        fields = ["q", "district", "kind"]

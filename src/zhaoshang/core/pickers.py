"""Form fields for people instead of raw JSON or login names.

- `PersonChoiceField`: a person of the district's staff (someone with a role on that district), shown by full name
  and title; never system accounts, inactive accounts or the staff of other districts.
- `Top500Field`: 投资方500强 as a tick per list with its year, stored as `[{"list": 名称, "year": 年}]`.
- `WeightsField`: 评分权重 as one number per criterion, stored as `{criterion: weight}` ({} = the defaults).
- `dependent_select`: a select whose choices follow another select (e.g. 环节 of the chosen 产业链) through HTMX.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.models import District

SYSTEM_PREFIX = "system-"  # `core.audit.system_actor` accounts: never a person to choose

# The top-500 lists as the records store them (the Chinese name; imports write the same names).
TOP500_NAMES: tuple[tuple[str, Any], ...] = (
    ("世界500强", _("世界500强")),
    ("中国企业500强", _("中国企业500强")),
    ("中国民营企业500强", _("中国民营企业500强")),
    ("中国制造业企业500强", _("中国制造业企业500强")),
    ("中国服务业企业500强", _("中国服务业企业500强")),
)


# ---------------------------------------------------------------------------------------------- people


def staff_queryset(district_ids: Iterable[int] | None) -> Any:
    """Active people with a role on one of these districts (directly or through its city); None: on any
    district. System accounts never."""
    User = get_user_model()
    people = User.objects.filter(is_active=True).exclude(username__startswith=SYSTEM_PREFIX)
    if district_ids is None:
        on = Q(role_assignments__districts__isnull=False) | Q(role_assignments__cities__isnull=False)
    else:
        ids = list(district_ids)
        cities = District.objects.filter(pk__in=ids).values("city_id")
        on = Q(role_assignments__districts__in=ids) | Q(role_assignments__cities__in=cities)
    staff = User.objects.filter(on).values("pk")
    return people.filter(pk__in=staff).select_related("profile").order_by("first_name", "last_name", "pk")


def person_label(user: Any) -> str:
    """全名 · 职务 (the login name only when no name was given)."""
    name = user.get_full_name() or user.username
    profile = getattr(user, "profile", None)
    title = getattr(profile, "title", "") if profile is not None else ""
    return f"{name} · {title}" if title else name


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return person_label(obj)


def limit_people(form: forms.BaseForm, district_ids: Iterable[int] | None) -> list[str]:
    """Every choice of a user among the form's fields: the staff of these districts, by full name. The current
    value stays choosable (an officer who has since moved on is not silently dropped). Returns the fields."""
    User = get_user_model()
    changed = []
    ids = None if district_ids is None else list(district_ids)
    instance = getattr(form, "instance", None)
    for name, field in form.fields.items():
        if not isinstance(field, forms.ModelChoiceField) or isinstance(field, forms.ModelMultipleChoiceField):
            continue
        if field.queryset.model is not User:
            continue
        staff = staff_queryset(ids)
        current = getattr(instance, f"{name}_id", None) if instance is not None else None
        if current:
            staff = (staff | User.objects.filter(pk=current)).distinct()
        person = PersonChoiceField(
            queryset=staff,
            required=field.required,
            label=field.label,
            help_text=field.help_text,
            initial=field.initial,
            widget=forms.Select(attrs={**field.widget.attrs, "class": "form-select"}),
        )
        form.fields[name] = person
        changed.append(name)
    return changed


# ---------------------------------------------------------------------------------------------- 500 强


class Top500Picker(forms.Widget):
    """One row per list: a tick and the year of the list. Lists the records hold that are not among the known
    ones (from an import) are shown too, so that saving keeps them."""

    template_name = "core/widgets/top500.html"

    def __init__(self, attrs: Any = None, lists: Sequence[tuple[str, Any]] = TOP500_NAMES) -> None:
        super().__init__(attrs)
        self.lists = list(lists)

    def _entries(self, value: Any) -> dict[str, Any]:
        return {str(e.get("list")): e.get("year") for e in (value or []) if isinstance(e, dict)}

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        chosen = self._entries(value)
        known = [code for code, _label in self.lists]
        rows = [
            {
                "index": i,
                "code": code,
                "label": label,
                "checked": code in chosen,
                "year": chosen.get(code) or "",
            }
            for i, (code, label) in enumerate(self.lists)
        ]
        for extra in (code for code in chosen if code not in known):
            rows.append(
                {
                    "index": len(rows),
                    "code": extra,
                    "label": extra,
                    "checked": True,
                    "year": chosen[extra] or "",
                }
            )
        context["widget"]["rows"] = rows
        context["widget"]["default_year"] = datetime.date.today().year - 1
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        entries = []
        index = 0
        while f"{name}_{index}_list" in data:
            code = data.get(f"{name}_{index}_list")
            if data.get(f"{name}_{index}"):
                entries.append({"list": code, "year": (data.get(f"{name}_{index}_year") or "").strip()})
            index += 1
        return entries

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return f"{name}_0_list" not in data


class Top500Field(forms.Field):
    widget = Top500Picker

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[dict[str, Any]]:
        entries = []
        for entry in value or []:
            year_text = str(entry.get("year") or "").strip()
            if not year_text.isdigit() or not 1990 <= int(year_text) <= datetime.date.today().year + 1:
                raise forms.ValidationError(
                    _("请填写“%(list)s”的榜单年份(如 %(year)s)"),
                    params={"list": entry.get("list"), "year": datetime.date.today().year - 1},
                    code="year",
                )
            entries.append({"list": str(entry["list"]), "year": int(year_text)})
        return entries

    def prepare_value(self, value: Any) -> Any:
        return value if isinstance(value, list) else []


# ---------------------------------------------------------------------------------------------- weights


class WeightsPicker(forms.Widget):
    """A number (0–100) per criterion; blank means not weighted."""

    template_name = "core/widgets/weights.html"

    def __init__(self, attrs: Any = None, criteria: Sequence[tuple[str, Any]] = ()) -> None:
        super().__init__(attrs)
        self.criteria = list(criteria)

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        given = value if isinstance(value, dict) else {}
        context["widget"]["rows"] = [
            {"key": key, "label": label, "value": "" if given.get(key) in (None, "") else given[key]}
            for key, label in self.criteria
        ]
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return {key: (data.get(f"{name}_{key}") or "").strip() for key, _label in self.criteria}

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return not any(f"{name}_{key}" in data for key, _label in self.criteria)


class WeightsField(forms.Field):
    """`{criterion: weight}` with only the weighted criteria; all blank gives {} (the documented defaults)."""

    def __init__(self, *, criteria: Sequence[tuple[str, Any]], **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", WeightsPicker(criteria=criteria))
        super().__init__(**kwargs)
        self.criteria = list(criteria)

    def to_python(self, value: Any) -> dict[str, float]:
        weights: dict[str, float] = {}
        labels = dict(self.criteria)
        for key, text in (value or {}).items():
            if key not in labels or str(text).strip() == "":
                continue
            try:
                number = float(str(text).replace(",", "."))
            except ValueError:
                raise forms.ValidationError(
                    _("“%(label)s”的权重应为数字"), params={"label": labels[key]}, code="number"
                ) from None
            if not 0 <= number <= 100:
                raise forms.ValidationError(
                    _("“%(label)s”的权重应在 0 到 100 之间"), params={"label": labels[key]}, code="range"
                )
            if number:
                weights[key] = int(number) if number.is_integer() else number
        return weights

    def prepare_value(self, value: Any) -> Any:
        return value if isinstance(value, dict) else {}


# ---------------------------------------------------------------------------------------------- dependent


def dependent_select(parent: forms.Field, child_id: str, url: str) -> None:
    """When `parent` changes, fetch the child's <option>s from `url` (with the parent's value as a parameter)
    into the select `#child_id`; the request dims the child while it runs."""
    parent.widget.attrs.update(
        {
            "hx-get": url,
            "hx-target": f"#{child_id}",
            "hx-trigger": "change",
            "hx-swap": "innerHTML",
            "hx-indicator": f"#{child_id}",
        }
    )


def follow_parent(form: forms.BaseForm, parent: str, child: str, url: str) -> None:
    """Offer in the `child` choice only the rows of the chosen `parent` (sent, stored or preset) — none before
    a parent is chosen, apart from the stored child — and refresh them over HTMX when the parent changes.
    The child model's foreign key to the parent model has the parent field's name (e.g. Node.chain)."""
    if parent not in form.fields or child not in form.fields:
        return
    instance = getattr(form, "instance", None)
    if form.is_bound:
        chosen = form.data.get(form.add_prefix(parent))
    else:
        chosen = form.initial.get(parent) or getattr(instance, f"{parent}_id", None)
    chosen = getattr(chosen, "pk", chosen)
    field = form.fields[child]
    try:
        parent_id = int(chosen) if chosen else None
    except (TypeError, ValueError):
        parent_id = None
    if parent_id is not None:
        field.queryset = field.queryset.filter(**{f"{parent}_id": parent_id})  # type: ignore[attr-defined]
    else:
        stored = getattr(instance, f"{child}_id", None)
        field.queryset = field.queryset.filter(pk=stored) if stored else field.queryset.none()  # type: ignore[attr-defined]
        field.help_text = field.help_text or _("先选择上一项,再从其下选择")
    child_id = form[child].auto_id
    dependent_select(form.fields[parent], child_id, url)

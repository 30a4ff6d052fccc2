"""The one choke point for access: which districts a user may act on, for each action.

Pages, API, exports, reports and commands all ask `restrict(user, action)`; nothing else decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from zhaoshang.core import grants

ACTIONS = ("view", "add", "change", "delete", "verify", "export")
ACTION_LABELS = {
    "view": _("查看"),
    "add": _("新增"),
    "change": _("修改"),
    "delete": _("删除"),
    "verify": _("审核"),
    "export": _("导出"),
}


@dataclass(frozen=True)
class Scope:
    """Where a user may do one action: everywhere the instance serves (``all_districts``), or the districts and
    zones in ``district_ids`` — which include every district and zone of the cities in ``city_ids``, the cities
    the user covers as a whole (a city's supervisors on a province's instance)."""

    all_districts: bool
    district_ids: frozenset[int]
    city_ids: frozenset[int] = frozenset()

    def allows(self, district_id: int | None) -> bool:
        return self.all_districts or (district_id is not None and district_id in self.district_ids)

    @property
    def empty(self) -> bool:
        return not self.all_districts and not self.district_ids


NO_SCOPE = Scope(False, frozenset())
ALL_SCOPE = Scope(True, frozenset())


def user_scopes(user: Any) -> dict[str, Scope]:
    """All actions' scopes of a user, computed with two queries and cached on the user object."""
    cached = getattr(user, "_zhaoshang_scopes", None)
    if cached is not None:
        return cached
    if user is None or not getattr(user, "is_authenticated", False):
        scopes = {action: NO_SCOPE for action in ACTIONS}
    elif user.is_superuser:
        # Superusers include the non-login system actors (system-cli); login refuses inactive accounts anyway.
        scopes = {action: ALL_SCOPE for action in ACTIONS}
    elif not user.is_active:
        scopes = {action: NO_SCOPE for action in ACTIONS}
    else:
        everywhere: set[str] = set()
        ids: dict[str, set[int]] = {action: set() for action in ACTIONS}
        cities: dict[str, set[int]] = {action: set() for action in ACTIONS}
        # Through the user's reverse relation: the models import this module for their managers.
        assignments = {a.pk: a for a in user.role_assignments.select_related("role")}
        user._zhaoshang_assignments = list(assignments.values())  # for the per-model grants (core.grants)
        for pk, district_id, city_id in _assigned_districts(user, assignments):
            actions = set(assignments[pk].role.actions) & set(ACTIONS)
            for action in actions:
                ids[action].add(district_id)
                if city_id is not None:
                    cities[action].add(city_id)
        for assignment in assignments.values():
            if assignment.all_districts:
                everywhere |= set(assignment.role.actions) & set(ACTIONS)
        scopes = {
            action: ALL_SCOPE
            if action in everywhere
            else Scope(False, frozenset(ids[action]), frozenset(cities[action]))
            for action in ACTIONS
        }
    if user is not None:
        user._zhaoshang_scopes = scopes
    return scopes


def _assigned_districts(user: Any, assignments: dict[int, Any]) -> list[tuple[int, int, int | None]]:
    """(assignment, district, city covered as a whole or None) for the user's assignments that are not
    everywhere: the districts named one by one and every district and zone of the cities named — those of
    today and any added later — in one query (a union), whatever the number of cities or districts."""
    limited = [pk for pk, a in assignments.items() if not a.all_districts]
    if not limited:
        return []
    model = next(iter(assignments.values()))._meta.model
    named = (
        model.districts.through.objects.filter(roleassignment_id__in=limited)
        .annotate(city=models.Value(None, output_field=models.IntegerField()))
        .values_list("roleassignment_id", "district_id", "city")
    )
    district_model = model._meta.get_field("districts").related_model
    whole = (
        district_model.objects.filter(city__roleassignment__in=limited)
        .order_by()
        .values_list("city__roleassignment", "pk", "city_id")
    )
    return list(named.union(whole, all=True))


def user_scope(user: Any, action: str, model: Any = None) -> Scope:
    """Where `user` may do `action`; with a `model`, widened by the role's grants on that model or its app
    (``"add:sites"``, see core/grants.py)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    scope = user_scopes(user)[action]
    if model is None or scope.all_districts:
        return scope
    extra = _model_scopes(user)
    for key in grants.model_keys(model) if extra else ():
        more = extra.get((action, key))
        if more is not None:
            scope = _union(scope, more)
    return scope


def _union(one: Scope, other: Scope) -> Scope:
    if one.all_districts or other.all_districts:
        return ALL_SCOPE
    return Scope(False, one.district_ids | other.district_ids, one.city_ids | other.city_ids)


def _model_scopes(user: Any) -> dict[tuple[str, str], Scope]:
    """(action, app or model label) → scope, for the qualified grants of the user's roles; cached. No query
    when no role of the user has one; one (the districts of those assignments) when some have."""
    cached = getattr(user, "_zhaoshang_model_scopes", None)
    if cached is not None:
        return cached
    user_scopes(user)
    with_grants = {
        a.pk: a for a in getattr(user, "_zhaoshang_assignments", ()) if grants.qualified(a.role.actions)
    }
    everywhere: set[tuple[str, str]] = set()
    ids: dict[tuple[str, str], set[int]] = {}
    cities: dict[tuple[str, str], set[int]] = {}
    for assignment in with_grants.values():
        if assignment.all_districts:
            everywhere |= set(grants.qualified(assignment.role.actions))
    if with_grants:
        for pk, district_id, city_id in _assigned_districts(user, with_grants):
            for key in grants.qualified(with_grants[pk].role.actions):
                ids.setdefault(key, set()).add(district_id)
                if city_id is not None:
                    cities.setdefault(key, set()).add(city_id)
    found = {
        key: ALL_SCOPE
        if key in everywhere
        else Scope(False, frozenset(ids.get(key, ())), frozenset(cities.get(key, ())))
        for key in everywhere | set(ids)
    }
    if user is not None:
        user._zhaoshang_model_scopes = found
    return found


def forget_scopes(user: Any) -> None:
    """Drop the cached scopes after the user's roles changed."""
    for name in (
        "_zhaoshang_scopes",
        "_zhaoshang_levels",
        "_zhaoshang_assignments",
        "_zhaoshang_model_scopes",
    ):
        if hasattr(user, name):
            delattr(user, name)


LEVELS = ("province", "city", "district")


def instance_is_province() -> bool:
    """Whether this instance serves a province (a Province on record, or several cities) rather than one city."""
    # By name: the models import this module for their managers.
    province, city = apps.get_model("core", "Province"), apps.get_model("core", "City")
    return province.objects.exists() or city.objects.count() > 1


def scope_level(user: Any, action: str = "view") -> str:
    """The highest level at which the user holds `action`: "province" (everywhere on a province's instance),
    "city" (everywhere on a city's instance, or whole cities on a province's), else "district" (named districts
    and zones, or none). Cached on the user with the scopes."""
    levels = getattr(user, "_zhaoshang_levels", None)
    if levels is None:
        levels = {}
        if user is not None:
            user._zhaoshang_levels = levels
    if action not in levels:
        scope = user_scope(user, action)
        if scope.all_districts:
            levels[action] = "province" if instance_is_province() else "city"
        else:
            levels[action] = "city" if scope.city_ids else "district"
    return levels[action]


def covers_city(user: Any, action: str, city: Any) -> bool:
    """City-level rights over `city` (a City or its id): everywhere, or that city as a whole."""
    scope = user_scope(user, action)
    city_id = getattr(city, "pk", city)
    return scope.all_districts or (city_id is not None and city_id in scope.city_ids)


def has_city_rights(user: Any, action: str = "view") -> bool:
    """City-level rights over at least one city: compares districts, sets a city's targets, verifies districts'
    submissions (all of them on a city's instance; their own cities' on a province's)."""
    scope = user_scope(user, action)
    return scope.all_districts or bool(scope.city_ids)


def covered_city_ids(user: Any, action: str = "view") -> frozenset[int] | None:
    """The cities over which the user has city-level rights; None = all of them."""
    scope = user_scope(user, action)
    return None if scope.all_districts else scope.city_ids


def sees_city(user: Any, city: Any) -> bool:
    """Whether the user sees anything of `city` (a City or its id): the city as a whole, or one of its
    districts and zones."""
    scope = user_scope(user, "view")
    city_id = getattr(city, "pk", city)
    if scope.all_districts or city_id in scope.city_ids:
        return True
    district = apps.get_model("core", "District")
    return district.objects.filter(city_id=city_id, pk__in=scope.district_ids).exists()


def ensure_level_right(user: Any, action: str, city: Any, *, what: Any, shown_as: str | None = None) -> None:
    """For a setting held by a level rather than by a district's record. A city's (`city` given: the scheme
    its districts are scored by, the day they report by) needs city-level rights over that city — its
    supervisor, or the province; the instance's (`city` None: a province's default for its cities, or a
    city's instance's own) needs rights everywhere. Someone who sees the city (for the instance's: anything)
    but lacks the right: 403 with the reason; a city they do not see: 404. `shown_as`: the action the reason
    names when it is not the right asked for (a setting changed by those who may verify: "不能修改")."""
    if city is None:
        if user_scope(user, action).all_districts:
            return
        if not user_scope(user, "view").empty:
            raise refusal(user, shown_as or action, what)
        raise Http404
    if covers_city(user, action, city):
        return
    if sees_city(user, city):
        raise refusal(user, shown_as or action, what)
    raise Http404


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user: Any, action: str = "view", model: Any = None) -> ScopedQuerySet:
        """The records `user` may do `action` on; `model`: the kind of record the right is asked for when it
        is not this one (the districts a site may be added to: ``District.objects.restrict(u, "add", Site)``)."""
        scope = user_scope(user, action, model or self.model)
        if scope.all_districts:
            return self
        if not scope.district_ids:
            return self.none()
        return self.filter(**{f"{self.model.scope_path}__in": scope.district_ids})


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def scope_district_id(obj: Any) -> int | None:
    """The district an object belongs to; every scoped model answers through `scoped_district_id`."""
    return obj.scoped_district_id


def ensure_allowed(
    user: Any, action: str, obj: Any, *, what: Any = None, itself: bool = False, shown_as: str | None = None
) -> None:
    """Raise when `user` may not do `action` on `obj`; checked after saves too. Outside what the user may see:
    404, as if it did not exist. Inside (a record of their own district): 403 saying which role refuses what
    (`what`: the kind of record named in the reason, by default the object's).

    A role's grants on the object's model (core/grants.py) count, except for ``add`` on an existing record,
    which asks for the right to add records under it (tasks of a project) — unless `itself` says the record
    is the one being added (a save checked after the save). `shown_as`: the action the reason names when it
    is not the right asked for (a district's settings, changed by those who may verify: "不能修改")."""
    district_id = scope_district_id(obj)
    model = type(obj)
    granted_on = model if action != "add" or itself else None
    if user_scope(user, action, granted_on).allows(district_id):
        return
    city_id = getattr(obj, "city_id", None) if model._meta.label_lower == "core.district" else None
    if city_id is not None and covers_city(user, action, city_id):
        return  # a district or zone of a city the user covers as a whole: one just added too
    if action != "view" and user_scope(user, "view", model).allows(district_id):
        if what is None:
            what = model._meta.verbose_name if granted_on is not None else _under(model)
        raise refusal(user, shown_as or action, what)
    raise Http404


def _under(model: Any) -> str:
    return str(_("%(model)s下的记录") % {"model": model._meta.verbose_name})


def require_right(user: Any, action: str, model: Any) -> None:
    """For a page that acts on no record yet (an add, an import): 404 when the user has no right over
    `model` at all, 403 with the reason when they see such records but may not do `action` on any.

    A district or zone is added to a city: by that city's supervisor or an instance's administrator, never
    by a district's (whose right to add is for records inside their district)."""
    if action == "add" and model._meta.label_lower == "core.district":
        if has_city_rights(user, "add"):
            return
        if not user_scope(user, "view").empty:
            raise refusal(user, "add", _("区县/功能区"))
        raise Http404
    if user_scope(user, action, model).empty:
        if action != "view" and not user_scope(user, "view", model).empty:
            raise refusal(user, action, model._meta.verbose_name)
        raise Http404


def may_add(user: Any, model: Any) -> bool:
    """Whether a page offers "新增" for `model`: the same decision as `require_right`."""
    if model._meta.label_lower == "core.district":
        return has_city_rights(user, "add")
    return not user_scope(user, "add", model).empty


def get_allowed(
    queryset: Any, user: Any, action: str, *, what: Any = None, shown_as: str | None = None, **lookup: Any
) -> Any:
    """`get_object_or_404` for a right: a record the user may not see (or that does not exist) is a 404; one
    they see but may not do `action` on is a 403 with the reason. `queryset`: a scoped model's manager or
    queryset."""
    obj = queryset.restrict(user, "view").filter(**lookup).first()
    if obj is None:
        raise Http404
    ensure_allowed(user, action, obj, what=what, shown_as=shown_as)
    return obj


def refusal(user: Any, action: str, what: Any) -> grants.Refused:
    """The 403 of a refused action: "你的角色(部门经办人)不能审核阶段变更"."""
    user_scopes(user)
    names = [str(a.role.name) for a in getattr(user, "_zhaoshang_assignments", ())]
    return grants.refusal(names, str(ACTION_LABELS[action]), str(what))


def choice_action(name: str, *, adding: bool) -> str:
    """The right a choice of a scoped object needs: where the object may go for its district (add, or change
    when editing), where it may be seen for any other choice (a town, a park, a department)."""
    if name == "district":
        return "add" if adding else "change"
    return "view"


def limit_choices(
    fields: Mapping[str, Any], user: Any, *, adding: bool, model: Any = None
) -> dict[str, tuple[Any, str]]:
    """Limit every scoped choice among ``fields`` (a form's, a serializer's, an admin form's) to the user's
    scope, in place. Returns, per limited field, its queryset before the limit and the action used."""
    limited = {}
    for name, field in fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is not None and hasattr(queryset, "restrict"):
            action = choice_action(name, adding=adding)
            # The district a record may go to: by the rights over that record's model (`model`), if given.
            field.queryset = queryset.restrict(user, action, model if name == "district" else None)
            limited[name] = (queryset, action)
    return limited

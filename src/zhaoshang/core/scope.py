"""The one choke point for access: which districts a user may act on, for each action.

Pages, API, exports, reports and commands all ask `restrict(user, action)`; nothing else decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

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
    all_districts: bool
    district_ids: frozenset[int]

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
        for assignment in (
            # Through the user's reverse relation: the models import this module for their managers.
            user.role_assignments.select_related("role").prefetch_related("districts")
        ):
            actions = set(assignment.role.actions) & set(ACTIONS)
            if assignment.all_districts:
                everywhere |= actions
                continue
            district_ids = {d.pk for d in assignment.districts.all()}
            for action in actions:
                ids[action] |= district_ids
        scopes = {
            action: ALL_SCOPE if action in everywhere else Scope(False, frozenset(ids[action]))
            for action in ACTIONS
        }
    if user is not None:
        user._zhaoshang_scopes = scopes
    return scopes


def user_scope(user: Any, action: str) -> Scope:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return user_scopes(user)[action]


def forget_scopes(user: Any) -> None:
    """Drop the cached scopes after the user's roles changed."""
    if hasattr(user, "_zhaoshang_scopes"):
        del user._zhaoshang_scopes


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user: Any, action: str = "view") -> ScopedQuerySet:
        scope = user_scope(user, action)
        if scope.all_districts:
            return self
        if not scope.district_ids:
            return self.none()
        return self.filter(**{f"{self.model.scope_path}__in": scope.district_ids})


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def scope_district_id(obj: Any) -> int | None:
    """The district an object belongs to; every scoped model answers through `scoped_district_id`."""
    return obj.scoped_district_id


def ensure_allowed(user: Any, action: str, obj: Any) -> None:
    """Raise 404 when `obj` lies outside what `user` may do `action` on; checked after saves too.."""
    if not user_scope(user, action).allows(scope_district_id(obj)):
        raise Http404


def choice_action(name: str, *, adding: bool) -> str:
    """The right a choice of a scoped object needs: where the object may go for its district (add, or change
    when editing), where it may be seen for any other choice (a town, a park, a department)."""
    if name == "district":
        return "add" if adding else "change"
    return "view"


def limit_choices(fields: Mapping[str, Any], user: Any, *, adding: bool) -> dict[str, tuple[Any, str]]:
    """Limit every scoped choice among ``fields`` (a form's, a serializer's, an admin form's) to the user's
    scope, in place. Returns, per limited field, its queryset before the limit and the action used."""
    limited = {}
    for name, field in fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is not None and hasattr(queryset, "restrict"):
            action = choice_action(name, adding=adding)
            field.queryset = queryset.restrict(user, action)
            limited[name] = (queryset, action)
    return limited

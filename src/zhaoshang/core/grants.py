"""Rights limited to some kinds of records: a role's actions may name an app or a model after the action.

`Role.actions` is a list. A plain action (``"add"``) holds for every record of the role's districts; a qualified
one holds only for the records of one app or one model: ``"add:projects.project"`` (register projects, nothing
else), ``"add:sites"`` (every model of the sites app). The land-records clerk maintains sites without the right to
add tasks, blockers or targets, and without the right to verify anything.

`core.scope` reads these through `model_keys`/`split`; nothing here imports it (the scope module calls this one).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

SEP = ":"


def split(entry: str) -> tuple[str, str | None]:
    """``"add:sites.site"`` → ``("add", "sites.site")``; ``"add"`` → ``("add", None)``."""
    action, _, target = entry.partition(SEP)
    return action, (target or None)


def model_keys(model: Any) -> tuple[str, str]:
    """The two names a grant may use for a model: its app label and its ``app.model`` label."""
    meta = model._meta
    return meta.app_label, f"{meta.app_label}.{meta.model_name}"


def qualified(entries: Iterable[str]) -> list[tuple[str, str]]:
    """The qualified grants among a role's entries, as (action, app or model label)."""
    found = []
    for entry in entries:
        action, target = split(entry)
        if target is not None:
            found.append((action, target))
    return found


def entry_problem(entry: object, actions: Iterable[str]) -> str | None:
    """Why an entry of `Role.actions` is not valid (None when it is): an unknown action, or an unknown app or
    model after the colon."""
    if not isinstance(entry, str):
        return repr(entry)
    action, target = split(entry)
    if action not in tuple(actions):
        return entry
    if target is None:
        return None
    from django.apps import apps  # the app registry; this module is read while the models load

    app_label, _, model_name = target.partition(".")
    try:
        config = apps.get_app_config(app_label)
        if model_name:
            config.get_model(model_name)
    except LookupError:
        return entry
    return None


class Refused(PermissionDenied):
    """A refused action on a record the user can see (inside their own districts): a 403 that says why.
    Outside the user's districts the answer stays a 404, as if the record did not exist."""


def refusal(role_names: Iterable[str], action_label: str, what: str) -> Refused:
    names = "、".join(dict.fromkeys(role_names)) or _("无角色")
    return Refused(
        _("你的角色(%(roles)s)不能%(action)s%(what)s")
        % {"roles": names, "action": action_label, "what": what}
    )


def target_label(target: str) -> str:
    """How people name an app or a model of a grant: 地块 for ``sites.site``, the app's name for ``sites``."""
    from django.apps import apps

    app_label, _sep, model_name = target.partition(".")
    try:
        config = apps.get_app_config(app_label)
        if model_name:
            return str(config.get_model(model_name)._meta.verbose_name)
        return str(config.verbose_name)
    except LookupError:
        return target

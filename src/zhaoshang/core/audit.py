"""Who did it, and through which door: every history row names a user (or a system actor) and a channel.

Web requests are attributed by the middleware; commands, imports and jobs wrap their work in `acting_as`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

CHANNELS = ("web", "api", "import", "cli", "job", "demo", "system")
CHANNEL_LABELS = {
    "web": _("网页"),
    "api": _("接口"),
    "import": _("导入"),
    "cli": _("命令行"),
    "job": _("后台任务"),
    "demo": _("演示数据"),
    "system": _("系统"),
    "restore": _("恢复"),
}

# The actor is resolved lazily: DRF authenticates tokens inside the view, after the middleware ran.
_actor: ContextVar[Callable[[], Any] | None] = ContextVar("zhaoshang_actor", default=None)
_channel: ContextVar[str] = ContextVar("zhaoshang_channel", default="system")


@contextmanager
def acting_as(user: Any, channel: str) -> Iterator[None]:
    """Attribute every write inside the block to `user` (a User or a zero-argument callable)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown audit channel {channel!r}")
    resolve = user if callable(user) and not hasattr(user, "pk") else (lambda: user)
    token_actor = _actor.set(resolve)
    token_channel = _channel.set(channel)
    try:
        yield
    finally:
        _actor.reset(token_actor)
        _channel.reset(token_channel)


def current_actor() -> Any | None:
    resolve = _actor.get()
    user = resolve() if resolve else None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def current_channel() -> str:
    return _channel.get()


def system_actor(name: str) -> Any:
    """A named, non-login user that commands and jobs write as (e.g. `system-cli`, `system-worker`)."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=f"system-{name}", defaults={"is_active": False, "first_name": f"系统:{name}"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _history_user(instance: Any = None, request: Any = None, **kwargs: Any) -> Any | None:
    return current_actor()


class AuditedHistory(HistoricalRecords):
    """simple-history with our attribution: the acting user and the channel as the change reason."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("get_user", _history_user)
        super().__init__(**kwargs)

    def get_change_reason_for_object(self, instance: Any, history_type: str, using: Any) -> str:
        reason = super().get_change_reason_for_object(instance, history_type, using)
        return reason or current_channel()


class AuditMiddleware:
    """Binds the request's user to the audit context for the whole request."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        channel = "api" if request.path.startswith("/api/") else "web"
        with acting_as(lambda: getattr(request, "user", None), channel):
            return self.get_response(request)

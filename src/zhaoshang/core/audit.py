"""Who did it, and through which door: every history row names a user (or a system actor) and a channel.

Web requests are attributed by the middleware; commands, imports and jobs wrap their work in `acting_as`.
The audit fails closed: a write of an audited model with no actor is refused with `AuditError` before anything
is written. The only writes without one are the migrations' (channel `migrate`); a system actor's own account
is written as itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import signals
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

CHANNELS = ("web", "api", "import", "cli", "job", "demo", "system", "migrate")
CHANNEL_LABELS = {
    "web": _("网页"),
    "api": _("接口"),
    "import": _("导入"),
    "cli": _("命令行"),
    "job": _("后台任务"),
    "demo": _("演示数据"),
    "system": _("系统"),
    "restore": _("恢复"),
    "migrate": _("数据迁移"),
}


class AuditError(RuntimeError):
    """A write of an audited model that no user or named system actor is making: refused, nothing written."""

    def __init__(self, model: str = "") -> None:
        where = f" ({model})" if model else ""
        super().__init__(
            f"没有操作人:写入必须以用户或系统身份进行{where}。"
            f"No actor: every write must be made as a user or a named system actor{where}."
        )


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


def _itself() -> None:
    """The actor marker of a system actor's own account: its history rows name the account itself."""
    return None


def system_actor(name: str) -> Any:
    """A named, non-login user that commands and jobs write as (e.g. `system-cli`, `system-worker`)."""
    User = get_user_model()
    token_actor = _actor.set(_itself)
    try:
        user, created = User.objects.get_or_create(
            username=f"system-{name}", defaults={"is_active": False, "first_name": f"系统:{name}"}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
    finally:
        _actor.reset(token_actor)
    return user


def _history_user(instance: Any = None, request: Any = None, **kwargs: Any) -> Any | None:
    if _actor.get() is _itself:
        return instance
    return current_actor()


def migration_started(**kwargs: Any) -> None:
    """`pre_migrate`: data migrations write without a person behind them, on the channel `migrate`."""
    if _channel.get() != "migrate":
        _migration_tokens.append(_channel.set("migrate"))


def migration_finished(**kwargs: Any) -> None:
    """`post_migrate` (sent once per app: the first one ends the migration context)."""
    while _migration_tokens:
        try:
            _channel.reset(_migration_tokens.pop())
        except ValueError:  # set in another context: leave it
            _channel.set("system")


_migration_tokens: list[Any] = []


class AuditedHistory(HistoricalRecords):
    """simple-history with our attribution: the acting user and the channel as the change reason.

    It refuses (`AuditError`) a save, delete or many-to-many change without an actor, before the write."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("get_user", _history_user)
        super().__init__(**kwargs)

    def finalize(self, sender: Any, **kwargs: Any) -> None:
        registered = hasattr(sender._meta, "simple_history_manager_attribute")
        super().finalize(sender, **kwargs)
        if not registered and hasattr(sender._meta, "simple_history_manager_attribute"):
            signals.pre_save.connect(self.pre_save, sender=sender, weak=False)

    def require_actor(self, instance: Any) -> None:
        if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True) or hasattr(
            instance, "skip_history_when_saving"
        ):
            return
        if getattr(instance, "_history_user", None) is not None or current_channel() == "migrate":
            return
        if _history_user(instance=instance) is None:
            raise AuditError(instance._meta.label)

    def _unaudited(self, update_fields: Any) -> bool:
        """A save of fields the history leaves out only (a login's `last_login`): no history row, no actor."""
        return bool(update_fields) and set(update_fields) <= set(self.excluded_fields or ())

    def pre_save(self, instance: Any, raw: bool = False, update_fields: Any = None, **kwargs: Any) -> None:
        # Fixtures load as they are, and simple-history writes no history for them.
        if not raw and not self._unaudited(update_fields):
            self.require_actor(instance)

    def post_save(self, instance: Any, created: bool, using: Any = None, **kwargs: Any) -> None:
        if not self._unaudited(kwargs.get("update_fields")):
            super().post_save(instance, created, using=using, **kwargs)

    def pre_delete(self, instance: Any, **kwargs: Any) -> None:
        self.require_actor(instance)
        super().pre_delete(instance, **kwargs)

    def m2m_changed(
        self, instance: Any, action: str, attr: str, pk_set: Any, reverse: Any, **kwargs: Any
    ) -> None:
        if action in ("pre_add", "pre_remove", "pre_clear"):
            self.require_actor(instance)
        super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)

    def get_history_user(self, instance: Any) -> Any:
        user = super().get_history_user(instance)
        if user is None and current_channel() != "migrate":
            raise AuditError(instance._meta.label)
        return user

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

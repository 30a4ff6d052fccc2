"""Reads of reports and dashboards from a streaming replica, with read-your-writes for the acting user.

Without `DATABASE_REPLICA_URL` there is no `replica` alias and everything reads the primary. With one, a GET under
`REPLICA_READ_PATHS` (the assessment pages by default: dashboards, rates, rankings, forecast, reports) reads the
replica, unless the user wrote within the last `REPLICA_PIN_SECONDS`: a replica lags a little, and a person who has
just verified a move must see it counted. Every write goes to the primary; migrations run on the primary only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections

REPLICA = "replica"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

_reading_reports: ContextVar[bool] = ContextVar("zhaoshang_reading_reports", default=False)


def replica_configured() -> bool:
    return bool(settings.REPLICA_ENABLED) and REPLICA in connections.settings


@contextmanager
def reading_reports() -> Iterator[None]:
    """Reads inside the block may come from the replica (a report that tolerates a second of lag)."""
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str:
        return REPLICA if _reading_reports.get() and replica_configured() else "default"

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # Both aliases hold the same database.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"


def _pin_key(user: Any) -> str:
    return f"replica-pin:{user.pk}"


def pinned_to_primary(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and cache.get(_pin_key(user)))


def pin_to_primary(user: Any) -> None:
    if getattr(user, "is_authenticated", False):
        cache.set(_pin_key(user), True, timeout=settings.REPLICA_PIN_SECONDS)


class ReplicaMiddleware:
    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        if request.method not in SAFE_METHODS:
            response = self.get_response(request)
            # DRF sets the token user on the request too, so API writes pin as well.
            if response.status_code < 400:
                pin_to_primary(getattr(request, "user", None))
            return response
        if (
            replica_configured()
            and request.path.startswith(settings.REPLICA_READ_PATHS)
            and not pinned_to_primary(getattr(request, "user", None))
        ):
            with reading_reports():
                return self.get_response(request)
        return self.get_response(request)

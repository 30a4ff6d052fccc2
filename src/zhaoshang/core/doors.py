"""The doors in: sign-in lock-out (django-axes), the client's address behind a proxy, and API tokens' lifetime.

Every door that takes a password (the web login, the admin login, `POST /api/auth/token/`) calls Django's
`authenticate()` with the request, so the lock-out backend counts its failures per account and per address.
"""

from __future__ import annotations

import datetime
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' watching backend, for sign-ins over HTTP.

    A call without a request is no door anyone can knock on from outside (a shell, a test client's `login`);
    axes would refuse it outright, so it is left to the next backend. Every HTTP door passes its request."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_message() -> str:
    """What a locked-out sign-in is told, on the page and in the API's `detail`."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _("登录失败次数过多,该账号或地址已被锁定 %(minutes)s 分钟。请稍后再试,或请管理员解锁。") % {
        "minutes": minutes
    }


def client_ip(request: Any) -> str | None:
    """The client's address: behind the proxy (BEHIND_PROXY) the last address of X-Forwarded-For, the one nginx
    itself appended (`$proxy_add_x_forwarded_for`); what a client wrote before it is not to be trusted."""
    if settings.BEHIND_PROXY:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")


def token_expires(token: Token) -> datetime.datetime:
    return token.created + datetime.timedelta(hours=settings.TOKEN_TTL_HOURS)


def token_expired(token: Token, now: datetime.datetime | None = None) -> bool:
    return (now or timezone.now()) >= token_expires(token)


def token_issue(*, user: Any) -> Token:
    """The user's API token: the current one while it is valid, a new one once it expired."""
    with transaction.atomic():
        token = Token.objects.select_for_update().filter(user=user).first()
        if token is not None and token_expired(token):
            token.delete()
            token = None
        if token is None:
            token = Token.objects.create(user=user)
    return token


def token_revoke(*, user: Any) -> bool:
    """Delete the user's API token; True when there was one."""
    deleted, _rows = Token.objects.filter(user=user).delete()
    return bool(deleted)

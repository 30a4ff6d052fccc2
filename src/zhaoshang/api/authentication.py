"""API authentication: DRF's tokens, expiring `ZHAOSHANG_TOKEN_TTL_HOURS` after they were issued.

Kept apart from the views: DRF imports its authentication classes while `rest_framework.views` loads."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from zhaoshang.core.doors import token_expired


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token older than `TOKEN_TTL_HOURS` (401, with the reason)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise exceptions.AuthenticationFailed(_("令牌已过期,请重新获取令牌。"))
        return user, token

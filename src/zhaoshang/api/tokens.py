"""The API token door: tokens (expiring, see `authentication.py`) obtained through the lock-out, and revoked.

`POST /api/auth/token/` with a username and password returns the user's token (a new one once the old expired);
`DELETE /api/auth/token/` revokes the caller's token. The password goes through Django's `authenticate()` with
the request, so django-axes counts failures here as on the login page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from rest_framework import parsers, renderers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from zhaoshang.core.doors import lockout_message, token_issue, token_revoke


class TokenView(APIView):
    """POST: obtain the token with a username and password. DELETE: revoke the caller's token."""

    parser_classes = (parsers.FormParser, parsers.MultiPartParser, parsers.JSONParser)
    renderer_classes = (renderers.JSONRenderer,)
    throttle_classes = ()

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_authenticators(self) -> list[Any]:
        # Obtaining takes no credentials but the password: a stale token in the header must not stand in the way.
        if getattr(getattr(self, "request", None), "method", None) == "POST":
            return []
        return super().get_authenticators()

    def post(self, request: Any) -> Response:
        username = str(request.data.get("username") or "")
        password = str(request.data.get("password") or "")
        if not username or not password:
            return Response({"detail": _("请填写用户名和密码。")}, status=status.HTTP_400_BAD_REQUEST)
        # The Django request, not DRF's wrapper: django-axes marks it, and its middleware reads the mark.
        django_request = request._request
        user = authenticate(django_request, username=username, password=password)
        if getattr(django_request, "axes_locked_out", False):
            return Response({"detail": lockout_message()}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None or not user.is_active:
            return Response({"detail": _("用户名或密码不正确。")}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"token": token_issue(user=user).key})

    def delete(self, request: Any) -> Response:
        token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

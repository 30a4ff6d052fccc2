"""The API token door: tokens (expiring, see `authentication.py`) obtained through the lock-out, and revoked.

`POST /api/auth/token/` with a username and password returns the user's token (a new one once the old expired);
`DELETE /api/auth/token/` revokes the caller's token. The password goes through Django's `authenticate()` with
the request, so django-axes counts failures here as on the login page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import parsers, renderers, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from zhaoshang.api.schema import ErrorSerializer
from zhaoshang.core.doors import lockout_message, token_issue, token_revoke


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=gettext_lazy("用户名"))
    password = serializers.CharField(label=gettext_lazy("密码"), style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        label=gettext_lazy("令牌"), help_text=gettext_lazy("请求头 Authorization: Token <令牌>")
    )


class TokenView(APIView):
    """POST: obtain the token with a username and password. DELETE: revoke the caller's token."""

    # The refusals each method answers, for the schema (api/schema.py).
    schema_error_codes = {"POST": ["400", "415", "429"], "DELETE": ["401"]}
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

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, 400: ErrorSerializer, 429: ErrorSerializer},
        auth=[],
        description=gettext_lazy("用用户名和密码换取令牌;多次失败后锁定(429)。"),
    )
    def post(self, request: Any) -> Response:
        # Any body shape (a list, a number) is read through the serializer: a 400, never a server error.
        credentials = TokenRequestSerializer(data=request.data)
        if not credentials.is_valid():
            return Response({"detail": _("请填写用户名和密码。")}, status=status.HTTP_400_BAD_REQUEST)
        username = credentials.validated_data["username"]
        password = credentials.validated_data["password"]
        # The Django request, not DRF's wrapper: django-axes marks it, and its middleware reads the mark.
        django_request = request._request
        user = authenticate(django_request, username=username, password=password)
        if getattr(django_request, "axes_locked_out", False):
            return Response({"detail": lockout_message()}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None or not user.is_active:
            return Response({"detail": _("用户名或密码不正确。")}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"token": token_issue(user=user).key})

    @extend_schema(request=None, responses={204: OpenApiResponse(description=gettext_lazy("令牌已作废"))})
    def delete(self, request: Any) -> Response:
        token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission


class ScopedActionPermission(BasePermission):
    """Signed-in users only; what they may touch is decided by `restrict` in the viewsets' querysets."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated)

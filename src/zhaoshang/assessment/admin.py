"""The city's scoring scheme: edited by city-level staff (verify on all districts), never by a district."""

from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from zhaoshang.assessment.models import ScoringScheme
from zhaoshang.core.scope import user_scope


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(SimpleHistoryAdmin):
    list_display = ["year", "city", "note", "updated"]

    def _city(self, request: Any) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and user_scope(user, "verify").all_districts)

    def has_module_permission(self, request: Any) -> bool:
        return self._city(request)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return self._city(request)

    def has_add_permission(self, request: Any) -> bool:
        return self._city(request)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return self._city(request)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return self._city(request)

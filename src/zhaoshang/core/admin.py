"""Django admin over the same scope: a staff user of one district sees and edits only that district."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from zhaoshang.core.models import (
    City,
    Department,
    District,
    Job,
    Park,
    Role,
    RoleAssignment,
    Team,
    TeamMembership,
    Town,
    UserProfile,
)
from zhaoshang.core.scope import user_scope
from zhaoshang.core.services import object_delete, object_save


class ScopedAdmin(SimpleHistoryAdmin):
    def get_queryset(self, request: Any) -> Any:
        return self.model.objects.restrict(request.user, "view")

    def _allows(self, request: Any, action: str, obj: Any = None) -> bool:
        if not request.user.is_active or not request.user.is_staff:
            return False
        scope = user_scope(request.user, action)
        return scope.allows(obj.scoped_district_id) if obj is not None else not scope.empty

    def has_module_permission(self, request: Any) -> bool:
        return self._allows(request, "view")

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return self._allows(request, "view", obj)

    def has_add_permission(self, request: Any) -> bool:
        return self._allows(request, "add")

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return self._allows(request, "change", obj)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return self._allows(request, "delete", obj)

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        manager = db_field.related_model._default_manager
        if hasattr(manager, "restrict"):
            action = "add" if db_field.name == "district" else "view"
            kwargs["queryset"] = manager.restrict(request.user, action)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        object_save(instance=obj, user=request.user)

    def delete_model(self, request: Any, obj: Any) -> None:
        object_delete(instance=obj, user=request.user)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for obj in queryset:
            object_delete(instance=obj, user=request.user)


@admin.register(District)
class DistrictAdmin(ScopedAdmin):
    list_display = ["adcode", "name", "city"]
    search_fields = ["adcode", "name"]


@admin.register(Town)
class TownAdmin(ScopedAdmin):
    list_display = ["name", "kind", "district"]
    list_filter = ["district", "kind"]
    search_fields = ["name"]


@admin.register(Park)
class ParkAdmin(ScopedAdmin):
    list_display = ["name", "kind", "is_chemical_park", "district"]
    list_filter = ["district", "kind", "is_chemical_park"]
    search_fields = ["name"]


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    list_display = ["name", "short_name", "district"]
    list_filter = ["district"]
    search_fields = ["name", "short_name"]


@admin.register(Team)
class TeamAdmin(ScopedAdmin):
    list_display = ["name", "kind", "district"]
    list_filter = ["district", "kind"]


@admin.register(TeamMembership)
class TeamMembershipAdmin(ScopedAdmin):
    list_display = ["team", "user", "position"]


# City-wide tables: superusers only.
@admin.register(City)
class CityAdmin(SimpleHistoryAdmin):
    list_display = ["adcode", "name"]


@admin.register(Role)
class RoleAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "actions"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "all_districts"]
    filter_horizontal = ["districts"]


@admin.register(UserProfile)
class UserProfileAdmin(SimpleHistoryAdmin):
    list_display = ["user", "district", "department", "title"]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "user", "status", "progress", "created"]
    readonly_fields = [f.name for f in Job._meta.fields]

"""Django admin over the same scope: a staff user of one district sees and edits only that district."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from zhaoshang.core.models import (
    ActionEntry,
    CalendarAdjustment,
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
from zhaoshang.core.scope import limit_choices, user_scope
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

    # Another district's object answers 404, exactly as a missing one (not 403, not a redirect): its change,
    # delete and history pages, and its past versions. A deleted object's history stays open to its district.
    def _scoped_or_404(self, request: Any, object_id: str) -> None:
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404

    def _history_scoped_or_404(self, request: Any, object_id: str) -> None:
        if self.get_object(request, unquote(object_id)) is not None:
            return
        try:
            last = self.model.history.filter(**{self.model._meta.pk.attname: unquote(object_id)}).latest()
        except (self.model.history.model.DoesNotExist, ValueError) as error:
            raise Http404 from error
        if last.history_type != "-" or not self._allows(request, "view", last.instance):
            raise Http404

    def change_view(self, request: Any, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        self._scoped_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request: Any, object_id: str, extra_context: Any = None) -> Any:
        self._scoped_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request: Any, object_id: str, extra_context: Any = None) -> Any:
        self._history_scoped_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: Any, object_id: str, version_id: str, extra_context: Any = None
    ) -> Any:
        self._history_scoped_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return self._allows(request, "view", obj)

    def has_add_permission(self, request: Any) -> bool:
        return self._allows(request, "add")

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return self._allows(request, "change", obj)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return self._allows(request, "delete", obj)

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        # The class is made for this request: its fields are the ones each form of the page copies.
        limit_choices(form.base_fields, request.user, adding=obj is None)
        return form

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


@admin.register(CalendarAdjustment)
class CalendarAdjustmentAdmin(SimpleHistoryAdmin):
    """The holiday notice of a year the calendar package does not know yet: entered by the city's
    administrators (rights over every district), saved through the audited service like every other edit."""

    list_display = ["date", "kind", "notice", "note"]
    list_filter = ["kind"]
    search_fields = ["notice", "note"]
    date_hierarchy = "date"

    def _allows(self, request: Any, action: str) -> bool:
        user = request.user
        return user.is_active and user.is_staff and user_scope(user, action).all_districts

    def has_module_permission(self, request: Any) -> bool:
        return self._allows(request, "view")

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return self._allows(request, "view")

    def has_add_permission(self, request: Any) -> bool:
        return self._allows(request, "add")

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return self._allows(request, "change")

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return self._allows(request, "delete")

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        object_save(instance=obj, user=request.user)

    def delete_model(self, request: Any, obj: Any) -> None:
        object_delete(instance=obj, user=request.user)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for obj in queryset:
            object_delete(instance=obj, user=request.user)


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
    list_display = ["title", "kind", "user", "status", "progress", "attempts", "worker", "created"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in Job._meta.fields]

    # The traceback (server paths, code) is for superusers only, as on the job page.
    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        hidden = set() if request.user.is_superuser else {"error_detail"}
        return [name for name in self.readonly_fields if name not in hidden]

    def get_exclude(self, request: Any, obj: Any = None) -> Any:
        return [] if request.user.is_superuser else ["error_detail"]


@admin.register(ActionEntry)
class ActionEntryAdmin(admin.ModelAdmin):
    """The named actions, read-only, within the user's scope (city-wide entries: city staff only)."""

    list_display = ["at", "label", "object_repr", "actor", "channel", "district"]
    list_filter = ["action", "channel", "district"]
    search_fields = ["object_repr", "actor__username", "actor__first_name"]
    date_hierarchy = "at"

    def get_queryset(self, request: Any) -> Any:
        return ActionEntry.objects.restrict(request.user, "view").select_related("actor", "district")

    def has_module_permission(self, request: Any) -> bool:
        return request.user.is_active and request.user.is_staff and not user_scope(request.user, "view").empty

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        if not self.has_module_permission(request):
            return False
        return obj is None or user_scope(request.user, "view").allows(obj.district_id)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

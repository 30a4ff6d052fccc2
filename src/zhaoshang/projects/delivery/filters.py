"""One filter set per delivery model: the list page, the API and the export all use it."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.filters import ScopedFilterSet, scoped
from zhaoshang.core.models import Department, District
from zhaoshang.projects.delivery.blockers import OPEN, overdue_blockers_q
from zhaoshang.projects.delivery.tasks import overdue_q
from zhaoshang.projects.models import Blocker, DispatchReport, Project, WeeklyTask


def _task_owners(request: Any) -> Any:
    user = getattr(request, "user", None)
    tasks = WeeklyTask.objects.restrict(user, "view") if user is not None else WeeklyTask.objects.all()
    return get_user_model().objects.filter(pk__in=tasks.values("owner")).order_by("username")


def _overdue(queryset: Any, value: Any, condition: Any) -> Any:
    if value is None:
        return queryset
    return queryset.filter(condition) if value else queryset.exclude(condition)


class ProjectScopedFilterSet(ScopedFilterSet):
    district = django_filters.ModelChoiceFilter(
        queryset=scoped(District), field_name="project__district", label=_("区县")
    )
    project = django_filters.ModelChoiceFilter(queryset=scoped(Project), label=_("项目"))
    department = django_filters.ModelChoiceFilter(queryset=scoped(Department), label=_("责任部门"))


class WeeklyTaskFilterSet(ProjectScopedFilterSet):
    search_fields = ("title", "project__name")
    owner = django_filters.ModelChoiceFilter(queryset=_task_owners, label=_("责任人"))
    week = django_filters.DateFilter(
        field_name="week",
        label=_("周(周一)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    overdue = django_filters.BooleanFilter(method="with_overdue", label=_("逾期"))

    class Meta:
        model = WeeklyTask
        fields = ["q", "district", "project", "department", "owner", "status", "week", "overdue"]

    def with_overdue(self, queryset: Any, name: str, value: Any) -> Any:
        return _overdue(queryset, value, overdue_q(timezone.localdate()))


class BlockerFilterSet(ProjectScopedFilterSet):
    search_fields = ("title", "description", "project__name")
    overdue = django_filters.BooleanFilter(method="with_overdue", label=_("逾期"))
    # The dashboard's 未解决 figure links here.
    open = django_filters.BooleanFilter(method="with_open", label=_("未解决"))
    # The chart's 未交办 row links here: blockers without a department.
    unassigned = django_filters.BooleanFilter(
        field_name="department", lookup_expr="isnull", label=_("未交办")
    )

    class Meta:
        model = Blocker
        fields = [
            "q",
            "district",
            "project",
            "department",
            "unassigned",
            "status",
            "level",
            "overdue",
            "open",
        ]

    def with_overdue(self, queryset: Any, name: str, value: Any) -> Any:
        return _overdue(queryset, value, overdue_blockers_q(timezone.localdate()))

    def with_open(self, queryset: Any, name: str, value: Any) -> Any:
        return _overdue(queryset, value, Q(status__in=OPEN))


class DispatchReportFilterSet(ScopedFilterSet):
    search_fields = ("title", "minutes")
    district = django_filters.ModelChoiceFilter(queryset=scoped(District), label=_("区县"))

    class Meta:
        model = DispatchReport
        fields = ["q", "district"]

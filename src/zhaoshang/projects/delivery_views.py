"""Weekly tasks, blockers and dispatch reports declared for the generic pages, API, import/export and CLI.

Imported by the app's `ready()`: importing the service modules here also registers their job runners
(`blockers-escalate`, `dispatch-build`).
"""

from __future__ import annotations

from zhaoshang.core.registry import ModelConfig, register
from zhaoshang.projects import (
    blockers,
    delivery_api,
    delivery_filters,
    delivery_forms,
    delivery_pages,
    dispatch,
    tasks,
)
from zhaoshang.projects.models import Blocker, DispatchReport, WeeklyTask

register(
    ModelConfig(
        key="task",
        model=WeeklyTask,
        columns=["title", "project", "week", "department", "owner", "due_date", "status"],
        filterset=delivery_filters.WeeklyTaskFilterSet,
        form=delivery_forms.TaskForm,
        serializer=delivery_api.WeeklyTaskSerializer,
        resource=delivery_api.WeeklyTaskResource,
        nav_group="projects",
        select_related=["project__district", "department", "owner"],
        saver=tasks.task_save,
    )
)
register(
    ModelConfig(
        key="blocker",
        model=Blocker,
        columns=["title", "project", "department", "deadline", "status", "level", "raised_by"],
        filterset=delivery_filters.BlockerFilterSet,
        form=delivery_forms.BlockerForm,
        serializer=delivery_api.BlockerSerializer,
        resource=delivery_api.BlockerResource,
        nav_group="projects",
        select_related=["project__district", "department", "raised_by"],
        detail_context=delivery_pages.blocker_detail_context,
        saver=blockers.blocker_save,
    )
)
register(
    ModelConfig(
        key="dispatch",
        model=DispatchReport,
        columns=["title", "period_start", "period_end", "district", "updated"],
        filterset=delivery_filters.DispatchReportFilterSet,
        form=delivery_forms.DispatchReportForm,
        serializer=delivery_api.DispatchReportSerializer,
        nav_group="projects",
        select_related=["district"],
        detail_context=delivery_pages.dispatch_detail_context,
        saver=dispatch.dispatch_save,
    )
)

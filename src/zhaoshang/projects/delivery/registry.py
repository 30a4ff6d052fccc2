"""Weekly tasks, blockers and dispatch reports declared for the generic pages, API, import/export and CLI.

Imported by the app's `ready()`: importing the service modules here also registers their job runners
(`blockers-escalate`, `dispatch-build`).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.declarations import ModelConfig, register
from zhaoshang.core.downloads import Download, register_download
from zhaoshang.core.schedules import job_schedule
from zhaoshang.projects.delivery import api, blockers, filters, forms, resources, tasks, views
from zhaoshang.projects.delivery.dispatch import services as dispatch
from zhaoshang.projects.models import Blocker, DispatchReport, WeeklyTask

register(
    ModelConfig(
        key="task",
        model=WeeklyTask,
        columns=["title", "project", "week", "department", "owner", "due_date", "status"],
        filterset=filters.WeeklyTaskFilterSet,
        form=forms.TaskForm,
        serializer=api.WeeklyTaskSerializer,
        resource=resources.WeeklyTaskResource,
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
        filterset=filters.BlockerFilterSet,
        form=forms.BlockerForm,
        serializer=api.BlockerSerializer,
        resource=resources.BlockerResource,
        nav_group="projects",
        select_related=["project__district", "department", "raised_by"],
        detail_context=views.blocker_detail_context,
        saver=blockers.blocker_save,
    )
)
register(
    ModelConfig(
        key="dispatch",
        model=DispatchReport,
        columns=["title", "period_start", "period_end", "district", "updated"],
        filterset=filters.DispatchReportFilterSet,
        form=forms.DispatchReportForm,
        serializer=api.DispatchReportSerializer,
        nav_group="projects",
        select_related=["district"],
        detail_context=views.dispatch_detail_context,
        saver=dispatch.dispatch_save,
    )
)

# The Word file of a dispatch report: made by the application, so `export`, judged in the report's district; also
# reachable as the report's stored file (/files/projects.dispatchreport/<pk>/document/, the API's link).
register_download(
    Download(
        key="dispatch_word",
        label=_("调度报告 Word"),
        url_name="dispatch_document",
        formats=("docx",),
        stored="projects.dispatchreport.document",
    )
)


def escalate_every() -> float:
    """Seconds between escalation runs (`ZHAOSHANG_ESCALATE_EVERY`, default a day; 0 when cron runs
    `zhaoshang escalate` instead). Escalation is idempotent per day, and the slot is the job's key, so however many
    workers poll, one run per slot escalates each blocker once."""
    return float(settings.ZHAOSHANG_ESCALATE_EVERY)


job_schedule("blockers-escalate", title=_("堵点逐级上报"), every=escalate_every)

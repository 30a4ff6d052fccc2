"""Delivery records in the spreadsheets offices keep: weekly tasks and blockers with Chinese headers.

Status changes of blockers are not importable: they move only through the services in blockers.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export.fields import Field

from zhaoshang.core.declarations import file_fields
from zhaoshang.core.importing import ScopedResource
from zhaoshang.core.models import Department
from zhaoshang.core.resources import named_field, parent_district_field
from zhaoshang.core.widgets import ChoiceWidget, DateWidget, LookupWidget
from zhaoshang.projects.delivery.tasks import task_owner_choices, week_start
from zhaoshang.projects.models import Blocker, Project, WeeklyTask
from zhaoshang.projects.models.delivery import BLOCKER_FIELDS, BLOCKER_PROGRESS_FIELDS, WEEKLY_TASK_FIELDS


class OwnerWidget(LookupWidget):
    """A person by login name, among the people the importing user may give tasks to."""

    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> Any:
        user = kwargs.get("user")
        return task_owner_choices(user) if user is not None else get_user_model().objects.all()


class WeeklyTaskResource(ScopedResource):
    district = parent_district_field("project")
    project = named_field("project", "项目名称", Project, "项目")
    week = Field(attribute="week", column_name="周(周一)", widget=DateWidget())
    title = Field(attribute="title", column_name="任务")
    owner = Field(
        attribute="owner",
        column_name="责任人账号",
        widget=OwnerWidget(get_user_model(), "username", label="用户"),
    )
    department = named_field("department", "责任部门", Department, "部门")
    due_date = Field(attribute="due_date", column_name="完成时限", widget=DateWidget())
    status = Field(
        attribute="status", column_name="状态", widget=ChoiceWidget(WeeklyTask.Status.choices, "todo")
    )
    done_date = Field(attribute="done_date", column_name="完成日期", widget=DateWidget())

    class Meta(ScopedResource.Meta):
        model = WeeklyTask
        # A task's approval step is picked on the page among its project's steps; files show its done date.
        fields = (
            "district",
            *file_fields(WEEKLY_TASK_FIELDS, after={"status": ["done_date"]}, leave_out=["step"]),
        )
        import_id_fields = ("project", "week", "title")

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        super().import_instance(instance, row, **kwargs)
        if instance.week:
            instance.week = week_start(instance.week)
        if instance.status == WeeklyTask.Status.DONE:
            instance.done_date = instance.done_date or timezone.localdate()
        else:
            instance.done_date = None


class BlockerResource(ScopedResource):
    district = parent_district_field("project")
    project = named_field("project", "项目名称", Project, "项目")
    title = Field(attribute="title", column_name="堵点")
    description = Field(attribute="description", column_name="情况")
    department = named_field("department", "责任部门", Department, "部门")
    deadline = Field(attribute="deadline", column_name="办结时限", widget=DateWidget())
    # Exported for the ledger; changed only through the blocker's actions.
    status = Field(
        attribute="status", column_name="状态", widget=ChoiceWidget(Blocker.Status.choices), readonly=True
    )
    level = Field(attribute="level", column_name="督办层级", readonly=True)
    escalated_on = Field(
        attribute="escalated_on", column_name="最近升级日期", widget=DateWidget(), readonly=True
    )
    raised_by = Field(attribute="raised_by__username", column_name="提出人", readonly=True)
    solution = Field(attribute="solution", column_name="解决情况", readonly=True)
    solved_date = Field(attribute="solved_date", column_name="解决日期", widget=DateWidget(), readonly=True)
    struck_off_date = Field(
        attribute="struck_off_date", column_name="销号日期", widget=DateWidget(), readonly=True
    )

    class Meta(ScopedResource.Meta):
        model = Blocker
        # Who struck a blocker off stays in its history; the files carry the rest of its progress.
        fields = (
            "district",
            *file_fields([*BLOCKER_FIELDS, *BLOCKER_PROGRESS_FIELDS], leave_out=["struck_off_by"]),
        )
        import_id_fields = ("project", "title")

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        super().import_instance(instance, row, **kwargs)
        if instance._state.adding:
            instance.raised_by = self.user
        if instance.department_id and instance.deadline and instance.status == Blocker.Status.RAISED:
            instance.status = Blocker.Status.ASSIGNED

    def validate_instance(
        self, instance: Any, import_validation_errors: Any = None, validate_unique: bool = True
    ) -> None:
        errors = dict(import_validation_errors or {})
        if bool(instance.department_id) != bool(instance.deadline):
            errors.setdefault("department", []).append(
                DjangoValidationError(_("交办须同时指定责任部门和办结时限。"))
            )
        if not instance._state.adding and not instance.open:
            errors.setdefault("title", []).append(
                DjangoValidationError(_("已解决或已销号的堵点不能再导入修改。"))
            )
        super().validate_instance(instance, errors or None, validate_unique)

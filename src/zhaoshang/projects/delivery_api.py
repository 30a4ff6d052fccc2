"""How delivery records cross the border: API serializers and the spreadsheet resources (Chinese headers).

Status changes of blockers and the numbers of dispatch reports are not writable here: they move only through
the services (blockers.py, dispatch.py), which validate and attribute each transition; the blocker's
transitions have their own API actions (blocker_api.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export.fields import Field
from rest_framework import serializers

from zhaoshang.core.api import ScopedModelSerializer
from zhaoshang.core.importing import ScopedResource
from zhaoshang.core.models import Department
from zhaoshang.core.widgets import ChoiceWidget, DateWidget, LookupWidget
from zhaoshang.projects.blockers import BlockerError, check_assignment
from zhaoshang.projects.models import Blocker, DispatchReport, Project, WeeklyTask
from zhaoshang.projects.tasks import task_owner_choices, week_start


def _request_user(serializer: serializers.Serializer) -> Any:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class WeeklyTaskSerializer(ScopedModelSerializer):
    class Meta:
        model = WeeklyTask
        fields = [
            "id",
            "project",
            "week",
            "title",
            "owner",
            "department",
            "due_date",
            "status",
            "step",
            "done_date",
            "created",
            "updated",
        ]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["owner"].queryset = task_owner_choices(_request_user(self))
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        current = self.instance
        if attrs.get("week"):
            attrs["week"] = week_start(attrs["week"])
        status = attrs.get("status", current.status if current else WeeklyTask.Status.TODO)
        if status == WeeklyTask.Status.DONE:
            attrs["done_date"] = (
                attrs.get("done_date") or (current and current.done_date) or timezone.localdate()
            )
        else:
            attrs["done_date"] = None
        step = attrs.get("step", current.step if current else None)
        project = attrs.get("project", current.project if current else None)
        if step is not None and project is not None and step.project_id != project.pk:
            raise serializers.ValidationError({"step": _("节点须属于该项目。")})
        return attrs


class BlockerSerializer(ScopedModelSerializer):
    class Meta:
        model = Blocker
        fields = [
            "id",
            "project",
            "title",
            "description",
            "department",
            "deadline",
            "status",
            "level",
            "escalated_on",
            "raised_by",
            "solution",
            "solved_date",
            "struck_off_by",
            "struck_off_date",
            "created",
            "updated",
        ]
        read_only_fields = [
            "status",
            "level",
            "escalated_on",
            "raised_by",
            "solution",
            "solved_date",
            "struck_off_by",
            "struck_off_date",
        ]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None:
            # Assignment is a transition (blocker_assign), not an edit.
            for name in ("project", "department", "deadline"):
                fields[name].read_only = True
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None:
            department, deadline = attrs.get("department"), attrs.get("deadline")
            attrs["raised_by"] = _request_user(self)
            if department is not None or deadline is not None:
                try:
                    check_assignment(attrs["project"], department, deadline, timezone.localdate())
                except BlockerError as error:
                    raise serializers.ValidationError(str(error)) from error
                attrs["status"] = Blocker.Status.ASSIGNED
        return attrs


class DispatchReportSerializer(ScopedModelSerializer):
    class Meta:
        model = DispatchReport
        fields = [
            "id",
            "district",
            "period_start",
            "period_end",
            "title",
            "summary",
            "document",
            "minutes",
            "created",
            "updated",
        ]
        read_only_fields = ["summary", "document"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None:
            for name in ("district", "period_start", "period_end"):
                fields[name].read_only = True
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None:
            raise serializers.ValidationError(
                _("调度报告须通过“生成调度报告”产生(网页或 zhaoshang dispatch)。")
            )
        return attrs


# --- spreadsheets -------------------------------------------------------------------------------------------


class OwnerWidget(LookupWidget):
    """A person by login name, among the people the importing user may give tasks to."""

    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> Any:
        user = kwargs.get("user")
        return task_owner_choices(user) if user is not None else get_user_model().objects.all()


def _district_column() -> Field:
    return Field(attribute="project__district__adcode", column_name="区县代码", readonly=True)


def _project_column() -> Field:
    return Field(
        attribute="project",
        column_name="项目名称",
        widget=LookupWidget(Project, "name", label="项目", district_column="区县代码"),
    )


def _department_column() -> Field:
    return Field(
        attribute="department",
        column_name="责任部门",
        widget=LookupWidget(Department, "name", label="部门", district_column="区县代码"),
    )


class WeeklyTaskResource(ScopedResource):
    district = _district_column()
    project = _project_column()
    week = Field(attribute="week", column_name="周(周一)", widget=DateWidget())
    title = Field(attribute="title", column_name="任务")
    owner = Field(
        attribute="owner",
        column_name="责任人账号",
        widget=OwnerWidget(get_user_model(), "username", label="用户"),
    )
    department = _department_column()
    due_date = Field(attribute="due_date", column_name="完成时限", widget=DateWidget())
    status = Field(
        attribute="status", column_name="状态", widget=ChoiceWidget(WeeklyTask.Status.choices, "todo")
    )
    done_date = Field(attribute="done_date", column_name="完成日期", widget=DateWidget())

    class Meta(ScopedResource.Meta):
        model = WeeklyTask
        fields = (
            "district",
            "project",
            "week",
            "title",
            "owner",
            "department",
            "due_date",
            "status",
            "done_date",
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
    district = _district_column()
    project = _project_column()
    title = Field(attribute="title", column_name="堵点")
    description = Field(attribute="description", column_name="情况")
    department = _department_column()
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
        fields = (
            "district",
            "project",
            "title",
            "description",
            "department",
            "deadline",
            "status",
            "level",
            "escalated_on",
            "raised_by",
            "solution",
            "solved_date",
            "struck_off_date",
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

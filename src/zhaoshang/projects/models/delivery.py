"""Delivery after signing: approval steps on the critical path, weekly tasks, blockers, dispatch reports."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.audit import AuditedHistory
from zhaoshang.core.models import DistrictOwned, TimeStamped
from zhaoshang.core.scope import ScopedManager
from zhaoshang.core.uploads import UploadTo, UploadValidator


class ApprovalStepTemplate(DistrictOwned):
    """One step of the district's approval template (default: 6 modules, 14 steps); editable per district."""

    code = models.CharField(_("编号"), max_length=10)
    name = models.CharField(_("环节"), max_length=100)
    module = models.PositiveSmallIntegerField(_("模块"))
    module_name = models.CharField(_("模块名称"), max_length=50)
    department = models.ForeignKey(
        "core.Department", verbose_name=_("牵头部门"), on_delete=models.PROTECT, null=True, blank=True
    )
    legal_days = models.PositiveSmallIntegerField(_("法定时限(工作日)"))
    promised_days = models.PositiveSmallIntegerField(_("承诺时限(工作日)"))
    predecessors = models.JSONField(_("前置环节"), default=list, blank=True)
    milestone = models.BooleanField(_("里程碑"), default=False)
    commitment = models.BooleanField(_("告知承诺"), default=False)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("审批模板环节")
        verbose_name_plural = _("审批模板")
        ordering = ["district", "module", "code"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="approval_template_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProjectStep(TimeStamped):
    """A project's own copy of an approval step, with its planned (CPM) and actual dates."""

    class Status(models.TextChoices):
        PENDING = "pending", _("未开始")
        IN_PROGRESS = "in_progress", _("办理中")
        DONE = "done", _("已办结")

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="steps"
    )
    code = models.CharField(_("编号"), max_length=10)
    name = models.CharField(_("环节"), max_length=100)
    module = models.PositiveSmallIntegerField(_("模块"))
    module_name = models.CharField(_("模块名称"), max_length=50)
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="steps",
    )
    duration = models.PositiveSmallIntegerField(_("时限(工作日)"))
    predecessors = models.JSONField(_("前置环节"), default=list, blank=True)
    milestone = models.BooleanField(_("里程碑"), default=False)
    commitment = models.BooleanField(_("告知承诺"), default=False)
    planned_start = models.DateField(_("计划开始"), null=True, blank=True)
    planned_finish = models.DateField(_("计划办结"), null=True, blank=True)
    total_float = models.IntegerField(_("总时差(工作日)"), null=True, blank=True)
    critical = models.BooleanField(_("关键路径"), default=False)
    actual_start = models.DateField(_("实际开始"), null=True, blank=True)
    actual_finish = models.DateField(_("实际办结"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    document = models.FileField(
        _("批复文件"),
        upload_to=UploadTo("approvals/%Y/%m/"),
        blank=True,
        validators=[UploadValidator("evidence")],
    )

    scope_path = "project__district"
    objects = ScopedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("审批环节")
        verbose_name_plural = _("审批环节")
        ordering = ["project", "module", "code"]
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="project_step_code")]

    def __str__(self) -> str:
        return f"{self.project} · {self.code} {self.name}"

    @property
    def scoped_district_id(self) -> int | None:
        return self.project.district_id


class WeeklyTask(TimeStamped):
    """周任务清单: one thing to get done on a project this week, by a person or a department."""

    class Status(models.TextChoices):
        TODO = "todo", _("待办")
        DOING = "doing", _("进行中")
        DONE = "done", _("已完成")

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="tasks"
    )
    week = models.DateField(_("周(周一)"))
    title = models.CharField(_("任务"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
    )
    due_date = models.DateField(_("完成时限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.TODO)
    step = models.ForeignKey(
        ProjectStep,
        verbose_name=_("服务的节点"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
    )
    done_date = models.DateField(_("完成日期"), null=True, blank=True)

    scope_path = "project__district"
    objects = ScopedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("周任务")
        verbose_name_plural = _("周任务")
        ordering = ["week", "due_date", "pk"]
        indexes = [models.Index(fields=["due_date", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def scoped_district_id(self) -> int | None:
        return self.project.district_id

    def clean(self) -> None:
        if self.week and self.week.weekday() != 0:
            raise ValidationError({"week": _("周须从周一开始。")})
        if self.department_id and self.project_id and self.department.district_id != self.project.district_id:
            raise ValidationError({"department": _("须属于同一区县。")})


# The fields people edit, declared once: the form's; the API and the files derive theirs (core.declarations).
WEEKLY_TASK_FIELDS = ["project", "week", "title", "owner", "department", "due_date", "status", "step"]


class Blocker(TimeStamped):
    """堵点: raised → assigned to a department with a deadline → in progress → solved → struck off by a supervisor."""

    class Status(models.TextChoices):
        RAISED = "raised", _("已提出")
        ASSIGNED = "assigned", _("已交办")
        IN_PROGRESS = "in_progress", _("办理中")
        SOLVED = "solved", _("已解决")
        STRUCK_OFF = "struck_off", _("已销号")

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="blockers"
    )
    title = models.CharField(_("堵点"), max_length=200)
    description = models.TextField(_("情况"), blank=True)
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="blockers",
    )
    deadline = models.DateField(_("办结时限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.RAISED)
    # 0 = handled in the district; each overdue escalation raises it one level (区县领导 → 市级).
    level = models.PositiveSmallIntegerField(_("督办层级"), default=0)
    # The day (as escalated for, e.g. `zhaoshang escalate --date D`) of the last escalation: one a day at most.
    escalated_on = models.DateField(_("最近升级日期"), null=True, blank=True, editable=False)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    solution = models.TextField(_("解决情况"), blank=True)
    solved_date = models.DateField(_("解决日期"), null=True, blank=True)
    struck_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("销号人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    struck_off_date = models.DateField(_("销号日期"), null=True, blank=True)

    scope_path = "project__district"
    objects = ScopedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("堵点")
        verbose_name_plural = _("堵点")
        ordering = ["status", "deadline", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def scoped_district_id(self) -> int | None:
        return self.project.district_id

    @property
    def open(self) -> bool:
        return self.status not in (self.Status.SOLVED, self.Status.STRUCK_OFF)


BLOCKER_FIELDS = ["project", "title", "description", "department", "deadline"]
# What the blocker's actions write (blockers.py): shown by the API and the files, never edited there.
BLOCKER_PROGRESS_FIELDS = [
    "status",
    "level",
    "escalated_on",
    "raised_by",
    "solution",
    "solved_date",
    "struck_off_by",
    "struck_off_date",
]


class DispatchReport(DistrictOwned):
    """半月调度: the report of one dispatch meeting, its numbers frozen, its Word file, its decisions."""

    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    title = models.CharField(_("标题"), max_length=200)
    summary = models.JSONField(_("数据"), default=dict)
    document = models.FileField(_("Word 报告"), upload_to="dispatch/%Y/", blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("调度报告")
        verbose_name_plural = _("调度会")
        ordering = ["district", "-period_end"]

    def __str__(self) -> str:
        return self.title


DISPATCH_REPORT_FIELDS = ["district", "period_start", "period_end", "title", "minutes"]

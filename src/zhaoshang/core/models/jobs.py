"""A job is long work (imports, recomputations, reports) that people watch progress on.

A worker claims a queued job, beats (``heartbeat_at``) while it runs and records who it is (``worker``: host and
process id); a job whose worker stopped beating is requeued or failed by the next worker that polls
(``core/jobs.py``). ``result["error"]`` is the message people read; ``error_detail`` (the traceback) is for
administrators only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.models.base import TimeStamped


class Job(TimeStamped):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("运行中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=50)
    title = models.CharField(_("标题"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="jobs"
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    message = models.CharField(_("当前步骤"), max_length=300, blank=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    error_detail = models.TextField(_("技术细节"), blank=True, help_text=_("仅系统管理员可见"))
    idempotency_key = models.CharField(
        _("提交标识"),
        max_length=200,
        blank=True,
        help_text=_("同一发起人同一标识的任务,同时只排队或运行一个"),
    )
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    worker = models.CharField(_("后台进程"), max_length=100, blank=True, help_text=_("主机名:进程号"))
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    started = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat")]
        constraints = [
            # A double click or the back button submits twice: the second submission finds the first.
            models.UniqueConstraint(
                fields=["kind", "user", "idempotency_key"],
                condition=Q(status__in=["queued", "running"]) & ~Q(idempotency_key=""),
                name="job_one_open_per_key",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def done(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def retried(self) -> bool:
        """Started again after its worker stopped (the page says so)."""
        return self.attempts > 1

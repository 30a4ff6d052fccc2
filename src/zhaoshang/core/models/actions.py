"""Named actions beside the field diffs: "阶段核实", "堵点销号", "月度评分"… who did what to which object, in a word.

The history rows say which fields changed; an action entry says what was done (pretix's LogEntry). Entries are
written by the services through `core.actions.action_log`, never edited, and scoped by district like the object.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.scope import ScopedManager


class ActionEntry(models.Model):
    district = models.ForeignKey(
        "core.District",
        verbose_name=_("区县"),
        # A district deleted (rare: only one without data) leaves its entries to the city.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("空:全市范围的操作,只有市级用户可见"),
    )
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("对象类型"), on_delete=models.PROTECT, null=True, blank=True
    )
    object_id = models.PositiveBigIntegerField(_("对象编号"), null=True, blank=True)
    object = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    action = models.CharField(_("操作代码"), max_length=40)
    label = models.CharField(_("操作"), max_length=50)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("途径"), max_length=20)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    data = models.JSONField(_("内容"), default=dict, blank=True)

    scope_path = "district"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="action_entry_object")]

    def __str__(self) -> str:
        return f"{self.label} · {self.object_repr}"

    @property
    def scoped_district_id(self) -> int | None:
        return self.district_id

"""The State Council's holiday notice for a year the calendar package does not know yet, entered as data.

The package `chinesecalendar` carries every published notice; a new year's notice comes out in November or
December and reaches the package later. Until then the calendar counts that year's statutory days by law,
marked provisional (`analytics.schedule.holidays`). An administrator who enters the notice here, day by day,
makes the year official: the entered days off and 调休 working days replace the provisional placement.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.analytics.schedule.holidays import CnWorkdays
from zhaoshang.core.audit import AuditedHistory
from zhaoshang.core.models.base import TimeStamped


class CalendarAdjustment(TimeStamped):
    """One day of a holiday notice: a day off (放假) or a weekend day worked (调休上班). National: no district,
    so only users whose rights span every district (the city's administrators) may write it."""

    class Kind(models.TextChoices):
        OFF = "off", _("放假")
        WORK = "work", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    notice = models.CharField(
        _("通知文号"), max_length=100, help_text=_("国务院办公厅放假通知的文号,如 国办发明电〔2026〕12号")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True, help_text=_("如 春节、国庆节"))

    history = AuditedHistory()

    class Meta:
        verbose_name = _("放假调休安排")
        verbose_name_plural = _("放假调休安排")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()}"

    @property
    def scoped_district_id(self) -> int | None:
        return None  # city-wide: `ensure_allowed` then asks for rights over every district

    def clean(self) -> None:
        if self.date is None:
            return
        calendar = CnWorkdays()
        if calendar.published(self.date.year):
            raise ValidationError(
                {
                    "date": _("%(year)s 年的放假安排已随系统日历发布(%(first)s–%(last)s 年),无需录入。")
                    % {"year": self.date.year, "first": calendar.first_year, "last": calendar.last_year}
                }
            )
        if self.kind == self.Kind.WORK and self.date.weekday() < 5:
            raise ValidationError({"kind": _("调休上班日应为周六或周日;工作日本来就上班。")})

"""The district's thresholds of the computed status (红黄牌): when an overdue step or promise earns a card."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.analytics.status.rule import Thresholds
from zhaoshang.core.audit import AuditedHistory
from zhaoshang.core.models import DistrictOwned

_DEFAULTS = Thresholds()


def _days(label: str, default: int) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MinValueValidator(1), MaxValueValidator(730)]
    )


class StatusThresholds(DistrictOwned):
    """One row per district; a district without one uses the defaults of `analytics.status.rule.Thresholds`."""

    step_yellow_days = _days(_("审批环节超期黄牌(工作日)"), _DEFAULTS.step_yellow_days)
    step_red_days = _days(_("审批环节超期红牌(工作日)"), _DEFAULTS.step_red_days)
    red_overdue_steps = _days(_("同时超期环节数红牌"), _DEFAULTS.red_overdue_steps)
    promise_yellow_days = _days(_("承诺开工/投产超期黄牌(工作日)"), _DEFAULTS.promise_yellow_days)
    promise_red_days = _days(_("承诺开工/投产超期红牌(工作日)"), _DEFAULTS.promise_red_days)
    stall_months = _days(_("无核实进展判停滞(月)"), _DEFAULTS.stall_months)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("红黄牌阈值")
        verbose_name_plural = _("红黄牌阈值")
        constraints = [models.UniqueConstraint(fields=["district"], name="status_thresholds_district")]

    def __str__(self) -> str:
        return f"{self.district} · {self._meta.verbose_name}"

    def clean(self) -> None:
        errors = {}
        if self.step_red_days < self.step_yellow_days:
            errors["step_red_days"] = _("红牌阈值不能小于黄牌阈值。")
        if self.promise_red_days < self.promise_yellow_days:
            errors["promise_red_days"] = _("红牌阈值不能小于黄牌阈值。")
        if errors:
            raise ValidationError(errors)

    def rule(self) -> Thresholds:
        return Thresholds(**{name: getattr(self, name) for name in STATUS_THRESHOLD_FIELDS})


STATUS_THRESHOLD_FIELDS = [
    "step_yellow_days",
    "step_red_days",
    "red_overdue_steps",
    "promise_yellow_days",
    "promise_red_days",
    "stall_months",
]

"""Roles grant actions; assignments give a role to a user on all districts (city level) or on chosen ones."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.audit import AuditedHistory
from zhaoshang.core.grants import entry_problem, qualified, target_label
from zhaoshang.core.models.base import TimeStamped
from zhaoshang.core.scope import ACTION_LABELS, ACTIONS


def validate_actions(value: object) -> None:
    """Plain actions, or an action limited to an app or a model ("add:sites", "add:projects.project")."""
    if not isinstance(value, list) or any(entry_problem(a, ACTIONS) for a in value):
        raise ValidationError(
            _("操作只能是:%(actions)s,或限定到应用或模型,如 add:sites、add:projects.project")
            % {"actions": ", ".join(ACTIONS)}
        )


class Role(TimeStamped):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    actions = models.JSONField(_("允许的操作"), default=list, validators=[validate_actions])
    description = models.TextField(_("说明"), blank=True)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def action_labels(self) -> list[str]:
        labels = [str(ACTION_LABELS[a]) for a in ACTIONS if a in self.actions]
        for action, target in qualified(self.actions):
            if action in ACTION_LABELS and action not in self.actions:
                labels.append(f"{ACTION_LABELS[action]}({target_label(target)})")
        return labels


class RoleAssignment(TimeStamped):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    role = models.ForeignKey(
        Role, verbose_name=_("角色"), on_delete=models.PROTECT, related_name="assignments"
    )
    # All the instance serves: the whole city on a city's instance, the whole province on a province's.
    all_districts = models.BooleanField(_("全部(所有区县和功能区)"), default=False)
    # A city's supervisors on a province's instance: every district and zone of these cities, now and later.
    cities = models.ManyToManyField("core.City", verbose_name=_("城市(其全部区县)"), blank=True)
    districts = models.ManyToManyField("core.District", verbose_name=_("区县"), blank=True)

    history = AuditedHistory(m2m_fields=[cities, districts])

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")

    def __str__(self) -> str:
        return f"{self.user} · {self.role}"


class UserProfile(TimeStamped):
    """Where a person works; used for "my tasks", department queues and the home page."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="profile"
    )
    district = models.ForeignKey(
        "core.District", verbose_name=_("所属区县"), on_delete=models.SET_NULL, null=True, blank=True
    )
    department = models.ForeignKey(
        "core.Department", verbose_name=_("所属部门"), on_delete=models.SET_NULL, null=True, blank=True
    )
    title = models.CharField(_("职务"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("用户资料")
        verbose_name_plural = _("用户资料")

    def __str__(self) -> str:
        return str(self.user)

"""Notifications: what is due reaches people — in-app inbox, e-mail, and the group robots of 钉钉, 企业微信, 飞书.

A **Notification** is one event for one person (the inbox row). A **Delivery** is one message through one channel
(an e-mail to a person, a post to a department's group robot, a person's daily digest); its unique key (rule,
event, recipient, channel) makes a second run send nothing new. Each try of a delivery is a **DeliveryAttempt**.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.audit import AuditedHistory
from zhaoshang.core.models import DistrictOwned, TimeStamped


class Rule(models.TextChoices):
    STEP_DUE = "step_due", _("审批环节即将到期")
    STEP_OVERDUE = "step_overdue", _("审批环节已逾期")
    TASK_DUE = "task_due", _("周任务即将到期")
    TASK_OVERDUE = "task_overdue", _("周任务已逾期")
    BLOCKER_RAISED = "blocker_raised", _("堵点已提出")
    BLOCKER_ESCALATED = "blocker_escalated", _("堵点已升级督办")
    BLOCKER_SOLVED = "blocker_solved", _("堵点已解决")
    BLOCKER_STRUCK_OFF = "blocker_struck_off", _("堵点已销号")
    MOVE_VERIFY = "move_verify", _("阶段变更待我审核")
    FOLLOWUP_DUE = "followup_due", _("目标企业跟进到期")
    SITE_STALE = "site_stale", _("地块数据待核实")
    PROJECT_CARD = "project_card", _("项目亮红黄牌")


DIGEST = "digest"  # the rule name of a person's daily digest delivery


class ChannelKind(models.TextChoices):
    DINGTALK = "dingtalk", _("钉钉群机器人")
    WECOM = "wecom", _("企业微信群机器人")
    FEISHU = "feishu", _("飞书群机器人")
    EMAIL = "email", _("部门邮箱")


class ChannelConfig(DistrictOwned):
    """A group channel an administrator set up for a district, or for one of its departments."""

    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("部门"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("留空:本区县所有部门的提醒都发到这里"),
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("渠道"), max_length=20, choices=ChannelKind.choices)
    target = models.CharField(
        _("Webhook 地址或邮箱"),
        max_length=500,
        help_text=_("群机器人的 Webhook 地址(企业微信含 key);部门邮箱填邮件地址"),
    )
    secret = models.CharField(
        _("加签密钥"), max_length=200, blank=True, help_text=_("钉钉、飞书机器人安全设置中的签名密钥")
    )
    rules = models.JSONField(_("提醒类型"), default=list, blank=True, help_text=_("留空:全部类型"))
    active = models.BooleanField(_("启用"), default=True)

    history = AuditedHistory(excluded_fields=["secret"])

    class Meta:
        verbose_name = _("提醒渠道")
        verbose_name_plural = _("提醒渠道")
        ordering = ["district", "department", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.department_id and self.district_id and self.department.district_id != self.district_id:
            errors["department"] = _("须属于同一区县。")
        if not isinstance(self.rules, list) or any(r not in Rule.values for r in self.rules):
            errors["rules"] = _("提醒类型无效。")
        if self.kind == ChannelKind.EMAIL:
            if "@" not in self.target:
                errors["target"] = _("请填写邮件地址。")
        elif not self.target.startswith(("https://", "http://")):
            errors["target"] = _("请填写以 https:// 开头的 Webhook 地址。")
        if errors:
            raise ValidationError(errors)

    def takes(self, rule: str) -> bool:
        return not self.rules or rule in self.rules


class RuleSetting(DistrictOwned):
    """A district's choice for one rule: on or off, and how many days ahead "due soon" starts."""

    rule = models.CharField(_("提醒类型"), max_length=30, choices=Rule.choices)
    enabled = models.BooleanField(_("启用"), default=True)
    lead_days = models.PositiveSmallIntegerField(
        _("提前天数"), default=3, help_text=_("到期前几天开始提醒;已发生的事件为回溯天数")
    )

    history = AuditedHistory()

    class Meta:
        verbose_name = _("提醒规则")
        verbose_name_plural = _("提醒规则")
        ordering = ["district", "rule"]
        constraints = [models.UniqueConstraint(fields=["district", "rule"], name="notify_rule_setting")]

    def __str__(self) -> str:
        return f"{self.district} · {self.get_rule_display()}"


class Preference(TimeStamped):
    """A person's choices: e-mail or not, one digest a day instead of single mails, rules not to mail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notify_preference",
    )
    email = models.BooleanField(_("邮件提醒"), default=True)
    digest = models.BooleanField(_("每日汇总"), default=False, help_text=_("每天一封汇总邮件,代替逐条邮件"))
    muted = models.JSONField(_("不发邮件的类型"), default=list, blank=True)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("提醒偏好")
        verbose_name_plural = _("提醒偏好")

    def __str__(self) -> str:
        return str(self.user)


class Notification(models.Model):
    """One event for one person: the inbox row. Unique per (person, rule, event)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="+"
    )
    district = models.ForeignKey(
        "core.District", verbose_name=_("区县"), on_delete=models.CASCADE, null=True, blank=True
    )
    rule = models.CharField(_("提醒类型"), max_length=30, choices=Rule.choices)
    event_key = models.CharField(_("事件"), max_length=120)
    title = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    due = models.DateField(_("期限"), null=True, blank=True)
    created = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    digest = models.ForeignKey(
        "Delivery",
        verbose_name=_("汇总邮件"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
    )

    class Meta:
        verbose_name = _("站内提醒")
        verbose_name_plural = _("站内提醒")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "rule", "event_key"], name="notification_once_per_person")
        ]
        indexes = [models.Index(fields=["user", "read_at"]), models.Index(fields=["rule", "event_key"])]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One message through one channel; the log of what was sent, when, after how many tries."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    rule = models.CharField(_("提醒类型"), max_length=30)
    event_key = models.CharField(_("事件"), max_length=120)
    # "user:<id>" for a person, "group:<id>" for a channel configuration.
    recipient = models.CharField(_("接收方"), max_length=40)
    channel = models.CharField(_("渠道"), max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
    )
    config = models.ForeignKey(
        ChannelConfig,
        verbose_name=_("提醒渠道"),
        on_delete=models.CASCADE,
        null=True,
        related_name="deliveries",
    )
    district = models.ForeignKey("core.District", verbose_name=_("区县"), on_delete=models.CASCADE, null=True)
    address = models.CharField(_("地址"), max_length=500, blank=True)
    subject = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "event_key", "recipient", "channel"], name="delivery_once_per_recipient"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient}: {self.subject}"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(
        Delivery, verbose_name=_("发送记录"), on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField(_("时间"))
    ok = models.BooleanField(_("成功"))
    detail = models.CharField(_("结果"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("发送尝试")
        verbose_name_plural = _("发送尝试")
        ordering = ["delivery", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.at:%Y-%m-%d %H:%M} {'ok' if self.ok else self.detail}"


class RobotPost(models.Model):
    """One post to a group robot, which may carry several deliveries: the log a robot's rate limit is counted
    from. Written before the post leaves (in the transaction that counted the robot's recent posts under a lock on
    its channel row), so that another worker sending at the same time counts it too."""

    config = models.ForeignKey(
        ChannelConfig, verbose_name=_("提醒渠道"), on_delete=models.CASCADE, related_name="posts"
    )
    at = models.DateTimeField(_("时间"))
    items = models.PositiveSmallIntegerField(_("条数"), default=1)
    ok = models.BooleanField(_("成功"), null=True)  # unknown while the post is under way
    detail = models.CharField(_("结果"), max_length=300, blank=True)
    # The platform answered "too many": no post to this robot before this time, whoever sends.
    until = models.DateTimeField(_("限流至"), null=True, blank=True)

    class Meta:
        verbose_name = _("群机器人发送")
        verbose_name_plural = _("群机器人发送")
        ordering = ["config", "at", "pk"]
        indexes = [models.Index(fields=["config", "at"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.config_id} {self.at:%Y-%m-%d %H:%M:%S} ×{self.items}"

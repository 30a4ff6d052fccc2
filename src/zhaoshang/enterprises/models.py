"""The enterprise registry as one district keeps it, with provenance per attribute, and its target library.

Districts compete for the same investors, so each keeps its own records of firms (local ones and targets);
the same firm (USCC) may be kept by several districts, each seeing only its own.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.audit import AuditedHistory
from zhaoshang.core.models import DistrictOwned, TimeStamped
from zhaoshang.core.scope import ScopedManager
from zhaoshang.core.validators import (
    non_negative,
    past_date,
    validate_adcode,
    validate_industry_code,
    validate_uscc,
)


class Enterprise(DistrictOwned):
    class Status(models.TextChoices):
        EXISTING = "existing", _("存续")
        OPERATING = "operating", _("在业")
        CANCELLED = "cancelled", _("注销")
        REVOKED = "revoked", _("吊销")

    class Ownership(models.TextChoices):
        STATE = "state", _("国有")
        PRIVATE = "private", _("民营")
        FOREIGN = "foreign", _("外资")
        HMT = "hmt", _("港澳台")
        OTHER = "other", _("其他")

    class Crs(models.TextChoices):
        WGS84 = "wgs84", "WGS84"
        CGCS2000 = "cgcs2000", "CGCS2000"
        GCJ02 = "gcj02", _("GCJ-02(高德/腾讯)")
        BD09 = "bd09", _("BD-09(百度)")

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, validators=[validate_uscc])
    name = models.CharField(_("企业名称"), max_length=200)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    founded = models.DateField(_("成立日期"), null=True, blank=True, validators=[past_date])
    registered_capital = models.DecimalField(
        _("注册资本(万元)"), max_digits=16, decimal_places=4, null=True, blank=True, validators=[non_negative]
    )
    paid_in_capital = models.DecimalField(
        _("实缴资本(万元)"), max_digits=16, decimal_places=4, null=True, blank=True, validators=[non_negative]
    )
    insured_employees = models.PositiveIntegerField(_("参保人数"), null=True, blank=True)
    industry_code = models.CharField(
        _("行业代码"), max_length=4, blank=True, validators=[validate_industry_code]
    )
    business_scope = models.TextField(_("经营范围"), blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    adcode = models.CharField(_("所在区划代码"), max_length=6, blank=True, validators=[validate_adcode])
    lng = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    crs = models.CharField(_("坐标系"), max_length=10, choices=Crs.choices, default=Crs.WGS84)
    status = models.CharField(_("登记状态"), max_length=20, choices=Status.choices, default=Status.EXISTING)
    ownership = models.CharField(_("企业类型"), max_length=20, choices=Ownership.choices, blank=True)
    listed = models.BooleanField(_("上市企业"), default=False)
    tags = models.JSONField(
        _("标签"), default=list, blank=True, help_text=_("如 专精特新、高新技术企业、链主")
    )
    top500 = models.JSONField(
        _("500强榜单"), default=list, blank=True, help_text=_('如 [{"list": "中国企业500强", "year": 2023}]')
    )
    parent_name = models.CharField(_("所属集团/母公司"), max_length=200, blank=True)
    # {field: {"source": "...", "date": "YYYY-MM-DD", "source_value": ...}}
    provenance = models.JSONField(_("数据来源"), default=dict, blank=True)
    # {field: {"value": ..., "by": username, "at": iso, "reason": "..."}} — survives re-imports.
    overrides = models.JSONField(_("人工修正"), default=dict, blank=True)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["district", "name"]
        constraints = [models.UniqueConstraint(fields=["district", "uscc"], name="enterprise_unique_uscc")]
        indexes = [models.Index(fields=["district", "industry_code"]), models.Index(fields=["uscc"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_local(self) -> bool:
        return bool(self.adcode) and self.adcode == self.district.adcode

    @property
    def is_shell(self) -> bool:
        return self.insured_employees == 0


# The fields people edit, declared once: the form's; the API and the files derive theirs (core.declarations).
ENTERPRISE_FIELDS = [
    "district",
    "uscc",
    "name",
    "legal_representative",
    "founded",
    "registered_capital",
    "paid_in_capital",
    "insured_employees",
    "industry_code",
    "business_scope",
    "address",
    "adcode",
    "lng",
    "lat",
    "crs",
    "status",
    "ownership",
    "listed",
    "tags",
    "parent_name",
]
# Attributes that carry provenance and may be overridden by hand (registries are often wrong): all but the
# keys (district, USCC) and the coordinate system, which only says how the coordinates were written.
TRACKED_FIELDS = tuple(name for name in ENTERPRISE_FIELDS if name not in ("district", "uscc", "crs"))


class EnterpriseNode(TimeStamped):
    """Why a firm sits on a chain node: its industry code, a keyword in its business scope, or a person's call."""

    class Method(models.TextChoices):
        CODE = "code", _("行业代码")
        KEYWORD = "keyword", _("经营范围关键词")
        MANUAL = "manual", _("人工指定")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="placements"
    )
    node = models.ForeignKey(
        "chains.Node", verbose_name=_("环节"), on_delete=models.CASCADE, related_name="placements"
    )
    method = models.CharField(_("归类方式"), max_length=10, choices=Method.choices)
    reason = models.CharField(_("理由"), max_length=300)
    # A person can take a firm off a node; automatic classification then leaves it off.
    excluded = models.BooleanField(_("人工排除"), default=False)

    scope_path = "enterprise__district"
    objects = ScopedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("企业归链")
        verbose_name_plural = _("企业归链")
        constraints = [models.UniqueConstraint(fields=["enterprise", "node"], name="placement_unique")]

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.node}"

    @property
    def scoped_district_id(self) -> int | None:
        return self.enterprise.district_id


class TargetEntry(DistrictOwned):
    """目标企业库: a firm a chain team pursues, from identified to a project (or dropped, with the reason)."""

    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("已锁定")
        CONTACTED = "contacted", _("已联系")
        VISITED = "visited", _("已拜访")
        NEGOTIATING = "negotiating", _("洽谈中")
        CONVERTED = "converted", _("已转线索/项目")
        DROPPED = "dropped", _("已放弃")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="target_entries"
    )
    chain = models.ForeignKey(
        "chains.Chain", verbose_name=_("产业链"), on_delete=models.PROTECT, null=True, blank=True
    )
    node = models.ForeignKey(
        "chains.Node", verbose_name=_("环节"), on_delete=models.PROTECT, null=True, blank=True
    )
    team = models.ForeignKey(
        "core.Team", verbose_name=_("负责专班"), on_delete=models.PROTECT, null=True, blank=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.IDENTIFIED)
    drop_reason = models.CharField(_("放弃原因"), max_length=200, blank=True)
    next_action = models.CharField(_("下一步"), max_length=200, blank=True)
    next_action_date = models.DateField(_("下一步日期"), null=True, blank=True)
    score = models.FloatField(_("评分"), null=True, blank=True)
    score_explain = models.JSONField(_("评分说明"), default=dict, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("目标企业")
        verbose_name_plural = _("目标企业库")
        ordering = ["district", "next_action_date", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["district", "enterprise", "node"], name="target_unique_per_node")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise}"

    def clean(self) -> None:
        errors = {}
        if self.status == self.Status.DROPPED and not self.drop_reason:
            errors["drop_reason"] = _("放弃时须写明原因。")
        for name in ("enterprise", "chain", "team"):
            related = getattr(self, name, None)
            if related is not None and self.district_id and related.district_id != self.district_id:
                errors[name] = _("须属于同一区县。")
        if self.node_id and self.chain_id and self.node.chain_id != self.chain_id:
            errors["node"] = _("环节须属于所选产业链。")
        if errors:
            raise ValidationError(errors)


TARGET_ENTRY_FIELDS = [
    "district",
    "enterprise",
    "chain",
    "node",
    "team",
    "owner",
    "status",
    "drop_reason",
    "next_action",
    "next_action_date",
    "notes",
]


class ContactLog(TimeStamped):
    """A call, visit or meeting with a target firm: who, when, what was said, what comes next."""

    class Kind(models.TextChoices):
        CALL = "call", _("电话")
        VISIT = "visit", _("上门拜访")
        HOSTED = "hosted", _("来访接待")
        MEETING = "meeting", _("洽谈会")
        OTHER = "other", _("其他")

    entry = models.ForeignKey(
        TargetEntry, verbose_name=_("目标企业"), on_delete=models.CASCADE, related_name="contacts"
    )
    date = models.DateField(_("日期"))
    kind = models.CharField(_("方式"), max_length=10, choices=Kind.choices, default=Kind.VISIT)
    participants = models.CharField(_("参加人员"), max_length=200, blank=True)
    summary = models.TextField(_("情况"))
    next_step = models.CharField(_("下一步"), max_length=200, blank=True)

    scope_path = "entry__district"
    objects = ScopedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("联系记录")
        verbose_name_plural = _("联系记录")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.entry.enterprise} · {self.date} {self.get_kind_display()}"

    @property
    def scoped_district_id(self) -> int | None:
        return self.entry.district_id


CONTACT_LOG_FIELDS = ["entry", "date", "kind", "participants", "summary", "next_step"]

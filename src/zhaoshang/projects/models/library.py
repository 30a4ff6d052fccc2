"""The project library: one record follows a project from lead to full capacity (DOMAIN.md §8)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.audit import AuditedHistory
from zhaoshang.core.models import DistrictOwned, TimeStamped
from zhaoshang.core.scope import ScopedManager
from zhaoshang.core.uploads import UploadTo, UploadValidator
from zhaoshang.core.validators import (
    non_negative,
    past_date,
    plausible_date,
    validate_industry_code,
    validate_project_code,
    validate_uscc,
)
from zhaoshang.projects.stages import DEFAULT_STAGES


class Origin(models.TextChoices):
    LOCAL = "local", _("本地")
    OUTSIDE_CITY = "outside_city", _("市外省内")
    OUTSIDE_PROVINCE = "outside_province", _("省外")
    ABROAD = "abroad", _("境外")


class Project(DistrictOwned):
    class Tier(models.TextChoices):
        PROVINCIAL = "provincial", _("省重点")
        MUNICIPAL = "municipal", _("市重点")
        DISTRICT = "district", _("区县重点")
        GENERAL = "general", _("一般")

    class Nature(models.TextChoices):
        # 建设性质 of fixed-asset investment statistics: the forecast counts only what a project adds to the
        # plant already in the district's output (a retrofit replaces part of the baseline).
        NEW = "new", _("新建")
        EXPANSION = "expansion", _("扩建")
        RENOVATION = "renovation", _("改建")
        RETROFIT = "retrofit", _("技术改造")
        RELOCATION = "relocation", _("迁建")

    class ImplementationClass(models.TextChoices):
        # 发改's yearly lists split projects into those being built this year and those being prepared.
        IMPLEMENTING = "implementing", _("实施类")
        PREPARING = "preparing", _("准备类")

    class Status(models.TextChoices):
        ON_TRACK = "on_track", _("正常推进")
        DELAYED = "delayed", _("滞后")
        STALLED = "stalled", _("停滞")
        TERMINATED = "terminated", _("终止")

    name = models.CharField(_("项目名称"), max_length=200)
    # The national investment project online approval platform's code: the project's identity across books.
    project_code = models.CharField(
        _("项目代码"),
        max_length=24,
        blank=True,
        db_index=True,
        validators=[validate_project_code],
        help_text=_("投资项目在线审批监管平台赋予的代码,如 2024-370305-26-03-012345"),
    )
    project_unit = models.CharField(_("项目单位"), max_length=200, blank=True)
    content = models.TextField(_("建设内容"), blank=True)
    construction_nature = models.CharField(_("建设性质"), max_length=20, choices=Nature.choices, blank=True)
    implementation_class = models.CharField(
        _("实施类/准备类"), max_length=20, choices=ImplementationClass.choices, blank=True
    )
    stage = models.CharField(_("阶段"), max_length=20, choices=DEFAULT_STAGES, default="lead")
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.ON_TRACK)
    status_reason = models.CharField(_("状态原因"), max_length=300, blank=True)
    # When the project left the counts (the date as claimed; who recorded it is in the audit history): a period
    # before it still counts the project, a rebuilt month knows it was alive then (DOMAIN.md §9).
    terminated_on = models.DateField(_("终止日期"), null=True, blank=True, validators=[past_date])
    tier = models.CharField(_("项目层级"), max_length=20, choices=Tier.choices, default=Tier.GENERAL)
    # Investor
    investor_name = models.CharField(_("投资方"), max_length=200, blank=True)
    investor_uscc = models.CharField(
        _("投资方信用代码"), max_length=18, blank=True, validators=[validate_uscc]
    )
    investor_origin = models.CharField(_("投资方来源"), max_length=20, choices=Origin.choices, blank=True)
    investor_top500 = models.JSONField(_("投资方500强"), default=list, blank=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("投资企业"), on_delete=models.SET_NULL, null=True, blank=True
    )
    # Money (万元)
    total_investment = models.DecimalField(
        _("总投资(万元)"), max_digits=16, decimal_places=2, null=True, blank=True, validators=[non_negative]
    )
    first_phase_investment = models.DecimalField(
        _("一期投资(万元)"), max_digits=16, decimal_places=2, null=True, blank=True, validators=[non_negative]
    )
    # A capital increase counts only the increase, once: it points at the project it enlarges.
    increase_of = models.ForeignKey(
        "self",
        verbose_name=_("增资所属项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="increases",
    )
    # Industry and place
    industry_code = models.CharField(
        _("行业代码"), max_length=4, blank=True, validators=[validate_industry_code]
    )
    chain = models.ForeignKey(
        "chains.Chain", verbose_name=_("产业链"), on_delete=models.SET_NULL, null=True, blank=True
    )
    node = models.ForeignKey(
        "chains.Node", verbose_name=_("环节"), on_delete=models.SET_NULL, null=True, blank=True
    )
    town = models.ForeignKey(
        "core.Town", verbose_name=_("镇办"), on_delete=models.PROTECT, null=True, blank=True
    )
    park = models.ForeignKey(
        "core.Park", verbose_name=_("园区"), on_delete=models.PROTECT, null=True, blank=True
    )
    land_mu = models.DecimalField(
        _("用地(亩)"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[non_negative]
    )
    referrer = models.CharField(_("引荐人"), max_length=100, blank=True)
    team = models.ForeignKey(
        "core.Team", verbose_name=_("负责专班"), on_delete=models.PROTECT, null=True, blank=True
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("项目专员"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Dates
    signed_date = models.DateField(_("首次签约日期"), null=True, blank=True, validators=[past_date])
    promised_start_date = models.DateField(
        _("承诺开工日期"), null=True, blank=True, validators=[plausible_date]
    )
    started_date = models.DateField(_("开工日期"), null=True, blank=True, validators=[past_date])
    expected_production_date = models.DateField(
        _("预计投产日期"), null=True, blank=True, validators=[plausible_date]
    )
    # At full capacity (designed) — 万元 / people
    designed_output = models.DecimalField(
        _("达产产值(万元)"), max_digits=16, decimal_places=2, null=True, blank=True, validators=[non_negative]
    )
    designed_tax = models.DecimalField(
        _("达产税收(万元)"), max_digits=16, decimal_places=2, null=True, blank=True, validators=[non_negative]
    )
    designed_jobs = models.PositiveIntegerField(_("达产就业(人)"), null=True, blank=True)
    # Reserve pool: projects enterprises plan, collected with their source and timing.
    reserve_source = models.CharField(_("储备来源"), max_length=200, blank=True)
    expected_timing = models.CharField(_("预计实施时间"), max_length=50, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目库")
        ordering = ["district", "-total_investment", "name"]
        indexes = [models.Index(fields=["district", "stage"]), models.Index(fields=["investor_uscc"])]
        constraints = [
            models.UniqueConstraint(
                fields=["project_code"], condition=~models.Q(project_code=""), name="project_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Every path that terminates a project (page, API, ledger import, admin) dates it: the day it was
        # recorded unless a date was claimed; a project taken up again is no longer terminated.
        if self.status == self.Status.TERMINATED:
            if self.terminated_on is None:
                self.terminated_on = timezone.localdate()
        else:
            self.terminated_on = None
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        if self.status == self.Status.TERMINATED and not self.status_reason:
            errors["status_reason"] = _("终止须写明原因。")
        for name in ("chain", "town", "park", "team", "enterprise"):
            related = getattr(self, name, None)
            if related is not None and self.district_id and related.district_id != self.district_id:
                errors[name] = _("须属于同一区县。")
        if self.node_id and self.chain_id and self.node.chain_id != self.chain_id:
            errors["node"] = _("环节须属于所选产业链。")
        if self.increase_of_id and self.increase_of_id == self.pk:
            errors["increase_of"] = _("项目不能是自身的增资。")
        if errors:
            raise ValidationError(errors)


# The fields people edit, declared once: the form's; the API and the files derive theirs (core.declarations).
PROJECT_FIELDS = [
    "district",
    "name",
    "project_code",
    "project_unit",
    "content",
    "construction_nature",
    "implementation_class",
    "stage",
    "tier",
    "investor_name",
    "investor_uscc",
    "investor_origin",
    "investor_top500",
    "total_investment",
    "first_phase_investment",
    "increase_of",
    "industry_code",
    "chain",
    "node",
    "town",
    "park",
    "land_mu",
    "referrer",
    "team",
    "officer",
    "promised_start_date",
    "expected_production_date",
    "designed_output",
    "designed_tax",
    "designed_jobs",
    "reserve_source",
    "expected_timing",
    "notes",
]


class StageMove(TimeStamped):
    """A step up (or down) the ladder, with its evidence; counted stages wait for a reviewer, then lock."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="moves"
    )
    from_stage = models.CharField(_("原阶段"), max_length=20, choices=DEFAULT_STAGES)
    to_stage = models.CharField(_("新阶段"), max_length=20, choices=DEFAULT_STAGES)
    date = models.DateField(_("发生日期"), validators=[past_date])
    note = models.TextField(_("说明"), blank=True)
    evidence = models.FileField(
        _("佐证材料"),
        upload_to=UploadTo("evidence/%Y/%m/"),
        blank=True,
        validators=[UploadValidator("evidence")],
    )
    evidence_note = models.CharField(_("佐证说明"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申报人"), on_delete=models.PROTECT, related_name="+"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    rejected_reason = models.CharField(_("退回原因"), max_length=200, blank=True)

    scope_path = "project__district"
    objects = ScopedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")
        ordering = ["-date", "-pk"]
        # The moves waiting for review: counted on every home page and review queue; a few among hundreds of
        # thousands at a province's scale (bench/province.py: the home page 806 → 213 ms with it).
        indexes = [
            models.Index(
                fields=["project"],
                condition=models.Q(verified_at__isnull=True, rejected_reason=""),
                name="stagemove_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.get_from_stage_display()} → {self.get_to_stage_display()}"

    @property
    def scoped_district_id(self) -> int | None:
        return self.project.district_id

    @property
    def pending(self) -> bool:
        return self.verified_at is None and not self.rejected_reason


class FundsEntry(TimeStamped):
    """到位资金: money actually in place, by date and where it comes from."""

    class Kind(models.TextChoices):
        FIXED = "fixed", _("固定资产投资")
        WORKING = "working", _("流动资金")

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="funds"
    )
    date = models.DateField(_("到位日期"), validators=[past_date])
    amount = models.DecimalField(_("金额(万元)"), max_digits=16, decimal_places=2, validators=[non_negative])
    origin = models.CharField(_("资金来源地"), max_length=20, choices=Origin.choices)
    kind = models.CharField(_("用途"), max_length=10, choices=Kind.choices, default=Kind.FIXED)
    evidence_note = models.CharField(_("凭证"), max_length=200, blank=True)

    scope_path = "project__district"
    objects = ScopedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("到位资金")
        verbose_name_plural = _("到位资金")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.project} {self.date} {self.amount}"

    @property
    def scoped_district_id(self) -> int | None:
        return self.project.district_id

    def clean(self) -> None:
        if self.amount is not None and self.amount <= 0:
            raise ValidationError({"amount": _("金额须大于 0。")})


FUNDS_ENTRY_FIELDS = ["project", "date", "amount", "origin", "kind", "evidence_note"]


class ProjectOutput(TimeStamped):
    """实际产值和税收 of a project in production, by year: what the contribution rate compares with the promise."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="outputs"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    output = models.DecimalField(
        _("实际产值(万元)"), max_digits=16, decimal_places=2, default=0, validators=[non_negative]
    )
    tax = models.DecimalField(
        _("实际税收(万元)"), max_digits=16, decimal_places=2, default=0, validators=[non_negative]
    )

    scope_path = "project__district"
    objects = ScopedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("实际产值税收")
        verbose_name_plural = _("实际产值税收")
        ordering = ["project", "-year"]
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="project_output_year")]

    def __str__(self) -> str:
        return f"{self.project} {self.year}"

    @property
    def scoped_district_id(self) -> int | None:
        return self.project.district_id


PROJECT_OUTPUT_FIELDS = ["project", "year", "output", "tax"]

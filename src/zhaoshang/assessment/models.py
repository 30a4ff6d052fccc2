"""Assessment: yearly targets, the city's scoring scheme, and monthly score snapshots (DOMAIN.md §9)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.audit import AuditedHistory
from zhaoshang.core.models import DistrictOwned, TimeStamped
from zhaoshang.core.scope import ScopedManager

TOP500_LISTS = [
    ("fortune_global", _("世界500强")),
    ("china_enterprise", _("中国企业500强")),
    ("china_private", _("中国民营企业500强")),
    ("china_manufacturing", _("中国制造业企业500强")),
    ("china_service", _("中国服务业企业500强")),
]
# "四类500强": which four count is the district's setting (DOMAIN.md §6); these unless it says otherwise.
DEFAULT_TOP500_LISTS = ["fortune_global", "china_enterprise", "china_private", "china_manufacturing"]


class Target(DistrictOwned):
    """A yearly target of the district, a chain team, a town or a park (counts, money, or a custom one)."""

    class Metric(models.TextChoices):
        SIGNED_COUNT = "signed_count", _("签约项目数")
        STARTED_COUNT = "started_count", _("开工项目数")
        TOP500_LANDED = "top500_landed", _("落地四类500强企业数")
        PROVINCIAL_MAJOR = "provincial_major", _("省重点项目数")
        MUNICIPAL_MAJOR = "municipal_major", _("市重点项目数")
        SIGNED_INVESTMENT = "signed_investment", _("签约总投资(万元)")
        FUNDS_IN_PLACE = "funds_in_place", _("到位资金(万元)")
        FUNDS_OUTSIDE_PROVINCE = "funds_outside_province", _("省外到位资金(万元)")
        CUSTOM = "custom", _("自定义")

    year = models.PositiveSmallIntegerField(_("年度"))
    metric = models.CharField(_("指标"), max_length=30, choices=Metric.choices)
    custom_name = models.CharField(_("自定义指标名称"), max_length=100, blank=True)
    value = models.DecimalField(_("目标值"), max_digits=16, decimal_places=2)
    team = models.ForeignKey(
        "core.Team", verbose_name=_("专班"), on_delete=models.CASCADE, null=True, blank=True
    )
    town = models.ForeignKey(
        "core.Town", verbose_name=_("镇办"), on_delete=models.CASCADE, null=True, blank=True
    )
    park = models.ForeignKey(
        "core.Park", verbose_name=_("园区"), on_delete=models.CASCADE, null=True, blank=True
    )
    custom_actual = models.DecimalField(
        _("自定义指标完成值"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("年度目标")
        ordering = ["district", "-year", "metric", "pk"]

    def __str__(self) -> str:
        label = self.custom_name if self.metric == self.Metric.CUSTOM else self.get_metric_display()
        owner = self.team or self.town or self.park or self.district
        return f"{self.year} {owner} {label}"

    def clean(self) -> None:
        owners = [o for o in (self.team, self.town, self.park) if o is not None]
        errors = {}
        if len(owners) > 1:
            errors["team"] = _("目标只能属于区县本身,或一个专班、镇办、园区之一。")
        for owner, name in ((self.team, "team"), (self.town, "town"), (self.park, "park")):
            if owner is not None and self.district_id and owner.district_id != self.district_id:
                errors[name] = _("须属于同一区县。")
        if self.metric == self.Metric.CUSTOM and not self.custom_name:
            errors["custom_name"] = _("自定义指标须有名称。")
        if self.value is not None and self.value < 0:
            errors["value"] = _("目标值不能为负。")
        if errors:
            raise ValidationError(errors)


# The fields people edit, declared once: the form's; the API and the files derive theirs (core.declarations).
TARGET_FIELDS = [
    "district",
    "year",
    "metric",
    "custom_name",
    "value",
    "team",
    "town",
    "park",
    "custom_actual",
    "note",
]


class ScoringScheme(TimeStamped):
    """The city's scoring scheme for a year: weights of the rates and target completions, deductions."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    weights = models.JSONField(_("权重"), default=dict)
    deductions = models.JSONField(_("扣分"), default=dict)
    note = models.TextField(_("说明"), blank=True)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("考核办法")
        verbose_name_plural = _("考核办法")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}"


class ScoreSnapshot(TimeStamped):
    """A month's scores as they were computed, so a ranking can be explained and re-derived later."""

    class Level(models.TextChoices):
        DISTRICT = "district", _("区县")
        TEAM = "team", _("专班")

    month = models.DateField(_("月份"))
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    district = models.ForeignKey("core.District", verbose_name=_("区县"), on_delete=models.CASCADE)
    team = models.ForeignKey(
        "core.Team", verbose_name=_("专班"), on_delete=models.CASCADE, null=True, blank=True
    )
    score = models.FloatField(_("得分"))
    rank = models.PositiveSmallIntegerField(_("排名"))
    terms = models.JSONField(_("得分构成"), default=dict)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("计算人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    scope_path = "district"
    objects = ScopedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("月度得分")
        verbose_name_plural = _("月度得分")
        ordering = ["-month", "level", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "level", "district", "team"], name="score_snapshot_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.team or self.district} {self.score:.1f}"

    @property
    def scoped_district_id(self) -> int | None:
        return self.district_id


class RecordFinding(DistrictOwned):
    """A record found false on inspection (弄虚作假): a claimed start, funds or output that was not true.

    Entered by whoever inspected (usually the city's supervision office); each finding deducts the scheme's
    points from the district and from the chain team of the project, in every month of the year from the
    month it was found (a later month's snapshot still carries it)."""

    class Kind(models.TextChoices):
        STAGE = "stage", _("项目进度")
        FUNDS = "funds", _("到位资金")
        OUTPUT = "output", _("产值税收")
        OTHER = "other", _("其他")

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="findings"
    )
    kind = models.CharField(_("不实内容"), max_length=10, choices=Kind.choices)
    found_on = models.DateField(_("查实日期"))
    found_by = models.CharField(_("核查单位"), max_length=100)
    description = models.TextField(_("查实情况"))

    history = AuditedHistory()

    class Meta:
        verbose_name = _("弄虚作假查实记录")
        verbose_name_plural = _("弄虚作假查实记录")
        ordering = ["-found_on", "pk"]

    def __str__(self) -> str:
        return f"{self.found_on} {self.project} {self.get_kind_display()}"

    def clean(self) -> None:
        if self.project_id and self.district_id and self.project.district_id != self.district_id:
            raise ValidationError({"project": _("须属于同一区县。")})


RECORD_FINDING_FIELDS = ["district", "project", "kind", "found_on", "found_by", "description"]


class MonthlySubmission(TimeStamped):
    """月报: one reporting unit's figures of one month, submitted upwards and verified (or returned) there.

    A district or functional zone submits its month to its city; the city submits the sum of its verified
    districts' submissions to the province. The figures are frozen as submitted: the roll-up above sums them,
    never the live data, and only once verified by someone other than the submitter."""

    class Level(models.TextChoices):
        DISTRICT = "district", _("区县/功能区")
        CITY = "city", _("市")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        VERIFIED = "verified", _("已审核")
        RETURNED = "returned", _("已退回")

    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    district = models.ForeignKey(
        "core.District",
        verbose_name=_("区县/功能区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
    )
    city = models.ForeignKey(
        "core.City", verbose_name=_("城市"), on_delete=models.PROTECT, related_name="submissions"
    )
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    figures = models.JSONField(_("报送数据"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报送人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("报送时间"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("月报")
        verbose_name_plural = _("月报")
        ordering = ["-month", "level", "city", "district"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "month"],
                condition=models.Q(level="district"),
                name="submission_district_month",
            ),
            models.UniqueConstraint(
                fields=["city", "month"], condition=models.Q(level="city"), name="submission_city_month"
            ),
            models.CheckConstraint(
                condition=models.Q(level="district", district__isnull=False)
                | models.Q(level="city", district__isnull=True),
                name="submission_level_unit",
            ),
        ]

    def __str__(self) -> str:
        unit = self.district if self.district_id else self.city
        return f"{unit} {self.month:%Y-%m}"

    @property
    def scoped_district_id(self) -> int | None:
        return self.district_id

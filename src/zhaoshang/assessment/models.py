"""Assessment: yearly targets, the city's scoring scheme, and monthly score snapshots (DOMAIN.md §9)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.audit import AuditedHistory
from zhaoshang.core.models import DistrictOwned, TimeStamped
from zhaoshang.core.scope import ScopedManager
from zhaoshang.core.validators import non_negative

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


class IndustrialOutputTotal(DistrictOwned):
    """全区规上工业总产值 (and 税收) of one year as the statistics office publishes it: the whole whose growth
    贡献率 shares out (DOMAIN.md §9: Δ part / Δ whole). Entered by the district or the city; without it for a
    year the rate is "—", never computed against the projects themselves."""

    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    output = models.DecimalField(
        _("规上工业总产值(万元)"), max_digits=18, decimal_places=2, validators=[non_negative]
    )
    tax = models.DecimalField(
        _("规上工业税收(万元)"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[non_negative],
        help_text=_("按税收计算贡献率的区县填写"),
    )
    source = models.CharField(_("数据来源"), max_length=200, blank=True, help_text=_("如:区统计局统计年报"))

    history = AuditedHistory()

    class Meta:
        verbose_name = _("全区规上工业总产值")
        verbose_name_plural = _("全区规上工业总产值")
        ordering = ["district", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["district", "year"], name="industrial_output_total_once_a_year")
        ]

    def __str__(self) -> str:
        # With its source: two figures of one year (a preliminary and a final report) read apart in the bin.
        return f"{self.district} {self.year}年" + (f"({self.source})" if self.source else "")


OUTPUT_TOTAL_FIELDS = ["district", "year", "output", "tax", "source"]


class ScoringScheme(TimeStamped):
    """A year's scoring scheme: weights of the rates and target completions, deductions. A city's (`city`) is
    the one its districts are scored by; the one without a city is the instance's — a province's default for
    its cities, or a city's instance's own scheme."""

    year = models.PositiveSmallIntegerField(_("年度"))
    city = models.ForeignKey(
        "core.City",
        verbose_name=_("城市"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("留空:全省默认办法(单个城市的实例即本市办法)"),
    )
    weights = models.JSONField(_("权重"), default=dict)
    deductions = models.JSONField(_("扣分"), default=dict)
    note = models.TextField(_("说明"), blank=True)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("考核办法")
        verbose_name_plural = _("考核办法")
        ordering = ["-year", "city"]
        constraints = [
            models.UniqueConstraint(fields=["year", "city"], name="scoring_scheme_year_city"),
            models.UniqueConstraint(
                fields=["year"], condition=models.Q(city__isnull=True), name="scoring_scheme_year_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.city}" if self.city_id else f"{self.year}"


class DueDay(TimeStamped):
    """The day of the following month by which the level below submits its month (月报): a city's for its
    districts and zones, a province's for its cities. Without one: the 5th for districts, the 10th for cities."""

    city = models.OneToOneField(
        "core.City", verbose_name=_("城市"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    province = models.OneToOneField(
        "core.Province",
        verbose_name=_("省"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    day = models.PositiveSmallIntegerField(
        _("截止日"),
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("次月几日前报送(1–28)"),
    )

    history = AuditedHistory()

    class Meta:
        verbose_name = _("月报截止日")
        verbose_name_plural = _("月报截止日")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(city__isnull=False, province__isnull=True)
                | models.Q(city__isnull=True, province__isnull=False),
                name="due_day_city_or_province",
            )
        ]

    def __str__(self) -> str:
        return f"{self.city or self.province}: {self.day}"


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


class FactsVersion(models.Model):
    """The version of a district's project facts (`assessment.facts`): a number that changes, in the same
    transaction, with every write to what those facts read. Kept by database triggers (migration
    ``0008_facts_version``), not by code: imports, COPY and ``.update()`` bypass services and signals alike."""

    district = models.OneToOneField(
        "core.District", on_delete=models.CASCADE, primary_key=True, related_name="facts_version"
    )
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.district_id}@{self.version}"

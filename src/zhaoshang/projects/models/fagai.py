"""The 发改 side of a major project: the yearly lists it is on and the investment completed month by month.

A county's major projects are also on the development-and-reform commission's books: the province's and the city's
yearly lists (省重大项目, 市重大项目, 省重点 …) with a planned investment for the year, and a monthly 完成投资 that the
project reports and the district checks. One project record carries both sides; its 项目代码 (the national
investment project online approval platform's code) ties it to the approval platform.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.audit import AuditedHistory
from zhaoshang.core.models import TimeStamped
from zhaoshang.core.scope import ScopedManager
from zhaoshang.core.validators import non_negative, past_date


class ListLevel(models.TextChoices):
    """The yearly lists a project can be on; officials' wordings map here with the year they carry."""

    PROVINCIAL_MAJOR = "provincial_major", _("省重大项目")
    PROVINCIAL_KEY = "provincial_key", _("省重点项目")
    PROVINCIAL_PROGRAMME = "provincial_programme", _("省重大工程")
    MUNICIPAL_MAJOR = "municipal_major", _("市重大项目")
    MUNICIPAL_KEY = "municipal_key", _("市重点项目")
    DISTRICT_KEY = "district_key", _("区县重点项目")


class YearClass(models.TextChoices):
    """How a list classes a project for its year."""

    NEW_START = "new_start", _("新开工")
    CONTINUING = "continuing", _("续建")
    COMPLETING = "completing", _("竣工")
    PREPARING = "preparing", _("准备")


class ProjectListing(TimeStamped):
    """A project on one year's list at one level, with the year's planned investment (年度计划投资)."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="listings"
    )
    # Bounds on the field, so that forms, the API and its schema all say what a year may be.
    year = models.PositiveSmallIntegerField(
        _("年度"),
        validators=[
            MinValueValidator(2000, message=_("年度不合理。")),
            MaxValueValidator(2100, message=_("年度不合理。")),
        ],
    )
    level = models.CharField(_("名单"), max_length=30, choices=ListLevel.choices)
    year_class = models.CharField(_("年度类别"), max_length=20, choices=YearClass.choices, blank=True)
    planned_investment = models.DecimalField(
        _("年度计划投资(万元)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[non_negative],
    )
    wording = models.CharField(
        _("原表写法"), max_length=100, blank=True, help_text=_("导入时表中的原文,如“省重大项目(2025年)”")
    )

    scope_path = "project__district"
    objects = ScopedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("重大项目名单")
        verbose_name_plural = _("重大项目名单")
        ordering = ["-year", "level", "project"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "level"], name="project_listing_year_level")
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.year} {self.get_level_display()}"

    @property
    def scoped_district_id(self) -> int | None:
        return self.project.district_id

    def clean(self) -> None:
        if self.year is not None and not 2000 <= self.year <= 2100:
            raise ValidationError({"year": _("年度不合理。")})


PROJECT_LISTING_FIELDS = ["project", "year", "level", "year_class", "planned_investment", "wording"]


class InvestmentCompletion(TimeStamped):
    """完成投资: the fixed-asset investment a project completed in one month, as reported and then checked.

    Like a stage move, the figure counts (投资完成率, dashboards, the dispatch report) only once someone other than
    its author has verified it."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="completions"
    )
    month = models.DateField(_("月份"), validators=[past_date], help_text=_("该月第一天"))
    amount = models.DecimalField(
        _("当月完成投资(万元)"), max_digits=16, decimal_places=2, validators=[non_negative]
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
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

    scope_path = "project__district"
    objects = ScopedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("月度完成投资")
        verbose_name_plural = _("月度完成投资")
        ordering = ["project", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="investment_completion_month")
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.month:%Y-%m}"

    @property
    def scoped_district_id(self) -> int | None:
        return self.project.district_id

    @property
    def verified(self) -> bool:
        return self.verified_at is not None

    def clean(self) -> None:
        if self.month is not None and self.month.day != 1:
            self.month = self.month.replace(day=1)


INVESTMENT_COMPLETION_FIELDS = ["project", "month", "amount", "note"]

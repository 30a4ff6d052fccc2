"""City → districts → towns/offices, parks, departments and teams."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.audit import AuditedHistory
from zhaoshang.core.models.base import DistrictOwned, TimeStamped
from zhaoshang.core.scope import ScopedManager
from zhaoshang.core.validators import (
    localised,
    non_negative,
    validate_adcode,
    validate_boundary,
    validate_six_digits,
)
from zhaoshang.standards import codes
from zhaoshang.standards.parsers import ParseError


class Province(TimeStamped):
    """省: the top of vertical reporting when one instance serves several cities (county → city → province)."""

    adcode = models.CharField(_("行政区划代码"), max_length=6, unique=True, validators=[validate_adcode])
    name = models.CharField(_("名称"), max_length=50)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("省")
        verbose_name_plural = _("省")
        ordering = ["adcode"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.adcode and not self.adcode.endswith("0000"):
            raise ValidationError({"adcode": _("省级代码以 0000 结尾。")})


class City(TimeStamped):
    province = models.ForeignKey(
        Province,
        verbose_name=_("省"),
        on_delete=models.PROTECT,
        related_name="cities",
        null=True,
        blank=True,
    )
    adcode = models.CharField(_("行政区划代码"), max_length=6, unique=True, validators=[validate_adcode])
    name = models.CharField(_("名称"), max_length=50)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("城市")
        verbose_name_plural = _("城市")
        ordering = ["adcode"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.province_id and self.adcode and not self.adcode.startswith(self.province.adcode[:2]):
            raise ValidationError({"adcode": _("城市代码须属于所选省。")})


class District(TimeStamped):
    """A reporting unit that owns data and competes for investors: a county or district (区县, GB/T 2260), or a
    functional zone (功能区: 高新区, 经开区 …) that a city's own tables list beside them."""

    class Kind(models.TextChoices):
        COUNTY = "county", _("区县")
        ZONE = "zone", _("功能区")

    city = models.ForeignKey(City, verbose_name=_("城市"), on_delete=models.PROTECT, related_name="districts")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.COUNTY)
    adcode = models.CharField(
        _("区划代码"),
        max_length=6,
        unique=True,
        validators=[validate_six_digits],
        help_text=_("区县用 GB/T 2260 行政区划代码;功能区用统计用区划代码(如高新区、经开区)"),
    )
    name = models.CharField(_("名称"), max_length=50)
    lng = models.FloatField(_("中心经度"), null=True, blank=True)
    lat = models.FloatField(_("中心纬度"), null=True, blank=True)
    # Every county runs its own variant of the play: thresholds, top-500 lists, stage names live here.
    settings = models.JSONField(_("本区县设置"), default=dict, blank=True)

    scope_path = "id"
    objects = ScopedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("区县")
        verbose_name_plural = _("区县")
        ordering = ["adcode"]

    def __str__(self) -> str:
        return self.name

    @property
    def scoped_district_id(self) -> int | None:
        return self.pk

    @property
    def is_zone(self) -> bool:
        return self.kind == self.Kind.ZONE

    def clean(self) -> None:
        if not (self.city_id and self.adcode):
            return
        try:
            if self.kind == self.Kind.ZONE:
                codes.validate_zone_code(self.adcode, self.city.adcode)
            else:
                codes.validate_adcode(self.adcode)
        except ParseError as error:
            raise ValidationError({"adcode": localised(error)}) from None
        if not self.adcode.startswith(self.city.adcode[:4]):
            raise ValidationError({"adcode": _("区县代码须属于所选城市。")})


# The fields people edit, declared once: the form's; the API and the files derive theirs (core.declarations).
DISTRICT_FIELDS = ["city", "kind", "adcode", "name", "lng", "lat"]


class Town(DistrictOwned):
    """镇办: a town (镇), township (乡) or sub-district office (街道)."""

    class Kind(models.TextChoices):
        SUBDISTRICT = "subdistrict", _("街道")
        TOWN = "town", _("镇")
        TOWNSHIP = "township", _("乡")

    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.TOWN)
    code = models.CharField(
        _("乡镇代码"), max_length=12, blank=True, help_text=_("统计用区划代码,9 或 12 位,可空")
    )

    history = AuditedHistory()

    class Meta:
        verbose_name = _("镇办")
        verbose_name_plural = _("镇办")
        ordering = ["district", "name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="town_unique_name")]

    def __str__(self) -> str:
        return self.name


TOWN_FIELDS = ["district", "name", "kind", "code"]


class Park(DistrictOwned):
    """园区: where projects land; only recognised chemical parks may take new chemical projects."""

    class Kind(models.TextChoices):
        ECONOMIC = "economic", _("经济开发区")
        HIGH_TECH = "hightech", _("高新技术产业开发区")
        CHEMICAL = "chemical", _("化工园区")
        INDUSTRIAL = "industrial", _("产业园区")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.INDUSTRIAL)
    town = models.ForeignKey(
        Town,
        verbose_name=_("所在镇办"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parks",
    )
    is_chemical_park = models.BooleanField(
        _("认定化工园区"),
        default=False,
        help_text=_("新建化工项目只能进入认定的化工园区(工信部联原〔2021〕220号)"),
    )
    chemical_park_list = models.CharField(_("认定名单及批次"), max_length=100, blank=True)
    area_mu = models.DecimalField(
        _("规划面积(亩)"), max_digits=14, decimal_places=4, null=True, blank=True, validators=[non_negative]
    )
    boundary = models.JSONField(
        _("边界"), null=True, blank=True, validators=[validate_boundary], help_text=_("GeoJSON 面,WGS84")
    )

    history = AuditedHistory()

    class Meta:
        verbose_name = _("园区")
        verbose_name_plural = _("园区")
        ordering = ["district", "name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="park_unique_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.town_id and self.district_id and self.town.district_id != self.district_id:
            raise ValidationError({"town": _("镇办须属于同一区县。")})
        if self.chemical_park_list and not self.is_chemical_park:
            raise ValidationError({"chemical_park_list": _("只有认定化工园区才填写认定名单。")})


PARK_FIELDS = [
    "district",
    "name",
    "kind",
    "town",
    "is_chemical_park",
    "chemical_park_list",
    "area_mu",
    "boundary",
]


class Department(DistrictOwned):
    """部门: handles approval steps and blockers (自然资源, 生态环境, 住建, 行政审批...)."""

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["district", "name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="department_unique_name")]

    def __str__(self) -> str:
        return self.short_name or self.name


DEPARTMENT_FIELDS = ["district", "name", "short_name", "contact", "phone"]


class Team(DistrictOwned):
    """A working team: a chain team (the "五个一" mechanism), a town or park team; chains attach to it."""

    class Kind(models.TextChoices):
        CHAIN = "chain", _("链条专班")
        TOWN = "town", _("镇办专班")
        PARK = "park", _("园区专班")
        OTHER = "other", _("其他专班")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.CHAIN)
    lead_department = models.ForeignKey(
        Department, verbose_name=_("牵头部门"), on_delete=models.PROTECT, null=True, blank=True
    )
    research_institution = models.CharField(_("头部研究机构"), max_length=100, blank=True)
    members = models.ManyToManyField(
        "auth.User", through="TeamMembership", verbose_name=_("成员"), related_name="teams", blank=True
    )

    history = AuditedHistory()

    class Meta:
        verbose_name = _("专班")
        verbose_name_plural = _("专班")
        ordering = ["district", "name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.lead_department_id
            and self.district_id
            and self.lead_department.district_id != self.district_id
        ):
            raise ValidationError({"lead_department": _("牵头部门须属于同一区县。")})


TEAM_FIELDS = ["district", "name", "kind", "lead_department", "research_institution"]


class TeamMembership(TimeStamped):
    class Position(models.TextChoices):
        CHIEF = "chief", _("链长")
        DEPUTY = "deputy", _("副链长")
        MEMBER = "member", _("成员")

    team = models.ForeignKey(
        Team, verbose_name=_("专班"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        "auth.User", verbose_name=_("用户"), on_delete=models.CASCADE, related_name="team_memberships"
    )
    position = models.CharField(_("职务"), max_length=20, choices=Position.choices, default=Position.MEMBER)

    scope_path = "team__district"
    objects = ScopedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("专班成员")
        verbose_name_plural = _("专班成员")
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.team} · {self.user}"

    @property
    def scoped_district_id(self) -> int | None:
        return self.team.district_id

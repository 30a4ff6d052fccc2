"""The demand side of the factor guarantee map: what projects need (demands), and the reservations that hold
a site, or a unit of it, for a project or a demand. Imported into ``zhaoshang.sites.models``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoshang.analytics.matching.model import Demand as EngineDemand
from zhaoshang.analytics.matching.model import MatchError
from zhaoshang.core.audit import AuditedHistory
from zhaoshang.core.models import DistrictOwned, TimeStamped
from zhaoshang.core.scope import ScopedManager
from zhaoshang.core.validators import localised, non_negative, plausible_date
from zhaoshang.sites.models.sites import Kind, Site, SiteUnit


class Demand(DistrictOwned):
    """What a project (or an investor without a project record yet) needs: matched against the sites."""

    class LeaseOrBuy(models.TextChoices):
        EITHER = "either", _("租购均可")
        LEASE = "lease", _("租赁")
        BUY = "buy", _("购买/受让")

    class Status(models.TextChoices):
        OPEN = "open", _("待匹配")
        MATCHED = "matched", _("已落实场地")
        CLOSED = "closed", _("已关闭")

    name = models.CharField(_("需求名称"), max_length=200)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("所属项目"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="site_demands",
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    kind = models.CharField(_("资源类型"), max_length=20, choices=Kind.choices, default=Kind.PARCEL)
    min_area = models.DecimalField(
        _("面积下限"),
        max_digits=12,
        decimal_places=2,
        help_text=_("地块为亩,厂房和院落为 m²"),
        validators=[non_negative],
    )
    max_area = models.DecimalField(_("面积上限"), max_digits=12, decimal_places=2, validators=[non_negative])
    land_use = models.JSONField(
        _("可接受用地性质"), default=list, blank=True, help_text=_("如 M2、M3;写 M 表示任一工业用地")
    )
    chemical = models.BooleanField(_("化工项目"), default=False, help_text=_("只能进入认定化工园区"))
    power_kva = models.FloatField(_("用电需求(kVA)"), default=0, validators=[non_negative])
    water_tpd = models.FloatField(_("用水需求(吨/日)"), default=0, validators=[non_negative])
    steam_tph = models.FloatField(_("蒸汽需求(吨/时)"), default=0, validators=[non_negative])
    gas = models.BooleanField(_("需要天然气"), default=False)
    emission_quota = models.FloatField(_("排放指标需求(吨/年)"), default=0, validators=[non_negative])
    clear_height_m = models.FloatField(_("净高要求(m)"), default=0, validators=[non_negative])
    floor_load_kn = models.FloatField(_("荷载要求(kN/m²)"), default=0, validators=[non_negative])
    crane_t = models.FloatField(_("行车要求(吨)"), default=0, validators=[non_negative])
    max_price = models.DecimalField(
        _("价格上限"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("地块为万元/亩,厂房和院落为元/m²/月"),
        validators=[non_negative],
    )
    lease_or_buy = models.CharField(
        _("租或买"), max_length=10, choices=LeaseOrBuy.choices, default=LeaseOrBuy.EITHER
    )
    preferred_park = models.ForeignKey(
        "core.Park", verbose_name=_("意向园区"), on_delete=models.SET_NULL, null=True, blank=True
    )
    lng = models.FloatField(_("意向位置经度"), null=True, blank=True)
    lat = models.FloatField(_("意向位置纬度"), null=True, blank=True)
    max_distance_km = models.FloatField(_("最远距离(km)"), null=True, blank=True, validators=[non_negative])
    ready_by = models.DateField(_("需要场地日期"), null=True, blank=True, validators=[plausible_date])
    weights = models.JSONField(
        _("评分权重"), default=dict, blank=True, help_text=_('如 {"area": 30, "price": 25};空则用默认权重')
    )
    notes = models.TextField(_("备注"), blank=True)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("用地需求")
        verbose_name_plural = _("用地需求")
        ordering = ["-updated", "-id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        for name in ("project", "preferred_park"):
            related = getattr(self, name, None)
            if related is not None and self.district_id and related.district_id != self.district_id:
                errors[name] = _("须属于同一区县。")
        if (self.lng is None) != (self.lat is None):
            errors["lat"] = _("意向位置须同时填写经度和纬度。")
        if errors:
            raise ValidationError(errors)
        if self.min_area is not None and self.max_area is not None:
            try:
                demand_to_engine(self)
            except MatchError as error:
                field = error.field if error.field in {f.name for f in self._meta.fields} else "__all__"
                raise ValidationError({field: localised(error)}) from None


# The fields people edit, declared once: the form's; the API and the files derive theirs (core.declarations).
DEMAND_FIELDS = [
    "district",
    "name",
    "project",
    "status",
    "kind",
    "min_area",
    "max_area",
    "land_use",
    "chemical",
    "power_kva",
    "water_tpd",
    "steam_tph",
    "gas",
    "emission_quota",
    "clear_height_m",
    "floor_load_kn",
    "crane_t",
    "max_price",
    "lease_or_buy",
    "preferred_park",
    "lng",
    "lat",
    "max_distance_km",
    "ready_by",
    "weights",
    "notes",
]


class SiteReservation(TimeStamped):
    """A site held for a project or demand; released by hand or when the project is terminated."""

    site = models.ForeignKey(
        Site, verbose_name=_("资源"), on_delete=models.CASCADE, related_name="reservations"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="site_reservations",
    )
    demand = models.ForeignKey(
        Demand,
        verbose_name=_("需求"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reservations",
    )
    # A unit of a divided building; empty = the whole site. A unit is not deleted while it is held (the
    # service refuses); its past reservations go with it, into the history.
    unit = models.ForeignKey(
        SiteUnit,
        verbose_name=_("单元"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reservations",
    )
    reserved_at = models.DateTimeField(_("预留时间"), default=timezone.now)
    released_at = models.DateTimeField(_("释放时间"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    release_reason = models.CharField(_("释放原因"), max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    scope_path = "site__district"
    objects = ScopedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("场地预留")
        verbose_name_plural = _("场地预留")
        ordering = ["-reserved_at", "-id"]
        indexes = [models.Index(fields=["site", "released_at"])]

    def __str__(self) -> str:
        holder = self.project or self.demand or "—"
        where = f"{self.site.code} · {self.unit.name}" if self.unit_id else self.site.code
        return f"{where} → {holder}"

    @property
    def scoped_district_id(self) -> int | None:
        return self.site.district_id if self.site_id else None

    @property
    def active(self) -> bool:
        return self.released_at is None

    def clean(self) -> None:
        errors = {}
        district_id = self.site.district_id if self.site_id else None
        for name in ("project", "demand"):
            related = getattr(self, name, None)
            if related is not None and district_id and related.district_id != district_id:
                errors[name] = _("须属于同一区县。")
        if self.unit_id and self.unit.site_id != self.site_id:
            errors["unit"] = _("单元不属于该资源。")
        if self.released_at and self.reserved_at and self.released_at < self.reserved_at:
            errors["released_at"] = _("释放时间不能早于预留时间。")
        if errors:
            raise ValidationError(errors)


SITE_RESERVATION_FIELDS = ["site", "unit", "project", "demand", "note", "release_reason"]


def _decimal_float(value: Any) -> float | None:
    return None if value is None else float(value)


def demand_to_engine(demand: Demand) -> EngineDemand:
    """The demand as the engine's Demand (id = the primary key as text, "new" before saving)."""
    location = (demand.lng, demand.lat) if demand.lng is not None and demand.lat is not None else None
    return EngineDemand(
        id=str(demand.pk or "new"),
        kind=demand.kind,
        min_area=float(demand.min_area),
        max_area=float(demand.max_area),
        land_use=tuple(demand.land_use or ()),
        chemical=demand.chemical,
        power_kva=demand.power_kva or 0.0,
        water_tpd=demand.water_tpd or 0.0,
        steam_tph=demand.steam_tph or 0.0,
        gas=demand.gas,
        emission_quota=demand.emission_quota or 0.0,
        clear_height_m=demand.clear_height_m or 0.0,
        floor_load_kn=demand.floor_load_kn or 0.0,
        crane_t=demand.crane_t or 0.0,
        max_price=_decimal_float(demand.max_price),
        lease_or_buy=demand.lease_or_buy,
        preferred_park=(demand.preferred_park.name,) if demand.preferred_park_id else (),
        location=location,
        max_distance_km=demand.max_distance_km,
        ready_by=demand.ready_by,
        weights=dict(demand.weights or {}),
    )

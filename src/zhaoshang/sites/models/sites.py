"""The factor guarantee map's records (DOMAIN.md §7): sites, their units, reservations, and project demands.

A site is a land parcel (亩), a building or standard factory (m², possibly split into units) or an idle
courtyard (m² of land and of buildings). Its geometry is GeoJSON in WGS84 (a point or a polygon) with the CRS
the coordinates came in; ``lng``/``lat`` (the point, or the polygon's representative point) and ``area_m2``
(the area demands are matched on) are kept beside it so that maps, filters and queries need no geometry work.

Sites and their units are here; demands and reservations in ``demands.py``; the package exports both, so that
every model is still ``from zhaoshang.sites.models import X``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.audit import AuditedHistory
from zhaoshang.core.models import DistrictOwned, TimeStamped
from zhaoshang.core.scope import ScopedManager
from zhaoshang.core.validators import localised, non_negative, past_date, plausible_date
from zhaoshang.geo.crs import M2_PER_MU
from zhaoshang.sites.geometry import (
    SiteGeometryError,
    geometry_bounds,
    geometry_check,
    geometry_point,
    geometry_simplified,
)

LAND_USES = [
    ("M1", _("M1 一类工业用地")),
    ("M2", _("M2 二类工业用地")),
    ("M3", _("M3 三类工业用地")),
    ("W1", _("W1 一类物流仓储用地")),
    ("W2", _("W2 二类物流仓储用地")),
    ("W3", _("W3 三类物流仓储用地")),
    ("B1", _("B1 商业用地")),
    ("B2", _("B2 商务用地")),
    ("B9", _("B9 其他服务设施用地")),
    ("A", _("A 公共管理与公共服务用地")),
    ("R", _("R 居住用地")),
    ("E", _("E 非建设用地")),
]


class Kind(models.TextChoices):
    PARCEL = "parcel", _("地块")
    BUILDING = "building", _("厂房/楼宇")
    COURTYARD = "courtyard", _("闲置院落")


class Tenure(models.TextChoices):
    LEASE = "lease", _("出租")
    SALE = "sale", _("出售/出让")
    BOTH = "both", _("租售均可")


class Site(DistrictOwned):
    class Availability(models.TextChoices):
        AVAILABLE = "available", _("可用")
        RESERVED = "reserved", _("已预留")
        OCCUPIED = "occupied", _("已占用")
        UNAVAILABLE = "unavailable", _("暂不可用")

    class IdleReason(models.TextChoices):
        IDLE = "idle", _("闲置")
        INEFFICIENT = "inefficient", _("低效")
        NEW = "new", _("新增储备")

    class FireClass(models.TextChoices):
        A = "A", _("甲类")
        B = "B", _("乙类")
        C = "C", _("丙类")
        D = "D", _("丁类")
        E = "E", _("戊类")

    # identity
    code = models.CharField(_("编号"), max_length=50)
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.PARCEL)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    adcode = models.CharField(_("所在区划代码"), max_length=12, blank=True)
    town = models.ForeignKey(
        "core.Town", verbose_name=_("所在镇办"), on_delete=models.PROTECT, null=True, blank=True
    )
    park = models.ForeignKey(
        "core.Park",
        verbose_name=_("所在园区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("认定化工园区以园区的认定标志为准"),
    )
    owner = models.CharField(_("权利人"), max_length=200, blank=True)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    geometry = models.JSONField(_("位置/范围"), null=True, blank=True, help_text=_("GeoJSON 点或面,WGS84"))
    lng = models.FloatField(_("经度"), null=True, blank=True, help_text=_("WGS84;面取其内部代表点"))
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    source_crs = models.CharField(
        _("原始坐标系"), max_length=20, default="wgs84", help_text=_("导入时坐标所用的坐标系,如 epsg:4527")
    )
    # A polygon's extent (WGS84; empty for a point): the map asks for the polygons in view by it.
    bbox_west = models.FloatField(_("范围西界(经度)"), null=True, blank=True, editable=False)
    bbox_south = models.FloatField(_("范围南界(纬度)"), null=True, blank=True, editable=False)
    bbox_east = models.FloatField(_("范围东界(经度)"), null=True, blank=True, editable=False)
    bbox_north = models.FloatField(_("范围北界(纬度)"), null=True, blank=True, editable=False)
    # A polygon of more than SITE_DISPLAY_VERTICES vertices, simplified for pages and the map (empty otherwise:
    # they draw the geometry itself); the geometry stays whole for exports, areas and matching.
    display_geometry = models.JSONField(_("显示用范围"), null=True, blank=True, editable=False)
    # size
    area_mu = models.DecimalField(
        _("土地面积(亩)"), max_digits=12, decimal_places=4, null=True, blank=True, validators=[non_negative]
    )
    land_area_m2 = models.DecimalField(
        _("院落占地(m²)"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[non_negative]
    )
    floor_area_m2 = models.DecimalField(
        _("建筑面积(m²)"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[non_negative]
    )
    net_area_mu = models.DecimalField(
        _("净用地面积(亩)"), max_digits=12, decimal_places=4, null=True, blank=True, validators=[non_negative]
    )
    area_m2 = models.FloatField(_("匹配面积(m²)"), null=True, blank=True, editable=False)
    floors = models.PositiveSmallIntegerField(_("层数"), null=True, blank=True)
    divisible = models.BooleanField(_("可分割"), default=False, help_text=_("厂房可按需分割出租"))
    units_total = models.PositiveSmallIntegerField(_("可分割单元数"), null=True, blank=True)
    available_area_m2 = models.FloatField(
        _("可用面积(m²)"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("分割为单元的厂房:可用单元的面积之和,随单元状态更新"),
        validators=[non_negative],
    )
    # status
    availability = models.CharField(
        _("可用状态"), max_length=20, choices=Availability.choices, default=Availability.AVAILABLE
    )
    idle_since = models.DateField(_("闲置起始"), null=True, blank=True, validators=[past_date])
    idle_reason = models.CharField(_("闲置原因"), max_length=20, choices=IdleReason.choices, blank=True)
    available_from = models.DateField(_("可用日期"), null=True, blank=True, validators=[plausible_date])
    net_land = models.BooleanField(_("净地"), default=False)
    tenure = models.CharField(_("供应方式"), max_length=10, choices=Tenure.choices, default=Tenure.BOTH)
    # planning
    land_use = models.CharField(_("用地性质"), max_length=10, choices=LAND_USES, blank=True)
    plot_ratio = models.FloatField(_("容积率"), null=True, blank=True, validators=[non_negative])
    building_density = models.FloatField(_("建筑密度(%)"), null=True, blank=True, validators=[non_negative])
    green_ratio = models.FloatField(_("绿地率(%)"), null=True, blank=True, validators=[non_negative])
    # 标准地
    investment_intensity = models.DecimalField(
        _("投资强度(万元/亩)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[non_negative],
    )
    tax_per_mu = models.DecimalField(
        _("亩均税收(万元/亩)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[non_negative],
    )
    energy_cap = models.FloatField(_("能耗上限(吨标煤/年)"), null=True, blank=True, validators=[non_negative])
    emission_cap = models.FloatField(_("排放上限(吨/年)"), null=True, blank=True, validators=[non_negative])
    regional_assessment = models.BooleanField(_("已完成区域评估"), default=False)
    # utilities
    power_kva = models.FloatField(_("电力余量(kVA)"), null=True, blank=True, validators=[non_negative])
    voltage_kv = models.FloatField(_("供电电压(kV)"), null=True, blank=True, validators=[non_negative])
    water_tpd = models.FloatField(_("供水余量(吨/日)"), null=True, blank=True, validators=[non_negative])
    sewage_tpd = models.FloatField(_("污水处理余量(吨/日)"), null=True, blank=True, validators=[non_negative])
    gas = models.BooleanField(_("天然气"), default=False)
    steam_tph = models.FloatField(_("蒸汽余量(吨/时)"), null=True, blank=True, validators=[non_negative])
    # environment
    emission_quota = models.FloatField(
        _("可用排放指标(吨/年)"), null=True, blank=True, validators=[non_negative]
    )
    flood_zone = models.BooleanField(_("位于洪涝风险区"), default=False)
    # building
    clear_height_m = models.FloatField(_("净高(m)"), null=True, blank=True, validators=[non_negative])
    floor_load_kn = models.FloatField(_("地面荷载(kN/m²)"), null=True, blank=True, validators=[non_negative])
    crane_t = models.FloatField(_("行车(吨)"), null=True, blank=True, validators=[non_negative])
    column_grid = models.CharField(_("柱网"), max_length=30, blank=True)
    dock_doors = models.PositiveSmallIntegerField(_("装卸门"), null=True, blank=True)
    fire_class = models.CharField(_("火灾危险性类别"), max_length=1, choices=FireClass.choices, blank=True)
    # logistics
    highway_km = models.FloatField(_("距高速口(km)"), null=True, blank=True, validators=[non_negative])
    rail_km = models.FloatField(_("距铁路货站(km)"), null=True, blank=True, validators=[non_negative])
    port_km = models.FloatField(_("距港口(km)"), null=True, blank=True, validators=[non_negative])
    airport_km = models.FloatField(_("距机场(km)"), null=True, blank=True, validators=[non_negative])
    # price
    land_price = models.DecimalField(
        _("土地价格(万元/亩)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[non_negative],
    )
    rent = models.DecimalField(
        _("租金(元/m²/月)"), max_digits=10, decimal_places=2, null=True, blank=True, validators=[non_negative]
    )
    sale_price = models.DecimalField(
        _("售价(元/m²)"), max_digits=10, decimal_places=2, null=True, blank=True, validators=[non_negative]
    )
    # governance
    data_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("数据责任人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    data_owner_name = models.CharField(
        _("数据责任单位/人"), max_length=100, blank=True, help_text=_("没有系统账号时填写姓名或单位")
    )
    verified_on = models.DateField(_("最近核实日期"), null=True, blank=True, validators=[past_date])
    evidence = models.JSONField(
        _("佐证材料"), default=list, blank=True, help_text=_("核实依据:文件编号、档案号或链接,可多条")
    )
    notes = models.TextField(_("备注"), blank=True)

    history = AuditedHistory()

    class Meta:
        verbose_name = _("闲置资源")
        verbose_name_plural = _("闲置资源")
        ordering = ["-updated", "-id"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="site_unique_code")]
        indexes = [
            models.Index(fields=["district", "kind", "availability"]),
            models.Index(fields=["district", "verified_on"]),
            models.Index(fields=["bbox_west", "bbox_south"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def chemical_park(self) -> bool:
        """Inside a recognised chemical park: the park's recognition decides (DOMAIN §7)."""
        return bool(self.park is not None and self.park.is_chemical_park)

    @property
    def price(self) -> Any:
        """The price matched on: land price (万元/亩) for parcels, rent (元/m²/月) otherwise."""
        return self.land_price if self.kind == Kind.PARCEL else self.rent

    @property
    def data_owner_display(self) -> str:
        if self.data_owner is not None:
            return self.data_owner.get_full_name() or self.data_owner.get_username()
        return self.data_owner_name

    @property
    def area_display(self) -> str:
        if self.kind == Kind.PARCEL:
            return f"{_number(self.area_mu)} 亩"
        if self.kind == Kind.BUILDING:
            return f"{_number(self.floor_area_m2)} m²"
        land = self.land_area_m2 if self.land_area_m2 is not None else _mu_to_m2(self.area_mu)
        return f"{_number(land)} m²" + (f" / {_number(self.floor_area_m2)} m²" if self.floor_area_m2 else "")

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        from_point = self.geometry in (None, "", {}) or (
            isinstance(self.geometry, dict) and self.geometry.get("type") == "Point" and self.lng is not None
        )
        try:
            self.geometry_sync()
        except SiteGeometryError as error:
            errors["lng" if from_point and self.lng is not None else "geometry"] = localised(error)
        for name in ("town", "park"):
            related = getattr(self, name, None)
            if related is not None and self.district_id and related.district_id != self.district_id:
                errors[name] = _("须属于同一区县。")
        if self.kind == Kind.PARCEL and self.area_mu is None and not errors:
            errors["area_mu"] = _("地块须填写土地面积(亩),或提供地块范围(面)。")
        if self.kind == Kind.BUILDING and self.floor_area_m2 is None:
            errors["floor_area_m2"] = _("厂房/楼宇须填写建筑面积。")
        if self.kind == Kind.COURTYARD and self.land_area_m2 is None and self.area_mu is None:
            errors["land_area_m2"] = _("院落须填写占地面积。")
        if errors:
            raise ValidationError(errors)
        self.area_m2 = site_area_m2(self)

    def geometry_sync(self) -> None:
        """Keep geometry and lng/lat in step: a polygon decides the point; a point follows edited lng/lat."""
        geometry = self.geometry
        if geometry in (None, "", {}):
            if self.lng is None or self.lat is None:
                raise SiteGeometryError("请填写经纬度或位置/范围。", "Give lng/lat or a location geometry.")
            geometry = {"type": "Point", "coordinates": [self.lng, self.lat]}
        geometry = geometry_check(geometry, max_vertices=settings.SITE_MAX_VERTICES)
        if geometry["type"] == "Point" and self.lng is not None and self.lat is not None:
            geometry = geometry_check({"type": "Point", "coordinates": [self.lng, self.lat]})
        self.geometry = geometry
        self.lng, self.lat = geometry_point(self.geometry)
        self.bounds_sync()
        if self.kind == Kind.PARCEL and self.area_mu is None and self.geometry["type"] != "Point":
            from zhaoshang.geo.coords import geometry_area  # deferred: pyproj loads only to measure a parcel

            self.area_mu = Decimal(str(round(geometry_area(self.geometry).mu, 4)))

    def bounds_sync(self) -> None:
        """What maps read instead of the geometry: the polygon's extent and, for a polygon of many vertices, its
        simplified copy (both empty for a point); bulk writers call it themselves."""
        bounds = geometry_bounds(self.geometry) if self.geometry else None
        self.bbox_west, self.bbox_south, self.bbox_east, self.bbox_north = bounds or (None,) * 4
        self.display_geometry = (
            geometry_simplified(self.geometry, settings.SITE_DISPLAY_VERTICES) if self.geometry else None
        )


# The fields people edit, declared once: the form's; the API and the files derive theirs (core.declarations).
SITE_FIELDS = [
    "district",
    "code",
    "name",
    "kind",
    "availability",
    "town",
    "park",
    "address",
    "adcode",
    "lng",
    "lat",
    "geometry",
    "area_mu",
    "land_area_m2",
    "floor_area_m2",
    "net_area_mu",
    "floors",
    "divisible",
    "units_total",
    "idle_since",
    "idle_reason",
    "available_from",
    "net_land",
    "tenure",
    "land_use",
    "plot_ratio",
    "building_density",
    "green_ratio",
    "investment_intensity",
    "tax_per_mu",
    "energy_cap",
    "emission_cap",
    "regional_assessment",
    "power_kva",
    "voltage_kv",
    "water_tpd",
    "sewage_tpd",
    "gas",
    "steam_tph",
    "emission_quota",
    "flood_zone",
    "clear_height_m",
    "floor_load_kn",
    "crane_t",
    "column_grid",
    "dock_doors",
    "fire_class",
    "highway_km",
    "rail_km",
    "port_km",
    "airport_km",
    "land_price",
    "rent",
    "sale_price",
    "owner",
    "contact",
    "phone",
    "data_owner",
    "data_owner_name",
    "verified_on",
    "evidence",
    "notes",
]


def _mu_to_m2(value: Any) -> float | None:
    return None if value is None else float(value) * M2_PER_MU


def _number(value: Any) -> str:
    if value is None:
        return "—"
    number = float(value)
    return f"{number:,.2f}".rstrip("0").rstrip(".")


def site_area_m2(site: Any) -> float | None:
    """The matched area in m²: land for parcels and courtyards, floor area for buildings (as the engine)."""
    if site.kind == Kind.BUILDING:
        return None if site.floor_area_m2 is None else float(site.floor_area_m2)
    if site.kind == Kind.COURTYARD and site.land_area_m2 is not None:
        return float(site.land_area_m2)
    return _mu_to_m2(site.area_mu)


class SiteUnit(TimeStamped):
    """A unit of a divisible building (a bay, a floor): what is let separately."""

    site = models.ForeignKey(Site, verbose_name=_("所属资源"), on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("单元"), max_length=50)
    floor = models.SmallIntegerField(_("楼层"), null=True, blank=True)
    area_m2 = models.DecimalField(_("面积(m²)"), max_digits=12, decimal_places=2)
    availability = models.CharField(
        _("可用状态"),
        max_length=20,
        choices=Site.Availability.choices,
        default=Site.Availability.AVAILABLE,
    )
    notes = models.CharField(_("备注"), max_length=200, blank=True)

    scope_path = "site__district"
    objects = ScopedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("厂房单元")
        verbose_name_plural = _("厂房单元")
        ordering = ["-updated", "-id"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="site_unit_unique_name")]

    def __str__(self) -> str:
        return f"{self.site.code} · {self.name}"

    @property
    def scoped_district_id(self) -> int | None:
        return self.site.district_id if self.site_id else None

    def clean(self) -> None:
        if self.site_id and self.site.kind != Kind.BUILDING:
            raise ValidationError({"site": _("只有厂房/楼宇可以分割为单元。")})
        # The reservations of the site as it is now in the database (self.site may be the new choice).
        active = self._meta.get_field("reservations").related_model.objects.filter(
            site_id=self.site_id, released_at=None
        )
        if self.site_id and self._state.adding and active.filter(unit=None).exists():
            raise ValidationError({"site": _("该厂房已整体预留,请先释放预留再分割单元。")})
        if self.pk and not self._state.adding:
            before = SiteUnit.objects.filter(pk=self.pk).values_list("site_id", flat=True).first()
            if before is not None and before != self.site_id and self.reservations.exists():
                raise ValidationError({"site": _("有预留记录的单元不能移到其他资源下。")})
            if self.availability == Site.Availability.AVAILABLE and active.filter(unit=self).exists():
                raise ValidationError({"availability": _("该单元仍有预留,请用“释放”结束预留。")})


SITE_UNIT_FIELDS = ["site", "name", "floor", "area_m2", "availability", "notes"]

"""Sites in the spreadsheets offices keep: Chinese headers, areas with units, coordinates with their CRS.

The 坐标系 column names the system the row's 经度/纬度 (or X/Y) and 范围(GeoJSON) are written in; they are
converted to WGS84 on import and the system is kept as 原始坐标系. Exports write WGS84 (坐标系 = wgs84) and the
original system beside it, so an export imports back unchanged.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import widgets
from import_export.fields import Field

from zhaoshang.analytics.matching.model import NEED_FIELDS
from zhaoshang.core.declarations import file_fields
from zhaoshang.core.importing import ScopedResource
from zhaoshang.core.models import Park, Town
from zhaoshang.core.resources import district_field, district_name_field, named_field, parent_district_field
from zhaoshang.core.validators import localised
from zhaoshang.core.widgets import (
    AreaMuWidget,
    ChoiceWidget,
    DateWidget,
    ListWidget,
    LookupWidget,
    MoneyWidget,
    ParsedWidget,
    YesNoWidget,
)
from zhaoshang.geo.crs import CoordError, parse_crs
from zhaoshang.sites.geometry import geometry_to_wgs84, geometry_vertices
from zhaoshang.sites.models import LAND_USES, Demand, Kind, Site, SiteUnit, Tenure
from zhaoshang.sites.models.demands import DEMAND_FIELDS
from zhaoshang.sites.models.sites import SITE_FIELDS, SITE_UNIT_FIELDS
from zhaoshang.sites.services import buildings_follow_units
from zhaoshang.standards import parsers

CRS_COLUMN = "坐标系"
GEOMETRY_COLUMN = "范围(GeoJSON)"


class AreaM2Widget(ParsedWidget):
    """Area cells in m², 亩 or 公顷 (a bare number is m²); stored in m²."""

    parser = staticmethod(
        lambda value: parsers.parse_area(value, default_unit="m2").m2.quantize(Decimal("0.01"))
    )


class NumberWidget(ParsedWidget):
    """A plain number (1,234.5; 全角 digits) as float; ≥ 0 is checked by the model where it matters."""

    parser = staticmethod(lambda value: float(parsers.parse_decimal(value)))

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        return "" if value is None else value


class DecimalNumberWidget(ParsedWidget):
    parser = staticmethod(parsers.parse_decimal)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        return "" if value is None else value


class GeometryWidget(widgets.Widget):
    """GeoJSON text (or an already parsed mapping, from GeoJSON/Shapefile imports) in the row's CRS."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, dict):
            return value
        try:
            data = json.loads(str(value))
        except json.JSONDecodeError:
            raise ValueError(_("不是有效的 GeoJSON")) from None
        if not isinstance(data, dict):
            raise ValueError(_("不是有效的 GeoJSON"))
        return data

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if not value else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class CrsWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        if value is None or not str(value).strip():
            return "wgs84"
        try:
            return parse_crs(str(value)).key
        except CoordError as error:
            raise ValueError(localised(error)) from None

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value or "wgs84"


class UserNameWidget(widgets.ForeignKeyWidget):
    """A data owner by user name; unknown names are an error (write free text in 数据责任单位/人)."""

    def __init__(self) -> None:
        super().__init__(get_user_model(), "username")

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if value is None or not str(value).strip():
            return None
        try:
            return self.model.objects.get(username=str(value).strip())
        except self.model.DoesNotExist:
            raise ValueError(_("找不到用户“%(name)s”") % {"name": value}) from None


def _f(attribute: str, column: str, widget: Any = None, **kwargs: Any) -> Field:
    return Field(attribute=attribute, column_name=column, widget=widget, **kwargs)


class _BuildingsFollowUnits(ScopedResource):
    """After an import, the divided buildings it touched follow their units (``services``), audited as the
    import: a spreadsheet of units lets a building the way the unit pages do."""

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        super().before_import(dataset, **kwargs)
        self.touched_sites: set[int] = set()

    def touched_site(self, instance: Any) -> int | None:
        raise NotImplementedError

    def after_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        super().after_save_instance(instance, row, **kwargs)
        site_id = self.touched_site(instance)
        if site_id is not None:
            self.touched_sites.add(site_id)

    def after_import(self, dataset: Any, result: Any, **kwargs: Any) -> None:
        super().after_import(dataset, result, **kwargs)
        divided = SiteUnit.objects.filter(site_id__in=getattr(self, "touched_sites", ())).values_list(
            "site_id", flat=True
        )
        site_ids = set(divided)
        if site_ids and not result.has_errors() and not result.has_validation_errors():
            buildings_follow_units(site_ids=site_ids, user=self.user)


class SiteResource(_BuildingsFollowUnits):
    district = district_field()
    district_name = district_name_field()
    code = _f("code", "编号")
    name = _f("name", "名称")
    kind = _f("kind", "类型", ChoiceWidget(Kind.choices, Kind.PARCEL))
    availability = _f(
        "availability", "可用状态", ChoiceWidget(Site.Availability.choices, Site.Availability.AVAILABLE)
    )
    town = named_field("town", "所在镇办", Town, "镇办")
    park = named_field("park", "所在园区", Park, "园区")
    address = _f("address", "地址")
    adcode = _f("adcode", "所在区划代码")
    lng = _f("lng", "经度", NumberWidget())
    lat = _f("lat", "纬度", NumberWidget())
    crs = Field(column_name=CRS_COLUMN, readonly=True)
    source_crs = _f("source_crs", "原始坐标系", CrsWidget())
    geometry = _f("geometry", GEOMETRY_COLUMN, GeometryWidget())
    area_mu = _f("area_mu", "土地面积(亩)", AreaMuWidget())
    land_area_m2 = _f("land_area_m2", "院落占地(m²)", AreaM2Widget())
    floor_area_m2 = _f("floor_area_m2", "建筑面积(m²)", AreaM2Widget())
    net_area_mu = _f("net_area_mu", "净用地面积(亩)", AreaMuWidget())
    floors = _f("floors", "层数", widgets.IntegerWidget())
    divisible = _f("divisible", "可分割", YesNoWidget())
    units_total = _f("units_total", "可分割单元数", widgets.IntegerWidget())
    idle_since = _f("idle_since", "闲置起始", DateWidget())
    idle_reason = _f("idle_reason", "闲置原因", ChoiceWidget(Site.IdleReason.choices, ""))
    available_from = _f("available_from", "可用日期", DateWidget())
    net_land = _f("net_land", "净地", YesNoWidget())
    tenure = _f("tenure", "供应方式", ChoiceWidget(Tenure.choices, Tenure.BOTH))
    land_use = _f("land_use", "用地性质", ChoiceWidget(LAND_USES, ""))
    plot_ratio = _f("plot_ratio", "容积率", NumberWidget())
    building_density = _f("building_density", "建筑密度(%)", NumberWidget())
    green_ratio = _f("green_ratio", "绿地率(%)", NumberWidget())
    investment_intensity = _f("investment_intensity", "投资强度(万元/亩)", MoneyWidget())
    tax_per_mu = _f("tax_per_mu", "亩均税收(万元/亩)", MoneyWidget())
    energy_cap = _f("energy_cap", "能耗上限(吨标煤/年)", NumberWidget())
    emission_cap = _f("emission_cap", "排放上限(吨/年)", NumberWidget())
    regional_assessment = _f("regional_assessment", "已完成区域评估", YesNoWidget())
    power_kva = _f("power_kva", "电力余量(kVA)", NumberWidget())
    voltage_kv = _f("voltage_kv", "供电电压(kV)", NumberWidget())
    water_tpd = _f("water_tpd", "供水余量(吨/日)", NumberWidget())
    sewage_tpd = _f("sewage_tpd", "污水处理余量(吨/日)", NumberWidget())
    gas = _f("gas", "天然气", YesNoWidget())
    steam_tph = _f("steam_tph", "蒸汽余量(吨/时)", NumberWidget())
    emission_quota = _f("emission_quota", "可用排放指标(吨/年)", NumberWidget())
    flood_zone = _f("flood_zone", "洪涝风险区", YesNoWidget())
    clear_height_m = _f("clear_height_m", "净高(m)", NumberWidget())
    floor_load_kn = _f("floor_load_kn", "地面荷载(kN/m²)", NumberWidget())
    crane_t = _f("crane_t", "行车(吨)", NumberWidget())
    column_grid = _f("column_grid", "柱网")
    dock_doors = _f("dock_doors", "装卸门", widgets.IntegerWidget())
    fire_class = _f("fire_class", "火灾危险性类别", ChoiceWidget(Site.FireClass.choices, ""))
    highway_km = _f("highway_km", "距高速口(km)", NumberWidget())
    rail_km = _f("rail_km", "距铁路货站(km)", NumberWidget())
    port_km = _f("port_km", "距港口(km)", NumberWidget())
    airport_km = _f("airport_km", "距机场(km)", NumberWidget())
    land_price = _f("land_price", "土地价格(万元/亩)", MoneyWidget())
    rent = _f("rent", "租金(元/m²/月)", DecimalNumberWidget())
    sale_price = _f("sale_price", "售价(元/m²)", DecimalNumberWidget())
    owner = _f("owner", "权利人")
    contact = _f("contact", "联系人")
    phone = _f("phone", "联系电话")
    data_owner = _f("data_owner", "数据责任人账号", UserNameWidget())
    data_owner_name = _f("data_owner_name", "数据责任单位/人")
    verified_on = _f("verified_on", "最近核实日期", DateWidget())
    evidence = _f("evidence", "佐证材料", ListWidget())
    notes = _f("notes", "备注")

    class Meta(ScopedResource.Meta):
        model = Site
        # The form's fields, with the district's name and the coordinate systems (the file's and the source's).
        fields = file_fields(SITE_FIELDS, after={"lat": ["crs", "source_crs"]})
        import_id_fields = ("district", "code")
        skip_unchanged = False

    def touched_site(self, instance: Any) -> int | None:
        return int(instance.pk) if instance.kind == Kind.BUILDING else None

    def dehydrate_crs(self, site: Site) -> str:
        return "wgs84"  # exports are WGS84; the system they came in is 原始坐标系

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("district", "town", "park", "data_owner")

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = dict(error.error_dict)
        if "lng" not in errors and "lat" not in errors and "geometry" not in errors:
            errors.update(self._to_wgs84(instance, row))
        if errors:
            raise ValidationError(errors)

    def _to_wgs84(self, instance: Site, row: Any) -> dict[str, Any]:
        """Convert the row's coordinates from its 坐标系 to WGS84; errors keyed by the column's field."""
        try:
            system = parse_crs(str(row.get(CRS_COLUMN) or "").strip() or "wgs84")
        except CoordError as error:
            return {"__crs__": ValidationError(localised(error))}
        original = row.get("原始坐标系")
        if system.key != "wgs84" or original is None or not str(original).strip():
            instance.source_crs = system.key
        if system.lnglat:
            return {}
        if geometry_vertices(instance.geometry) > settings.SITE_MAX_VERTICES:
            return {}  # refused by the model's vertex limit, before a million vertices are converted
        try:
            if instance.geometry:
                instance.geometry = geometry_to_wgs84(instance.geometry, system)
                instance.lng = instance.lat = None
            elif instance.lng is not None and instance.lat is not None:
                from zhaoshang.geo.coords import convert  # deferred: numpy and pyproj load only to convert

                instance.lng, instance.lat = convert(instance.lng, instance.lat, system, "wgs84")
        except CoordError as error:
            key = "geometry" if instance.geometry else "lng"
            return {key: ValidationError(localised(error))}
        return {}

    def column_for(self, attribute: str) -> str:
        if attribute == "__crs__":
            return CRS_COLUMN
        return super().column_for(attribute)


class DemandResource(ScopedResource):
    district = district_field()
    district_name = district_name_field()
    name = _f("name", "需求名称")
    status = _f("status", "状态", ChoiceWidget(Demand.Status.choices, Demand.Status.OPEN))
    kind = _f("kind", "资源类型", ChoiceWidget(Kind.choices, Kind.PARCEL))
    min_area = _f("min_area", "面积下限", DecimalNumberWidget())
    max_area = _f("max_area", "面积上限", DecimalNumberWidget())
    land_use = _f("land_use", "可接受用地性质", ListWidget())
    chemical = _f("chemical", "化工项目", YesNoWidget())
    power_kva = _f("power_kva", "用电需求(kVA)", NumberWidget())
    water_tpd = _f("water_tpd", "用水需求(吨/日)", NumberWidget())
    steam_tph = _f("steam_tph", "蒸汽需求(吨/时)", NumberWidget())
    gas = _f("gas", "需要天然气", YesNoWidget())
    emission_quota = _f("emission_quota", "排放指标需求(吨/年)", NumberWidget())
    clear_height_m = _f("clear_height_m", "净高要求(m)", NumberWidget())
    floor_load_kn = _f("floor_load_kn", "荷载要求(kN/m²)", NumberWidget())
    crane_t = _f("crane_t", "行车要求(吨)", NumberWidget())
    max_price = _f("max_price", "价格上限", DecimalNumberWidget())
    lease_or_buy = _f(
        "lease_or_buy", "租或买", ChoiceWidget(Demand.LeaseOrBuy.choices, Demand.LeaseOrBuy.EITHER)
    )
    preferred_park = named_field("preferred_park", "意向园区", Park, "园区")
    lng = _f("lng", "意向位置经度", NumberWidget())
    lat = _f("lat", "意向位置纬度", NumberWidget())
    max_distance_km = _f("max_distance_km", "最远距离(km)", NumberWidget())
    ready_by = _f("ready_by", "需要场地日期", DateWidget())
    notes = _f("notes", "备注")

    class Meta(ScopedResource.Meta):
        model = Demand
        # Files leave out the project (a demand is linked to it on the page) and the match weights (a JSON object).
        fields = file_fields(DEMAND_FIELDS, leave_out=["project", "weights"])
        import_id_fields = ("district", "name")
        skip_unchanged = False

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        super().import_instance(instance, row, **kwargs)
        for name in NEED_FIELDS:
            if getattr(instance, name) is None:
                setattr(instance, name, 0.0)


class SiteUnitResource(_BuildingsFollowUnits):
    district = parent_district_field("site")
    site = _f("site", "资源编号", LookupWidget(Site, "code", label="资源编号", district_column="区县代码"))
    site_name = Field(attribute="site__name", column_name="资源名称", readonly=True)
    name = _f("name", "单元")
    floor = _f("floor", "楼层", widgets.IntegerWidget())
    area_m2 = _f("area_m2", "面积(m²)", AreaM2Widget())
    availability = _f(
        "availability", "可用状态", ChoiceWidget(Site.Availability.choices, Site.Availability.AVAILABLE)
    )
    notes = _f("notes", "备注")

    class Meta(ScopedResource.Meta):
        model = SiteUnit
        fields = ("district", *file_fields(SITE_UNIT_FIELDS, after={"site": ["site_name"]}))
        import_id_fields = ("site", "name")

    def touched_site(self, instance: Any) -> int | None:
        return int(instance.site_id)

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.forms import ListField, ScopedModelForm
from zhaoshang.core.pickers import WeightsField
from zhaoshang.core.scope import user_scope
from zhaoshang.core.search_select import narrow_choices
from zhaoshang.core.validators import localised
from zhaoshang.geo.crs import CoordError, parse_crs
from zhaoshang.sites.geometry import geometry_to_wgs84
from zhaoshang.sites.models import Demand, Site, SiteReservation, SiteUnit
from zhaoshang.sites.models.demands import DEMAND_FIELDS, SITE_RESERVATION_FIELDS
from zhaoshang.sites.models.sites import SITE_FIELDS, SITE_UNIT_FIELDS

# The criteria a land demand can weight (analytics.matching: DEFAULT_WEIGHTS and INFLUENCE), as people name them.
MATCH_CRITERIA = [
    ("area", _("面积")),
    ("price", _("价格")),
    ("distance", _("距离")),
    ("park", _("意向园区")),
    ("power", _("电力")),
    ("water", _("供水")),
    ("steam", _("蒸汽")),
    ("emission", _("排放指标")),
    ("clear_height", _("净高")),
    ("floor_load", _("承重")),
    ("crane", _("行车")),
]

CRS_CHOICES = [
    ("wgs84", _("WGS84 / CGCS2000 经纬度")),
    ("gcj02", _("GCJ-02(高德/腾讯)")),
    ("bd09", _("BD-09(百度)")),
    ("epsg:4527", _("CGCS2000 3度带 39带(带号,X=39xxxxxx)")),
    ("epsg:4548", _("CGCS2000 3度带 中央经线117°E")),
]

DATE = {"type": "date"}


class SiteForm(ScopedModelForm):
    evidence = ListField(
        label=_("佐证材料"), required=False, help_text=_("文件编号、档案号或链接,用 、 分隔")
    )
    coord_crs = forms.ChoiceField(
        label=_("所填坐标的坐标系"),
        choices=CRS_CHOICES,
        initial="wgs84",
        required=False,
        help_text=_("经纬度与位置/范围按此坐标系换算为 WGS84 保存;投影坐标经度填 X,纬度填 Y"),
    )

    class Meta:
        model = Site
        fields = SITE_FIELDS
        widgets = {
            "geometry": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "idle_since": forms.DateInput(attrs=DATE),
            "available_from": forms.DateInput(attrs=DATE),
            "verified_on": forms.DateInput(attrs=DATE),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coord_crs"].widget.attrs.setdefault("class", "form-select")
        data_owner = self.fields["data_owner"]
        # Data owners are people of the districts the user works in (a user is not a district-owned record).

        scope = user_scope(self.user, "view")
        users = get_user_model().objects.filter(is_active=True)
        if not scope.all_districts:
            users = users.filter(profile__district__in=scope.district_ids)
        data_owner.queryset = users.order_by("username")
        if self.instance.pk and self.instance.kind == "building" and self.instance.units.exists():
            availability = self.fields["availability"]
            availability.disabled = True
            availability.help_text = _("分割为单元的厂房按单元状态汇总,请修改单元的状态。")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        crs = cleaned.get("coord_crs") or "wgs84"
        if crs == "wgs84":
            return cleaned
        try:
            system = parse_crs(crs)
            if cleaned.get("geometry"):
                cleaned["geometry"] = geometry_to_wgs84(cleaned["geometry"], system)
                self.instance.lng = self.instance.lat = None
                cleaned["lng"] = cleaned["lat"] = None
            elif cleaned.get("lng") is not None and cleaned.get("lat") is not None:
                from zhaoshang.geo.coords import convert  # deferred: numpy and pyproj load only to convert

                cleaned["lng"], cleaned["lat"] = convert(cleaned["lng"], cleaned["lat"], system, "wgs84")
        except CoordError as error:
            self.add_error("coord_crs", localised(error))
            return cleaned
        self.instance.source_crs = system.key
        return cleaned


class SiteUnitForm(ScopedModelForm):
    class Meta:
        model = SiteUnit
        fields = SITE_UNIT_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        narrow_choices(self.fields["site"], kind="building")


class SiteReservationForm(ScopedModelForm):
    class Meta:
        model = SiteReservation
        fields = SITE_RESERVATION_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("site", "unit", "project", "demand"):
                self.fields[name].disabled = True
        else:
            del self.fields["release_reason"]
            narrow_choices(self.fields["site"], availability=Site.Availability.AVAILABLE)
            self.fields["unit"].queryset = self.fields["unit"].queryset.select_related("site")
            narrow_choices(self.fields["unit"], availability=Site.Availability.AVAILABLE)
            self.fields["unit"].help_text = _("分割为单元的厂房:只预留这一单元;不选则预留全部可用单元")


class DemandForm(ScopedModelForm):
    weights = WeightsField(
        label=_("评分权重"),
        criteria=MATCH_CRITERIA,
        help_text=_("各项 0–100,相对大小起作用;全部留空则用默认权重(面积30、价格25、距离25、电力10、园区10)"),
    )
    land_use = ListField(
        label=_("可接受用地性质"), required=False, help_text=_("用 、 分隔,如 M2、M3;写 M 表示任一工业用地")
    )

    class Meta:
        model = Demand
        fields = DEMAND_FIELDS
        widgets = {
            "ready_by": forms.DateInput(attrs=DATE),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

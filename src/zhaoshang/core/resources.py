"""Import/export of the organisation tables, with the column headers offices use."""

from __future__ import annotations

from typing import Any

from import_export.fields import Field

from zhaoshang.core.declarations import file_fields
from zhaoshang.core.importing import ScopedResource
from zhaoshang.core.models import City, Department, District, Park, Team, Town
from zhaoshang.core.models.organisation import (
    DEPARTMENT_FIELDS,
    DISTRICT_FIELDS,
    PARK_FIELDS,
    TEAM_FIELDS,
    TOWN_FIELDS,
)
from zhaoshang.core.widgets import (
    AdcodeWidget,
    AreaMuWidget,
    ChoiceWidget,
    DistrictWidget,
    LookupWidget,
    YesNoWidget,
)


def district_field() -> Field:
    # By code or by name: officials' tables write 临淄区 or XX高新区 where exports write 370305.
    return Field(attribute="district", column_name="区县代码", widget=DistrictWidget())


def district_name_field() -> Field:
    return Field(attribute="district__name", column_name="区县", readonly=True)


def parent_district_field(parent: str) -> Field:
    """The district's code of a row that belongs to its district through ``parent`` (a project, a chain):
    shown so that the row's names are looked up in that district, never imported."""
    return Field(attribute=f"{parent}__district__adcode", column_name="区县代码", readonly=True)


def named_field(attribute: str, column: str, model: type[Any], label: str) -> Field:
    """A related object written by its name, found among those of the row's district (its 区县代码 column)."""
    return Field(
        attribute=attribute,
        column_name=column,
        widget=LookupWidget(model, "name", label=label, district_column="区县代码"),
    )


class DistrictResource(ScopedResource):
    city = Field(
        attribute="city",
        column_name="城市代码",
        widget=LookupWidget(City, "adcode", label="城市代码", scoped=False),
    )
    adcode = Field(attribute="adcode", column_name="行政区划代码", widget=AdcodeWidget())
    name = Field(attribute="name", column_name="名称")
    lng = Field(attribute="lng", column_name="中心经度")
    lat = Field(attribute="lat", column_name="中心纬度")

    class Meta(ScopedResource.Meta):
        model = District
        fields = file_fields(DISTRICT_FIELDS)
        import_id_fields = ("adcode",)


class TownResource(ScopedResource):
    district = district_field()
    district_name = district_name_field()
    name = Field(attribute="name", column_name="名称")
    kind = Field(attribute="kind", column_name="类型", widget=ChoiceWidget(Town.Kind.choices, Town.Kind.TOWN))
    code = Field(attribute="code", column_name="乡镇代码")

    class Meta(ScopedResource.Meta):
        model = Town
        fields = file_fields(TOWN_FIELDS)
        import_id_fields = ("district", "name")


class ParkResource(ScopedResource):
    district = district_field()
    district_name = district_name_field()
    name = Field(attribute="name", column_name="名称")
    kind = Field(
        attribute="kind", column_name="类型", widget=ChoiceWidget(Park.Kind.choices, Park.Kind.INDUSTRIAL)
    )
    town = named_field("town", "所在镇办", Town, "镇办")
    is_chemical_park = Field(attribute="is_chemical_park", column_name="认定化工园区", widget=YesNoWidget())
    chemical_park_list = Field(attribute="chemical_park_list", column_name="认定名单及批次")
    area_mu = Field(attribute="area_mu", column_name="规划面积(亩)", widget=AreaMuWidget())

    class Meta(ScopedResource.Meta):
        model = Park
        # A boundary is a GeoJSON polygon, typed into the form or sent through the API: no spreadsheet cell.
        fields = file_fields(PARK_FIELDS, leave_out=["boundary"])
        import_id_fields = ("district", "name")


class DepartmentResource(ScopedResource):
    district = district_field()
    district_name = district_name_field()
    name = Field(attribute="name", column_name="名称")
    short_name = Field(attribute="short_name", column_name="简称")
    contact = Field(attribute="contact", column_name="联系人")
    phone = Field(attribute="phone", column_name="联系电话")

    class Meta(ScopedResource.Meta):
        model = Department
        fields = file_fields(DEPARTMENT_FIELDS)
        import_id_fields = ("district", "name")


class TeamResource(ScopedResource):
    district = district_field()
    district_name = district_name_field()
    name = Field(attribute="name", column_name="名称")
    kind = Field(
        attribute="kind", column_name="类型", widget=ChoiceWidget(Team.Kind.choices, Team.Kind.CHAIN)
    )
    lead_department = named_field("lead_department", "牵头部门", Department, "部门")
    research_institution = Field(attribute="research_institution", column_name="头部研究机构")

    class Meta(ScopedResource.Meta):
        model = Team
        fields = file_fields(TEAM_FIELDS)
        import_id_fields = ("district", "name")

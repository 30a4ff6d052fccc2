"""Import/export of the organisation tables, with the column headers offices use."""

from __future__ import annotations

from import_export.fields import Field

from zhaoshang.core.importing import ScopedResource
from zhaoshang.core.models import City, Department, District, Park, Team, Town
from zhaoshang.core.widgets import AdcodeWidget, AreaMuWidget, ChoiceWidget, LookupWidget, YesNoWidget


def district_field() -> Field:
    return Field(
        attribute="district",
        column_name="区县代码",
        widget=LookupWidget(District, "adcode", label="区县代码", scoped=False),
    )


def district_name_field() -> Field:
    return Field(attribute="district__name", column_name="区县", readonly=True)


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
        fields = ("city", "adcode", "name", "lng", "lat")
        import_id_fields = ("adcode",)


class TownResource(ScopedResource):
    district = district_field()
    district_name = district_name_field()
    name = Field(attribute="name", column_name="名称")
    kind = Field(attribute="kind", column_name="类型", widget=ChoiceWidget(Town.Kind.choices, Town.Kind.TOWN))
    code = Field(attribute="code", column_name="乡镇代码")

    class Meta(ScopedResource.Meta):
        model = Town
        fields = ("district", "district_name", "name", "kind", "code")
        import_id_fields = ("district", "name")


class ParkResource(ScopedResource):
    district = district_field()
    district_name = district_name_field()
    name = Field(attribute="name", column_name="名称")
    kind = Field(
        attribute="kind", column_name="类型", widget=ChoiceWidget(Park.Kind.choices, Park.Kind.INDUSTRIAL)
    )
    town = Field(
        attribute="town",
        column_name="所在镇办",
        widget=LookupWidget(Town, "name", label="镇办", district_column="区县代码"),
    )
    is_chemical_park = Field(attribute="is_chemical_park", column_name="认定化工园区", widget=YesNoWidget())
    chemical_park_list = Field(attribute="chemical_park_list", column_name="认定名单及批次")
    area_mu = Field(attribute="area_mu", column_name="规划面积(亩)", widget=AreaMuWidget())

    class Meta(ScopedResource.Meta):
        model = Park
        fields = (
            "district",
            "district_name",
            "name",
            "kind",
            "town",
            "is_chemical_park",
            "chemical_park_list",
            "area_mu",
        )
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
        fields = ("district", "district_name", "name", "short_name", "contact", "phone")
        import_id_fields = ("district", "name")


class TeamResource(ScopedResource):
    district = district_field()
    district_name = district_name_field()
    name = Field(attribute="name", column_name="名称")
    kind = Field(
        attribute="kind", column_name="类型", widget=ChoiceWidget(Team.Kind.choices, Team.Kind.CHAIN)
    )
    lead_department = Field(
        attribute="lead_department",
        column_name="牵头部门",
        widget=LookupWidget(Department, "name", label="部门", district_column="区县代码"),
    )
    research_institution = Field(attribute="research_institution", column_name="头部研究机构")

    class Meta(ScopedResource.Meta):
        model = Team
        fields = ("district", "district_name", "name", "kind", "lead_department", "research_institution")
        import_id_fields = ("district", "name")

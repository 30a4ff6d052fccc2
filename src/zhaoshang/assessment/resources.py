from __future__ import annotations

from import_export.fields import Field

from zhaoshang.assessment.models import RecordFinding, Target
from zhaoshang.core.importing import ScopedResource
from zhaoshang.core.models import Park, Team, Town
from zhaoshang.core.resources import district_field, district_name_field
from zhaoshang.core.widgets import ChoiceWidget, DateWidget, LookupWidget, MoneyWidget
from zhaoshang.projects.models import Project


class TargetResource(ScopedResource):
    district = district_field()
    district_name = district_name_field()
    year = Field(attribute="year", column_name="年度")
    metric = Field(attribute="metric", column_name="指标", widget=ChoiceWidget(Target.Metric.choices))
    custom_name = Field(attribute="custom_name", column_name="自定义指标名称")
    value = Field(attribute="value", column_name="目标值", widget=MoneyWidget())
    team = Field(
        attribute="team",
        column_name="专班",
        widget=LookupWidget(Team, "name", label="专班", district_column="区县代码"),
    )
    town = Field(
        attribute="town",
        column_name="镇办",
        widget=LookupWidget(Town, "name", label="镇办", district_column="区县代码"),
    )
    park = Field(
        attribute="park",
        column_name="园区",
        widget=LookupWidget(Park, "name", label="园区", district_column="区县代码"),
    )
    note = Field(attribute="note", column_name="说明")

    class Meta(ScopedResource.Meta):
        model = Target
        fields = (
            "district",
            "district_name",
            "year",
            "metric",
            "custom_name",
            "value",
            "team",
            "town",
            "park",
            "note",
        )
        import_id_fields = ("district", "year", "metric", "custom_name", "team", "town", "park")


class RecordFindingResource(ScopedResource):
    district = district_field()
    district_name = district_name_field()
    project = Field(
        attribute="project",
        column_name="项目名称",
        widget=LookupWidget(Project, "name", label="项目", district_column="区县代码"),
    )
    kind = Field(attribute="kind", column_name="不实内容", widget=ChoiceWidget(RecordFinding.Kind.choices))
    found_on = Field(attribute="found_on", column_name="查实日期", widget=DateWidget())
    found_by = Field(attribute="found_by", column_name="核查单位")
    description = Field(attribute="description", column_name="查实情况")

    class Meta(ScopedResource.Meta):
        model = RecordFinding
        fields = ("district", "district_name", "project", "kind", "found_on", "found_by", "description")
        import_id_fields = ("district", "project", "kind", "found_on")

from __future__ import annotations

from import_export.fields import Field

from zhaoshang.assessment.models import (
    OUTPUT_TOTAL_FIELDS,
    RECORD_FINDING_FIELDS,
    TARGET_FIELDS,
    IndustrialOutputTotal,
    RecordFinding,
    Target,
)
from zhaoshang.core.declarations import file_fields
from zhaoshang.core.importing import ScopedResource
from zhaoshang.core.models import Park, Team, Town
from zhaoshang.core.resources import district_field, district_name_field, named_field
from zhaoshang.core.widgets import ChoiceWidget, DateWidget, MoneyWidget
from zhaoshang.projects.models import Project


class TargetResource(ScopedResource):
    district = district_field()
    district_name = district_name_field()
    year = Field(attribute="year", column_name="年度")
    metric = Field(attribute="metric", column_name="指标", widget=ChoiceWidget(Target.Metric.choices))
    custom_name = Field(attribute="custom_name", column_name="自定义指标名称")
    value = Field(attribute="value", column_name="目标值", widget=MoneyWidget())
    team = named_field("team", "专班", Team, "专班")
    town = named_field("town", "镇办", Town, "镇办")
    park = named_field("park", "园区", Park, "园区")
    note = Field(attribute="note", column_name="说明")

    class Meta(ScopedResource.Meta):
        model = Target
        # Files set the year's targets; a custom metric's actual is entered on its page as the year goes.
        fields = file_fields(TARGET_FIELDS, leave_out=["custom_actual"])
        import_id_fields = ("district", "year", "metric", "custom_name", "team", "town", "park")


class RecordFindingResource(ScopedResource):
    district = district_field()
    district_name = district_name_field()
    project = named_field("project", "项目名称", Project, "项目")
    kind = Field(attribute="kind", column_name="不实内容", widget=ChoiceWidget(RecordFinding.Kind.choices))
    found_on = Field(attribute="found_on", column_name="查实日期", widget=DateWidget())
    found_by = Field(attribute="found_by", column_name="核查单位")
    description = Field(attribute="description", column_name="查实情况")

    class Meta(ScopedResource.Meta):
        model = RecordFinding
        fields = file_fields(RECORD_FINDING_FIELDS)
        import_id_fields = ("district", "project", "kind", "found_on")


class IndustrialOutputTotalResource(ScopedResource):
    """全区规上工业总产值 by year, as the statistics office's table gives it (one row per district and year)."""

    district = district_field()
    district_name = district_name_field()
    year = Field(attribute="year", column_name="年度")
    output = Field(attribute="output", column_name="规上工业总产值(万元)", widget=MoneyWidget())
    tax = Field(attribute="tax", column_name="规上工业税收(万元)", widget=MoneyWidget())
    source = Field(attribute="source", column_name="数据来源")

    class Meta(ScopedResource.Meta):
        model = IndustrialOutputTotal
        fields = file_fields(OUTPUT_TOTAL_FIELDS)
        import_id_fields = ("district", "year")

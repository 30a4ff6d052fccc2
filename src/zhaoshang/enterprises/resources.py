"""Enterprise extracts from the market-regulation bureau or commercial providers, with provenance per cell.

A hand-corrected attribute keeps its corrected value on re-import; the source's new value is only noted.
"""

from __future__ import annotations

import datetime
from typing import Any

from import_export.fields import Field
from import_export.widgets import Widget

from zhaoshang.core.declarations import file_fields
from zhaoshang.core.importing import ScopedResource
from zhaoshang.core.resources import district_field, district_name_field
from zhaoshang.core.widgets import (
    AdcodeWidget,
    ChoiceWidget,
    ClassCodeWidget,
    DateWidget,
    ListWidget,
    LookupWidget,
    MoneyWidget,
    Top500Widget,
    UsccWidget,
    YesNoWidget,
)
from zhaoshang.enterprises.models import (
    ENTERPRISE_FIELDS,
    TARGET_ENTRY_FIELDS,
    TRACKED_FIELDS,
    Enterprise,
    TargetEntry,
)
from zhaoshang.enterprises.services import jsonable
from zhaoshang.standards.parsers import ParseError, parse_date

SOURCE_COLUMN = "数据来源"
SOURCE_DATE_COLUMN = "数据日期"


class BlankIsNone(Widget):
    """A number cell the model validates: an empty one (a csv's "") is no value, not a number to refuse."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        return None if value is None or (isinstance(value, str) and not value.strip()) else value


class EnterpriseResource(ScopedResource):
    district = district_field()
    district_name = district_name_field()
    uscc = Field(attribute="uscc", column_name="统一社会信用代码", widget=UsccWidget())
    name = Field(attribute="name", column_name="企业名称")
    legal_representative = Field(attribute="legal_representative", column_name="法定代表人")
    founded = Field(attribute="founded", column_name="成立日期", widget=DateWidget())
    registered_capital = Field(attribute="registered_capital", column_name="注册资本", widget=MoneyWidget())
    paid_in_capital = Field(attribute="paid_in_capital", column_name="实缴资本", widget=MoneyWidget())
    insured_employees = Field(attribute="insured_employees", column_name="参保人数", widget=BlankIsNone())
    industry_code = Field(attribute="industry_code", column_name="行业代码", widget=ClassCodeWidget())
    business_scope = Field(attribute="business_scope", column_name="经营范围")
    address = Field(attribute="address", column_name="地址")
    adcode = Field(attribute="adcode", column_name="所在区划代码", widget=AdcodeWidget())
    lng = Field(attribute="lng", column_name="经度", widget=BlankIsNone())
    lat = Field(attribute="lat", column_name="纬度", widget=BlankIsNone())
    crs = Field(
        attribute="crs",
        column_name="坐标系",
        widget=ChoiceWidget(Enterprise.Crs.choices, Enterprise.Crs.WGS84),
    )
    status = Field(
        attribute="status",
        column_name="登记状态",
        widget=ChoiceWidget(Enterprise.Status.choices, Enterprise.Status.EXISTING),
    )
    ownership = Field(
        attribute="ownership", column_name="企业类型", widget=ChoiceWidget(Enterprise.Ownership.choices, "")
    )
    listed = Field(attribute="listed", column_name="上市", widget=YesNoWidget())
    tags = Field(attribute="tags", column_name="标签", widget=ListWidget())
    top500 = Field(attribute="top500", column_name="500强", widget=Top500Widget())
    parent_name = Field(attribute="parent_name", column_name="所属集团")

    # Registry extracts run to 100,000 rows: checked in bulk (core/fast_import.py), with the same report.
    fast_import = True

    class Meta(ScopedResource.Meta):
        model = Enterprise
        # Files also carry the top-500 listings (one cell: 中国企业500强:2023; 世界500强:2022), no form field.
        fields = file_fields(ENTERPRISE_FIELDS, after={"tags": ["top500"]})
        import_id_fields = ("district", "uscc")
        skip_unchanged = False

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        kept = {f: getattr(instance, f) for f in instance.overrides}
        super().import_instance(instance, row, **kwargs)
        source = str(row.get(SOURCE_COLUMN) or "").strip() or "导入"
        try:
            date = (
                parse_date(row.get(SOURCE_DATE_COLUMN)).isoformat() if row.get(SOURCE_DATE_COLUMN) else None
            )
        except ParseError:
            date = None
        date = date or datetime.date.today().isoformat()
        provenance = dict(instance.provenance)
        for name in TRACKED_FIELDS:
            column = self.fields[name].column_name if name in self.fields else None
            if column is None or column not in row:
                continue
            entry = {"source": source, "date": date}
            if name in kept:
                # The hand correction wins; what the source says now is kept beside it for review.
                entry["source_value"] = jsonable(getattr(instance, name))
                setattr(instance, name, kept[name])
            else:
                entry["source_value"] = jsonable(getattr(instance, name))
            provenance[name] = entry
        instance.provenance = provenance


class TargetEntryResource(ScopedResource):
    district = district_field()
    district_name = district_name_field()
    enterprise = Field(
        attribute="enterprise",
        column_name="统一社会信用代码",
        widget=LookupWidget(Enterprise, "uscc", label="企业(统一社会信用代码)", district_column="区县代码"),
    )
    enterprise_name = Field(attribute="enterprise__name", column_name="企业名称", readonly=True)
    status = Field(
        attribute="status",
        column_name="状态",
        widget=ChoiceWidget(TargetEntry.Status.choices, TargetEntry.Status.IDENTIFIED),
    )
    next_action = Field(attribute="next_action", column_name="下一步")
    next_action_date = Field(attribute="next_action_date", column_name="下一步日期", widget=DateWidget())
    drop_reason = Field(attribute="drop_reason", column_name="放弃原因")
    notes = Field(attribute="notes", column_name="备注")

    class Meta(ScopedResource.Meta):
        model = TargetEntry
        # Files follow up the firms (status, next step); chain, node, team and owner are assigned on the page.
        fields = file_fields(
            TARGET_ENTRY_FIELDS,
            after={"enterprise": ["enterprise_name"]},
            leave_out=["chain", "node", "team", "owner"],
        )
        import_id_fields = ("district", "enterprise")

"""Funds in place and actual output per year, as ledgers list them."""

from __future__ import annotations

from import_export.fields import Field

from zhaoshang.core.declarations import file_fields
from zhaoshang.core.importing import ScopedResource
from zhaoshang.core.resources import named_field, parent_district_field
from zhaoshang.core.widgets import (
    ChoiceWidget,
    DateWidget,
    MoneyWidget,
)
from zhaoshang.projects.models import (
    FundsEntry,
    Origin,
    Project,
    ProjectOutput,
)
from zhaoshang.projects.models.library import FUNDS_ENTRY_FIELDS, PROJECT_OUTPUT_FIELDS


class FundsEntryResource(ScopedResource):
    district = parent_district_field("project")
    project = named_field("project", "项目名称", Project, "项目")
    date = Field(attribute="date", column_name="到位日期", widget=DateWidget())
    amount = Field(attribute="amount", column_name="金额", widget=MoneyWidget())
    origin = Field(attribute="origin", column_name="资金来源地", widget=ChoiceWidget(Origin.choices))
    kind = Field(attribute="kind", column_name="用途", widget=ChoiceWidget(FundsEntry.Kind.choices, "fixed"))
    evidence_note = Field(attribute="evidence_note", column_name="凭证")

    class Meta(ScopedResource.Meta):
        model = FundsEntry
        fields = ("district", *file_fields(FUNDS_ENTRY_FIELDS))
        import_id_fields = ("project", "date", "amount", "origin")


class ProjectOutputResource(ScopedResource):
    district = parent_district_field("project")
    project = named_field("project", "项目名称", Project, "项目")
    year = Field(attribute="year", column_name="年度")
    output = Field(attribute="output", column_name="实际产值", widget=MoneyWidget())
    tax = Field(attribute="tax", column_name="实际税收", widget=MoneyWidget())

    class Meta(ScopedResource.Meta):
        model = ProjectOutput
        fields = ("district", *file_fields(PROJECT_OUTPUT_FIELDS))
        import_id_fields = ("project", "year")

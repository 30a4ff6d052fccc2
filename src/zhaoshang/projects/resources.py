"""Project ledgers as counties keep them in Excel: one row per project, Chinese headers, money in 万元 or 亿元."""

from __future__ import annotations

from typing import Any

from import_export.fields import Field

from zhaoshang.chains.models import Chain
from zhaoshang.core.declarations import file_fields
from zhaoshang.core.importing import ScopedResource
from zhaoshang.core.models import Park, Town
from zhaoshang.core.resources import district_field, district_name_field, named_field, parent_district_field
from zhaoshang.core.widgets import (
    AreaMuWidget,
    ChoiceWidget,
    ClassCodeWidget,
    DateWidget,
    LookupWidget,
    MoneyWidget,
    Top500Widget,
    UsccWidget,
)
from zhaoshang.projects.models import FundsEntry, Origin, Project, ProjectOutput
from zhaoshang.projects.models.library import FUNDS_ENTRY_FIELDS, PROJECT_FIELDS, PROJECT_OUTPUT_FIELDS
from zhaoshang.projects.services import LEDGER_EVIDENCE, ledger_claims
from zhaoshang.projects.stages import DEFAULT_STAGES, VERIFIED_STAGES

__all__ = ["LEDGER_EVIDENCE", "FundsEntryResource", "ProjectOutputResource", "ProjectResource"]
HOLD_STAGE = "negotiation"  # where a new project waits while the ledger's claimed stage is reviewed


class CurrentChainWidget(LookupWidget):
    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get_queryset(value, row, *args, **kwargs).filter(is_current=True)


class ProjectResource(ScopedResource):
    district = district_field()
    district_name = district_name_field()
    name = Field(attribute="name", column_name="项目名称")
    content = Field(attribute="content", column_name="建设内容")
    stage = Field(attribute="stage", column_name="阶段", widget=ChoiceWidget(DEFAULT_STAGES, "lead"))
    status = Field(
        attribute="status", column_name="状态", widget=ChoiceWidget(Project.Status.choices, "on_track")
    )
    tier = Field(
        attribute="tier", column_name="项目层级", widget=ChoiceWidget(Project.Tier.choices, "general")
    )
    investor_name = Field(attribute="investor_name", column_name="投资方")
    investor_uscc = Field(attribute="investor_uscc", column_name="投资方信用代码", widget=UsccWidget())
    investor_origin = Field(
        attribute="investor_origin", column_name="投资方来源", widget=ChoiceWidget(Origin.choices, "")
    )
    total_investment = Field(attribute="total_investment", column_name="总投资", widget=MoneyWidget())
    first_phase_investment = Field(
        attribute="first_phase_investment", column_name="一期投资", widget=MoneyWidget()
    )
    industry_code = Field(attribute="industry_code", column_name="行业代码", widget=ClassCodeWidget())
    chain = Field(
        attribute="chain",
        column_name="产业链代码",
        widget=CurrentChainWidget(Chain, "code", label="产业链", district_column="区县代码"),
    )
    town = named_field("town", "镇办", Town, "镇办")
    park = named_field("park", "园区", Park, "园区")
    land_mu = Field(attribute="land_mu", column_name="用地", widget=AreaMuWidget(places=2))
    investor_top500 = Field(attribute="investor_top500", column_name="投资方500强", widget=Top500Widget())
    signed_date = Field(attribute="signed_date", column_name="签约日期", widget=DateWidget())
    promised_start_date = Field(
        attribute="promised_start_date", column_name="承诺开工日期", widget=DateWidget()
    )
    designed_output = Field(attribute="designed_output", column_name="达产产值", widget=MoneyWidget())
    designed_tax = Field(attribute="designed_tax", column_name="达产税收", widget=MoneyWidget())
    designed_jobs = Field(attribute="designed_jobs", column_name="达产就业")
    reserve_source = Field(attribute="reserve_source", column_name="储备来源")
    expected_timing = Field(attribute="expected_timing", column_name="预计实施时间")
    notes = Field(attribute="notes", column_name="备注")

    class Meta(ScopedResource.Meta):
        model = Project
        # Files are the ledger offices keep: with the status and the signing date (see import_instance), without
        # the links and people that are picked on the project's page.
        fields = file_fields(
            PROJECT_FIELDS,
            after={"stage": ["status"], "land_mu": ["signed_date"]},
            leave_out=["increase_of", "node", "referrer", "team", "officer", "expected_production_date"],
        )
        import_id_fields = ("district", "name")

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        stage, signed = instance.stage, instance.signed_date
        super().import_instance(instance, row, **kwargs)
        if instance.pk:
            # A ledger loads new projects; after that, stages move only with evidence.
            instance.stage, instance.signed_date = stage, signed
        elif instance.stage in VERIFIED_STAGES:
            # The ledger's stage and signing date are claims: held below them until a reviewer verifies
            # (`ledger_claims`), so no count, rate, target or dispatch figure takes them in before.
            instance._ledger_claim = (instance.stage, instance.signed_date)
            instance.stage, instance.signed_date = HOLD_STAGE, None

    def do_instance_save(self, instance: Any, is_create: bool) -> None:
        super().do_instance_save(instance, is_create)
        claim = getattr(instance, "_ledger_claim", None)
        if is_create and claim is not None:
            ledger_claims(instance, self.user, *claim)


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

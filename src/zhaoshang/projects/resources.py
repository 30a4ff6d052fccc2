"""Project ledgers as counties keep them in Excel: one row per project, Chinese headers, money in 万元 or 亿元."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.fields import Field

from zhaoshang.chains.models import Chain
from zhaoshang.core.declarations import file_fields
from zhaoshang.core.importing import ScopedResource
from zhaoshang.core.importing.resource import blank_cell, clear_cell
from zhaoshang.core.models import Park, Town
from zhaoshang.core.resources import district_field, district_name_field, named_field, parent_district_field
from zhaoshang.core.scope import user_scope
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
from zhaoshang.projects.models import (
    FundsEntry,
    Origin,
    Project,
    ProjectListing,
    ProjectOutput,
    StageMove,
)
from zhaoshang.projects.models.library import FUNDS_ENTRY_FIELDS, PROJECT_FIELDS, PROJECT_OUTPUT_FIELDS
from zhaoshang.projects.services import LEDGER_EVIDENCE, ledger_claims
from zhaoshang.projects.stages import DEFAULT_STAGES, VERIFIED_STAGES, stage_index
from zhaoshang.projects.wordings import ListingWidget, TierWidget, tier_of
from zhaoshang.standards import parsers
from zhaoshang.standards.parsers import ParseError

__all__ = ["LEDGER_EVIDENCE", "FundsEntryResource", "ProjectOutputResource", "ProjectResource"]
HOLD_STAGE = "negotiation"  # where a new project waits while the ledger's claimed stage is reviewed


class CurrentChainWidget(LookupWidget):
    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get_queryset(value, row, *args, **kwargs).filter(is_current=True)


# Columns read into stage claims, not fields: a ledger's dates are what it says happened, to be verified.
CLAIM_COLUMNS = {"started_claim": "started", "completed_claim": "completed", "production_claim": "production"}
NATURE_ALIASES = {
    "技改": Project.Nature.RETROFIT,
    "技术改造项目": Project.Nature.RETROFIT,
    "新建项目": Project.Nature.NEW,
}
IMPLEMENTATION_ALIASES = {
    "实施": Project.ImplementationClass.IMPLEMENTING,
    "实施项目": Project.ImplementationClass.IMPLEMENTING,
    "准备": Project.ImplementationClass.PREPARING,
    "准备项目": Project.ImplementationClass.PREPARING,
    "前期": Project.ImplementationClass.PREPARING,
}


class ProjectResource(ScopedResource):
    district = district_field()
    district_name = district_name_field()
    name = Field(attribute="name", column_name="项目名称")
    project_code = Field(attribute="project_code", column_name="项目代码")
    project_unit = Field(attribute="project_unit", column_name="项目单位")
    content = Field(attribute="content", column_name="建设内容")
    construction_nature = Field(
        attribute="construction_nature",
        column_name="建设性质",
        widget=ChoiceWidget(Project.Nature.choices, "", aliases=NATURE_ALIASES),
    )
    implementation_class = Field(
        attribute="implementation_class",
        column_name="实施类/准备类",
        widget=ChoiceWidget(Project.ImplementationClass.choices, "", aliases=IMPLEMENTATION_ALIASES),
    )
    stage = Field(attribute="stage", column_name="阶段", widget=ChoiceWidget(DEFAULT_STAGES, "lead"))
    status = Field(
        attribute="status", column_name="状态", widget=ChoiceWidget(Project.Status.choices, "on_track")
    )
    tier = Field(attribute="tier", column_name="项目层级", widget=TierWidget(Project.Tier.choices, "general"))
    listing = Field(column_name="项目类别", widget=ListingWidget())
    planned_investment = Field(column_name="年度计划投资", widget=MoneyWidget())
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
    started_claim = Field(column_name="开工时间", widget=DateWidget())
    completed_claim = Field(column_name="竣工时间", widget=DateWidget())
    production_claim = Field(column_name="投产时间", widget=DateWidget())
    designed_output = Field(attribute="designed_output", column_name="达产产值", widget=MoneyWidget())
    designed_tax = Field(attribute="designed_tax", column_name="达产税收", widget=MoneyWidget())
    designed_jobs = Field(attribute="designed_jobs", column_name="达产就业")
    reserve_source = Field(attribute="reserve_source", column_name="储备来源")
    expected_timing = Field(attribute="expected_timing", column_name="预计实施时间")
    notes = Field(attribute="notes", column_name="备注")

    # The headers of the 发改 推进情况表 and of counties' own ledgers.
    column_synonyms = {
        "项目名称": ("名称", "项目"),
        "项目代码": ("项目统一代码", "投资项目代码", "审批监管平台代码", "项目编码"),
        "项目单位": ("建设单位", "项目业主", "业主单位", "项目法人", "项目法人单位", "实施单位"),
        "建设内容": ("建设内容及规模", "建设规模及内容", "主要建设内容", "建设规模", "项目建设内容"),
        "实施类/准备类": ("实施类或准备类", "项目类型", "实施/准备", "项目性质(实施/准备)"),
        "项目类别": ("名单", "类别", "项目级别", "列入名单", "重大项目类别", "名单类别"),
        "项目层级": ("层级", "级别"),
        "年度计划投资": ("本年计划投资", "年度计划", "计划投资", "当年计划投资", "年计划投资"),
        "总投资": ("计划总投资", "项目总投资", "总投资额", "投资总额"),
        "投资方": ("投资主体", "投资企业"),
        "开工时间": ("开工日期", "实际开工时间", "开工年月", "开工时间(年月)"),
        "竣工时间": ("竣工日期", "实际竣工时间", "建成时间"),
        "投产时间": ("投产日期", "实际投产时间"),
        "承诺开工日期": ("计划开工时间", "计划开工日期", "拟开工时间"),
        "签约日期": ("签约时间",),
        "用地": ("用地面积", "占地面积", "占地"),
        "备注": ("说明",),
    }
    ignored_columns = {
        "项目进展情况": gettext_lazy("进展文字:请在项目页的进展记录中填写"),
        "进展情况": gettext_lazy("进展文字:请在项目页的进展记录中填写"),
        "形象进度": gettext_lazy("进展文字:请在项目页的进展记录中填写"),
        "达产后效益": gettext_lazy("效益文字:达产产值、税收请填在“达产产值”“达产税收”列"),
        "存在问题": gettext_lazy("问题请在项目页的堵点中登记"),
        "责任单位": gettext_lazy("责任单位不是项目的字段"),
        "包保领导": gettext_lazy("包保领导不是项目的字段"),
    }

    class Meta(ScopedResource.Meta):
        model = Project
        # Files are the ledger offices keep: with the status and the signing date (see import_instance), without
        # the links and people that are picked on the project's page. The 发改 columns (项目类别, 年度计划投资,
        # 开工/竣工/投产时间) are read into listings and dated stage claims.
        fields = file_fields(
            PROJECT_FIELDS,
            after={
                "stage": ["status"],
                "tier": ["listing", "planned_investment"],
                "land_mu": ["signed_date"],
                "promised_start_date": list(CLAIM_COLUMNS),
            },
            leave_out=["increase_of", "node", "referrer", "team", "officer", "expected_production_date"],
        )
        import_id_fields = ("district", "name")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._duplicate_index: Any = None
        self._skip_row = False

    # --- exports of the read-only columns ----------------------------------------------------------------

    def dehydrate_listing(self, project: Project) -> str:
        return "、".join(
            f"{listing.get_level_display()}({listing.year}年)" for listing in project.listings.all()
        )

    def dehydrate_planned_investment(self, project: Project) -> Any:
        latest = project.listings.exclude(planned_investment=None).order_by("-year").first()
        return "" if latest is None else latest.planned_investment

    def dehydrate_started_claim(self, project: Project) -> str:
        return project.started_date.isoformat() if project.started_date else ""

    def dehydrate_completed_claim(self, project: Project) -> str:
        return ""

    def dehydrate_production_claim(self, project: Project) -> str:
        return ""

    # --- duplicates ----------------------------------------------------------------------------------------

    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        super().before_import_row(row, **kwargs)
        self._skip_row = False
        self._ambiguous: list[str] = []

    def get_instance(self, instance_loader: Any, row: Any) -> Any:
        instance = super().get_instance(instance_loader, row)
        if instance is not None:
            return instance
        matches = self._duplicates_of(row)
        if not matches:
            return None
        probable = [match for match in matches if match.probable]
        if probable and self.duplicates_policy == "skip":
            self._skip_row = True
        elif probable and self.duplicates_policy == "update":
            targets = {m.project_id for m in probable if m.project_id is not None}
            if len(targets) == 1:
                return self.get_queryset().filter(pk=targets.pop()).first()
            if targets:
                self._ambiguous = sorted(m.project_name for m in probable if m.project_id is not None)
        return None

    def _duplicates_of(self, row: Any) -> list[Any]:
        from zhaoshang.core.importing.report import DuplicateRow
        from zhaoshang.projects.duplicates import DuplicateIndex

        name = parsers.normalise_text(row.get("项目名称"))
        try:
            district = self.fields["district"].clean(row, user=self.user)
        except ValueError:
            return []
        if district is None or not name:
            return []
        if self._duplicate_index is None:
            from zhaoshang.core.models import District

            self._duplicate_index = DuplicateIndex.for_districts(
                District.objects.restrict(self.user, "view").values_list("pk", flat=True)
            )
        uscc = parsers.normalise_text(row.get("投资方信用代码")).upper()
        code = parsers.normalise_text(row.get("项目代码"))
        matches = self._duplicate_index.matches(
            district_id=district.pk, name=name, investor_uscc=uscc, project_code=code
        )
        seen = user_scope(self.user, "view")
        for match in matches:
            # A 项目代码 is a national identity, so it is matched across the instance; a project of a district the
            # importer may not see is named only as such (as on the form), never by its name or id.
            hidden = (
                match.row is None and match.district_id is not None and not seen.allows(match.district_id)
            )
            self.duplicates.append(
                DuplicateRow(
                    row=self.row_number,
                    existing_id=None if hidden else match.project_id,
                    existing_name=_("其他区县的项目") if hidden else match.project_name,
                    reason=match.reason,
                    name=name,
                    probable=match.probable,
                    existing_row=match.row,
                )
            )
        self._duplicate_index.add(
            district_id=district.pk, name=name, investor_uscc=uscc, project_code=code, row=self.row_number
        )
        return matches

    def skip_row(self, instance: Any, original: Any, row: Any, import_validation_errors: Any = None) -> bool:
        if self._skip_row:
            return True
        if instance.pk and (self._new_claims(instance) or self._new_listings(instance, row)):
            return False  # unchanged fields, but the row claims a stage or puts the project on a list
        return super().skip_row(instance, original, row, import_validation_errors)

    def _new_claims(self, instance: Any) -> bool:
        dated = getattr(instance, "_dated_claims", None) or {}
        beyond = [stage for stage in dated if stage_index(stage) > stage_index(instance.stage)]
        if not beyond:
            return False
        pending = set(
            instance.moves.filter(verified_at__isnull=True, rejected_reason="").values_list(
                "to_stage", flat=True
            )
        )
        return bool(set(beyond) - pending)

    def _new_listings(self, instance: Any, row: Any) -> bool:
        listings = getattr(instance, "_listings", None) or []
        if not listings:
            return False
        self._row = row
        planned = self._planned(instance)
        for level, year, _wording in listings:
            stored = instance.listings.filter(year=year, level=level).first()
            if stored is None or (planned is not None and stored.planned_investment != planned):
                return True
        return False

    # --- the row -------------------------------------------------------------------------------------------

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        stage, signed = instance.stage, instance.signed_date
        errors: dict[str, list[str]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = {key: list(messages) for key, messages in error.message_dict.items()}
        if getattr(self, "_ambiguous", None):
            names = "、".join(self._ambiguous)
            errors.setdefault("name", []).append(
                _("疑似与多个已有项目重复(%(names)s),无法确定更新哪一个:请在文件中写成其中一个的名称")
                % {"names": names}
            )
        listings = self._listings(row, instance, errors)
        dated = self._claim_dates(row, errors)
        if instance.pk:
            # A ledger loads new projects; after that, stages move only with evidence.
            instance.stage, instance.signed_date = stage, signed
            instance._dated_claims = dated
        else:
            claimed = max(
                [s for s in (instance.stage, *dated) if s in VERIFIED_STAGES], key=stage_index, default=None
            )
            if claimed is not None:
                # The ledger's stage, dates and signing date are claims: held below them until a reviewer
                # verifies (`ledger_claims`), so no count, rate, target or dispatch figure takes them in before.
                instance._ledger_claim = (claimed, instance.signed_date, dated)
                instance.stage, instance.signed_date = HOLD_STAGE, None
        instance._listings = listings
        if errors:
            raise ValidationError(errors)

    def _listings(self, row: Any, instance: Any, errors: dict[str, list[str]]) -> list[tuple[str, int, str]]:
        column, planned_column = "项目类别", "年度计划投资"
        try:
            wordings = self.fields["listing"].clean(row) if column in row else None
        except ValueError as error:
            errors.setdefault("listing", []).append(str(error))
            return []
        if not wordings:
            if (
                planned_column in row
                and not blank_cell(row[planned_column])
                and not _approx(row[planned_column])
            ):
                self.warn(planned_column, _("没有项目类别(名单),年度计划投资未导入"))
            return []
        default_year = self.layout.year
        if default_year is None and any(year is None for _level, year, _text in wordings):
            default_year = timezone.localdate().year
            self.warn(
                column,
                _("名单未写年度,表题也没有年度:按导入年度 %(year)s 年计入") % {"year": default_year},
            )
        tier = tier_of([level for level, _year, _text in wordings])
        if tier is not None and "项目层级" not in row:
            instance.tier = tier
        return [(level, year or default_year, text) for level, year, text in wordings]

    def _claim_dates(self, row: Any, errors: dict[str, list[str]]) -> dict[str, datetime.date]:
        """开工时间 / 竣工时间 / 投产时间 as claimed stage moves, dated as the ledger says."""
        today = timezone.localdate()
        dated: dict[str, datetime.date] = {}
        for name, stage in CLAIM_COLUMNS.items():
            column = str(self.fields[name].column_name)
            value = row.get(column)
            if blank_cell(value) or clear_cell(value):
                continue
            try:
                parsed = parsers.parse_date_precise(value)
            except ParseError as error:
                errors.setdefault(name, []).append(str(error))
                continue
            if parsed.date > today:
                self.warn(column, _("“%(value)s”在今天之后,未作为已发生申报") % {"value": value})
                continue
            if parsed.precision != "day":
                self.warn(
                    column,
                    _("“%(value)s”未写到日,按 %(date)s 申报,审核时可更正")
                    % {"value": value, "date": parsed.date.isoformat()},
                )
            dated[stage] = parsed.date
        return dated

    def do_instance_save(self, instance: Any, is_create: bool) -> None:
        super().do_instance_save(instance, is_create)
        claim = getattr(instance, "_ledger_claim", None)
        if is_create and claim is not None:
            stage, signed, dated = claim
            if dated:
                dated_claims(instance, self.user, stage, signed, dated)
            else:
                ledger_claims(instance, self.user, stage, signed)
        elif not is_create and getattr(instance, "_dated_claims", None):
            dated_claims(instance, self.user, None, None, instance._dated_claims)
        for level, year, wording in getattr(instance, "_listings", []):
            defaults: dict[str, Any] = {"wording": wording[:100]}
            planned = self._planned(instance)
            if planned is not None:
                defaults["planned_investment"] = planned
            ProjectListing.objects.update_or_create(
                project=instance, year=year, level=level, defaults=defaults
            )

    def _planned(self, instance: Any) -> Any:
        row = getattr(self, "_row", None) or {}
        value = row.get("年度计划投资")
        if blank_cell(value) or clear_cell(value) or _approx(value):
            return None
        return self.fields["planned_investment"].clean(row)

    def save_instance(self, instance: Any, is_create: bool, row: Any, **kwargs: Any) -> None:
        self._row = row
        super().save_instance(instance, is_create, row, **kwargs)


def _approx(value: Any) -> bool:
    return isinstance(value, str) and parsers.is_approximate_amount(value)


def dated_claims(
    project: Project,
    user: Any,
    stage: str | None,
    signed: datetime.date | None,
    dated: dict[str, datetime.date],
) -> list[StageMove]:
    """Claimed moves for a ledger's dated stages, each dated as claimed (a stage without a date: today), for a
    reviewer to verify. For a project already on the books only the dated stages beyond its stage are claimed,
    and none it already has a pending claim for."""
    if user is None or not getattr(user, "pk", None):
        return []
    today = timezone.localdate()
    current = project.stage
    pending = set(
        project.moves.filter(verified_at__isnull=True, rejected_reason="").values_list("to_stage", flat=True)
    )
    steps: list[tuple[str, datetime.date]] = []
    if signed is not None and stage_index(current) < stage_index("signed") and stage != "signed":
        steps.append(("signed", min(signed, today)))
    for to_stage in sorted(dated, key=stage_index):
        steps.append((to_stage, dated[to_stage]))
    if stage is not None and stage not in dated:
        steps.append((stage, min(signed, today) if stage == "signed" and signed else today))
    claims, previous = [], current
    for to_stage, day in sorted(steps, key=lambda step: stage_index(step[0])):
        if stage_index(to_stage) <= stage_index(previous) or to_stage in pending:
            continue
        claims.append(
            StageMove.objects.create(
                project=project,
                from_stage=previous,
                to_stage=to_stage,
                date=day,
                evidence_note=LEDGER_EVIDENCE,
                requested_by=user,
            )
        )
        previous = to_stage
    return claims


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

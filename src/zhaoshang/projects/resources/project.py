"""Project ledgers as counties keep them in Excel: one row per project, Chinese headers, money in 万元 or 亿元."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.fields import Field

from zhaoshang.chains.models import Chain
from zhaoshang.core.declarations import file_fields
from zhaoshang.core.importing import ScopedResource
from zhaoshang.core.importing.resource import blank_cell, clear_cell
from zhaoshang.core.models import Park, Town
from zhaoshang.core.resources import district_field, district_name_field, named_field
from zhaoshang.core.scope import user_scope
from zhaoshang.core.widgets import (
    AreaMuWidget,
    ChoiceWidget,
    ClassCodeWidget,
    DateWidget,
    MoneyWidget,
    Top500Widget,
    UsccWidget,
)
from zhaoshang.projects.models import (
    Origin,
    Project,
    ProjectListing,
)
from zhaoshang.projects.models.library import PROJECT_FIELDS
from zhaoshang.projects.resources.columns import (
    CLAIM_COLUMNS,
    HOLD_STAGE,
    IMPLEMENTATION_ALIASES,
    NATURE_ALIASES,
    CurrentChainWidget,
    _approx,
)
from zhaoshang.projects.resources.ledger import LedgerColumns
from zhaoshang.projects.services import dated_claims
from zhaoshang.projects.stages import DEFAULT_STAGES, VERIFIED_STAGES, stage_index
from zhaoshang.projects.wordings import ListingWidget, TierWidget, YearClassWidget
from zhaoshang.standards import parsers


class ProjectResource(LedgerColumns, ScopedResource):
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
    year_class = Field(column_name="年度类别", widget=YearClassWidget())
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
    expected_production_date = Field(
        attribute="expected_production_date", column_name="预计投产日期", widget=DateWidget()
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
        "年度类别": (
            "建设类别",
            "项目建设类别",
            "年度建设类别",
            "建设类型",
            "新开工/续建",
            "新开工或续建",
            "续建/新开工",
            "新开工/续建/竣工",
        ),
        "项目层级": ("层级", "级别"),
        "年度计划投资": ("本年计划投资", "年度计划", "计划投资", "当年计划投资", "年计划投资"),
        "总投资": ("计划总投资", "项目总投资", "总投资额", "投资总额"),
        "投资方": ("投资主体", "投资企业"),
        "开工时间": ("开工日期", "实际开工时间", "开工年月", "开工时间(年月)"),
        "竣工时间": (
            "竣工日期",
            "实际竣工时间",
            "实际竣工日期",
            "建成时间",
            "竣工年月",
            "完工时间",
            "完工日期",
        ),
        "投产时间": ("投产日期", "实际投产时间", "实际投产日期", "投产年月"),
        # Plans, not claims: a planned date is stored as the plan it is, never as a stage move.
        "承诺开工日期": ("计划开工时间", "计划开工日期", "拟开工时间", "预计开工时间"),
        "预计投产日期": ("计划投产时间", "计划投产日期", "预计投产时间", "拟投产时间", "计划投产年月"),
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
        **{
            header: gettext_lazy("计划竣工日期:项目没有这一字段,未导入;实际竣工请填在“竣工时间”列")
            for header in (
                "计划竣工时间",
                "计划竣工日期",
                "预计竣工时间",
                "预计竣工日期",
                "拟竣工时间",
                "计划完工时间",
            )
        },
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
                "tier": ["listing", "year_class", "planned_investment"],
                "land_mu": ["signed_date"],
                "expected_production_date": list(CLAIM_COLUMNS),
            },
            leave_out=["increase_of", "node", "referrer", "team", "officer"],
        )
        import_id_fields = ("district", "name")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._duplicate_index: Any = None
        self._skip_row = False

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
                # verifies (`services.dated_claims`), so no count, rate, target or dispatch figure takes them in before.
                instance._ledger_claim = (claimed, instance.signed_date, dated)
                instance.stage, instance.signed_date = HOLD_STAGE, None
        instance._listings = listings
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance: Any, is_create: bool) -> None:
        super().do_instance_save(instance, is_create)
        claim = getattr(instance, "_ledger_claim", None)
        if is_create and claim is not None:
            stage, signed, dated = claim
            dated_claims(instance, self.user, stage, signed, dated)
        elif not is_create and getattr(instance, "_dated_claims", None):
            dated_claims(instance, self.user, None, None, instance._dated_claims)
        year_class, class_year = getattr(instance, "_year_class", (None, None))
        if year_class and class_year is not None:
            for listing in instance.listings.filter(year=class_year).exclude(year_class=year_class):
                listing.year_class = year_class  # the table's claim for its year, saved with its history
                listing.save()
        for level, year, wording in getattr(instance, "_listings", []):
            defaults: dict[str, Any] = {"wording": wording[:100]}
            planned = self._planned(instance)
            if planned is not None:
                defaults["planned_investment"] = planned
            if year_class:
                defaults["year_class"] = year_class
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

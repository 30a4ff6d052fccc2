"""Files of the 发改 side: the monthly 完成投资 as districts report it (项目名称 or 项目代码, 月份, 当月完成投资(万元)),
and the yearly listings. An imported month waits for verification like one typed on the project page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from import_export import widgets
from import_export.fields import Field

from zhaoshang.core.importing import ScopedResource
from zhaoshang.core.resources import parent_district_field
from zhaoshang.core.widgets import ChoiceWidget, DateWidget, MoneyWidget, _blank
from zhaoshang.projects.fagai_services import month_start
from zhaoshang.projects.models import InvestmentCompletion, ListLevel, Project, ProjectListing
from zhaoshang.projects.wordings import YearClassWidget

NAME_COLUMN, CODE_COLUMN, DISTRICT_COLUMN = "项目名称", "项目代码", "区县代码"


class ProjectKeyWidget(widgets.Widget):
    """The row's project by its 项目代码 (the identity across books) or else its name (within the row's 区县代码 when
    given), among the projects the importing user may see; a code and a name that name two projects are an error."""

    def __init__(self, shows: str) -> None:
        super().__init__()
        self.shows = shows  # "name" or "project_code": what an export writes in this column

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        return project_of_row(row or {}, kwargs.get("user"))

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        return "" if value is None else getattr(value, self.shows)


def _cell(row: Any, column: str) -> str:
    value = row.get(column)
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def project_of_row(row: Any, user: Any) -> Project | None:
    projects = Project.objects.restrict(user, "view") if user is not None else Project.objects.all()
    code, name, district = _cell(row, CODE_COLUMN), _cell(row, NAME_COLUMN), _cell(row, DISTRICT_COLUMN)
    if code:
        found = projects.filter(project_code=code).first()
        if found is None:
            raise ValueError(_("找不到项目代码“%(code)s”的项目") % {"code": code})
        if name and name != found.name:
            raise ValueError(
                _("项目代码“%(code)s”是“%(found)s”,与项目名称“%(name)s”不符")
                % {"code": code, "found": found.name, "name": name}
            )
        return found
    if not name:
        raise ValueError(_("请填写项目名称或项目代码"))
    named = projects.filter(name=name)
    if district:
        named = named.filter(district__adcode=district)
    found_list = list(named[:2])
    if not found_list:
        raise ValueError(_("找不到项目“%(name)s”") % {"name": name})
    if len(found_list) > 1:
        raise ValueError(_("项目“%(name)s”不唯一,请填写项目代码或区县代码") % {"name": name})
    return found_list[0]


class InvestmentCompletionResource(ScopedResource):
    district = parent_district_field("project")
    project = Field(attribute="project", column_name=NAME_COLUMN, widget=ProjectKeyWidget("name"))
    project_code = Field(
        attribute="project", column_name=CODE_COLUMN, widget=ProjectKeyWidget("project_code")
    )
    month = Field(attribute="month", column_name="月份", widget=DateWidget())
    amount = Field(attribute="amount", column_name="当月完成投资(万元)", widget=MoneyWidget())
    note = Field(attribute="note", column_name="说明")

    class Meta(ScopedResource.Meta):
        model = InvestmentCompletion
        fields = ("district", "project", "project_code", "month", "amount", "note")
        # A row is found by its project (from either column) and month, in `get_instance`: a file may carry
        # the name, the code or both, so neither column is required on its own.
        import_id_fields = ("month",)

    def get_instance(self, instance_loader: Any, row: Any) -> Any:
        try:
            project = project_of_row(row, self.user)
            month = self.fields["month"].clean(row)
        except (ValueError, KeyError):
            return None  # the cell's error is reported against its column when the row is imported
        if project is None or month is None:
            return None
        return self.get_queryset().filter(project=project, month=month_start(month)).first()

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        before = instance.amount if instance.pk else None
        super().import_instance(instance, row, **kwargs)
        if instance.month is not None:
            instance.month = month_start(instance.month)
        if before is None or before != instance.amount:
            # The file's figure is the importer's report: it waits for someone else to verify it.
            instance.reported_by = self.user if getattr(self.user, "pk", None) else None
            instance.verified_by, instance.verified_at = None, None


class ProjectListingResource(ScopedResource):
    district = parent_district_field("project")
    project = Field(attribute="project", column_name=NAME_COLUMN, widget=ProjectKeyWidget("name"))
    project_code = Field(
        attribute="project", column_name=CODE_COLUMN, widget=ProjectKeyWidget("project_code")
    )
    year = Field(attribute="year", column_name="年度", widget=widgets.IntegerWidget())
    level = Field(attribute="level", column_name="名单", widget=ChoiceWidget(ListLevel.choices))
    year_class = Field(attribute="year_class", column_name="年度类别", widget=YearClassWidget())
    planned_investment = Field(
        attribute="planned_investment", column_name="年度计划投资(万元)", widget=MoneyWidget()
    )
    wording = Field(attribute="wording", column_name="原表写法")

    class Meta(ScopedResource.Meta):
        model = ProjectListing
        fields = (
            "district",
            "project",
            "project_code",
            "year",
            "level",
            "year_class",
            "planned_investment",
            "wording",
        )
        import_id_fields = ("year", "level")

    def get_instance(self, instance_loader: Any, row: Any) -> Any:
        try:
            project = project_of_row(row, self.user)
            year = self.fields["year"].clean(row)
            level = self.fields["level"].clean(row)
        except (ValueError, KeyError):
            return None
        if project is None:
            return None
        return self.get_queryset().filter(project=project, year=year, level=level).first()

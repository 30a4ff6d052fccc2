"""The monthly 重大项目推进情况表 (xlsx) in the shape the development-and-reform commission circulates.

A title row ("淄博市2026年11月省市重大项目推进情况表"), a "单位:亿元" row, one header row, then the total (合计), and
per reporting unit — counties first, then functional zones — a subtotal row followed by its projects. Amounts are
numbers in 亿元 with two decimals as a number format (the stored values are exact, so a subtotal equals the sum of
its rows); 投资完成率 is a number in % ("—" without a plan). Printed on A4 landscape, fitted to the page width, the
header rows repeated on every page and frozen on screen.

Which projects: those on a list (``ProjectListing``) for the month's year, among the projects the user may export,
of one district, one city's districts and zones, or every district the user may see. 1–N月完成投资 counts only
*verified* monthly figures (verified by someone other than the reporter) from January up to the month.
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from collections.abc import Iterable
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, Sum
from django.utils.translation import gettext as _

from zhaoshang.analytics.progress_table import Group, ProjectLine, Row, Sums, Table, build_table
from zhaoshang.projects.models import InvestmentCompletion, ListLevel, Project, ProjectListing

# The lists of the 省市 table, highest first: the category column names them in this order, and the year's plan is
# the highest list's that has one.
CITY_LEVELS = [
    ListLevel.PROVINCIAL_MAJOR,
    ListLevel.PROVINCIAL_PROGRAMME,
    ListLevel.PROVINCIAL_KEY,
    ListLevel.MUNICIPAL_MAJOR,
    ListLevel.MUNICIPAL_KEY,
]
ALL_LEVELS = [*CITY_LEVELS, ListLevel.DISTRICT_KEY]
NUMBER_FORMAT = "#,##0.00"
RATE_FORMAT = "0.00"


@dataclass(frozen=True)
class Selection:
    """What the table covers: the month, the place (a district, a city, or neither: all the user sees)."""

    month: datetime.date  # first of the month
    district: Any = None
    city: Any = None
    levels: tuple[str, ...] = tuple(CITY_LEVELS)

    @property
    def place(self) -> str:
        if self.district is not None:
            return self.district.name
        if self.city is not None:
            return self.city.name
        return ""

    @property
    def title(self) -> str:
        kind = _("省市重大项目") if set(self.levels) <= set(CITY_LEVELS) else _("重大项目")
        return _("%(place)s%(year)s年%(month)s月%(kind)s推进情况表") % {
            "place": self.place,
            "year": self.month.year,
            "month": self.month.month,
            "kind": kind,
        }

    @property
    def filename(self) -> str:
        return f"{self.title}.xlsx"


def month_completed(project_ids: Iterable[int], month: datetime.date) -> dict[int, Decimal]:
    """1–N月完成投资 (万元) per project: verified monthly figures of the month's year up to the month, each verified by
    someone other than its reporter."""
    rows = (
        InvestmentCompletion.objects.filter(
            project_id__in=list(project_ids),
            month__gte=month.replace(month=1, day=1),
            month__lte=month,
            verified_at__isnull=False,
            verified_by__isnull=False,
        )
        .exclude(reported_by=F("verified_by"))
        .order_by()
        .values("project_id")
        .annotate(total=Sum("amount"))
    )
    return {row["project_id"]: row["total"] for row in rows}


def _progress(project: Project) -> str:
    text = project.get_stage_display()
    if project.status != Project.Status.ON_TRACK:
        text += f"({project.get_status_display()}"
        text += f":{project.status_reason})" if project.status_reason else ")"
    return str(text)


def progress_lines(user: Any, selection: Selection) -> list[ProjectLine]:
    """The table's lines: projects on a list of the year, that ``user`` may export, in the selected place."""
    year = selection.month.year
    listings = ProjectListing.objects.restrict(user, "export").filter(year=year, level__in=selection.levels)
    if selection.district is not None:
        listings = listings.filter(project__district=selection.district)
    elif selection.city is not None:
        listings = listings.filter(project__district__city=selection.city)
    by_project: dict[int, list[ProjectListing]] = defaultdict(list)
    for listing in listings.order_by():
        by_project[listing.project_id].append(listing)
    projects = Project.objects.filter(pk__in=by_project).select_related("district")
    completed = month_completed(by_project, selection.month)
    order = {level: index for index, level in enumerate(ALL_LEVELS)}
    labels = dict(ListLevel.choices)
    lines = []
    for project in projects:
        own = sorted(by_project[project.pk], key=lambda listing: order.get(listing.level, len(order)))
        plans = [listing.planned_investment for listing in own if listing.planned_investment is not None]
        district = project.district
        lines.append(
            ProjectLine(
                name=project.name,
                group_code=district.adcode,
                group_name=district.name,
                group_is_zone=district.is_zone,
                unit=project.project_unit or project.investor_name,
                code=project.project_code,
                content=project.content,
                category="、".join(str(labels[listing.level]) for listing in own),
                nature=project.get_construction_nature_display() if project.construction_nature else "",
                total_investment=project.total_investment,
                planned=plans[0] if plans else None,
                completed=completed.get(project.pk),
                started=project.started_date,
                progress=_progress(project),
                note=project.notes,
            )
        )
    return lines


def progress_table(user: Any, selection: Selection) -> Table:
    return build_table(progress_lines(user, selection))


# --- the workbook ------------------------------------------------------------------------------------------------


def headers(month: datetime.date) -> list[str]:
    completed = (
        _("1月完成投资(亿元)")
        if month.month == 1
        else _("1-%(month)s月完成投资(亿元)") % {"month": month.month}
    )
    return [
        _("序号"),
        _("项目名称"),
        _("项目单位"),
        _("所在区县(功能区)"),
        _("项目代码"),
        _("建设内容及规模"),
        _("项目类别"),
        _("建设性质"),
        _("总投资(亿元)"),
        _("年度计划投资(亿元)"),
        completed,
        _("投资完成率(%)"),
        _("开工时间"),
        _("项目进展情况"),
        _("备注"),
    ]


# Column widths in characters (a Chinese character is two): what a printed row of the official table allows.
WIDTHS = [6, 30, 22, 14, 22, 36, 16, 10, 11, 12, 13, 11, 12, 24, 16]
MONEY_COLUMNS = (9, 10, 11)  # 1-based: 总投资, 年度计划投资, 1–N月完成投资
RATE_COLUMN = 12
HEADER_ROW = 3


def _amounts(sums: Sums | Row) -> list[Any]:
    return [
        sums.total_investment,
        sums.planned,
        sums.completed,
        sums.rate if sums.rate is not None else "—",
    ]


def _sum_row(label: str, sums: Sums) -> list[Any]:
    return ["", label, "", "", "", "", "", "", *_amounts(sums), "", "", ""]


def _project_row(row: Row) -> list[Any]:
    line = row.line
    return [
        row.number,
        line.name,
        line.unit,
        line.group_name,
        line.code,
        line.content,
        line.category,
        line.nature,
        *_amounts(row),
        line.started.strftime("%Y-%m-%d") if line.started else "",
        line.progress,
        line.note,
    ]


CHINESE_NUMBERS = "一二三四五六七八九十"


def _ordinal(index: int) -> str:
    if index < 10:
        return CHINESE_NUMBERS[index]
    tens, units = divmod(index + 1, 10)
    return (
        (CHINESE_NUMBERS[tens - 1] if tens > 1 else "") + "十" + (CHINESE_NUMBERS[units - 1] if units else "")
    )


def _group_label(index: int, group: Group) -> str:
    return _("%(ordinal)s、%(name)s(%(count)s个)小计") % {
        "ordinal": _ordinal(index),
        "name": group.name,
        "count": group.sums.count,
    }


def workbook(table: Table, selection: Selection) -> bytes:
    """The xlsx file of ``table``."""
    # deferred: openpyxl loads only when a workbook is written
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.page import PageMargins

    columns = headers(selection.month)
    book = Workbook()
    sheet = book.active
    sheet.title = _("推进情况表")
    last = get_column_letter(len(columns))
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    sheet.append([selection.title])
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].font = Font(name="方正小标宋简体", size=18)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 36
    sheet.append([""] * (len(columns) - 1) + [_("单位:亿元")])
    sheet.cell(row=2, column=len(columns)).alignment = Alignment(horizontal="right")
    sheet.append(columns)
    for cell in sheet[HEADER_ROW]:
        cell.font = Font(name="黑体", bold=True)
        cell.alignment = centre
        cell.border = border
    sheet.row_dimensions[HEADER_ROW].height = 32

    bold = Font(bold=True)
    body: list[tuple[list[Any], bool]] = [
        (_sum_row(_("合计(%(count)s个)") % {"count": table.total.count}, table.total), True)
    ]
    for index, group in enumerate(table.groups):
        body.append((_sum_row(_group_label(index, group), group.sums), True))
        body.extend((_project_row(row), False) for row in group.rows)
    # A cell's style is made once per kind of cell and copied after: setting styles cell by cell hashes them each
    # time, most of the file's time on a city's table.
    styles: dict[tuple[int, bool, bool], Any] = {}
    for number, (values, is_sum) in enumerate(body, start=HEADER_ROW + 1):
        # Cells by address: ``sheet.max_row`` and ``sheet[n]`` scan every cell, quadratic over a city's table.
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=number, column=column, value=value)
            text = isinstance(value, str)
            kind = (column, is_sum, text)
            if kind in styles:
                cell._style = copy(styles[kind])
            else:
                cell.border = border
                cell.alignment = centre if column in (1, 4, 5, 7, 8, 13) else wrap
                if is_sum:
                    cell.font = bold
                if column in MONEY_COLUMNS and not text:
                    cell.number_format = NUMBER_FORMAT
                if column == RATE_COLUMN and not text:
                    cell.number_format = RATE_FORMAT
                styles[kind] = copy(cell._style)
            if text and value:
                cell.data_type = "s"  # text stays text, whatever it starts with
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width

    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=3)  # the header rows and 序号 · 项目名称 stay
    sheet.print_title_rows = f"1:{HEADER_ROW}"
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = sheet.ORIENTATION_LANDSCAPE
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages as the rows need
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    # GB/T 9704 margins (top 37 mm, bottom 35 mm, left 28 mm, right 26 mm), turned with the page for landscape.
    sheet.page_margins = PageMargins(
        left=37 / 25.4, right=35 / 25.4, top=28 / 25.4, bottom=26 / 25.4, footer=0.4
    )
    sheet.oddFooter.center.text = _("第 &P 页 共 &N 页")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

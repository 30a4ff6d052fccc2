"""Half-monthly dispatch (半月调度): numbers frozen into a report, written to Word, decisions become tasks/blockers.

`dispatch_summary` reads a district's projects in a constant number of queries and returns plain JSON;
`dispatch_sections` turns that JSON into the headings, lines and tables that both the Word file and the page
show, so the two always carry the same numbers. Thresholds of the 三未 lists are documented in docs/delivery.md
and overridden per district in `district.settings["dispatch"]`.
"""

from __future__ import annotations

import datetime
import io
import json
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhaoshang.core.audit import acting_as
from zhaoshang.core.jobs import job_runner
from zhaoshang.core.models import District, Job
from zhaoshang.core.scope import ensure_allowed
from zhaoshang.projects.blockers import OPEN, BlockerError, blocker_raise, level_label
from zhaoshang.projects.models import (
    Blocker,
    DispatchReport,
    FundsEntry,
    Origin,
    Project,
    StageMove,
    WeeklyTask,
)
from zhaoshang.projects.stages import stages_for
from zhaoshang.projects.tasks import TaskError, task_create

DISPATCH_DEFAULTS = {
    # 签约未开工: in signed / registered / land, signed at least this many days before the period's end.
    "signed_not_started_days": 0,
    # 开工未推进: started, and no verified stage move for more than this many days.
    "stalled_days": 60,
    # 竣工未投产: completed (verified) more than this many days ago and not yet producing.
    "built_not_completed_days": 90,
    # The reserve pool is kept at least this large (DOMAIN.md §2.9: ≥100 rolling).
    "reserve_minimum": 100,
}
NOT_STARTED_STAGES = ("signed", "registered", "land")
CN_NUMBERS = "一二三四五六七八九十"
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
MAX_PERIOD_DAYS = 366


class DispatchError(ValueError):
    pass


def dispatch_settings(district: District) -> dict[str, int]:
    custom = (district.settings or {}).get("dispatch") or {}
    merged = {**DISPATCH_DEFAULTS, **{k: v for k, v in custom.items() if k in DISPATCH_DEFAULTS}}
    return {k: max(0, int(v)) for k, v in merged.items()}


def dispatch_period_default(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last complete half month: 1st–15th of this month from the 16th on, else 16th–end of last month."""
    if today.day >= 16:
        return today.replace(day=1), today.replace(day=15)
    end = today.replace(day=1) - datetime.timedelta(days=1)
    return end.replace(day=16), end


def _yi(wan: Decimal | None) -> str:
    return str((Decimal(wan or 0) / 10000).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _wan(amount: Decimal | None) -> str:
    return str(Decimal(amount or 0).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _days(since: datetime.date | None, until: datetime.date) -> int | None:
    return (until - since).days if since else None


def _department(name: str | None, short: str | None) -> str:
    return short or name or "未指定部门"


def dispatch_summary(
    *,
    district: District,
    period_start: datetime.date,
    period_end: datetime.date,
    user: Any,
    today: datetime.date | None = None,
    progress: Any = None,
) -> dict[str, Any]:
    """Every number of the report, as JSON (Chinese labels: the report is a government document)."""
    today = today or timezone.localdate()
    as_of = min(today, period_end + datetime.timedelta(days=1))  # overdue = due before this day
    limits = dispatch_settings(district)
    step = _Steps(progress, 8)
    projects = (
        Project.objects.restrict(user, "view")
        .filter(district=district)
        .exclude(status=Project.Status.TERMINATED)
    )
    with translation.override("zh-hans"):
        stage_labels = {code: str(label) for code, label in stages_for(district)}
        step("项目总体情况")
        by_stage = {
            row["stage"]: row
            for row in projects.order_by()
            .values("stage")
            .annotate(n=Count("pk"), total=Sum("total_investment"))
        }
        stages = [
            {
                "code": code,
                "label": label,
                "count": by_stage.get(code, {}).get("n", 0),
                "investment_yi": _yi(by_stage.get(code, {}).get("total")),
            }
            for code, label in stage_labels.items()
        ]
        totals = {
            "count": sum(row["n"] for row in by_stage.values()),
            "investment_yi": _yi(sum((row["total"] or Decimal(0) for row in by_stage.values()), Decimal(0))),
        }
        step("阶段变更")
        moves = [
            {
                "project_id": m.project_id,
                "project": m.project.name,
                "from": stage_labels.get(m.from_stage, m.get_from_stage_display()),
                "to": stage_labels.get(m.to_stage, m.get_to_stage_display()),
                "date": m.date.isoformat(),
                "verified_by": m.verified_by.get_full_name() or m.verified_by.username
                if m.verified_by
                else "",
            }
            for m in StageMove.objects.restrict(user, "view")
            .filter(project__district=district, verified_at__isnull=False, date__gte=period_start)
            .filter(date__lte=period_end)
            .select_related("project", "verified_by")
            .order_by("date", "pk")
        ]
        step("滞后停滞项目")
        delayed = [
            {
                "project_id": p.pk,
                "project": p.name,
                "stage": stage_labels.get(p.stage, p.stage),
                "status": str(p.get_status_display()),
                "reason": p.status_reason,
            }
            for p in projects.filter(status__in=[Project.Status.DELAYED, Project.Status.STALLED]).order_by(
                "-status", "name"
            )
        ]
        step("三未项目")
        sanwei = _sanwei(projects, stage_labels, limits, period_end, as_of)
        step("逾期任务")
        tasks = (
            WeeklyTask.objects.restrict(user, "view")
            .filter(project__in=projects, due_date__lt=as_of)
            .exclude(status=WeeklyTask.Status.DONE)
            .order_by()
            .values("department__name", "department__short_name")
            .annotate(n=Count("pk"))
        )
        overdue_tasks = sorted(
            (
                {
                    "department": _department(r["department__name"], r["department__short_name"]),
                    "overdue": r["n"],
                }
                for r in tasks
            ),
            key=lambda r: (-r["overdue"], r["department"]),
        )
        step("未销号堵点")
        blockers = _blockers(user, projects, as_of)
        step("资金到位")
        funds = _funds(user, district, period_start, period_end)
        step("项目储备")
        reserve_count = by_stage.get("reserve", {}).get("n", 0)
        reserve = {
            "count": reserve_count,
            "minimum": limits["reserve_minimum"],
            "met": reserve_count >= limits["reserve_minimum"],
            "gap": max(0, limits["reserve_minimum"] - reserve_count),
        }
    return {
        "version": 1,
        "district": {"id": district.pk, "adcode": district.adcode, "name": district.name},
        "period": {
            "start": period_start.isoformat(),
            "end": period_end.isoformat(),
            "as_of": as_of.isoformat(),
        },
        "generated_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "thresholds": limits,
        "stages": stages,
        "totals": totals,
        "moves": moves,
        "delayed": delayed,
        "sanwei": sanwei,
        "tasks": {"overdue_total": sum(r["overdue"] for r in overdue_tasks), "by_department": overdue_tasks},
        "blockers": blockers,
        "funds": funds,
        "reserve": reserve,
    }


class _Steps:
    def __init__(self, progress: Any, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self, message: str) -> None:
        if self.progress is not None:
            self.progress(self.done, self.total, message)
        self.done += 1


def _sanwei(
    projects: Any, labels: dict[str, str], limits: dict[str, int], end: datetime.date, as_of: datetime.date
) -> dict[str, list[dict[str, Any]]]:
    """三未: signed-not-started, started-not-progressing, built-not-completed (thresholds in `limits`)."""
    verified = Q(moves__verified_at__isnull=False)
    signed = []
    for p in projects.filter(stage__in=NOT_STARTED_STAGES).order_by("signed_date", "name"):
        days = _days(p.signed_date, end)
        if days is not None and days < limits["signed_not_started_days"]:
            continue
        signed.append(
            {
                "project_id": p.pk,
                "project": p.name,
                "stage": labels.get(p.stage, p.stage),
                "signed_date": _iso(p.signed_date),
                "days": days,
                "promised_start": _iso(p.promised_start_date),
                "past_promised_start": bool(p.promised_start_date and p.promised_start_date < as_of),
            }
        )
    started = []
    for p in (
        projects.filter(stage="started")
        .annotate(last_move=Max("moves__date", filter=verified))
        .order_by("started_date", "name")
    ):
        since = (
            max(d for d in (p.last_move, p.started_date) if d) if (p.last_move or p.started_date) else None
        )
        days = _days(since, end)
        if days is not None and days <= limits["stalled_days"]:
            continue
        started.append(
            {
                "project_id": p.pk,
                "project": p.name,
                "started_date": _iso(p.started_date),
                "last_move": _iso(p.last_move),
                "days": days,
            }
        )
    built = []
    for p in (
        projects.filter(stage="completed")
        .annotate(completed_on=Max("moves__date", filter=verified & Q(moves__to_stage="completed")))
        .order_by("completed_on", "name")
    ):
        days = _days(p.completed_on, end)
        if days is not None and days <= limits["built_not_completed_days"]:
            continue
        built.append(
            {"project_id": p.pk, "project": p.name, "completed_date": _iso(p.completed_on), "days": days}
        )
    return {"signed_not_started": signed, "started_not_progressing": started, "built_not_completed": built}


def _blockers(user: Any, projects: Any, as_of: datetime.date) -> dict[str, Any]:
    items = []
    by_department: dict[str, dict[str, Any]] = {}
    rows = (
        Blocker.objects.restrict(user, "view")
        .filter(project__in=projects, status__in=OPEN)
        .select_related("project", "department")
        .order_by("-level", "deadline", "pk")
    )
    for b in rows:
        overdue = b.deadline is not None and b.deadline < as_of
        department = _department(b.department.name, b.department.short_name) if b.department else "未交办"
        items.append(
            {
                "project_id": b.project_id,
                "project": b.project.name,
                "title": b.title,
                "department": department,
                "deadline": _iso(b.deadline),
                "status": str(b.get_status_display()),
                "level": b.level,
                "level_label": level_label(b.level),
                "overdue": overdue,
            }
        )
        row = by_department.setdefault(
            department, {"department": department, "open": 0, "overdue": 0, "level": 0}
        )
        row["open"] += 1
        row["overdue"] += int(overdue)
        row["level"] = max(row["level"], b.level)
    return {
        "open_total": len(items),
        "overdue_total": sum(int(i["overdue"]) for i in items),
        "by_department": sorted(by_department.values(), key=lambda r: (-r["open"], r["department"])),
        "items": items,
    }


def _funds(user: Any, district: District, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    sums = {
        row["origin"]: row["total"]
        for row in FundsEntry.objects.restrict(user, "view")
        .filter(project__district=district, date__gte=start, date__lte=end)
        .order_by()
        .values("origin")
        .annotate(total=Sum("amount"))
    }
    by_origin = [
        {
            "origin": code,
            "label": str(label),
            "amount_wan": _wan(sums.get(code)),
            "highlight": code == Origin.OUTSIDE_PROVINCE,
        }
        for code, label in Origin.choices
    ]
    return {
        "total_wan": _wan(sum((v or Decimal(0) for v in sums.values()), Decimal(0))),
        "out_of_province_wan": _wan(sums.get(Origin.OUTSIDE_PROVINCE)),
        "by_origin": by_origin,
    }


# --- the same content for the page and for Word --------------------------------------------------------------


@dataclass
class SectionTable:
    headers: list[str]
    rows: list[list[str]]
    links: list[int | None] = field(default_factory=list)  # project id of each row, for the page
    strong: list[bool] = field(default_factory=list)  # rows to highlight
    caption: str = ""

    def numeric_columns(self) -> list[int]:
        """Columns holding only numbers (right-aligned on the page)."""
        return [
            i
            for i in range(len(self.headers))
            if self.rows and all(_NUMBER.fullmatch(row[i]) or row[i] == "—" for row in self.rows)
        ]

    def entries(self) -> list[tuple[list[str], int | None, bool]]:
        """(cells, project id, highlighted) per row, for the page."""
        return [
            (
                row,
                self.links[i] if i < len(self.links) else None,
                bool(self.strong[i]) if i < len(self.strong) else False,
            )
            for i, row in enumerate(self.rows)
        ]


@dataclass
class Section:
    key: str
    heading: str
    lines: list[str] = field(default_factory=list)
    tables: list[SectionTable] = field(default_factory=list)


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _table(headers: list[str], items: list[dict[str, Any]], keys: list[str], **extra: Any) -> SectionTable:
    return SectionTable(
        headers=headers,
        rows=[[_cell(item.get(k)) for k in keys] for item in items],
        links=[item.get("project_id") for item in items],
        **extra,
    )


def dispatch_sections(summary: dict[str, Any], minutes: str = "") -> list[Section]:
    """The report's content in order: what the page shows and what the Word file holds."""
    if not summary.get("stages"):
        return []
    t, s = summary["thresholds"], summary["sanwei"]
    sections = []
    overview = _table(
        ["阶段", "项目数(个)", "总投资(亿元)"], summary["stages"], ["label", "count", "investment_yi"]
    )
    overview.rows.append(["合计", _cell(summary["totals"]["count"]), summary["totals"]["investment_yi"]])
    overview.links.append(None)
    sections.append(
        Section(
            "overview",
            "项目总体情况",
            [
                f"在库项目 {summary['totals']['count']} 个(不含已终止),"
                f"总投资 {summary['totals']['investment_yi']} 亿元。"
            ],
            [overview],
        )
    )
    moves = summary["moves"]
    sections.append(
        Section(
            "moves",
            "本期阶段变更(已审核)",
            [f"本期共有 {len(moves)} 项阶段变更经审核确认。"],
            [
                _table(
                    ["项目", "原阶段", "新阶段", "日期", "审核人"],
                    moves,
                    ["project", "from", "to", "date", "verified_by"],
                )
            ],
        )
    )
    delayed = summary["delayed"]
    sections.append(
        Section(
            "delayed",
            "滞后、停滞项目",
            [f"滞后、停滞项目 {len(delayed)} 个。"],
            [_table(["项目", "阶段", "状态", "原因"], delayed, ["project", "stage", "status", "reason"])],
        )
    )
    signed_table = _table(
        ["项目", "阶段", "签约日期", "已签约(天)", "承诺开工", "超期未开工"],
        s["signed_not_started"],
        ["project", "stage", "signed_date", "days", "promised_start", "past_promised_start"],
        caption=f"(一)签约未开工 {len(s['signed_not_started'])} 个",
    )
    signed_table.strong = [bool(i["past_promised_start"]) for i in s["signed_not_started"]]
    sections.append(
        Section(
            "sanwei",
            "“三未”项目",
            [
                f"签约未开工:处于签约、注册、供地阶段,签约满 {t['signed_not_started_days']} 天;"
                f"开工未推进:开工阶段且超过 {t['stalled_days']} 天无审核通过的阶段变更;"
                f"竣工未投产:竣工超过 {t['built_not_completed_days']} 天仍未投产。天数计至 {summary['period']['end']}。"
            ],
            [
                signed_table,
                _table(
                    ["项目", "开工日期", "最近审核变更", "未推进(天)"],
                    s["started_not_progressing"],
                    ["project", "started_date", "last_move", "days"],
                    caption=f"(二)开工未推进 {len(s['started_not_progressing'])} 个",
                ),
                _table(
                    ["项目", "竣工日期", "竣工已(天)"],
                    s["built_not_completed"],
                    ["project", "completed_date", "days"],
                    caption=f"(三)竣工未投产 {len(s['built_not_completed'])} 个",
                ),
            ],
        )
    )
    tasks = summary["tasks"]
    sections.append(
        Section(
            "tasks",
            "逾期任务",
            [f"截至 {summary['period']['as_of']},逾期未完成的周任务 {tasks['overdue_total']} 项。"],
            [_table(["责任部门", "逾期任务(项)"], tasks["by_department"], ["department", "overdue"])],
        )
    )
    blockers = summary["blockers"]
    sections.append(
        Section(
            "blockers",
            "未销号堵点",
            [f"未解决堵点 {blockers['open_total']} 个,其中超过办结时限 {blockers['overdue_total']} 个。"],
            [
                _table(
                    ["责任部门", "未解决(个)", "逾期(个)", "最高督办层级"],
                    blockers["by_department"],
                    ["department", "open", "overdue", "level"],
                ),
                _table(
                    ["项目", "堵点", "责任部门", "办结时限", "状态", "督办层级"],
                    blockers["items"],
                    ["project", "title", "department", "deadline", "status", "level_label"],
                    strong=[bool(i["overdue"]) for i in blockers["items"]],
                ),
            ],
        )
    )
    funds = summary["funds"]
    funds_table = _table(["资金来源地", "到位资金(万元)"], funds["by_origin"], ["label", "amount_wan"])
    funds_table.strong = [bool(i["highlight"]) for i in funds["by_origin"]]
    funds_table.rows.append(["合计", funds["total_wan"]])
    funds_table.links.append(None)
    funds_table.strong.append(False)
    sections.append(
        Section(
            "funds",
            "资金到位情况",
            [f"本期到位资金 {funds['total_wan']} 万元,其中省外资金 {funds['out_of_province_wan']} 万元。"],
            [funds_table],
        )
    )
    reserve = summary["reserve"]
    verdict = "达到要求" if reserve["met"] else f"尚差 {reserve['gap']} 个"
    sections.append(
        Section(
            "reserve",
            "项目储备",
            [f"储备项目 {reserve['count']} 个,要求滚动保持不少于 {reserve['minimum']} 个,{verdict}。"],
        )
    )
    if minutes.strip():
        sections.append(
            Section("minutes", "会议纪要", [line for line in minutes.splitlines() if line.strip()])
        )
    decisions = summary.get("decisions") or []
    if decisions:
        sections.append(
            Section(
                "decisions",
                "议定事项",
                [f"会议议定事项 {len(decisions)} 项,已转为周任务或堵点跟踪办理。"],
                [
                    _table(
                        ["项目", "类型", "事项", "责任部门", "时限"],
                        decisions,
                        ["project", "kind_label", "text", "department", "due_date"],
                    )
                ],
            )
        )
    for index, section in enumerate(sections):
        section.heading = f"{CN_NUMBERS[index]}、{section.heading}"
    return sections


def dispatch_period_label(summary: dict[str, Any]) -> str:
    start = datetime.date.fromisoformat(summary["period"]["start"])
    end = datetime.date.fromisoformat(summary["period"]["end"])
    return f"{start.year}年{start.month}月{start.day}日—{end.year}年{end.month}月{end.day}日"


# --- Word -------------------------------------------------------------------------------------------------

BODY_FONT, HEADING_FONT, LATIN_FONT = "仿宋", "黑体", "Times New Roman"


def _font(target: Any, east_asian: str, size: float | None = None, bold: bool | None = None) -> None:
    """Set the font of a run or style, East Asian glyphs included (w:eastAsia), overriding theme fonts."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    target.font.name = LATIN_FONT
    if size is not None:
        target.font.size = Pt(size)
    if bold is not None:
        target.font.bold = bold
    fonts = target._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def dispatch_document(report: DispatchReport) -> bytes:
    """The report as a Word file: title, period, then every section with its tables (python-docx, offline)."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    summary = report.summary
    document = Document()
    _font(document.styles["Normal"], BODY_FONT, 14)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(report.title), HEADING_FONT, 20, bold=True)
    if summary.get("period"):
        period = document.add_paragraph()
        period.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(period.add_run(f"({dispatch_period_label(summary)})"), BODY_FONT, 14)
    for section in dispatch_sections(summary, report.minutes):
        heading = document.add_paragraph()
        _font(heading.add_run(section.heading), HEADING_FONT, 16)
        for line in section.lines:
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.first_line_indent = _pt(28)
            _font(paragraph.add_run(line), BODY_FONT, 14)
        for table_data in section.tables:
            if table_data.caption:
                _font(document.add_paragraph().add_run(table_data.caption), BODY_FONT, 14, bold=True)
            if not table_data.rows:
                _font(document.add_paragraph().add_run("无。"), BODY_FONT, 14)
                continue
            table = document.add_table(rows=1, cols=len(table_data.headers))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for cell, text in zip(table.rows[0].cells, table_data.headers, strict=True):
                _font(cell.paragraphs[0].add_run(text), HEADING_FONT, 10.5)
            for index, row in enumerate(table_data.rows):
                strong = index < len(table_data.strong) and table_data.strong[index]
                for cell, text in zip(table.add_row().cells, row, strict=True):
                    _font(cell.paragraphs[0].add_run(text), BODY_FONT, 10.5, bold=strong)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pt(value: float) -> Any:
    from docx.shared import Pt

    return Pt(value)


def _attach_document(report: DispatchReport) -> None:
    """Write the Word file into the report (saved with it); the file it replaces goes once that commits."""
    old = report.document.name
    name = f"{report.district.adcode}-{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}.docx"
    report.document.save(name, ContentFile(dispatch_document(report)), save=False)
    if old and old != report.document.name:
        storage = report.document.storage
        transaction.on_commit(lambda: storage.delete(old))


# --- writes -----------------------------------------------------------------------------------------------


def _check_period(start: datetime.date, end: datetime.date) -> None:
    if start is None or end is None:
        raise DispatchError(_("请填写起始日期和截止日期。"))
    if end < start:
        raise DispatchError(_("截止日期不能早于起始日期。"))
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise DispatchError(_("调度期间不能超过一年。"))


def dispatch_build(
    *,
    district: District,
    period_start: datetime.date,
    period_end: datetime.date,
    user: Any,
    minutes: str | None = None,
    today: datetime.date | None = None,
    channel: str = "web",
    progress: Any = None,
) -> DispatchReport:
    """Freeze the numbers of one period into a report (a new one, or the same period's again) and its Word file."""
    _check_period(period_start, period_end)
    with transaction.atomic(), acting_as(user, channel):
        ensure_allowed(user, "add", district)
        report = (
            DispatchReport.objects.select_for_update()
            .filter(district=district, period_start=period_start, period_end=period_end)
            .first()
        )
        if report is None:
            number = DispatchReport.objects.filter(district=district, period_end__lt=period_end).count() + 1
            report = DispatchReport(
                district=district,
                period_start=period_start,
                period_end=period_end,
                title=f"{district.name}重点项目推进调度报告(第{number}期)",
            )
            decisions: list[dict[str, Any]] = []
            action = "add"
        else:
            ensure_allowed(user, "change", report)
            number = report.summary.get("number") or 0
            decisions = report.summary.get("decisions") or []
            action = "change"
        summary = dispatch_summary(
            district=district,
            period_start=period_start,
            period_end=period_end,
            user=user,
            today=today,
            progress=progress,
        )
        report.summary = {**summary, "number": number, "decisions": decisions}
        if minutes is not None:
            report.minutes = minutes
        _attach_document(report)
        report.full_clean()
        report.save()
        ensure_allowed(user, action, report)
        return report


def dispatch_minutes_set(
    *, report: DispatchReport, minutes: str, user: Any, channel: str = "web"
) -> DispatchReport:
    with transaction.atomic(), acting_as(user, channel):
        report = DispatchReport.objects.select_for_update().select_related("district").get(pk=report.pk)
        ensure_allowed(user, "change", report)
        report.minutes = minutes
        _attach_document(report)
        report.save()
        return report


DECISION_KINDS = {"task": "周任务", "blocker": "堵点"}


def dispatch_decision_add(
    *,
    report: DispatchReport,
    project: Project,
    kind: str,
    text: str,
    user: Any,
    department: Any = None,
    due_date: datetime.date | None = None,
    channel: str = "web",
) -> WeeklyTask | Blocker:
    """A meeting decision: one line that becomes a weekly task or a blocker, and is listed in the report."""
    with transaction.atomic(), acting_as(user, channel):
        report = DispatchReport.objects.select_for_update().select_related("district").get(pk=report.pk)
        ensure_allowed(user, "change", report)
        if project.district_id != report.district_id:
            raise DispatchError(_("项目须属于本报告所在区县。"))
        if kind not in DECISION_KINDS:
            raise DispatchError(_("类型只能是周任务或堵点。"))
        if not text.strip():
            raise DispatchError(_("请填写议定事项。"))
        if kind == "task":
            created: WeeklyTask | Blocker = task_create(
                project=project,
                title=text,
                due_date=due_date,
                department=department,
                user=user,
                channel=channel,
            )
        else:
            created = blocker_raise(
                project=project,
                title=text,
                description=f"{report.title}议定",
                department=department,
                deadline=due_date,
                user=user,
                channel=channel,
            )
        decision = {
            "kind": kind,
            "kind_label": DECISION_KINDS[kind],
            "object_id": created.pk,
            "project_id": project.pk,
            "project": project.name,
            "text": text.strip(),
            "department": str(department) if department else "",
            "due_date": _iso(due_date),
        }
        report.summary = {**report.summary, "decisions": [*(report.summary.get("decisions") or []), decision]}
        _attach_document(report)
        report.save()
        return created


def dispatch_save(form: Any, user: Any) -> DispatchReport:
    """The saver of the report form: a new report is built; an edit (title, minutes) re-writes the Word file."""
    from zhaoshang.core.services import object_save

    try:
        if form.instance._state.adding:
            data = form.cleaned_data
            return dispatch_build(
                district=data["district"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                minutes=data.get("minutes", ""),
                user=user,
            )
        report = form.save(commit=False)
        _attach_document(report)
        return object_save(instance=report, user=user)
    except DispatchError as error:
        raise ValidationError(str(error)) from error


DecisionErrors = (DispatchError, TaskError, BlockerError, ValidationError)


@job_runner("dispatch-build")
def run_dispatch_build(job: Job, progress: Any) -> dict[str, Any]:
    """Params: `district` (id), `start`, `end` (ISO dates)."""
    district = District.objects.restrict(job.user, "add").get(pk=job.params["district"])
    report = dispatch_build(
        district=district,
        period_start=datetime.date.fromisoformat(job.params["start"]),
        period_end=datetime.date.fromisoformat(job.params["end"]),
        user=job.user,
        channel="job",
        progress=progress,
    )
    return {"report": report.pk, "title": report.title, "url": reverse("dispatch_detail", args=[report.pk])}


# --- command line -----------------------------------------------------------------------------------------


class DispatchCommand(BaseCommand):
    """`zhaoshang dispatch --district 370305 [--start D --end D] [-o FILE.docx]`: what the half-monthly timer runs."""

    help = "Build a district's dispatch report (default: the last half month) and its Word file."

    def add_arguments(self, parser: Any) -> None:
        from zhaoshang.core.management.commands._actor import add_actor_argument

        parser.add_argument("--district", required=True, metavar="ADCODE")
        parser.add_argument("--start", metavar="YYYY-MM-DD")
        parser.add_argument("--end", metavar="YYYY-MM-DD")
        parser.add_argument("-o", "--output", metavar="FILE.docx", help="also copy the Word file here")
        parser.add_argument(
            "--format", choices=["table", "json"], default="table", help="json: the frozen numbers"
        )
        add_actor_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        from pathlib import Path

        from zhaoshang.core.management.commands._actor import command_actor

        user = command_actor(options["actor"])
        district = District.objects.restrict(user, "add").filter(adcode=options["district"]).first()
        if district is None:
            raise CommandError(f"区县 {options['district']} 不存在或不在权限范围内")
        if bool(options["start"]) != bool(options["end"]):
            raise CommandError("--start 与 --end 须同时给出")
        try:
            if options["start"]:
                start = datetime.date.fromisoformat(options["start"])
                end = datetime.date.fromisoformat(options["end"])
            else:
                start, end = dispatch_period_default(timezone.localdate())
        except ValueError:
            raise CommandError("日期须为 YYYY-MM-DD") from None
        try:
            report = dispatch_build(
                district=district, period_start=start, period_end=end, user=user, channel="cli"
            )
        except DispatchError as error:
            raise CommandError(str(error)) from None
        if options["output"]:
            with report.document.open("rb") as source:
                Path(options["output"]).write_bytes(source.read())
        summary = report.summary
        if options["format"] == "json":
            payload = {"id": report.pk, "title": report.title, "document": report.document.name, **summary}
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{report.title}({start} — {end})")
        self.stdout.write(
            f"在库项目 {summary['totals']['count']} 个;阶段变更 {len(summary['moves'])} 项;"
            f"逾期任务 {summary['tasks']['overdue_total']} 项;未解决堵点 {summary['blockers']['open_total']} 个"
        )
        self.stdout.write(f"Word: {report.document.name}")

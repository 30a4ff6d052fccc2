"""`zhaoshang schedule TEMPLATE.json`: critical path of an approval template, without a database.

    zhaoshang schedule TEMPLATE.json [--start YYYY-MM-DD] [--calendar cn-workdays|days] [--format json|table]
    zhaoshang schedule --default-template [--limit promised|legal] > template.json

Planners run it on their own files, so bad input exits with code 2 and a one-line reason. No system checks:
the command must work before `migrate`. The database is read only when a plan reaches a year the calendar
package does not cover, for a holiday notice an administrator may have entered; without one (or without a
database) that year counts the statutory days by law, and the output says it is provisional.
"""

from __future__ import annotations

import datetime
import io
import json
import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils.translation import get_language
from rich.console import Console
from rich.table import Table

from zhaoshang.analytics.schedule.approval_template import DEFAULT_APPROVAL_TEMPLATE
from zhaoshang.analytics.schedule.cpm import (
    Schedule,
    ScheduleDates,
    ScheduleError,
    calendar_by_name,
    schedule_compute,
    schedule_dates,
    steps_from_json,
)
from zhaoshang.analytics.schedule.holidays import DayAdjustment, provisional_warning
from zhaoshang.core.selectors import calendar_adjustments
from zhaoshang.standards.errors import in_language

BAD_INPUT = 2  # like argparse: the caller's input is wrong, as opposed to a crash (1)


def _bad_input(zh: str, en: str) -> CommandError:
    return CommandError(in_language(zh, en, get_language()), returncode=BAD_INPUT)


class Command(BaseCommand):
    help = "Critical path (CPM) of an approval template: durations, float, critical path, dates."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "template", nargs="?", help='JSON: {"steps": [{"id", "name", "duration", "predecessors"}]}'
        )
        parser.add_argument("--start", metavar="YYYY-MM-DD", help="start date: also give dates per step")
        parser.add_argument(
            "--calendar",
            choices=["cn-workdays", "days"],
            default="cn-workdays",
            help="working days of the Chinese calendar (调休 included) or every calendar day",
        )
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument(
            "--default-template",
            action="store_true",
            help="print the default 6-module, 14-step approval template as JSON and stop",
        )
        parser.add_argument(
            "--limit",
            choices=["promised", "legal"],
            default="promised",
            help="with --default-template: which limit becomes the duration",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["default_template"]:
            if options["template"]:
                raise _bad_input(
                    "--default-template 与模板文件不能同时给出",
                    "Give either --default-template or a template file",
                )
            data = DEFAULT_APPROVAL_TEMPLATE.to_json(limit=options["limit"])
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        if not options["template"]:
            raise _bad_input(
                "请给出模板文件，或用 --default-template 导出默认模板",
                "Give a template file, or --default-template to print the default one",
            )
        start = self._start_date(options["start"])
        self._warnings: list[str] = []
        try:
            steps = steps_from_json(self._read_json(Path(options["template"])))
            schedule = schedule_compute(steps)
            dates = None
            provisional: list[int] = []
            if start is not None:
                calendar = calendar_by_name(options["calendar"], self._entered_notices)
                dates = schedule_dates(schedule, start, calendar)
                provisional = sorted(calendar.provisional_years)  # type: ignore[attr-defined]
        except ScheduleError as error:
            raise _bad_input(error.zh, error.en) from error
        if provisional:
            self._warnings.append(in_language(*provisional_warning(provisional), get_language()))
        if options["format"] == "json":
            result = _as_json(schedule, dates)
            result["provisional"] = bool(provisional)
            result["provisional_years"] = provisional
            result["warnings"] = self._warnings
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(self._table(schedule, dates, options["calendar"]), ending="")

    def _entered_notices(self) -> list[DayAdjustment]:
        """The holiday notices entered by administrators; none (and a warning) when there is no database yet."""
        try:
            return calendar_adjustments()
        except DatabaseError:
            self._warnings.append(
                in_language(
                    "无法读取数据库中录入的放假通知,按法定节假日计算",
                    "Cannot read the holiday notices entered in the database; counting the statutory days",
                    get_language(),
                )
            )
            return []

    def _start_date(self, value: str | None) -> datetime.date | None:
        if value is None:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise _bad_input(
                f"开始日期须为 YYYY-MM-DD：{value}", f"The start date must be YYYY-MM-DD: {value}"
            ) from None

    def _read_json(self, path: Path) -> object:
        try:
            # utf-8-sig: files saved by Windows editors start with a byte-order mark.
            text = path.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise _bad_input(
                f"无法读取模板文件 {path}：{error.strerror}",
                f"Cannot read the template {path}: {error.strerror}",
            ) from error
        except UnicodeDecodeError:
            raise _bad_input(
                f"模板文件 {path} 不是 UTF-8 文本", f"The template {path} is not UTF-8 text"
            ) from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise _bad_input(
                f"模板文件 {path} 不是有效的 JSON（第 {error.lineno} 行第 {error.colno} 列：{error.msg}）",
                f"The template {path} is not valid JSON "
                f"(line {error.lineno}, column {error.colno}: {error.msg})",
            ) from None

    def _table(self, schedule: Schedule, dates: ScheduleDates | None, calendar: str) -> str:
        workdays = calendar == "cn-workdays" or dates is None
        unit = "个工作日" if workdays else "天"
        table = Table(
            title="关键路径法排期（★ 关键步骤：总时差为 0）",
            caption="ES/EF 最早开始/完成，LS/LF 最迟开始/完成："
            + ("工作日序号，从 0 起" if workdays else "日序号，从 0 起"),
        )
        table.add_column("")
        table.add_column("编号")
        # Names fold onto a second line rather than lose their end: "竣工联合验收（规划/消防/…）" matters.
        table.add_column("名称", overflow="fold")
        for header in ("工期", "ES", "EF", "LS", "LF", "总时差"):
            table.add_column(header, justify="right")
        if dates is not None:
            table.add_column("开始日期")
            table.add_column("完成日期")
        for i, t in enumerate(schedule.steps):
            row = ["★" if t.critical else "", t.id, t.name]
            row += [str(v) for v in (t.duration, t.es, t.ef, t.ls, t.lf, t.total_float)]
            if dates is not None:
                d = dates.steps[i]
                row += [d.start.isoformat(), d.finish.isoformat()]
            table.add_row(*row, style="bold red" if t.critical else None)

        tty = self.stdout.isatty()
        buffer = io.StringIO()
        width = shutil.get_terminal_size((120, 24)).columns if tty else 120
        console = Console(file=buffer, width=width, force_terminal=tty, no_color=not tty, highlight=False)
        console.print(table)
        console.print(
            f"工期 {schedule.duration} {unit}；串行办理 {schedule.serial_duration} {unit}；"
            f"压缩 {schedule.compression:.1%}"
        )
        console.print("关键路径：" + " → ".join(schedule.critical_path))
        if dates is not None:
            console.print(f"开始 {dates.start.isoformat()}，完成 {dates.finish.isoformat()}")
        for warning in self._warnings:
            console.print(f"⚠ {warning}", style="yellow")
        return buffer.getvalue()


def _as_json(schedule: Schedule, dates: ScheduleDates | None) -> dict[str, Any]:
    steps: list[dict[str, Any]] = []
    for i, t in enumerate(schedule.steps):
        row: dict[str, Any] = {
            "id": t.id,
            "name": t.name,
            "duration": t.duration,
            "es": t.es,
            "ef": t.ef,
            "ls": t.ls,
            "lf": t.lf,
            "total_float": t.total_float,
            "critical": t.critical,
        }
        if dates is not None:
            row["start_date"] = dates.steps[i].start.isoformat()
            row["finish_date"] = dates.steps[i].finish.isoformat()
        steps.append(row)
    result: dict[str, Any] = {
        "duration": schedule.duration,
        "serial_duration": schedule.serial_duration,
        "compression": round(schedule.compression, 4),
        "critical_path": list(schedule.critical_path),
    }
    if dates is not None:
        result["start_date"] = dates.start.isoformat()
        result["finish_date"] = dates.finish.isoformat()
    result["steps"] = steps
    return result

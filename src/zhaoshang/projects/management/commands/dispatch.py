"""`zhaoshang dispatch --district ADCODE [--start D --end D] [-o FILE.docx] [--format json]` (see docs/delivery.md)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhaoshang.core.management.commands._actor import add_actor_argument, command_actor
from zhaoshang.core.models import District
from zhaoshang.projects.delivery.dispatch.services import (
    DispatchError,
    dispatch_build,
    dispatch_period_default,
)


class Command(BaseCommand):
    """`zhaoshang dispatch --district 370305 [--start D --end D] [-o FILE.docx]`: what the half-monthly timer runs."""

    help = "Build a district's dispatch report (default: the last half month) and its Word file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--district", required=True, metavar="ADCODE")
        parser.add_argument("--start", metavar="YYYY-MM-DD")
        parser.add_argument("--end", metavar="YYYY-MM-DD")
        parser.add_argument("-o", "--output", metavar="FILE.docx", help="also copy the Word file here")
        parser.add_argument(
            "--format", choices=["table", "json"], default="table", help="json: the frozen numbers"
        )
        add_actor_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
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

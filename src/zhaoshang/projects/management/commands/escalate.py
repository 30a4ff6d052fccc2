"""`zhaoshang escalate [--district ADCODE] [--date D] [--format json]`: run daily (see docs/delivery.md)."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhaoshang.core.management.commands._actor import add_actor_argument, command_actor
from zhaoshang.core.models import District
from zhaoshang.projects.delivery.blockers import blockers_escalate, level_label


class Command(BaseCommand):
    """`zhaoshang escalate [--district ADCODE] [--date YYYY-MM-DD] [--as USER]`: run daily (cron / systemd)."""

    help = "Escalate open blockers past their deadline by one level (idempotent per day)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--district", metavar="ADCODE", help="only this district (default: all in scope)")
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="the day to escalate for (default: today)")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        add_actor_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        user = command_actor(options["actor"])
        district = None
        if options["district"]:
            district = District.objects.restrict(user, "change").filter(adcode=options["district"]).first()
            if district is None:
                raise CommandError(f"区县 {options['district']} 不存在或不在权限范围内")
        try:
            today = datetime.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError:
            raise CommandError(f"日期须为 YYYY-MM-DD: {options['date']}") from None
        result = blockers_escalate(user=user, today=today, district=district, channel="cli")
        if options["format"] == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        for row in result["escalated"]:
            self.stdout.write(
                f"升级 #{row['id']} {row['title']} → {row['level']} 级({level_label(row['level'])})"
            )
        self.stdout.write(
            f"{result['date']}: 检查 {result['checked']} 个逾期堵点,升级 {len(result['escalated'])} 个"
        )

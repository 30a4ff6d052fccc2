"""`zhaoshang notify [--dry-run] [--date D] [--district ADCODE] [--format json]`: run the reminder rules once."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhaoshang.core.models import District
from zhaoshang.notifications.models import Rule
from zhaoshang.notifications.services import notify_run


class Command(BaseCommand):
    help = (
        "Run the notification rules once: new inbox items, e-mails and group-robot posts, then send what is due "
        "(the worker does this on its schedule). --dry-run counts without writing or sending."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count what would be sent; write nothing")
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="the day to run for (default: today)")
        parser.add_argument("--district", metavar="ADCODE", help="only this district")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = datetime.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError:
            raise CommandError(f"日期须为 YYYY-MM-DD: {options['date']}") from None
        district = None
        if options["district"]:
            district = District.objects.filter(adcode=options["district"]).first()
            if district is None:
                raise CommandError(f"区县 {options['district']} 不存在")
        result = notify_run(today=today, district=district, dry_run=options["dry_run"])
        if options["format"] == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        labels = dict(Rule.choices)
        for rule, count in result["events"].items():
            self.stdout.write(f"{labels.get(rule, rule)}: {count}")
        prefix = "(演练,未写入)" if result["dry_run"] else ""
        self.stdout.write(
            f"{prefix}{result['date']}: 新提醒 {result['notifications']} 条,待发送 {result['deliveries']} 条,"
            f"汇总 {result['digests']} 封,已发送 {result['sent']},重试中 {result['retrying']},失败 {result['failed']}"
        )
        if result.get("posts") or result.get("deferred"):
            # Group robots: several notifications share a post; over the platform's rate the rest wait.
            self.stdout.write(
                f"群机器人:发帖 {result.get('posts', 0)} 次,因频率限制顺延 {result.get('deferred', 0)} 条(下次运行发送)"
            )

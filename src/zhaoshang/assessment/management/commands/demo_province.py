import os

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from zhaoshang.assessment.province_demo import PROVINCE_PERSONA, province_demo_ensure
from zhaoshang.core.audit import acting_as, system_actor
from zhaoshang.core.demo import demo_exists

DEFAULT_PASSWORD = "zhaoshang-demo"


class Command(BaseCommand):
    help = (
        "Turn the demo city into a province's instance: 山东省 over 淄博市 and 潍坊市, Zibo's functional zones, "
        "the province persona; city_admin then covers Zibo only. Run `zhaoshang demo` first."
    )

    def handle(self, *args, **options):
        if not demo_exists():
            raise CommandError("先运行 zhaoshang demo。Run `zhaoshang demo` first.")
        password = os.environ.get("ZHAOSHANG_DEMO_PASSWORD") or DEFAULT_PASSWORD
        with transaction.atomic(), acting_as(system_actor("demo"), "demo"):
            found = province_demo_ensure(password)
        self.stdout.write(f"{found['province'].name}: {found['zibo'].name}, {found['weifang'].name}")
        for zone in found["zones"]:
            self.stdout.write(f"  功能区 {zone.adcode} {zone.name}")
        self.stdout.write(f"  {PROVINCE_PERSONA[0]:<14} {password}   {PROVINCE_PERSONA[1]}")
        self.stdout.write("  city_admin     → 仅淄博市 (Zibo only)")

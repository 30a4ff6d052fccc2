import os

from django.core.management.base import BaseCommand
from django.db import transaction

from zhaoshang.core.audit import acting_as, system_actor
from zhaoshang.core.demo import demo_accounts_reset, demo_build, demo_exists
from zhaoshang.core.personas import PERSONAS

DEFAULT_PASSWORD = "zhaoshang-demo"


class Command(BaseCommand):
    help = "Load the demo city (淄博: 临淄区, 桓台县 and the empty districts) and print the demo logins."

    def handle(self, *args, **options):
        password = os.environ.get("ZHAOSHANG_DEMO_PASSWORD") or DEFAULT_PASSWORD
        with transaction.atomic(), acting_as(system_actor("demo"), "demo"):
            if demo_exists():
                self.stdout.write("演示数据已存在,仅重置演示账号。")
                demo_accounts_reset(password=password)
            else:
                demo_build(password=password, progress=lambda label: self.stdout.write(f"  · {label}"))
        self.stdout.write(
            self.style.SUCCESS(
                "\n演示账号 (demo logins; demo only — never use these passwords in production):"
            )
        )
        for persona in PERSONAS:
            self.stdout.write(f"  {persona.username:<14} {password}   {persona.full_name}")
        self.stdout.write("")

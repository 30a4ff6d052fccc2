import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhaoshang.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite: online copy; PostgreSQL: pg_dump -Fc) and the data folder (secret key, "
        "uploaded files, national registry) into a new directory, with a manifest of rows and checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, type=Path, help="a new or empty directory")
        parser.add_argument(
            "--skip-registry",
            action="store_true",
            help="leave the national registry out (large; can be converted again from the vendor's extract)",
        )

    def handle(self, *args, **options):
        start = time.perf_counter()
        progress = (lambda label: self.stdout.write(f"  · {label}")) if options["verbosity"] else None
        try:
            manifest = backup_create(
                options["output"], skip_registry=options["skip_registry"], progress=progress
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = manifest["database"]["size"] + manifest["archive"]["size"]
        self.stdout.write(
            self.style.SUCCESS(
                f"已备份到 {options['output']}: {len(manifest['tables'])} 张表 "
                f"{sum(manifest['tables'].values())} 行, {len(manifest['files'])} 个文件, "
                f"{size / 1e6:.1f} MB, {time.perf_counter() - start:.1f} 秒"
            )
        )

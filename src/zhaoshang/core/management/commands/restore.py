import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhaoshang.core.backup import BackupError, backup_read, backup_restore, backup_verify


class Command(BaseCommand):
    help = (
        "Restore a backup made by `zhaoshang backup`: the database (SQLite: replaced; PostgreSQL: into an empty "
        "database) and the data folder's files, then compare every table's rows with the backup's manifest. "
        "Stop the web service and the worker first."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="the backup directory")
        parser.add_argument("--yes", action="store_true", help="do not ask before replacing the data")
        parser.add_argument(
            "--check",
            action="store_true",
            help="only check the backup (manifest and every file's checksum); change nothing",
        )

    def handle(self, *args, **options):
        start = time.perf_counter()
        try:
            manifest = (backup_verify if options["check"] else backup_read)(options["source"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"备份 {manifest['created']} ({manifest['engine']}): {len(manifest['tables'])} 张表 "
            f"{sum(manifest['tables'].values())} 行, {len(manifest['files'])} 个文件"
        )
        if options["check"]:
            self.stdout.write(self.style.SUCCESS("备份完好: 每个文件的校验和都相符 (the backup is intact)"))
            return
        if not options["yes"]:
            if not sys.stdin.isatty():
                raise CommandError(
                    "恢复会替换当前的数据库和文件; 确认请加 --yes (replaces the data: add --yes)"
                )
            answer = input("恢复会替换当前的数据库和数据目录中的文件。输入 yes 继续: ")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消 (cancelled)")
        progress = (lambda label: self.stdout.write(f"  · {label}")) if options["verbosity"] else None
        try:
            report = backup_restore(options["source"], progress=progress)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"已恢复 {report.tables} 张表 {report.rows} 行; 文件 {report.files_restored} 个恢复, "
            f"{report.files_removed} 个多出的已删除; {time.perf_counter() - start:.1f} 秒"
        )
        if report.unknown_migrations:
            self.stdout.write(
                self.style.WARNING(
                    f"备份来自较新的版本: {report.unknown_migrations} 个迁移本版本不认识, 请安装备份时的版本。"
                )
            )
        if report.pending_migrations:
            self.stdout.write(
                self.style.WARNING(f"还有 {report.pending_migrations} 个迁移未执行: 请运行 zhaoshang migrate")
            )
        if report.mismatches:
            raise CommandError(
                "行数与备份不符 (row counts differ from the backup): " + "; ".join(report.mismatches[:10])
            )
        self.stdout.write(self.style.SUCCESS("行数与备份一致 (every table's rows match the backup)"))

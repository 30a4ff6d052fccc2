import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from zhaoshang.core.declarations import config_for_key, configs
from zhaoshang.core.importing import ImportFileError, import_run, read_table
from zhaoshang.core.management.commands._actor import add_actor_argument, command_actor


class Command(BaseCommand):
    help = "Import an xlsx/csv file: every row or none. With --dry-run nothing is written."

    def add_arguments(self, parser):
        keys = ", ".join(c.key for c in configs() if c.resource)
        parser.add_argument("model", help=f"one of: {keys}")
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument(
            "--district", metavar="ADCODE", help="for JSON bundles (chains): the district to load into"
        )
        add_actor_argument(parser)

    def handle(self, *args, **options):
        config = config_for_key(options["model"])
        if config is None or config.resource is None:
            raise CommandError(
                f"不能导入 {options['model']}; 可导入: {', '.join(c.key for c in configs() if c.resource)}"
            )
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}")
        if path.suffix.lower() in config.json_suffixes and config.json_import is not None:
            user = command_actor(options["actor"])
            report = config.json_import(
                content=path.read_bytes(),
                user=user,
                dry_run=options["dry_run"],
                district=options["district"],
                channel="cli",
            )
            return self._finish(report, options, Console(file=self.stdout._out))
        try:
            dataset = read_table(path.name, path.read_bytes())
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        user = command_actor(options["actor"])
        console = Console(file=self.stderr._out if options["format"] == "json" else self.stdout._out)
        with Progress(console=console, transient=True, disable=options["format"] == "json") as bar:
            task = bar.add_task("导入中", total=len(dataset))
            report = import_run(
                resource=config.resource(user=user),
                dataset=dataset,
                user=user,
                dry_run=options["dry_run"],
                channel="cli",
                progress=lambda done, total: bar.update(task, completed=done),
            )
        self._finish(report, options, console)

    def _finish(self, report, options, console):
        if options["format"] == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self._print(console, report, options["dry_run"])
        if report.issues:
            raise CommandError(f"{report.bad_rows} 行有错误,未写入任何数据", returncode=1)

    def _print(self, console, report, dry_run):
        if report.issues:
            table = Table("行", "列", "问题", title="错误")
            for issue in report.issues:
                table.add_row(str(issue.row), issue.column, issue.message)
            console.print(table)
        if report.issues:
            console.print(f"未导入: 共 {report.total} 行, 其中 {report.bad_rows} 行有错误; 整份文件未写入")
            return
        verb = "预检通过(未写入)" if dry_run else "已导入"
        console.print(
            f"{verb}: 共 {report.total} 行, 新增 {report.new}, 更新 {report.update}, "
            f"无变化 {report.skip}, 错误行 {report.bad_rows}"
        )

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from zhaoshang.core.declarations import config_for_key, configs
from zhaoshang.core.importing import DUPLICATE_POLICIES, ImportFileError, import_run, read_table
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
        parser.add_argument(
            "--duplicates",
            choices=DUPLICATE_POLICIES,
            default="stop",
            help="probable duplicates of new rows: stop (default, write nothing), update the existing record, "
            "new (add anyway), skip the row",
        )
        parser.add_argument(
            "--clear-empty",
            action="store_true",
            help="an empty cell empties the stored value (by default it keeps it; a cell <清空> always empties)",
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
        user = command_actor(options["actor"])
        resource = config.resource(
            user=user, clear_empty=options["clear_empty"], duplicates=options["duplicates"]
        )
        try:
            dataset = read_table(path.name, path.read_bytes(), key=resource.header_key())
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        console = Console(file=self.stderr._out if options["format"] == "json" else self.stdout._out)
        with Progress(console=console, transient=True, disable=options["format"] == "json") as bar:
            task = bar.add_task("导入中", total=len(dataset))
            report = import_run(
                resource=resource,
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
        if getattr(report, "stopped_on_duplicates", False):
            raise CommandError(
                "有疑似重复的项目,未写入任何数据;核实后用 --duplicates update|new|skip 说明如何处理",
                returncode=1,
            )

    def _print(self, console, report, dry_run):
        columns = getattr(report, "columns", None) or {}
        if columns.get("used") or columns.get("ignored"):
            console.print("读取的列: " + "、".join(columns.get("used", [])))
            if columns.get("ignored"):
                reasons = getattr(report, "ignored_reasons", {}) or {}
                ignored = [f"{h}({reasons[h]})" if reasons.get(h) else h for h in columns["ignored"]]
                console.print("未读取的列: " + "、".join(ignored))
        if getattr(report, "warnings", None):
            table = Table("行", "列", "提示", title="提示(该行仍导入)")
            for warning in report.warnings:
                table.add_row(str(warning.row), warning.column, warning.message)
            console.print(table)
        if getattr(report, "duplicates", None):
            table = Table("行", "文件中的名称", "已有项目", "原因", title="疑似重复")
            for duplicate in report.duplicates:
                existing = duplicate.existing_name  # a project of a district out of the user's sight: no id
                if duplicate.existing_id:
                    existing += f" (#{duplicate.existing_id})"
                elif duplicate.existing_row:
                    existing += f" (第 {duplicate.existing_row} 行)"
                table.add_row(str(duplicate.row), duplicate.name, existing, duplicate.reason)
            console.print(table)
        if report.issues:
            table = Table("行", "列", "问题", title="错误")
            for issue in report.issues:
                table.add_row(str(issue.row), issue.column, issue.message)
            console.print(table)
        if report.issues:
            console.print(f"未导入: 共 {report.total} 行, 其中 {report.bad_rows} 行有错误; 整份文件未写入")
            return
        if getattr(report, "stopped_on_duplicates", False):
            rows = len({d.row for d in report.duplicates if d.probable})
            console.print(f"未导入: 共 {report.total} 行, 其中 {rows} 行疑似与已有项目重复; 整份文件未写入")
            return
        verb = "预检通过(未写入)" if dry_run else "已导入"
        console.print(
            f"{verb}: 共 {report.total} 行, 新增 {report.new}, 更新 {report.update}, "
            f"无变化 {report.skip}, 错误行 {report.bad_rows}"
        )

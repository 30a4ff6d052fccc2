import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhaoshang.core.declarations import config_for_key, configs
from zhaoshang.core.exporting import cli_export, export_dataset
from zhaoshang.core.importing import FORMATS, write_table
from zhaoshang.core.management.commands._actor import add_actor_argument, command_actor
from zhaoshang.core.models import District
from zhaoshang.core.scope import user_scope


class Command(BaseCommand):
    help = "Export a table to xlsx or csv (by the output's extension), within the actor's scope."

    def add_arguments(self, parser):
        keys = ", ".join(c.key for c in configs() if c.resource)
        parser.add_argument("model", help=f"one of: {keys}; or progress-table (重大项目推进情况表)")
        parser.add_argument("-o", "--output", required=True, help="FILE.xlsx or FILE.csv")
        parser.add_argument("--district", metavar="ADCODE", help="only this district")
        parser.add_argument(
            "--city", metavar="ADCODE", help="progress-table: every district and zone of this city"
        )
        parser.add_argument(
            "--month", metavar="YYYY-MM", help="progress-table: the month (default: this month)"
        )
        parser.add_argument(
            "--lists", choices=("city", "all"), default="city", help="progress-table: 省市 lists, or all"
        )
        add_actor_argument(parser)

    def handle(self, *args, **options):
        special = cli_export(options["model"])  # an app's own table (progress-table: 推进情况表)
        if special is not None:
            user = command_actor(options["actor"])
            try:
                message = special(user, options)
            except ValueError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(message)
            return
        config = config_for_key(options["model"])
        if config is None or config.resource is None:
            raise CommandError(
                f"不能导出 {options['model']}; 可导出: {', '.join(c.key for c in configs() if c.resource)}"
            )
        output = Path(options["output"])
        fmt = output.suffix.lower().lstrip(".")
        if fmt not in FORMATS and not (fmt == "json" and config.json_export is not None):
            raise CommandError(f"输出文件须为 .xlsx 或 .csv: {output}")
        user = command_actor(options["actor"])
        if user_scope(user, "export").empty:
            raise CommandError(f"用户 {user.username} 没有导出权限")
        queryset = config.model.objects.restrict(user, "export")
        if options["district"]:
            district = District.objects.restrict(user, "export").filter(adcode=options["district"]).first()
            if district is None:
                raise CommandError(f"区县 {options['district']} 不存在或不在权限范围内")
            queryset = queryset.filter(**{config.model.scope_path: district.pk})
        if fmt == "json":
            bundle = config.json_export(queryset)
            output.write_text(json.dumps(bundle, ensure_ascii=False, indent=2), encoding="utf-8")
            self.stdout.write(
                f"已导出 {sum(len(g['chains']) for g in bundle.get('groups', []))} 条到 {output}"
            )
            return
        dataset = export_dataset(config.resource(user=user), queryset)  # unit headers, numbers as numbers
        output.write_bytes(write_table(dataset, fmt))
        self.stdout.write(f"已导出 {len(dataset)} 行到 {output}")

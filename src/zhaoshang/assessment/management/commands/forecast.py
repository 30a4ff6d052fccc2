"""`zhaoshang forecast [--district ADCODE] [--format table|json] [--as USERNAME]`: today's output forecast of
each district that has its forecast settings, stored for the leaders' dashboard (run nightly, see docs)."""

import json

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from zhaoshang.assessment.forecasting import ForecastNotConfigured, forecast_request
from zhaoshang.core.management.commands._actor import add_actor_argument, command_actor
from zhaoshang.core.models import District, Job


class Command(BaseCommand):
    help = (
        "Compute and store today's output forecast (10,000 draws) of one district or of every configured one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--district", metavar="ADCODE")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        add_actor_argument(parser)

    def handle(self, *args, **options):
        user = command_actor(options["actor"])
        districts = District.objects.restrict(user, "view").order_by("adcode")
        if options["district"]:
            districts = districts.filter(adcode=options["district"])
            if not districts:
                raise CommandError(f"没有区县 {options['district']}(或不在权限范围内)")
        results = []
        for district in districts:
            try:
                job = forecast_request(district, user, background=False)
            except ForecastNotConfigured:
                if options["district"]:
                    raise CommandError(f"{district} 没有设置产值预测的基数(区县设置 forecast 项)") from None
                continue
            if job.status != Job.Status.SUCCEEDED:
                raise CommandError(f"{district} 预测失败:{job.result.get('error', job.status)}")
            results.append((district, job.result))
        if options["format"] == "json":
            hidden = ("district", "url", "title")  # the page's own fields
            payload = [
                {"district": d.adcode, "name": d.name, **{k: v for k, v in r.items() if k not in hidden}}
                for d, r in results
            ]
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        console = Console(file=self.stdout._out, width=140)
        for district, result in results:
            target = result["target"]
            title = f"{district} · 工业产值预测(亿元,{result['projects']} 个项目,{result['draws']} 次模拟)"
            console.print(title)
            table = Table("年度", "P10", "P50", "P90")
            chart = result["chart"]
            for i, year in enumerate(chart["years"]):
                table.add_row(
                    str(year), f"{chart['p10'][i]:,.1f}", f"{chart['p50'][i]:,.1f}", f"{chart['p90'][i]:,.1f}"
                )
            console.print(table)
            if target:
                probability = result["probability"]
                console.print(
                    f"{target['by_year']} 年达到 {target['amount'] / 10000:,.1f} 亿元的概率:{probability:.0%}"
                )
            console.print(result["explain"])

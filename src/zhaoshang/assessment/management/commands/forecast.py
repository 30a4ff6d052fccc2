"""`zhaoshang forecast [--district ADCODE] [--as-of DATE] [--format table|json] [--as USERNAME]`: the output
forecast of each district that has its forecast settings, with its back-test.

Without ``--as-of``: today's forecast and back-test, stored for the leaders' dashboard (run nightly, see
docs). With ``--as-of DATE``: the forecast as it would have been made on that date from the history verified
by then, and the back-test as of that date (twelve monthly cut-offs, each against what happened in the six
months after it); computed, not stored."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from zhaoshang.assessment.forecasting import (
    ForecastNotConfigured,
    backtest_request,
    backtest_summary,
    district_backtest,
    district_forecast,
    forecast_request,
    forecast_summary,
)
from zhaoshang.core.management.commands._actor import add_actor_argument, command_actor
from zhaoshang.core.models import District, Job


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD:{text}") from None


class Command(BaseCommand):
    help = (
        "Compute and store today's output forecast (10,000 draws) and its back-test of one district or of "
        "every configured one; --as-of DATE: the forecast as made on that date from the history known then."
    )

    def add_arguments(self, parser):
        parser.add_argument("--district", metavar="ADCODE")
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", dest="as_of")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        add_actor_argument(parser)

    def handle(self, *args, **options):
        user = command_actor(options["actor"])
        as_of = _date(options["as_of"]) if options["as_of"] else None
        if as_of is not None and as_of > datetime.date.today():
            raise CommandError("--as-of 不能晚于今天")
        districts = District.objects.restrict(user, "view").order_by("adcode")
        if options["district"]:
            districts = districts.filter(adcode=options["district"])
            if not districts:
                raise CommandError(f"没有区县 {options['district']}(或不在权限范围内)")
        results = []
        for district in districts:
            try:
                if as_of is None:
                    result, backtest = self._stored(district, user)
                else:
                    learned: dict = {}
                    forecast = district_forecast(district, user, as_of=as_of, learned=learned)
                    result = forecast_summary(forecast, district, as_of, learned)
                    backtest = backtest_summary(district_backtest(district, user, as_of=as_of), as_of)
            except ForecastNotConfigured:
                if options["district"]:
                    raise CommandError(f"{district} 没有设置产值预测的基数(区县设置 forecast 项)") from None
                continue
            results.append((district, result, backtest))
        if options["format"] == "json":
            hidden = ("district", "url", "title")  # the page's own fields
            payload = [
                {
                    "district": d.adcode,
                    "name": d.name,
                    **{k: v for k, v in r.items() if k not in hidden},
                    "backtest": b,
                }
                for d, r, b in results
            ]
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        console = Console(file=self.stdout._out, width=140)
        for district, result, backtest in results:
            self._print(console, district, result, backtest)

    def _stored(self, district, user):
        jobs = [forecast_request(district, user, background=False)]
        jobs.append(backtest_request(district, user, background=False))
        for job in jobs:
            if job.status != Job.Status.SUCCEEDED:
                raise CommandError(f"{district} 预测失败:{job.result.get('error', job.status)}")
        return jobs[0].result, jobs[1].result

    def _print(self, console, district, result, backtest):
        target = result["target"]
        title = (
            f"{district} · 工业产值预测(亿元,{result['as_of']},{result['projects']} 个项目,"
            f"{result['draws']} 次模拟)"
        )
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
        learned = result.get("learned")
        if learned:
            table = Table(
                "阶段转换", "采用(月)", "默认(月)", "历史估计(月)", "仅已完成(月)", "完成", "在途", "历史权重"
            )
            for row in learned["transitions"]:
                table.add_row(
                    row["transition"],
                    f"{row['used']}",
                    f"{row['prior']}",
                    "—" if row["data"] is None else f"{row['data']}",
                    "—" if row["naive"] is None else f"{row['naive']}",
                    str(row["events"]),
                    str(row["censored"]),
                    f"{row['weight']:.0%}",
                )
            console.print(table)
        table = Table("截点", "P10", "P50", "P90", "实际", "覆盖")
        for cut in backtest["cutoffs"]:
            m = cut["capacity"]
            table.add_row(
                cut["date"], f"{m['p10']:,.1f}", f"{m['p50']:,.1f}", f"{m['p90']:,.1f}", f"{m['actual']:,.1f}",
                "✓" if m["covered"] else "✗",
            )  # fmt: skip
        console.print(table)
        console.print(backtest["sentence"])
        console.print(backtest["detail"])

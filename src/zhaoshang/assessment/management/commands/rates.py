"""`zhaoshang rates --district ADCODE [--chain CODE] [--year YYYY | --from DATE --to DATE] [--format table|json]
[--as-of DATETIME] [--as USERNAME]`: the assessment rates of a district and its chains, with numerator, denominator and
definition, and the period's counts — the numbers of the rates page (`assessment.selectors.rates_report`)."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.console import Console
from rich.table import Table

from zhaoshang.analytics.rates.engine import Period
from zhaoshang.assessment.selectors import ASIDE, COUNT_LABELS, rates_report
from zhaoshang.core.management.commands._actor import add_actor_argument, command_actor
from zhaoshang.core.models import District


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期应为 YYYY-MM-DD:{text}") from None


def _moment(text: str) -> datetime.datetime:
    """A date (its end: 23:59:59.999999) or a date and time, in the server's time zone unless it names one."""
    try:
        if len(text) == 10:
            moment = datetime.datetime.combine(datetime.date.fromisoformat(text), datetime.time.max)
        else:
            moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of 应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM:{text}") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now():
        raise CommandError(f"--as-of 不能晚于现在:{text}")
    return moment


class Command(BaseCommand):
    help = (
        "Assessment rates (signing, landing, start, funds in place, completion, attainment, contribution) of a "
        "district and its chains for a year or a period, each with numerator, denominator and definition."
    )

    def add_arguments(self, parser):
        parser.add_argument("--district", metavar="ADCODE", required=True)
        parser.add_argument("--chain", metavar="CODE", help="only this chain (its code, e.g. robotics)")
        parser.add_argument(
            "--year", type=int, help="1 January to 31 December (up to today); default this year"
        )
        parser.add_argument("--from", dest="start", metavar="DATE")
        parser.add_argument("--to", dest="end", metavar="DATE")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument(
            "--as-of",
            dest="as_of",
            metavar="DATETIME",
            help="the figures as they were known then (e.g. 2026-11-30T23:59), rebuilt from the audit history",
        )
        add_actor_argument(parser)

    def handle(self, *args, **options):
        user = command_actor(options["actor"])
        district = District.objects.restrict(user, "view").filter(adcode=options["district"]).first()
        if district is None:
            raise CommandError(f"没有区县 {options['district']}(或不在权限范围内)")
        as_of = _moment(options["as_of"]) if options["as_of"] else None
        report = self._report(user, district, self._period(options), options["chain"], as_of)
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        console = Console(file=self.stdout._out, width=160)
        period = report["period"]
        known = f" · 截至 {report['as_of']} 所知" if "as_of" in report else ""
        console.print(f"{district} · 考核指标 {period['start']} 至 {period['end']}{known}(“—”:分母为 0)")
        first = report["groups"][0]["rates"]
        table = Table("", *[r["label"] for r in first.values()], *[str(v) for v in COUNT_LABELS.values()])
        for group in report["groups"]:
            cells = []
            for rate in group["rates"].values():
                value = "—" if rate["value"] is None else f"{rate['value']:.1%}"
                cell = f"{value}\n{rate['numerator']:,.0f}/{rate['denominator']:,.0f}"
                for reason, n in rate["set_aside"].items():
                    cell += f"\n另{ASIDE[reason]} {n}"
                if rate.get("missing"):
                    cell += f"\n{rate['missing']}"
                cells.append(cell)
            counts = [f"{group['counts'][key]:,.0f}" for key in COUNT_LABELS]
            table.add_row(group["name"], *cells, *counts)
        console.print(table)
        for key, rate in first.items():
            console.print(f"{rate['label']}({key}):{rate['definition']}")

    def _period(self, options) -> Period:
        today = datetime.date.today()
        if options["start"] or options["end"]:
            if options["year"] or not (options["start"] and options["end"]):
                raise CommandError("--from 与 --to 须同时给出,且不能与 --year 同用")
            start, end = _day(options["start"]), _day(options["end"])
            if end < start:
                raise CommandError("--to 早于 --from")
            return Period(start, end)
        year = options["year"] or today.year
        if not 2000 <= year <= today.year + 1:
            raise CommandError(f"年份超出范围:{year}")
        return Period(datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), today))

    def _report(self, user, district, period, chain, as_of):
        try:
            return rates_report(user, district, period, chain, as_of)
        except LookupError:
            raise CommandError(f"{district} 没有产业链 {chain}") from None

import json

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from zhaoshang.chains.selectors import latest_snapshot
from zhaoshang.core.management.commands._actor import add_actor_argument, command_actor
from zhaoshang.core.spreadsheets import csv_text
from zhaoshang.industries.national import RegistryMissing
from zhaoshang.targeting.gaps import finite_or_none
from zhaoshang.targeting.management.commands._chain import command_chain
from zhaoshang.targeting.targets import node_targets

CSV_COLUMNS = ["rank", "uscc", "name", "adcode", "industry", "insured_employees"]


class Command(BaseCommand):
    help = "Target industries, cities and enterprises for a chain's weakest node (or --node CODE)."

    def add_arguments(self, parser):
        parser.add_argument("--district", required=True, metavar="ADCODE")
        parser.add_argument("--chain", required=True, metavar="CODE")
        parser.add_argument("--node", metavar="CODE", help="default: the node with the largest gap score")
        parser.add_argument("--top", type=int, default=50)
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")
        add_actor_argument(parser)

    def handle(self, *args, **options):
        user = command_actor(options["actor"])
        chain = command_chain(user, options["district"], options["chain"])
        node = self._node(chain, options["node"])
        try:
            targets = node_targets(node, top=options["top"])
        except RegistryMissing as error:
            raise CommandError(str(error)) from error
        if options["format"] == "json":
            payload = {
                "district": options["district"],
                "chain": chain.code,
                "node": node.code,
                "industries": [
                    {k: finite_or_none(v) for k, v in t.__dict__.items()} for t in targets.industries
                ],
                "cities": [{k: finite_or_none(v) for k, v in c.__dict__.items()} for c in targets.cities],
                "enterprises": targets.firms,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=float))
        elif options["format"] == "csv":
            headers = [*CSV_COLUMNS, "distance_km", "score", "explain"]
            rows = [
                [
                    *(f[key] for key in CSV_COLUMNS),
                    round(f["distance_km"] or 0),
                    round(f["score"], 4),
                    f["explain"],
                ]
                for f in targets.firms
            ]
            self.stdout.write(csv_text(headers, rows), ending="")
        else:
            console = Console(file=self.stdout._out, width=160)
            console.print(f"{chain.district} · {chain.name} · {node.name}")
            table = Table("排名", "企业", "行业", "参保", "距离 km", "得分", title="目标企业")
            for f in targets.firms:
                table.add_row(
                    str(f["rank"]),
                    f["name"],
                    f["industry"],
                    str(f["insured_employees"]),
                    f"{f['distance_km'] or 0:,.0f}",
                    f"{f['score']:.2f}",
                )
            console.print(table)
            cities = Table("城市", "企业数", "区位熵", "距离 km", "得分", title="目标城市")
            for c in targets.cities[:15]:
                cities.add_row(c.name, str(c.firms), f"{c.lq:.2f}", f"{c.distance_km:,.0f}", f"{c.score:.3f}")
            console.print(cities)

    def _node(self, chain, code):
        if code:
            node = chain.nodes.filter(code=code).first()
            if node is None:
                raise CommandError(f"产业链 {chain.code} 没有环节 {code}")
            return node
        snapshot = latest_snapshot(chain)
        if snapshot is None or not any(n["gap_score"] for n in snapshot.result["nodes"]):
            raise CommandError("请用 --node 指定环节(该产业链还没有短板分析结果)")
        worst = max(snapshot.result["nodes"], key=lambda n: n["gap_score"] or 0)
        return chain.nodes.get(pk=int(worst["key"]))

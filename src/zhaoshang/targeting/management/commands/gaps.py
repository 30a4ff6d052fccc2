import dataclasses
import json
import math

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from zhaoshang.core.management.commands._actor import add_actor_argument, command_actor
from zhaoshang.industries.national import RegistryMissing
from zhaoshang.targeting.gaps import chain_gaps_compute, finite_or_none
from zhaoshang.targeting.management.commands._chain import command_chain

STATUS = {"strong": "强项", "weak": "弱项", "missing": "缺失"}


class Command(BaseCommand):
    help = "Gap analysis of one chain of a district against the national registry (strong / weak / missing nodes)."

    def add_arguments(self, parser):
        parser.add_argument("--district", required=True, metavar="ADCODE")
        parser.add_argument("--chain", required=True, metavar="CODE")
        parser.add_argument("--base", choices=["province", "nation"], default="province")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        add_actor_argument(parser)

    def handle(self, *args, **options):
        user = command_actor(options["actor"])
        chain = command_chain(user, options["district"], options["chain"])
        try:
            result = chain_gaps_compute(chain, options["base"])
        except RegistryMissing as error:
            raise CommandError(str(error)) from error
        if options["format"] == "json":
            payload = {
                "district": chain.district.adcode,
                "chain": chain.code,
                "base": options["base"],
                "completeness": result.completeness,
                "explain": result.explain,
                "nodes": [
                    {k: finite_or_none(v) for k, v in dataclasses.asdict(n).items()} for n in result.nodes
                ],
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=float))
            return
        console = Console(file=self.stdout._out, width=160)
        table = Table(
            "环节",
            "链段",
            "状态",
            "企业",
            "区位熵",
            "缺口分",
            "可行性",
            title=f"{chain.district} · {chain.name}",
        )
        nodes = {str(n.pk): n for n in chain.nodes.all()}
        for node in sorted(result.nodes, key=lambda n: -n.gap_score):
            table.add_row(
                node.name,
                nodes[node.key].get_segment_display(),
                STATUS[node.status],
                str(node.firms),
                f"{node.lq:.2f}",
                f"{node.gap_score:.2f}",
                "—" if math.isnan(node.feasibility) else f"{node.feasibility:.2f}",
            )
        console.print(table)
        console.print(f"链条完整度 {result.completeness:.0%}")
        for line in result.explain:
            console.print(line)

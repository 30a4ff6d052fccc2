import dataclasses
import json
import math

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from zhaoshang.chains.gaps import chain_gaps_compute
from zhaoshang.chains.models import Chain
from zhaoshang.core.management.commands._actor import add_actor_argument, command_actor
from zhaoshang.industries.national import RegistryMissing

STATUS = {"strong": "强项", "weak": "弱项", "missing": "缺失"}


def _json(value):
    return None if isinstance(value, float) and not math.isfinite(value) else value


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
        chain = (
            Chain.objects.restrict(user, "view")
            .filter(district__adcode=options["district"], code=options["chain"], is_current=True)
            .select_related("district")
            .first()
        )
        if chain is None:
            raise CommandError(
                f"没有区县 {options['district']} 的产业链 {options['chain']}(或不在权限范围内)"
            )
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
                "nodes": [{k: _json(v) for k, v in dataclasses.asdict(n).items()} for n in result.nodes],
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

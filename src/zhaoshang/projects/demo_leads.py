"""Linzi's funnel before the signing in the demo: leads the 经办人 registered over the last months and the ones the
chain chief checked and took into talks (线索 → 洽谈), on Linzi's chains and never among the 58 majors.

The seed's flow, played by the demo's personas: the clerk (`linzi_clerk`) registers each lead; the chain chief
(`linzi_chief`) checks a lead and moves it to 洽谈, recorded as a move the clerk asked for and the chief verified.
The target-firm library's firms in talks or converted (step 96) are the natural source: their project carries the
firm (投资企业), its chain and node; the other leads come from visits and fairs, with an invented investor.
Its own random generator and its own names, so the rest of the demo (the majors' 1,033 亿元) is drawn as before.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from zhaoshang.chains.models import Chain, Node
from zhaoshang.core.audit import acting_as
from zhaoshang.core.demo import demo_step
from zhaoshang.core.models import District
from zhaoshang.enterprises.models import TargetEntry
from zhaoshang.projects.models import Project, StageMove

SEED = 58_1033 + 17
TODAY = datetime.date.today()
# Invented investors of the leads without a target firm: a brand and a kind, as firms are named.
BRANDS = ["齐瑞", "鲁信", "华晟", "博联", "中科拓", "泰润", "金诺", "远航", "恒信", "德润", "万华拓", "青禾"]
# The kind of firm a chain's investor is: a robot maker is not a 化工科技 company.
KINDS = {
    "robotics": ["智能装备有限公司", "精密机械有限公司", "机器人科技有限公司"],
    "chem-equipment": ["重工装备有限公司", "流体设备有限公司", "精密机械有限公司"],
    "nev-parts": ["汽车零部件有限公司", "新能源科技有限公司"],
    "hydrogen": ["氢能科技有限公司", "新能源科技有限公司"],
    "medicine": ["生物医药有限公司", "药业股份有限公司"],
    "eco": ["环保科技有限公司", "节能装备有限公司"],
    "textiles": ["化纤股份有限公司", "纺织科技有限公司"],
    "ic-materials": ["电子材料有限公司", "新材料科技有限公司"],
}
CHEMICAL_KINDS = ["新材料科技有限公司", "化工科技有限公司", "控股集团有限公司"]
SOURCES = ["企业走访", "链主企业推荐", "招商推介会", "以商招商", "园区对接", "驻外招商小分队"]
CHAINS_WITHOUT_MAJORS = ("ic-materials", "chem-equipment", "rubber", "textiles", "eco")
# The seed's own scenario — the clerk registers a 精密减速器 lead and the chain chief checks it — is left for the
# personas to play on the demo: a demo project on that node would make the new lead a probable duplicate.
LEFT_FOR_THE_WALKTHROUGH = {"精密减速器"}
# How many leads a chain without a target firm adds (the chains the majors are on get fewer).
LEADS_PER_CHAIN = {True: 2, False: 1}


@demo_step(97, "临淄线索与在谈项目(经办人登记、链长核实)")
def leads(state: dict[str, Any]) -> None:
    rng = random.Random(SEED)
    users = state["users"]
    clerk, chief = users["linzi_clerk"], users["linzi_chief"]
    linzi = District.objects.get(adcode="370305")
    plans = _from_targets(linzi, rng) + _from_visits(linzi, rng)
    for plan in plans:
        with acting_as(clerk, "demo"):
            project = Project.objects.create(district=linzi, stage="lead", **plan["fields"])
        if plan["talks"]:
            _checked_by_chief(project, plan["registered"], rng, clerk, chief)


def _investment(rng: random.Random) -> Decimal:
    return Decimal(rng.choice([8_000, 12_000, 20_000, 30_000, 50_000, 80_000, 120_000]))


def _base(node: Node, rng: random.Random, source: str) -> dict[str, Any]:
    chain = node.chain
    amount = _investment(rng)
    return {
        "tier": Project.Tier.GENERAL if amount < 50_000 else Project.Tier.DISTRICT,
        "chain": chain,
        "node": node,
        "team": chain.team,
        "total_investment": amount,
        "land_mu": Decimal(max(15, int(amount) // 1_000)),
        "reserve_source": source,
        "expected_timing": f"{TODAY.year + rng.choice([0, 1])}年{rng.randint(1, 4)}季度",
    }


def _from_targets(linzi: District, rng: random.Random) -> list[dict[str, Any]]:
    """A project for each target firm in talks (a lead) or converted (in talks, checked by the chief)."""
    entries = (
        TargetEntry.objects.filter(
            district=linzi, status__in=["negotiating", "converted"], node__isnull=False
        )
        .select_related("enterprise", "node__chain__team")
        .order_by("pk")
    )
    plans = []
    for entry in entries:
        if entry.node.name in LEFT_FOR_THE_WALKTHROUGH:
            continue
        firm = entry.enterprise
        fields = _base(entry.node, rng, "目标企业库")
        fields.update(
            name=f"{firm.name}{entry.node.name}项目",
            enterprise=firm,
            investor_name=firm.name,
            investor_uscc=firm.uscc,
            investor_origin="outside_city" if firm.adcode.startswith("37") else "outside_province",
            content=f"{firm.name}拟在临淄投资建设{entry.node.name}项目(演示数据)",
        )
        talks = entry.status == TargetEntry.Status.CONVERTED or rng.random() < 0.4
        plans.append({"fields": fields, "talks": talks, "registered": _registered(rng)})
    return plans


def _from_visits(linzi: District, rng: random.Random) -> list[dict[str, Any]]:
    """Leads from visits and fairs on Linzi's chains: more on the chains no major is on."""
    plans = []
    used: set[str] = set()
    chains = Chain.objects.filter(district=linzi, is_current=True).select_related("team").order_by("pk")
    for chain in chains:
        nodes = list(
            chain.nodes.filter(industries__isnull=False)
            .exclude(name__in=LEFT_FOR_THE_WALKTHROUGH)
            .distinct()
            .order_by("pk")
        )
        if not nodes:
            continue
        for _lead in range(LEADS_PER_CHAIN[chain.code in CHAINS_WITHOUT_MAJORS]):
            node = rng.choice(nodes)
            brand, kind = rng.choice(BRANDS), rng.choice(KINDS.get(chain.code, CHEMICAL_KINDS))
            investor = f"{brand}{kind}(示例)"
            name = f"{brand}{kind.replace('股份有限公司', '').replace('有限公司', '')}{node.name}项目"
            if name in used:
                continue
            used.add(name)
            fields = _base(node, rng, rng.choice(SOURCES))
            fields.update(
                name=name,
                investor_name=investor,
                investor_origin=rng.choice(["outside_province", "outside_province", "outside_city", "local"]),
                content=f"{node.name}生产线及配套设施(演示数据)",
            )
            plans.append({"fields": fields, "talks": rng.random() < 0.3, "registered": _registered(rng)})
    return plans


def _registered(rng: random.Random) -> datetime.date:
    return TODAY - datetime.timedelta(days=rng.randint(20, 200))


def _checked_by_chief(
    project: Project, registered: datetime.date, rng: random.Random, clerk: Any, chief: Any
) -> None:
    """The chief checked the lead and took it into talks: the clerk's move, the chief's verification."""
    day = min(registered + datetime.timedelta(days=rng.randint(7, 45)), TODAY)
    with acting_as(chief, "demo"):
        StageMove.objects.create(
            project=project,
            from_stage="lead",
            to_stage="negotiation",
            date=day,
            note="链长核实线索,转入洽谈",
            evidence_note="首轮洽谈纪要",
            requested_by=clerk,
            verified_by=chief,
            verified_at=datetime.datetime.combine(day, datetime.time(16), tzinfo=datetime.UTC),
        )
        project.stage = "negotiation"
        project.save(update_fields=["stage", "updated"])

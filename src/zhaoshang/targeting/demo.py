"""The demo's national registry (synthetic), Linzi's gaps against it, and Linzi's own firms placed on its chains."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext

from zhaoshang.chains.models import Chain, Node
from zhaoshang.core.audit import acting_as
from zhaoshang.core.demo import demo_step
from zhaoshang.core.models import District
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.enterprises.services import enterprises_classify
from zhaoshang.targeting.gaps import chain_gaps_refresh
from zhaoshang.targeting.targets import _fill_from_registry

DEMO_REGISTRY_FIRMS = 1_000_000


@demo_step(96, "全国企业库(演示)与临淄企业")
def registry(state: dict[str, Any]) -> None:
    """A synthetic national registry when none is configured, and Linzi's own firms from it."""
    path = settings.NATIONAL_REGISTRY
    if not path.is_file():
        # deferred: numpy, PyArrow and DuckDB load only when the demo registry is generated
        from zhaoshang.analytics.registry.store import registry_generate

        path.parent.mkdir(parents=True, exist_ok=True)
        registry_generate(path, firms=DEMO_REGISTRY_FIRMS, seed=20240223)
    _local_firms(state["users"]["linzi_admin"])


@demo_step(98, "短板分析(含投产/达产项目)")
def gaps(state: dict[str, Any]) -> None:
    """Linzi's and Huantai's gaps, once their projects are on their nodes (the project library is step 97): each
    chain's snapshot as its district's administrator would refresh it."""
    for adcode, persona in (("370305", "linzi_admin"), ("370321", "huantai_admin")):
        user = state["users"][persona]
        for chain in Chain.objects.filter(district__adcode=adcode, is_current=True).order_by("pk"):
            chain_gaps_refresh(chain=chain, user=user)


def _local_firms(user: Any) -> None:
    """Linzi's own firms on its chains, copied from the registry (with that source noted), then placed."""
    import duckdb  # deferred: only the demo's load reads the registry here

    linzi = District.objects.get(adcode="370305")
    codes = sorted(
        set(
            Chain.objects.filter(district=linzi, is_current=True).values_list(
                "nodes__industries__code", flat=True
            )
        )
        - {None}
    )
    source = str(settings.NATIONAL_REGISTRY).replace("'", "''")
    with duckdb.connect() as con:
        frame = con.execute(
            f"SELECT * FROM read_parquet('{source}') WHERE adcode = '370305' AND status IN ('存续', '在业') "
            "AND industry IN (SELECT unnest(?)) ORDER BY insured_employees DESC, uscc LIMIT 400",
            [codes],
        ).fetch_df()
    with acting_as(user, "demo"):
        for record in frame.to_dict("records"):
            firm = Enterprise(district=linzi, uscc=record["uscc"])
            _fill_from_registry(firm, record)
            firm.save()
        enterprises_classify(enterprises=Enterprise.objects.filter(district=linzi), user=user, channel="demo")


# --- the target library and a year of contacts ------------------------------------------------------------

TARGET_SEED = 20_251_107
# Of the firms a team pursues: where each stands (share), and how many contacts it took to get there.
STATUS_PLAN = [
    ("identified", 0.28, (0, 0)), ("contacted", 0.24, (1, 2)), ("visited", 0.2, (2, 4)),
    ("negotiating", 0.14, (3, 6)), ("converted", 0.07, (4, 7)), ("dropped", 0.07, (1, 3)),
]  # fmt: skip
CONTACT_TEXT = {
    "call": ("电话联系企业投资发展部,介绍{park}要素条件", "寄送园区推介材料"),
    "visit": ("赴企业总部拜访,了解其{product}产能布局计划", "邀请企业来临淄实地考察"),
    "hosted": ("企业考察团来访,实地踏勘{park}地块", "提供意向地块的规划条件"),
    "meeting": ("召开项目洽谈会,就用地、能耗、配套政策交换意见", "起草投资合作框架协议"),
    "other": ("在产业链推介会上与企业负责人交流", "约定下次拜访时间"),
}
DROP_REASONS = [
    "企业已在外省落地同类项目",
    "企业经营困难,暂停扩张",
    "能耗指标无法满足",
    "企业要求的政策超出权限",
]
HUANTAI_TARGET_CODES = [
    "2614",
    "2651",
    "2652",
    "2669",
    "2921",
]  # 氟硅、聚氨酯、有机硅下游 as GB/T 4754 classes


def _outside_firms(codes: list[str], limit: int) -> list[dict[str, Any]]:
    """Active firms outside 淄博 in these classes, the largest first: whom a team would approach."""
    import duckdb  # deferred: only the demo's load reads the registry here

    source = str(settings.NATIONAL_REGISTRY).replace("'", "''")
    with duckdb.connect() as con:
        frame = con.execute(
            f"SELECT * FROM read_parquet('{source}') WHERE status IN ('存续', '在业') "
            "AND NOT starts_with(adcode, '3703') AND industry IN (SELECT unnest(?)) "
            "ORDER BY insured_employees DESC, uscc LIMIT ?",
            [codes, limit],
        ).fetch_df()
    return frame.to_dict("records")


def _contacts(entry: Any, count: int, rng: Any, today: datetime.date, park: str, who: str) -> None:
    from zhaoshang.enterprises.models import ContactLog

    days = sorted(rng.sample(range(8, 360), count), reverse=True)
    kinds = ["call", "visit", "hosted", "meeting"]
    product = entry.node.name if entry.node_id else entry.enterprise.name
    for step, ago in enumerate(days):
        kind = kinds[min(step, len(kinds) - 1)] if rng.random() < 0.7 else rng.choice(list(CONTACT_TEXT))
        summary, follow = CONTACT_TEXT[kind]
        ContactLog.objects.create(
            entry=entry,
            date=today - datetime.timedelta(days=ago),
            kind=kind,
            participants=who,
            summary=summary.format(park=park, product=product),
            next_step=follow,
        )


def _library(district: District, pairs: list[tuple[Any, dict[str, Any]]], owner: Any, park: str) -> int:
    """Target entries for (node or chain, registry record) pairs with statuses and their contact history."""
    import random

    from zhaoshang.enterprises.models import TargetEntry

    rng = random.Random(TARGET_SEED + district.pk)
    today = datetime.date.today()
    weights = [share for _s, share, _c in STATUS_PLAN]
    for node, record in pairs:
        firm = Enterprise.objects.filter(district=district, uscc=record["uscc"]).first()
        if firm is None:
            firm = Enterprise(district=district, uscc=record["uscc"])
            _fill_from_registry(firm, record)
            firm.save()
        status, _share, (low, high) = rng.choices(STATUS_PLAN, weights)[0]
        chain = getattr(node, "chain", None)
        entry = TargetEntry.objects.create(
            district=district,
            enterprise=firm,
            chain=chain,
            node=node,
            team=chain.team if chain is not None else None,
            owner=owner,
            status=status,
            drop_reason=rng.choice(DROP_REASONS) if status == "dropped" else "",
            next_action=""
            if status in ("converted", "dropped")
            else rng.choice(["电话回访", "上门拜访", "邀请来访考察", "报送项目建议书", "商谈投资协议"]),
            next_action_date=None
            if status in ("converted", "dropped")
            else today + datetime.timedelta(days=rng.randint(-12, 40)),
            notes=gettext("演示数据"),
        )
        who = (
            f"{owner.get_full_name() or owner.username}、{gettext('专班成员')}"
            if owner
            else gettext("专班成员")
        )
        _contacts(entry, rng.randint(low, high), rng, today, park, who)
    return len(pairs)


@demo_step(96, "目标企业库与联系记录")
def target_library(state: dict[str, Any]) -> None:
    """About sixty firms outside the city on Linzi's chain nodes, a dozen on Huantai's 氟硅 and 聚氨酯, each where
    a year of pursuit left it, with its calls, visits and talks."""
    users = state["users"]
    linzi = District.objects.get(adcode="370305")
    with acting_as(users["linzi_chief"], "demo"):
        _library(linzi, _pairs(linzi, 12, 64), users["linzi_chief"], gettext("临淄经济开发区"))
    huantai = District.objects.get(adcode="370321")
    pairs = _pairs(huantai, 8, 14) or [(None, r) for r in _outside_firms(HUANTAI_TARGET_CODES, 12)]
    with acting_as(users["huantai_admin"], "demo"):
        _library(huantai, pairs, users["huantai_admin"], gettext("东岳氟硅材料产业园"))


def _pairs(district: District, per_chain: int, most: int) -> list[tuple[Any, dict[str, Any]]]:
    """Up to two firms from outside the city for each node of the district's chains, the largest first."""
    pairs: list[tuple[Any, dict[str, Any]]] = []
    taken: set[str] = set()
    nodes = (
        Node.objects.filter(chain__district=district, chain__is_current=True, industries__isnull=False)
        .select_related("chain__team")
        .prefetch_related("industries")
        .distinct()
        .order_by("chain_id", "pk")
    )
    by_chain: dict[int, int] = {}
    for node in nodes:
        if by_chain.get(node.chain_id, 0) >= per_chain or len(pairs) >= most:
            continue
        codes = sorted({i.code for i in node.industries.all()})
        for record in _outside_firms(codes, 8):
            if record["uscc"] not in taken and sum(1 for n, _r in pairs if n == node) < 2:
                taken.add(record["uscc"])
                pairs.append((node, record))
                by_chain[node.chain_id] = by_chain.get(node.chain_id, 0) + 1
    return pairs

"""Chains as JSON: the bundle format of docs/chains.md, read all-or-nothing and written back the same way.

A bundle is {"groups": [{"name", "kind", "strategy", "order", "chains": [chain, ...]}]}; a chain is
{"code", "name", "lead", "description", "research_institution", "lead_department" (short name),
 "nodes": [{"code", "name", "segment", "weight", "industries": {code: share}, "keywords", "leader_firms"}],
 "edges": [[source_code, target_code, weight_or_null]]}.
Importing a chain whose code exists makes a new version; the old one is kept.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.chains.models import Chain, ChainGroup, Edge, Node, NodeIndustry
from zhaoshang.chains.services import ChainDataError
from zhaoshang.core.audit import acting_as
from zhaoshang.core.importing import ImportReport, RowIssue
from zhaoshang.core.models import Department, District, Team
from zhaoshang.core.scope import ensure_allowed
from zhaoshang.core.validators import localised
from zhaoshang.standards import codes
from zhaoshang.standards.parsers import ParseError

SEGMENTS = {s.value for s in Node.Segment}
KINDS = {k.value for k in ChainGroup.Kind}


def _check_chain(data: dict[str, Any], where: str) -> list[str]:
    problems = []
    for key in ("code", "name", "nodes"):
        if not data.get(key):
            problems.append(_("%(where)s 缺少 %(key)s") % {"where": where, "key": key})
    node_codes: set[str] = set()
    for index, node in enumerate(data.get("nodes") or [], 1):
        at = f"{where} 环节{index}({node.get('code', '?')})"
        if not node.get("code") or not node.get("name"):
            problems.append(_("%(at)s 缺少 code 或 name") % {"at": at})
        if node.get("code") in node_codes:
            problems.append(_("%(at)s 代码重复") % {"at": at})
        node_codes.add(node.get("code"))
        if node.get("segment", "mid") not in SEGMENTS:
            problems.append(_("%(at)s 链段只能是 up/mid/down") % {"at": at})
        shares = node.get("industries") or {}
        for code, share in shares.items():
            try:
                codes.validate_industry_code(code, level="class")
            except ParseError as error:
                problems.append(f"{at}: {localised(error)}")
            if not isinstance(share, int | float) or not 0 <= share <= 1:
                problems.append(_("%(at)s 占比须在 0 到 1 之间") % {"at": at})
    seen: set[tuple[str, str]] = set()
    for edge in data.get("edges") or []:
        if isinstance(edge, list | tuple) and len(edge) >= 2:
            if edge[0] == edge[1]:
                problems.append(_("%(where)s 环节 %(a)s 不能供给自身") % {"where": where, "a": edge[0]})
            if (edge[0], edge[1]) in seen:
                problems.append(
                    _("%(where)s 供需关系 %(a)s → %(b)s 重复") % {"where": where, "a": edge[0], "b": edge[1]}
                )
            seen.add((edge[0], edge[1]))
        if not isinstance(edge, list | tuple) or len(edge) < 2:
            problems.append(_("%(where)s 供需关系须写成 [供给环节, 需求环节, 占比]") % {"where": where})
        elif edge[0] not in node_codes or edge[1] not in node_codes:
            problems.append(
                _("%(where)s 供需关系 %(a)s → %(b)s 引用了不存在的环节")
                % {"where": where, "a": edge[0], "b": edge[1]}
            )
    return problems


def bundle_check(bundle: Any) -> list[str]:
    if not isinstance(bundle, dict) or not isinstance(bundle.get("groups"), list):
        return [_('文件须为 {"groups": [...]} 格式的 JSON')]
    problems = []
    for g_index, group in enumerate(bundle["groups"], 1):
        where = _("链群%(n)s") % {"n": g_index}
        if not group.get("name") or group.get("kind") not in KINDS:
            problems.append(_("%(where)s 须有 name,kind 为 chemical/emerging/cluster") % {"where": where})
        for c_index, chain in enumerate(group.get("chains") or [], 1):
            problems += _check_chain(chain, f"{where} 产业链{c_index}({chain.get('code', '?')})")
    return problems


def _chain_write(district: District, group: ChainGroup, data: dict[str, Any]) -> Chain:
    departments = {d.short_name: d for d in Department.objects.filter(district=district)}
    current = Chain.objects.filter(district=district, code=data["code"], is_current=True).first()
    version = 1
    if current is not None:
        version = (
            Chain.objects.filter(district=district, code=data["code"]).order_by("-version")[0].version + 1
        )
        current.is_current = False
        current.save(update_fields=["is_current", "updated"])
    team, _created = Team.objects.get_or_create(
        district=district,
        name=f"{data['name']}专班",
        defaults={
            "kind": Team.Kind.CHAIN,
            "lead_department": departments.get(data.get("lead_department", "")),
            "research_institution": data.get("research_institution", ""),
        },
    )
    chain = Chain(
        district=district,
        group=group,
        code=data["code"],
        name=data["name"],
        version=version,
        is_lead_chain=bool(data.get("lead")),
        description=data.get("description", ""),
        research_institution=data.get("research_institution", ""),
        lead_department=departments.get(data.get("lead_department", "")),
        team=team,
    )
    if current is not None:
        # A new version keeps who runs the chain (the "五个一" mechanism) unless the file says otherwise.
        chain.chief, chain.leading_cadre = current.chief, current.leading_cadre
        chain.research_institution = chain.research_institution or current.research_institution
        chain.lead_department = chain.lead_department or current.lead_department
        chain.team = current.team or team
    chain.full_clean()
    chain.save()
    if current is not None:
        chain.towns.set(current.towns.all())
        chain.parks.set(current.parks.all())
    nodes: dict[str, Node] = {}
    for order, item in enumerate(data["nodes"]):
        node = Node.objects.create(
            chain=chain,
            code=item["code"],
            name=item["name"],
            segment=item.get("segment", "mid"),
            weight=float(item.get("weight", 1.0)),
            keywords=list(item.get("keywords") or []),
            leader_firms=list(item.get("leader_firms") or []),
            order=order,
        )
        for code, share in (item.get("industries") or {}).items():
            NodeIndustry.objects.create(node=node, code=code, share=float(share))
        nodes[node.code] = node
    for edge in data.get("edges") or []:
        weight = edge[2] if len(edge) > 2 else None
        Edge.objects.create(chain=chain, source=nodes[edge[0]], target=nodes[edge[1]], weight=weight)
    return chain


def bundle_import(*, bundle: Any, district: District, user: Any, channel: str = "import") -> list[Chain]:
    """Write every group and chain of the bundle into the district, or nothing when anything is wrong."""
    problems = bundle_check(bundle)
    if problems:
        raise ChainDataError("\n".join(problems))
    written = []
    with transaction.atomic(), acting_as(user, channel):
        ensure_allowed(user, "add", district)
        for order, item in enumerate(bundle["groups"], 1):
            group, _created = ChainGroup.objects.get_or_create(
                district=district,
                name=item["name"],
                defaults={
                    "kind": item["kind"],
                    "strategy": item.get("strategy", ""),
                    "order": item.get("order", order),
                },
            )
            for data in item.get("chains") or []:
                written.append(_chain_write(district, group, data))
    return written


def chain_as_dict(chain: Chain) -> dict[str, Any]:
    nodes = sorted(chain.nodes.prefetch_related("industries"), key=lambda n: n.chain_position)
    by_pk = {n.pk: n.code for n in nodes}
    return {
        "code": chain.code,
        "name": chain.name,
        "version": chain.version,
        "lead": chain.is_lead_chain,
        "description": chain.description,
        "research_institution": chain.research_institution,
        "lead_department": chain.lead_department.short_name if chain.lead_department else "",
        "nodes": [
            {
                "code": n.code,
                "name": n.name,
                "segment": n.segment,
                "weight": n.weight,
                "industries": {i.code: i.share for i in n.industries.all()},
                "keywords": n.keywords,
                "leader_firms": n.leader_firms,
            }
            for n in nodes
        ],
        "edges": [[by_pk[e.source_id], by_pk[e.target_id], e.weight] for e in chain.edges.all()],
    }


def bundle_export(chains: Any) -> dict[str, Any]:
    groups: dict[int, dict[str, Any]] = {}
    current = chains.filter(is_current=True).select_related("group", "lead_department")
    for chain in current.order_by("group__order", "group__name", "code"):
        group = groups.setdefault(
            chain.group_id,
            {
                "name": chain.group.name,
                "kind": chain.group.kind,
                "strategy": chain.group.strategy,
                "order": chain.group.order,
                "chains": [],
            },
        )
        group["chains"].append(chain_as_dict(chain))
    return {"groups": list(groups.values())}


class _DryRun(Exception):
    pass


def bundle_import_report(
    *, content: bytes, user: Any, dry_run: bool, district: str | None = None, channel: str = "import"
) -> Any:
    """The JSON bundle through the generic import flow: the same report, preview and all-or-nothing rule."""

    report = ImportReport()
    try:
        bundle = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        report.issues.append(RowIssue(1, "JSON", _("无法读取 JSON:%(e)s") % {"e": error}))
        return report
    adcode = district or (bundle.get("district") if isinstance(bundle, dict) else None)
    if not adcode and getattr(getattr(user, "profile", None), "district", None) is not None:
        adcode = user.profile.district.adcode
    target = District.objects.restrict(user, "add").filter(adcode=str(adcode or "")).first()
    if target is None:
        report.issues.append(RowIssue(1, "district", _('请在文件中写明有权限的区县代码 "district"')))
        return report
    problems = bundle_check(bundle)
    report.issues += [RowIssue(1, "JSON", p) for p in problems]
    if problems:
        return report
    chains = [c for g in bundle["groups"] for c in g.get("chains") or []]
    existing = set(Chain.objects.filter(district=target, is_current=True).values_list("code", flat=True))
    report.total = len(chains)
    report.new = sum(c["code"] not in existing for c in chains)
    report.update = report.total - report.new
    report.preview = [
        {
            "type": "update" if c["code"] in existing else "new",
            "repr": f"{target.name} · {c['name']} ({len(c['nodes'])})",
        }
        for c in chains
    ]
    try:
        with transaction.atomic():
            bundle_import(bundle=bundle, district=target, user=user, channel=channel)
            if dry_run:
                raise _DryRun
            report.committed = True
    except _DryRun:
        pass
    return report

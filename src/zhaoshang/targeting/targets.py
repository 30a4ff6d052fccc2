"""Investment targets of a chain node: industries, cities and enterprises from the national registry,
and saving chosen firms into the district's target-enterprise library."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhaoshang.chains.models import Node
from zhaoshang.chains.selectors import latest_snapshot
from zhaoshang.core.audit import acting_as
from zhaoshang.core.scope import ensure_allowed
from zhaoshang.enterprises.models import Enterprise, TargetEntry
from zhaoshang.enterprises.services import jsonable
from zhaoshang.industries.national import national_matrix, national_relatedness, registry_path
from zhaoshang.targeting.gaps import finite_or_none

if TYPE_CHECKING:
    from zhaoshang.analytics.chains.gaps import GapNode
    from zhaoshang.analytics.targets.firms import TargetWeights

STATUS_MAP = {"存续": "existing", "在业": "operating", "注销": "cancelled", "吊销": "revoked"}


def _weights(district: Any) -> TargetWeights:
    """Per-district weights (district.settings["target_weights"]) over the documented defaults."""
    from zhaoshang.analytics.targets.firms import TargetWeights  # deferred: pandas, DuckDB and PyArrow

    given = district.settings.get("target_weights") or {}
    known = {k: float(v) for k, v in given.items() if k in TargetWeights.__dataclass_fields__}
    return dataclasses.replace(TargetWeights(), **known)


def gap_node(node: Node) -> GapNode:
    from zhaoshang.analytics.chains.gaps import GapNode  # deferred: numpy, scipy and DuckDB

    return GapNode(
        str(node.pk), node.name, node.segment, node.weight, {i.code: i.share for i in node.industries.all()}
    )


@dataclasses.dataclass
class NodeTargets:
    node: Node
    gap: dict[str, Any] | None
    industries: list[Any]
    cities: list[Any]
    firms: list[dict[str, Any]]


def node_targets(node: Node, *, top: int = 50) -> NodeTargets:
    # deferred: pandas, DuckDB, PyArrow and SciPy load only when targets are ranked
    from zhaoshang.analytics.targets.firms import registry_targets
    from zhaoshang.analytics.targets.places import CityParams, target_cities, target_industries

    district = node.chain.district
    snapshot = latest_snapshot(node.chain)
    gap = dict(snapshot.node(node.pk) or {}) if snapshot else None
    if gap:
        gap["status_label"] = {"strong": _("强项"), "weak": _("弱项"), "missing": _("缺失")}.get(
            gap["status"], ""
        )
    target = gap_node(node)
    relatedness = national_relatedness(district.adcode)
    industries = target_industries(
        target, relatedness, gap=(gap or {}).get("gap_score") or None, include_group=True
    )
    cities = target_cities(
        target, national_matrix("city", "firms"), district=district.adcode, params=CityParams()
    )
    if not target.shares and not node.keywords:
        # Without codes or keywords every firm in the country would match: nothing to rank.
        return NodeTargets(node=node, gap=gap, industries=industries, cities=cities, firms=[])
    frame = registry_targets(
        registry_path(),
        target,
        district=district.adcode,
        keywords=list(node.keywords) or None,
        density=relatedness.density,
        ties=_local_ties(district.adcode),
        weights=_weights(district),
        top=top * 2,
    )
    # Districts of one city do not poach from each other (as for target cities).
    city = district.adcode[:4]
    rows = [row for row in frame.to_dict("records") if not str(row["adcode"]).startswith(city)][:top]
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    firms = [{k: finite_or_none(v) for k, v in row.items()} for row in rows]
    return NodeTargets(node=node, gap=gap, industries=industries, cities=cities, firms=firms)


def _local_ties(adcode: str) -> dict[str, float]:
    """For each class, the district's own active firms in the same GB/T 4754 group (中类): the local suppliers,
    customers and peers a newcomer would work with."""
    matrix = national_matrix("county", "firms")
    row = matrix.row(adcode)
    by_group: dict[str, float] = {}
    for code, count in zip(matrix.industries, row, strict=True):
        by_group[code[:3]] = by_group.get(code[:3], 0.0) + float(count)
    return {code: by_group.get(code[:3], 0.0) for code in matrix.industries}


def targets_save(*, node: Node, usccs: list[str], user: Any, top: int = 200) -> list[Any]:
    """Put chosen firms of the node's ranking into the library: a district copy of the registry record (its
    source noted per attribute) and a target entry owned by the chain's team, with the score explained."""

    district = node.chain.district
    ranked = {row["uscc"]: row for row in node_targets(node, top=top).firms}
    wanted = [ranked[u] for u in usccs if u in ranked]
    if not wanted:
        return []
    rows = _registry_rows([row["uscc"] for row in wanted])
    saved = []
    with transaction.atomic(), acting_as(user, "web"):
        ensure_allowed(user, "add", district)
        for row in wanted:
            record = rows.get(row["uscc"], {})
            enterprise = Enterprise.objects.filter(district=district, uscc=row["uscc"]).first()
            if enterprise is None:
                enterprise = Enterprise(district=district, uscc=row["uscc"])
                _fill_from_registry(enterprise, record)
                enterprise.full_clean()
                enterprise.save()
            entry, created = TargetEntry.objects.get_or_create(
                district=district,
                enterprise=enterprise,
                node=node,
                defaults={
                    "chain": node.chain,
                    "team": node.chain.team,
                    "score": row["score"],
                    "score_explain": {
                        "explain": row["explain"],
                        "breakdown": row["breakdown"],
                        "terms": row.get("terms", []),
                    },
                },
            )
            if created:
                saved.append(entry)
    return saved


def _registry_rows(usccs: list[str]) -> dict[str, dict[str, Any]]:
    import duckdb  # deferred: DuckDB loads only when registry records are read

    path = str(registry_path()).replace("'", "''")
    with duckdb.connect() as con:
        frame = con.execute(f"SELECT * FROM read_parquet('{path}') WHERE uscc IN ?", [usccs]).fetch_df()
    return {row["uscc"]: row for row in frame.to_dict("records")}


def _fill_from_registry(enterprise: Any, record: dict[str, Any]) -> None:
    source = {"source": _("全国企业库"), "date": datetime.date.today().isoformat()}
    values = {
        "name": record.get("name") or enterprise.uscc,
        "registered_capital": record.get("registered_capital"),
        "insured_employees": record.get("insured_employees"),
        "industry_code": record.get("industry") or "",
        "business_scope": record.get("scope") or "",
        "adcode": record.get("adcode") or "",
        "lng": record.get("lng"),
        "lat": record.get("lat"),
        "status": STATUS_MAP.get(record.get("status") or "", "existing"),
        "listed": bool(record.get("listed")),
        "tags": [
            t for t, key in (("专精特新", "specialised"), ("高新技术企业", "high_tech")) if record.get(key)
        ],
    }
    founded = record.get("founded")
    if founded is not None and hasattr(founded, "year"):
        values["founded"] = founded if isinstance(founded, datetime.date) else founded.date()
    provenance = {}
    for name, value in values.items():
        value = finite_or_none(value)
        if name == "registered_capital" and value is not None:
            value = Decimal(str(round(value, 4)))
        setattr(enterprise, name, value)
        provenance[name] = {**source, "source_value": jsonable(value)}
    enterprise.provenance = provenance

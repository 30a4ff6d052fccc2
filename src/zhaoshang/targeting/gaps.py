"""Gap analysis of a district's chains against the national registry (the district's own enterprise records
merged into its row): compute, store, read."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction

from zhaoshang.chains.models import Chain, GapSnapshot
from zhaoshang.core.jobs import job_runner
from zhaoshang.core.models import District, Job
from zhaoshang.core.scope import ensure_allowed
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.industries.national import national_matrix, national_relatedness, registry_version

if TYPE_CHECKING:
    from zhaoshang.analytics.chains.gaps import GapSettings, NodeProject
    from zhaoshang.analytics.registry.merge import MergeReport
    from zhaoshang.analytics.registry.store import PlaceIndustryMatrix


# Projects live above this layer: the projects app registers who is on a node (projects/registry.py). A
# provider returns, per node id, dicts with: key, name, stage (label), producing (投产/达产, verified),
# enterprise (an Enterprise or None) and investor (USCC or name, used when there is no enterprise record).
NodeProjectsProvider = Callable[[Chain], dict[int, list[dict[str, Any]]]]
_node_projects: list[NodeProjectsProvider] = []


def register_node_projects(provider: NodeProjectsProvider) -> None:
    if provider not in _node_projects:
        _node_projects.append(provider)


def node_projects(chain: Chain, shares: dict[str, dict[str, float]]) -> dict[str, list[NodeProject]]:
    """The projects on each node of ``chain`` (node id → NodeProject), with whether the registry row already
    counts their firm: a district enterprise record that is active and classed in one of the node's classes
    is merged into the row (``district_matrix``), so it is counted there and must not be counted twice."""
    from zhaoshang.analytics.chains.gaps import NodeProject  # deferred: numpy, scipy and DuckDB

    active = {Enterprise.Status.EXISTING, Enterprise.Status.OPERATING}
    out: dict[str, list[NodeProject]] = {}
    for provider in _node_projects:
        for node_id, rows in provider(chain).items():
            classes = {c for c, a in shares.get(str(node_id), {}).items() if a > 0}
            for row in rows:
                firm = row.get("enterprise")
                counted = bool(
                    firm is not None
                    and firm.district_id == chain.district_id
                    and firm.status in active
                    and firm.industry_code in classes
                )
                out.setdefault(str(node_id), []).append(
                    NodeProject(
                        key=str(row["key"]),
                        name=str(row["name"]),
                        stage=str(row["stage"]),
                        firm=f"enterprise:{firm.pk}" if firm is not None else f"investor:{row['investor']}",
                        firm_name=str(firm.name if firm is not None else row["investor"]),
                        producing=bool(row["producing"]),
                        counted=counted,
                    )
                )
    return out


def gap_settings(district: District, base: str) -> GapSettings:
    """Per-district thresholds (district.settings["gaps"]) over the defaults of DOMAIN.md §5."""
    from zhaoshang.analytics.chains.gaps import GapSettings  # deferred: numpy, scipy and DuckDB

    overrides = {
        k: v
        for k, v in (district.settings.get("gaps") or {}).items()
        if k in GapSettings.__dataclass_fields__
    }
    return dataclasses.replace(GapSettings(), **{**overrides, "base": base})


def finite_or_none(value: Any) -> Any:
    """A value for JSON, which has no NaN: "no downstream edge" and "no density" become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def district_matrix(district: District) -> tuple[PlaceIndustryMatrix, MergeReport | None]:
    """The national county × class firm counts with the district's own enterprise records merged into its row
    (by USCC: the district's class and status win, firms the registry lacks are added); None: no records."""
    # deferred: DuckDB, PyArrow and SciPy load only when the registry is read
    from zhaoshang.analytics.registry.merge import merged_place_row, with_place_row
    from zhaoshang.analytics.registry.store import place_firms

    matrix = national_matrix("county", "firms")
    local = list(Enterprise.objects.filter(district=district).values_list("uscc", "industry_code", "status"))
    if not local:
        return matrix, None
    active = {Enterprise.Status.EXISTING, Enterprise.Status.OPERATING}
    path, _mtime = registry_version()
    row, report = merged_place_row(
        place_firms(path, district.adcode),
        [(uscc, code, status in active) for uscc, code, status in local],
        matrix.industries,
    )
    return with_place_row(matrix, district.adcode, row), report


def chain_gaps_compute(chain: Chain, base: str = "province") -> Any:
    from zhaoshang.analytics.chains.gaps import GapNode, chain_gaps  # deferred: numpy, scipy and DuckDB

    nodes = list(chain.nodes.prefetch_related("industries"))
    gap_nodes = [
        GapNode(str(n.pk), n.name, n.segment, n.weight, {i.code: i.share for i in n.industries.all()})
        for n in nodes
    ]
    edges = [(str(s), str(t), w) for s, t, w in chain.edges.values_list("source_id", "target_id", "weight")]
    on_nodes = node_projects(chain, {n.key: dict(n.shares) for n in gap_nodes})
    adcode = chain.district.adcode
    relatedness = national_relatedness(adcode)  # from the registry as published, like every other county's
    matrix, merged = district_matrix(chain.district)
    result = chain_gaps(
        gap_nodes,
        edges,
        matrix=matrix,
        district=adcode,
        density=relatedness.density,
        settings=gap_settings(chain.district, base),
        projects=on_nodes,
    )
    if merged is not None:
        result.explain.insert(0, merged.explain())
    return result


def chain_gaps_refresh(*, chain: Chain, user: Any, base: str = "province") -> GapSnapshot:
    ensure_allowed(user, "view", chain)
    result = chain_gaps_compute(chain, base)
    path, mtime = registry_version()
    nodes = [{k: finite_or_none(v) for k, v in dataclasses.asdict(n).items()} for n in result.nodes]
    with transaction.atomic():
        return GapSnapshot.objects.create(
            chain=chain,
            base=base,
            completeness=result.completeness,
            result={
                "nodes": nodes,
                "explain": result.explain,
                "settings": dataclasses.asdict(result.settings),
            },
            registry=path,
            registry_version=mtime,
            computed_by=user,
        )


@job_runner("chain-gaps", retry_safe=True)  # a recomputation: again is at most one more snapshot
def run_chain_gaps(job: Job, progress: Any) -> dict[str, Any]:
    """Recompute the gaps of every current chain of a district (params: district id, base)."""
    chains = Chain.objects.restrict(job.user, "view").filter(
        district_id=job.params["district"], is_current=True
    )
    if job.params.get("chain"):
        chains = chains.filter(pk=job.params["chain"])
    chains = list(chains)
    done = []
    for index, chain in enumerate(chains, 1):
        progress(index - 1, len(chains), chain.name)
        snapshot = chain_gaps_refresh(chain=chain, user=job.user, base=job.params.get("base", "province"))
        done.append({"chain": chain.name, "completeness": round(snapshot.completeness, 3)})
    return {"chains": done}

"""Reads for the chain pages: the graph of a chain as ECharts wants it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhaoshang.analytics.chains.layout import LayoutNode, chain_layout
from zhaoshang.chains.models import Chain, GapSnapshot, Node

SEGMENT_COLOURS = {"up": "#2f7ed8", "mid": "#0b4f9c", "down": "#13a89e"}
STATUS_COLOURS = {"strong": "#2e7d32", "weak": "#f9a825", "missing": "#c62828"}
logger = logging.getLogger(__name__)
STATUS_TEXT = {"strong": _("强项"), "weak": _("弱项"), "missing": _("缺失")}


def chain_graph(chain: Chain, snapshot: Any = None) -> dict[str, Any]:
    """Nodes with positions, sizes by weight and links; two queries whatever the chain's size."""
    nodes = list(chain.nodes.prefetch_related("industries"))
    edges = list(chain.edges.values_list("source_id", "target_id", "weight"))
    positions = chain_layout(
        [LayoutNode(n.pk, n.segment, n.order) for n in nodes], [(s, t) for s, t, _w in edges]
    )
    max_weight = max((n.weight for n in nodes), default=1.0) or 1.0
    gaps = {str(n["key"]): n for n in snapshot.result["nodes"]} if snapshot is not None else {}
    return {
        "nodes": [
            {
                "id": str(n.pk),
                "name": n.name,
                "x": positions[n.pk].x,
                "y": positions[n.pk].y,
                "symbolSize": 28 + 34 * (n.weight / max_weight),
                "segment": n.get_segment_display(),
                "itemStyle": {"color": SEGMENT_COLOURS.get(n.segment, "#0b4f9c")},
                "segmentColor": SEGMENT_COLOURS.get(n.segment, "#0b4f9c"),
                "status": gaps.get(str(n.pk), {}).get("status"),
                "statusLabel": str(STATUS_TEXT.get(gaps.get(str(n.pk), {}).get("status"), "")),
                "statusColor": STATUS_COLOURS.get(gaps.get(str(n.pk), {}).get("status"), "#9e9e9e"),
                "lq": gaps.get(str(n.pk), {}).get("lq"),
                "firms": gaps.get(str(n.pk), {}).get("firms"),
                # Producing projects counted in `firms`, and the projects on the node (in the tooltip by name).
                "projectFirms": gaps.get(str(n.pk), {}).get("project_firms") or 0,
                "projects": [
                    {"name": p["name"], "stage": p["stage"], "producing": p["producing"]}
                    for p in gaps.get(str(n.pk), {}).get("projects") or []
                ],
                "codes": [f"{i.code}×{i.share:g}" for i in n.industries.all()],
                "url": reverse("node_detail", args=[n.pk]),
            }
            for n in nodes
        ],
        "links": [
            {"source": str(s), "target": str(t), "value": w, "lineStyle": {"width": 1 + 4 * (w or 0)}}
            for s, t, w in edges
        ],
    }


def latest_snapshot(chain: Chain) -> GapSnapshot | None:
    return chain.gap_snapshots.order_by("-created").first()


# The gap analysis lives above chains (targeting): it registers what keeps a chain's snapshot in step with the
# projects on its nodes (targeting/registry.py): (chain, user) → a refresh job started, or None.
SnapshotFollower = Callable[[Chain, Any], Any]
_followers: list[SnapshotFollower] = []


def register_snapshot_follower(follower: SnapshotFollower) -> None:
    if follower not in _followers:
        _followers.append(follower)


def followed_snapshot(chain: Chain, user: Any) -> tuple[GapSnapshot | None, Any]:
    """The chain's latest analysis after the followers had their say (a refresh when its projects changed: inline
    where jobs run inline), and the refresh job still running, if any."""
    job = None
    for follower in _followers:
        try:
            job = follower(chain, user) or job
        except Exception:  # a refresh that cannot start must not take the chain's page down
            logger.exception("chain %s: snapshot refresh not started", chain.pk)
    running = job is not None and job.status in ("queued", "running")
    return latest_snapshot(chain), job if running else None


def chain_detail_context(chain: Chain, user: Any) -> dict[str, Any]:
    snapshot, refreshing = followed_snapshot(chain, user)
    nodes = Node.objects.filter(chain=chain).prefetch_related("industries")
    segments = {key: [] for key, _label in Node.Segment.choices}
    for node in nodes:
        segments[node.segment].append(node)
    return {
        "graph": chain_graph(chain, snapshot),
        "snapshot": snapshot,
        "snapshot_refreshing": refreshing,
        "gap_rows": _gap_rows(snapshot),
        "segments": [(label, segments[key]) for key, label in Node.Segment.choices],
        "versions": Chain.objects.filter(district=chain.district_id, code=chain.code).order_by("-version"),
        "edge_count": chain.edges.count(),
    }


def node_detail_context(node: Node, user: Any) -> dict[str, Any]:
    # The firms the enterprise registry placed on this node (its placements point here).
    placements = (
        node.placements.filter(excluded=False)
        .select_related("enterprise")
        .order_by("-enterprise__insured_employees", "enterprise__name")
    )
    snapshot, _refreshing = followed_snapshot(node.chain, user)
    gap: dict[str, Any] = dict(snapshot.node(node.pk) or {}) if snapshot is not None else {}
    return {
        "gap": gap or None,
        "gap_status_label": STATUS_LABELS.get(str(gap.get("status", "")), ""),
        # The projects the gap analysis found on the node (chains cannot read projects: the snapshot holds them).
        "node_projects": [
            {**p, "url": reverse("project_detail", args=[int(p["key"])])} for p in gap.get("projects") or []
        ],
        "industries": node.industries.all(),
        "suppliers": node.in_edges.select_related("source"),
        "customers": node.out_edges.select_related("target"),
        "placements": placements[:200],
        "placement_count": placements.count(),
    }


STATUS_LABELS = {"strong": "强项", "weak": "弱项", "missing": "缺失"}


def _gap_rows(snapshot: Any) -> list[dict[str, Any]]:
    """Nodes with a gap, largest first, with the node page link: what the chain chief acts on."""
    if snapshot is None:
        return []
    rows = [dict(n) for n in snapshot.result["nodes"]]
    for row in rows:
        row["url"] = reverse("node_detail", args=[int(row["key"])])
        row["status_label"] = STATUS_LABELS.get(row["status"], row["status"])
    return sorted(rows, key=lambda r: (-(r["gap_score"] or 0), r["name"]))


def chain_health(user: Any, limit: int = 20) -> list[dict[str, Any]]:
    """Each visible current chain with its latest completeness: two queries whatever the number of chains."""

    latest = GapSnapshot.objects.filter(chain=OuterRef("pk")).order_by("-created")
    chains = (
        Chain.objects.restrict(user, "view")
        .filter(is_current=True)
        .select_related("district", "group")
        .annotate(completeness=Subquery(latest.values("completeness")[:1]))
        .order_by("completeness", "name")[:limit]
    )
    return [
        {"chain": c, "completeness": c.completeness, "url": reverse("chain_detail", args=[c.pk])}
        for c in chains
    ]

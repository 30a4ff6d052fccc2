"""Reads for the chain pages: the graph of a chain as ECharts wants it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from zhaoshang.analytics.chain_layout import LayoutNode, chain_layout
from zhaoshang.chains.models import Chain, Node

SEGMENT_COLOURS = {"up": "#2f7ed8", "mid": "#0b4f9c", "down": "#13a89e"}


def chain_graph(chain: Chain) -> dict[str, Any]:
    """Nodes with positions, sizes by weight and links; two queries whatever the chain's size."""
    nodes = list(chain.nodes.prefetch_related("industries"))
    edges = list(chain.edges.values_list("source_id", "target_id", "weight"))
    positions = chain_layout(
        [LayoutNode(n.pk, n.segment, n.order) for n in nodes], [(s, t) for s, t, _w in edges]
    )
    max_weight = max((n.weight for n in nodes), default=1.0) or 1.0
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


def chain_detail_context(chain: Chain, user: Any) -> dict[str, Any]:
    nodes = Node.objects.filter(chain=chain).prefetch_related("industries")
    segments = {key: [] for key, _label in Node.Segment.choices}
    for node in nodes:
        segments[node.segment].append(node)
    return {
        "graph": chain_graph(chain),
        "segments": [(label, segments[key]) for key, label in Node.Segment.choices],
        "versions": Chain.objects.filter(district=chain.district_id, code=chain.code).order_by("-version"),
        "edge_count": chain.edges.count(),
    }


def node_detail_context(node: Node, user: Any) -> dict[str, Any]:
    from zhaoshang.enterprises.models import EnterpriseNode

    placements = (
        EnterpriseNode.objects.filter(node=node, excluded=False)
        .select_related("enterprise")
        .order_by("-enterprise__insured_employees", "enterprise__name")
    )
    return {
        "industries": node.industries.all(),
        "suppliers": node.in_edges.select_related("source"),
        "customers": node.out_edges.select_related("target"),
        "placements": placements[:200],
        "placement_count": placements.count(),
    }

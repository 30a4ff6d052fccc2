"""How the generic page/API/export checks build and edit this app's models (see zhaoshang.core.testing)."""

from __future__ import annotations

from typing import Any

from zhaoshang.chains.factories import ChainFactory, ChainGroupFactory, EdgeFactory, NodeFactory
from zhaoshang.core.testing import ModelSpec

SPECS = {
    "chaingroup": ModelSpec(
        "chaingroup",
        build=lambda d: ChainGroupFactory(district=d, name="测试链群甲"),
        form_data=lambda d: {"district": d.pk, "name": "测试链群乙", "kind": "emerging", "order": 4},
        changes={"strategy": "做大做强"},
    ),
    "chain": ModelSpec(
        "chain",
        build=lambda d: ChainFactory(district=d, group=ChainGroupFactory(district=d), name="测试链甲"),
        form_data=lambda d: {
            "district": d.pk,
            "group": ChainGroupFactory(district=d).pk,
            "code": "test-b",
            "name": "测试链乙",
        },
        changes={"leading_cadre": "王副区长"},
    ),
    "node": ModelSpec(
        "node",
        build=lambda d: NodeFactory(chain=ChainFactory(district=d), name="测试环节甲"),
        form_data=lambda d: {
            "chain": ChainFactory(district=d).pk,
            "code": "reducer",
            "name": "测试环节乙",
            "segment": "mid",
            "weight": "1.5",
            "order": 0,
            "keywords": "减速器、RV减速器",
            "industry_codes": "3484:0.6; 3491",
        },
        changes={"weight": "2.5"},
    ),
    "edge": ModelSpec(
        "edge",
        build=lambda d: EdgeFactory(chain=ChainFactory(district=d)),
        form_data=lambda d: _edge_data(d),
        changes={"weight": "0.3"},
        api_changes={"weight": 0.4},
        lookup=lambda data: {"source_id": data["source"], "target_id": data["target"]},
        # An edge shows as its two nodes: by name on pages, by code in files.
        marker=lambda edge: edge.source.name,
        export_marker=lambda edge: edge.source.code,
    ),
}


def _edge_data(district: Any) -> dict[str, Any]:
    chain = ChainFactory(district=district)
    source, target = NodeFactory(chain=chain), NodeFactory(chain=chain)
    return {"chain": chain.pk, "source": source.pk, "target": target.pk}

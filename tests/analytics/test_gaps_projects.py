"""Projects on chain nodes in the gap analysis (issue 16 item 7), and the target score's terms, by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from zhaoshang.analytics.chains.gaps import NodeProject, chain_gaps
from zhaoshang.analytics.targets.firms import TERMS, target_enterprises

from .test_gaps import EDGES, LINZI, NODES, matrix
from .test_targets import firm


def project(key: str, firm_key: str, *, producing: bool = True, counted: bool = False) -> NodeProject:
    return NodeProject(
        key=key,
        name=f"精密轴承项目{key}",
        stage="达产" if producing else "开工",
        firm=firm_key,
        firm_name=f"企业{firm_key}",
        producing=producing,
        counted=counted,
    )


def test_a_producing_project_makes_a_missing_node_weak() -> None:
    before = chain_gaps(NODES, EDGES, matrix=matrix(), district=LINZI).node("bearing")
    assert before.status == "missing" and before.firms == 0
    on_nodes = {
        "bearing": [
            project("1", "enterprise:7"),
            project("2", "enterprise:7"),  # a second project of the same firm: still one firm
            project("3", "investor:X", producing=False),  # under construction: listed, not counted
        ]
    }
    r = chain_gaps(NODES, EDGES, matrix=matrix(), district=LINZI, projects=on_nodes)
    b = r.node("bearing")
    assert (b.status, b.firms, b.project_firms, b.strength) == ("weak", 1, 1, 1.0)
    # Linzi now has 16 + 1 firms; the province's 3451 column holds 4 of 32.
    assert b.lq_province == pytest.approx((1 / 17) / (4 / 32))
    assert r.node("distill").lq_province == pytest.approx((10 / 17) / (12 / 32))
    assert [p["key"] for p in b.projects] == ["1", "2", "3"]
    text = " ".join(b.explain)
    assert "含投产/达产项目 2 个" in text and "计入企业数 1 家" in text and "含在建项目 1 个" in text
    # The extra firm dilutes Linzi's other shares: ethylene's LQ falls to (4/17)/(8/32) < 1 and it turns weak,
    # so the robot's suppliers are bearing (weak, was missing) and ethylene (weak, was strong): push 0.5.
    assert r.node("ethylene").lq_province == pytest.approx((4 / 17) / (8 / 32))
    assert r.node("ethylene").status == "weak"
    assert r.node("robot").push == pytest.approx(0.5)


def test_a_firm_the_registry_already_counts_is_not_counted_twice() -> None:
    on_nodes = {"robot": [project("1", "enterprise:9", counted=True)]}
    plain = chain_gaps(NODES, EDGES, matrix=matrix(), district=LINZI).node("robot")
    r = chain_gaps(NODES, EDGES, matrix=matrix(), district=LINZI, projects=on_nodes).node("robot")
    assert (r.firms, r.project_firms, r.lq_province) == (plain.firms, 0, plain.lq_province)
    assert "已在企业库计数中" in " ".join(r.explain)


def test_every_term_of_a_firm_score_is_named_with_raw_value_transform_weight_and_contribution() -> None:
    rows = [firm("x", listed=True, registered_capital=25_000.0, branches_24m=2, investments_24m=1)]
    out = target_enterprises(pd.DataFrame(rows), district=LINZI, density={"3491": 0.2, "3492": 0.4})
    row = out.iloc[0]
    terms = {t["key"]: t for t in row["terms"]}
    assert list(terms) == list(TERMS)
    assert sum(t["contribution"] for t in terms.values()) == pytest.approx(row["score"])
    emp = terms["employees"]
    assert emp["raw"] == 120 and "log(1 + x) / log(1 + 10,000)" in emp["transform"]
    assert emp["value"] == pytest.approx(math.log1p(120) / math.log1p(10_000))
    assert emp["contribution"] == pytest.approx(emp["weight"] * emp["value"])
    fit = terms["fit"]
    assert (
        fit["raw"] == pytest.approx(0.2)
        and "0.400" in fit["transform"]
        and fit["value"] == pytest.approx(0.5)
    )
    assert terms["expansion"]["raw"] == 3 and terms["expansion"]["value"] == pytest.approx(1 - math.exp(-1.5))
    assert terms["listed"]["raw"] == 1 and terms["listed"]["contribution"] == pytest.approx(0.6)
    assert all(t["name"] and t["transform"] for t in terms.values())

"""The demo chain map of Linzi's "456" chain groups (src/zhaoshang/chains/data/linzi_456.json).

Pure checks on the shipped file: no database, no Django. Runs with and without pytest-django
(`pytest -p no:django`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from zhaoshang.standards.industries import industry

DATA = Path(__file__).resolve().parents[2] / "src" / "zhaoshang" / "chains" / "data" / "linzi_456.json"

GROUPS = [  # (kind, strategy, number of chains), in order
    ("chemical", "协同发展", 4),
    ("emerging", "做大做强", 5),
    ("cluster", "扩面提质", 6),
]
SEGMENTS = ("up", "mid", "down")
DEPARTMENTS = {"发改", "商务", "工信", "自然资源", "生态环境", "住建", "行政审批", "应急", "财政", "统计"}


@pytest.fixture(autouse=True)
def _isolated_settings() -> None:
    """Shadows the root conftest's autouse fixture, which needs pytest-django's `settings`."""


def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return data


def _chains() -> Iterator[dict[str, Any]]:
    for group in _data()["groups"]:
        yield from group["chains"]


def _nodes() -> Iterator[tuple[str, dict[str, Any]]]:
    for chain in _chains():
        for node in chain["nodes"]:
            yield f"{chain['code']}/{node['code']}", node


def _graph(chain: dict[str, Any]) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(node["code"] for node in chain["nodes"])
    graph.add_edges_from((source, target) for source, target, _ in chain["edges"])
    return graph


CHAIN_CODES = [chain["code"] for chain in _chains()]


def test_source_says_it_is_demo_data() -> None:
    assert "demo data" in _data()["source"]


def test_three_groups_with_4_5_6_chains() -> None:
    groups = _data()["groups"]
    assert [(g["kind"], g["strategy"], len(g["chains"])) for g in groups] == GROUPS
    assert [g["order"] for g in groups] == [1, 2, 3]
    assert all(g["name"] for g in groups)


def test_exactly_one_lead_chain_per_group() -> None:
    leads = {g["kind"]: [c["name"] for c in g["chains"] if c["lead"] is True] for g in _data()["groups"]}
    assert all(len(names) == 1 for names in leads.values()), leads
    assert "炼化一体化" in leads["chemical"][0]
    assert "机器人" in leads["emerging"][0]
    assert any(word in leads["cluster"][0] for word in ("稀土", "新医药"))
    assert all(isinstance(c["lead"], bool) for c in _chains())


def test_chain_codes_are_unique_ascii_slugs() -> None:
    assert len(CHAIN_CODES) == len(set(CHAIN_CODES)) == 15
    for code in CHAIN_CODES:
        assert code.isascii() and code == code.lower() and " " not in code, code


@pytest.mark.parametrize("code", CHAIN_CODES)
def test_chain_fields(code: str) -> None:
    chain = next(c for c in _chains() if c["code"] == code)
    assert chain["name"] and chain["description"] and chain["research_institution"]
    assert chain["lead_department"] in DEPARTMENTS
    assert 8 <= len(chain["nodes"]) <= 14
    assert {node["segment"] for node in chain["nodes"]} == set(SEGMENTS)
    node_codes = [node["code"] for node in chain["nodes"]]
    assert len(node_codes) == len(set(node_codes)), "node codes repeat"
    assert all(c.isascii() and c == c.lower() and " " not in c for c in node_codes)
    keywords = [kw for node in chain["nodes"] for kw in node["keywords"]]
    assert len(keywords) == len(set(keywords)), "a keyword is given to two nodes of one chain"


def test_every_industry_code_is_a_gbt4754_class() -> None:
    for where, node in _nodes():
        assert 1 <= len(node["industries"]) <= 3, where
        for code in node["industries"]:
            entry = industry(code)
            assert entry is not None and entry.level == "class", f"{where}: {code}"


def test_industry_shares_sum_to_one() -> None:
    for where, node in _nodes():
        shares = node["industries"].values()
        assert all(0 < share <= 1 for share in shares), where
        assert math.isclose(sum(shares), 1.0, abs_tol=1e-6), where


def test_node_weights_keywords_and_leaders() -> None:
    for where, node in _nodes():
        assert node["name"], where
        assert node["segment"] in SEGMENTS, where
        assert 0.5 <= node["weight"] <= 3, where
        assert 3 <= len(node["keywords"]) <= 8, where
        assert all(isinstance(kw, str) and kw.strip() == kw != "" for kw in node["keywords"]), where
        assert len(node["leader_firms"]) <= 3, where


@pytest.mark.parametrize("code", CHAIN_CODES)
def test_edges_form_a_dag_of_supply_links(code: str) -> None:
    chain = next(c for c in _chains() if c["code"] == code)
    nodes = {node["code"]: node for node in chain["nodes"]}
    for edge in chain["edges"]:
        assert len(edge) == 3, edge
        source, target, weight = edge
        assert source in nodes and target in nodes, edge
        assert source != target, edge
        assert weight is None or 0 < weight <= 1, edge
        # supply flows downstream: never from a later segment back to an earlier one
        assert SEGMENTS.index(nodes[source]["segment"]) <= SEGMENTS.index(nodes[target]["segment"]), edge
    pairs = [(s, t) for s, t, _ in chain["edges"]]
    assert len(pairs) == len(set(pairs)), "repeated edge"

    graph = _graph(chain)
    assert nx.is_directed_acyclic_graph(graph)
    assert nx.is_weakly_connected(graph)
    assert all(graph.out_degree(n) <= 3 for n in graph), "a node supplies more than 3 nodes"

    # the cost shares of a node's inputs cannot exceed its whole cost
    for target in nodes:
        inputs = [w for _, t, w in chain["edges"] if t == target and w is not None]
        assert sum(inputs) <= 1 + 1e-9, target


def test_upstream_nodes_supply_and_downstream_nodes_are_supplied() -> None:
    for chain in _chains():
        graph = _graph(chain)
        for node in chain["nodes"]:
            where = f"{chain['code']}/{node['code']}"
            if node["segment"] == "up":
                assert graph.out_degree(node["code"]) >= 1, f"{where} supplies nothing"
            if node["segment"] == "down":
                assert graph.in_degree(node["code"]) >= 1, f"{where} has no supplier"

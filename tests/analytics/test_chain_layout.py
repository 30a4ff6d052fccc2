from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from zhaoshang.analytics.chains.layout import LayoutNode, chain_layout


def test_segments_flow_left_to_right() -> None:
    nodes = [LayoutNode(1, "down"), LayoutNode(2, "up"), LayoutNode(3, "mid"), LayoutNode(4, "mid")]
    # 3 → 4 inside the midstream: 4 must sit right of 3.
    positions = chain_layout(nodes, [(2, 3), (3, 4), (4, 1)], width=900, height=300)
    assert positions[2].x < positions[3].x < positions[4].x < positions[1].x
    assert positions[2].x == 0 and positions[1].x == 900
    assert all(0 < p.y < 300 for p in positions.values())


def test_nodes_in_one_column_are_spread_and_ordered() -> None:
    nodes = [LayoutNode(1, "up", order=2), LayoutNode(2, "up", order=1), LayoutNode(3, "up", order=3)]
    positions = chain_layout(nodes, [], height=400)
    assert [positions[k].y for k in (2, 1, 3)] == [100, 200, 300]
    assert len({p.x for p in positions.values()}) == 1


def test_a_cycle_does_not_hang_and_empty_is_empty() -> None:
    positions = chain_layout([LayoutNode(1, "mid"), LayoutNode(2, "mid")], [(1, 2), (2, 1)])
    assert set(positions) == {1, 2}
    assert chain_layout([], []) == {}


@given(
    st.lists(st.sampled_from(["up", "mid", "down"]), min_size=1, max_size=25),
    st.lists(st.tuples(st.integers(0, 24), st.integers(0, 24)), max_size=40),
)
def test_every_node_placed_and_forward_links_point_right(
    segments: list[str], pairs: list[tuple[int, int]]
) -> None:
    nodes = [LayoutNode(i, s) for i, s in enumerate(segments)]
    # Keep only links that go forward in index order, so the graph is acyclic.
    edges = [(a, b) for a, b in pairs if a < b < len(nodes)]
    positions = chain_layout(nodes, edges)
    assert set(positions) == set(range(len(nodes)))
    order = {"up": 0, "mid": 1, "down": 2}
    for a, b in edges:
        if order[segments[a]] == order[segments[b]]:
            assert positions[a].x < positions[b].x
        elif order[segments[a]] < order[segments[b]]:
            assert positions[a].x < positions[b].x

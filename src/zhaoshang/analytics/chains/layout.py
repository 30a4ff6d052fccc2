"""Where to draw each node of a chain: upstream left, downstream right, supply links flowing rightwards.

Columns come from the node's segment first (上游/中游/下游), then from the longest supply path within the
segment, so that a link inside a segment still points right; rows spread a column's nodes evenly.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass

SEGMENT_ORDER = {"up": 0, "mid": 1, "down": 2}


@dataclass(frozen=True)
class LayoutNode:
    key: int
    segment: str
    order: int = 0


@dataclass(frozen=True)
class Position:
    x: float
    y: float
    column: int


def _depths(keys: Sequence[int], edges: Sequence[tuple[int, int]]) -> dict[int, int]:
    """Longest-path depth from the sources; edges closing a cycle are ignored rather than looping forever."""
    successors: dict[int, list[int]] = defaultdict(list)
    indegree = {k: 0 for k in keys}
    for source, target in edges:
        if source in indegree and target in indegree and source != target:
            successors[source].append(target)
            indegree[target] += 1
    depth = {k: 0 for k in keys}
    queue = deque(k for k in keys if indegree[k] == 0)
    while queue:
        key = queue.popleft()
        for target in successors[key]:
            depth[target] = max(depth[target], depth[key] + 1)
            indegree[target] -= 1
            if indegree[target] == 0:
                queue.append(target)
    return depth


def chain_layout(
    nodes: Sequence[LayoutNode], edges: Sequence[tuple[int, int]], width: float = 1000, height: float = 600
) -> dict[int, Position]:
    """Positions in a width × height box; columns ordered by segment, then by supply depth within it."""
    if not nodes:
        return {}
    depth = _depths([n.key for n in nodes], edges)
    by_segment: dict[int, list[LayoutNode]] = defaultdict(list)
    for node in nodes:
        by_segment[SEGMENT_ORDER.get(node.segment, 1)].append(node)
    columns: list[list[LayoutNode]] = []
    for segment in sorted(by_segment):
        members = by_segment[segment]
        # Depth relative to the segment's shallowest node, so each segment starts a fresh column.
        base = min(depth[n.key] for n in members)
        levels: dict[int, list[LayoutNode]] = defaultdict(list)
        for node in members:
            levels[depth[node.key] - base].append(node)
        for level in sorted(levels):
            columns.append(sorted(levels[level], key=lambda n: (n.order, n.key)))
    positions: dict[int, Position] = {}
    step_x = width / max(len(columns) - 1, 1)
    for index, column in enumerate(columns):
        step_y = height / (len(column) + 1)
        for row, node in enumerate(column, 1):
            x = index * step_x if len(columns) > 1 else width / 2
            positions[node.key] = Position(round(x, 1), round(row * step_y, 1), index)
    return positions

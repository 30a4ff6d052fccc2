"""Which chain nodes a firm belongs on: by its GB/T 4754 class, or by a node keyword in its business scope.

Pure: the caller passes plain records. Each placement carries the reason people will read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class NodeProfile:
    key: int
    name: str
    codes: frozenset[str]
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class FirmProfile:
    industry_code: str
    scope: str
    name: str = ""


@dataclass(frozen=True)
class Placement:
    node: int
    method: str  # "code" | "keyword"
    reason: str


def place_firm(firm: FirmProfile, nodes: Iterable[NodeProfile]) -> list[Placement]:
    """The code decides first (it is the registry's own statement); keywords catch what the code misses."""
    placements: list[Placement] = []
    text = f"{firm.name} {firm.scope}"
    for node in nodes:
        if firm.industry_code and firm.industry_code in node.codes:
            placements.append(
                Placement(node.key, "code", f"行业代码 {firm.industry_code} 属于环节“{node.name}”")
            )
            continue
        hits = [word for word in node.keywords if word and word in text]
        if hits:
            shown = "、".join(hits[:3])
            placements.append(Placement(node.key, "keyword", f"经营范围含“{shown}”,匹配环节“{node.name}”"))
    return placements


def place_firms(firms: Sequence[FirmProfile], nodes: Sequence[NodeProfile]) -> list[list[Placement]]:
    return [place_firm(firm, nodes) for firm in firms]

"""Product keywords by GB/T 4754 class, from the chain maps the project ships (``chains/data/linzi_456.json``).

The classifier of business scopes and the synthetic registry's scope texts both use them. Pure: no Django.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path

# The chain maps are data of the chains app; read as a file, never imported.
_CHAINS = Path(__file__).resolve().parents[2] / "chains" / "data" / "linzi_456.json"


@functools.lru_cache(maxsize=1)
def chain_keywords() -> Mapping[str, tuple[str, ...]]:
    """Product keywords by GB/T 4754 class, gathered from the demo chains' nodes (``linzi_456.json``)."""
    data = json.loads(_CHAINS.read_text(encoding="utf-8"))
    found: dict[str, list[str]] = {}
    for group in data["groups"]:
        for chain in group["chains"]:
            for node in chain["nodes"]:
                for code in node["industries"]:
                    bucket = found.setdefault(code, [])
                    bucket.extend(k for k in node["keywords"] if k not in bucket)
    return {code: tuple(words) for code, words in found.items()}

"""A GB/T 4754-2017 class for a firm that has only a name and a business scope (经营范围).

Pure: no Django. Every class becomes a ``NodeProfile`` of the project's keyword classifier
(``classify.place_firm``) whose keywords are the class's product words (the class name without its trade
suffix, split at 、及和与: "工业机器人制造" → 工业机器人) plus the demo chains' node keywords of that class
(``keywords.chain_keywords``). ``place_firm`` decides which classes a text matches; among several the
one whose keyword comes first in the text wins (names carry the trade word, scopes list the main business
first), then the longer keyword, then the class with more keywords in the text, then the lower code.

Checking 1,381 profiles for every firm would take a millisecond a firm, so a two-character index first picks
the few classes whose keywords occur in the text; ``place_firm`` then sees only those (it places a firm
without a code on a profile only when a keyword hits, so the result is the same as with every profile).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from zhaoshang.analytics.classification.keywords import chain_keywords
from zhaoshang.analytics.classification.nodes import FirmProfile, NodeProfile, place_firm
from zhaoshang.standards.industries import industries

__all__ = ["ScopeClassifier", "class_keywords", "scope_classifier"]

_SUFFIXES = ("制造", "加工", "生产", "批发", "零售", "服务", "业", "种植", "养殖", "饲养", "活动")
# Product words too general to say which class a firm is in.
_TOO_GENERAL = frozenset(
    ("制品", "产品", "用品", "设备", "器材", "零配件", "配件", "专用设备", "其他", "相关产品", "辅助性活动")
)


# What the firm does with the products of its scope: trade points to 批发和零售业 (51, 52), making away from it.
_TRADE_WORDS = ("批发", "零售", "销售代理", "进出口代理")
_MAKING_WORDS = ("制造", "生产", "加工", "种植", "养殖", "开采")


def _product_words(name: str) -> list[str]:
    """ "纺织品、针织品及原料批发" → 纺织品, 针织品, 原料; "工业机器人制造" → 工业机器人."""
    if name.startswith("其他"):
        name = name[2:]
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            name = name[: -len(suffix)]
            break
    for mark in ("及", "和", "与", "，", ","):
        name = name.replace(mark, "、")
    return [w for w in name.split("、") if len(w) >= 2 and "未列明" not in w and w not in _TOO_GENERAL]


@functools.lru_cache(maxsize=1)
def class_keywords() -> Mapping[str, tuple[str, ...]]:
    """Keywords of every GB/T 4754-2017 class (小类), in code order; a class may have none."""
    chains = chain_keywords()
    table = industries()
    out: dict[str, tuple[str, ...]] = {}
    for code, entry in table.items():
        if entry.level != "class":
            continue
        # "其他常用有色金属矿采选" says no more than its group "常用有色金属矿采选": such a word would pull every
        # firm of the group into the catch-all class, so it counts only when the class has nothing else.
        group = table.get(entry.parent) if entry.parent else None
        general = set(_product_words(group.name)) if group is not None else set()
        own = _product_words(entry.name)
        own = [w for w in own if w not in general] or own
        words: list[str] = []
        for word in (*own, *chains.get(code, ())):
            if len(word) >= 2 and word not in words:
                words.append(word)
        out[code] = tuple(words)
    return out


@dataclass(frozen=True)
class ScopeClassifier:
    profiles: Mapping[int, NodeProfile]  # key: the class code as an integer
    codes: Mapping[int, str]
    index: Mapping[str, tuple[tuple[str, int], ...]]  # first two characters → (keyword, profile key)

    def candidates(self, text: str) -> list[NodeProfile]:
        """The profiles with at least one keyword in ``text`` (a superset of what place_firm places)."""
        keys: set[int] = set()
        for i in range(len(text) - 1):
            for word, key in self.index.get(text[i : i + 2], ()):
                if key not in keys and text.startswith(word, i):
                    keys.add(key)
        return [self.profiles[k] for k in sorted(keys)]

    def classify(self, name: str, scope: str) -> str | None:
        """The class code for a firm of this name and scope, or None when no keyword matches."""
        firm = FirmProfile(industry_code="", scope=scope or "", name=name or "")
        candidates = self.candidates(f"{firm.name} {firm.scope}")
        placed = {p.node for p in place_firm(firm, candidates)}
        if not placed:
            return None
        text = f"{firm.scope} {firm.name}"
        trade = any(word in firm.scope for word in _TRADE_WORDS)
        making = any(word in firm.scope for word in _MAKING_WORDS)

        def rank(key: int) -> tuple[int, int, int, int, int]:
            hits = [(text.find(w), -len(w)) for w in self.profiles[key].keywords if w in text]
            wholesale = 5100 <= key < 5300
            mismatch = int(trade and not making and not wholesale) + int(making and not trade and wholesale)
            return (mismatch, *min(hits), -len(hits), key)

        best = min(placed, key=rank)
        return self.codes[best]

    def classify_many(self, firms: Iterable[tuple[str, str]]) -> list[str | None]:
        """``classify`` for (name, scope) pairs; repeated pairs are classified once."""
        seen: dict[tuple[str, str], str | None] = {}
        out: list[str | None] = []
        for name, scope in firms:
            key = (name or "", scope or "")
            if key not in seen:
                seen[key] = self.classify(*key)
            out.append(seen[key])
        return out


@functools.lru_cache(maxsize=1)
def scope_classifier() -> ScopeClassifier:
    table = industries()
    profiles: dict[int, NodeProfile] = {}
    codes: dict[int, str] = {}
    index: dict[str, list[tuple[str, int]]] = {}
    for code, words in class_keywords().items():
        if not words:
            continue
        key = int(code)
        profiles[key] = NodeProfile(key, f"{code} {table[code].name}", frozenset(), words)
        codes[key] = code
        for word in words:
            index.setdefault(word[:2], []).append((word, key))
    return ScopeClassifier(profiles, codes, {k: tuple(v) for k, v in index.items()})

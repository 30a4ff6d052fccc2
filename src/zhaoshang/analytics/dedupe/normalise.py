"""Project names as officials write them, reduced to what identifies the project."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Owner brands that open official names ("中国石化齐鲁石化鲁油鲁炼…"); a company or group name ending in
# 公司/集团 is recognised by its ending (see _OWNER).
OWNER_BRANDS: tuple[str, ...] = (
    "中国石油化工",
    "中国石化",
    "中石化",
    "中国石油",
    "中石油",
    "中国海油",
    "中海油",
    "中国化工",
    "中化",
    "齐鲁石化",
    "国家电投",
    "国家能源",
    "中国华能",
    "华能",
    "中国大唐",
    "中国华电",
    "华电",
    "中国中车",
    "中国建材",
    "中国铁建",
    "中国中铁",
    "中国建筑",
    "中建",
    "山东能源",
    "山东高速",
    "山钢",
)

# Brands of one group count as one owner (齐鲁石化 is 中国石化's): different owners make two projects less likely.
OWNER_FAMILY: dict[str, str] = {
    "中国石油化工": "中国石化",
    "中石化": "中国石化",
    "齐鲁石化": "中国石化",
    "中石油": "中国石油",
    "中海油": "中国海油",
    "华能": "中国华能",
    "华电": "中国华电",
    "中建": "中国建筑",
}

# Words that say "a project" but not which one. Longest first (建设项目 before 项目).
GENERIC_WORDS: tuple[str, ...] = (
    "技术改造项目",
    "建设工程",
    "建设项目",
    "技术改造",
    "技改",
    "新建",
    "项目",
    "工程",
)

_BRACKETS = "()[]{}<>《》〈〉【】〔〕「」『』“”‘’\"'"
_PUNCT = re.compile(r"[\s\-_—–·.,，、。:;：；!！?？/\\|#*~]+")
# A company or group at the start: a short name ending in 有限公司/集团…, possibly with a branch (分公司).
_OWNER = re.compile(r"^[^\s]{2,24}?(?:股份有限公司|有限责任公司|有限公司|集团公司|集团|分公司|公司)")
_CN_DIGITS = {
    "首": 1,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}
_PHASE = re.compile(r"(首|[一二两三四五六七八九十]|\d+|iv|v|iii|ii|i)\s*期")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_CAPACITY = re.compile(
    r"(?:年产能?|年处理|年加工|产能)\d+(?:\.\d+)?(?:万|千|百|亿)?"
    r"(?:吨|件|台|套|辆|片|平方米|立方米|米|只|个|条|千瓦|兆瓦|瓦时|瓦|块|张|支|kwh|mwh|gwh|kw|mw|gw|t)?"
)


@dataclass(frozen=True)
class Normalised:
    core: str  # what names the project, without owners, generic words and phase
    phase: int | None  # 一期 → 1; None when the name names no phase
    # Figures in the core (年产10万吨 → ("10",)): a different figure, another project.
    numbers: tuple[str, ...]
    owners: frozenset[str] = frozenset()  # the owners named at the start (their group's name for a brand)


def fold(text: str) -> str:
    """Full-width to half-width (NFKC), lower case, brackets and punctuation removed."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.translate({ord(c): None for c in _BRACKETS})
    return _PUNCT.sub("", text)


def normalise(name: str, *, prefixes: tuple[str, ...] = ()) -> Normalised:
    """The core of a project name. ``prefixes`` are extra words to drop at the start (place names: 淄博市, 临淄区)."""
    text = fold(name)
    phase = None
    found = _PHASE.search(text)
    if found:
        token = found.group(1)
        if token.isdigit():
            phase = int(token)
        elif token in _ROMAN:
            phase = _ROMAN[token]
        else:
            phase = _CN_DIGITS[token]
        text = text[: found.start()] + text[found.end() :]
    text, owners = _strip_owners(text, tuple(fold(p) for p in prefixes if p))
    for word in GENERIC_WORDS:
        text = text.replace(word, "")
    numbers = tuple(_DIGITS.findall(text))
    # The capacity (年产10万吨) is compared as its figure: as words it would make 己二腈 and 己二胺 look alike.
    text = _CAPACITY.sub("", text) or text
    if not text:  # a name that is nothing but owners and generic words: keep it whole rather than empty
        text = fold(name)
    return Normalised(text, phase, numbers, frozenset(owners))


def _strip_owners(text: str, prefixes: tuple[str, ...]) -> tuple[str, list[str]]:
    owners: list[str] = []
    changed = True
    while changed and text:
        changed = False
        for word in prefixes:  # places: dropped, but they are nobody's
            if text.startswith(word) and len(text) > len(word) + 1:
                text, changed = text[len(word) :], True
        for word in OWNER_BRANDS:
            if text.startswith(word) and len(text) > len(word) + 1:
                text, changed = text[len(word) :], True
                owners.append(OWNER_FAMILY.get(word, word))
        owner = _OWNER.match(text)
        if owner and len(text) > owner.end() + 1:
            owners.append(_company(owner.group(0), prefixes))
            text, changed = text[owner.end() :], True
    return text, owners


def _company(name: str, places: tuple[str, ...]) -> str:
    """A company's short name: 淄博鑫泰石化有限公司 → 鑫泰石化 (places and legal forms dropped)."""
    for word in (*places, "山东省", "山东", "淄博市", "淄博"):
        if name.startswith(word) and len(name) > len(word) + 2:
            name = name[len(word) :]
    for form in ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "分公司", "公司"):
        if name.endswith(form) and len(name) > len(form):
            return name[: -len(form)]
    return name


def bigrams(text: str) -> frozenset[str]:
    """The character pairs of a core; a one-character core is its own single gram."""
    if len(text) < 2:
        return frozenset((text,)) if text else frozenset()
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def dice(a: str, b: str) -> float:
    """Dice coefficient of the bigram sets of two cores (1.0 same, 0.0 nothing shared)."""
    x, y = bigrams(a), bigrams(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))

"""GB/T 4754-2017 national economic industry classification (国民经济行业分类) shipped with the project.

Four levels: section (门类, a letter), division (大类, 2 digits), group (中类, 3 digits) and class (小类,
4 digits); 20 + 97 + 473 + 1381 codes. The 2019 amendment is not applied. The table is the project's own
copy (data/gbt4754_2017.csv), read once on first use.
"""

from __future__ import annotations

import csv
import functools
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

_TABLE = Path(__file__).parent / "data" / "gbt4754_2017.csv"
# Projects are classified at class level, so on equal match quality the narrowest codes come first.
_LEVEL_RANK = {"class": 0, "group": 1, "division": 2, "section": 3}


@dataclass(frozen=True)
class IndustryCode:
    code: str
    name: str
    level: str  # section | division | group | class
    parent: str | None


@functools.lru_cache(maxsize=1)
def _load() -> Mapping[str, IndustryCode]:
    with _TABLE.open(encoding="utf-8", newline="") as table:
        rows = {
            row["code"]: IndustryCode(row["code"], row["name"], row["level"], row["parent"] or None)
            for row in csv.DictReader(table)
        }
    # Read-only: the cached mapping is shared by every caller in the process.
    return MappingProxyType(rows)


def industries() -> Mapping[str, IndustryCode]:
    """Every code of every level, in the standard's order."""
    return _load()


def industry(code: str) -> IndustryCode | None:
    """The entry for an exact code ("C", "25", "251", "2511"), or None."""
    return _load().get(code)


def ancestors(code: str) -> list[IndustryCode]:
    """The broader codes above this one, section first, without the code itself; [] if unknown."""
    chain: list[IndustryCode] = []
    current = industry(code)
    while current is not None and current.parent is not None:
        current = industry(current.parent)
        if current is not None:
            chain.append(current)
    return chain[::-1]


def search(query: str, limit: int = 20) -> list[IndustryCode]:
    """Codes starting with the query or names containing it, best first.

    Order: exact code or name, then code prefix, then names starting with the query, then names containing
    it; within each, classes before groups, divisions and sections, then by code.
    """
    text = unicodedata.normalize("NFKC", query).strip()
    if not text or limit <= 0:
        return []
    code_query = text.upper()
    found: list[tuple[int, int, str, IndustryCode]] = []
    for item in _load().values():
        if code_query == item.code or text == item.name:
            quality = 0
        elif item.code.startswith(code_query):
            quality = 1
        elif item.name.startswith(text):
            quality = 2
        elif text in item.name:
            quality = 3
        else:
            continue
        found.append((quality, _LEVEL_RANK[item.level], item.code, item))
    found.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in found[:limit]]

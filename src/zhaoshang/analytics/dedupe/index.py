"""An index of stored project names per group (district) that answers "which of them is this one?".

Kinds of hit, strongest first (a pair is reported once, with the strongest kind):

- ``code``: the same 项目代码 (the national identity of an investment project) — anywhere, not only in the group;
- ``contained``: one core contained in the other (the official name and its short form), phases not in conflict;
- ``uscc``: the same investor USCC — *probable* with a similar name, only *possible* alone (one investor may
  well have two real projects);
- ``similar``: bigram Dice of the cores ≥ ``similar`` (probable) or ≥ ``possible`` (possible), same figures.

Different phases (一期 / 二期) are different projects: such a pair matches on its code only (or as a possible
same-investor pair). A first phase on one side only is the same project ("XX项目" and "XX项目一期"); a later
phase against a name without one, or two different owners named (东岳集团 / 中国石化), only possibly.
A figure in the names must agree (年产10万吨 / 年产20万吨 are two projects).

Candidates come from the index, never from a scan: exact cores and every substring of the query core (≥
``min_contained`` characters) by hash, and names sharing one of the query's rarest bigrams (the prefix filter:
a name with Dice ≥ t shares at least ⌈t·a/(2−t)⌉ of the query's a bigrams, so one of its a − that + 1 rarest)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from zhaoshang.analytics.dedupe.normalise import Normalised, bigrams, dice, normalise

Kind = Literal["code", "contained", "uscc", "similar"]
_RANK: dict[str, int] = {"code": 0, "contained": 1, "uscc": 2, "similar": 3}


@dataclass(frozen=True)
class Hit:
    key: Hashable  # what the caller stored (a project id, a row number)
    kind: Kind
    probable: bool  # probable: stop and ask; possible: show
    score: float  # name similarity of the cores, 0..1 (1.0 for a code)


@dataclass
class _Entry:
    key: Hashable
    group: Hashable
    norm: Normalised
    grams: frozenset[str]
    uscc: str
    code: str


@dataclass
class _Group:
    by_core: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_gram: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_uscc: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))


class NameIndex:
    def __init__(
        self,
        *,
        similar: float = 0.85,
        possible: float = 0.7,
        min_contained: int = 4,
        contained_ratio: float = 0.6,
        prefixes: tuple[str, ...] = (),
    ) -> None:
        self.similar = similar
        self.possible = possible
        self.min_contained = min_contained
        self.contained_ratio = contained_ratio  # a short core under this share of the long one: only possible
        self.prefixes = prefixes
        self._entries: list[_Entry] = []
        self._groups: dict[Hashable, _Group] = defaultdict(_Group)
        self._by_code: dict[str, list[int]] = defaultdict(list)

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, key: Hashable, *, group: Hashable, name: str, uscc: str = "", code: str = "") -> None:
        norm = normalise(name, prefixes=self.prefixes)
        entry = _Entry(key, group, norm, bigrams(norm.core), uscc.strip().upper(), code.strip().upper())
        i = len(self._entries)
        self._entries.append(entry)
        g = self._groups[group]
        g.by_core[norm.core].append(i)
        for gram in entry.grams:
            g.by_gram[gram].append(i)
        if entry.uscc:
            g.by_uscc[entry.uscc].append(i)
        if entry.code:
            self._by_code[entry.code].append(i)

    def extend(self, rows: Iterable[tuple[Hashable, Hashable, str, str, str]]) -> None:
        """Rows of (key, group, name, uscc, code)."""
        for key, group, name, uscc, code in rows:
            self.add(key, group=group, name=name, uscc=uscc, code=code)

    def matches(
        self,
        *,
        group: Hashable,
        name: str,
        uscc: str = "",
        code: str = "",
        exclude: Iterable[Hashable] = (),
    ) -> list[Hit]:
        """Stored names that may be this one, strongest first (code, then probable before possible, score)."""
        skip = set(exclude)
        norm = normalise(name, prefixes=self.prefixes)
        uscc, code = uscc.strip().upper(), code.strip().upper()
        found: dict[int, Hit] = {}

        def keep(i: int, hit: Hit) -> None:
            old = found.get(i)
            if old is None or _order(hit) < _order(old):
                found[i] = hit

        if code:
            for i in self._by_code.get(code, ()):
                keep(i, Hit(self._entries[i].key, "code", True, 1.0))
        g = self._groups.get(group)
        if g is not None:
            grams = bigrams(norm.core)
            for i in self._name_candidates(g, norm, grams):
                hit = self._judge(i, norm, grams, uscc)
                if hit is not None:
                    keep(i, hit)
            for i in g.by_uscc.get(uscc, ()) if uscc else ():
                if i not in found:
                    other = self._entries[i]
                    keep(i, Hit(other.key, "uscc", False, round(dice(norm.core, other.norm.core), 3)))
        # Strongest first; among equals, in the order the names were added (stable).
        return [
            found[i] for i in sorted(found, key=lambda i: (_order(found[i]), i)) if found[i].key not in skip
        ]

    def _name_candidates(self, g: _Group, norm: Normalised, query: frozenset[str]) -> set[int]:
        core = norm.core
        out: set[int] = set(g.by_core.get(core, ()))
        # Stored cores contained in the query: every substring long enough, by hash.
        n = len(core)
        for length in range(self.min_contained, n):
            for start in range(n - length + 1):
                out.update(g.by_core.get(core[start : start + length], ()))
        # Stored cores containing the query, or similar to it: the postings of its rarest bigrams.
        grams = sorted(query, key=lambda gram: len(g.by_gram.get(gram, ())))
        if grams:
            t = min(self.possible, self.similar)
            need = max(1, math.ceil(t * len(grams) / (2 - t)))
            for gram in grams[: len(grams) - need + 1]:
                out.update(g.by_gram.get(gram, ()))
        return out

    def _judge(self, i: int, norm: Normalised, grams: frozenset[str], uscc: str) -> Hit | None:
        other = self._entries[i]
        a, b = norm, other.norm
        same_investor = bool(uscc) and uscc == other.uscc
        if a.phase is not None and b.phase is not None and a.phase != b.phase:
            return None  # another phase is another project (the same investor is still listed, as possible)
        # Two owners named and none in common (东岳集团 / 中国石化): alike names are then only possibly one project.
        # So is a later phase against a name without one: "XX项目" may be its first phase or the whole.
        one_phase = a.phase if b.phase is None else b.phase if a.phase is None else None
        doubtful = bool(a.owners and b.owners and not a.owners & b.owners) or (one_phase or 1) > 1
        short, long = (a, b) if len(a.core) <= len(b.core) else (b, a)
        if (
            (len(short.core) >= self.min_contained or short.core == long.core)
            and short.core in long.core
            and set(short.numbers) <= set(long.numbers)  # 产业化(1) is not inside 产业化(11)
        ):
            probable = (
                len(short.core) >= self.contained_ratio * len(long.core) and not doubtful
            ) or same_investor
            return Hit(other.key, "contained", probable, round(len(short.core) / len(long.core), 3))
        if a.numbers != b.numbers:
            return None  # 年产10万吨 and 年产20万吨: two projects, however alike the words
        x, y = len(grams), len(other.grams)
        if 2 * min(x, y) < self.possible * (x + y):
            return None  # too different in length for a Dice of ``possible``, whatever they share
        score = round(2 * len(grams & other.grams) / (x + y), 3)
        if same_investor and score >= self.possible:
            return Hit(other.key, "uscc", True, score)
        if score >= self.similar:
            return Hit(other.key, "similar", not doubtful, score)
        if score >= self.possible:
            return Hit(other.key, "similar", False, score)
        return None


def _order(hit: Hit) -> tuple[int, int, float]:
    return (0 if hit.kind == "code" else 1, 0 if hit.probable else 1, -hit.score)

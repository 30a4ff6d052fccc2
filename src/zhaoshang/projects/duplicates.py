"""Is this project already on the books? One index of the candidate projects, asked for every row or form.

A project counts once, at its first signing; a second record of the same project would count twice. The
matching itself is pure (``analytics.dedupe``); this module loads the candidates once — the live projects of the
districts concerned, and every project with a 项目代码 wherever it is (the code is a national identity) — and
says in words why each one may be the same project.

    index = DuplicateIndex.for_districts([district.pk])
    for row in rows:
        found = index.matches(district_id=..., name=..., investor_uscc=..., project_code=...)
        ...
        index.add(district_id=..., name=..., row=row_number)  # later rows see the earlier ones
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from zhaoshang.analytics.dedupe import Hit, Kind, NameIndex
from zhaoshang.core.models import District
from zhaoshang.projects.models import Project


@dataclass(frozen=True)
class DuplicateMatch:
    project_id: int | None  # the stored project; None for an earlier row of the same file
    project_name: str
    kind: Kind  # code | contained | uscc | similar
    reason: str  # in words, translated
    probable: bool  # probable: stop and ask a person; possible: show it
    score: float  # similarity of the names, 0..1
    district_id: int | None = None
    row: int | None = None  # the row of the file, for a match on an earlier row

    @property
    def level(self) -> str:
        return "probable" if self.probable else "possible"


@dataclass(frozen=True)
class _Stored:
    project_id: int | None
    name: str
    district_id: int
    row: int | None


class DuplicateIndex:
    """Candidates loaded once; ``matches`` for each new name, ``add`` for each row accepted from a file."""

    def __init__(self, *, prefixes: tuple[str, ...] = ()) -> None:
        self._index = NameIndex(prefixes=prefixes)
        self._stored: dict[object, _Stored] = {}
        self._next_row_key = 0

    @classmethod
    def for_districts(cls, district_ids: Iterable[int]) -> DuplicateIndex:
        ids = sorted(set(district_ids))
        index = cls(prefixes=_place_prefixes(ids))
        live = Q(district_id__in=ids) & ~Q(status=Project.Status.TERMINATED)
        rows = (
            Project.objects.filter(live | ~Q(project_code=""))
            .order_by("pk")
            .values_list("pk", "district_id", "name", "investor_uscc", "project_code", "status")
        )
        for pk, district_id, name, uscc, code, status in rows.iterator(chunk_size=5000):
            named = district_id in ids and status != Project.Status.TERMINATED
            # A project outside the districts (or terminated) is a candidate by its code only.
            group = district_id if named else None
            index._put(
                ("p", pk), _Stored(pk, name, district_id, None), group, name, uscc if named else "", code
            )
        return index

    def _put(self, key: object, stored: _Stored, group: int | None, name: str, uscc: str, code: str) -> None:
        self._stored[key] = stored
        self._index.add(key, group=group, name=name, uscc=uscc or "", code=code or "")

    def add(
        self,
        *,
        district_id: int,
        name: str,
        investor_uscc: str = "",
        project_code: str = "",
        project_id: int | None = None,
        row: int | None = None,
    ) -> None:
        """A project (or a file row) that later names are checked against."""
        if project_id is not None:
            key: object = ("p", project_id)
            if key in self._stored:
                return
        else:
            self._next_row_key += 1
            key = ("r", self._next_row_key)
        self._put(
            key, _Stored(project_id, name, district_id, row), district_id, name, investor_uscc, project_code
        )

    def matches(
        self,
        *,
        district_id: int,
        name: str,
        investor_uscc: str = "",
        project_code: str = "",
        exclude: int | Iterable[int] | None = None,
    ) -> list[DuplicateMatch]:
        """Projects (and earlier rows) that may be this one: probable first, then possible."""
        if exclude is None:
            skip: set[object] = set()
        elif isinstance(exclude, int):
            skip = {("p", exclude)}
        else:
            skip = {("p", pk) for pk in exclude}
        hits = self._index.matches(
            group=district_id, name=name, uscc=investor_uscc or "", code=project_code or "", exclude=skip
        )
        return [self._match(hit) for hit in hits]

    def _match(self, hit: Hit) -> DuplicateMatch:
        stored = self._stored[hit.key]
        return DuplicateMatch(
            project_id=stored.project_id,
            project_name=stored.name,
            kind=hit.kind,
            reason=reason_text(hit.kind, hit.probable, hit.score),
            probable=hit.probable,
            score=hit.score,
            district_id=stored.district_id,
            row=stored.row,
        )


def reason_text(kind: str, probable: bool, score: float) -> str:
    percent = round(score * 100)
    if kind == "code":
        return str(_("项目代码相同"))
    if kind == "contained":
        return str(_("去掉单位名称和通用词后,一个名称包含另一个(%(percent)s%%)") % {"percent": percent})
    if kind == "uscc" and probable:
        return str(_("投资方信用代码相同,名称相近(%(percent)s%%)") % {"percent": percent})
    if kind == "uscc":
        return str(_("投资方信用代码相同(同一投资方可能有多个项目,请核实)"))
    if probable:
        return str(_("名称高度相似(%(percent)s%%)") % {"percent": percent})
    return str(_("名称相似(%(percent)s%%),请核实") % {"percent": percent})


def _place_prefixes(district_ids: list[int]) -> tuple[str, ...]:
    """Place names that open official names (淄博市, 临淄区, 淄博高新区): dropped like owner prefixes."""
    names: set[str] = set()
    for district, city in District.objects.filter(pk__in=district_ids).values_list("name", "city__name"):
        for place in (district, city):
            if place:
                names.add(place)
                if len(place) > 2 and place[-1] in "省市区县":
                    names.add(place[:-1])
    return tuple(sorted(names, key=len, reverse=True))


def duplicate_matches(
    *,
    district_id: int,
    name: str,
    investor_uscc: str = "",
    project_code: str = "",
    exclude: int | None = None,
) -> list[DuplicateMatch]:
    """One name checked against the books (the web form, the API): probable and possible matches."""
    index = DuplicateIndex.for_districts([district_id])
    return index.matches(
        district_id=district_id,
        name=name,
        investor_uscc=investor_uscc,
        project_code=project_code,
        exclude=exclude,
    )

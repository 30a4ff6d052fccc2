"""Global search: one box in the header over projects, enterprises, sites and target firms, within the user's scope.

Every group is one query over `Model.objects.restrict(user, "view")` (so another district's records never appear),
whatever the number of rows: a Chinese substring of the name (or investor, unit, enterprise name) matches, and a
code typed whole (项目代码, 统一社会信用代码, 地块编号) matches exactly and is listed first. The number of queries is
constant: one per group, plus the scope look-up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zhaoshang.enterprises.models import Enterprise, TargetEntry
from zhaoshang.projects.models import Project
from zhaoshang.sites.models import Site

MAX_QUERY = 100  # characters of the search text that are used
DROPDOWN_LIMIT = 5  # rows per group in the header's dropdown
PAGE_LIMIT = 50  # rows per group on the results page


@dataclass(frozen=True)
class Group:
    """One kind of record the search covers."""

    key: str
    label: Promise
    queryset: Callable[[Any], QuerySet[Any]]  # user → the rows the user may see
    substring: tuple[str, ...]  # field paths matched by `icontains`
    exact: tuple[str, ...]  # code fields matched whole (`iexact`), ranked first
    url_name: str
    order: str
    describe: Callable[[Any], str]  # the grey line under the name


@dataclass(frozen=True)
class Hit:
    name: str
    detail: str
    url: str
    district: str
    exact: bool


@dataclass(frozen=True)
class GroupResult:
    key: str
    label: Promise
    hits: list[Hit]
    more: bool  # more rows matched than are shown
    list_url: str  # the group's full list, filtered by the same text


def _projects(user: Any) -> QuerySet[Any]:
    return Project.objects.restrict(user, "view").select_related("district")


def _enterprises(user: Any) -> QuerySet[Any]:
    return Enterprise.objects.restrict(user, "view").select_related("district")


def _sites(user: Any) -> QuerySet[Any]:
    return Site.objects.restrict(user, "view").select_related("district")


def _targets(user: Any) -> QuerySet[Any]:
    return TargetEntry.objects.restrict(user, "view").select_related("district", "enterprise", "chain")


def _join(*parts: Any) -> str:
    return " · ".join(str(part) for part in parts if part)


GROUPS: tuple[Group, ...] = (
    Group(
        key="project",
        label=_("项目"),
        queryset=_projects,
        substring=("name", "investor_name", "project_unit"),
        exact=("project_code", "investor_uscc"),
        url_name="project_detail",
        order="name",
        describe=lambda p: _join(p.project_code, p.get_stage_display(), p.investor_name),
    ),
    Group(
        key="enterprise",
        label=_("企业"),
        queryset=_enterprises,
        substring=("name",),
        exact=("uscc",),
        url_name="enterprise_detail",
        order="name",
        describe=lambda e: _join(e.uscc, e.get_status_display()),
    ),
    Group(
        key="site",
        label=_("地块与厂房"),
        queryset=_sites,
        substring=("name",),
        exact=("code",),
        url_name="site_detail",
        order="name",
        describe=lambda s: _join(s.get_kind_display(), s.get_availability_display()),
    ),
    Group(
        key="target",
        label=_("目标企业"),
        queryset=_targets,
        substring=("enterprise__name",),
        exact=("enterprise__uscc",),
        url_name="target_detail",
        order="enterprise__name",
        describe=lambda t: _join(t.chain, t.get_status_display(), t.next_action),
    ),
)


def clean_text(text: str | None) -> str:
    """The text searched for: trimmed and capped at MAX_QUERY characters."""
    return (text or "").strip()[:MAX_QUERY]


def _search_group(group: Group, user: Any, text: str, limit: int) -> GroupResult:
    exact = Q()
    for path in group.exact:
        exact |= Q(**{f"{path}__iexact": text})
    matches = reduce(or_, (Q(**{f"{path}__icontains": text}) for path in group.substring), exact)
    rows = list(
        group.queryset(user)
        .filter(matches)
        .annotate(_exact=Case(When(exact, then=Value(1)), default=Value(0), output_field=IntegerField()))
        .order_by("-_exact", group.order, "pk")[: limit + 1]
    )
    hits = [
        Hit(
            name=str(row),
            detail=group.describe(row),
            url=reverse(group.url_name, args=[row.pk]),
            district=str(row.district),
            exact=bool(row._exact),
        )
        for row in rows[:limit]
    ]
    list_url = f"{reverse(group.key + '_list')}?{urlencode({'q': text})}"
    return GroupResult(group.key, group.label, hits, len(rows) > limit, list_url)


def global_search(user: Any, text: str | None, *, limit: int = PAGE_LIMIT) -> list[GroupResult]:
    """The matches of `text` per group, within what `user` may view; no groups for an empty text."""
    text = clean_text(text)
    if not text:
        return []
    return [_search_group(group, user, text, limit) for group in GROUPS]

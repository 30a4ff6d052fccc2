"""The facts of projects that the rates read (DOMAIN.md §9): from the database, kept per district under the
district's facts version, in this process and in Django's cache (Redis when configured: shared by every process
and node), so that a page reads the facts of a district again only after a write changed them.

Freshness is a number in the database, not a time window: `FactsVersion` holds one version per district, changed
in the writing transaction by database triggers (`assessment.facts_triggers`) on every write to what `_read`
reads — projects (both districts when one moves), stage moves, funds entries, outputs, listings, completed
investment, and the district, city, chain, town and park names the facts group by — whichever way the write
comes (services, imports, COPY, ``.update()``, migrations). A scope's facts are fresh iff its districts'
versions, read in one small query before the facts, equal those the kept facts were built from
(`scope_versions`, `district_facts`); a scope's facts are its districts' facts one after the other, which is the
project list's order (district first). The versions are read first: facts read afterwards are at least as new as
the versions, so facts are never kept under a version newer than they are."""

from __future__ import annotations

import datetime
import hashlib
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connection

from zhaoshang.analytics.rates.engine import ProjectFacts
from zhaoshang.projects.models import (
    FundsEntry,
    InvestmentCompletion,
    Project,
    ProjectListing,
    ProjectOutput,
    StageMove,
)
from zhaoshang.projects.services import LEDGER_EVIDENCE

# What the facts read besides the projects (the triggers watch these tables too).
# The 发改 side (yearly lists with their planned investment, monthly 完成投资) feeds 投资完成率.
RELATED = (StageMove, FundsEntry, ProjectOutput, ProjectListing, InvestmentCompletion)
# Facts kept in this process, counted in projects (a province's 300,000 would not fit every worker): the least
# recently used districts go first; Django's cache keeps them for the other processes.
MEMO_PROJECTS = 120_000
CACHE_SECONDS = 7 * 24 * 3600  # the version decides; the timeout only bounds the cache's memory


Owners = tuple[dict[int, int], ...]  # per model of RELATED: row id → project id, for the rows read


def _rows(model: Any, as_of: datetime.datetime | None) -> Any:
    """A related table now, or as it stood at ``as_of`` (its audit history: each row's last version before
    then, deleted rows left out)."""
    return model.objects if as_of is None else model.history.as_of(as_of)


def _read(
    projects: Any, as_of: datetime.datetime | None = None
) -> tuple[dict[int, ProjectFacts], dict[int, tuple[Any, ...]], Owners]:
    """Facts of the projects (stage dates from verified moves only, so unverified claims never count), the key
    that orders them, and which project each related row read belongs to. Plain tuples, related rows filtered
    by a subquery: thousands of projects in four queries.

    A project entered at 线索 or 洽谈 has that stage recorded on the day it was entered (the stage it was
    entered at is the first move's starting stage, or its stage if it never moved). A project loaded from a
    ledger at a counted stage is held below it while its claim waits: that holding stage is no record of talks,
    so such a project is a direct signing, not a negotiation (DOMAIN.md §9).

    With ``as_of``, ``projects`` is a queryset of the projects' history (`facts_as_of`) and every related table
    is read as it stood then: what was known at that moment, verified or not then. Rows are named by ``id``,
    which both the tables and their histories have."""
    rows = list(
        projects.order_by().values_list(
            "id",
            "stage",
            "status",
            "created",
            "total_investment",
            "designed_output",
            "designed_tax",
            "promised_start_date",
            "district_id",
            "name",
            "district__name",
            "chain__name",
            "town__name",
            "park__name",
            "increase_of_id",
            "district__city__name",
            "terminated_on",
        )
    )
    ids = projects.values("id")
    owners: Owners = ({}, {}, {}, {}, {})
    reached: dict[int, dict[str, datetime.date]] = defaultdict(dict)
    first: dict[int, tuple[int, str, bool]] = {}  # project → its first move: (pk, from stage, ledger claim)
    for pk, project_id, from_stage, stage, date, verified, evidence_note in (
        _rows(StageMove, as_of)
        .filter(project_id__in=ids)
        .order_by("date", "id")
        .values_list("id", "project_id", "from_stage", "to_stage", "date", "verified_at", "evidence_note")
    ):
        owners[0][pk] = project_id  # every row, verified or not: the counts check the catch-up
        if verified is not None:
            reached[project_id].setdefault(stage, date)
        if project_id not in first or pk < first[project_id][0]:
            first[project_id] = (pk, from_stage, evidence_note.startswith(LEDGER_EVIDENCE))
    funds: dict[int, list[tuple[datetime.date, float, str]]] = defaultdict(list)
    for pk, project_id, date, amount, origin in (
        _rows(FundsEntry, as_of)
        .filter(project_id__in=ids)
        .order_by("date", "id")
        .values_list("id", "project_id", "date", "amount", "origin")
    ):
        owners[1][pk] = project_id
        funds[project_id].append((date, float(amount), origin))
    outputs: dict[int, dict[int, tuple[float, float]]] = defaultdict(dict)
    for pk, project_id, year, output, tax in (
        _rows(ProjectOutput, as_of)
        .filter(project_id__in=ids)
        .order_by()
        .values_list("id", "project_id", "year", "output", "tax")
    ):
        owners[2][pk] = project_id
        outputs[project_id][year] = (float(output), float(tax))
    plans: dict[int, dict[int, float]] = defaultdict(dict)
    for pk, project_id, year, planned in (
        _rows(ProjectListing, as_of)
        .filter(project_id__in=ids)
        .order_by()
        .values_list("id", "project_id", "year", "planned_investment")
    ):
        owners[3][pk] = project_id
        if planned is not None:  # a project on two lists of a year has one plan: the larger figure
            plans[project_id][year] = max(plans[project_id].get(year, 0.0), float(planned))
    completed: dict[int, list[tuple[datetime.date, float]]] = defaultdict(list)
    for pk, project_id, month, amount, verified in (
        _rows(InvestmentCompletion, as_of)
        .filter(project_id__in=ids)
        .order_by("month", "id")
        .values_list("id", "project_id", "month", "amount", "verified_at")
    ):
        owners[4][pk] = project_id  # every row, verified or not: the counts check the catch-up
        if verified is not None:
            completed[project_id].append((month, float(amount)))
    facts: dict[int, ProjectFacts] = {}
    order: dict[int, tuple[Any, ...]] = {}
    for row in rows:
        pk, stage, status, created, investment, output, tax, promised, district_id, name = row[:10]
        groups = {"district": row[10], "city": row[15]}  # a province rolls up by city
        for key, value in zip(("chain", "town", "park"), row[11:14], strict=True):
            if value:
                groups[key] = value
        increase_of = row[14]
        stage_dates = dict(reached[pk])
        _move, entered_at, ledger_claim = first.get(pk, (0, stage, False))
        if entered_at in ("lead", "negotiation") and not ledger_claim:
            stage_dates.setdefault(entered_at, created.date())  # uncounted stages take effect without review
        facts[pk] = ProjectFacts(
            key=str(pk),
            stage=stage,
            stage_dates=stage_dates,
            groups=groups,
            signed_amount=float(investment or 0),
            funds=tuple(funds[pk]),
            designed_output=float(output or 0),
            designed_tax=float(tax or 0),
            actual_output={y: o for y, (o, _t) in outputs[pk].items()},
            actual_tax={y: t for y, (_o, t) in outputs[pk].items()},
            promised_start_date=promised,
            terminated=status == Project.Status.TERMINATED,
            terminated_on=row[16] if status == Project.Status.TERMINATED else None,
            increase_of=str(increase_of) if increase_of else None,
            planned_investment=dict(plans[pk]),
            completed_investment=tuple(completed[pk]),
        )
        # The project list's order (district, largest investment first, name), so drill-downs read alike.
        order[pk] = (district_id, -(investment or 0), name, pk)
    return facts, order, owners


def facts_as_of(districts: Any, when: datetime.datetime) -> list[ProjectFacts]:
    """The facts of the districts' assessed projects as they were known at ``when``, rebuilt from the audit
    history, in the list's order: a figure published then (a month's rates, a ranking) can be derived again later
    and compared. ``districts``: a queryset of the districts in scope; a project deleted since still counts where
    it did, one entered later does not."""
    historical = (
        Project.history.as_of(when).filter(district_id__in=districts.values("pk")).exclude(stage="reserve")
    )
    facts, order, _owners = _read(historical, when)
    return [facts[pk] for pk in sorted(facts, key=order.__getitem__)]


def project_facts(projects: Any) -> list[ProjectFacts]:
    """The facts of the projects, read now, in the project list's order."""
    facts, order, _owners = _read(projects)
    return [facts[pk] for pk in sorted(facts, key=order.__getitem__)]


Versions = dict[int, int | None]  # district id → its facts version (None: no version row, never kept)


def scope_versions(districts: Any) -> Versions:
    """The facts versions of the districts (a queryset): one query, a few rows whatever the projects."""
    return dict(districts.order_by("pk").values_list("pk", "facts_version__version"))


def facts_fingerprint(district: Any) -> str:
    """A district's facts version as a cache key part (changes with every write to its projects' facts)."""
    return str(scope_versions(type(district).objects.filter(pk=district.pk)).get(district.pk))


_FACTS: OrderedDict[int, tuple[int, list[ProjectFacts]]] = OrderedDict()  # district → (version, facts)
_KEPT = [0]  # projects in _FACTS
_LOCK = threading.Lock()


_FORGET: list[Callable[[], None]] = []  # what else keeps results per facts version (`rollups`)


def on_forget(hook: Callable[[], None]) -> None:
    _FORGET.append(hook)


def forget() -> None:
    """Empty this process's memory (tests start from the database's state; a "fresh process")."""
    with _LOCK:
        _FACTS.clear()
        _KEPT[0] = 0
    for hook in _FORGET:
        hook()


def cache_key(kind: str, district_id: int, version: int, *more: Any) -> str:
    """A shared cache key: with the database's name, so two databases sharing one Redis never mix; the rest
    (a period, definitions) hashed to keep the key short."""
    more_hash = hashlib.sha256(repr(more).encode()).hexdigest()[:32] if more else "-"
    database = hashlib.sha256(str(connection.settings_dict["NAME"]).encode()).hexdigest()[:12]
    return f"assessment-{kind}:{database}:{district_id}:{version}:{more_hash}"


def _districts_read(district_ids: list[int]) -> dict[int, list[ProjectFacts]]:
    """The assessed facts of these districts, read in one go (the six queries of `_read`), each in list order."""
    projects = Project.objects.exclude(stage="reserve")
    projects = (
        projects.filter(district_id=district_ids[0])
        if len(district_ids) == 1
        else projects.filter(district_id__in=district_ids)
    )
    facts, order, _owners = _read(projects)
    out: dict[int, list[ProjectFacts]] = {d: [] for d in district_ids}
    for pk in sorted(facts, key=order.__getitem__):
        out[order[pk][0]].append(facts[pk])  # the order's first part is the district
    return out


def _remember(district_id: int, version: int, listed: list[ProjectFacts]) -> None:
    with _LOCK:
        old = _FACTS.pop(district_id, None)
        if old is not None:
            _KEPT[0] -= len(old[1])
        _FACTS[district_id] = (version, listed)
        _KEPT[0] += len(listed)
        while _KEPT[0] > MEMO_PROJECTS and len(_FACTS) > 1:
            _gone, (_v, dropped) = _FACTS.popitem(last=False)
            _KEPT[0] -= len(dropped)


def current_facts(versions: Versions) -> list[ProjectFacts]:
    """The assessed facts (every project but the reserve) of the districts of ``versions`` (`scope_versions`),
    in the project list's order: what `project_facts` would read now (see `facts_by_district`)."""
    found = facts_by_district(versions)
    return [f for district_id in sorted(versions) for f in found[district_id]]


def facts_by_district(versions: Versions) -> dict[int, list[ProjectFacts]]:
    """Each district's assessed facts, in list order: from this process's memory or the shared cache when its
    version is the same, else read (the districts missing read together) and kept. One cache round trip for the
    districts not in memory."""
    found: dict[int, list[ProjectFacts]] = {}
    with _LOCK:
        for district_id, version in versions.items():
            kept = _FACTS.get(district_id)
            if version is not None and kept is not None and kept[0] == version:
                found[district_id] = kept[1]
                _FACTS.move_to_end(district_id)
    wanted = {
        cache_key("facts", d, v): (d, v) for d, v in versions.items() if d not in found and v is not None
    }
    for key, listed in cache.get_many(list(wanted)).items():
        district_id, version = wanted[key]
        found[district_id] = listed
        _remember(district_id, version, listed)
    missing = [d for d in versions if d not in found]
    if missing:
        read = _districts_read(missing)
        found.update(read)
        fresh = {}
        for district_id, listed in read.items():
            version = versions[district_id]
            if version is not None:
                fresh[cache_key("facts", district_id, version)] = listed
                _remember(district_id, version, listed)
        if fresh:
            cache.set_many(fresh, CACHE_SECONDS)  # pickled now, before any rate hangs its shares on the facts
    return found

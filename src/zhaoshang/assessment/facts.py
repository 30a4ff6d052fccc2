"""The facts of projects that the rates read (DOMAIN.md §9): from the database, and kept in this process between
requests so that after a change only the projects whose rows changed are read again.

A leader's dashboard over 7,000 projects spent most of its first request after any change reading their stage
moves, funds and outputs (~45,000 rows), while people change a handful of them between two looks.
`current_facts` keeps each scope's facts in memory with the stamps of the tables they came from (`data_stamps`:
count, largest id, latest ``updated``) and catches up by reading the rows updated since — a few small queries —
then the facts of the projects they belong to (before and after the change, so a funds entry moved from one
project to another corrects both). It reads everything again whenever it cannot prove the catch-up complete:
the counts do not add up (a row deleted, a project leaving the scope with its rows), or a district, chain, town
or park was renamed. Nothing is trusted that the stamps do not vouch for; the result is always what
`project_facts` would read now (a test compares them after every kind of write)."""

from __future__ import annotations

import datetime
import threading
import time
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import Count, DateTimeField, IntegerField, Max, Value

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

# The 发改 side (yearly lists with their planned investment, monthly 完成投资) feeds 投资完成率.
RELATED = (StageMove, FundsEntry, ProjectOutput, ProjectListing, InvestmentCompletion)
# A transaction that commits after a read may carry ``updated`` values older than what that read saw: the
# catch-up looks back this far before the latest change it knew of, and reads everything again at least every
# FULL_READ_SECONDS, which bounds what a longer transaction (a big import of edits) could hide.
LOOK_BACK = datetime.timedelta(seconds=60)
FULL_READ_SECONDS = 15 * 60
MEMO_SCOPES = 16  # scopes kept per process (a district's dashboard, the city page, ...)


class TableStamp(NamedTuple):
    n: int
    top: int | None
    updated: datetime.datetime | None


class Stamps(NamedTuple):
    projects: TableStamp
    names: tuple[Any, ...]  # latest ``updated`` of the districts, chains, towns and parks
    related: tuple[TableStamp, ...]  # one per model of RELATED


def data_stamps(projects: Any) -> Stamps:
    """What changes whenever anything `project_facts` reads changes: count, largest id and latest ``updated`` of
    the projects and of each related table, and the latest ``updated`` of their groups — one query (a union of
    four aggregates, so that a dashboard pays one round trip for it)."""
    ids = projects.values("pk")
    never = Value(None, output_field=DateTimeField())

    def totals(rows: Any, tag: int, **names: Any) -> Any:
        names = {k: names.get(k, never) for k in ("district", "chain", "town", "park")}
        return (
            rows.order_by()
            .annotate(table=Value(tag, output_field=IntegerField()))
            .values("table")
            .annotate(n=Count("pk"), top=Max("pk"), updated=Max("updated"), **names)
            .values_list("table", "n", "top", "updated", "district", "chain", "town", "park")
        )

    parts = [
        totals(
            projects,
            -1,
            district=Max("district__updated"),
            chain=Max("chain__updated"),
            town=Max("town__updated"),
            park=Max("park__updated"),
        )
    ] + [totals(model.objects.filter(project_id__in=ids), i) for i, model in enumerate(RELATED)]
    found = {row[0]: row[1:] for row in parts[0].union(*parts[1:], all=True)}
    empty = (0, None, None, None, None, None, None)  # no row at all: the table has nothing in scope
    project = found.get(-1, empty)
    return Stamps(
        TableStamp(*project[:3]),
        tuple(project[3:]),
        tuple(TableStamp(*found.get(i, empty)[:3]) for i in range(len(RELATED))),
    )


def facts_fingerprint(projects: Any) -> tuple[str, ...]:
    """`data_stamps` as a cache key part."""
    stamps = data_stamps(projects)
    return tuple(str(s) for s in (*stamps.projects, *stamps.names, *(v for t in stamps.related for v in t)))


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


@dataclass(frozen=True)
class _Memo:
    stamps: Stamps
    facts: dict[int, ProjectFacts]
    order: dict[int, tuple[Any, ...]]
    owners: Owners
    listed: list[ProjectFacts]
    read_at: float  # time.monotonic() of the last full read


_MEMOS: OrderedDict[str, _Memo] = OrderedDict()
_LOCK = threading.Lock()


def forget() -> None:
    """Empty this process's memory (tests start from the database's state)."""
    with _LOCK:
        _MEMOS.clear()


def current_facts(projects: Any, scope: str, stamps: Stamps | None = None) -> list[ProjectFacts]:
    """`project_facts(projects)`, kept under ``scope`` (a key naming the queryset: the same key must always mean
    the same filter) and caught up with the rows changed since. ``stamps``: `data_stamps(projects)` if the
    caller already has them."""
    stamps = stamps or data_stamps(projects)
    with _LOCK:
        memo = _MEMOS.get(scope)
    if memo is not None and memo.stamps == stamps:
        return memo.listed
    fresh_enough = memo is not None and time.monotonic() - memo.read_at < FULL_READ_SECONDS
    caught = _catch_up(projects, memo, stamps) if memo is not None and fresh_enough else None
    if caught is None:
        facts, order, owners = _read(projects)
        caught = _Memo(stamps, facts, order, owners, _listed(facts, order), time.monotonic())
    with _LOCK:
        _MEMOS[scope] = caught
        _MEMOS.move_to_end(scope)
        while len(_MEMOS) > MEMO_SCOPES:
            _MEMOS.popitem(last=False)
    return caught.listed


def _listed(facts: dict[int, ProjectFacts], order: dict[int, tuple[Any, ...]]) -> list[ProjectFacts]:
    return [facts[pk] for pk in sorted(facts, key=order.__getitem__)]


def _catch_up(projects: Any, memo: _Memo, stamps: Stamps) -> _Memo | None:
    """The memo brought up to ``stamps`` by reading what changed, or None when that cannot be proven."""
    if stamps.names != memo.stamps.names:
        return None  # a renamed chain changes every fact of its projects' groups
    known = [t.updated for t in (memo.stamps.projects, *memo.stamps.related) if t.updated is not None]
    if not known:
        return None
    since = max(known) - LOOK_BACK
    # Every row updated since (one query, all districts: cheaper than the scope's subquery): which projects
    # may have changed. Rows of a table that was empty in scope are all new.
    tagged = []
    for i, (model, before) in enumerate(
        zip((Project, *RELATED), (memo.stamps.projects, *memo.stamps.related), strict=True)
    ):
        rows = model.objects.order_by()
        owner = "pk" if model is Project else "project_id"
        if before.updated is None:
            rows = rows.filter(**{f"{owner}__in": projects.values("pk")})
        else:
            rows = rows.filter(updated__gt=since)
        tagged.append(rows.values_list(Value(i - 1, IntegerField()), "pk", owner))
    touched: set[int] = set()
    for table, pk, project_id in tagged[0].union(*tagged[1:], all=True):
        touched.add(project_id)
        if table >= 0 and pk in memo.owners[table]:
            touched.add(memo.owners[table][pk])  # the project it belonged to when last read
    if len(touched) > max(len(memo.facts) // 4, 100):
        return None  # after a big import reading everything is cheaper than a long list of ids
    fresh, fresh_order, fresh_owners = _read(projects.filter(pk__in=touched))
    facts = {pk: f for pk, f in memo.facts.items() if pk not in touched}
    facts.update(fresh)
    order = {pk: o for pk, o in memo.order.items() if pk not in touched}
    order.update(fresh_order)
    owners: Owners = tuple(
        {**{r: p for r, p in old.items() if p not in touched}, **new}
        for old, new in zip(memo.owners, fresh_owners, strict=True)
    )
    # The counts prove nothing was missed (a row deleted from a project nobody touched, a project leaving the
    # scope without a change of its own): every row in scope now is one we hold.
    if len(facts) != stamps.projects.n:
        return None
    if any(len(held) != now.n for held, now in zip(owners, stamps.related, strict=True)):
        return None
    return _Memo(stamps, facts, order, owners, _listed(facts, order), memo.read_at)

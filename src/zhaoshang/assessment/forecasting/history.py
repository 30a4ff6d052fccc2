"""What the forecast knows of a district at a date: its projects as they stood then, the spells learnt from
(completed and censored), and the stages reached — from verified moves only (DOMAIN.md §9: a claim counts
once someone other than its author has verified it).

One read of the district (projects and moves), then any number of dates from it: the back-test's twelve
cut-offs cost one read. A move counts at a date when it happened by then and was verified by then (the end of
that day). A project is known at a date when a verified move of it is, or it was entered by then. Its stage
then is the last verified move's; a project with no verified move yet stands at the stage its first move left
(it was entered there), or at its recorded stage if it never moved.

**The record as it stood.** For a past date (a back-test's cut-off, `zhaoshang forecast --as-of`) a project's
plan dates (promised start, expected production), size (investment, designed output), construction nature,
recorded stage and status are read from its audit history (the project's history table, one query for the
district): the last version saved by the end of that day, as `Project.history.as_of` would give it. A plan
revised after the cut-off is not seen by that cut-off's forecast, and a project terminated by then is no longer
forecast then (its completed spells still teach). A project whose history starts after the date (entered with
an earlier date, or before the history was kept) takes its first recorded version, the oldest values known.
The forecast of today reads today's record.
"""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from zhaoshang.projects.models import Project, StageMove
from zhaoshang.projects.stages import STAGE_CODES

DAYS_PER_MONTH = 30.44
# 大项目: 10 亿元 of investment and more (the province's major-project threshold for industry is of this order).
LARGE_INVESTMENT_WAN = 100_000
EXISTING_PLANT = ("expansion", "renovation", "retrofit")
# Share of the designed output that is new (the rest is the plant already in the baseline), by 建设性质: a
# new plant adds all of it; an expansion typically doubles a line (half is new); a renovation or technical
# retrofit raises an existing plant's output by a fraction (30 %); a relocation within the district moves a
# plant already counted (30 % from the upgrade that comes with it; one moving in from outside is 新建).
# District settings forecast.increment {nature: share} replace these.
INCREMENT = {"": 1.0, "new": 1.0, "expansion": 0.5, "renovation": 0.3, "retrofit": 0.3, "relocation": 0.3}
FORECAST_FROM = (
    "negotiation",
    "signed",
    "registered",
    "land",
    "started",
    "completed",
    "production",
    "capacity",
)


def _months(a: datetime.date, b: datetime.date) -> float:
    return max((b - a).days, 0) / DAYS_PER_MONTH


def project_group(investment: float, nature: str) -> str:
    """Size class × construction nature: the groups whose durations are estimated apart (and shrunk)."""
    size = "large" if investment >= LARGE_INVESTMENT_WAN else "small"
    return f"{size}-{'existing' if nature in EXISTING_PLANT else 'new'}"


@dataclass(frozen=True)
class _Row:
    pk: int
    stage: str
    terminated: bool
    created: datetime.date
    investment: float
    designed_output: float
    nature: str
    promised_start: datetime.date | None
    expected_production: datetime.date | None


@dataclass(frozen=True)
class _Move:
    date: datetime.date
    verified: datetime.date | None
    from_stage: str
    to_stage: str


# The fields of a project's record the forecast reads, in `_Row`'s order after pk (created is read apart).
_RECORD = (
    "stage",
    "status",
    "total_investment",
    "designed_output",
    "construction_nature",
    "promised_start_date",
    "expected_production_date",
)


def _record(
    pk: int,
    created: datetime.date,
    stage: str,
    status: Any,
    investment: Any,
    output: Any,
    nature: str,
    *plan: Any,
) -> _Row:
    return _Row(
        pk,
        stage,
        status == Project.Status.TERMINATED,
        created,
        float(investment or 0),
        float(output or 0),
        nature or "",
        *plan,
    )


@dataclass
class Book:
    """A district's projects and their moves (rejected ones left out), read once; with ``history``, each
    project's recorded versions (day saved, record then) to read a past date from."""

    rows: list[_Row]
    moves: dict[int, list[_Move]]
    increment: Mapping[str, float]
    history: dict[int, tuple[list[datetime.date], list[_Row]]] = field(default_factory=dict)

    def row_at(self, row: _Row, date: datetime.date) -> _Row:
        """The project's record as it stood at the end of ``date`` (see the module note)."""
        days, versions = self.history.get(row.pk, ((), ()))
        if not versions:  # no history kept: today's record, but whether it was terminated then is unknown
            return replace(row, terminated=False)
        at = bisect.bisect_right(days, date) - 1
        return replace(versions[max(at, 0)], created=row.created)

    @classmethod
    def read(cls, projects: Any, increment: Mapping[str, float] | None = None, *, past: bool = True) -> Book:
        """``past`` False: only today's records are read (a forecast of today needs no history)."""
        rows = [
            _record(pk, created.date(), *record)
            for pk, created, *record in projects.order_by("pk").values_list("pk", "created", *_RECORD)
        ]
        # Every saved version of these projects, oldest first (the history's own order breaks ties of a day).
        history: dict[int, tuple[list[datetime.date], list[_Row]]] = {}
        versions_read = (
            Project.history.model.objects.filter(id__in=projects.values("pk"))
            .order_by("id", "history_date", "history_id")
            .values_list("id", "history_date", *_RECORD)
        )
        for pk, saved, *record in versions_read if past else ():
            days, versions = history.setdefault(pk, ([], []))
            days.append(saved.date())
            versions.append(_record(pk, saved.date(), *record))
        moves: dict[int, list[_Move]] = defaultdict(list)
        for project_id, date, verified, from_stage, to_stage in (
            StageMove.objects.filter(project_id__in=projects.values("pk"), rejected_reason="")
            .order_by("date", "pk")
            .values_list("project_id", "date", "verified_at", "from_stage", "to_stage")
        ):
            moves[project_id].append(_Move(date, verified.date() if verified else None, from_stage, to_stage))
        return cls(rows, dict(moves), {**INCREMENT, **(increment or {})}, history)


@dataclass(frozen=True)
class Known:
    """The district as known at ``date``."""

    date: datetime.date
    projects: list[Any]  # ForecastProject, built by the caller's engine import (numpy deferred)
    spells: list[Any]  # survival.Spell
    # project key → stage → first date reached (verified); terminated projects too
    reached: dict[str, dict[str, datetime.date]]
    natures: dict[str, str]  # project key → construction nature


def known_at(book: Book, date: datetime.date, *, today: bool) -> Known:
    """``today``: the forecast of now from today's records (terminated projects left out); else a past date,
    with each project's record as it stood then (module note): terminated by then, it is left out."""
    # deferred: numpy and scipy load only when a forecast runs
    from zhaoshang.analytics.forecast.engine import ForecastProject
    from zhaoshang.analytics.forecast.survival import Spell

    adjacent = set(zip(STAGE_CODES, STAGE_CODES[1:], strict=False))
    production = STAGE_CODES.index("production")
    projects, spells = [], []
    reached: dict[str, dict[str, datetime.date]] = {}
    natures: dict[str, str] = {}
    for current in book.rows:
        all_moves = book.moves.get(current.pk, [])
        moves = [m for m in all_moves if m.date <= date and m.verified is not None and m.verified <= date]
        if not moves and current.created > date:
            continue
        row = current if today else book.row_at(current, date)
        dropped = row.terminated  # its completed spells still teach; it is no longer forecast
        key = str(row.pk)
        group = project_group(row.investment, row.nature)
        first: dict[str, datetime.date] = {}
        # Entered at an uncounted stage on the day it was entered, when that precedes its first move.
        entered = all_moves[0].from_stage if all_moves else row.stage
        previous: tuple[str, datetime.date] | None = None
        if entered in ("lead", "negotiation") and row.created <= date:
            if not moves or row.created <= moves[0].date:
                previous = (entered, row.created)
                first[entered] = row.created
        for m in moves:
            if (
                previous is not None
                and STAGE_CODES.index(m.from_stage) < production  # 达产 is the ramp's, not a transition
                and (m.from_stage, m.to_stage) in adjacent
                and previous[0] == m.from_stage
            ):
                spells.append(Spell((m.from_stage, m.to_stage), _months(previous[1], m.date), True, group))
            previous = (m.to_stage, m.date)
            first.setdefault(m.to_stage, m.date)
        reached[key] = first  # what happened counts a project terminated since, up to where it got
        if dropped:
            continue
        natures[key] = row.nature
        if moves:
            stage, since = moves[-1].to_stage, moves[-1].date
        elif all_moves:
            stage, since = entered, (row.created if row.created <= date else None)
        else:
            stage, since = row.stage, row.created
        index = STAGE_CODES.index(stage)
        if index < production and previous is not None and previous[0] == stage:
            spells.append(Spell((stage, STAGE_CODES[index + 1]), _months(previous[1], date), False, group))
        if stage not in FORECAST_FROM:
            continue
        producing = index >= production
        projects.append(
            ForecastProject(
                key,
                stage,
                row.designed_output,
                since,
                first.get("production", since) if producing else row.expected_production,
                planned_start=row.promised_start if index < STAGE_CODES.index("started") else None,
                group=group,
                increment=float(book.increment.get(row.nature, 1.0)),
            )
        )
    return Known(date, projects, spells, reached, natures)

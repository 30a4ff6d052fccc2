"""A project's status computed from its facts, graded as yellow and red cards (红黄牌, DOMAIN.md §10).

Pure: no Django. The typed status (正常推进 / 滞后 / 停滞) says what someone wrote; this says what the dates say,
so that a project whose approval steps and promised start are all overdue cannot read 正常推进.

**Facts** (`ProjectFacts`): the approval steps with their due date (the planned finish of the CPM schedule) and
the date they were done; the promised start (承诺开工) and expected production (预计投产) dates with whether the
project has reached them; the date of the last verified move or recorded step date (the last sign of life).

**Reasons**, each graded:

- an approval step not done past its due date: yellow from ``step_yellow_days`` working days overdue, red
  from ``step_red_days``; and red when ``red_overdue_steps`` or more steps are overdue at once;
- the promised start passed without starting, or the expected production date passed without producing:
  yellow from ``promise_yellow_days`` working days, red from ``promise_red_days``;
- nothing verified for ``stall_months`` months in a delivery stage (signed to completed): 停滞, red.

**Status**: 停滞 when stalled, else 滞后 with any card, else 正常. The card is the worst reason's.
Working days are counted after the due date up to and including today (a step due on Friday and still open on
Monday is one working day late), with the calendar the caller passes (`WorkdayCounter`).

The defaults (`Thresholds`) follow the usual practice of 红黄牌 warnings: a yellow card as soon as a promise
is broken, a red one after two weeks on a step (10 working days) or two months on a promised date (40 working
days), three overdue steps at once, or half a year without a verified move; each district sets its own.
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum

NORMAL = "normal"
DELAYED = "delayed"
STALLED = "stalled"


class Card(IntEnum):
    NONE = 0
    YELLOW = 1
    RED = 2

    @property
    def code(self) -> str:
        return ("", "yellow", "red")[self]


@dataclass(frozen=True, slots=True)
class Thresholds:
    step_yellow_days: int = 1
    step_red_days: int = 10
    red_overdue_steps: int = 3
    promise_yellow_days: int = 1
    promise_red_days: int = 40
    stall_months: int = 6

    def __post_init__(self) -> None:
        for name in ("step_yellow_days", "promise_yellow_days", "red_overdue_steps", "stall_months"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.step_red_days < self.step_yellow_days or self.promise_red_days < self.promise_yellow_days:
            raise ValueError("a red threshold must not be below its yellow one")


@dataclass(frozen=True, slots=True)
class StepFacts:
    code: str
    name: str
    due: datetime.date | None
    done: datetime.date | None = None


@dataclass(frozen=True, slots=True)
class ProjectFacts:
    steps: Sequence[StepFacts] = ()
    promised_start: datetime.date | None = None
    started: bool = False
    expected_production: datetime.date | None = None
    producing: bool = False
    # In a stage where silence means a stall (signed … completed); leads and producing plants may be quiet.
    in_delivery: bool = False
    last_move: datetime.date | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    """One fact behind the card. ``kind``: "step" (``code``/``name`` of the step), "steps" (``count`` overdue
    steps at once), "start", "production" (a promise passed; ``due``), "stall" (``since``, ``months``)."""

    kind: str
    card: Card
    days: int = 0  # working days overdue
    code: str = ""
    name: str = ""
    due: datetime.date | None = None
    count: int = 0
    since: datetime.date | None = None
    months: int = 0


@dataclass(frozen=True, slots=True)
class Assessment:
    status: str = NORMAL
    card: Card = Card.NONE
    reasons: tuple[Reason, ...] = field(default_factory=tuple)


class WorkdayCounter:
    """Working days between two dates in O(log n), from one sorted list of the non-working days.

    ``is_workday`` is asked once per day of [first, last]; days outside fall back to Monday–Friday."""

    def __init__(
        self,
        is_workday: Callable[[datetime.date], bool] | None = None,
        first: datetime.date | None = None,
        last: datetime.date | None = None,
    ) -> None:
        self._first = first
        self._last = last
        self._offs: list[int] = []  # ordinals of the days off inside [first, last]
        if is_workday is not None and first is not None and last is not None:
            day, one = first, datetime.timedelta(days=1)
            while day <= last:
                if not is_workday(day):
                    self._offs.append(day.toordinal())
                day += one

    def _weekdays_off(self, a: int, b: int) -> int:
        """Saturdays and Sundays among ordinals (a, b]."""

        def upto(n: int) -> int:  # weekend days among ordinals 1..n (ordinal 1 is a Monday)
            weeks, rest = divmod(n, 7)
            return weeks * 2 + max(0, rest - 5)

        return upto(b) - upto(a)

    def between(self, after: datetime.date, until: datetime.date) -> int:
        """Working days in (after, until]; 0 when until ≤ after."""
        if until <= after:
            return 0
        a, b = after.toordinal(), until.toordinal()
        total = b - a
        if self._first is None or self._last is None:
            return total - self._weekdays_off(a, b)
        lo, hi = self._first.toordinal() - 1, self._last.toordinal()
        off = 0
        # Outside the known range: Monday–Friday.
        if a < lo:
            off += self._weekdays_off(a, min(b, lo))
        if b > hi:
            off += self._weekdays_off(max(a, hi), b)
        inner_a, inner_b = max(a, lo), min(b, hi)
        if inner_b > inner_a:
            off += bisect.bisect_right(self._offs, inner_b) - bisect.bisect_right(self._offs, inner_a)
        return total - off


def _months_before(day: datetime.date, months: int) -> datetime.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _promise(kind: str, due: datetime.date, days: int, t: Thresholds) -> Reason | None:
    if days >= t.promise_red_days:
        return Reason(kind, Card.RED, days=days, due=due)
    if days >= t.promise_yellow_days:
        return Reason(kind, Card.YELLOW, days=days, due=due)
    return None


def assess(
    facts: ProjectFacts,
    today: datetime.date,
    thresholds: Thresholds | None = None,
    workdays: WorkdayCounter | None = None,
) -> Assessment:
    """The status, the card and the reasons (worst first) of one project on ``today``."""
    t = thresholds or Thresholds()
    count = workdays or WorkdayCounter()
    reasons: list[Reason] = []
    overdue = 0
    for step in facts.steps:
        if step.done is not None or step.due is None or step.due >= today:
            continue
        days = count.between(step.due, today)
        if days >= t.step_red_days:
            card = Card.RED
        elif days >= t.step_yellow_days:
            card = Card.YELLOW
        else:
            continue
        overdue += 1
        reasons.append(Reason("step", card, days=days, code=step.code, name=step.name, due=step.due))
    if overdue >= t.red_overdue_steps:
        reasons.append(Reason("steps", Card.RED, count=overdue))
    if facts.promised_start and not facts.started and facts.promised_start < today:
        reason = _promise("start", facts.promised_start, count.between(facts.promised_start, today), t)
        if reason:
            reasons.append(reason)
    if facts.expected_production and not facts.producing and facts.expected_production < today:
        due = facts.expected_production
        reason = _promise("production", due, count.between(due, today), t)
        if reason:
            reasons.append(reason)
    stalled = (
        facts.in_delivery
        and facts.last_move is not None
        and facts.last_move <= _months_before(today, t.stall_months)
    )
    if stalled:
        reasons.append(Reason("stall", Card.RED, since=facts.last_move, months=t.stall_months))
    if not reasons:
        return Assessment()
    reasons.sort(key=lambda r: (-r.card, r.kind != "stall", r.kind != "steps", -r.days))
    card = max(r.card for r in reasons)
    return Assessment(STALLED if stalled else DELAYED, card, tuple(reasons))

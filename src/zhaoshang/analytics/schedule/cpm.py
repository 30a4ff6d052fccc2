"""Critical path method (CPM) for approval and construction schedules, plus working-day calendars.

Pure: no Django. Durations are whole **working days**; the calendar layer turns day numbers into dates.

Day numbers follow the usual CPM convention: a step with ``es = 3`` and ``duration = 2`` occupies working
days 3 and 4 (counting from 0) and has ``ef = 5``; a successor may start on day 5. ``ls``/``lf`` are the
latest start and finish that do not delay the project; ``total_float = ls - es``; a step is critical when
its float is 0.

Critical path, when several exist: start at the first critical step *without predecessors* in input order,
then repeatedly move to the first successor (in input order) that is critical and starts exactly when the
current step finishes; stop at a step with no such successor. This always ends at a step finishing at the
project duration (a critical step finishing earlier has ``lf = ef < duration``, so some successor has
``ls = ef`` and float 0), and it keeps zero-duration milestones at either end of the chain.

Dates (``schedule_dates``): working day 0 is the first working day on or after the given start date; a step
runs on working days ``es .. ef - 1`` (start date = working day ``es``, finish date = working day
``ef - 1``); a zero-duration step is a milestone dated on its start date, working day ``es`` (the day its
successors may begin). The project's finish date is the latest step date.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from zhaoshang.analytics.schedule.errors import ScheduleError

# The calendars live beside the holiday rules; imported here so that callers keep one place to import from.
from zhaoshang.analytics.schedule.holidays import (
    CalendarDays,
    CnWorkdays,
    WorkdayCalendar,
    calendar_by_name,
)

# The name of the calendar that guessed beyond the published years; `CnWorkdays` now does it (by law, not
# Monday–Friday) and never refuses a year, so the old name stays for its callers.
CnWorkdaysProvisional = CnWorkdays

__all__ = [
    "CalendarDays",
    "CnWorkdays",
    "CnWorkdaysProvisional",
    "Schedule",
    "ScheduleDates",
    "ScheduleError",
    "Step",
    "StepDates",
    "StepTiming",
    "WorkdayCalendar",
    "calendar_by_name",
    "schedule_compute",
    "schedule_dates",
    "steps_from_json",
]


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    name: str = ""
    duration: int = 0
    predecessors: tuple[str, ...] = ()


class StepTiming(NamedTuple):
    """One step's result. A NamedTuple rather than a frozen dataclass: just as immutable, and building 10,000
    of them costs 3 ms instead of 8 (frozen dataclasses set each field through ``object.__setattr__``)."""

    id: str
    name: str
    duration: int
    es: int
    ef: int
    ls: int
    lf: int
    total_float: int
    critical: bool


@dataclass(frozen=True, slots=True)
class Schedule:
    steps: tuple[StepTiming, ...]  # in input order
    duration: int  # earliest project finish, in working days
    serial_duration: int  # sum of all durations: every step handled one after another
    compression: float  # 1 - duration / serial_duration (0.0 when serial_duration is 0)
    critical_path: tuple[str, ...]
    _index: Mapping[str, int] = field(repr=False, compare=False)

    def __getitem__(self, step_id: str) -> StepTiming:
        return self.steps[self._index[step_id]]


def _duration_error(step_id: str, value: object) -> ScheduleError:
    return ScheduleError(
        f"步骤 {step_id} 的工期须为非负整数（工作日），现为 {value!r}",
        f"The duration of step {step_id} must be a whole number of working days ≥ 0, got {value!r}",
        kind="duration",
        steps=(step_id,),
    )


def _check_duration(step_id: str, value: object) -> int:
    # bool is an int subclass; True as "1 day" is always a data-entry slip, so refuse it.
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _duration_error(step_id, value)
    return value


def _cycle_through(start: int, preds: list[list[int]], remaining: list[bool]) -> list[int]:
    """A cycle among the steps Kahn's algorithm could not order.

    Every such step has at least one predecessor that is also left over (otherwise its in-degree would have
    reached 0), so walking backwards from any of them must revisit a step; the revisited stretch is a cycle.
    """
    seen_at: dict[int, int] = {}
    walk: list[int] = []
    node = start
    while node not in seen_at:
        seen_at[node] = len(walk)
        walk.append(node)
        node = next(p for p in preds[node] if remaining[p])
    cycle = walk[seen_at[node] :]
    cycle.reverse()  # we walked predecessor-wards; report in the direction work flows
    first = cycle.index(min(cycle))  # start at the step listed first, so the message is stable and readable
    return cycle[first:] + cycle[:first]


def schedule_compute(steps: Sequence[Step]) -> Schedule:
    """Forward and backward pass over ``steps``; raises :class:`ScheduleError` on invalid input.

    Linear in steps + dependencies: Kahn's topological order on integer-indexed lists, no recursion (a chain
    of 10,000 steps would overflow Python's stack).
    """
    n = len(steps)
    index: dict[str, int] = {}
    durations = [0] * n
    for i, step in enumerate(steps):
        if step.id in index:
            raise ScheduleError(
                f"步骤编号重复：{step.id}",
                f"Duplicate step id: {step.id}",
                kind="duplicate_id",
                steps=(step.id,),
            )
        index[step.id] = i
        durations[i] = _check_duration(step.id, step.duration)

    preds: list[list[int]] = [[] for _ in range(n)]
    succs: list[list[int]] = [[] for _ in range(n)]
    for i, step in enumerate(steps):
        # A predecessor listed twice needs no special case: it adds to the in-degree twice and is subtracted
        # twice, and max/min over a repeated value are unchanged.
        for pred_id in step.predecessors:
            p = index.get(pred_id)
            if p is None:
                raise ScheduleError(
                    f"步骤 {step.id} 的前置步骤 {pred_id} 不存在",
                    f"Step {step.id} names an unknown predecessor {pred_id}",
                    kind="unknown_predecessor",
                    steps=(step.id, pred_id),
                )
            preds[i].append(p)
            succs[p].append(i)

    indegree = [len(p) for p in preds]
    order = [i for i in range(n) if indegree[i] == 0]
    head = 0
    while head < len(order):
        node = order[head]
        head += 1
        for s in succs[node]:
            indegree[s] -= 1
            if indegree[s] == 0:
                order.append(s)
    if len(order) < n:
        remaining = [d > 0 for d in indegree]
        first = remaining.index(True)
        cycle = [steps[i].id for i in _cycle_through(first, preds, remaining)]
        shown = " → ".join([*cycle, cycle[0]])
        raise ScheduleError(
            f"步骤之间存在循环依赖：{shown}",
            f"The steps depend on each other in a cycle: {shown}",
            kind="cycle",
            steps=[*cycle, cycle[0]],
        )

    es = [0] * n
    ef = [0] * n
    for node in order:
        start = 0
        for p in preds[node]:
            if ef[p] > start:
                start = ef[p]
        es[node] = start
        ef[node] = start + durations[node]
    total = max(ef, default=0)

    ls = [0] * n
    lf = [0] * n
    for node in reversed(order):
        finish = total
        for s in succs[node]:
            if ls[s] < finish:
                finish = ls[s]
        lf[node] = finish
        ls[node] = finish - durations[node]

    critical = [ls[i] == es[i] for i in range(n)]
    path: list[str] = []
    node = next((i for i in range(n) if critical[i] and not preds[i]), -1)
    while node >= 0:
        path.append(steps[node].id)
        node = next((s for s in succs[node] if critical[s] and es[s] == ef[node]), -1)

    serial = sum(durations)
    timings = tuple(
        StepTiming(
            steps[i].id,
            steps[i].name,
            durations[i],
            es[i],
            ef[i],
            ls[i],
            lf[i],
            ls[i] - es[i],
            critical[i],
        )
        for i in range(n)
    )
    return Schedule(
        steps=timings,
        duration=total,
        serial_duration=serial,
        compression=1.0 - total / serial if serial else 0.0,
        critical_path=tuple(path),
        _index=index,
    )


def _format_error(zh: str, en: str, step_id: str | None = None) -> ScheduleError:
    return ScheduleError(zh, en, kind="format", steps=(step_id,) if step_id else ())


def _step_id(value: object, where_zh: str, where_en: str) -> str:
    # Spreadsheets often number steps 1, 2, 3; accept whole numbers and compare them as text.
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise _format_error(
        f"{where_zh}须为非空文本或整数，现为 {value!r}",
        f"{where_en} must be non-empty text or a number, got {value!r}",
    )


def steps_from_json(data: object) -> list[Step]:
    """Steps from parsed JSON ``{"steps": [{"id", "name", "duration", "predecessors": [...]}, ...]}``.

    Extra keys are ignored (the default template carries departments and limits). ``name`` may be missing (the
    id is used); ``predecessors`` may be missing (none). A duration written as ``3.0`` is taken as 3, since
    spreadsheet exports write whole numbers that way; ``3.5`` is refused.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("steps"), list):
        raise _format_error(
            "模板须为 JSON 对象，含 steps 列表", 'The template must be a JSON object with a "steps" list'
        )
    result: list[Step] = []
    for n, raw in enumerate(data["steps"], start=1):
        if not isinstance(raw, Mapping):
            raise _format_error(f"第 {n} 个步骤须为 JSON 对象", f"Step #{n} must be a JSON object")
        for key in ("id", "duration"):
            if key not in raw:
                raise _format_error(f"第 {n} 个步骤缺少 {key}", f'Step #{n} is missing "{key}"')
        step_id = _step_id(raw["id"], f"第 {n} 个步骤的 id", f"The id of step #{n}")
        duration = raw["duration"]
        if isinstance(duration, float) and duration.is_integer():
            duration = int(duration)
        preds = raw.get("predecessors", [])
        if preds is None:
            preds = []
        if not isinstance(preds, list):
            raise _format_error(
                f"步骤 {step_id} 的 predecessors 须为列表",
                f'"predecessors" of step {step_id} must be a list',
                step_id,
            )
        name = raw.get("name")
        result.append(
            Step(
                id=step_id,
                name=str(name) if name not in (None, "") else step_id,
                duration=_check_duration(step_id, duration),
                predecessors=tuple(
                    _step_id(p, f"步骤 {step_id} 的前置步骤", f"A predecessor of step {step_id}")
                    for p in preds
                ),
            )
        )
    return result


@dataclass(frozen=True, slots=True)
class StepDates:
    id: str
    start: datetime.date
    finish: datetime.date


@dataclass(frozen=True, slots=True)
class ScheduleDates:
    start: datetime.date  # working day 0: the first working day on or after the requested date
    finish: datetime.date  # the latest step date
    steps: tuple[StepDates, ...]  # in the schedule's order


def _workdays(start: datetime.date, count: int, calendar: WorkdayCalendar) -> list[datetime.date]:
    days: list[datetime.date] = []
    day = start
    one = datetime.timedelta(days=1)
    while len(days) < count:
        if calendar.is_workday(day):
            days.append(day)
        day += one
    return days


def schedule_dates(schedule: Schedule, start: datetime.date, calendar: WorkdayCalendar) -> ScheduleDates:
    """Planned start and finish dates per step, counting working days of ``calendar`` from ``start``."""
    # Only as many working days as some step uses: a calendar with a year limit must not fail on a day nobody
    # needs. A milestone at the very end uses day number `duration`, one past the last working day.
    last = max((t.es if t.duration == 0 else t.ef - 1 for t in schedule.steps), default=0)
    days = _workdays(start, last + 1, calendar)
    dated = tuple(
        StepDates(t.id, days[t.es], days[t.ef - 1] if t.duration else days[t.es]) for t in schedule.steps
    )
    finish = max((d.finish for d in dated), default=days[0])
    return ScheduleDates(start=days[0], finish=finish, steps=dated)

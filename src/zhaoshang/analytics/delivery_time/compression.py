"""The seed's "审批时限压缩 30 %", measured on the steps as they were handled (DOMAIN.md §8). Pure: no Django.

Inputs are the approval steps of a district's projects (``StepRecord``: actual start and finish dates, the
promised and legal limits in working days) and a working-day calendar (``analytics.schedule.cpm``'s
``WorkdayCalendar``: the same calendar the plans are made with). Definitions:

- **actual working days** of a finished step = the working days from its actual start to its actual finish,
  both counted (a step started and finished on the same working day took 1 day; a limit of n days is met when
  the step took ≤ n). A step without both dates, or finished before it started, is not measured.
- **over the promised / legal limit** = actual − limit (> 0: late by that many working days).
- **period**: a step belongs to *before* when it started before the baseline date (the reform; a district
  setting), else to *after*. Each group (step code, department) reports the median actual days *after* and the
  district's median *before*, and the change = median after / median before − 1 (−0.3 is the seed's −30 %).
- **per project**, over the steps of modules ≤ ``last_module`` (default 5: filing to construction permit, how
  国办发〔2019〕11号 measures approval time, construction not included): *elapsed* = working days from the
  earliest actual start to the latest actual finish, measured only when every such step is finished;
  *serial plan* = Σ promised limits of those steps (every step one after another);
  compression vs the serial plan = 1 − elapsed / serial; vs before = 1 − elapsed / (median elapsed of the
  district's projects whose first step started before the baseline).
- **achieved** (the dashboard's figure) = median elapsed of the projects after the baseline / median elapsed
  before − 1; when there is no history before the baseline it is not computed (None), and the compression
  against the serial plan (median over projects, negated) is shown instead, named as such.

Every group and project carries the keys of the records behind it, so that a page can open them.
"""

from __future__ import annotations

import dataclasses
import datetime
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

__all__ = [
    "TARGET_REDUCTION",
    "DeliveryTimeReport",
    "GroupTime",
    "ProjectTime",
    "StepRecord",
    "StepTime",
    "delivery_time",
    "working_days",
]

TARGET_REDUCTION = -0.30  # the seed: approval time cut by 30 %
Period = Literal["before", "after"]


class Calendar(Protocol):
    def is_workday(self, day: datetime.date) -> bool: ...


@dataclass(frozen=True)
class StepRecord:
    key: str  # the record's id, to open it
    project: str  # the project's id
    project_name: str
    code: str
    name: str
    module: int
    department: str  # "" when none
    start: datetime.date | None
    finish: datetime.date | None
    promised_days: int
    legal_days: int | None


@dataclass(frozen=True)
class StepTime:
    record: StepRecord
    days: int  # actual working days, both ends counted
    over_promised: int  # days − promised limit
    over_legal: int | None  # days − legal limit; None when no legal limit is known
    period: Period


@dataclass
class GroupTime:
    """One step code or one department: the steps measured after the baseline and the history before it."""

    key: str
    label: str
    count: int = 0
    median_days: float | None = None
    mean_days: float | None = None
    promised_days: float | None = None  # median limit of the measured steps
    legal_days: float | None = None
    within_promised: int = 0
    over_promised: int = 0
    over_legal: int = 0
    before_count: int = 0
    before_median: float | None = None
    change: float | None = None  # median after / median before − 1
    records: list[str] = field(default_factory=list)  # after the baseline
    before_records: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ProjectTime:
    project: str
    project_name: str
    period: Period
    start: datetime.date
    finish: datetime.date
    elapsed: int  # working days, first start to last finish
    serial: int  # Σ promised limits
    compression: float  # 1 − elapsed / serial
    vs_before: float | None  # 1 − elapsed / median elapsed before the baseline
    records: tuple[str, ...]


@dataclass
class DeliveryTimeReport:
    baseline: datetime.date
    last_module: int
    steps: list[StepTime]
    by_step: list[GroupTime]
    by_department: list[GroupTime]
    projects: list[ProjectTime]
    unmeasured: int  # finished-looking steps without usable dates, or still open
    before_median_elapsed: float | None
    after_median_elapsed: float | None
    achieved: float | None  # median elapsed after / before − 1
    serial_compression: float | None  # median compression vs the serial plan, projects after the baseline
    target: float = TARGET_REDUCTION
    explain: list[str] = field(default_factory=list)


def working_days(start: datetime.date, finish: datetime.date, calendar: Calendar) -> int:
    """Working days from ``start`` to ``finish``, both counted; 0 when ``finish`` is before ``start``."""
    count = 0
    day = start
    one = datetime.timedelta(days=1)
    while day <= finish:
        if calendar.is_workday(day):
            count += 1
        day += one
    return count


def _median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def _group(key: str, label: str, measured: Iterable[StepTime]) -> GroupTime:
    group = GroupTime(key=key, label=label)
    after = [t for t in measured if t.period == "after"]
    before = [t for t in measured if t.period == "before"]
    if after:
        days = [t.days for t in after]
        group.count = len(after)
        group.median_days = _median(days)
        group.mean_days = sum(days) / len(days)
        group.promised_days = _median([t.record.promised_days for t in after])
        legal = [t.record.legal_days for t in after if t.record.legal_days is not None]
        group.legal_days = _median(legal)
        group.within_promised = sum(t.over_promised <= 0 for t in after)
        group.over_promised = len(after) - group.within_promised
        group.over_legal = sum(t.over_legal is not None and t.over_legal > 0 for t in after)
        group.records = [t.record.key for t in after]
    if before:
        group.before_count = len(before)
        group.before_median = _median([t.days for t in before])
        group.before_records = [t.record.key for t in before]
    if group.median_days is not None and group.before_median:
        group.change = group.median_days / group.before_median - 1
    return group


def _groups(
    measured: Sequence[StepTime], key: Callable[[StepRecord], str], label: Callable[[StepRecord], str]
) -> list[GroupTime]:
    buckets: dict[str, list[StepTime]] = {}
    labels: dict[str, str] = {}
    for t in measured:
        k = key(t.record)
        buckets.setdefault(k, []).append(t)
        labels.setdefault(k, label(t.record))
    return [_group(k, labels[k], buckets[k]) for k in buckets]


def delivery_time(
    records: Sequence[StepRecord],
    *,
    calendar: Calendar,
    baseline: datetime.date,
    last_module: int = 5,
) -> DeliveryTimeReport:
    """Measure ``records`` (see the module docstring)."""
    measured: list[StepTime] = []
    unmeasured = 0
    for r in records:
        if r.start is None or r.finish is None or r.finish < r.start:
            unmeasured += 1
            continue
        days = working_days(r.start, r.finish, calendar)
        measured.append(
            StepTime(
                record=r,
                days=days,
                over_promised=days - r.promised_days,
                over_legal=None if r.legal_days is None else days - r.legal_days,
                period="before" if r.start < baseline else "after",
            )
        )
    # Step order: module then the number in the code (S2 before S10), as the template lists them.
    by_step = sorted(
        _groups(measured, lambda r: r.code, lambda r: f"{r.code} {r.name}"),
        key=lambda g: _code_order(g.key, measured),
    )
    by_department = sorted(
        _groups(measured, lambda r: r.department or "—", lambda r: r.department or "—"),
        key=lambda g: (-(g.count + g.before_count), g.key),
    )
    projects = _projects(records, calendar, baseline, last_module)
    before = [p.elapsed for p in projects if p.period == "before"]
    after = [p for p in projects if p.period == "after"]
    before_median = _median(before)
    after_median = _median([p.elapsed for p in after])
    if before_median:
        projects = [dataclasses.replace(p, vs_before=1 - p.elapsed / before_median) for p in projects]
    achieved = after_median / before_median - 1 if before_median and after_median is not None else None
    serial = _median([p.compression for p in after])
    report = DeliveryTimeReport(
        baseline=baseline,
        last_module=last_module,
        steps=measured,
        by_step=by_step,
        by_department=by_department,
        projects=projects,
        unmeasured=unmeasured,
        before_median_elapsed=before_median,
        after_median_elapsed=after_median,
        achieved=achieved,
        serial_compression=None if serial is None else -serial,
    )
    report.explain = _explain(report, len(before), len(after))
    return report


def _code_order(code: str, measured: Sequence[StepTime]) -> tuple[int, int, str]:
    module = next((t.record.module for t in measured if t.record.code == code), 0)
    digits = "".join(ch for ch in code if ch.isdigit())
    return module, int(digits) if digits else 0, code


def _projects(
    records: Sequence[StepRecord], calendar: Calendar, baseline: datetime.date, last_module: int
) -> list[ProjectTime]:
    by_project: dict[str, list[StepRecord]] = {}
    for r in records:
        if r.module <= last_module:
            by_project.setdefault(r.project, []).append(r)
    out = []
    for key, steps in by_project.items():
        if any(s.start is None or s.finish is None or s.finish < s.start for s in steps):
            continue  # not every approval is through yet: its elapsed time is not known
        start = min(s.start for s in steps if s.start is not None)
        finish = max(s.finish for s in steps if s.finish is not None)
        serial = sum(s.promised_days for s in steps)
        elapsed = working_days(start, finish, calendar)
        out.append(
            ProjectTime(
                project=key,
                project_name=steps[0].project_name,
                period="before" if start < baseline else "after",
                start=start,
                finish=finish,
                elapsed=elapsed,
                serial=serial,
                compression=1 - elapsed / serial if serial else 0.0,
                vs_before=None,
                records=tuple(s.key for s in steps),
            )
        )
    out.sort(key=lambda p: (p.start, p.project))
    return out


def _pct(x: float) -> str:
    return f"{x:+.1%}".replace("-", "−")


def _explain(report: DeliveryTimeReport, n_before: int, n_after: int) -> list[str]:
    lines = [
        f"基线日 {report.baseline.isoformat()}：此前开始办理的环节和项目为“基线前”，此后为“基线后”。",
        f"项目审批用时 = 模块 1–{report.last_module} 各环节中最早实际开始到最晚实际办结的工作日数"
        "（两端都计），各环节全部办结的项目才计入。",
    ]
    if report.achieved is not None:
        lines.append(
            f"基线后 {n_after} 个项目审批用时中位数 {report.after_median_elapsed:g} 个工作日，"
            f"基线前 {n_before} 个项目中位数 {report.before_median_elapsed:g} 个工作日，"
            f"变化 {_pct(report.achieved)}（目标 {_pct(report.target)}）。"
        )
    else:
        lines.append(f"基线前没有办结的项目（{n_before} 个）或基线后没有（{n_after} 个），无法与历史对比。")
    if report.serial_compression is not None:
        lines.append(
            f"与串联计划（各环节承诺时限之和）相比，基线后项目用时中位变化 {_pct(report.serial_compression)}。"
        )
    if report.unmeasured:
        lines.append(f"{report.unmeasured} 个环节缺少实际开始或办结日期，未计入。")
    return lines

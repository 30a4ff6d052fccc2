"""The monthly 重大项目推进情况表 as officials lay it out: projects grouped by reporting unit, subtotals and a total.

Pure: no Django. The caller gives one ``ProjectLine`` per project on a list for the year (amounts in 万元, the
cumulative 1–N月 completion already restricted to verified monthly figures of that year up to the month); this
module orders and groups them and computes the sums and rates the table shows, in 亿元.

**Groups**: counties (区县) first, then functional zones (功能区), each by its statistical code; the projects of a
group by 总投资, largest first, then by name. Every group carries a subtotal; the table carries a total.

**Sums**: 总投资, 年度计划投资 and 1–N月完成投资 are plain sums of the rows (a missing figure counts as nothing, and a
sum with no figure at all is missing, never 0). Amounts are converted to 亿元 exactly (万元 have two decimals, so
亿元 have at most six): a subtotal is the sum of the rows as they are stored, and the two decimals shown are a
number format, so that 小计 always equals the sum of the rows above it in the spreadsheet.

**投资完成率** (%) = 1–N月完成投资 / 年度计划投资 × 100. A project without a plan (or with a plan of 0) has no rate
("—"). For a group and the total the rate is the completion of the projects *that have a plan* over the sum of
their plans: a project completing money outside any plan must not raise the rate of the others.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

WAN_PER_YI = Decimal(10000)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class ProjectLine:
    """One project's row, amounts in 万元 (None: not known)."""

    name: str
    group_code: str  # the reporting unit's statistical code: orders the groups
    group_name: str
    group_is_zone: bool
    unit: str = ""  # 项目单位
    code: str = ""  # 项目代码
    content: str = ""  # 建设内容及规模
    category: str = ""  # 项目类别: the lists the project is on for the year
    nature: str = ""  # 建设性质
    total_investment: Decimal | None = None
    planned: Decimal | None = None  # 年度计划投资
    completed: Decimal | None = None  # 1–N月完成投资 (verified)
    started: datetime.date | None = None
    progress: str = ""  # 项目进展情况
    note: str = ""


@dataclass(frozen=True)
class Sums:
    """Sums of a set of rows, in 亿元 (None when no row has the figure) and the completion rate in %."""

    count: int
    total_investment: Decimal | None
    planned: Decimal | None
    completed: Decimal | None
    rate: Decimal | None


@dataclass(frozen=True)
class Row:
    number: int  # 序号, running through the whole table
    line: ProjectLine
    total_investment: Decimal | None  # 亿元
    planned: Decimal | None
    completed: Decimal | None
    rate: Decimal | None  # %


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    is_zone: bool
    rows: list[Row] = field(default_factory=list)
    sums: Sums = field(default_factory=lambda: Sums(0, None, None, None, None))


@dataclass(frozen=True)
class Table:
    groups: list[Group]
    total: Sums

    @property
    def counties(self) -> list[Group]:
        return [group for group in self.groups if not group.is_zone]

    @property
    def zones(self) -> list[Group]:
        return [group for group in self.groups if group.is_zone]


def yi(wan: Decimal | None) -> Decimal | None:
    """万元 → 亿元, exactly."""
    return None if wan is None else wan / WAN_PER_YI


def rate(completed: Decimal | None, planned: Decimal | None) -> Decimal | None:
    """投资完成率 in %, two decimals; None without a (positive) plan."""
    if planned is None or planned <= 0:
        return None
    return (((completed or Decimal(0)) / planned) * HUNDRED).quantize(Decimal("0.01"))


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [value for value in values if value is not None]
    return sum(present, Decimal(0)) if present else None


def sums(lines: Sequence[ProjectLine]) -> Sums:
    planned_lines = [line for line in lines if line.planned is not None and line.planned > 0]
    return Sums(
        count=len(lines),
        total_investment=yi(_sum(line.total_investment for line in lines)),
        planned=yi(_sum(line.planned for line in lines)),
        completed=yi(_sum(line.completed for line in lines)),
        rate=rate(
            _sum(line.completed for line in planned_lines) or Decimal(0),
            _sum(line.planned for line in planned_lines),
        ),
    )


def _line_order(line: ProjectLine) -> tuple[Decimal, str]:
    return (-(line.total_investment or Decimal(0)), line.name)


def build_table(lines: Iterable[ProjectLine]) -> Table:
    """Group, order and sum the lines; 序号 runs from 1 through the groups in order."""
    grouped: dict[tuple[bool, str, str], list[ProjectLine]] = {}
    for line in lines:
        grouped.setdefault((line.group_is_zone, line.group_code, line.group_name), []).append(line)
    groups: list[Group] = []
    number = 0
    for (is_zone, code, name), members in sorted(grouped.items(), key=lambda item: item[0]):
        rows = []
        for line in sorted(members, key=_line_order):
            number += 1
            rows.append(
                Row(
                    number=number,
                    line=line,
                    total_investment=yi(line.total_investment),
                    planned=yi(line.planned),
                    completed=yi(line.completed),
                    rate=rate(line.completed, line.planned),
                )
            )
        groups.append(Group(code=code, name=name, is_zone=is_zone, rows=rows, sums=sums(members)))
    return Table(groups=groups, total=sums([row.line for group in groups for row in group.rows]))

"""Monthly completed investment and the year's class of a project (see the package docstring)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

YearClassCode = Literal["new_start", "continuing", "completing", "preparing"]
NO_RATE = "—"  # the rate of a project or a list without a planned investment for the year


def months_through(year: int, as_of: dt.date) -> int:
    """How many months of `year` a 1–N月 figure covers on `as_of`: the months already over (a month's 完成投资 is
    reported after it ends). 0 before the year's first month has ended, 12 once the year is over."""
    if as_of.year < year:
        return 0
    if as_of.year > year:
        return 12
    return as_of.month - 1


def year_to_date(
    amounts: Mapping[dt.date, Decimal] | Iterable[tuple[dt.date, Decimal]], year: int, months: int
) -> Decimal:
    """1–N月完成投资: the sum of the monthly amounts of `year` in months 1..`months` (other years and later months
    are left out). `amounts` maps a month (any day in it) to that month's amount."""
    pairs = amounts.items() if isinstance(amounts, Mapping) else amounts
    total = Decimal(0)
    for month, amount in pairs:
        if month.year == year and 1 <= month.month <= months:
            total += Decimal(amount)
    return total


def completion_rate(completed: Decimal, planned: Decimal | None) -> Decimal | None:
    """投资完成率 = 1–N月完成投资 / 年度计划投资, as a fraction (may pass 1); None when there is no plan (or a
    plan of 0), never a division by zero or a made-up 100 %."""
    if planned is None or planned <= 0:
        return None
    return Decimal(completed) / Decimal(planned)


def rate_text(rate: Decimal | None, places: int = 1) -> str:
    """The rate as officials print it: ``85.3%``; ``—`` without a plan."""
    if rate is None:
        return NO_RATE
    quantum = Decimal(1).scaleb(-places)
    return f"{(rate * 100).quantize(quantum, rounding=ROUND_HALF_UP)}%"


def classify_year(year: int, started: dt.date | None, completed: dt.date | None) -> YearClassCode | None:
    """A project's class on `year`'s list, from its verified start and completion dates:

    - 竣工 (completing): completed in the year (whenever it started);
    - 新开工 (new_start): started in the year, not completed in it;
    - 续建 (continuing): started before the year and not completed before it;
    - 准备 (preparing): not started by the end of the year;
    - None: completed before the year (no longer on that year's books).

    A completion without a recorded start counts as started when it was completed."""
    if completed is not None and started is None:
        started = completed
    if completed is not None and completed.year < year:
        return None
    if completed is not None and completed.year == year:
        return "completing"
    if started is None or started.year > year:
        return "preparing"
    if started.year == year:
        return "new_start"
    return "continuing"


def class_disagrees(
    year: int,
    claimed: YearClassCode,
    started: dt.date | None,
    completed: dt.date | None,
    today: dt.date,
) -> bool:
    """Whether a table's class for `year` (新开工/续建/竣工/准备, as listed) disagrees with the verified dates.

    Once the year is over the dates decide: any other class than ``classify_year``'s disagrees. While it runs
    (or before it begins), a list's class is partly a plan: a 新开工 project may still start and a 竣工 one may
    still be completed, so only what the dates already rule out disagrees — 新开工 or 准备 for a project that
    started before the year, 续建 for one that did not, 准备 for one already started. A project completed before
    the year is not on that year's books at all (``classify_year`` gives None): another conflict, not this one.
    A completion without a recorded start counts as started when it was completed."""
    actual = classify_year(year, started, completed)
    if actual is None or actual == claimed:
        return False
    if today.year > year:
        return True
    began = started or completed
    started_before = began is not None and began.year < year
    if claimed == "new_start":
        return started_before
    if claimed == "continuing":
        return not started_before
    if claimed == "preparing":
        return began is not None and began <= today
    return False  # 竣工: may still be completed this year

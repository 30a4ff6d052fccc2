"""The 发改 side of major projects as pure computation: year-to-date completed investment (1–N月完成投资), the
investment completion rate (投资完成率) against the year's planned investment, and the 新开工/续建/竣工/准备 class of a
project for a year from its verified start and completion dates, and whether a table's class for the year
disagrees with them. No Django; amounts in 万元 as Decimals."""

from __future__ import annotations

from zhaoshang.analytics.fagai.ledger import (
    NO_RATE,
    YearClassCode,
    class_disagrees,
    classify_year,
    completion_rate,
    months_through,
    rate_text,
    year_to_date,
)

__all__ = [
    "NO_RATE",
    "YearClassCode",
    "class_disagrees",
    "classify_year",
    "completion_rate",
    "months_through",
    "rate_text",
    "year_to_date",
]

"""A table's class for a year (新开工/续建/竣工/准备) against the verified dates: once the year is over the dates
decide; while it runs only what the dates already rule out disagrees."""

from __future__ import annotations

import datetime as dt

import pytest

from zhaoshang.analytics.fagai import class_disagrees, classify_year

D = dt.date
OVER = D(2026, 3, 1)  # 2025 is over
RUNNING = D(2025, 6, 30)  # 2025 is running


@pytest.mark.parametrize(
    ("claimed", "started", "completed", "today", "disagrees"),
    [
        # The year is over: anything but the computed class disagrees.
        ("new_start", D(2025, 4, 1), None, OVER, False),
        ("new_start", D(2024, 4, 1), None, OVER, True),  # started the year before: 续建
        ("new_start", None, None, OVER, True),  # never started in 2025: 准备
        ("continuing", D(2023, 1, 1), None, OVER, False),
        ("completing", D(2023, 1, 1), None, OVER, True),  # not completed in 2025
        ("completing", D(2023, 1, 1), D(2025, 9, 1), OVER, False),
        ("preparing", None, None, OVER, False),
        ("preparing", D(2025, 2, 1), None, OVER, True),
        # The year runs: a plan the year may still bring is not a disagreement yet.
        ("new_start", None, None, RUNNING, False),  # may still start
        ("new_start", D(2024, 4, 1), None, RUNNING, True),  # already started before the year
        ("completing", D(2024, 4, 1), None, RUNNING, False),  # may still be completed
        ("continuing", None, None, RUNNING, True),  # 续建 means started before the year
        ("continuing", D(2025, 3, 1), None, RUNNING, True),  # started this year: 新开工
        ("continuing", D(2024, 3, 1), D(2025, 5, 1), RUNNING, False),  # was 续建, completed meanwhile
        ("preparing", D(2025, 3, 1), None, RUNNING, True),  # already started
        # Completed before the year: not on that year's books (another conflict lists it).
        ("new_start", D(2022, 1, 1), D(2024, 1, 1), OVER, False),
    ],
)
def test_class_disagrees(
    claimed: str, started: dt.date | None, completed: dt.date | None, today: dt.date, disagrees: bool
) -> None:
    assert class_disagrees(2025, claimed, started, completed, today) is disagrees  # type: ignore[arg-type]
    if today.year > 2025:  # once the year is over, exactly the classes classify_year would not give
        actual = classify_year(2025, started, completed)
        assert disagrees is (actual is not None and actual != claimed)

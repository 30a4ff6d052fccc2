"""The error of the schedule package, in its own module so that the calendars and the CPM both raise it."""

from __future__ import annotations

from collections.abc import Sequence

from zhaoshang.standards.errors import BilingualError


class ScheduleError(BilingualError):
    """Invalid steps or dates. ``zh``/``en`` are messages for people (``str()`` is ``zh``); ``kind`` is one of
    ``cycle``, ``unknown_predecessor``, ``duplicate_id``, ``duration``, ``format``, ``calendar_range``, and
    ``steps`` names the step ids involved (for a cycle: in order, first id repeated at the end)."""

    def __init__(self, zh: str, en: str, *, kind: str, steps: Sequence[str] = ()) -> None:
        super().__init__(zh, en)
        self.kind = kind
        self.steps = tuple(steps)

"""Scheduled job kinds: a kind declared with `job_schedule` is submitted once per slot of its period by whichever
worker polls first (the slot is the job's idempotency key, unique in the database), so a cluster of workers runs
it once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from zhaoshang.core.audit import acting_as, system_actor
from zhaoshang.core.jobs import job_submit
from zhaoshang.core.models import Job


@dataclass(frozen=True)
class Schedule:
    kind: str
    title: str
    every: Callable[[], float]  # seconds between runs, read when due (settings may change in tests)


_schedules: dict[str, Schedule] = {}


def job_schedule(kind: str, *, title: str, every: Callable[[], float]) -> None:
    """Declare that a kind runs every ``every()`` seconds: the worker submits it on its polls (`jobs_schedule_due`).
    Used by apps above core (e.g. notifications) from their own modules."""
    _schedules[kind] = Schedule(kind, title, every)


def jobs_schedule_due(*, now: datetime | None = None) -> list[Job]:
    """Submit each scheduled kind once per slot of its period, as the system actor `system-scheduler`. The slot
    is the job's key, so workers polling at once (and every later poll of the slot) submit nothing more; a slot
    whose job failed waits for the next slot."""
    now = now or timezone.now()
    submitted = []
    for schedule in _schedules.values():
        seconds = float(schedule.every())
        if seconds <= 0:
            continue  # switched off (e.g. ZHAOSHANG_NOTIFY_EVERY=0)
        every = max(60.0, seconds)
        key = f"schedule:{int(now.timestamp() // every)}"
        if Job.objects.filter(kind=schedule.kind, idempotency_key=key).exists():
            continue
        actor = system_actor("scheduler")
        if not actor.is_superuser:  # city-wide, like the CLI's actor: a schedule runs for every district
            actor.is_superuser = True
            with acting_as(actor, "system"):
                actor.save(update_fields=["is_superuser"])
        submitted.append(
            job_submit(kind=schedule.kind, title=str(schedule.title), user=actor, params={}, key=key)
        )
    return submitted

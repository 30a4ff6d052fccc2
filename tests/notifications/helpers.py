from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from zhaoshang.notifications.services import notify_run


def at(day: datetime.date, hour: int = 10, minutes: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour))) + datetime.timedelta(
        minutes=minutes
    )


def run(world: dict[str, Any], *, now: datetime.datetime | None = None, **kwargs: Any) -> dict[str, Any]:
    now = now or at(world["today"])
    districts = [world["a"]["district"], world["b"]["district"]]
    return notify_run(today=timezone.localdate(now), now=now, districts=districts, **kwargs)


def task(
    world: dict[str, Any], key: str, *, due: datetime.date, owner: Any = None, department: Any = None
) -> Any:
    from zhaoshang.projects.models import WeeklyTask

    monday = due - datetime.timedelta(days=due.weekday())
    return WeeklyTask.objects.create(
        project=world[key]["project"],
        week=monday,
        title=f"办理用地预审({key})",
        owner=owner,
        department=department,
        due_date=due,
    )

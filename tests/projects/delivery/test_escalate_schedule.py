"""Escalation runs from the worker's schedule, once per period however many workers poll (tests run jobs inline)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from zhaoshang.core.models import Job
from zhaoshang.core.schedules import jobs_schedule_due
from zhaoshang.projects.delivery.blockers import blocker_raise
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import Blocker

TODAY = datetime.date.today()


def test_the_schedule_escalates_once_per_day_across_workers(org: Any, users: Any, settings: Any) -> None:
    settings.ZHAOSHANG_NOTIFY_EVERY = 0  # only escalation is scheduled here
    settings.ZHAOSHANG_ESCALATE_EVERY = 24 * 60 * 60
    project = ProjectFactory(district=org["linzi_district"], name="排程堵点项目")
    land = org["linzi"]["departments"]["自然资源"]
    blocker = blocker_raise(
        project=project, title="逾期未供地", user=users["linzi_admin"], department=land, deadline=TODAY
    )
    Blocker.objects.filter(pk=blocker.pk).update(deadline=TODAY - datetime.timedelta(days=3))

    now = timezone.now()
    (job,) = jobs_schedule_due(now=now)
    job.refresh_from_db()
    assert (job.kind, job.status) == ("blockers-escalate", Job.Status.SUCCEEDED)
    assert blocker.pk in {row["id"] for row in job.result["escalated"]}
    blocker.refresh_from_db()
    assert blocker.level == 1
    # A second worker polling in the same period, and every later poll of it, submits nothing.
    assert jobs_schedule_due(now=now) == []
    assert jobs_schedule_due(now=now + datetime.timedelta(seconds=1)) == []
    assert Job.objects.filter(kind="blockers-escalate").count() == 1
    blocker.refresh_from_db()
    assert blocker.level == 1


def test_escalation_can_be_left_to_cron(org: Any, settings: Any) -> None:
    settings.ZHAOSHANG_NOTIFY_EVERY = 0
    settings.ZHAOSHANG_ESCALATE_EVERY = 0
    assert jobs_schedule_due(now=timezone.now()) == []

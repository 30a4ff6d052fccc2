"""`zhaoshang notify [--dry-run]` and the worker's schedule."""

from __future__ import annotations

import datetime
import json
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from zhaoshang.core.models import District, Job
from zhaoshang.core.schedules import jobs_schedule_due
from zhaoshang.notifications.models import Notification, Rule, RuleSetting

from .helpers import task


def test_command_dry_run_then_real(world: dict[str, Any]) -> None:
    a = world["a"]
    task(world, "a", due=world["today"] - datetime.timedelta(days=1), owner=a["clerk"])
    out = StringIO()
    call_command(
        "notify", "--dry-run", "--district", "370303", "--date", "2026-12-07", "--format", "json", stdout=out
    )
    dry = json.loads(out.getvalue())
    assert dry["dry_run"] and dry["events"][Rule.TASK_OVERDUE] == 1 and dry["notifications"] == 1
    assert not Notification.objects.exists()

    out = StringIO()
    call_command("notify", "--district", "370303", "--date", "2026-12-07", stdout=out)
    assert "新提醒 1 条" in out.getvalue()
    assert Notification.objects.filter(user=a["clerk"], rule=Rule.TASK_OVERDUE).count() == 1


def test_schedule_submits_once_per_period(world: dict[str, Any], settings: Any) -> None:
    """The worker's poll submits the `notify-run` job once per period (tests run jobs inline)."""
    settings.ZHAOSHANG_NOTIFY_EVERY = 3600
    settings.ZHAOSHANG_ESCALATE_EVERY = (
        0  # escalation's own schedule: tests/projects/delivery/test_escalate_schedule.py
    )
    # Keep the inline run small: every rule off in every district but the task rule in 张店.
    RuleSetting.objects.bulk_create(
        [RuleSetting(district=d, rule=r, enabled=False) for d in District.objects.all() for r in Rule.values
         if not (d == world["a"]["district"] and r == Rule.TASK_OVERDUE)]
    )  # fmt: skip
    a = world["a"]
    task(world, "a", due=world["today"] - datetime.timedelta(days=1), owner=a["clerk"])
    now = timezone.make_aware(datetime.datetime(2026, 12, 7, 10, 0), datetime.UTC)  # a period starts
    (job,) = jobs_schedule_due(now=now)
    job.refresh_from_db()
    assert (job.kind, job.status, job.idempotency_key) == (
        "notify-run",
        Job.Status.SUCCEEDED,
        "schedule:499066",
    )
    assert job.result["notifications"] == 1
    assert jobs_schedule_due(now=now + datetime.timedelta(minutes=59)) == []  # same period: nothing
    assert Job.objects.filter(kind="notify-run").count() == 1
    (later,) = jobs_schedule_due(now=now + datetime.timedelta(hours=1))
    later.refresh_from_db()
    assert later.result["notifications"] == 0  # the next period's run finds nothing new: at most once

"""The notifications app's declarations: its run is a job the worker submits on a schedule."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.schedules import job_schedule
from zhaoshang.notifications import services  # noqa: F401  (registers the `notify-run` job runner)


def notify_every() -> float:
    """Seconds between runs (`ZHAOSHANG_NOTIFY_EVERY`, default an hour): rules are idempotent, so a run more
    often than daily only sends sooner, and retries of failed sends come due between runs."""
    return float(settings.ZHAOSHANG_NOTIFY_EVERY)


job_schedule("notify-run", title=_("消息提醒"), every=notify_every)

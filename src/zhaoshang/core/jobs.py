"""Long work as jobs: a Job row people can watch, a runner per kind, and a django-tasks task that runs it.

With the database backend a `zhaoshang worker` process picks jobs up; tests use the immediate backend.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from zhaoshang.core.audit import acting_as
from zhaoshang.core.models import Job

Runner = Callable[[Job, Callable[[int, int, str], None]], dict[str, Any]]
_runners: dict[str, Runner] = {}


def job_runner(kind: str) -> Callable[[Runner], Runner]:
    def decorate(func: Runner) -> Runner:
        _runners[kind] = func
        return func

    return decorate


def job_create(*, kind: str, title: str, user: Any, params: dict[str, Any]) -> Job:
    if kind not in _runners:
        raise ValueError(f"no runner for job kind {kind!r}")
    return Job.objects.create(kind=kind, title=title, user=user, params=params)


def job_submit(*, kind: str, title: str, user: Any, params: dict[str, Any]) -> Job:
    job = job_create(kind=kind, title=title, user=user, params=params)
    run_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


class _Progress:
    """Writes progress at most twice a second so that a 100,000-row import is not 100,000 updates."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.last = 0.0

    def __call__(self, done: int, total: int, message: str = "") -> None:
        now = time.monotonic()
        if now - self.last < 0.5 and done < total:
            return
        self.last = now
        percent = int(100 * done / total) if total else 0
        Job.objects.filter(pk=self.job.pk).update(progress=min(percent, 99), message=message[:300])


def job_execute(job: Job) -> Job:
    """Run a job in this process (what the task does; the CLI calls it directly with a progress bar)."""
    runner = _runners[job.kind]
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started=timezone.now())
    try:
        with acting_as(job.user, "job"):
            result = runner(job, _Progress(job))
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.SUCCEEDED, progress=100, result=result, finished=timezone.now(), message=""
        )
    except Exception as error:  # a failed job reports why instead of vanishing
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED,
            result={"error": str(error) or error.__class__.__name__, "trace": traceback.format_exc()[-4000:]},
            finished=timezone.now(),
            message=_("失败"),
        )
    job.refresh_from_db()
    return job


@task()
def run_job(job_id: int) -> str:
    job = Job.objects.get(pk=job_id)
    return job_execute(job).status

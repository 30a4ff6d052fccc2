"""Long work as jobs: a Job row people can watch, a runner per kind, and a django-tasks task that runs it.

With the database backend a `zhaoshang worker` process picks jobs up; tests use the immediate backend, which runs
the job inline. What keeps a job from being lost or run twice (docs/deployment.md):

- **claim**: a job starts only through the conditional update ``queued → running`` whose row count decides, so
  two workers (or a task enqueued twice) never run the same job;
- **heartbeat**: a running job records ``heartbeat_at`` and its worker (host:pid) when it starts, with its
  progress, and — in the worker — from a timer thread, so a long step without progress still beats;
- **reclaim**: at its start and on every poll a worker looks for running jobs whose heartbeat is older than
  ``ZHAOSHANG_JOB_HEARTBEAT_TIMEOUT`` seconds: a kind declared ``retry_safe`` is queued again (up to its
  ``max_attempts``), any other is failed with the reason;
- **submission**: a key makes a second submission (double click, back button) return the first job;
- **errors**: people read a message without server paths; the traceback is kept for administrators.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from zhaoshang.core.audit import acting_as
from zhaoshang.core.models import Job

logger = logging.getLogger(__name__)

Progress = Callable[..., None]  # progress(done, total, message="")
Runner = Callable[[Job, Progress], dict[str, Any]]
T = TypeVar("T")


@dataclass(frozen=True)
class RunnerSpec:
    run: Runner
    retry_safe: bool
    max_attempts: int


_runners: dict[str, RunnerSpec] = {}


def job_runner(kind: str, *, retry_safe: bool = False, max_attempts: int = 3) -> Callable[[Runner], Runner]:
    """Register the runner of a kind. ``retry_safe``: running it again after its worker died does no harm (it
    writes nothing, or all or nothing, or the same again), so such a job is requeued instead of failed."""

    def decorate(func: Runner) -> Runner:
        _runners[kind] = RunnerSpec(func, retry_safe, max(1, max_attempts))
        return func

    return decorate


# --- submission ---------------------------------------------------------------------------------------------


def job_create(*, kind: str, title: str, user: Any, params: dict[str, Any], key: str = "") -> Job:
    if kind not in _runners:
        raise ValueError(f"no runner for job kind {kind!r}")
    return Job.objects.create(kind=kind, title=title, user=user, params=params, idempotency_key=key)


def job_existing(*, kind: str, user: Any, key: str, succeeded: bool = False) -> Job | None:
    """The job of this submission key that is queued or running (or, with ``succeeded``, done well)."""
    statuses = [Job.Status.QUEUED, Job.Status.RUNNING, *([Job.Status.SUCCEEDED] if succeeded else [])]
    jobs = Job.objects.filter(kind=kind, user=user, idempotency_key=key, status__in=statuses)
    return jobs.order_by("-pk").first()


def job_submit(
    *, kind: str, title: str, user: Any, params: dict[str, Any], key: str = "", once: bool = False
) -> Job:
    """Create the job and queue it. With a ``key``, submitting again while the first is queued or running (a
    double click, the back button) returns the first; with ``once`` also after it succeeded (an import preview
    is confirmed once). The key is unique among open jobs, so two requests at the same instant get one job."""
    if key and (existing := job_existing(kind=kind, user=user, key=key, succeeded=once)) is not None:
        return existing
    try:
        with transaction.atomic():
            job = job_create(kind=kind, title=title, user=user, params=params, key=key)
    except IntegrityError:
        existing = job_existing(kind=kind, user=user, key=key, succeeded=once) if key else None
        if existing is None:
            raise
        return existing
    run_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


# --- claim, heartbeat, progress -----------------------------------------------------------------------------


def worker_identity() -> str:
    """host:pid, as the job row and django-tasks' task result record it (at most 64 characters)."""
    return f"{socket.gethostname()[:50]}:{os.getpid()}"


def heartbeat_timeout() -> float:
    return float(settings.ZHAOSHANG_JOB_HEARTBEAT_TIMEOUT)


def heartbeat_interval() -> float:
    """Seconds between beats: a quarter of the timeout, at most 5 s."""
    return max(0.1, min(5.0, heartbeat_timeout() / 4))


PROGRESS_EVERY = 0.5  # seconds: a 100,000-row import is not 100,000 updates

_in_worker: ContextVar[bool] = ContextVar("zhaoshang_job_in_worker", default=False)


@contextmanager
def job_worker_context() -> Iterator[None]:
    """Jobs run inside beat from a timer thread (what the worker does around each task)."""
    token = _in_worker.set(True)
    try:
        yield
    finally:
        _in_worker.reset(token)


def _locked(error: Exception) -> bool:
    return "locked" in str(error).lower()  # SQLite: "database is locked", "database table is locked"


def _retrying(write: Callable[[], T], tries: int = 8) -> T:
    """A write of the job row, tried again while SQLite's single writer lock is held by someone else."""
    for attempt in range(tries):
        try:
            return write()
        except OperationalError as error:
            if not _locked(error) or attempt == tries - 1 or connection.in_atomic_block:
                raise
            time.sleep(0.1 * (attempt + 1))
    raise AssertionError("unreachable")


def job_claim(job_id: int, *, worker: str) -> bool:
    """Start the job if it is still queued; the row count of the conditional update decides, so of two workers
    claiming at once exactly one gets it (PostgreSQL re-checks the condition after the other's commit; SQLite
    has one writer at a time)."""
    now = timezone.now()
    claim = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED)
    rows = _retrying(
        lambda: claim.update(
            status=Job.Status.RUNNING,
            started=now,
            heartbeat_at=now,
            finished=None,
            worker=worker,
            attempts=F("attempts") + 1,
            progress=0,
            message="",
        )
    )
    return rows == 1


class _Beat:
    """The running job's pulse: the progress callback its runner gets, and the heartbeat.

    Inline (tests, a page computing a small job) progress is written on the caller's connection. In the worker
    a timer thread writes it on a connection of its own, every few seconds and soon after progress: the
    runner's own transaction (an import is one) would hide the writes until it ends. While the database is busy
    — SQLite has one writer, and a large import holds it for its whole transaction — the beat goes to a small
    file in the data folder that the job page and the reclaimer read (``job_live``)."""

    def __init__(self, job: Job, *, background: bool) -> None:
        self.pk, self.attempt, self.worker = job.pk, job.attempts, job.worker
        self.state: tuple[int, str] = (0, "")
        self.last_progress = 0.0
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.to_file = False
        self.thread = (
            threading.Thread(target=self._loop, name=f"job-{job.pk}-heartbeat", daemon=True)
            if background
            else None
        )

    def __call__(self, done: int, total: int, message: str = "") -> None:
        """progress(done, total, message): never raises, so it is safe inside an import's row loop."""
        try:
            percent = min(int(100 * done / total), 99) if total else 0
            now = time.monotonic()
            with self.lock:
                self.state = (max(percent, 0), str(message)[:300])
                if now - self.last_progress < PROGRESS_EVERY and done < total:
                    return
                self.last_progress = now
            if self.thread is not None:
                self.wake.set()
            else:
                self._write_inline()
        except Exception:  # progress is never worth failing the job for
            logger.exception("job %s: progress not recorded", self.pk)

    def start(self) -> None:
        if self.thread is not None:
            self.thread.start()

    def stop(self) -> None:
        if self.thread is not None:
            self.stopping.set()
            self.wake.set()
            self.thread.join(timeout=10)
        if self.to_file:
            _live_path(self.pk).unlink(missing_ok=True)

    def _fields(self) -> dict[str, Any]:
        with self.lock:
            percent, message = self.state
        return {"heartbeat_at": timezone.now(), "progress": percent, "message": message}

    def _row(self) -> Any:
        return Job.objects.filter(pk=self.pk, status=Job.Status.RUNNING, attempts=self.attempt)

    def _write_inline(self) -> None:
        # A savepoint: a failed write inside the runner's transaction must not break that transaction.
        try:
            with transaction.atomic():
                self._row().update(**self._fields())
        except DatabaseError:
            logger.warning("job %s: progress not recorded", self.pk, exc_info=True)

    def _loop(self) -> None:
        try:
            while not self.stopping.is_set():
                self.wake.wait(heartbeat_interval())
                self.wake.clear()
                if not self.stopping.is_set():
                    self._write_beat()
        finally:
            connection.close()  # this thread's own connection

    def _write_beat(self) -> None:
        fields = self._fields()
        try:
            _short_lock_wait()
            self._row().update(**fields)
        except Exception as error:  # never dies: a busy or lost database sends the beat to the file
            if not _locked(error):
                logger.warning("job %s: heartbeat not written to the database: %s", self.pk, error)
                connection.close()  # reconnect at the next beat
            self.to_file = True
            _live_write(self.pk, {**fields, "attempt": self.attempt, "worker": self.worker})
        else:
            if self.to_file:
                _live_path(self.pk).unlink(missing_ok=True)
                self.to_file = False


def _short_lock_wait() -> None:
    """The beat connection waits a moment, not 20 s, for a lock: a busy database sends the beat to the file."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA busy_timeout = 250")
        elif connection.vendor == "postgresql":
            cursor.execute("SET lock_timeout = '2s'")


def _live_path(pk: int) -> Path:
    return Path(settings.DATA_DIR) / "jobs" / f"{pk}.json"


def _live_write(pk: int, fields: dict[str, Any]) -> None:
    path = _live_path(pk)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        spare = path.with_suffix(".tmp")
        spare.write_text(json.dumps({**fields, "heartbeat_at": fields["heartbeat_at"].isoformat()}))
        os.replace(spare, path)
    except OSError:
        logger.warning("job %s: heartbeat file not written", pk, exc_info=True)


def _live_read(pk: int) -> dict[str, Any] | None:
    try:
        live = json.loads(_live_path(pk).read_text())
        live["heartbeat_at"] = datetime.fromisoformat(live["heartbeat_at"])
        return live
    except (OSError, ValueError, KeyError, TypeError):
        return None


def job_live(job: Job) -> Job:
    """The job as its worker last reported it: the row, or the newer beat its worker wrote to the file while
    the database was busy (progress of a large SQLite import)."""
    if job.status == Job.Status.RUNNING and (live := _live_read(job.pk)) is not None:
        newer = job.heartbeat_at is None or live["heartbeat_at"] > job.heartbeat_at
        if newer and live.get("attempt") == job.attempts:
            job.heartbeat_at = live["heartbeat_at"]
            job.progress = int(live.get("progress", job.progress))
            job.message = str(live.get("message", job.message))
    return job


# --- running ------------------------------------------------------------------------------------------------


def job_execute(job: Job) -> Job:
    """Run a job in this process (what the task does; pages and the CLI call it directly for small jobs).

    A job that is no longer queued — another worker claimed it, or it is done — is left alone."""
    spec = _runners.get(job.kind)
    if not job_claim(job.pk, worker=worker_identity()):
        job.refresh_from_db()
        return job
    job.refresh_from_db()
    beat = _Beat(job, background=_in_worker.get())
    beat.start()
    try:
        if spec is None:  # a kind this process does not know (its app is gone): a failure, not a lost job
            raise LookupError(f"no runner for job kind {job.kind!r} in this process")
        with acting_as(job.user, "job"):
            outcome: dict[str, Any] = {"status": Job.Status.SUCCEEDED, "result": spec.run(job, beat)}
        outcome.update(progress=100, message="")
    except Exception as error:  # a failed job reports why instead of vanishing
        outcome = _failure(job, error)
    finally:
        beat.stop()
    _finish(job, outcome)
    job.refresh_from_db()
    return job


def _finish(job: Job, outcome: dict[str, Any]) -> None:
    # Only the attempt that holds the job writes its outcome: after a reclaim the row belongs to the next one.
    row = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts)
    now = timezone.now()
    try:
        rows = _retrying(lambda: row.update(finished=now, heartbeat_at=now, **outcome))
    except (TypeError, ValueError) as error:  # a result that is not JSON
        failure = _failure(job, error)
        rows = _retrying(lambda: row.update(finished=now, heartbeat_at=now, **failure))
    if not rows:
        logger.warning("job %s was reclaimed while this process ran it; its outcome is discarded", job.pk)


# Bad input or no right: the message is for people. Anything else is a fault: people read that it failed.
PEOPLE_ERRORS = (ValueError, ValidationError, PermissionDenied)


def _failure(job: Job, error: BaseException) -> dict[str, Any]:
    detail = "".join(traceback.format_exception(error))[-20000:]
    if isinstance(error, ValidationError):
        message = ";".join(error.messages)
    elif isinstance(error, PEOPLE_ERRORS):
        message = str(error)
    elif isinstance(error, ObjectDoesNotExist):
        message = _("任务用到的数据不存在或已被删除。")
    else:
        message = ""
    if not message.strip():
        message = _("任务在后台出错,未能完成。技术细节已记录,请联系系统管理员(任务编号 %(id)s)。") % {
            "id": job.pk
        }
    return {
        "status": Job.Status.FAILED,
        "result": {"error": scrub_paths(message)[:2000]},
        "error_detail": detail,
        "message": _("失败"),
    }


# An absolute path (POSIX or Windows, not a URL) and its last part: "/srv/data/media/imports/x.xlsx" → "x.xlsx".
_PART = r"""[^\s'"<>|:*?\\/]"""
_ABSOLUTE = re.compile(rf"(?<![\w/.~-])(?:[A-Za-z]:[\\/]|/)(?={_PART})(?:{_PART}+[\\/])*({_PART}*)")


def scrub_paths(text: str) -> str:
    """A message without the server's folders (data folder, uploads, code): an absolute path becomes its last
    part, the file name people uploaded."""
    return _ABSOLUTE.sub(r"\1", text)


# --- reclaim ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reclaimed:
    job: Job  # as it was found: status running, its dead worker and attempt
    requeued: bool


def jobs_reclaim(*, now: datetime | None = None) -> list[Reclaimed]:
    """Requeue (retry-safe kinds, up to ``max_attempts``) or fail the running jobs whose heartbeat is older than
    the timeout. Each change is a conditional update on the state that was read, so two workers polling at once
    reclaim a job once."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=heartbeat_timeout())
    stale = Job.objects.filter(status=Job.Status.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff)
        | Q(heartbeat_at__isnull=True, started__lt=cutoff)
        | Q(heartbeat_at__isnull=True, started__isnull=True, updated__lt=cutoff)
    )
    reclaimed = []
    for job in stale.order_by("pk"):
        live = _live_read(job.pk)
        if live is not None and live.get("attempt") == job.attempts and live["heartbeat_at"] >= cutoff:
            continue  # its worker beats to the file while the database is busy: alive
        row = Job.objects.filter(
            pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts, heartbeat_at=job.heartbeat_at
        )
        spec = _runners.get(job.kind)
        requeue = spec is not None and spec.retry_safe and job.attempts < spec.max_attempts
        if requeue:
            changed = row.update(
                status=Job.Status.QUEUED,
                worker="",
                heartbeat_at=None,
                started=None,
                progress=0,
                message=_("后台进程中断,已重新排队,将自动重试"),
            )
            if changed:
                run_job.enqueue(job.pk)
        else:
            changed = row.update(status=Job.Status.FAILED, finished=now, **_interrupted(job, spec))
        if changed:
            _live_path(job.pk).unlink(missing_ok=True)
            action = "requeued" if requeue else "failed"
            logger.warning("job %s: worker %s stopped beating; %s", job.pk, job.worker or "?", action)
            reclaimed.append(Reclaimed(job, requeued=requeue))
    return reclaimed


def _interrupted(job: Job, spec: RunnerSpec | None) -> dict[str, Any]:
    seen = job.heartbeat_at or job.started or job.updated
    reason = _("后台进程中断,任务未完成;请重新提交。中断时间:%(time)s") % {
        "time": timezone.localtime(seen).strftime("%Y-%m-%d %H:%M:%S")
    }
    if spec is not None and spec.retry_safe:
        reason += _("(已自动重试 %(n)s 次)") % {"n": job.attempts - 1}
    detail = (
        f"worker {job.worker or '?'} stopped beating; last heartbeat {job.heartbeat_at}; "
        f"attempt {job.attempts}; kind {job.kind!r} "
        + ("is not registered in this worker" if spec is None else f"retry_safe={spec.retry_safe}")
    )
    return {"message": _("失败"), "result": {"error": reason}, "error_detail": detail}


@task()
def run_job(job_id: int) -> str:
    job = Job.objects.get(pk=job_id)
    return job_execute(job).status

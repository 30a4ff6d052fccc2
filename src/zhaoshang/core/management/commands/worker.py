import logging
import threading
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from zhaoshang.core.jobs import (
    Reclaimed,
    heartbeat_timeout,
    job_worker_context,
    jobs_reclaim,
    run_job,
    worker_identity,
)
from zhaoshang.core.models import Job
from zhaoshang.core.schedules import jobs_schedule_due

logger = logging.getLogger("zhaoshang.worker")


class JobWorker(Worker):
    """django-tasks' database worker, plus: each job beats from a timer thread while it runs, and the jobs of
    workers that died (running, no heartbeat for ``ZHAOSHANG_JOB_HEARTBEAT_TIMEOUT`` s) are requeued or failed —
    when the worker starts and on every poll."""

    def run(self) -> None:
        self.reclaim()
        stop = threading.Event()
        poller = threading.Thread(
            target=self._reclaim_every_poll, args=(stop,), name="job-reclaim", daemon=True
        )
        if not self.batch:
            poller.start()
        try:
            super().run()
        finally:
            stop.set()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        with job_worker_context():
            super().run_task(db_task_result)

    def _reclaim_every_poll(self, stop: threading.Event) -> None:
        # A thread of its own: the main loop may be busy with a long job while another worker's job goes stale.
        try:
            while not stop.wait(max(self.interval, 0.1)):
                self.reclaim()
                close_old_connections()
        finally:
            connection.close()

    def reclaim(self) -> list[Reclaimed]:
        try:
            reclaimed = jobs_reclaim()
            for item in reclaimed:
                _forget_task(item)
            _requeue_orphans()
            # Scheduled kinds (e.g. notifications), once per period; `--batch` only runs what is queued.
            if not self.batch:
                jobs_schedule_due()
            return reclaimed
        except Exception as error:  # a busy or unreachable database: the next poll tries again
            logger.warning("reclaiming stale jobs failed: %s", error)
            if not isinstance(error, DatabaseError) or "locked" not in str(error):
                connection.close()  # this thread reconnects at the next poll
            return []


def _forget_task(item: Reclaimed) -> None:
    """Mark the dead worker's task result failed, so that django-tasks does not show it running for ever."""
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, task_path=run_job.module_path)
    for result in running:
        if item.job.worker in (result.worker_ids or []) and result.args_kwargs.get("args") == [item.job.pk]:
            DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED, finished_at=timezone.now()
            )


def _requeue_orphans() -> None:
    """A job queued for longer than the heartbeat timeout without a task waiting for it (its worker died between
    taking the task and starting the job) gets a task again. Extra tasks are harmless: only the one whose claim
    turns the job from queued to running runs it."""
    cutoff = timezone.now() - timedelta(seconds=heartbeat_timeout())
    waiting = set(
        Job.objects.filter(status=Job.Status.QUEUED, created__lt=cutoff).values_list("pk", flat=True)
    )
    if not waiting:
        return
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=run_job.module_path)
    tasked = {
        (arguments.get("args") or [None])[0] for arguments in ready.values_list("args_kwargs", flat=True)
    }
    for pk in sorted(waiting - tasked):
        logger.warning("job %s: queued without a task; queued again", pk)
        run_job.enqueue(pk)


class Command(BaseCommand):
    help = (
        "Run the background worker: picks up jobs (imports, recomputations, reports) from the database queue, "
        "and requeues or fails the jobs of workers that died. Run one or more (docs/deployment.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between polls of an empty queue"
        )

    def handle(self, *args, **options):
        DatabaseWorkerCommand(stdout=self.stdout, stderr=self.stderr).configure_logging(options["verbosity"])
        worker = JobWorker(
            queue_names=["*"],
            interval=max(options["interval"], 0.0),
            batch=options["batch"],
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=not options["batch"],
            max_tasks=None,
            worker_id=worker_identity(),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()

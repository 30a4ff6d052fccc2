"""Jobs outlive their worker: heartbeats, the reclaim of a dead worker's jobs, claims that never run a job twice,
one job per submission, failures people can read without server paths, and progress of a large preview."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from zhaoshang.core import jobs
from zhaoshang.core.audit import acting_as, system_actor
from zhaoshang.core.import_jobs import upload_store
from zhaoshang.core.jobs import (
    job_claim,
    job_create,
    job_execute,
    job_live,
    job_runner,
    job_submit,
    job_worker_context,
    jobs_reclaim,
    scrub_paths,
)
from zhaoshang.core.models import Job, Town

KINDS = Path(__file__).with_name("job_kinds.py")
_spec = importlib.util.spec_from_file_location("zhaoshang_test_job_kinds", KINDS)
assert _spec is not None and _spec.loader is not None
_spec.loader.exec_module(importlib.util.module_from_spec(_spec))  # registers test-steady and test-quiet

REASON = "后台进程中断,任务未完成;请重新提交"


@job_runner("test-fault")
def _fault(job: Job, progress: Any) -> dict[str, Any]:
    raise OSError(f"[Errno 2] No such file or directory: '{django_settings.MEDIA_ROOT}/imports/abc123.xlsx'")


@job_runner("test-bad-input")
def _bad_input(job: Job, progress: Any) -> dict[str, Any]:
    raise ValueError(f"无法读取 {django_settings.MEDIA_ROOT}/imports/名单.xlsx:第 3 行缺少名称")


def _running(
    user: Any, kind: str, *, silent_for: float, attempts: int = 1, worker: str = "dead-host:4242"
) -> Job:
    """A job that a worker started and then stopped beating for (as after `kill -9`)."""
    beat = timezone.now() - timedelta(seconds=silent_for)
    return Job.objects.create(
        kind=kind,
        title="中断的任务",
        user=user,
        params={"steps": 2},
        status=Job.Status.RUNNING,
        started=beat - timedelta(seconds=5),
        heartbeat_at=beat,
        worker=worker,
        attempts=attempts,
    )


# --- reclaim ------------------------------------------------------------------------------------------------


def test_a_stale_retry_safe_job_is_requeued_and_runs_again(org: Any, users: Any, settings: Any) -> None:
    settings.ZHAOSHANG_JOB_HEARTBEAT_TIMEOUT = 60
    job = _running(users["linzi_admin"], "test-steady", silent_for=61)
    reclaimed = jobs_reclaim()
    assert [(r.job.pk, r.requeued) for r in reclaimed] == [(job.pk, True)]
    job.refresh_from_db()  # the immediate backend ran the requeued job at once
    assert (
        job.status == Job.Status.SUCCEEDED and job.attempts == 2 and job.result == {"steps": 2, "attempt": 2}
    )
    assert job.retried


def test_a_stale_job_not_safe_to_retry_fails_with_the_reason(org: Any, users: Any, settings: Any) -> None:
    settings.ZHAOSHANG_JOB_HEARTBEAT_TIMEOUT = 60
    job = _running(users["linzi_admin"], "test-quiet", silent_for=300)
    seen = timezone.localtime(job.heartbeat_at).strftime("%Y-%m-%d %H:%M:%S")
    assert [r.requeued for r in jobs_reclaim()] == [False]
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished is not None
    assert REASON in job.result["error"] and seen in job.result["error"]
    assert "dead-host:4242" in job.error_detail and "dead-host" not in job.result["error"]


def test_retries_stop_at_max_attempts(org: Any, users: Any, settings: Any) -> None:
    settings.ZHAOSHANG_JOB_HEARTBEAT_TIMEOUT = 60
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": []}}
    job = _running(users["linzi_admin"], "test-steady", silent_for=90, attempts=2)
    jobs_reclaim()
    job.refresh_from_db()  # queued for a third attempt, nothing ran it (dummy backend)
    assert job.status == Job.Status.QUEUED and job.worker == "" and job.heartbeat_at is None
    assert "已重新排队" in job.message

    assert job_claim(job.pk, worker="host:1") and not job_claim(job.pk, worker="host:2")
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=90))
    jobs_reclaim()
    job.refresh_from_db()
    assert job.attempts == 3 and job.status == Job.Status.FAILED
    assert REASON in job.result["error"] and "已自动重试 2 次" in job.result["error"]


def test_a_beating_job_is_left_alone(org: Any, users: Any, settings: Any, tmp_path: Path) -> None:
    settings.ZHAOSHANG_JOB_HEARTBEAT_TIMEOUT = 60
    settings.DATA_DIR = tmp_path
    fresh = _running(users["linzi_admin"], "test-quiet", silent_for=5)
    # Stale in the database but beating to the file (SQLite busy with the job's own import transaction).
    busy = _running(users["linzi_admin"], "test-quiet", silent_for=600)
    jobs._live_write(
        busy.pk, {"heartbeat_at": timezone.now(), "progress": 42, "message": "第 4200 行", "attempt": 1}
    )
    assert jobs_reclaim() == []
    assert set(Job.objects.filter(pk__in=[fresh.pk, busy.pk]).values_list("status", flat=True)) == {"running"}
    live = job_live(Job.objects.get(pk=busy.pk))
    assert (live.progress, live.message) == (42, "第 4200 行")
    # A finished job that was never marked (jobs from before the heartbeat) is reclaimed by its start time.
    old = Job.objects.create(kind="test-quiet", title="旧任务", user=users["linzi_admin"], status="running")
    Job.objects.filter(pk=old.pk).update(started=timezone.now() - timedelta(hours=2))
    assert [r.job.pk for r in jobs_reclaim()] == [old.pk]


# --- submission ---------------------------------------------------------------------------------------------


def _towns_csv(rows: list[list[str]]) -> io.BytesIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["区县代码", "名称", "类型", "乡镇代码"])
    writer.writerows(rows)
    upload = io.BytesIO(buffer.getvalue().encode("utf-8"))
    upload.name = "towns.csv"
    return upload


def test_confirming_a_preview_twice_is_one_import(org: Any, client_for: Any) -> None:
    client = client_for("linzi_admin")
    preview_url = client.post(
        reverse("town_import"), {"file": _towns_csv([["370305", "双击镇", "镇", ""]])}
    ).url
    preview = Job.objects.get(pk=int(preview_url.rstrip("/").split("/")[-1]))
    first = client.post(reverse("import_confirm", args=[preview.pk]))
    again = client.post(reverse("import_confirm", args=[preview.pk]))  # double click, or back and again
    assert first.url == again.url
    imports = Job.objects.filter(kind="import", params__dry_run=False, user__username="linzi_admin")
    assert imports.count() == 1 and imports.get().status == Job.Status.SUCCEEDED
    assert Town.objects.filter(name="双击镇").count() == 1
    assert not Job.objects.filter(status=Job.Status.FAILED).exists()


def test_a_second_submission_while_the_first_is_queued_returns_it(
    org: Any, users: Any, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": []}}
    user = users["linzi_admin"]
    first = job_submit(kind="test-steady", title="一次", user=user, params={}, key="chain:1")
    assert first.status == Job.Status.QUEUED
    assert job_submit(kind="test-steady", title="两次", user=user, params={}, key="chain:1").pk == first.pk
    # Two requests at the same instant: both miss the lookup, the unique key turns the second into the first.
    with mock.patch.object(jobs, "job_existing", side_effect=[None, first]):
        assert (
            job_submit(kind="test-steady", title="同时", user=user, params={}, key="chain:1").pk == first.pk
        )
    # Another key, or the same key once the first is done, is a new job.
    assert job_submit(kind="test-steady", title="另一条", user=user, params={}, key="chain:2").pk != first.pk
    Job.objects.filter(pk=first.pk).update(status=Job.Status.SUCCEEDED)
    assert job_submit(kind="test-steady", title="再算", user=user, params={}, key="chain:1").pk != first.pk


def test_an_upload_sent_twice_while_its_preview_waits_is_one_preview(
    org: Any, client_for: Any, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": []}}
    client = client_for("linzi_admin")
    rows = [["370305", "上传两次镇", "镇", ""]]
    first = client.post(reverse("town_import"), {"file": _towns_csv(rows)})
    second = client.post(reverse("town_import"), {"file": _towns_csv(rows)})
    assert first.url == second.url and Job.objects.filter(kind="import").count() == 1


# --- what people see ----------------------------------------------------------------------------------------


def test_scrub_paths_keeps_file_names_and_urls() -> None:
    assert scrub_paths("No such file: '/srv/zhaoshang/media/imports/ab.xlsx'") == "No such file: 'ab.xlsx'"
    assert scrub_paths(r"无法读取 C:\Users\me\名单.xlsx") == "无法读取 名单.xlsx"
    assert (
        scrub_paths("见 https://example.org/a/b 与 元/亩、3/4") == "见 https://example.org/a/b 与 元/亩、3/4"
    )


def test_a_failed_job_page_hides_paths_and_traceback_from_people(
    org: Any, users: Any, client_for: Any, django_user_model: Any
) -> None:
    media = str(django_settings.MEDIA_ROOT)
    fault = job_submit(kind="test-fault", title="坏任务", user=users["linzi_admin"], params={})
    bad = job_submit(kind="test-bad-input", title="坏文件", user=users["linzi_admin"], params={})
    assert fault.status == bad.status == Job.Status.FAILED
    assert "Traceback" in fault.error_detail and media in fault.error_detail
    assert "联系系统管理员" in fault.result["error"] and media not in fault.result["error"]
    assert bad.result["error"] == "无法读取 名单.xlsx:第 3 行缺少名称"
    client = client_for("linzi_admin")
    for job in (fault, bad):
        for page in (
            client.get(reverse("job_detail", args=[job.pk])),
            client.get(reverse("job_detail", args=[job.pk]), HTTP_HX_REQUEST="true"),
        ):
            text = page.content.decode()
            assert 'id="job-error"' in text and "Traceback" not in text and media not in text
            assert "/imports/" not in text and 'id="job-error-detail"' not in text

    with acting_as(system_actor("job-tests"), "system"):
        root = django_user_model.objects.create_superuser("job-root", password="not-used-here")
    Job.objects.filter(pk=fault.pk).update(user=root)
    admin = Client()
    admin.force_login(root)
    text = admin.get(reverse("job_detail", args=[fault.pk])).content.decode()
    assert 'id="job-error-detail"' in text and "Traceback" in text and "联系系统管理员" in text


def test_a_job_of_a_kind_no_longer_known_fails_instead_of_waiting(org: Any, users: Any) -> None:
    job = job_execute(Job.objects.create(kind="gone-kind", title="旧版本的任务", user=users["linzi_admin"]))
    assert job.status == Job.Status.FAILED and "联系系统管理员" in job.result["error"]
    assert "no runner for job kind 'gone-kind'" in job.error_detail


def test_a_retried_job_says_so(org: Any, users: Any, client_for: Any, settings: Any) -> None:
    settings.ZHAOSHANG_JOB_HEARTBEAT_TIMEOUT = 60
    job = _running(users["linzi_admin"], "test-steady", silent_for=61)
    jobs_reclaim()
    text = client_for("linzi_admin").get(reverse("job_detail", args=[job.pk])).content.decode()
    assert 'id="job-retried"' in text and "第 2 次尝试" in text


# --- with other connections: the worker, concurrent claims, live progress --------------------------------------


def _committed_user() -> Any:
    return system_actor("job-tests")


@pytest.mark.django_db(transaction=True)
def test_a_worker_polling_reclaims_a_dead_workers_jobs(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    settings.ZHAOSHANG_JOB_HEARTBEAT_TIMEOUT = 60
    user = _committed_user()
    safe = _running(user, "test-steady", silent_for=120)
    unsafe = _running(user, "test-quiet", silent_for=120)
    # Queued long ago, but its task is gone (its worker died between taking the task and starting the job).
    orphan = Job.objects.create(kind="test-steady", title="没有任务的排队", user=user)
    Job.objects.filter(pk=orphan.pk).update(created=timezone.now() - timedelta(minutes=5))
    call_command("worker", "--batch")  # reclaims at start, then runs what it requeued
    safe.refresh_from_db()
    unsafe.refresh_from_db()
    orphan.refresh_from_db()
    assert safe.status == Job.Status.SUCCEEDED and safe.attempts == 2
    assert unsafe.status == Job.Status.FAILED and REASON in unsafe.result["error"]
    assert orphan.status == Job.Status.SUCCEEDED and orphan.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_claimers_never_get_the_same_job() -> None:
    user = _committed_user()
    queued = [Job.objects.create(kind="test-steady", title=f"争抢 {i}", user=user) for i in range(12)]
    claimers = 4
    won: list[tuple[int, int]] = []
    barrier = threading.Barrier(claimers)

    def claim(me: int) -> None:
        try:
            for job in queued:
                barrier.wait(timeout=30)
                if job_claim(job.pk, worker=f"test:{me}"):
                    won.append((job.pk, me))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(me,)) for me in range(claimers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(pk for pk, _ in won) == [job.pk for job in queued]  # each job exactly once
    for pk, me in won:
        job = Job.objects.get(pk=pk)
        assert (job.status, job.worker, job.attempts) == (Job.Status.RUNNING, f"test:{me}", 1)


@pytest.mark.django_db(transaction=True)
def test_progress_of_a_large_preview_is_seen_while_it_runs(
    org_committed: Any, settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path  # where a beat goes while SQLite is busy with the import
    settings.ZHAOSHANG_JOB_HEARTBEAT_TIMEOUT = 0.4  # beats every 0.1 s
    rows = [["370305", f"进度镇{i:05d}", "镇", ""] for i in range(3000)]
    upload = _towns_csv(rows)
    job = job_create(
        kind="import",
        title="大文件预检",
        user=org_committed["users"]["linzi_admin"],
        params={
            "key": "town",
            "path": upload_store("towns.csv", upload.getvalue()),
            "filename": "towns.csv",
            "dry_run": True,
        },
    )

    def work() -> None:
        try:
            with job_worker_context():
                job_execute(Job.objects.get(pk=job.pk))
        finally:
            connection.close()

    seen: list[int] = []
    worker = threading.Thread(target=work)
    with mock.patch.object(jobs, "PROGRESS_EVERY", 0.05):
        worker.start()
        deadline = time.monotonic() + 300
        while worker.is_alive() and time.monotonic() < deadline:
            now = job_live(Job.objects.get(pk=job.pk))
            if now.status == Job.Status.RUNNING:
                seen.append(now.progress)
            time.sleep(0.05)
        worker.join(timeout=10)
    done = Job.objects.get(pk=job.pk)
    assert done.status == Job.Status.SUCCEEDED and done.result["total"] == 3000 and done.progress == 100
    midway = sorted({p for p in seen if 0 < p < 100})
    assert len(midway) >= 3, seen  # rows done / total, advancing while the preview runs
    assert seen == sorted(seen)
    assert not (tmp_path / "jobs" / f"{job.pk}.json").exists()


# --- a real worker killed mid-run ---------------------------------------------------------------------------

SETUP = """
import os, sys, django
sys.path.insert(0, {kinds!r})
django.setup()
import job_kinds
from django.core.management import call_command
from zhaoshang.core.audit import system_actor
from zhaoshang.core.jobs import job_submit
call_command("migrate", verbosity=0)
user = system_actor("recovery-test")
steady = job_submit(kind="test-steady", title="可重试", user=user, params={{"steps": 300, "pause": 0.2}})
quiet = job_submit(kind="test-quiet", title="不可重试", user=user, params={{"steps": 300, "pause": 0.2}})
print(steady.pk, quiet.pk)
"""

WORKER = """
import sys, django
sys.path.insert(0, {kinds!r})
django.setup()
import job_kinds
from zhaoshang.cli import main
sys.argv = ["zhaoshang", "worker", "--interval", "0.1"]
main()
"""


def _python(code: str, env: dict[str, str], **kwargs: Any) -> Any:
    return subprocess.Popen([sys.executable, "-c", code.format(kinds=str(KINDS.parent))], env=env, **kwargs)


def _rows(database: Path) -> dict[int, dict[str, Any]]:
    with sqlite3.connect(database, timeout=20) as db:
        db.row_factory = sqlite3.Row
        return {row["id"]: dict(row) for row in db.execute("SELECT * FROM core_job")}


def _wait_for(check: Any, database: Path, seconds: float) -> dict[int, dict[str, Any]]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        rows = _rows(database)
        if check(rows):
            return rows
        time.sleep(0.1)
    raise AssertionError(f"not reached in {seconds} s: {_rows(database)}")


def test_a_killed_worker_s_jobs_are_finished_by_the_next_worker(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TASKS_BACKEND")}
    env.update(
        ZHAOSHANG_DATA_DIR=str(tmp_path),
        ZHAOSHANG_JOB_HEARTBEAT_TIMEOUT="1.2",
        DJANGO_SETTINGS_MODULE="zhaoshang.settings",
        # Only the two jobs under test: no scheduled runs (notifications, escalation) submitted by these workers.
        ZHAOSHANG_NOTIFY_EVERY="0",
        ZHAOSHANG_ESCALATE_EVERY="0",
    )
    database = tmp_path / "zhaoshang.sqlite3"
    setup = _python(SETUP, env, stdout=subprocess.PIPE, text=True)
    out, _ = setup.communicate(timeout=300)
    assert setup.returncode == 0
    steady, quiet = map(int, out.split())

    workers = [_python(WORKER, env, stdout=subprocess.DEVNULL) for _ in range(2)]
    try:
        # Both run; the quiet one reports no progress, yet its heartbeat moves (the worker's timer thread).
        running = _wait_for(lambda r: r[steady]["status"] == r[quiet]["status"] == "running", database, 120)
        first_beat = running[quiet]["heartbeat_at"]
        rows = _wait_for(
            lambda r: r[quiet]["heartbeat_at"] != first_beat and r[steady]["progress"] > 0, database, 30
        )
        assert rows[quiet]["progress"] == 0 and rows[steady]["worker"] != rows[quiet]["worker"]
        for worker in workers:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        assert {r["status"] for r in _rows(database).values()} == {"running"}  # stuck, as after the crash

        workers.append(_python(WORKER, env, stdout=subprocess.DEVNULL))
        rows = _wait_for(
            lambda r: r[steady]["status"] == "succeeded" and r[quiet]["status"] == "failed", database, 120
        )
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=30)
    assert rows[steady]["attempts"] == 2 and rows[steady]["progress"] == 100
    assert REASON in json.loads(rows[quiet]["result"])["error"] and rows[quiet]["attempts"] == 1
    with sqlite3.connect(database) as db:  # the dead workers' task results do not stay "running" either
        table = DBTaskResult._meta.db_table
        assert db.execute(f"SELECT count(*) FROM {table} WHERE status = 'RUNNING'").fetchone() == (0,)

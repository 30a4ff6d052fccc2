from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from zhaoshang.core.jobs import job_execute, job_runner, job_submit
from zhaoshang.core.models import Job, Town


@job_runner("test-rename")
def _rename(job: Job, progress: Any) -> dict[str, Any]:
    towns = list(Town.objects.filter(district__adcode="370305").order_by("pk")[:3])
    for index, town in enumerate(towns, 1):
        town.code = f"T{index}"
        town.save()
        progress(index, len(towns), f"{index}")
    return {"renamed": len(towns)}


@job_runner("test-fail")
def _fail(job: Job, progress: Any) -> dict[str, Any]:
    raise ValueError("数据源不可用")  # bad input: its message is for people


def test_job_runs_with_progress_result_and_attribution(org: Any, users: Any) -> None:
    job = job_submit(kind="test-rename", title="改码", user=users["linzi_admin"], params={})
    assert job.status == Job.Status.SUCCEEDED and job.progress == 100 and job.result == {"renamed": 3}
    record = Town.objects.get(code="T1").history.first()
    assert (record.history_user, record.history_change_reason) == (users["linzi_admin"], "job")


def test_failed_job_keeps_the_reason(org: Any, users: Any) -> None:
    job = job_submit(kind="test-fail", title="坏任务", user=users["linzi_admin"], params={})
    assert job.status == Job.Status.FAILED and job.result["error"] == "数据源不可用"


def test_job_page_polls_until_done_and_is_private(org: Any, users: Any, client_for: Any) -> None:
    job = Job.objects.create(kind="test-rename", title="等待中的任务", user=users["linzi_admin"])
    page = client_for("linzi_admin").get(reverse("job_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in page.content.decode()
    assert client_for("huantai_admin").get(reverse("job_detail", args=[job.pk])).status_code == 404
    job_execute(job)
    page = client_for("linzi_admin").get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "every 1s" not in page and "已完成" in page


# The worker closes connections between tasks, as a real worker process does: no wrapping test transaction.
@pytest.mark.django_db(transaction=True)
def test_database_backend_queues_for_the_worker(org: Any, users: Any, settings: Any) -> None:
    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    job = job_submit(kind="test-rename", title="排队", user=users["linzi_admin"], params={})
    assert job.status == Job.Status.QUEUED
    call_command("worker", "--batch")
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.result == {"renamed": 3}


def test_jobs_command_lists_and_watches(org: Any, users: Any, capsys: Any) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    done = job_submit(kind="test-rename", title="命令行可见的任务", user=users["linzi_admin"], params={})
    failed = job_submit(kind="test-fail", title="会失败的任务", user=users["linzi_admin"], params={})
    call_command("jobs")
    out = capsys.readouterr().out
    assert "命令行可见的任务" in out and "会失败的任务" in out
    call_command("jobs", "--watch", str(done.pk))
    assert '"renamed": 3' in capsys.readouterr().out
    with pytest.raises(CommandError, match="数据源不可用"):
        call_command("jobs", "--watch", str(failed.pk))
    with pytest.raises(CommandError, match="没有编号"):
        call_command("jobs", "--watch", "999999")

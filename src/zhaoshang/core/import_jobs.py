"""Imports as jobs: upload → dry run (preview) → confirm → commit, each step a job with progress."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from zhaoshang.core.declarations import config_for_key
from zhaoshang.core.importing import ImportFileError, ImportReport, import_run, read_table
from zhaoshang.core.jobs import job_runner
from zhaoshang.core.models import Job
from zhaoshang.core.uploads import stored_delete, stored_read, upload_keep


def upload_key(key: str, content: bytes) -> str:
    """The submission key of an upload: the model and the file's content."""
    return f"upload:{key}:{hashlib.sha256(content).hexdigest()[:40]}"


def upload_store(filename: str, content: Any) -> str:
    """Keep the uploaded file between preview and confirmation (storage API); returns its storage name."""
    return upload_keep("imports", filename, content)


# Safe to retry when its worker died: a file is imported all or nothing, and a committed import marks its job in
# the same transaction, so a retry after the commit returns the report instead of importing again.
@job_runner("import", retry_safe=True)
def run_import(job: Job, progress: Any) -> dict[str, Any]:
    params = job.params
    if job.result.get("committed"):
        return job.result
    config = config_for_key(params["key"])
    if config is None or config.resource is None:
        raise ValueError(_("不支持导入:%(key)s") % {"key": params["key"]})
    content = stored_read(params["path"])
    if content is None:
        raise ImportFileError(_("上传的文件已不在服务器上(已经导入或已被清理),请重新上传。"))
    progress(0, 1, _("正在读取文件……"))
    if Path(params["filename"]).suffix.lower() in config.json_suffixes and config.json_import is not None:
        report = config.json_import(
            content=content,
            user=job.user,
            dry_run=params["dry_run"],
            district=params.get("district"),
        )
        if report.committed:
            stored_delete(params["path"])
        return report.as_dict()
    resource = config.resource(
        user=job.user,
        clear_empty=bool(params.get("clear_empty")),
        duplicates=params.get("duplicates") or "stop",
    )
    dataset = read_table(params["filename"], content, key=resource.header_key())
    progress(0, len(dataset), _("已处理 %(done)s / %(total)s 行") % {"done": 0, "total": len(dataset)})
    report = import_run(
        resource=resource,
        dataset=dataset,
        user=job.user,
        dry_run=params["dry_run"],
        progress=lambda done, total: progress(
            done, total, _("已处理 %(done)s / %(total)s 行") % {"done": done, "total": total}
        ),
        before_commit=lambda report: _mark_committed(job, report),
    )
    if report.committed:
        stored_delete(params["path"])
    return report.as_dict()


def _mark_committed(job: Job, report: ImportReport) -> None:
    Job.objects.filter(pk=job.pk).update(result=report.as_dict())

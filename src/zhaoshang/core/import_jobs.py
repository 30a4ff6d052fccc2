"""Imports as jobs: upload → dry run (preview) → confirm → commit, each step a job with progress."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from zhaoshang.core.importing import import_run, read_table
from zhaoshang.core.jobs import job_runner
from zhaoshang.core.models import Job
from zhaoshang.core.registry import config_for_key


def upload_store(filename: str, content: bytes) -> str:
    """Keep the uploaded file between preview and confirmation; returns its stored path."""
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{Path(filename).suffix.lower()}"
    path.write_bytes(content)
    return str(path)


@job_runner("import")
def run_import(job: Job, progress: Any) -> dict[str, Any]:
    params = job.params
    config = config_for_key(params["key"])
    if config is None or config.resource is None:
        raise ValueError(_("不支持导入:%(key)s") % {"key": params["key"]})
    path = Path(params["path"])
    if Path(params["filename"]).suffix.lower() in config.json_suffixes and config.json_import is not None:
        report = config.json_import(
            content=path.read_bytes(),
            user=job.user,
            dry_run=params["dry_run"],
            district=params.get("district"),
        )
        if report.committed:
            path.unlink(missing_ok=True)
        return report.as_dict()
    dataset = read_table(params["filename"], path.read_bytes())
    report = import_run(
        resource=config.resource(user=job.user),
        dataset=dataset,
        user=job.user,
        dry_run=params["dry_run"],
        progress=lambda done, total: progress(
            done, total, _("已处理 %(done)s / %(total)s 行") % {"done": done, "total": total}
        ),
    )
    if report.committed:
        path.unlink(missing_ok=True)
    return report.as_dict()

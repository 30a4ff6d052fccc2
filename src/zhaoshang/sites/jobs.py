"""GeoJSON and Shapefile imports as jobs: upload → preview (dry run) → confirm → commit."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from zhaoshang.core.importing import ImportFileError
from zhaoshang.core.jobs import job_runner
from zhaoshang.core.models import Job
from zhaoshang.core.uploads import stored_delete, stored_read
from zhaoshang.sites.transfer import sites_geo_import

GEO_IMPORT = "site_geo_import"


@job_runner(GEO_IMPORT, retry_safe=True)  # all features or none: a worker that died committed nothing
def run_geo_import(job: Job, progress: Any) -> dict[str, Any]:
    params = job.params
    content = stored_read(params["path"])
    if content is None:
        raise ImportFileError(_("上传的文件已不在服务器上(已经导入或已被清理),请重新上传。"))
    report = sites_geo_import(
        content=content,
        user=job.user,
        dry_run=params["dry_run"],
        district=params.get("district") or None,
        crs=params.get("crs") or None,
    )
    if report.committed:
        stored_delete(params["path"])
    return report.as_dict()

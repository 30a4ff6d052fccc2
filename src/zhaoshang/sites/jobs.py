"""GeoJSON and Shapefile imports as jobs: upload → preview (dry run) → confirm → commit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zhaoshang.core.jobs import job_runner
from zhaoshang.core.models import Job
from zhaoshang.sites.transfer import sites_geo_import

GEO_IMPORT = "site_geo_import"


@job_runner(GEO_IMPORT)
def run_geo_import(job: Job, progress: Any) -> dict[str, Any]:
    params = job.params
    path = Path(params["path"])
    report = sites_geo_import(
        content=path.read_bytes(),
        user=job.user,
        dry_run=params["dry_run"],
        district=params.get("district") or None,
        crs=params.get("crs") or None,
    )
    if report.committed:
        path.unlink(missing_ok=True)
    return report.as_dict()

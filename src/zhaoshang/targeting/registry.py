"""What the targeting app adds to lower ones: its downloads (``core.downloads``), and the chain pages' refresh of
a gap analysis whose projects changed (``chains.selectors.register_snapshot_follower``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhaoshang.chains.selectors import register_snapshot_follower
from zhaoshang.core.downloads import OBJECT, Download, register_download
from zhaoshang.targeting.follow import chain_snapshot_follow

# The chain map follows the projects on its nodes: a stale analysis is computed again as a job.
register_snapshot_follower(chain_snapshot_follow)

# 招商目标图 as a workbook (industries, cities, firms), judged in the node's district.
register_download(
    Download(
        key="node_targets",
        label=_("招商目标图 Excel"),
        url_name="node_targets",
        scope=OBJECT,
        trigger={"format": "xlsx"},
    )
)

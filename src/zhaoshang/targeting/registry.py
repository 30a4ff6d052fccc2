"""What the targeting app adds to lower ones: its downloads (``core.downloads``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhaoshang.core.downloads import OBJECT, Download, register_download

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

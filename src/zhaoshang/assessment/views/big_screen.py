"""大屏模式: the leader dashboard's figures laid out for a 1920×1080 meeting-room display (dark, no navigation,
no scroll, refreshing itself). The figures are the dashboard's own; this adds the headline totals and the chart
data, a few aggregate queries over the same scoped projects."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from zhaoshang.standards.money import wan_to_yi

REFRESH_SECONDS = 300  # how often the screen fetches fresh figures
SHOWN_ROWS = 8  # rows per list on the screen (it never scrolls)


def refresh_seconds(asked: str | None) -> int:
    """The refresh period: `?refresh=` seconds (5 to 3600) when given, else REFRESH_SECONDS."""
    try:
        return min(3600, max(5, int(asked))) if asked else REFRESH_SECONDS
    except ValueError:
        return REFRESH_SECONDS


def screen_figures(
    projects: Any, year: int, targets: list[dict[str, Any]], refresh: str | None = None
) -> dict[str, Any]:
    """Headline totals of the district's projects for `year`, and the targets' completion as chart data."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    totals = projects.aggregate(
        count=Count("pk"),
        investment=Sum("total_investment"),
        signed=Count("pk", filter=Q(signed_date__range=(start, end))),
        started=Count("pk", filter=Q(started_date__range=(start, end))),
    )
    chart = [
        {"name": str(row["target"]), "value": round(float(row["completion"]) * 100, 1)}
        for row in targets
        if row.get("completion") is not None
    ][:SHOWN_ROWS]
    return {
        "totals": {**totals, "investment_yi": wan_to_yi(totals["investment"] or 0, places=1)},
        "target_chart": chart,
        "refresh_seconds": refresh_seconds(refresh),
        "data_time": timezone.localtime(),
        "shown_rows": SHOWN_ROWS,
    }

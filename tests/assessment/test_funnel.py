"""The dashboard's funnel counts what counts (issue 16): terminated projects are no stage's bar but their own
figure (终止 N), and every bar and that figure open a list holding exactly their number."""

from __future__ import annotations

from typing import Any

from zhaoshang.projects.models import Project
from zhaoshang.projects.services import project_status_set


def _rows(client: Any, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


def test_terminated_projects_leave_the_bars_for_their_own_count(
    org: Any, users: Any, client_for: Any
) -> None:
    linzi, admin = org["linzi_district"], users["linzi_admin"]
    client = client_for("linzi_admin")
    url = f"/assessment/?district={linzi.pk}"

    before = client.get(url).context
    started = before["funnel"]
    dropped = (
        Project.objects.filter(district=linzi, stage="started", moves__verified_at__isnull=False)
        .exclude(status="terminated")
        .first()
    )
    project_status_set(project=dropped, status="terminated", reason="测试终止", user=admin)

    after = client.get(url).context
    bars = {bar["code"]: bar["value"] for bar in after["funnel"]}
    was = {bar["code"]: bar["value"] for bar in started}
    assert bars["started"] == was["started"] - 1
    assert {k: v for k, v in bars.items() if k != "started"} == {
        k: v for k, v in was.items() if k != "started"
    }
    terminated = after["funnel_terminated"]
    assert terminated["count"] == before["funnel_terminated"]["count"] + 1
    assert terminated["count"] == Project.objects.filter(district=linzi, status="terminated").count()

    # Count = list, for the terminated figure and for every bar.
    assert _rows(client, terminated["url"]) == terminated["count"]
    for bar in after["funnel"]:
        assert _rows(client, bar["url"]) == bar["value"], bar["name"]
    page = client.get(url).content.decode()
    assert 'id="dashboard-terminated"' in page and terminated["url"].replace("&", "&amp;") in page

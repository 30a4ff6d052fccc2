"""The leaders' view and the city's comparison: same definitions, every figure drills down to its projects."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.assessment.facts import forget
from zhaoshang.assessment.models import Target
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import FundsEntry, Project
from zhaoshang.projects.services import funds_add


@pytest.mark.usefixtures("as_test_actor")
def test_dashboard_shows_targets_funnel_and_rates(org: Any, client_for: Any) -> None:
    district = org["linzi_district"]
    Target.objects.create(
        district=district, year=2026, metric="funds_outside_province", value=Decimal(1_050_000)
    )
    Target.objects.create(district=district, year=2026, metric="top500_landed", value=Decimal(10))
    response = client_for("linzi_admin").get(reverse("assessment_dashboard") + "?year=2026")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="targets"' in html and 'id="funnel"' in html and "签约率" in html and "落地率" in html
    targets = response.context["targets"]
    funds = next(t for t in targets if t["target"].metric == "funds_outside_province")
    assert funds["actual"] > 0 and 0 < funds["completion"]
    assert sum(d["value"] for d in response.context["funnel"]) >= 58
    assert response.context["chain_rows"] and response.context["stuck"]
    parks = {p["name"]: p for p in response.context["project_map"]["parks"]}
    assert (
        "齐鲁化学工业区" in parks
        and parks["齐鲁化学工业区"]["projects"] > 0
        and 36 < parks["齐鲁化学工业区"]["lat"] < 37
    )


def test_rates_drill_down_to_the_projects_behind_them(org: Any, client_for: Any) -> None:
    client = client_for("linzi_admin")
    page = client.get(reverse("assessment_dashboard") + "?year=2026").content.decode()
    link = re.search(r'href="(/assessment/drill/\?group=district[^"]+rate=start[^"]*)"', page)
    assert link, "each rate links to its projects"
    drill = client.get(link.group(1).replace("&amp;", "&"))
    assert drill.status_code == 200
    rate = drill.context["rate"]
    assert (
        len(drill.context["numerator"]) == rate.numerator
        and len(drill.context["numerator"]) + len(drill.context["rest"]) == rate.denominator
    )


def test_city_compares_districts_and_districts_cannot_see_it(org: Any, client_for: Any) -> None:
    response = client_for("city_admin").get(reverse("assessment_city") + "?year=2026")
    names = [row["name"] for row in response.context["rows"]]
    assert "临淄区" in names and "桓台县" in names
    assert client_for("linzi_admin").get(reverse("assessment_city")).status_code == 404
    huantai = client_for("huantai_admin").get(reverse("assessment_dashboard") + "?year=2026")
    assert huantai.context["district"].adcode == "370321"
    assert "鲁油鲁炼" not in huantai.content.decode()


def test_dashboard_queries_do_not_grow_with_projects(org: Any, client_for: Any) -> None:
    client = client_for("linzi_admin")
    url = reverse("assessment_dashboard") + "?year=2026"

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def counts() -> tuple[int, int]:
        cache.clear()
        forget()
        return count(), count()  # computed, then from the cache

    cold, warm = counts()
    assert warm < cold  # the cache spares reading the projects' facts
    for i in range(40):
        ProjectFactory(
            district=org["linzi_district"], name=f"加项目{i}", signed_date=datetime.date(2026, 5, 1)
        )
    assert counts() == (cold, warm)


def _signed_cell(client: Any, chain: str) -> str:
    response = client.get(reverse("assessment_dashboard") + "?year=2026")
    row = next(r for r in response.context["chain_rows"] if r["name"] == chain)
    return str(next(c["rate"] for c in row["cells"] if c["key"] == "funds_in_place").value)


@pytest.mark.usefixtures("as_test_actor")
def test_cached_rates_follow_every_change_of_their_data(org: Any, client_for: Any, users: Any) -> None:
    client = client_for("linzi_admin")
    project = (
        Project.objects.filter(district=org["linzi_district"], chain__isnull=False, total_investment__gt=0)
        .exclude(stage__in=["reserve", "lead", "negotiation"])
        .order_by("pk")
        .first()
    )
    chain = project.chain.name
    first = _signed_cell(client, chain)
    assert _signed_cell(client, chain) == first  # unchanged data: the same figure, from the cache
    entry = funds_add(
        project=project,
        date=datetime.date(2026, 6, 1),
        amount=Decimal("50000"),
        origin="outside_province",
        kind=FundsEntry.Kind.FIXED,
        user=users["linzi_admin"],
    )
    second = _signed_cell(client, chain)
    assert second != first  # a new funds entry
    entry.amount = Decimal("90000")
    entry.save()
    third = _signed_cell(client, chain)
    assert third not in (first, second)  # an edited one
    entry.delete()
    assert _signed_cell(client, chain) == first  # a deleted one
    project.chain.name = project.chain.name + "(改)"
    project.chain.save()
    names = [
        r["name"] for r in client.get(reverse("assessment_dashboard") + "?year=2026").context["chain_rows"]
    ]
    assert chain + "(改)" in names and chain not in names  # a renamed chain


def test_big_screen_refreshes_itself(org: Any, client_for: Any) -> None:
    # Its own layout (no navigation), refreshed by its script every data-refresh seconds; no inline script.
    html = client_for("linzi_admin").get(reverse("assessment_dashboard") + "?screen=1").content.decode()
    assert 'id="screen" data-refresh="300"' in html and "big-screen.js" in html
    assert "navbar" not in html and "<script>" not in html


def test_rates_for_any_period_and_grouping_with_excel(org: Any, client_for: Any) -> None:
    client = client_for("linzi_admin")
    response = client.get(reverse("assessment_rates") + "?group=park&start=2026-01-01&end=2026-06-30")
    names = [row["name"] for row in response.context["rows"]]
    assert "齐鲁化学工业区" in names and all("桓台" not in n for n in names)
    workbook = client.get(reverse("assessment_rates") + "?group=chain&format=xlsx")
    assert workbook["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(reverse("assessment_rates") + "?group=nothing").status_code == 404


def test_every_target_opens_the_records_that_make_up_its_actual(
    org: Any, users: Any, client_for: Any
) -> None:
    client = client_for("linzi_admin")
    targets = Target.objects.filter(district=org["linzi_district"], year=2026).exclude(metric="custom")
    assert targets.count() >= 3
    seen_kinds = set()
    for target in targets:
        page = client.get(reverse("assessment_target", args=[target.pk]))
        assert page.status_code == 200
        kind, rows, actual = page.context["kind"], page.context["rows"], page.context["progress"]["actual"]
        seen_kinds.add(kind)
        assert len(rows) == page.context["count"]  # the demo is under the page's cap
        if target.metric in ("signed_investment",):
            assert sum((p.total_investment or 0) for p in rows) == actual
        elif kind == "funds":
            assert sum(f["total"] for f in rows) == actual
            assert [f["total"] for f in rows] == sorted((f["total"] for f in rows), reverse=True)
        else:
            assert len(rows) == actual
    assert {"funds", "investors"} <= seen_kinds  # the 105 亿 and the ten top-500 firms
    # The dashboard's actual is a link to it; another district's target is a 404.
    html = client.get(reverse("assessment_dashboard") + "?year=2026").content.decode()
    assert reverse("assessment_target", args=[targets.first().pk]) in html
    huantai = Target.objects.filter(district=org["huantai_district"]).first()
    if huantai is not None:
        assert client.get(reverse("assessment_target", args=[huantai.pk])).status_code == 404
    linzi_target = targets.first()
    assert (
        client_for("huantai_admin").get(reverse("assessment_target", args=[linzi_target.pk])).status_code
        == 404
    )


def test_a_target_page_lists_the_largest_records_and_counts_them_all(org: Any, client_for: Any) -> None:
    from zhaoshang.assessment import selectors

    target = Target.objects.filter(district=org["linzi_district"], year=2026, metric="signed_count").first()
    client = client_for("linzi_admin")
    full = client.get(reverse("assessment_target", args=[target.pk])).context
    assert full["count"] > 3
    original = selectors.TARGET_ROWS
    selectors.TARGET_ROWS = 3
    try:
        capped = client.get(reverse("assessment_target", args=[target.pk]))
    finally:
        selectors.TARGET_ROWS = original
    assert len(capped.context["rows"]) == 3 and capped.context["count"] == full["count"]
    assert [p.pk for p in capped.context["rows"]] == [p.pk for p in full["rows"][:3]]
    assert 'id="target-capped"' in capped.content.decode()


def test_big_screen_gives_the_forecast_median_beside_the_probability(
    org: Any, users: Any, client_for: Any, as_test_actor: Any
) -> None:
    """A probability of 0 % alone reads as "nothing will come"; the screen also says what is expected."""
    from django.utils import timezone

    from zhaoshang.assessment.forecasting import FORECAST_JOB
    from zhaoshang.core.models import Job

    district = org["linzi_district"]
    chart = {"years": [2028, 2029], "p10": [3100.0, 3517.9], "p50": [3300.0, 3858.5], "p90": [3550.0, 4174.8]}
    Job.objects.create(
        kind=FORECAST_JOB,
        title="产值预测",
        user=users["linzi_admin"],
        status=Job.Status.SUCCEEDED,
        finished=timezone.now(),
        params={"district": district.pk},
        result={
            "probability": 0.0,
            "target": {"amount": 50_000_000, "by_year": 2029},
            "chart": {**chart, "target": 5000.0},
        },
    )
    url = reverse("assessment_dashboard") + f"?district={district.pk}&screen=1"
    html = client_for("linzi_admin").get(url).content.decode()
    assert 'id="screen-probability">0%' in html
    assert "2029 年预计 3,858.5 亿元(P10–P90:3,517.9–4,174.8 亿元)" in html

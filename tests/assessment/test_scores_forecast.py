"""Monthly scores and rankings, and the output forecast, on the demo's year of history."""

from __future__ import annotations

import datetime
from typing import Any
from unittest import mock

import pytest
from django.urls import reverse

from zhaoshang.assessment.forecasting import FORECAST_JOB, district_forecast, latest_forecast
from zhaoshang.assessment.models import ScoreSnapshot
from zhaoshang.assessment.scoring import rankings, scores_compute
from zhaoshang.core.jobs import job_execute
from zhaoshang.core.models import Job
from zhaoshang.projects.models import Project
from zhaoshang.projects.services import funds_add


def test_demo_has_a_year_of_monthly_scores(org: Any, users: Any) -> None:
    months = set(ScoreSnapshot.objects.filter(level="district").values_list("month", flat=True))
    assert len(months) == 12  # the demo computes the last twelve months, this one included
    last = max(months).replace(day=1) - datetime.timedelta(days=1)
    november = ScoreSnapshot.objects.filter(month=last.replace(day=1), level="district")
    ranks = sorted(s.rank for s in november)
    assert ranks == list(range(1, len(ranks) + 1))
    linzi = november.get(district__adcode="370305")
    assert linzi.terms["explain"] and any(k.startswith("rate:") for k in linzi.terms)
    assert ScoreSnapshot.objects.filter(level="team", district__adcode="370305").exists()


def test_scores_are_rederived_the_same_from_the_same_records(org: Any, users: Any) -> None:
    month = datetime.date(2026, 10, 1)
    before = {
        s.district_id: (s.score, s.rank) for s in ScoreSnapshot.objects.filter(month=month, level="district")
    }
    scores_compute(month=month, user=users["city_admin"])
    after = {
        s.district_id: (s.score, s.rank) for s in ScoreSnapshot.objects.filter(month=month, level="district")
    }
    assert after == before


def test_rankings_show_change_since_last_month_and_are_scoped(org: Any, users: Any, client_for: Any) -> None:
    rows = rankings(users["city_admin"], datetime.date(2026, 11, 1), "district")
    assert rows and all(row["change"] is None or isinstance(row["change"], int) for row in rows)
    page = client_for("city_admin").get(reverse("assessment_rankings") + "?month=2026-11").content.decode()
    assert "临淄区" in page and "桓台县" in page
    mine = rankings(users["huantai_admin"], datetime.date(2026, 11, 1), "team")
    assert all(row["snapshot"].district.adcode == "370321" for row in mine)
    assert (
        client_for("linzi_admin").post(reverse("assessment_rankings"), {"month": "2026-11"}).status_code
        == 404
    )


def test_forecast_gives_a_band_a_probability_and_the_projects_that_decide_it(
    org: Any, users: Any, client_for: Any
) -> None:
    forecast = district_forecast(org["linzi_district"], users["linzi_admin"], draws=2000)
    assert [b.year for b in forecast.bands] == [2026, 2027, 2028, 2029]
    assert all(b.p10 <= b.p50 <= b.p90 for b in forecast.bands)
    assert forecast.probability is not None and 0 <= forecast.probability <= 1
    assert (
        forecast.importance
        and forecast.importance[0].probability_drop >= forecast.importance[-1].probability_drop
    )
    page = client_for("linzi_admin").get(reverse("assessment_forecast"))
    shown = page.context["forecast"]
    assert page.status_code == 200 and 'id="fan"' in page.content.decode() and shown["important"]
    assert shown["projects"] == len(forecast.importance) and shown["draws"] == 10_000
    assert shown["chart"]["years"] == [2026, 2027, 2028, 2029]
    # The important projects are the district's own, with their names.
    names = set(Project.objects.filter(district=org["linzi_district"]).values_list("name", flat=True))
    assert {row["project"] for row in shown["important"]} <= names
    huantai = client_for("huantai_admin").get(reverse("assessment_forecast")).content.decode()
    assert "还没有设置产值基数" in huantai


def test_a_forecast_is_computed_once_per_change_of_its_data(org: Any, users: Any, client_for: Any) -> None:
    client = client_for("linzi_admin")
    url = reverse("assessment_forecast") + f"?district={org['linzi_district'].pk}"
    demo = latest_forecast(org["linzi_district"])  # the demo computed today's forecast
    assert demo is not None and demo.result["probability"] is not None
    Job.objects.filter(kind=FORECAST_JOB).delete()
    dashboard = client.get(reverse("assessment_dashboard") + "?year=2026")
    assert (
        dashboard.context["forecast"] is None
        and 'id="dashboard-probability"' not in dashboard.content.decode()
    )
    first = client.get(url).context["job"]
    assert first.status == Job.Status.SUCCEEDED and first.params["district"] == org["linzi_district"].pk
    assert client.get(url).context["job"].pk == first.pk  # unchanged data: the stored forecast
    html = client.get(reverse("assessment_dashboard") + "?year=2026").content.decode()
    assert 'id="dashboard-probability"' in html and 'id="fan"' in html  # the dashboard shows it
    project = Project.objects.filter(district=org["linzi_district"], stage="started").first()
    funds_add(
        project=project,
        date=datetime.date(2026, 6, 1),
        amount=1000,
        origin="local",
        kind="fixed",
        user=users["linzi_admin"],
    )
    second = client.get(url).context["job"]
    assert second.pk != first.pk and second.status == Job.Status.SUCCEEDED
    # Another district's viewer never reaches Linzi's forecast.
    other = client_for("huantai_admin").get(url)
    assert other.context["district"] != org["linzi_district"]


def test_a_large_district_forecasts_in_the_worker_while_the_page_shows_progress(
    org: Any, users: Any, client_for: Any, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": []}}
    Job.objects.filter(kind=FORECAST_JOB).delete()  # not the demo's forecast of today
    client = client_for("linzi_admin")
    url = reverse("assessment_forecast") + f"?district={org['linzi_district'].pk}"
    with mock.patch("zhaoshang.assessment.forecasting.INLINE_PROJECTS", 10):
        page = client.get(url)
    job = page.context["job"]
    assert job.status == Job.Status.QUEUED and 'id="forecast-progress"' in page.content.decode()
    polled = client.get(url, headers={"HX-Request": "true"})
    assert 'id="forecast-progress"' in polled.content.decode() and "HX-Refresh" not in polled
    assert client.get(url).context["job"].pk == job.pk  # no second job for the same data
    job_execute(job)  # what the worker does
    assert client.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    done = client.get(url)
    assert done.context["job"].pk == job.pk and done.context["forecast"]["probability"] is not None


def test_monthly_report_as_word_holds_the_ranking(org: Any, client_for: Any) -> None:
    import io

    from docx import Document

    response = client_for("city_admin").get(reverse("assessment_rankings") + "?month=2026-11&format=docx")
    assert response["Content-Type"].endswith("wordprocessingml.document")
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "考核月报" in text and "各区县得分排名" in text
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    november = ScoreSnapshot.objects.get(
        month=datetime.date(2026, 11, 1), level="district", district__adcode="370305"
    )
    assert "临淄区" in cells and f"{november.score:.1f}" in cells


@pytest.mark.usefixtures("as_test_actor")
def test_forecast_survives_skips_and_steps_back_in_history(org: Any, users: Any, client_for: Any) -> None:
    from zhaoshang.projects.factories import ProjectFactory
    from zhaoshang.projects.models import StageMove

    project = ProjectFactory(district=org["linzi_district"], stage="negotiation")
    for from_stage, to_stage, day in (("negotiation", "started", 1), ("started", "signed", 20)):
        StageMove.objects.create(
            project=project,
            from_stage=from_stage,
            to_stage=to_stage,
            date=datetime.date(2026, 3, day),
            evidence_note="x",
            requested_by=users["linzi_chief"],
            verified_by=users["linzi_admin"],
            verified_at=datetime.datetime(2026, 3, day, tzinfo=datetime.UTC),
        )
    assert client_for("linzi_admin").get(reverse("assessment_forecast")).status_code == 200


@pytest.mark.usefixtures("as_test_actor")
def test_the_city_edits_the_scheme_and_scores_follow_it(org: Any, users: Any) -> None:
    from django.test import Client

    from zhaoshang.assessment.models import ScoringScheme

    admin_client = Client()
    admin_client.force_login(users["city_admin"])
    assert admin_client.get("/admin/assessment/scoringscheme/").status_code == 200
    district_admin = Client()
    district_admin.force_login(users["linzi_admin"])
    assert district_admin.get("/admin/assessment/scoringscheme/").status_code == 403
    month = datetime.date(2026, 11, 1)
    before = ScoreSnapshot.objects.get(month=month, level="district", district__adcode="370305").score
    ScoringScheme.objects.create(
        year=2026, weights={"rates": {"signing": 100}, "targets": {}}, deductions={"overdue": 0}
    )
    scores_compute(month=month, user=users["city_admin"])
    after = ScoreSnapshot.objects.get(month=month, level="district", district__adcode="370305")
    assert after.score != before and set(k for k in after.terms if k.startswith("rate:")) <= {"rate:signing"}


def test_a_failed_forecast_says_why_and_is_not_queued_again_at_every_visit(
    org: Any, users: Any, client_for: Any
) -> None:
    Job.objects.filter(kind=FORECAST_JOB).delete()
    client = client_for("linzi_admin")
    url = reverse("assessment_forecast") + f"?district={org['linzi_district'].pk}"
    with mock.patch(
        "zhaoshang.assessment.forecasting.district_forecast", side_effect=ValueError("基数缺少 2029 年")
    ):
        first = client.get(url)
        again = client.get(url)
    assert first.context["job"].status == Job.Status.FAILED
    assert 'id="forecast-failed"' in first.content.decode() and "基数缺少 2029 年" in first.content.decode()
    assert again.context["job"].pk == first.context["job"].pk
    assert Job.objects.filter(kind=FORECAST_JOB).count() == 1

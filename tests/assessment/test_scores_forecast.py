"""Monthly scores and rankings, and the output forecast, on the demo's year of history."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse

from zhaoshang.assessment.forecasting import district_forecast
from zhaoshang.assessment.models import ScoreSnapshot
from zhaoshang.assessment.scoring import rankings, scores_compute


def test_demo_has_a_year_of_monthly_scores(org: Any, users: Any) -> None:
    months = set(ScoreSnapshot.objects.filter(level="district").values_list("month", flat=True))
    assert len(months) == 11
    november = ScoreSnapshot.objects.filter(month=datetime.date(2026, 11, 1), level="district")
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
    assert page.status_code == 200 and 'id="fan"' in page.content.decode() and page.context["important"]
    huantai = client_for("huantai_admin").get(reverse("assessment_forecast")).content.decode()
    assert "还没有设置产值基数" in huantai


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

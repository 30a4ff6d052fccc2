"""The calibrated forecast on the demo: what it learnt from the verified history (censored spells, shrinkage),
retrofits, `zhaoshang forecast --as-of`, and the back-test on the page."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from zhaoshang.assessment.forecasting import BACKTEST_JOB, FORECAST_JOB, district_forecast
from zhaoshang.assessment.forecasting.history import Book, known_at
from zhaoshang.core.models import Job
from zhaoshang.projects.models import Project, StageMove


def _transition(learned: dict[str, Any], label: str) -> dict[str, Any]:
    return next(row for row in learned["transitions"] if row["transition"] == label)


def test_the_demo_forecast_learns_realistic_durations_and_says_why(org: Any, users: Any) -> None:
    learned: dict[str, Any] = {}
    forecast = district_forecast(org["linzi_district"], users["linzi_admin"], draws=2_000, learned=learned)
    assert forecast.probability is not None
    from zhaoshang.assessment.forecasting import learned_summary

    summary = learned_summary(learned, org["linzi_district"])
    build = _transition(summary, "开工→竣工")
    # Construction: projects still building are counted as censored, and the estimate is a year or more, not
    # the 1.2 months the evenly spaced demo history once taught.
    assert build["censored"] >= 10 and build["events"] >= 5
    assert 10 <= build["used"] <= 30
    assert build["naive"] is not None and build["naive"] < build["used"]  # dropping the censored: too short
    assert 0 < build["weight"] < 1
    # 鲁油鲁炼 is a 技术改造: only its increment is added to the baseline.
    luyou = Project.objects.get(name="鲁油鲁炼转型升级项目")
    assert luyou.construction_nature == Project.Nature.RETROFIT
    mine = next(p for p in learned["known"].projects if p.key == str(luyou.pk))
    assert mine.increment == pytest.approx(0.3)
    assert summary["existing_plant"] >= 1 and summary["existing_counted"] < summary["existing_designed"]


@pytest.mark.usefixtures("as_test_actor")
def test_only_verified_moves_teach_and_place_a_project(org: Any, users: Any) -> None:
    from zhaoshang.projects.factories import ProjectFactory

    project = ProjectFactory(district=org["linzi_district"], stage="signed")
    StageMove.objects.create(
        project=project,
        from_stage="negotiation",
        to_stage="signed",
        date=datetime.date(2026, 5, 1),
        evidence_note="x",
        requested_by=users["linzi_chief"],
    )  # claimed, not verified
    today = datetime.date.today()
    known = known_at(Book.read(Project.objects.filter(pk=project.pk)), today, today=True)
    assert [(p.key, p.stage) for p in known.projects] == [(str(project.pk), "negotiation")]
    assert known.reached[str(project.pk)].get("signed") is None
    StageMove.objects.filter(project=project).update(
        verified_by=users["linzi_admin"], verified_at=datetime.datetime(2026, 5, 2, tzinfo=datetime.UTC)
    )
    known = known_at(Book.read(Project.objects.filter(pk=project.pk)), today, today=True)
    assert [(p.key, p.stage) for p in known.projects] == [(str(project.pk), "signed")]
    # Still at 签约: a censored spell of 签约→注册 since the day it was signed.
    assert [(s.pair, s.done) for s in known.spells] == [(("signed", "registered"), False)]
    # Before its verification the move did not count.
    before = known_at(
        Book.read(Project.objects.filter(pk=project.pk)), datetime.date(2026, 5, 1), today=False
    )
    assert all(p.stage != "signed" for p in before.projects)


def test_forecast_as_of_a_past_date_with_its_backtest(org: Any) -> None:
    jobs = Job.objects.filter(kind__in=[FORECAST_JOB, BACKTEST_JOB]).count()
    out = io.StringIO()
    call_command("forecast", "--district", "370305", "--as-of", "2026-06-01", "--format", "json", stdout=out)
    (linzi,) = json.loads(out.getvalue())
    assert linzi["as_of"] == "2026-06-01" and linzi["district"] == "370305"
    assert Job.objects.filter(kind__in=[FORECAST_JOB, BACKTEST_JOB]).count() == jobs  # computed, not stored
    backtest = linzi["backtest"]
    assert len(backtest["cutoffs"]) == 12 and backtest["cutoffs"][-1]["date"] == "2025-12-01"
    covered = sum(c["capacity"]["covered"] for c in backtest["cutoffs"])
    assert backtest["coverage"]["capacity"] == covered
    assert backtest["sentence"].startswith(f"过去12个月回测: P10–P90 区间覆盖 {covered}/12,中位数误差")
    for cut in backtest["cutoffs"]:
        for m in (cut["capacity"], cut["steps"]):
            assert m["p10"] <= m["p50"] <= m["p90"] and m["actual"] >= 0
    # Fewer projects were known in June than now: the past forecast saw only those.
    now = io.StringIO()
    call_command("forecast", "--district", "370305", "--format", "json", stdout=now)
    assert json.loads(now.getvalue())[0]["projects"] >= linzi["projects"]
    table = io.StringIO()
    call_command("forecast", "--district", "370305", "--as-of", "2026-06-01", stdout=table)
    assert "过去12个月回测" in table.getvalue() and "开工→竣工" in table.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("forecast", "--as-of", "2026/06/01")
    with pytest.raises(CommandError, match="晚于今天"):
        call_command("forecast", "--as-of", (datetime.date.today() + datetime.timedelta(days=2)).isoformat())


def test_the_page_shows_the_backtest_and_what_the_forecast_learnt(org: Any, client_for: Any) -> None:
    url = reverse("assessment_forecast") + f"?district={org['linzi_district'].pk}"
    page = client_for("linzi_admin").get(url)
    html = page.content.decode()
    assert page.status_code == 200 and page.context["backtest"] is not None
    assert 'id="backtest-chart"' in html and 'id="backtest-data"' in html
    assert "过去12个月回测: P10–P90 区间覆盖" in html
    assert 'id="forecast-learned"' in html and "开工→竣工" in html and 'id="forecast-existing"' in html
    assert page.context["backtest"]["sentence"] in html

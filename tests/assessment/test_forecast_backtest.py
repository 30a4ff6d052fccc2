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


@pytest.mark.usefixtures("as_test_actor")
def test_a_past_cutoff_reads_plans_and_terminations_as_recorded_then(
    org: Any, users: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zhaoshang.analytics.forecast import backtest as engine_backtest
    from zhaoshang.assessment.forecasting import district_backtest
    from zhaoshang.projects.factories import ProjectFactory

    utc = datetime.UTC
    entered = datetime.datetime(2025, 1, 10, 9, tzinfo=utc)
    planned = ProjectFactory(
        district=org["linzi_district"],
        stage="signed",
        promised_start_date=datetime.date(2027, 3, 1),
        expected_production_date=datetime.date(2028, 6, 1),
        designed_output=80_000,
    )
    dropped = ProjectFactory(district=org["linzi_district"], stage="signed", designed_output=5_000)
    Project.objects.filter(pk__in=[planned.pk, dropped.pk]).update(created=entered)
    history = Project.history.model.objects
    history.filter(id__in=[planned.pk, dropped.pk]).update(history_date=entered)
    # Revised after every cut-off of the back-test below (recorded today)...
    planned.refresh_from_db()
    planned.promised_start_date = datetime.date(2027, 9, 1)
    planned.expected_production_date = datetime.date(2029, 1, 1)
    planned.designed_output = 120_000
    planned.save()
    # ...and one terminated in the middle of them (recorded on 1 February 2026).
    dropped.refresh_from_db()
    dropped.status = Project.Status.TERMINATED
    dropped.save()
    history.filter(id=dropped.pk, status=Project.Status.TERMINATED).update(
        history_date=datetime.datetime(2026, 2, 1, 9, tzinfo=utc)
    )

    book = Book.read(Project.objects.filter(pk__in=[planned.pk, dropped.pk]))
    then = {p.key: p for p in known_at(book, datetime.date(2025, 12, 1), today=False).projects}
    now = {p.key: p for p in known_at(book, datetime.date.today(), today=True).projects}
    mine = str(planned.pk)
    assert (then[mine].planned_start, then[mine].production_date, then[mine].designed_output) == (
        datetime.date(2027, 3, 1),
        datetime.date(2028, 6, 1),
        80_000,
    )
    assert (now[mine].planned_start, now[mine].production_date, now[mine].designed_output) == (
        datetime.date(2027, 9, 1),
        datetime.date(2029, 1, 1),
        120_000,
    )
    assert str(dropped.pk) in then and str(dropped.pk) not in now

    # The back-test's cut-offs (2025-07 … 2026-06 from today's December) see the plan as it stood then, and
    # the terminated project only until its termination was recorded.
    seen: list[Any] = []
    monkeypatch.setattr(engine_backtest, "backtest", lambda cuts, horizon: seen.extend(cuts))
    district_backtest(org["linzi_district"], users["linzi_admin"], as_of=datetime.date(2026, 12, 7), draws=10)
    assert [c.date for c in seen][:1] == [datetime.date(2025, 7, 1)] and len(seen) == 12
    for cut in seen:
        by_key = {p.key: p for p in cut.projects}
        assert by_key[mine].planned_start == datetime.date(2027, 3, 1)
        assert by_key[mine].designed_output == 80_000
        assert (str(dropped.pk) in by_key) == (cut.date < datetime.date(2026, 2, 1))
    # Today's forecast uses today's plan.
    learned: dict[str, Any] = {}
    district_forecast(org["linzi_district"], users["linzi_admin"], draws=10, learned=learned)
    today = {p.key: p for p in learned["known"].projects}
    assert today[mine].planned_start == datetime.date(2027, 9, 1) and str(dropped.pk) not in today


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

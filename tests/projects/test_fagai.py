"""The 发改 side of major projects (issue 14 item 5): the monthly 完成投资 ledger reported and verified by another
person (audited, scoped), the year's figures each opening exactly the records it counts, the import of monthly
figures by 项目名称 or 项目代码, the API, and the projects whose books disagree."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from zhaoshang.core.actions import action_log  # noqa: F401  (the named actions below are written through it)
from zhaoshang.core.importing import import_run, read_table
from zhaoshang.core.models import ActionEntry
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.fagai_resources import InvestmentCompletionResource
from zhaoshang.projects.fagai_selectors import fagai_conflicts, fagai_figures, figure_records, report_period
from zhaoshang.projects.fagai_services import CompletionError, completion_report, completion_verify
from zhaoshang.projects.models import InvestmentCompletion, Project, ProjectListing, StageMove

YEAR, MONTHS = report_period()
LAST_MONTH = datetime.date(YEAR, MONTHS, 1)


def _project(org: Any, name: str, **fields: Any) -> Project:
    return ProjectFactory(district=org["linzi_district"], name=name, **fields)


def _actions(project: Project) -> list[str]:
    return list(
        ActionEntry.objects.filter(object_id=project.pk).order_by("pk").values_list("action", flat=True)
    )


def test_a_month_counts_only_once_someone_else_verifies_it(
    org: Any, users: Any, client_for: Any, as_test_actor: Any
) -> None:
    project = _project(org, "发改月报项目", total_investment=200000)
    ProjectListing.objects.create(
        project=project, year=YEAR, level="provincial_major", planned_investment=4000
    )
    chief, admin = client_for("linzi_chief"), client_for("linzi_admin")
    response = chief.post(
        reverse("completion_report", args=[project.pk]),
        {"month": LAST_MONTH.strftime("%Y-%m"), "amount": "1000", "note": "月报"},
    )
    assert response.status_code == 302
    entry = InvestmentCompletion.objects.get(project=project)
    assert entry.month == LAST_MONTH and entry.amount == 1000 and entry.reported_by == users["linzi_chief"]
    assert not entry.verified
    panel = chief.get(reverse("project_detail", args=[project.pk])).context["fagai"]
    assert panel["done"] == 0 and panel["rate"] == "0.0%" and panel["plan"] == 4000  # not counted yet

    # The chief may report but not verify (no right to); the district admin who reported may not verify their own.
    with pytest.raises((PermissionDenied, Http404)):
        completion_verify(entry=entry, user=users["linzi_chief"])
    own = completion_report(project=project, user=users["linzi_admin"], month=LAST_MONTH, amount="1200")
    with pytest.raises(CompletionError):
        completion_verify(entry=own, user=users["linzi_admin"])
    assert own.reported_by == users["linzi_admin"] and own.amount == 1200  # a correction is a new report

    city = client_for("city_admin")
    assert city.post(reverse("completion_verify", args=[own.pk]), {"approve": "1"}).status_code == 302
    own.refresh_from_db()
    assert own.verified and own.verified_by == users["city_admin"]
    panel = admin.get(reverse("project_detail", args=[project.pk])).context["fagai"]
    assert panel["done"] == 1200 and panel["rate"] == "30.0%"
    assert _actions(project) == ["completion_report", "completion_report", "completion_verify"]
    history = own.history.order_by("history_id")
    assert [h.history_user for h in history][-1] == users["city_admin"]

    # Re-reporting the same figure changes nothing; a different figure goes back to review.
    same = completion_report(project=project, user=users["linzi_chief"], month=LAST_MONTH, amount="1200")
    assert same.verified
    changed = completion_report(project=project, user=users["linzi_chief"], month=LAST_MONTH, amount="1300")
    assert not changed.verified and changed.reported_by == users["linzi_chief"]
    assert admin.get(reverse("project_detail", args=[project.pk])).context["fagai"]["done"] == 0


def test_future_months_negative_amounts_and_terminated_projects_are_refused(
    org: Any, users: Any, as_test_actor: Any
) -> None:
    project = _project(org, "发改拒绝项目")
    future = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    with pytest.raises(CompletionError):
        completion_report(project=project, user=users["linzi_chief"], month=future, amount="10")
    with pytest.raises(CompletionError):
        completion_report(project=project, user=users["linzi_chief"], month=LAST_MONTH, amount="-5")
    project.status = Project.Status.TERMINATED
    project.save()
    with pytest.raises(CompletionError):
        completion_report(project=project, user=users["linzi_chief"], month=LAST_MONTH, amount="10")
    assert not InvestmentCompletion.objects.filter(project=project).exists()


def test_another_district_is_a_404(org: Any, users: Any, client_for: Any) -> None:
    project = _project(org, "发改临淄项目")
    entry = completion_report(project=project, user=users["linzi_chief"], month=LAST_MONTH, amount="500")
    huantai = client_for("huantai_admin")
    data = {"month": LAST_MONTH.strftime("%Y-%m"), "amount": "9"}
    assert huantai.post(reverse("completion_report", args=[project.pk]), data).status_code == 404
    assert huantai.post(reverse("completion_verify", args=[entry.pk]), {"approve": "1"}).status_code == 404
    huantai.post(reverse("completion_queue"), {"completion": [entry.pk], "approve": "1"})
    entry.refresh_from_db()
    assert not entry.verified and entry.amount == 500
    url = reverse("fagai_figure") + f"?figure=listed&district={org['linzi_district'].pk}"
    assert huantai.get(url).status_code == 404
    assert "发改临淄项目" not in huantai.get(reverse("review_queue")).content.decode()
    # The clerk may report (change) but not verify: inside the district that is said (403), not hidden.
    clerk = client_for("linzi_clerk")
    refused = clerk.post(reverse("completion_verify", args=[entry.pk]), {"approve": "1"})
    assert refused.status_code == 403 and "不能审核" in refused.content.decode()
    entry.refresh_from_db()
    assert not entry.verified


def test_the_review_queue_verifies_a_selection_and_sends_back_with_a_reason(
    org: Any, users: Any, client_for: Any
) -> None:
    project = _project(org, "发改批量项目")
    months = [LAST_MONTH, (LAST_MONTH - datetime.timedelta(days=1)).replace(day=1)]
    entries = [
        completion_report(project=project, user=users["linzi_chief"], month=m, amount=str(100 * (i + 1)))
        for i, m in enumerate(months)
    ]
    admin = client_for("linzi_admin")
    queue = admin.get(reverse("review_queue"))
    assert {e.pk for e in entries} <= {e.pk for e in queue.context["pending_completions"]}
    assert 'name="completion"' in queue.content.decode()

    # Sending back needs a reason; with one, the report is withdrawn and the reason kept in the audit log.
    admin.post(reverse("completion_queue"), {"completion": [entries[1].pk], "approve": "0"})
    assert InvestmentCompletion.objects.filter(pk=entries[1].pk).exists()
    admin.post(
        reverse("completion_queue"), {"completion": [entries[1].pk], "approve": "0", "reason": "与月报不符"}
    )
    assert not InvestmentCompletion.objects.filter(pk=entries[1].pk).exists()
    rejected = ActionEntry.objects.get(object_id=project.pk, action="completion_reject")
    assert rejected.actor == users["linzi_admin"] and rejected.data["reason"] == "与月报不符"

    # The reporter's own ticks are refused; another reviewer's verify.
    chief = client_for("linzi_chief")
    chief.post(reverse("completion_queue"), {"completion": [entries[0].pk], "approve": "1"})
    entries[0].refresh_from_db()
    assert not entries[0].verified
    admin.post(reverse("completion_queue"), {"completion": [entries[0].pk], "approve": "1"})
    entries[0].refresh_from_db()
    assert entries[0].verified_by == users["linzi_admin"]


def _verified(project: Project, month: datetime.date, amount: int, user: Any) -> InvestmentCompletion:
    return InvestmentCompletion.objects.create(
        project=project,
        month=month,
        amount=amount,
        reported_by=None,
        verified_by=user,
        verified_at=timezone.now(),
    )


def _completed(project: Project, day: datetime.date, user: Any) -> None:
    StageMove.objects.create(
        project=project,
        from_stage="started",
        to_stage="completed",
        date=day,
        requested_by=user,
        verified_by=user,
        verified_at=timezone.now(),
    )


def test_the_years_figures_open_exactly_the_records_they_count(
    org: Any, users: Any, client_for: Any, as_test_actor: Any
) -> None:
    year = 2023  # a past year: twelve months over, nothing of the demo's
    district, admin = org["linzi_district"], users["linzi_admin"]
    new = _project(org, "发改新开工", stage="started", started_date=datetime.date(2023, 4, 1))
    going = _project(org, "发改续建", stage="started", started_date=datetime.date(2021, 4, 1))
    done = _project(org, "发改竣工", stage="completed", started_date=datetime.date(2022, 4, 1))
    _completed(done, datetime.date(2023, 9, 30), admin)
    waiting = _project(org, "发改准备", stage="land")
    dropped = _project(org, "发改终止", status=Project.Status.TERMINATED)
    county = _project(org, "发改区县名单", stage="started", started_date=datetime.date(2023, 2, 1))
    for project, level, plan in [
        (new, "provincial_major", 1000),
        (new, "municipal_major", 1000),  # on two lists: counted once, its plan once
        (going, "municipal_major", 3000),
        (done, "provincial_key", None),  # no plan given
        (waiting, "municipal_key", 500),
        (dropped, "municipal_major", 700),
        (county, "district_key", 900),
    ]:
        ProjectListing.objects.create(project=project, year=year, level=level, planned_investment=plan)
    _verified(new, datetime.date(2023, 3, 1), 400, admin)
    _verified(going, datetime.date(2023, 12, 1), 600, admin)
    _verified(going, datetime.date(2022, 12, 1), 9999, admin)  # last year
    InvestmentCompletion.objects.create(
        project=going, month=datetime.date(2023, 5, 1), amount=77
    )  # unverified
    _verified(dropped, datetime.date(2023, 5, 1), 123, admin)  # terminated: not on the books

    figures = fagai_figures(admin, year, district)
    assert figures["months"] == 12 and figures["listed"] == 4
    assert figures["planned"] == Decimal(4500) and figures["completed"] == Decimal(1000)
    assert figures["rate"] == "22.2%"
    assert dict((code, n) for code, _label, n in figures["classes"]) == {
        "new_start": 1,
        "continuing": 1,
        "completing": 1,
        "preparing": 1,
    }
    client = client_for("linzi_admin")
    names = {
        "listed": {"发改新开工", "发改续建", "发改竣工", "发改准备"},
        "planned": {"发改新开工", "发改续建", "发改准备"},
        "new_start": {"发改新开工"},
        "continuing": {"发改续建"},
        "completing": {"发改竣工"},
        "preparing": {"发改准备"},
    }
    for figure, expected in names.items():
        url = reverse("fagai_figure") + f"?figure={figure}&year={year}&district={district.pk}"
        rows = client.get(url).context["projects"]
        assert {r["project"].name for r in rows} == expected, figure
    rows = figure_records(admin, "completed", year, 12, district)["completions"]
    assert sorted(e.amount for e in rows) == [400, 600]
    assert sum(e.amount for e in rows) == figures["completed"]
    # Counts equal rows on the dashboard's own year too (whatever the demo holds).
    live = fagai_figures(admin, YEAR, district)
    for code, _label, n in live["classes"]:
        assert len(figure_records(admin, code, YEAR, live["months"], district)["projects"]) == n
    assert len(figure_records(admin, "listed", YEAR, live["months"], district)["projects"]) == live["listed"]


def test_the_dashboard_shows_the_card(org: Any, client_for: Any) -> None:
    response = client_for("linzi_admin").get(
        reverse("assessment_dashboard") + f"?district={org['linzi_district'].pk}"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="fagai-card"' in page and "fagai/figure/?figure=completed" in page
    card = response.context["fagai"]
    assert card["district"] == org["linzi_district"] and card["year"] == YEAR


def _book(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_monthly_figures_are_imported_by_name_or_code_and_wait_for_review(org: Any, users: Any) -> None:
    coded = _project(org, "发改代码项目", project_code="2025-370305-26-03-000777")
    named = _project(org, "发改名称项目")
    month = LAST_MONTH.strftime("%Y-%m")
    content = _book(
        [
            ["项目名称", "项目代码", "月份", "当月完成投资(万元)"],
            ["", "2025-370305-26-03-000777", month, "1,250"],
            ["发改名称项目", "", month, "0.3亿元"],
        ]
    )
    chief = users["linzi_chief"]
    report = import_run(
        resource=InvestmentCompletionResource(user=chief),
        dataset=read_table("完成投资.xlsx", content),
        user=chief,
        dry_run=False,
    )
    assert report.committed, [i.message for i in report.issues]
    assert InvestmentCompletion.objects.get(project=coded).amount == 1250
    entry = InvestmentCompletion.objects.get(project=named)
    assert entry.amount == 3000 and entry.month == LAST_MONTH
    assert entry.reported_by == chief and not entry.verified

    # A code and a name of two different projects are an error; nothing is written.
    bad = _book(
        [
            ["项目名称", "项目代码", "月份", "当月完成投资(万元)"],
            ["发改名称项目", coded.project_code, month, "9"],
        ]
    )
    report = import_run(
        resource=InvestmentCompletionResource(user=chief),
        dataset=read_table("完成投资.xlsx", bad),
        user=chief,
        dry_run=False,
    )
    assert not report.committed and any("不符" in i.message for i in report.issues)
    # Another district's importer does not find the project.
    outsider = users["huantai_admin"]
    report = import_run(
        resource=InvestmentCompletionResource(user=outsider),
        dataset=read_table("完成投资.xlsx", content),
        user=outsider,
        dry_run=False,
    )
    assert not report.committed
    assert InvestmentCompletion.objects.get(project=coded).amount == 1250


def test_the_api_reports_and_never_verifies(org: Any, users: Any, as_test_actor: Any) -> None:
    project = _project(org, "发改接口项目")
    api = APIClient()
    api.force_authenticate(users["linzi_chief"])
    response = api.post(
        "/api/completion/",
        {
            "project": project.pk,
            "month": LAST_MONTH.isoformat(),
            "amount": "321",
            "verified_at": timezone.now().isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    entry = InvestmentCompletion.objects.get(pk=response.data["id"])
    assert entry.reported_by == users["linzi_chief"] and not entry.verified
    assert "completion_report" in _actions(project)
    outsider = APIClient()
    outsider.force_authenticate(users["huantai_admin"])
    assert outsider.get(f"/api/completion/{entry.pk}/").status_code == 404
    listing = api.post(
        "/api/listing/",
        {"project": project.pk, "year": YEAR, "level": "municipal_major", "planned_investment": "800"},
        format="json",
    )
    assert listing.status_code == 201, listing.content
    assert outsider.get(f"/api/listing/{listing.data['id']}/").status_code == 404


def test_conflicts_between_books_are_listed_with_counts(
    org: Any, users: Any, client_for: Any, as_test_actor: Any
) -> None:
    admin = users["linzi_admin"]
    this_year = timezone.localdate().year
    over = _project(org, "冲突计划超总投资", total_investment=1000)
    ProjectListing.objects.create(
        project=over, year=this_year, level="municipal_major", planned_investment=5000
    )
    finished = _project(org, "冲突竣工仍在名单", stage="completed", started_date=datetime.date(2022, 1, 1))
    _completed(finished, datetime.date(2024, 6, 1), admin)
    ProjectListing.objects.create(project=finished, year=2025, level="municipal_major")
    dropped = _project(org, "冲突终止仍在名单", status=Project.Status.TERMINATED)
    ProjectListing.objects.create(project=dropped, year=this_year, level="provincial_major")
    _project(org, "冲突外市代码", project_code="2025-370102-26-03-000001")
    _project(org, "冲突省级代码不算", project_code="2025-370000-26-03-000002")
    spent = _project(org, "冲突完成超总投资", total_investment=100)
    _verified(spent, datetime.date(2025, 1, 1), 150, admin)
    labelled = _project(org, "冲突类别不符", stage="started", started_date=datetime.date(2023, 5, 1))
    ProjectListing.objects.create(project=labelled, year=2025, level="municipal_key", year_class="new_start")
    _project(
        org,
        "冲突准备类已开工",
        stage="started",
        started_date=datetime.date(2025, 5, 1),
        implementation_class="preparing",
    )

    _project(org, "冲突代码甲", project_code="2025-370305-26-03-000900")
    _project(
        org, "冲突代码乙", project_code="2025—370305-26-03-000900"
    )  # the same code, typed with a long dash
    found = fagai_conflicts(admin)
    names = {k["kind"]: {r["project"].name for r in k["rows"]} for k in found["kinds"]}
    assert "冲突计划超总投资" in names["plan_above_total"]
    assert "冲突竣工仍在名单" in names["listed_after_completion"]
    assert "冲突终止仍在名单" in names["listed_terminated"]
    assert "冲突外市代码" in names["code_area"] and "冲突省级代码不算" not in names["code_area"]
    assert "冲突完成超总投资" in names["completions_above_total"]
    assert "冲突类别不符" in names["class_contradicts"]
    assert "冲突准备类已开工" in names["preparing_but_started"]
    assert {"冲突代码甲", "冲突代码乙"} <= names["duplicate_code"]
    assert all(k["count"] == len(k["rows"]) for k in found["kinds"])
    assert found["total"] == sum(k["count"] for k in found["kinds"])
    page = client_for("linzi_admin").get(reverse("fagai_conflicts"))
    html = page.content.decode()
    assert page.status_code == 200 and "冲突外市代码" in html
    code_area = next(k for k in found["kinds"] if k["kind"] == "code_area")
    assert f'data-kind="code_area">{code_area["count"]}</span>' in html
    outsider = client_for("huantai_admin").get(reverse("fagai_conflicts")).content.decode()
    assert "冲突外市代码" not in outsider


def test_the_dispatch_report_carries_the_months_completed_investment(
    org: Any, users: Any, as_test_actor: Any
) -> None:
    from zhaoshang.projects.delivery.dispatch.sections import dispatch_sections
    from zhaoshang.projects.delivery.dispatch.summary import dispatch_summary

    admin = users["linzi_admin"]
    project = _project(org, "发改调度项目", total_investment=100000)
    ProjectListing.objects.create(
        project=project, year=YEAR, level="municipal_major", planned_investment=2400
    )
    _verified(project, LAST_MONTH, 300, admin)
    earlier = 0
    if MONTHS > 1:
        _verified(project, datetime.date(YEAR, 1, 1), 100, admin)
        earlier = 100
    silent = _project(org, "发改调度无月报项目")
    if MONTHS > 1:
        _verified(silent, datetime.date(YEAR, 1, 1), 50, admin)  # a figure, but not for the month reported
    unverified = _project(org, "发改调度未核实项目")
    InvestmentCompletion.objects.create(project=unverified, month=LAST_MONTH, amount=70)
    end = (LAST_MONTH + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    summary = dispatch_summary(
        district=org["linzi_district"], period_start=LAST_MONTH, period_end=end, user=admin
    )
    lines = {line["project"]: line for line in summary["completions"]["lines"]}
    assert (summary["completions"]["year"], summary["completions"]["month"]) == (YEAR, MONTHS)
    assert lines["发改调度项目"] == {
        "project_id": project.pk,
        "project": "发改调度项目",
        "amount_wan": "300",
        "ytd_wan": str(300 + earlier),
        "plan_wan": "2,400",
        "rate": f"{Decimal(300 + earlier) / 24:.1f}%",
    }
    assert "发改调度无月报项目" not in lines and "发改调度未核实项目" not in lines
    section = next(s for s in dispatch_sections(summary) if s.key == "completions")
    assert any(row[0] == "发改调度项目" for row in section.tables[0].rows)


def test_the_demo_gives_the_majors_codes_lists_and_verified_months(org: Any) -> None:
    majors = Project.objects.filter(district=org["linzi_district"], tier__in=["provincial", "municipal"])
    assert majors.exists() and not majors.filter(project_code="").exists()
    years = set(ProjectListing.objects.filter(project__in=majors).values_list("year", flat=True))
    assert years == {YEAR - 1, YEAR}
    months = InvestmentCompletion.objects.filter(project__in=majors)
    assert months.exists() and not months.filter(verified_at__isnull=True).exists()
    assert max(months.values_list("month", flat=True)) == LAST_MONTH  # up to last month, never later
    assert not any(e.reported_by_id == e.verified_by_id for e in months)
    # The figures read them: the demo's year has a completion rate.
    assert fagai_figures(org["users"]["linzi_admin"], YEAR, org["linzi_district"])["rate"] != "—"
    assert fagai_conflicts(org["users"]["linzi_admin"])["total"] == 0  # the demo's books agree

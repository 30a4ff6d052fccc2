"""Officials' tables, the rest of issue 14's importer: 竣工时间 and 投产时间 become stage claims dated as written and
waiting for review (as 开工时间 does); 计划… columns are plans, stored as the plan where the project has one (预计投产
日期) and listed as ignored with why where it has none (计划竣工时间); and 项目类别/建设类别's 新开工, 续建, 竣工, 预备,
储备 are read as the table's class for its year, on that year's lists, and listed on the conflicts page when the
verified dates say otherwise."""

from __future__ import annotations

import datetime
import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from zhaoshang.core.importing import ImportReport, import_run, read_table
from zhaoshang.projects.fagai_resources import ProjectListingResource
from zhaoshang.projects.fagai_selectors import fagai_conflicts
from zhaoshang.projects.models import ListLevel, Project, ProjectListing, StageMove, YearClass
from zhaoshang.projects.resources import ProjectResource
from zhaoshang.projects.services import LEDGER_EVIDENCE
from zhaoshang.projects.wordings import split_class, year_class_of

D = datetime.date


def sheet(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _writes_as_test_actor(as_test_actor: Any) -> None:
    """The tests' own set-up writes are made as the test actor; imports act as their user."""


def run(user: Any, content: bytes, *, resource: Any = None, dry_run: bool = False) -> ImportReport:
    resource = resource or ProjectResource(user=user)
    dataset = read_table("t.xlsx", content, key=resource.header_key())
    return import_run(resource=resource, dataset=dataset, user=user, dry_run=dry_run)


def _pending(project: Project) -> dict[str, tuple[datetime.date, str | None]]:
    return {
        m.to_stage: (m.date, m.evidence_note)
        for m in StageMove.objects.filter(project=project, verified_at__isnull=True, rejected_reason="")
    }


# -- 竣工时间 / 投产时间: claims; 计划…: plans ------------------------------------------------------------------------


def test_completion_and_production_dates_are_claims_dated_as_written_and_plans_are_plans(
    users: Any, org: Any
) -> None:
    headers = [
        "序号",
        "项目名称",
        "所在区县",
        "开工时间",
        "竣工时间",
        "投产时间",
        "计划竣工时间",
        "计划投产时间",
    ]
    content = sheet(
        [
            ["XX区2025年重大项目推进情况表"],
            ["单位:亿元"],
            headers,
            [
                1,
                "竣工申报项目",
                "临淄区",
                "2023年3月1日",
                "2024年10月8日",
                "2024.12",
                "2025年12月",
                "2026年6月",
            ],
        ]
    )
    preview = run(users["linzi_admin"], content, dry_run=True)
    assert preview.ok, preview.issues
    assert {"竣工时间", "投产时间", "计划投产时间"} <= set(preview.columns["used"])
    # A planned completion has no field: listed as ignored, saying why, never read as a claim.
    assert "计划竣工时间" in preview.columns["ignored"]
    assert "计划竣工" in preview.ignored_reasons["计划竣工时间"]
    warnings = {(w.row, w.column): w.message for w in preview.warnings}
    assert "2024-12-01" in warnings[(4, "投产时间")]  # 2024.12 is claimed for the 1st, and said so
    assert not Project.objects.filter(name="竣工申报项目").exists()

    report = run(users["linzi_admin"], content)
    assert report.committed, report.issues
    project = Project.objects.get(name="竣工申报项目")
    # Each dated stage is a claim dated as the table says, waiting for a reviewer; nothing is counted before.
    assert _pending(project) == {
        "started": (D(2023, 3, 1), LEDGER_EVIDENCE),
        "completed": (D(2024, 10, 8), LEDGER_EVIDENCE),
        "production": (D(2024, 12, 1), LEDGER_EVIDENCE),
    }
    assert project.stage == "negotiation" and project.started_date is None
    assert not StageMove.objects.filter(project=project, verified_at__isnull=False).exists()
    # 计划投产时间 is the plan the project has a field for.
    assert project.expected_production_date == D(2026, 6, 1)


def test_a_completion_date_on_a_started_project_is_one_pending_move_and_not_claimed_twice(
    users: Any, org: Any
) -> None:
    user = users["linzi_admin"]
    project = Project.objects.create(
        district=org["linzi_district"], name="在建待竣工项目", stage="started", started_date=D(2023, 4, 1)
    )
    content = sheet(
        [["项目名称", "区县", "实际竣工日期", "投产年月"], ["在建待竣工项目", "临淄区", "2025年8月18日", ""]]
    )
    report = run(user, content)
    assert report.committed and report.update == 1, report.issues
    move = project.moves.get(to_stage="completed")
    assert (move.date, move.from_stage, move.verified_at) == (D(2025, 8, 18), "started", None)
    project.refresh_from_db()
    assert project.stage == "started"  # held where it was until the claim is verified
    again = run(user, content)
    assert again.skip == 1 and project.moves.filter(to_stage="completed").count() == 1


def test_a_production_date_in_the_future_is_a_warning_not_a_claim(users: Any, org: Any) -> None:
    later = timezone.localdate() + datetime.timedelta(days=40)
    content = sheet([["项目名称", "区县", "投产时间"], ["未来投产项目", "临淄区", later.isoformat()]])
    report = run(users["linzi_admin"], content)
    assert report.committed
    assert any(w.column == "投产时间" and "今天之后" in w.message for w in report.warnings)
    assert not StageMove.objects.filter(project__name="未来投产项目", to_stage="production").exists()


# -- 项目类别 / 建设类别: the table's class for its year ---------------------------------------------------------------


def test_class_wordings() -> None:
    assert (
        year_class_of("新开工") == YearClass.NEW_START and year_class_of("续建项目") == YearClass.CONTINUING
    )
    assert year_class_of("竣工") == YearClass.COMPLETING
    assert year_class_of("预备") == year_class_of("储备项目") == year_class_of("准备") == YearClass.PREPARING
    assert year_class_of("") is None
    with pytest.raises(ValueError, match="不是年度类别"):
        year_class_of("重要")
    assert split_class("省重大项目(续建)") == ("省重大项目", "continuing")
    assert split_class("省重大项目(2025年)、新开工") == ("省重大项目(2025年)", "new_start")
    assert split_class("续建") == ("", "continuing")
    assert split_class("省重大工程") == ("省重大工程", None)  # 工程 is a list's name, not 完工


def test_the_tables_class_goes_on_that_years_lists(users: Any, org: Any) -> None:
    content = sheet(
        [
            ["XX区2025年重大项目表"],
            ["项目名称", "所在区县", "项目类别", "建设类别", "年度计划投资(亿元)"],
            ["类别甲", "临淄区", "省重大项目", "续建", 1],
            ["类别乙", "临淄区", "市重大项目(新开工)", None, 0.5],
            ["类别丙", "临淄区", "储备", "", None],
        ]
    )
    report = run(users["linzi_admin"], content)
    assert report.committed, report.issues
    assert "建设类别" in report.columns["used"]
    first = ProjectListing.objects.get(project__name="类别甲")
    assert (first.year, first.level, first.year_class) == (2025, ListLevel.PROVINCIAL_MAJOR, "continuing")
    second = ProjectListing.objects.get(project__name="类别乙")
    assert (second.level, second.year_class, second.wording) == (
        ListLevel.MUNICIPAL_MAJOR,
        "new_start",
        "市重大项目",
    )
    # A class with no list goes nowhere, and the report says so on the row (row 5 as Excel numbers it).
    assert not ProjectListing.objects.filter(project__name="类别丙").exists()
    assert any(w.row == 5 and "年度类别未导入" in w.message for w in report.warnings)

    bad = sheet(
        [["项目名称", "所在区县", "项目类别", "建设类别"], ["类别丁", "临淄区", "市重大项目", "很重要"]]
    )
    refused = run(users["linzi_admin"], bad)
    assert not refused.committed
    assert any(i.column == "年度类别" and "很重要" in i.message for i in refused.issues)


def test_a_class_alone_updates_the_projects_list_of_the_tables_year(users: Any, org: Any) -> None:
    user = users["linzi_admin"]
    project = Project.objects.create(district=org["linzi_district"], name="已在名单项目")
    listing = ProjectListing.objects.create(project=project, year=2025, level=ListLevel.MUNICIPAL_MAJOR)
    other_year = ProjectListing.objects.create(project=project, year=2024, level=ListLevel.MUNICIPAL_MAJOR)
    content = sheet(
        [["2025年市重大项目竣工情况"], ["项目名称", "区县", "年度类别"], ["已在名单项目", "临淄区", "竣工"]]
    )
    preview = run(user, content, dry_run=True)
    assert preview.ok and preview.update == 1  # not skipped: the row changes the year's class
    report = run(user, content)
    assert report.committed, report.issues
    listing.refresh_from_db()
    other_year.refresh_from_db()
    assert listing.year_class == "completing" and other_year.year_class == ""
    assert listing.history.first().history_user == user  # saved with its history, as the importer
    assert run(user, content).skip == 1  # the same file again changes nothing


def test_the_listing_import_reads_reserve_wordings(users: Any, org: Any) -> None:
    Project.objects.create(district=org["linzi_district"], name="名单导入项目")
    content = sheet([["项目名称", "年度", "名单", "年度类别"], ["名单导入项目", 2025, "市重点项目", "储备"]])
    report = run(users["linzi_admin"], content, resource=ProjectListingResource(user=users["linzi_admin"]))
    assert report.committed, report.issues
    assert ProjectListing.objects.get(project__name="名单导入项目").year_class == "preparing"


def test_a_class_the_verified_dates_contradict_is_listed_as_a_conflict(
    users: Any, org: Any, client_for: Any
) -> None:
    user = users["linzi_admin"]
    this_year = timezone.localdate().year
    Project.objects.create(
        district=org["linzi_district"], name="早已开工项目", stage="started", started_date=D(2023, 5, 1)
    )
    Project.objects.create(district=org["linzi_district"], name="今年计划开工项目", stage="land")
    content = sheet(
        [
            [f"XX区{this_year}年重大项目表"],
            ["项目名称", "所在区县", "项目类别", "建设类别"],
            ["早已开工项目", "临淄区", "市重大项目", "新开工"],  # started in 2023: 续建, not 新开工
            [
                "今年计划开工项目",
                "临淄区",
                "市重大项目",
                "新开工",
            ],  # may still start this year: no conflict yet
        ]
    )
    report = run(user, content)
    assert report.committed, report.issues
    found = fagai_conflicts(user)
    kind = next(k for k in found["kinds"] if k["kind"] == "class_contradicts")
    names = {row["project"].name: row["detail"] for row in kind["rows"]}
    assert "早已开工项目" in names and "新开工" in names["早已开工项目"] and "续建" in names["早已开工项目"]
    assert "今年计划开工项目" not in names
    html = client_for("linzi_admin").get(reverse("fagai_conflicts")).content.decode()
    assert "早已开工项目" in html and "今年计划开工项目" not in html


def test_the_export_carries_the_class_and_the_planned_production_and_reads_back(users: Any, org: Any) -> None:
    user = users["linzi_admin"]
    project = Project.objects.create(
        district=org["linzi_district"],
        name="导出类别项目",
        expected_production_date=D(2027, 3, 1),
        stage="completed",
        started_date=D(2024, 3, 1),
    )
    ProjectListing.objects.create(
        project=project, year=2025, level=ListLevel.MUNICIPAL_MAJOR, year_class="continuing"
    )
    StageMove.objects.create(
        project=project,
        from_stage="started",
        to_stage="completed",
        date=D(2025, 9, 30),
        requested_by=user,
        verified_by=users["linzi_chief"],
        verified_at=timezone.now(),
    )
    StageMove.objects.create(  # a claim still waiting is not a date the file states
        project=project, from_stage="completed", to_stage="production", date=D(2025, 12, 1), requested_by=user
    )
    exported = ProjectResource(user=user).export(Project.objects.filter(pk=project.pk))
    row = dict(zip(exported.headers, exported[0], strict=True))
    assert row["年度类别"] == "续建" and row["预计投产日期"] == "2027-03-01"
    assert row["竣工时间"] == "2025-09-30" and row["投产时间"] == ""
    # The exported file reads back as it is: nothing changes and nothing is claimed twice.
    book = openpyxl.Workbook()
    book.active.append(list(exported.headers))
    book.active.append(list(exported[0]))
    buffer = io.BytesIO()
    book.save(buffer)
    report = run(user, buffer.getvalue())
    assert report.ok and report.skip == 1, (report.issues, report.warnings)
    assert project.moves.filter(to_stage="completed").count() == 1

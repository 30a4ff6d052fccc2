"""Dispatch reports: exact numbers on a handcrafted district, the same numbers in Word, 三未 lists, decisions."""

from __future__ import annotations

import datetime
import io
import json
import re
from decimal import Decimal
from typing import Any

import docx
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhaoshang.core.factories import DepartmentFactory
from zhaoshang.core.jobs import job_submit
from zhaoshang.core.models import District
from zhaoshang.projects.delivery.dispatch.sections import dispatch_sections
from zhaoshang.projects.delivery.dispatch.services import (
    DispatchError,
    dispatch_build,
    dispatch_decision_add,
    dispatch_period_default,
)
from zhaoshang.projects.factories import FundsEntryFactory, ProjectFactory, StageMoveFactory
from zhaoshang.projects.management.commands.dispatch import Command as DispatchCommand
from zhaoshang.projects.models import Blocker, DispatchReport, WeeklyTask

D = datetime.date
START, END, TODAY = D(2026, 11, 1), D(2026, 11, 15), D(2026, 11, 20)


def _move(project: Any, to_stage: str, date: datetime.date, verifier: Any, from_stage: str = "signed") -> Any:
    return StageMoveFactory(
        project=project,
        from_stage=from_stage,
        to_stage=to_stage,
        date=date,
        verified_by=verifier,
        verified_at=timezone.now() if verifier else None,
    )


@pytest.fixture
def zhangdian(org: Any, users: Any, as_test_actor: None) -> dict[str, Any]:
    """张店区, empty in the demo, filled by hand: every number of the report is known."""
    district = District.objects.get(adcode="370303")
    admin = users["city_admin"]
    land = DepartmentFactory(district=district, name="张店区自然资源局", short_name="自然资源")
    build = DepartmentFactory(district=district, name="张店区住房和城乡建设局", short_name="住建")

    def project(name: str, stage: str, wan: int, **kwargs: Any) -> Any:
        kwargs.setdefault("signed_date", None)
        return ProjectFactory(district=district, name=name, stage=stage, total_investment=wan, **kwargs)

    p = {
        "甲": project("甲项目", "signed", 50000, signed_date=D(2026, 10, 1), promised_start_date=D(2026, 11, 10)),
        "乙": project("乙项目", "registered", 30000, signed_date=D(2026, 11, 5), status="delayed",
                     status_reason="土地报批慢"),
        "丙": project("丙项目", "started", 120000, signed_date=D(2026, 1, 5), started_date=D(2026, 6, 1)),
        "丁": project("丁项目", "started", 80000, signed_date=D(2026, 3, 5), started_date=D(2026, 10, 1)),
        "戊": project("戊项目", "completed", 60000, signed_date=D(2025, 3, 5), status="stalled",
                     status_reason="市场变化"),
        "己": project("己项目", "completed", 40000, signed_date=D(2025, 5, 5)),
        "庚": project("庚项目", "production", 100000, signed_date=D(2024, 5, 5)),
        "辛": project("辛项目", "signed", 99999, status="terminated", status_reason="投资方撤资"),
    }  # fmt: skip
    for n in range(3):
        project(f"储备项目{n}", "reserve", 10000)
    _move(p["乙"], "registered", D(2026, 11, 8), admin)  # in the period, verified
    _move(p["庚"], "production", D(2026, 11, 12), admin, from_stage="completed")  # in the period, verified
    _move(p["甲"], "registered", D(2026, 11, 9), None)  # pending: does not count
    _move(p["丙"], "started", D(2026, 6, 1), admin, from_stage="land")
    _move(p["丁"], "started", D(2026, 10, 1), admin, from_stage="land")  # 45 days before the end
    _move(p["戊"], "completed", D(2026, 7, 1), admin, from_stage="started")  # 137 days before the end
    _move(p["己"], "completed", D(2026, 10, 1), admin, from_stage="started")

    def task(project: Any, due: datetime.date, department: Any = None, status: str = "todo") -> Any:
        monday = due - datetime.timedelta(days=due.weekday())
        return WeeklyTask.objects.create(
            project=project,
            week=monday,
            title=f"任务{due}",
            department=department,
            due_date=due,
            status=status,
        )

    task(p["甲"], D(2026, 11, 10), land)  # overdue
    task(p["丙"], D(2026, 11, 14), land, "doing")  # overdue
    task(p["丙"], D(2026, 11, 12), build, "done")  # done
    task(p["乙"], D(2026, 11, 16), build)  # due on the day after the period: not yet overdue
    task(p["辛"], D(2026, 11, 1), build)  # terminated project: left out
    task(p["丁"], D(2026, 11, 2))  # no department

    def blocker(project: Any, title: str, status: str, **kwargs: Any) -> Any:
        return Blocker.objects.create(project=project, title=title, status=status, raised_by=admin, **kwargs)

    blocker(p["甲"], "用地指标未落实", "assigned", department=land, deadline=D(2026, 11, 10), level=1)
    blocker(p["丙"], "施工用电增容", "in_progress", department=build, deadline=D(2026, 11, 30))
    blocker(p["戊"], "销售渠道受阻", "raised")
    blocker(p["丙"], "已解决的堵点", "solved", department=build, deadline=D(2026, 11, 5))

    FundsEntryFactory(
        project=p["丙"], date=D(2026, 11, 3), amount=Decimal("2000.50"), origin="outside_province"
    )
    FundsEntryFactory(project=p["丙"], date=D(2026, 11, 15), amount=1000, origin="outside_province")
    FundsEntryFactory(project=p["庚"], date=D(2026, 11, 10), amount=500, origin="local")
    FundsEntryFactory(project=p["丁"], date=D(2026, 10, 31), amount=999, origin="outside_city")  # before
    FundsEntryFactory(project=p["戊"], date=D(2026, 11, 1), amount=Decimal("250.25"), origin="abroad")
    return {"district": district, "projects": p, "admin": admin}


def _build(zhangdian: dict[str, Any], **kwargs: Any) -> DispatchReport:
    return dispatch_build(
        district=zhangdian["district"], period_start=START, period_end=END, user=zhangdian["admin"], today=TODAY,
        **kwargs,
    )  # fmt: skip


def test_numbers_on_a_handcrafted_district(zhangdian: dict[str, Any]) -> None:
    report = _build(zhangdian)
    s = report.summary
    assert report.title == "张店区重点项目推进调度报告(第1期)"
    assert s["period"] == {"start": "2026-11-01", "end": "2026-11-15", "as_of": "2026-11-16"}
    stages = {row["code"]: (row["count"], row["investment_yi"]) for row in s["stages"]}
    assert stages == {
        "reserve": (3, "3.00"),
        "lead": (0, "0.00"),
        "negotiation": (0, "0.00"),
        "signed": (1, "5.00"),
        "registered": (1, "3.00"),
        "land": (0, "0.00"),
        "started": (2, "20.00"),
        "completed": (2, "10.00"),
        "production": (1, "10.00"),
        "capacity": (0, "0.00"),
    }
    assert s["totals"] == {"count": 10, "investment_yi": "51.00"}
    assert [(m["project"], m["from"], m["to"], m["date"]) for m in s["moves"]] == [
        ("乙项目", "签约", "注册", "2026-11-08"),
        ("庚项目", "竣工", "投产", "2026-11-12"),
    ]
    assert [(d["project"], d["status"], d["reason"]) for d in s["delayed"]] == [
        ("戊项目", "停滞", "市场变化"),
        ("乙项目", "滞后", "土地报批慢"),
    ]
    assert s["tasks"] == {
        "overdue_total": 3,
        "by_department": [
            {"department": "自然资源", "overdue": 2},
            {"department": "未指定部门", "overdue": 1},
        ],
    }
    blockers = s["blockers"]
    assert (blockers["open_total"], blockers["overdue_total"]) == (3, 1)
    assert blockers["by_department"] == [
        {"department": "住建", "open": 1, "overdue": 0, "level": 0},
        {"department": "未交办", "open": 1, "overdue": 0, "level": 0},
        {"department": "自然资源", "open": 1, "overdue": 1, "level": 1},
    ]
    assert s["funds"]["total_wan"] == "3750.75" and s["funds"]["out_of_province_wan"] == "3000.50"
    assert {r["origin"]: r["amount_wan"] for r in s["funds"]["by_origin"]} == {
        "local": "500.00",
        "outside_city": "0.00",
        "outside_province": "3000.50",
        "abroad": "250.25",
    }
    assert s["reserve"] == {"count": 3, "minimum": 100, "met": False, "gap": 97}


def test_sanwei_lists_and_district_thresholds(zhangdian: dict[str, Any]) -> None:
    s = _build(zhangdian).summary["sanwei"]
    assert [(r["project"], r["days"], r["past_promised_start"]) for r in s["signed_not_started"]] == [
        ("甲项目", 45, True),
        ("乙项目", 10, False),
    ]
    assert [(r["project"], r["last_move"], r["days"]) for r in s["started_not_progressing"]] == [
        ("丙项目", "2026-06-01", 167)
    ]
    assert [(r["project"], r["completed_date"], r["days"]) for r in s["built_not_completed"]] == [
        ("戊项目", "2026-07-01", 137)
    ]
    district = zhangdian["district"]
    district.settings = {
        "dispatch": {"signed_not_started_days": 30, "stalled_days": 30, "reserve_minimum": 3}
    }
    district.save()
    report = dispatch_build(
        district=district, period_start=START, period_end=END, user=zhangdian["admin"], today=TODAY
    )
    s = report.summary["sanwei"]
    assert [r["project"] for r in s["signed_not_started"]] == ["甲项目"]
    assert [r["project"] for r in s["started_not_progressing"]] == ["丙项目", "丁项目"]
    assert report.summary["reserve"] == {"count": 3, "minimum": 3, "met": True, "gap": 0}
    assert report.summary["thresholds"]["built_not_completed_days"] == 90


def _docx_tables(report: DispatchReport) -> tuple[Any, list[list[list[str]]]]:
    with report.document.open("rb") as handle:
        document = docx.Document(io.BytesIO(handle.read()))
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return document, tables


def test_word_file_holds_the_same_numbers(zhangdian: dict[str, Any]) -> None:
    report = _build(zhangdian)
    document, tables = _docx_tables(report)
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "张店区重点项目推进调度报告(第1期)"
    assert paragraphs[1] == "(2026年11月1日—2026年11月15日)"
    # Every table of the page is in the file, cell for cell, in order.
    expected = [
        [t.headers, *t.rows] for section in dispatch_sections(report.summary, report.minutes) for t in section.tables
        if t.rows
    ]  # fmt: skip
    assert tables == expected
    stage_table = tables[0]
    assert stage_table[0] == ["阶段", "项目数(个)", "总投资(亿元)"]
    assert ["开工", "2", "20.00"] in stage_table and stage_table[-1] == ["合计", "10", "51.00"]
    funds = next(t for t in tables if t[0] == ["资金来源地", "到位资金(万元)"])
    # Amounts grouped under the header's unit; the text in 亿元 from 1 亿 up, else grouped 万元, with the unit.
    assert funds[1:] == [["本地", "500.00"], ["市外省内", "0.00"], ["省外", "3,000.50"], ["境外", "250.25"],
                         ["合计", "3,750.75"]]  # fmt: skip
    assert "本期到位资金 3,750.75 万元,其中省外资金 3,000.5 万元。" in paragraphs
    assert "储备项目 3 个,要求滚动保持不少于 100 个,尚差 97 个。" in paragraphs
    assert "未解决堵点 3 个,其中超过办结时限 1 个。" in paragraphs
    # Out-of-province money in bold; 黑体 for the title and 仿宋 for the body, as East Asian fonts.
    funds_table = next(t for t in document.tables if t.rows[0].cells[0].text == "资金来源地")
    assert funds_table.rows[3].cells[1].paragraphs[0].runs[0].bold is True
    assert not funds_table.rows[1].cells[1].paragraphs[0].runs[0].bold
    east_asian = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    title_fonts = document.paragraphs[0].runs[0]._element.rPr.rFonts
    assert title_fonts.get(east_asian) == "黑体"
    assert document.styles["Normal"].element.rPr.rFonts.get(east_asian) == "仿宋"


def test_page_shows_the_report_and_its_word_file(zhangdian: dict[str, Any], client_for: Any) -> None:
    report = _build(zhangdian)
    city = client_for("city_admin")
    html = city.get(reverse("dispatch_detail", args=[report.pk])).content.decode()
    for text in (
        "张店区重点项目推进调度报告(第1期)",
        "3,000.50",
        "51.00",
        "丙项目",
        "用地指标未落实",
        "尚差 97 个",
    ):
        assert text in html
    download = city.get(reverse("dispatch_document", args=[report.pk]))
    assert download.status_code == 200
    assert docx.Document(io.BytesIO(b"".join(download.streaming_content))).paragraphs[0].text == report.title
    outsider = client_for("linzi_admin")  # Zhangdian is not Linzi's
    assert outsider.get(reverse("dispatch_detail", args=[report.pk])).status_code == 404
    assert outsider.get(reverse("dispatch_document", args=[report.pk])).status_code == 404


def test_numbering_rebuild_and_decisions(zhangdian: dict[str, Any]) -> None:
    first = _build(zhangdian)
    second = dispatch_build(
        district=zhangdian["district"], period_start=D(2026, 11, 16), period_end=D(2026, 11, 30),
        user=zhangdian["admin"], today=D(2026, 12, 1),
    )  # fmt: skip
    assert second.title.endswith("(第2期)")
    p = zhangdian["projects"]
    land = Blocker.objects.filter(project=p["甲"]).first().department
    task = dispatch_decision_add(
        report=first, project=p["甲"], kind="task", text="12月10日前完成供地组卷", department=land,
        due_date=D(2026, 12, 10), user=zhangdian["admin"],
    )  # fmt: skip
    assert isinstance(task, WeeklyTask) and task.week == D(2026, 12, 7) and task.department == land
    blocker = dispatch_decision_add(
        report=first, project=p["丙"], kind="blocker", text="协调供电公司增容", department=land,
        due_date=timezone.localdate() + datetime.timedelta(days=7), user=zhangdian["admin"],
    )  # fmt: skip
    assert isinstance(blocker, Blocker) and blocker.status == "assigned"
    with pytest.raises(DispatchError, match="区县"):
        dispatch_decision_add(
            report=first, project=ProjectFactory(name="别区项目"), kind="task", text="x", user=zhangdian["admin"],
            due_date=D(2026, 12, 10),
        )  # fmt: skip
    first.refresh_from_db()
    assert [d["text"] for d in first.summary["decisions"]] == ["12月10日前完成供地组卷", "协调供电公司增容"]
    _document, tables = _docx_tables(first)
    assert tables[-1][0] == ["项目", "类型", "事项", "责任部门", "时限"]
    assert tables[-1][1] == ["甲项目", "周任务", "12月10日前完成供地组卷", "自然资源", "2026-12-10"]
    # Building the same period again refreshes the numbers and keeps the report, its number and its decisions.
    again = _build(zhangdian, minutes="一、会议听取了各项目进展。")
    assert again.pk == first.pk and again.title == first.title and len(again.summary["decisions"]) == 2
    document, _tables = _docx_tables(again)
    assert "一、会议听取了各项目进展。" in [p.text for p in document.paragraphs]
    with pytest.raises(DispatchError, match="截止日期不能早于起始日期"):
        dispatch_build(
            district=zhangdian["district"], period_start=END, period_end=START, user=zhangdian["admin"]
        )


def test_decision_form_on_the_page(org: Any, users: Any, client_for: Any) -> None:
    linzi = org["linzi_district"]
    report = dispatch_build(district=linzi, period_start=START, period_end=END, user=users["linzi_admin"])
    project = ProjectFactory(district=linzi, name="调度会议定项目")
    url = reverse("dispatch_decision", args=[report.pk])
    data = {
        "project": project.pk,
        "kind": "task",
        "text": "本周内完成规划条件核定",
        "department": org["linzi"]["departments"]["自然资源"].pk,
        "due_date": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
    }
    assert client_for("huantai_admin").post(url, data).status_code == 404
    assert client_for("linzi_clerk").post(url, data).status_code == 403  # the clerk cannot add tasks
    assert client_for("linzi_chief").post(url, data).status_code == 302
    task = WeeklyTask.objects.get(title="本周内完成规划条件核定")
    assert task.project == project and task.history.first().history_user == users["linzi_chief"]
    assert client_for("linzi_clerk").post(reverse("dispatch_rebuild", args=[report.pk])).status_code == 403
    minutes = client_for("linzi_clerk").post(
        reverse("dispatch_minutes", args=[report.pk]), {"minutes": "纪要"}
    )
    assert minutes.status_code == 302
    report.refresh_from_db()
    assert report.minutes == "纪要" and len(report.summary["decisions"]) == 1


def test_job_page_and_command(org: Any, users: Any, client_for: Any, tmp_path: Any) -> None:
    linzi = org["linzi_district"]
    job = job_submit(
        kind="dispatch-build",
        title="调度报告",
        user=users["linzi_admin"],
        params={"district": linzi.pk, "start": "2026-10-16", "end": "2026-10-31"},
    )
    assert job.status == "succeeded", job.result
    report = DispatchReport.objects.get(pk=job.result["report"])
    assert report.period_end == D(2026, 10, 31) and report.document
    response = client_for("linzi_chief").post(
        reverse("dispatch_build"),
        {"district": linzi.pk, "period_start": "2026-09-01", "period_end": "2026-09-15"},
    )
    built = DispatchReport.objects.get(district=linzi, period_start=D(2026, 9, 1))
    assert response.status_code == 302 and response["Location"] == reverse("dispatch_detail", args=[built.pk])
    assert client_for("linzi_clerk").get(reverse("dispatch_build")).status_code == 403
    assert (
        client_for("huantai_admin")
        .post(
            reverse("dispatch_build"),
            {"district": linzi.pk, "period_start": "2026-09-01", "period_end": "2026-09-15"},
        )
        .status_code
        == 400
    )

    out, target = io.StringIO(), tmp_path / "调度.docx"
    call_command(
        DispatchCommand(), "--district", "370305", "--start", "2026-11-01", "--end", "2026-11-15",
        "-o", str(target), stdout=out,
    )  # fmt: skip
    assert "临淄区重点项目推进调度报告" in out.getvalue()
    assert docx.Document(str(target)).paragraphs[0].text.startswith("临淄区重点项目推进调度报告")
    cli = DispatchReport.objects.get(district=linzi, period_start=START)
    assert cli.history.first().history_change_reason == "cli"
    out = io.StringIO()
    call_command(DispatchCommand(), "--district", "370305", "--start", "2026-11-01", "--end", "2026-11-15",
                 "--format", "json", stdout=out)  # fmt: skip
    assert json.loads(out.getvalue())["totals"] == DispatchReport.objects.get(pk=cli.pk).summary["totals"]
    with pytest.raises(CommandError, match="不存在或不在权限范围内"):
        call_command(DispatchCommand(), "--district", "370305", "--as", "huantai_admin")


@pytest.mark.parametrize(
    ("today", "period"),
    [
        (D(2026, 11, 28), (D(2026, 11, 1), D(2026, 11, 15))),
        (D(2026, 11, 16), (D(2026, 11, 1), D(2026, 11, 15))),
        (D(2026, 11, 15), (D(2026, 10, 16), D(2026, 10, 31))),
        (D(2026, 3, 1), (D(2026, 2, 16), D(2026, 2, 28))),
        (D(2026, 1, 10), (D(2025, 12, 16), D(2025, 12, 31))),
    ],
)
def test_default_period_is_the_last_half_month(today: datetime.date, period: Any) -> None:
    assert dispatch_period_default(today) == period


def _fill(district: District, count: int, admin: Any) -> None:
    department = DepartmentFactory(district=district)
    for n in range(count):
        stage = ["signed", "started", "completed", "reserve"][n % 4]
        project = ProjectFactory(
            district=district,
            name=f"规模项目{district.adcode}-{n}",
            stage=stage,
            status=["on_track", "delayed"][n % 2],
        )
        _move(project, stage, D(2026, 11, 2), admin)
        WeeklyTask.objects.create(
            project=project, week=D(2026, 11, 2), title="任务", department=department, due_date=D(2026, 11, 6)
        )
        Blocker.objects.create(
            project=project, title="堵点", department=department, deadline=D(2026, 11, 6), status="assigned",
            raised_by=admin,
        )  # fmt: skip
        FundsEntryFactory(project=project, date=D(2026, 11, 3), amount=100)


def _queries(action: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


@pytest.mark.usefixtures("as_test_actor")
def test_query_count_does_not_grow_with_the_projects(org: Any, users: Any, client_for: Any) -> None:
    district = District.objects.get(adcode="370302")
    admin_id = users["city_admin"].pk

    def build(start: datetime.date) -> DispatchReport:
        return dispatch_build(
            district=district, period_start=start, period_end=END, user=get_user_model().objects.get(pk=admin_id),
            today=TODAY,
        )  # fmt: skip

    _fill(district, 10, users["city_admin"])
    small: list[DispatchReport] = []
    build_small = _queries(lambda: small.append(build(D(2026, 11, 1))))
    client = client_for("city_admin")
    page_small = _queries(lambda: client.get(reverse("dispatch_detail", args=[small[0].pk])))
    _fill(district, 90, users["city_admin"])
    large: list[DispatchReport] = []
    build_large = _queries(lambda: large.append(build(D(2026, 11, 2))))
    page_large = _queries(lambda: client.get(reverse("dispatch_detail", args=[large[0].pk])))
    assert large[0].summary["totals"]["count"] == 100 and small[0].summary["totals"]["count"] == 10
    assert build_large == build_small
    assert page_large == page_small


def test_decision_form_searches_projects_instead_of_listing_them(
    org: Any, users: Any, client_for: Any
) -> None:
    from zhaoshang.core.search_select import SEARCH_THRESHOLD
    from zhaoshang.projects.models import Project

    district = District.objects.get(adcode="370303")
    report = dispatch_build(district=district, period_start=START, period_end=END, user=users["city_admin"])
    client = client_for("city_admin")

    def add_projects(count: int, prefix: str) -> list[Project]:
        rows = ProjectFactory.build_batch(count, district=district)
        for index, row in enumerate(rows):
            row.name = f"{prefix}{index:04d}"
        return Project.objects.bulk_create(rows)

    def options() -> int:
        html = client.get(reverse("dispatch_detail", args=[report.pk])).content.decode()
        assert 'name="q"' in html and 'placeholder="输入名称搜索"' in html
        return html.count("<option")

    projects = add_projects(SEARCH_THRESHOLD + 1, "张店调度项目")
    few = options()
    add_projects(300, "张店储备项目")
    assert options() == few < 30  # the select holds a blank only; departments and kinds are the rest
    # The lookup offers what the decision form accepts: this district's projects, not terminated ones.
    Project.objects.filter(pk=projects[0].pk).update(status=Project.Status.TERMINATED)
    html = client.get(reverse("dispatch_detail", args=[report.pk])).content.decode()
    lookup = re.search(r'<input type="search"[^>]*hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")
    found = client.get(f"{lookup}&q=张店调度项目000").content.decode()
    assert "张店调度项目0000" not in found and "张店调度项目0001" in found
    ProjectFactory(district=org["linzi_district"], name="临淄调度项目")  # the city admin sees it elsewhere
    assert "临淄调度项目" not in client.get(f"{lookup}&q=调度项目").content.decode()
    data = {"project": projects[7].pk, "kind": "task", "text": "完成供地", "due_date": "2026-12-10"}
    assert client.post(reverse("dispatch_decision", args=[report.pk]), data).status_code == 302
    assert WeeklyTask.objects.get(title="完成供地").project == projects[7]

"""The 发改 推进情况表 as officials circulate it goes in unchanged: title and 单位 rows, units in headers, districts
and functional zones by name, list wordings with their years, dates as written, 过百亿, empty cells that keep
stored values, dated stage claims, and probable duplicates that stop the import until a person decides."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhaoshang.core.importing import ImportReport, import_run, read_table
from zhaoshang.core.models import District
from zhaoshang.projects.models import ListLevel, Project, ProjectListing, StageMove
from zhaoshang.projects.resources import ProjectResource
from zhaoshang.projects.services import LEDGER_EVIDENCE
from zhaoshang.projects.wordings import list_wordings

SAMPLE = Path(__file__).parent.parent / "fixtures" / "重大项目推进情况表_示例.xlsx"


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


@pytest.fixture
def zone(org: Any) -> District:
    """A functional zone of the demo city, listed beside its counties as officials' tables do."""
    city = District.objects.get(adcode="370305").city
    return District.objects.create(city=city, kind=District.Kind.ZONE, adcode="370391", name="XX高新区")


def run(
    user: Any, content: bytes, *, name: str = "t.xlsx", dry_run: bool = False, **options: Any
) -> ImportReport:
    resource = ProjectResource(user=user, **options)
    dataset = read_table(name, content, key=resource.header_key())
    return import_run(resource=resource, dataset=dataset, user=user, dry_run=dry_run)


def test_the_sample_table_goes_in_with_every_column_accounted_for(users: Any, zone: District) -> None:
    user = users["city_admin"]
    report = run(user, SAMPLE.read_bytes(), dry_run=True)
    assert report.ok, report.issues
    assert report.header_row == 3 and report.table_year == 2025
    used, ignored = report.columns["used"], report.columns["ignored"]
    assert "所在区县(功能区)" in used and "总投资(亿元)" in used and "年度计划投资(亿元)" in used
    assert {"项目单位", "建设内容及规模", "项目类别", "建设性质", "开工时间", "备注"} <= set(used)
    assert set(ignored) == {"序号", "项目进展情况", "达产后效益"}
    headers = [c.value for c in openpyxl.load_workbook(SAMPLE).active[3]]
    assert sorted(used + ignored) == sorted(headers)
    warnings = {(w.row, w.column): w.message for w in report.warnings}
    # Row numbers are the spreadsheet's: the title and the 单位 rows are counted.
    assert "过百亿" in warnings[(4, "总投资")]
    assert "没有年份" in warnings[(5, "开工时间")]
    assert "首季集中开工" in warnings[(8, "开工时间")]
    assert (6, "开工时间") in warnings  # 2024年11月: dated the 1st, said so
    assert report.new == 6 and not report.committed
    assert not Project.objects.filter(name__startswith="示例").exists()

    done = run(user, SAMPLE.read_bytes(), duplicates="new")
    assert done.committed, (done.issues, done.duplicates)
    projects = {p.name: p for p in Project.objects.filter(name__startswith="示例")}
    chem = projects["示例化工新材料一体化项目"]
    assert chem.total_investment is None  # 过百亿 is a size, not an amount
    assert chem.project_unit == "示例化工集团有限公司" and chem.construction_nature == Project.Nature.NEW
    assert chem.tier == Project.Tier.PROVINCIAL and chem.district.adcode == "370305"
    pharma = projects["示例医药包装扩产项目"]
    assert pharma.total_investment == Decimal("86000")  # 8.6 under 总投资(亿元)
    assert pharma.construction_nature == Project.Nature.EXPANSION and pharma.tier == Project.Tier.MUNICIPAL
    retrofit = projects["示例电子材料技术改造项目"]
    assert retrofit.construction_nature == Project.Nature.RETROFIT
    assert retrofit.listings.get().planned_investment == Decimal("52000")
    assert retrofit.listings.get().level == ListLevel.PROVINCIAL_PROGRAMME
    assert projects["示例集成电路载板项目"].district == zone
    both = projects["示例氢能装备产业园项目"]
    assert set(both.listings.values_list("level", "year")) == {
        (ListLevel.PROVINCIAL_MAJOR, 2025),
        (ListLevel.MUNICIPAL_MAJOR, 2025),
    }
    assert projects["示例尼龙新材料二期项目"].listings.get().year == 2024  # the wording's own year wins
    assert chem.listings.get().wording == "省重大项目(2025年)"
    # 开工时间 is a claim dated as written, waiting for a reviewer; the project is held below it.
    move = StageMove.objects.get(project=chem, to_stage="started")
    assert move.date == datetime.date(2025, 3, 18) and move.verified_at is None
    assert move.evidence_note == LEDGER_EVIDENCE and chem.stage == "negotiation" and chem.started_date is None
    assert StageMove.objects.get(project=retrofit, to_stage="started").date == datetime.date(2024, 11, 1)
    # No year, no date: no claim at all.
    assert not StageMove.objects.filter(project__in=[pharma, both]).exists()


def test_an_empty_cell_keeps_the_stored_value_and_clearing_is_explicit(users: Any, org: Any) -> None:
    user = users["linzi_admin"]
    project = Project.objects.create(
        district=org["linzi_district"],
        name="存量大项目",
        total_investment=Decimal("1200000"),
        content="原内容",
    )
    headers = ["项目名称", "所在区县", "总投资(亿元)", "建设内容", "备注"]
    blank = sheet([["2025年项目表"], headers, ["存量大项目", "临淄区", None, "", "新备注"]])
    preview = run(user, blank, dry_run=True)
    assert preview.ok and preview.update == 1
    changes = preview.preview[0]["changes"]
    assert changes == [["备注", "", "新备注"]] and preview.preview[0]["row"] == 3
    run(user, blank)
    project.refresh_from_db()
    assert project.total_investment == Decimal("1200000") and project.content == "原内容"
    assert project.notes == "新备注"

    cleared = sheet([headers, ["存量大项目", "临淄区", "<清空>", "", ""]])
    assert run(user, cleared).committed
    project.refresh_from_db()
    assert project.total_investment is None and project.content == "原内容"

    project.total_investment = Decimal("1200000")
    project.save()
    assert run(user, blank, clear_empty=True).committed
    project.refresh_from_db()
    assert project.total_investment is None and project.content == ""


def test_unknown_districts_and_list_wordings_are_row_errors_naming_the_value(users: Any, org: Any) -> None:
    content = sheet(
        [
            ["XX市2025年重大项目表"],
            ["单位:万元"],
            ["序号", "项目名称", "所在区县(功能区)", "项目类别", "总投资"],
            [1, "甲项目", "不存在区", "市重大项目", 100],
            [2, "乙项目", "临淄区", "国家重大项目", 100],
            [3, "丙项目", "桓台县", "市重大项目", 100],
        ]
    )
    report = run(users["linzi_admin"], content)
    issues = {(i.row, i.column): i.message for i in report.issues}
    assert "不存在区" in issues[(4, "区县代码")]
    assert "国家重大项目" in issues[(5, "项目类别")]
    assert "无权在该区县录入数据" in issues[(6, "区县代码")]  # another county: not yours
    assert not report.committed and not Project.objects.filter(name="甲项目").exists()


def test_units_from_the_unit_line_and_headers_and_a_gbk_csv(users: Any, org: Any) -> None:
    text = "临淄区重点项目台账\n单位:亿元\n项目名称,区县,总投资,一期投资(万元),用地(公顷)\n丙项目,临淄区,1.5,300,2\n"
    report = run(users["linzi_admin"], text.encode("gbk"), name="ledger.csv")
    assert report.committed, report.issues
    project = Project.objects.get(name="丙项目")
    assert project.total_investment == Decimal("15000")  # the 单位 line: 亿元
    assert project.first_phase_investment == Decimal("300")  # the header's own unit wins
    assert project.land_mu == Decimal("30")  # 2 公顷
    assert report.header_row == 3 and report.warnings == []


def test_list_wordings_carry_their_levels_and_years() -> None:
    assert list_wordings("省重大项目(2025年)") == [("provincial_major", 2025, "省重大项目(2025年)")]
    assert [level for level, _y, _t in list_wordings("省市重大项目")] == [
        "provincial_major",
        "municipal_major",
    ]
    assert list_wordings("省重大工程")[0][:2] == ("provincial_programme", None)
    assert list_wordings("2024年市重点项目、区重点")[0][:2] == ("municipal_key", 2024)
    assert list_wordings("一般") == []
    with pytest.raises(ValueError):
        list_wordings("国家重大项目")


def test_a_listing_without_a_year_anywhere_takes_the_import_year_with_a_warning(users: Any, org: Any) -> None:
    content = sheet(
        [["项目名称", "区县", "项目类别", "年度计划投资(亿元)"], ["丁项目", "临淄区", "市重点项目", 2]]
    )
    report = run(users["linzi_admin"], content)
    assert report.committed
    listing = ProjectListing.objects.get(project__name="丁项目")
    assert listing.level == ListLevel.MUNICIPAL_KEY and listing.planned_investment == Decimal("20000")
    assert any("按导入年度" in w.message for w in report.warnings)


def test_a_claimed_date_on_an_existing_project_is_a_pending_move_dated_as_claimed(
    users: Any, org: Any
) -> None:
    user = users["linzi_admin"]
    project = Project.objects.create(district=org["linzi_district"], name="在建项目", stage="land")
    content = sheet([["项目名称", "区县", "开工时间"], ["在建项目", "临淄区", "2024年12月19日"]])
    report = run(user, content)
    assert report.committed and report.update == 1
    project.refresh_from_db()
    move = project.moves.get(to_stage="started")
    assert (move.date, move.from_stage, move.verified_at) == (datetime.date(2024, 12, 19), "land", None)
    assert project.stage == "land"
    # The same file again claims nothing twice.
    again = run(user, content)
    assert again.skip == 1 and project.moves.filter(to_stage="started").count() == 1


DUPLICATE_FILE = [
    ["项目名称", "所在区县", "总投资(亿元)"],
    ["中国石化齐鲁石化鲁油鲁炼转型升级技术改造项目", "临淄区", 13],
]


@pytest.mark.parametrize("policy", ["stop", "update", "new", "skip"])
def test_a_probable_duplicate_stops_the_import_unless_told(users: Any, org: Any, policy: str) -> None:
    user = users["linzi_admin"]
    # The demo's Linzi ledger has it under its short name, as the issue found it.
    existing = Project.objects.filter(district=org["linzi_district"], name="鲁油鲁炼转型升级项目").first()
    if existing is None:
        existing = Project.objects.create(district=org["linzi_district"], name="鲁油鲁炼转型升级项目")
    before = Project.objects.count()
    report = run(user, sheet(DUPLICATE_FILE), duplicates=policy)
    assert report.ok
    found = [d for d in report.duplicates if d.existing_id == existing.pk]
    assert found and found[0].row == 2 and found[0].probable and found[0].reason
    existing.refresh_from_db()
    if policy == "stop":
        assert report.stopped_on_duplicates and not report.committed
        assert Project.objects.count() == before
    elif policy == "update":
        assert report.committed and report.update == 1 and Project.objects.count() == before
        assert existing.total_investment == Decimal("130000")
        assert (
            existing.name == DUPLICATE_FILE[1][0]
        )  # the file's (official) name, shown old → new in the preview
    elif policy == "new":
        assert report.committed and report.new == 1 and Project.objects.count() == before + 1
    else:
        assert report.committed and report.skip == 1 and Project.objects.count() == before


def test_cli_json_reports_columns_warnings_and_duplicates(users: Any, zone: District, tmp_path: Path) -> None:
    Project.objects.create(district=District.objects.get(adcode="370305"), name="尼龙新材料二期项目")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "project", str(SAMPLE), "--format", "json", "--as", "city_admin", stdout=out)
    data = json.loads(out.getvalue())
    assert data["ok"] and not data["committed"] and data["stopped_on_duplicates"]
    assert "序号" in data["columns"]["ignored"] and "总投资(亿元)" in data["columns"]["used"]
    assert {"row": 4, "column": "总投资"} in [{k: w[k] for k in ("row", "column")} for w in data["warnings"]]
    duplicate = next(d for d in data["duplicates"] if d["existing_name"] == "尼龙新材料二期项目")
    assert duplicate["row"] == 9 and duplicate["existing_id"] and duplicate["reason"]

    out = io.StringIO()
    call_command(
        "import",
        "project",
        str(SAMPLE),
        "--format",
        "json",
        "--as",
        "city_admin",
        "--duplicates",
        "new",
        stdout=out,
    )
    assert json.loads(out.getvalue())["committed"]


def test_the_wizard_shows_columns_warnings_duplicates_and_asks_what_to_do(
    users: Any, zone: District, client_for: Any
) -> None:
    from django.urls import reverse

    from zhaoshang.core.models import Job

    Project.objects.create(district=District.objects.get(adcode="370305"), name="尼龙新材料二期项目")
    client = client_for("city_admin")
    upload = io.BytesIO(SAMPLE.read_bytes())
    upload.name = "推进情况表.xlsx"
    response = client.post(reverse("project_import"), {"file": upload})
    assert response.status_code == 302
    preview = Job.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert preview.result["stopped_on_duplicates"] and not preview.result["committed"]
    page = client.get(response.url).content.decode()
    assert 'id="import-columns"' in page and "项目进展情况" in page and "进展文字" in page
    assert 'id="import-warnings"' in page and "过百亿" in page
    assert 'id="import-duplicates"' in page and "尼龙新材料二期项目" in page
    assert 'name="duplicates"' in page
    # Confirming without a choice confirms nothing.
    again = client.post(reverse("import_confirm", args=[preview.pk]))
    assert again.status_code == 302 and again.url == response.url
    assert not Project.objects.filter(name="示例化工新材料一体化项目").exists()

    confirmed = client.post(reverse("import_confirm", args=[preview.pk]), {"duplicates": "skip"})
    job = Job.objects.get(pk=int(confirmed.url.rstrip("/").split("/")[-1]))
    probable_rows = {d["row"] for d in preview.result["duplicates"] if d["probable"]}
    assert 9 in probable_rows
    assert job.result["committed"] and job.result["skip"] == len(probable_rows)
    assert job.result["new"] == 6 - len(probable_rows)
    assert not Project.objects.filter(name="示例尼龙新材料二期项目").exists()
    assert Project.objects.filter(name__startswith="示例").count() == 6 - len(probable_rows)


def test_a_duplicate_in_a_district_out_of_sight_is_not_named(users: Any, org: Any) -> None:
    """项目代码 is matched across the instance, but a Linzi importer learns only that another district has the
    project: neither its name nor its id reaches the preview or the report."""
    code = "2024-370321-26-03-000777"
    Project.objects.create(district=org["huantai_district"], name="桓台保密测试项目", project_code=code)
    rows = [["区县代码", "项目名称", "项目代码"], ["370305", "临淄某新材料项目", code]]
    report = run(users["linzi_admin"], sheet(rows), dry_run=True)
    (found,) = [d for d in report.duplicates if d.reason and d.existing_row is None]
    assert found.existing_id is None and found.existing_name == "其他区县的项目"
    assert "桓台保密测试项目" not in str(report.as_dict())

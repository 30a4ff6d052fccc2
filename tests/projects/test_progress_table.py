"""The monthly 重大项目推进情况表: the official shape, the sums, the verified completions, the gate and the scope."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from zhaoshang.analytics.progress_table import ProjectLine, build_table, rate
from zhaoshang.core.models import District
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import InvestmentCompletion, ProjectListing

URL = "progress_table"


def _open(response: Any) -> Any:
    from openpyxl import load_workbook

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    return load_workbook(io.BytesIO(response.content)).active


def _completion(project: Any, month: int, amount: int, reporter: Any, verifier: Any = None) -> None:
    InvestmentCompletion.objects.create(
        project=project,
        month=datetime.date(2026, month, 1),
        amount=amount,
        reported_by=reporter,
        verified_by=verifier,
        verified_at=timezone.now() if verifier else None,
    )


@pytest.fixture
def listed(org: Any, users: Any, as_test_actor: Any) -> dict[str, Any]:
    """Two Linzi projects and one in a functional zone on the 2026 lists, with monthly completions."""
    linzi = org["linzi_district"]
    zone = District(city=linzi.city, kind="zone", adcode="370391", name="测试高新区")
    zone.full_clean()
    zone.save()
    big = ProjectFactory(
        district=linzi,
        name="推进表测试化工一体化项目",
        total_investment=Decimal("1256649.96"),
        project_unit="测试化工集团有限公司",
        content="年产40万吨聚烯烃",
        construction_nature="new",
        started_date=datetime.date(2025, 3, 18),
        stage="started",
    )
    small = ProjectFactory(district=linzi, name="推进表测试包装扩产项目", total_investment=86000)
    zoned = ProjectFactory(district=zone, name="推进表测试载板项目", total_investment=260000)
    ProjectListing.objects.create(project=big, year=2026, level="provincial_major", planned_investment=200000)
    ProjectListing.objects.create(project=big, year=2026, level="municipal_major", planned_investment=150000)
    ProjectListing.objects.create(project=small, year=2026, level="municipal_major")  # no plan: rate "—"
    ProjectListing.objects.create(project=zoned, year=2026, level="municipal_key", planned_investment=100000)
    ProjectListing.objects.create(project=zoned, year=2025, level="municipal_key", planned_investment=1)
    clerk, admin = users["linzi_clerk"], users["linzi_admin"]
    _completion(big, 1, 30000, clerk, admin)  # counts
    _completion(big, 10, 20000, clerk, admin)  # counts
    _completion(big, 11, 7000, clerk)  # not verified: does not count
    _completion(big, 12, 9000, clerk, admin)  # after November: does not count in 1-11月
    _completion(small, 5, 4000, admin, admin)  # verified by its own reporter: does not count
    _completion(zoned, 6, 25000, clerk, admin)
    return {"linzi": linzi, "zone": zone, "big": big, "small": small, "zoned": zoned}


def _rows(sheet: Any) -> list[tuple[Any, ...]]:
    return list(sheet.iter_rows(min_row=1, values_only=True))


def test_city_table_has_the_official_shape(listed: Any, client_for: Any) -> None:
    city = listed["linzi"].city
    response = client_for("city_admin").get(reverse(URL) + f"?month=2026-11&city={city.pk}&format=xlsx")
    assert "attachment" in response["Content-Disposition"]
    sheet = _open(response)
    rows = _rows(sheet)
    assert rows[0][0] == f"{city.name}2026年11月省市重大项目推进情况表"
    assert "A1:O1" in {str(r) for r in sheet.merged_cells.ranges}
    assert rows[1][-1] == "单位:亿元"
    assert list(rows[2]) == [
        "序号", "项目名称", "项目单位", "所在区县(功能区)", "项目代码", "建设内容及规模", "项目类别", "建设性质",
        "总投资(亿元)", "年度计划投资(亿元)", "1-11月完成投资(亿元)", "投资完成率(%)", "开工时间", "项目进展情况",
        "备注",
    ]  # fmt: skip
    # Print setup: A4 landscape, fitted to the width, the header rows on every page, frozen on screen.
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$3"
    assert sheet.freeze_panes == "C4"
    assert sheet.column_dimensions["B"].width >= 20

    body = rows[3:]
    assert body[0][1].startswith("合计")
    # Groups: a subtotal row (no 序号) then its projects; counties before functional zones.
    groups: list[tuple[tuple[Any, ...], list[tuple[Any, ...]]]] = []
    for row in body[1:]:
        if row[0] in (None, ""):
            groups.append((row, []))
        else:
            groups[-1][1].append(row)
    names = [subtotal[1] for subtotal, _members in groups]
    linzi_at = next(i for i, n in enumerate(names) if listed["linzi"].name in n)
    zone_at = next(i for i, n in enumerate(names) if "测试高新区" in n)
    assert linzi_at < zone_at and "小计" in names[zone_at]
    for subtotal, members in groups:
        for column in (8, 9, 10):  # 总投资, 年度计划投资, 1-N月完成投资: subtotal = sum of its rows
            values = [m[column] for m in members if m[column] is not None]
            if values:
                assert subtotal[column] == pytest.approx(sum(values))
            else:
                assert subtotal[column] is None
    for column in (8, 9, 10):  # the total = the sum of the subtotals
        values = [s[column] for s, _m in groups if s[column] is not None]
        assert body[0][column] == pytest.approx(sum(values))
    # 序号 runs 1..N over the projects, in group order.
    numbers = [m[0] for _s, members in groups for m in members]
    assert numbers == list(range(1, len(numbers) + 1))

    by_name = {m[1]: m for _s, members in groups for m in members}
    big = by_name["推进表测试化工一体化项目"]
    assert big[8] == pytest.approx(125.664996)  # numbers, in 亿元, exact
    assert big[9] == pytest.approx(20.0)  # the highest list's plan (省重大 before 市重大)
    assert big[10] == pytest.approx(5.0)  # January + October verified, not November's unverified one
    assert big[11] == pytest.approx(25.0)
    assert big[6] == "省重大项目、市重大项目" and big[7] == "新建" and big[12] == "2025-03-18"
    assert big[2] == "测试化工集团有限公司" and big[3] == listed["linzi"].name
    small = by_name["推进表测试包装扩产项目"]
    assert small[9] is None and small[10] is None and small[11] == "—"
    zoned = by_name["推进表测试载板项目"]
    assert zoned[3] == "测试高新区" and zoned[11] == pytest.approx(25.0)
    # Numbers as numbers with fixed decimals through number formats.
    cells = {c.row: c for c in sheet["I"]}
    big_row = next(r for r in cells if sheet.cell(row=r, column=2).value == "推进表测试化工一体化项目")
    assert sheet.cell(row=big_row, column=9).data_type == "n"
    assert sheet.cell(row=big_row, column=9).number_format == "#,##0.00"
    assert sheet.cell(row=big_row, column=12).number_format == "0.00"


def test_a_district_table_and_the_scope(listed: Any, client_for: Any) -> None:
    linzi, zone = listed["linzi"], listed["zone"]
    client = client_for("linzi_admin")
    sheet = _open(client.get(reverse(URL) + f"?month=2026-06&district={linzi.pk}&format=xlsx"))
    rows = _rows(sheet)
    assert rows[0][0] == f"{linzi.name}2026年6月省市重大项目推进情况表"
    assert rows[2][10] == "1-6月完成投资(亿元)"
    names = {row[1] for row in rows[3:]}
    assert "推进表测试化工一体化项目" in names and "推进表测试载板项目" not in names
    big = next(row for row in rows if row[1] == "推进表测试化工一体化项目")
    assert big[10] == pytest.approx(3.0)  # only January up to June
    # Another district's zone: nothing there for a Linzi user (its own district is chosen instead of it).
    sheet = _open(client.get(reverse(URL) + f"?month=2026-06&district={zone.pk}&format=xlsx"))
    assert "推进表测试载板项目" not in {row[1] for row in _rows(sheet)}
    # Huantai's administrator sees none of Linzi's projects.
    sheet = _open(client_for("huantai_admin").get(reverse(URL) + "?month=2026-06&format=xlsx"))
    assert not {row[1] for row in _rows(sheet)} & {"推进表测试化工一体化项目", "推进表测试包装扩产项目"}


def test_month_not_begun_and_the_gate(listed: Any, client_for: Any) -> None:
    next_month = (datetime.date.today().replace(day=28) + datetime.timedelta(days=5)).strftime("%Y-%m")
    client = client_for("city_admin")
    assert client.get(reverse(URL) + f"?month={next_month}&format=xlsx").status_code == 404
    assert client.get(reverse(URL) + "?month=2026-13&format=xlsx").status_code == 404
    page = client.get(reverse(URL) + f"?month={next_month}")
    assert page.status_code == 200 and "尚未开始" in page.content.decode()
    # A clerk (view, no export) may look at the page but not take the file; the button is not shown.
    clerk = client_for("linzi_clerk")
    assert clerk.get(reverse(URL) + "?month=2026-11&format=xlsx").status_code == 403
    page = clerk.get(reverse(URL) + "?month=2026-11")
    assert page.status_code == 200 and 'id="export-progress-table"' not in page.content.decode()
    # A city the user sees no district of is nothing there: the whole view's districts instead, never another's.
    assert (
        client_for("huantai_admin")
        .get(reverse(URL) + "?month=2026-11&district=999999&format=xlsx")
        .status_code
        == 200
    )


def test_page_shows_the_table_with_money_in_yi(listed: Any, client_for: Any) -> None:
    city = listed["linzi"].city
    response = client_for("city_admin").get(reverse(URL) + f"?month=2026-11&city={city.pk}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "2026年11月省市重大项目推进情况表" in html
    assert "125.66" in html and "1256649.96" not in html
    assert 'id="export-progress-table"' in html


def test_rates_and_sums_of_the_pure_table() -> None:
    lines = [
        ProjectLine("甲", "370305", "临淄区", False, total_investment=Decimal(100000), planned=Decimal(20000),
                    completed=Decimal(5000)),
        ProjectLine("乙", "370305", "临淄区", False, total_investment=Decimal(50000), completed=Decimal(3000)),
        ProjectLine("丙", "370391", "高新区", True, total_investment=None, planned=Decimal(0)),
        ProjectLine("丁", "370321", "桓台县", False, total_investment=Decimal(8000), planned=Decimal(1000)),
    ]  # fmt: skip
    table = build_table(lines)
    assert [g.name for g in table.groups] == ["临淄区", "桓台县", "高新区"]  # counties, then zones
    linzi = table.groups[0]
    assert [r.line.name for r in linzi.rows] == ["甲", "乙"] and [r.number for r in linzi.rows] == [1, 2]
    assert linzi.sums.total_investment == Decimal(15) and linzi.sums.completed == Decimal("0.8")
    # The group's rate counts only the planned projects' completion: 5000 / 20000, not 8000 / 20000.
    assert linzi.sums.rate == Decimal("25.00")
    zone = table.groups[2]
    assert zone.sums.total_investment is None and zone.rows[0].rate is None and zone.sums.rate is None
    assert table.total.count == 4 and table.total.planned == Decimal("2.1")
    assert table.total.rate == rate(Decimal(5000), Decimal(21000))
    assert rate(Decimal(1), None) is None and rate(None, Decimal(4)) == Decimal("0.00")


def test_cli_writes_the_city_table(listed: Any, tmp_path: Any) -> None:
    from django.core.management import CommandError, call_command
    from openpyxl import load_workbook

    output = tmp_path / "推进情况表.xlsx"
    city = listed["linzi"].city
    call_command(
        "export",
        "progress-table",
        "-o",
        str(output),
        "--month",
        "2026-11",
        "--city",
        city.adcode,
        "--as",
        "city_admin",
    )
    sheet = load_workbook(output).active
    assert sheet["A1"].value == f"{city.name}2026年11月省市重大项目推进情况表"
    assert sheet.page_setup.paperSize == 9
    assert "推进表测试载板项目" in {row[1] for row in sheet.iter_rows(values_only=True)}
    with pytest.raises(CommandError, match="尚未开始"):
        call_command(
            "export", "progress-table", "-o", str(output), "--month", "2099-01", "--as", "city_admin"
        )

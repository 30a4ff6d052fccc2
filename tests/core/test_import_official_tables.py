"""Officials' tables as they are: the header found below title and unit rows, units taken from headers and from a
"单位:" line, synonyms for the columns, every header used or listed as ignored, row numbers as Excel shows them."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from zhaoshang.core.importing import import_run, read_table
from zhaoshang.core.importing.headers import column_key, header_row, layout_above, lookup, split_unit
from zhaoshang.core.models import District, Park, Town
from zhaoshang.core.resources import ParkResource, TownResource
from zhaoshang.standards.parsers import is_approximate_amount


def sheet(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_units_come_from_headers_in_any_bracket() -> None:
    assert split_unit("总投资(亿元)") == ("总投资", "亿元")
    assert split_unit("总投资（亿元）") == ("总投资", "亿元")
    assert split_unit("用地面积（亩）") == ("用地面积", "亩")
    assert split_unit("总投资(单位:万元)") == ("总投资", "万元")
    # A bracket that is not a unit is part of the name.
    assert split_unit("所在区县(功能区)") == ("所在区县(功能区)", "")


def test_the_header_is_the_first_row_naming_known_columns() -> None:
    key = column_key(["项目名称", "区县代码", "总投资"], {"区县代码": ("所在区县(功能区)",)})
    rows = [
        ["XX市2025年重大项目推进情况表"],
        [None, "单位:亿元"],
        ["序号", "项目名称", "所在区县（功能区）", "总投资（亿元）"],
    ]
    assert header_row(rows, key) == 2
    assert lookup("所在区县（功能区）", key) == ("区县代码", "")
    assert lookup("总投资（亿元）", key) == ("总投资", "亿元")
    assert lookup("项目进展情况", key) == (None, "")
    assert layout_above(rows[:2]) == ("XX市2025年重大项目推进情况表", "亿元", 2025)
    # A table whose first row is its header stays as it was read before.
    assert header_row([["项目名称", "总投资"], ["甲", 1]], key) == 0


@pytest.mark.parametrize(
    "text, approximate",
    [("过百亿", True), ("超10亿元", True), ("近5000万", True), ("5亿元以上", True), ("3亿多", True)]
    + [("8.6", False), ("1.2亿元", False), ("1,200万元", False)],
)
def test_sizes_are_told_from_amounts(text: str, approximate: bool) -> None:
    assert is_approximate_amount(text) is approximate


def test_towns_by_district_name_below_a_title_with_row_numbers_as_excel_shows(users: Any, org: Any) -> None:
    content = sheet(
        [
            ["临淄区镇办名单"],
            [],
            ["序号", "所在区县", "名称", "类型", "负责人"],
            [1, "临淄区", "官方镇一", "镇", "张三"],
            [2, "临淄", "官方镇二", "村", "李四"],
        ]
    )
    user = users["linzi_admin"]
    resource = TownResource(user=user)
    dataset = read_table("towns.xlsx", content, key=resource.header_key())
    report = import_run(resource=resource, dataset=dataset, user=user, dry_run=True)
    assert report.header_row == 3
    assert report.columns == {"used": ["所在区县", "名称", "类型"], "ignored": ["序号", "负责人"]}
    by_row = {(i.row, i.column): i.message for i in report.issues}
    # Row 5 in Excel (a blank row and the title above the header are counted).
    assert "“村”不是可选值" in by_row[(5, "类型")]
    assert "临淄" in by_row[(5, "区县代码")]  # a name that is no district's: named in the error
    assert len(by_row) == 2


def test_an_exported_file_keeps_reading_its_code_column_and_ignores_the_name_column(
    users: Any, org: Any
) -> None:
    content = sheet([["区县代码", "区县", "名称", "类型"], ["370305", "临淄区", "导出镇", "镇"]])
    user = users["linzi_admin"]
    resource = TownResource(user=user)
    report = import_run(
        resource=resource,
        dataset=read_table("t.xlsx", content, key=resource.header_key()),
        user=user,
        dry_run=False,
    )
    assert report.committed and report.columns["ignored"] == ["区县"]
    assert "只读" in report.ignored_reasons["区县"]
    assert Town.objects.get(name="导出镇").district.adcode == "370305"


def test_area_units_in_the_header_are_converted(users: Any, org: Any, as_test_actor: Any) -> None:
    content = "区县代码,名称,规划面积(公顷)\n370305,公顷园区,10\n".encode("gbk")
    user = users["linzi_admin"]
    resource = ParkResource(user=user)
    report = import_run(
        resource=resource,
        dataset=read_table("parks.csv", content, key=resource.header_key()),
        user=user,
        dry_run=False,
    )
    assert report.committed, report.issues
    assert Park.objects.get(name="公顷园区").area_mu == Decimal("150")


def test_a_functional_zone_is_found_by_its_name_or_code(users: Any, org: Any, as_test_actor: Any) -> None:
    city = District.objects.get(adcode="370305").city
    zone = District.objects.create(city=city, kind=District.Kind.ZONE, adcode="370391", name="淄博高新区")
    content = sheet(
        [["区县(功能区)", "名称"], ["淄博高新区", "高新镇"], ["370391", "高新街道"], ["高新区", "简称镇"]]
    )
    user = users["city_admin"]
    resource = TownResource(user=user)
    report = import_run(
        resource=resource,
        dataset=read_table("z.xlsx", content, key=resource.header_key()),
        user=user,
        dry_run=True,
    )
    # The city's name in front is optional: 高新区 is 淄博高新区 of this city.
    assert report.ok, report.issues
    assert report.new == 3
    assert zone.is_zone

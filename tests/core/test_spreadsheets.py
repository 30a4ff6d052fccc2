"""The one spreadsheet writer: formula-looking text stays text, numbers stay numbers, in xlsx and in CSV."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from zhaoshang.core.spreadsheets import (
    Sheet,
    csv_bytes,
    csv_text,
    download_response,
    workbook_bytes,
)
from zhaoshang.standards.cells import guarded, unguarded

ATTACKS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://evil")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def _sheet(content: bytes, title: str | None = None) -> Any:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return book[title] if title else book.active


@pytest.mark.parametrize("text", ATTACKS)
def test_formula_looking_text_is_a_text_cell_in_xlsx(text: str) -> None:
    sheet = _sheet(workbook_bytes([Sheet("园区", ["名称"], [[text]])]))
    cell = sheet["A2"]
    assert cell.data_type == "s" and cell.value == text


def test_numbers_stay_numbers_and_text_that_looks_like_one_stays_text() -> None:
    rows = [[1, 2.5, Decimal("3.25"), -4, "-4", None, float("nan"), True, datetime.date(2026, 3, 1)]]
    sheet = _sheet(workbook_bytes([Sheet("数", list("ABCDEFGHI"), rows)]))
    cells = list(sheet.iter_rows(min_row=2))[0]
    assert [c.value for c in cells[:5]] == [1, 2.5, 3.25, -4, "-4"]
    assert [c.data_type for c in cells[:5]] == ["n", "n", "n", "n", "s"]
    assert cells[5].value is None and cells[6].value is None  # no NaN in Excel
    assert cells[7].value is True and cells[8].value.date() == datetime.date(2026, 3, 1)


def test_workbooks_have_a_bold_frozen_header_widths_and_named_sheets() -> None:
    content = workbook_bytes(
        [
            Sheet("目标行业", ["行业代码", "说明"], [["3411", "很长的一段说明文字" * 3]]),
            Sheet("目标[城市]", ["城市"], []),
        ]
    )
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["目标行业", "目标_城市_"]
    sheet = book["目标行业"]
    assert sheet.freeze_panes == "A2" and all(c.font.bold for c in sheet[1])
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width >= 8
    assert sheet.column_dimensions["B"].width <= 60


def test_csv_escapes_the_same_way_and_reads_back() -> None:
    text = csv_text(["名称", "数"], [[attack, -3] for attack in ATTACKS] + [[None, Decimal("1.50")]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["名称", "数"]
    assert [row[0] for row in rows[1:-1]] == ["'" + attack for attack in ATTACKS]
    assert {row[1] for row in rows[1:-1]} == {"-3"}  # a real number is not guarded
    assert rows[-1] == ["", "1.50"]
    assert [unguarded(row[0]) for row in rows[1:-1]] == ATTACKS
    assert guarded("园区") == "园区" and unguarded("'园区") == "'园区"
    assert csv_bytes(["a"], []).startswith("\ufeff".encode())  # Excel reads the BOM as UTF-8


def test_downloads_say_their_type_and_a_utf8_filename() -> None:
    response = download_response(b"x", "考核指标.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E8%80%83%E6%A0%B8%E6%8C%87%E6%A0%87.xlsx"
    )
    assert download_response(b"x", "a.csv")["Content-Type"] == "text/csv; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]


def test_rates_workbook_keeps_a_formula_park_name_as_text(
    org: Any, client_for: Any, as_test_actor: Any
) -> None:
    from zhaoshang.core.models import Park

    attack = "=cmd|' /C calc'!A0"
    park = Park.objects.get(name="齐鲁化学工业区")
    park.name = attack
    park.save()
    response = client_for("city_admin").get(reverse("assessment_rates") + "?group=park&format=xlsx")
    assert response.status_code == 200
    sheet = _sheet(response.content)
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    named = [cell for cell in cells if cell.value == attack]
    assert named and all(cell.data_type == "s" for cell in named)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    rates = [cell for row in sheet.iter_rows(min_row=2) for cell in row[1:] if cell.value is not None]
    assert rates and all(cell.data_type == "n" for cell in rates)

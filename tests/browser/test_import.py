"""Import in a real browser: upload → preview job → confirm → done; a file with bad rows is refused whole."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

pytestmark = pytest.mark.browser

TOWN_HEADER = ["区县代码", "名称", "类型", "乡镇代码"]


def town_workbook(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(TOWN_HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def upload(page: Any, path: Path) -> None:
    page.goto("/town/import/")
    assert page.locator("h1").inner_text() == "导入镇办"
    page.locator("input[type=file][name=file]").set_input_files(str(path))
    page.get_by_role("button", name="上传并预检").click()
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))


def test_import_preview_then_confirm(page_as: Any, tmp_path: Path, shoot: Any) -> None:
    from zhaoshang.core.models import Town

    names = ["浏览器测试镇", "浏览器测试街道"]
    path = town_workbook(
        tmp_path / "镇办.xlsx",
        [["370305", names[0], "镇", ""], ["370305", names[1], "街道", "370305099"]],
    )
    page = page_as("linzi_admin")
    upload(page, path)

    # The dry run: a preview of what would be written, nothing written yet.
    preview = page.locator("#import-preview")
    preview.wait_for(state="visible")
    assert page.locator("#job-state").inner_text() == "已完成"
    rows = preview.locator("tbody tr")
    assert rows.count() == 2
    for name, row in zip(names, rows.all(), strict=True):
        assert name in row.inner_text()
        assert "新增" in row.inner_text()
    assert page.locator("#import-refused").count() == 0
    confirm = page.locator("#import-confirm")
    assert confirm.is_visible()
    assert not Town.objects.filter(name__in=names).exists()
    shoot(page, "import-preview.png")

    # Confirm: a second job commits the file.
    preview_url = page.url
    confirm.click()
    page.wait_for_url(lambda url: url != preview_url and re.search(r"/jobs/\d+/$", url) is not None)
    done = page.locator("#import-done")
    done.wait_for(state="visible")
    assert "新增 2 条" in done.inner_text()
    assert page.locator("#import-confirm").count() == 0

    towns = Town.objects.filter(name__in=names).select_related("district")
    assert {t.name: (t.district.adcode, t.kind, t.code) for t in towns} == {
        names[0]: ("370305", Town.Kind.TOWN, ""),
        names[1]: ("370305", Town.Kind.SUBDISTRICT, "370305099"),
    }
    # Written by the person who confirmed, through the import channel.
    record = towns.get(name=names[0]).history.latest()
    assert record.history_user.username == "linzi_admin"
    assert record.history_change_reason == "import"

    # The list now shows them.
    page.get_by_role("link", name="查看列表").click()
    page.wait_for_url(re.compile(r"/town/$"))
    assert names[0] in page.locator("#object-table").inner_text()


def test_import_with_bad_rows_is_refused_whole(page_as: Any, tmp_path: Path, shoot: Any) -> None:
    from zhaoshang.core.models import Town

    path = town_workbook(
        tmp_path / "镇办-有错.xlsx",
        [
            ["370305", "浏览器好行镇", "镇", ""],  # row 2: fine on its own
            ["379999", "不存在区县镇", "镇", ""],  # row 3: unknown district code
            ["370321", "越权镇", "镇", ""],  # row 4: 桓台县, outside linzi_admin's scope
            ["370305", "类型错误镇", "村", ""],  # row 5: 类型 is not a choice
        ],
    )
    before = Town.objects.count()
    page = page_as("linzi_admin")
    upload(page, path)

    refused = page.locator("#import-refused")
    refused.wait_for(state="visible")
    assert "3 行有问题" in refused.inner_text()
    assert page.locator("#import-confirm").count() == 0
    assert page.locator("#import-preview").count() == 0

    issues = page.locator("#import-issues tbody tr")
    by_row: dict[int, list[tuple[str, str]]] = {}
    for tr in issues.all():
        cells = [td.inner_text().strip() for td in tr.locator("td").all()]
        by_row.setdefault(int(cells[0]), []).append((cells[1], cells[2]))
    assert set(by_row) == {3, 4, 5}, by_row  # spreadsheet numbering: the header is row 1
    assert any(column == "区县代码" and "379999" in message for column, message in by_row[3]), by_row[3]
    assert any(
        column == "区县代码" and ("无权" in message or "370321" in message) for column, message in by_row[4]
    ), by_row[4]
    assert any(column == "类型" and "村" in message for column, message in by_row[5]), by_row[5]
    shoot(page, "import-errors.png")

    # All or nothing: not even the good row was written.
    assert Town.objects.count() == before
    assert not Town.objects.filter(name="浏览器好行镇").exists()
    # And the refused preview cannot be confirmed behind the page's back.
    job_id = int(re.search(r"/jobs/(\d+)/$", page.url).group(1))  # type: ignore[union-attr]
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    response = page.request.post(f"/jobs/{job_id}/confirm/", form={"csrfmiddlewaretoken": token})
    assert response.status == 404
    assert Town.objects.count() == before

"""Imports: all-or-nothing, bad rows reported by row and column, scope enforced; the web flow and the CLI."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from zhaoshang.core.importing import ImportFileError, import_run, read_table
from zhaoshang.core.models import Job, Park, Town
from zhaoshang.core.resources import ParkResource, TownResource

TOWN_HEADERS = ["区县代码", "名称", "类型", "乡镇代码"]


def xlsx(headers: list[str], rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD_AND_BAD = [
    ["370305", "新建镇一", "镇", ""],  # row 2: good
    ["379999", "新建镇二", "镇", ""],  # row 3: no such district
    ["370321", "新建镇三", "街道", ""],  # row 4: Huantai, outside linzi_admin's scope
    ["370305", "新建镇四", "村", ""],  # row 5: not a town kind
    ["370305", "", "镇", ""],  # row 6: name missing
]


def test_file_with_bad_rows_writes_nothing_and_reports_each(org: Any, users: Any) -> None:
    before = Town.objects.count()
    dataset = read_table("towns.xlsx", xlsx(TOWN_HEADERS, GOOD_AND_BAD))
    report = import_run(
        resource=TownResource(user=users["linzi_admin"]),
        dataset=dataset,
        user=users["linzi_admin"],
        dry_run=False,
    )
    assert not report.committed
    assert Town.objects.count() == before
    by_row = {(i.row, i.column): i.message for i in report.issues}
    assert set(r for r, _ in by_row) == {3, 4, 5, 6}
    assert "找不到区县代码“379999”" in by_row[(3, "区县代码")]
    assert "无权在该区县录入数据" in by_row[(4, "区县代码")]
    assert "“村”不是可选值" in by_row[(5, "类型")]
    assert (6, "名称") in by_row


def test_dry_run_of_a_good_file_writes_nothing_then_commit_writes_all(org: Any, users: Any) -> None:
    rows = [["370305", "新建镇一", "镇", "370305101"], ["370305", "新建镇二", "街道", ""]]
    user = users["linzi_admin"]
    dataset = read_table("towns.xlsx", xlsx(TOWN_HEADERS, rows))
    preview = import_run(resource=TownResource(user=user), dataset=dataset, user=user, dry_run=True)
    assert preview.ok and preview.new == 2 and not preview.committed
    assert not Town.objects.filter(name__startswith="新建镇").exists()

    done = import_run(resource=TownResource(user=user), dataset=dataset, user=user, dry_run=False)
    assert done.committed and done.new == 2
    town = Town.objects.get(name="新建镇二")
    assert town.kind == Town.Kind.SUBDISTRICT
    record = town.history.get()
    assert (record.history_user, record.history_change_reason) == (user, "import")

    # The same file again changes nothing: rows are matched on (district, name) and skipped.
    again = import_run(resource=TownResource(user=user), dataset=dataset, user=user, dry_run=False)
    assert again.skip == 2 and again.new == 0 and town.history.count() == 1


def test_updates_only_within_scope(org: Any, users: Any) -> None:
    huantai = users["huantai_admin"]
    # Huantai's admin imports a row naming a Linzi town: not an update of Linzi's record but a refused row.
    dataset = read_table("towns.csv", "区县代码,名称,类型\n370305,辛店街道,镇\n".encode())
    report = import_run(resource=TownResource(user=huantai), dataset=dataset, user=huantai, dry_run=False)
    assert not report.committed
    assert Town.objects.get(district__adcode="370305", name="辛店街道").kind == Town.Kind.SUBDISTRICT


def test_parks_accept_officials_units_and_words(org: Any, users: Any) -> None:
    headers = ["区县代码", "名称", "类型", "所在镇办", "认定化工园区", "规划面积(亩)"]
    rows = [["370305", "新材料产业园", "化工园区", "金山镇", "是", "2平方公里"]]
    user = users["linzi_admin"]
    report = import_run(
        resource=ParkResource(user=user),
        dataset=read_table("p.xlsx", xlsx(headers, rows)),
        user=user,
        dry_run=False,
    )
    assert report.committed, report.issues
    park = Park.objects.get(name="新材料产业园")
    assert park.is_chemical_park and park.kind == Park.Kind.CHEMICAL
    assert park.town.name == "金山镇" and park.town.district.adcode == "370305"
    assert park.area_mu == 3000  # 2 km² = 3,000 亩


def test_park_town_must_be_in_the_same_district(org: Any, users: Any) -> None:
    headers = ["区县代码", "名称", "所在镇办"]
    user = users["city_admin"]
    dataset = read_table("p.csv", "区县代码,名称,所在镇办\n370305,某园区,索镇街道\n".encode())
    report = import_run(resource=ParkResource(user=user), dataset=dataset, user=user, dry_run=False)
    assert [(i.row, i.column) for i in report.issues] == [(2, "所在镇办")]
    assert headers  # the columns named above are the ones reported


def test_gbk_csv_and_missing_key_column(org: Any, users: Any) -> None:
    user = users["linzi_admin"]
    dataset = read_table("towns.csv", "区县代码,名称\n370305,国标镇\n".encode("gbk"))
    assert dataset.headers == ["区县代码", "名称"]
    report = import_run(resource=TownResource(user=user), dataset=dataset, user=user, dry_run=False)
    assert report.committed
    no_key = read_table("towns.csv", "名称\n某镇\n".encode())
    report = import_run(resource=TownResource(user=user), dataset=no_key, user=user, dry_run=False)
    assert report.issues[0].column == "区县代码" and "缺少必需的列" in report.issues[0].message


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("towns.txt", b"x", "只支持 xlsx 和 csv"),
        ("towns.csv", b"", "文件是空的"),
        ("towns.xlsx", b"not a workbook", "无法读取 Excel 文件"),
    ],
)
def test_unreadable_files_are_refused(name: str, content: bytes, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        read_table(name, content)


def test_web_flow_upload_preview_confirm(org: Any, client_for: Any) -> None:
    client = client_for("linzi_admin")
    content = xlsx(TOWN_HEADERS, [["370305", "网页导入镇", "镇", ""]])
    upload = io.BytesIO(content)
    upload.name = "towns.xlsx"
    response = client.post(reverse("town_import"), {"file": upload})
    assert response.status_code == 302
    preview = Job.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert preview.status == Job.Status.SUCCEEDED and preview.result["ok"] and not preview.result["committed"]
    assert not Town.objects.filter(name="网页导入镇").exists()
    page = client.get(response.url).content.decode()
    assert "确认导入" in page and "网页导入镇" in page

    # Someone else cannot confirm this preview.
    assert client_for("linzi_chief").post(reverse("import_confirm", args=[preview.pk])).status_code == 404

    confirmed = client.post(reverse("import_confirm", args=[preview.pk]))
    job = Job.objects.get(pk=int(confirmed.url.rstrip("/").split("/")[-1]))
    assert job.result["committed"] and job.progress == 100
    assert Town.objects.filter(name="网页导入镇").exists()
    assert "导入完成" in client.get(confirmed.url).content.decode()


def test_web_flow_with_errors_offers_no_confirm(org: Any, client_for: Any) -> None:
    client = client_for("linzi_admin")
    upload = io.BytesIO(xlsx(TOWN_HEADERS, GOOD_AND_BAD))
    upload.name = "towns.xlsx"
    response = client.post(reverse("town_import"), {"file": upload})
    page = client.get(response.url).content.decode()
    assert "整份文件未写入" in page and "确认导入" not in page
    job = Job.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert client.post(reverse("import_confirm", args=[job.pk])).status_code == 404
    assert not Town.objects.filter(name__startswith="新建镇").exists()


def test_web_upload_of_a_wrong_file_type_explains(org: Any, client_for: Any) -> None:
    upload = io.BytesIO(b"hello")
    upload.name = "towns.docx"
    response = client_for("linzi_admin").post(reverse("town_import"), {"file": upload})
    # Checked by content: the page names what it takes.
    explained = "不是允许的文件类型;可以上传:Excel 表格(xlsx)、CSV"
    assert response.status_code == 400 and explained in response.content.decode()


def test_template_download_has_the_chinese_headers(org: Any, client_for: Any) -> None:
    response = client_for("linzi_admin").get(reverse("park_template") + "?format=xlsx")
    headers = [c.value for c in next(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows())]
    assert headers[:3] == ["区县代码", "区县", "名称"] and "认定化工园区" in headers


def test_csv_export_neutralises_formulas(org: Any, client_for: Any) -> None:
    from zhaoshang.core.factories import DepartmentFactory

    DepartmentFactory(district=org["linzi_district"], name='=HYPERLINK("http://evil")', contact="+1+2")
    text = (
        client_for("linzi_admin")
        .get(reverse("department_export") + "?format=csv")
        .content.decode("utf-8-sig")
    )
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text and ",+1+2" not in text
    assert "'=HYPERLINK" in text and ",'+1+2," in text
    # In xlsx the text stays text: no cell of the workbook is a formula.
    content = client_for("linzi_admin").get(reverse("department_export") + "?format=xlsx").content
    cells = [c for row in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows() for c in row]
    assert any(c.value == '=HYPERLINK("http://evil")' for c in cells)
    assert all(c.data_type != "f" for c in cells)


def test_export_uses_the_list_filters(org: Any, client_for: Any) -> None:
    url = reverse("park_export") + "?format=csv&is_chemical_park=true"
    text = client_for("city_admin").get(url).content.decode("utf-8-sig")
    assert "齐鲁化学工业区" in text and "东岳氟硅材料产业园" in text and "临淄经济开发区" not in text


# --- the command line ---


def test_cli_import_dry_run_then_commit(org: Any, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "towns.xlsx"
    path.write_bytes(xlsx(TOWN_HEADERS, [["370321", "命令行镇", "镇", ""]]))
    call_command("import", "town", str(path), "--dry-run")
    assert not Town.objects.filter(name="命令行镇").exists()
    capsys.readouterr()
    call_command("import", "town", str(path), "--format", "json")
    report = json.loads(capsys.readouterr().out)
    assert report["committed"] is True and report["new"] == 1
    town = Town.objects.get(name="命令行镇")
    record = town.history.get()
    assert record.history_user.username == "system-cli" and record.history_change_reason == "cli"


def test_cli_import_with_bad_rows_exits_nonzero_and_writes_nothing(org: Any, tmp_path: Path) -> None:
    path = tmp_path / "towns.xlsx"
    path.write_bytes(xlsx(TOWN_HEADERS, GOOD_AND_BAD))
    with pytest.raises(CommandError) as error:
        call_command("import", "town", str(path), "--as", "linzi_admin")
    assert error.value.returncode == 1 and "4 行有错误" in str(error.value)
    assert not Town.objects.filter(name__startswith="新建镇").exists()


def test_cli_export_by_district_and_scope(org: Any, tmp_path: Path) -> None:
    out = tmp_path / "parks.csv"
    call_command("export", "park", "-o", str(out), "--district", "370321")
    text = out.read_text(encoding="utf-8-sig")
    assert "桓台经济开发区" in text and "齐鲁化学工业区" not in text
    with pytest.raises(CommandError, match="不在权限范围内"):
        call_command("export", "park", "-o", str(out), "--district", "370305", "--as", "huantai_admin")
    with pytest.raises(CommandError, match=r"\.xlsx 或 \.csv"):
        call_command("export", "park", "-o", str(tmp_path / "parks.pdf"))


def test_a_file_exported_in_english_imports_back(org: Any, users: Any) -> None:
    from django.utils import translation

    from zhaoshang.core.importing import write_table

    user = users["linzi_admin"]
    with translation.override("en"):
        content = write_table(
            ParkResource(user=user).export(Park.objects.filter(name="临淄机器人产业园")), "csv"
        )
        assert "产业园区" in content.decode("utf-8-sig")  # labels stay Chinese in files
    english = content.decode("utf-8-sig").replace("产业园区", "Industrial park").encode()
    with translation.override("zh-hans"):
        report = import_run(
            resource=ParkResource(user=user), dataset=read_table("p.csv", english), user=user, dry_run=True
        )
    assert report.ok, report.issues

"""Uploads are checked by content, not by name; zip bombs and over-long tables are refused before any parsing."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhaoshang.core.importing import ImportFileError, read_table, table_check
from zhaoshang.core.models import Job
from zhaoshang.core.uploads import PURPOSES, download_name, file_sniff, upload_check, upload_name

EVIDENCE = PURPOSES["evidence"]
# What Windows programs start with: the "MZ" DOS header, the stub's message, then the PE header.
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"This program cannot be run"
)
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def _workbook(rows: int = 2) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["编号", "名称"])
    for i in range(rows):
        sheet.append([f"X-{i}", f"名称{i}"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _replace_member(content: bytes, name: str, write: Any) -> bytes:
    """The same zip with one member written anew by ``write(handle)``."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == name:
                with target.open(name, "w", force_zip64=True) as handle:
                    write(handle)
            else:
                target.writestr(info, source.read(info))
    return out.getvalue()


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """A real xlsx whose sheet is 300 MB of repeated rows, compressed to a few hundred KB."""
    row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>bomb</t></is></c></row>' * 16_000  # ~1 MB

    def write(handle: Any) -> None:
        handle.write(
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        )
        for _ in range(300):
            handle.write(row)
        handle.write(b"</sheetData></worksheet>")

    return _replace_member(_workbook(), "xl/worksheets/sheet1.xml", write)


# --- by content, not by name -------------------------------------------------------------------------------


def test_an_exe_renamed_pdf_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        upload_check(_upload("合同.pdf", EXE), EVIDENCE)
    assert refused.value.code == "type"
    assert "不是允许的文件类型" in refused.value.messages[0] and "更改扩展名" in refused.value.messages[0]


def test_the_name_must_agree_with_the_content() -> None:
    assert upload_check(_upload("合同.PDF", PDF), EVIDENCE).key == "pdf"
    with pytest.raises(ValidationError, match=r"内容是 PDF,扩展名应为 \.pdf") as refused:
        upload_check(_upload("照片.png", PDF), EVIDENCE)
    assert refused.value.code == "suffix"
    assert upload_check(_upload("照片.png", PNG), EVIDENCE).key == "png"


def test_types_each_upload_needs() -> None:
    workbook = _workbook()
    assert upload_check(_upload("台账.xlsx", workbook), EVIDENCE).key == "xlsx"
    assert upload_check(_upload("台账.xlsx", workbook), PURPOSES["table"]).key == "xlsx"
    assert upload_check(_upload("说明.txt", "项目已签约。\n".encode()), EVIDENCE).key == "text"
    assert (
        upload_check(_upload("名单.csv", "编号,名称\n1,甲\n".encode("gb18030")), PURPOSES["table"]).key
        == "csv"
    )
    with pytest.raises(ValidationError):  # a spreadsheet import takes no PDF
        upload_check(_upload("合同.pdf", PDF), PURPOSES["table"])
    with pytest.raises(ValidationError):  # and evidence no shapefile
        upload_check(_upload("x.zip", _zip({"a.shp": b"x", "a.dbf": b"y"})), EVIDENCE)
    assert (
        upload_check(_upload("a.zip", _zip({"a.shp": b"x", "a.dbf": b"y"})), PURPOSES["geo"]).key
        == "shapefile"
    )
    assert (
        upload_check(_upload("a.geojson", b' {"type": "FeatureCollection"}'), PURPOSES["geo"]).key == "json"
    )


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_zip_containers_by_their_members() -> None:
    docx_types = b'<Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'  # noqa: E501
    assert (
        file_sniff(io.BytesIO(_zip({"[Content_Types].xml": docx_types, "word/document.xml": b"<w/>"})))
        == "docx"
    )
    assert file_sniff(io.BytesIO(_zip({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<x/>"}))) == "ofd"
    macro = docx_types.replace(b"document.main+xml", b"document.macroEnabled.main+xml")
    assert file_sniff(io.BytesIO(_zip({"[Content_Types].xml": macro}))) is None  # never macros
    assert file_sniff(io.BytesIO(_zip({"readme.txt": b"hello"}))) is None  # a zip of anything


def test_oversize_is_refused(settings: Any) -> None:
    settings.UPLOAD_MAX_MB = {**settings.UPLOAD_MAX_MB, "image": 0.001}  # about 1 KB
    big = PNG + b"\x00" * 2000
    with pytest.raises(ValidationError, match=r"超过上限 0 MB\(PNG 图片\)") as refused:
        upload_check(_upload("照片.png", big), EVIDENCE)
    assert refused.value.code == "size"
    with pytest.raises(ValidationError, match="文件是空的"):
        upload_check(_upload("空.pdf", b""), EVIDENCE)


def test_stored_names_are_safe() -> None:
    name = upload_name("../../etc/报告 (终稿)\u202e\x07.PDF")
    assert "/" not in name and ".." not in name and "\u202e" not in name and "\x07" not in name
    assert name.startswith("报告_终稿") and name.endswith(".pdf")
    assert upload_name("合同.pdf") != upload_name("合同.pdf")  # a random suffix: two 合同.pdf never meet
    assert download_name("evidence/2025/03/" + upload_name("合同.pdf")) == "合同.pdf"
    assert upload_name(r"C:\Users\张三\照片.JPG").startswith("照片-")


# --- zip bombs and long tables, before parsing --------------------------------------------------------------


def test_a_zip_bomb_xlsx_is_refused_before_openpyxl_opens_it(zip_bomb: bytes) -> None:
    assert len(zip_bomb) < 2 * 1024 * 1024  # small on the wire, 300 MB unpacked
    # table_check reads only the zip's central directory: the refusal comes from the size check itself.
    with pytest.raises(ImportFileError, match="压缩炸弹") as refused:
        table_check("bomb.xlsx", zip_bomb)
    assert "解压后有 297.6 MB,超过上限 200 MB" in str(refused.value)
    with pytest.raises(ImportFileError, match="压缩炸弹"):  # the reader checks first, whoever calls it
        read_table("bomb.xlsx", zip_bomb)
    with pytest.raises(ValidationError, match="压缩炸弹"):  # and so does every upload form
        upload_check(_upload("bomb.xlsx", zip_bomb), PURPOSES["table"])


def test_the_zip_bomb_is_refused_on_the_import_page(org: Any, client_for: Any, zip_bomb: bytes) -> None:
    client = client_for("linzi_admin")
    response = client.post(reverse("project_import"), {"file": _upload("bomb.xlsx", zip_bomb)})
    assert response.status_code == 400 and "压缩炸弹" in response.content.decode()
    assert not Job.objects.filter(kind="import", user__username="linzi_admin").exists()


def test_a_compression_ratio_above_the_limit_is_refused(settings: Any) -> None:
    settings.ZIP_MAX_RATIO = 10
    content = _replace_member(_workbook(), "xl/worksheets/sheet1.xml", lambda h: h.write(b" " * 2_000_000))
    with pytest.raises(ImportFileError, match="压缩比"):
        table_check("t.xlsx", content)


def test_declared_rows_are_refused_before_reading(settings: Any) -> None:
    settings.IMPORT_MAX_ROWS = 1000
    content = _workbook(rows=3)
    assert table_check("t.xlsx", content) > 0
    source = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert b'<dimension ref="A1:B4"/>' in source
    lying = source.replace(b'<dimension ref="A1:B4"/>', b'<dimension ref="A1:B150001"/>')
    declared = _replace_member(content, "xl/worksheets/sheet1.xml", lambda h: h.write(lying))
    with pytest.raises(ImportFileError, match="文件有 150000 行,一次最多导入 1000 行"):
        table_check("t.xlsx", declared)


def test_csv_lines_count_cheaply_but_records_decide(settings: Any) -> None:
    settings.IMPORT_MAX_ROWS = 3
    table_check("t.csv", "编号,名称\n1,甲\n2,乙\n3,丙\n".encode())
    # More lines than the limit, but the cells hold line breaks: three records still pass.
    table_check("t.csv", '编号,地址\n1,"一\n二"\n2,"三\n四"\n3,五\n'.encode())
    with pytest.raises(ImportFileError, match="一次最多导入 3 行"):
        table_check("t.csv", "编号\n1\n2\n3\n4\n".encode())


def test_a_large_preview_runs_as_a_job_and_a_small_one_inline(
    org: Any, client_for: Any, settings: Any
) -> None:
    client = client_for("linzi_admin")
    no_header = b"\n\n"  # text, so the upload check passes; but there is no header row to read
    response = client.post(reverse("project_import"), {"file": _upload("p.csv", no_header)})
    assert response.status_code == 400 and "表头" in response.content.decode()  # small: read in the request
    assert not Job.objects.filter(kind="import").exists()
    settings.IMPORT_INLINE_MB = 0  # every file is "large": only the cheap checks run in the request
    response = client.post(reverse("project_import"), {"file": _upload("p.csv", no_header)})
    assert response.status_code == 302
    job = Job.objects.get(kind="import")
    assert job.status == Job.Status.FAILED and "表头" in job.result["error"]  # read by the job instead

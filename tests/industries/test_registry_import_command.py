"""`zhaoshang registry import`: a vendor's extract in, the registry Parquet out, every row or none.

No database: these tests do not request `db`."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhaoshang.analytics.registry.store import REGISTRY_SCHEMA, place_industry_matrix, registry_generate
from zhaoshang.geo.coords import gcj02_to_wgs84
from zhaoshang.standards.industries import ancestors

COUNTIES = ["370305", "370321", "440606"]
HEADERS = {
    "uscc": "统一社会信用代码", "name": "企业名称", "adcode": "所属区县代码", "industry": "国标行业代码",
    "registered_capital": "注册资本(万元)", "insured_employees": "参保人数", "founded": "成立日期",
    "status": "登记状态", "listed": "上市", "specialised": "专精特新", "high_tech": "高新技术企业",
    "lng": "经度", "lat": "纬度", "scope": "经营范围",
}  # fmt: skip


@pytest.fixture(scope="module")
def firms(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    path = tmp_path_factory.mktemp("synthetic") / "small.parquet"
    registry_generate(path, firms=200, seed=3, counties=COUNTIES)
    frame: pd.DataFrame = pq.read_table(path).to_pandas()
    return frame


def extract(firms: pd.DataFrame) -> pd.DataFrame:
    """The synthetic firms as a vendor writes them: Chinese headers, 是/否, dates as text."""
    out = firms[list(HEADERS)].copy()
    out["founded"] = out["founded"].astype(str)
    for flag in ("listed", "specialised", "high_tech"):
        out[flag] = out[flag].map({True: "是", False: "否"})
    return out.rename(columns=HEADERS)


def run(*args: Any) -> str:
    out = io.StringIO()
    call_command("registry", "import", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def fails(*args: Any) -> tuple[str, str]:
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("registry", "import", *[str(a) for a in args], stdout=out)
    return out.getvalue(), str(error.value)


def active_by_county(firms: pd.DataFrame) -> dict[str, int]:
    active = firms[firms["status"].isin(["存续", "在业"])]
    return {k: int(v) for k, v in active.groupby("adcode").size().items()}


def test_clean_extract_reads_back_through_the_matrix(tmp_path: Path, firms: pd.DataFrame) -> None:
    extract(firms).to_csv(tmp_path / "in.csv", index=False)
    said = run(tmp_path / "in.csv", "-o", tmp_path / "out.parquet")
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.schema.remove_metadata().equals(REGISTRY_SCHEMA)
    assert table.num_rows == len(firms)
    written = table.to_pandas().set_index("uscc").loc[firms["uscc"]]
    assert (written["industry"].to_numpy() == firms["industry"].to_numpy()).all()
    assert (written["status"].to_numpy() == firms["status"].to_numpy()).all()
    assert (written["listed"].to_numpy() == firms["listed"].to_numpy()).all()
    assert written["registered_capital"].to_numpy() == pytest.approx(firms["registered_capital"].to_numpy())
    assert (written["city"] == written["adcode"].str[:4] + "00").all()
    matrix = place_industry_matrix(tmp_path / "out.parquet")
    expected = active_by_county(firms)
    assert matrix.places == sorted(expected)
    assert {p: int(matrix.values[i].sum()) for i, p in enumerate(matrix.places)} == expected
    assert f"已写入 {len(firms):,} 家企业" in said and f"在营 {sum(expected.values()):,} 家" in said
    assert "取默认值" in said and "500强" in said  # the missing optional columns, reported once
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.parquet"]  # nothing left behind


def messy(firms: pd.DataFrame) -> tuple[pd.DataFrame, dict[int, str]]:
    """An extract with one problem of each kind; returns it and the bad rows (spreadsheet numbers) → column."""
    data = extract(firms.head(40)).astype(object)
    code = str(data.loc[0, "国标行业代码"])
    data.loc[0, "国标行业代码"] = ancestors(code)[0].code + code  # fine: with its section letter (B0610)
    data.loc[1, "登记状态"] = "存续（在营、开业、在册）"  # fine
    data.loc[2, "注册资本(万元)"] = "1亿元"  # fine
    data.loc[3, "成立日期"] = "2015年3月8日"  # fine
    data.loc[4, "国标行业代码"] = ""  # fine: classified from the scope
    data.loc[4, "经营范围"] = "工业机器人、伺服电机的研发与销售"
    data.loc[5, "登记状态"] = "迁出"  # fine: kept, inactive, reported
    bad = {}
    uscc = str(data.loc[6, "统一社会信用代码"])
    data.loc[6, "统一社会信用代码"] = uscc[:17] + ("0" if uscc[17] != "0" else "1")
    bad[8] = "统一社会信用代码"
    data.loc[7, "所属区县代码"] = "999999"
    bad[9] = "所属区县代码"
    data.loc[8, "国标行业代码"] = "9999"
    data.loc[8, "经营范围"] = "无"
    data.loc[8, "企业名称"] = "淄博某某有限公司"  # the name's trade word would classify it
    bad[10] = "国标行业代码"
    data.loc[9, "注册资本(万元)"] = "面议"
    bad[11] = "注册资本(万元)"
    data.loc[10, "成立日期"] = "去年"
    bad[12] = "成立日期"
    data.loc[11, "上市"] = "也许"
    bad[13] = "上市"
    data.loc[12, "企业名称"] = ""
    bad[14] = "企业名称"
    data.loc[13, "登记状态"] = ""
    bad[15] = "登记状态"
    data.loc[14, "经度"] = "东经118度"
    bad[16] = "经度"
    data.loc[15, "参保人数"] = "-3"
    bad[17] = "参保人数"
    duplicate = data.loc[[20]].copy()
    return pd.concat([data, duplicate], ignore_index=True), bad


def test_bad_rows_stop_the_import_and_leave_the_old_file(tmp_path: Path, firms: pd.DataFrame) -> None:
    data, bad = messy(firms)
    data.to_csv(tmp_path / "in.csv", index=False)
    old = tmp_path / "registry.parquet"
    old.write_bytes(b"the registry the app reads now")
    said, error = fails(tmp_path / "in.csv", "-o", old, "--errors", tmp_path / "errors.csv")
    assert old.read_bytes() == b"the registry the app reads now"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["errors.csv", "in.csv", "registry.parquet"]
    assert f"{len(bad)} 行有错误" in error and "未写入任何数据" in error
    report = pd.read_csv(tmp_path / "errors.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert list(report.columns) == ["行", "列", "值", "问题"]
    errors = report[~report["问题"].str.contains("重复")]
    assert dict(zip(errors["行"].astype(int), errors["列"], strict=True)) == bad
    assert "校验位不符" in errors.loc[errors["行"] == "8", "问题"].item()
    assert "经营范围中也没有" in errors.loc[errors["行"] == "10", "问题"].item()
    duplicates = report[report["问题"].str.contains("重复")]
    assert duplicates["行"].tolist() == [str(len(data) + 1)] and "第 22 行" in duplicates["问题"].item()
    assert "第 8 行，统一社会信用代码" in said


def test_skip_bad_rows_writes_the_good_ones(tmp_path: Path, firms: pd.DataFrame) -> None:
    data, bad = messy(firms)
    data.to_csv(tmp_path / "in.csv", index=False)
    said = run(tmp_path / "in.csv", "-o", tmp_path / "out.parquet", "--skip-bad-rows")
    table = pq.read_table(tmp_path / "out.parquet").to_pandas().set_index("uscc")
    assert len(table) == 40 - len(bad)  # the duplicate of row 22 is dropped too
    assert f"跳过有错误的行：{len(bad)} 行" in said and "重复：1 行" in said
    good = extract(firms.head(40))
    assert table.loc[good.loc[0, "统一社会信用代码"], "industry"] == firms.loc[0, "industry"]
    assert table.loc[good.loc[1, "统一社会信用代码"], "status"] == "存续"
    assert table.loc[good.loc[2, "统一社会信用代码"], "registered_capital"] == 10_000
    assert str(table.loc[good.loc[3, "统一社会信用代码"], "founded"]) == "2015-03-08"
    assert table.loc[good.loc[4, "统一社会信用代码"], "industry"] == "3491"
    assert table.loc[good.loc[5, "统一社会信用代码"], "status"] == "迁出"
    assert "按经营范围归入行业小类：1 家" in said and "迁出 1" in said


def test_dry_run_writes_nothing(tmp_path: Path, firms: pd.DataFrame) -> None:
    extract(firms).to_csv(tmp_path / "in.csv", index=False)
    said = run(tmp_path / "in.csv", "-o", tmp_path / "out.parquet", "--dry-run")
    assert not (tmp_path / "out.parquet").exists()
    assert f"可写入 {len(firms):,} 家企业（试运行，未写入）" in said
    data, _ = messy(firms)
    data.to_csv(tmp_path / "bad.csv", index=False)
    _, error = fails(tmp_path / "bad.csv", "-o", tmp_path / "out.parquet", "--dry-run")
    assert "（试运行）" in error and not (tmp_path / "out.parquet").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "in.csv"]


def test_gb18030_csv_and_the_unit_in_yuan(tmp_path: Path, firms: pd.DataFrame) -> None:
    data = extract(firms).rename(columns={"注册资本(万元)": "注册资本"})
    data["注册资本"] = (firms["registered_capital"] * 10_000).round(2)
    data.to_csv(tmp_path / "in.csv", index=False, encoding="gb18030")
    said = run(tmp_path / "in.csv", "-o", tmp_path / "out.parquet", "--capital-unit", "yuan")
    table = pq.read_table(tmp_path / "out.parquet").to_pandas().set_index("uscc").loc[firms["uscc"]]
    assert "GB18030" in said
    assert (table["name"].to_numpy() == firms["name"].to_numpy()).all()
    assert table["registered_capital"].to_numpy() == pytest.approx(firms["registered_capital"].to_numpy())


def test_xlsx_with_number_cells(tmp_path: Path, firms: pd.DataFrame) -> None:
    """Excel turns codes into numbers (0241 → 241) and dates into date cells."""
    data = extract(firms.head(30))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(data.columns))
    for _, row in data.iterrows():
        values = list(row)
        values[2] = int(values[2])  # adcode
        values[3] = int(values[3])  # industry, leading zero lost
        values[6] = pd.Timestamp(values[6]).to_pydatetime()
        sheet.append(values)
    book.save(tmp_path / "in.xlsx")
    run(tmp_path / "in.xlsx", "-o", tmp_path / "out.parquet")
    table = pq.read_table(tmp_path / "out.parquet").to_pandas().set_index("uscc").loc[firms["uscc"].head(30)]
    assert (table["industry"].to_numpy() == firms["industry"].head(30).to_numpy()).all()
    assert any(code.startswith("0") for code in table["industry"])  # the fixture has such classes
    assert (table["founded"].to_numpy() == firms["founded"].head(30).to_numpy()).all()


def test_missing_required_columns_and_map(tmp_path: Path, firms: pd.DataFrame) -> None:
    data = extract(firms).rename(columns={"企业名称": "单位全称"}).drop(columns=["登记状态"])
    data.to_csv(tmp_path / "in.csv", index=False)
    _, error = fails(tmp_path / "in.csv", "-o", tmp_path / "out.parquet")
    assert "缺少必需的列：企业名称、登记状态" in error and not (tmp_path / "out.parquet").exists()
    data["状况"] = firms["status"]
    data.to_csv(tmp_path / "in.csv", index=False)
    run(tmp_path / "in.csv", "-o", tmp_path / "out.parquet", "--map", "单位全称=name", "--map", "状况=status")
    assert pq.read_table(tmp_path / "out.parquet").num_rows == len(firms)


def test_gcj02_coordinates_become_wgs84(tmp_path: Path, firms: pd.DataFrame) -> None:
    extract(firms).to_csv(tmp_path / "in.csv", index=False)
    run(tmp_path / "in.csv", "-o", tmp_path / "out.parquet", "--coords", "gcj02")
    table = pq.read_table(tmp_path / "out.parquet").to_pandas().set_index("uscc").loc[firms["uscc"]]
    lng, lat = gcj02_to_wgs84(firms["lng"].to_numpy(), firms["lat"].to_numpy())
    assert table["lng"].to_numpy() == pytest.approx(lng, abs=1e-9)
    assert table["lat"].to_numpy() == pytest.approx(lat, abs=1e-9)
    assert abs(table["lng"].to_numpy() - firms["lng"].to_numpy()).min() > 1e-4  # really moved


def test_memory_limit_bounds_duckdb_or_is_refused(tmp_path: Path, firms: pd.DataFrame) -> None:
    extract(firms).to_csv(tmp_path / "in.csv", index=False)
    run(tmp_path / "in.csv", "-o", tmp_path / "out.parquet", "--memory-limit", "256MB")
    assert pq.read_table(tmp_path / "out.parquet").num_rows == len(firms)
    _, message = fails(tmp_path / "in.csv", "-o", tmp_path / "again.parquet", "--memory-limit", "lots")
    assert "2GB" in message and "must be a number and a unit" in message
    assert not (tmp_path / "again.parquet").exists()


def test_the_registry_file_gets_the_usual_permissions(tmp_path: Path, firms: pd.DataFrame) -> None:
    extract(firms).to_csv(tmp_path / "in.csv", index=False)
    old = os.umask(0o022)
    try:
        run(tmp_path / "in.csv", "-o", tmp_path / "out.parquet")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.parquet").stat().st_mode) == 0o644  # the web app's user reads it


def test_row_numbers_stay_the_file_lines_in_a_file_read_in_parallel(tmp_path: Path) -> None:
    """Rows are numbered by their order in the table the file is copied into (``rowid``): on a file large
    enough for DuckDB to read in several pieces at once (~45 MB), every reported row is still its line."""
    path = tmp_path / "big.parquet"
    registry_generate(path, firms=200_000, seed=5, counties=COUNTIES)
    data = extract(pq.read_table(path).to_pandas())
    lines = list(range(2, len(data) + 2, 9_973))  # spreadsheet rows, the header being row 1
    for line in lines:
        uscc = data.loc[line - 2, "统一社会信用代码"]
        data.loc[line - 2, "统一社会信用代码"] = uscc[:17] + ("0" if uscc[17] != "0" else "1")
    data.to_csv(tmp_path / "big.csv", index=False)
    assert (tmp_path / "big.csv").stat().st_size > 40e6
    fails(tmp_path / "big.csv", "-o", tmp_path / "out.parquet", "--errors", tmp_path / "errors.csv")
    report = pd.read_csv(tmp_path / "errors.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    wrong_check = report[report["问题"].str.contains("校验位不符")]
    assert wrong_check["行"].astype(int).tolist() == lines
    expected = [data.loc[line - 2, "统一社会信用代码"] for line in lines]
    assert wrong_check["值"].tolist() == expected


def test_coordinates_converted_in_batches_equal_one_pass(
    tmp_path: Path, firms: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zhaoshang.analytics.registry import importer as registry_import_run

    extract(firms).to_csv(tmp_path / "in.csv", index=False)
    run(tmp_path / "in.csv", "-o", tmp_path / "whole.parquet", "--coords", "bd09")
    monkeypatch.setattr(registry_import_run, "_CONVERT_BATCH", 7)  # 200 firms: 29 batches
    run(tmp_path / "in.csv", "-o", tmp_path / "batched.parquet", "--coords", "bd09")
    whole = pq.read_table(tmp_path / "whole.parquet").to_pandas().set_index("uscc")
    batched = pq.read_table(tmp_path / "batched.parquet").to_pandas().set_index("uscc").loc[whole.index]
    assert len(batched) == len(firms)
    # The inverse offset iterates until every point of a batch is within 1 mm of its solution, so the last
    # digits depend on the batch: the two results may be up to 2 mm apart, no more.
    m_per_deg = 6_371_008.8 * np.pi / 180
    d_lng = (batched["lng"].to_numpy() - whole["lng"].to_numpy()) * np.cos(
        np.radians(whole["lat"].to_numpy())
    )
    d_lat = batched["lat"].to_numpy() - whole["lat"].to_numpy()
    assert np.hypot(d_lng, d_lat).max() * m_per_deg <= 0.002
    assert (
        abs(whole["lng"].to_numpy() - firms.set_index("uscc").loc[whole.index, "lng"].to_numpy()).min() > 1e-4
    )

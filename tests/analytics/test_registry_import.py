"""Rules of `registry import`: headers, status wording, per-cell normalisation (in DuckDB), scope classes."""

from __future__ import annotations

import datetime
from typing import Any

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from zhaoshang.analytics.classification.nodes import FirmProfile, place_firm
from zhaoshang.analytics.classification.scope import class_keywords, scope_classifier
from zhaoshang.analytics.registry.importer import _reference_tables
from zhaoshang.analytics.registry.rules import (
    error_message,
    normalise_sql,
    recognise_headers,
    status_normalise,
)
from zhaoshang.analytics.registry.words import uscc_codes


@pytest.fixture(scope="module")
def con() -> Any:
    connection = duckdb.connect()
    _reference_tables(connection)
    yield connection
    connection.close()


def normalise(con: Any, field: str, cells: list[str | None], unit: str = "wan") -> list[tuple[Any, Any]]:
    """(value, error kind) of each cell, through the same query the import runs."""
    con.execute("CREATE OR REPLACE TABLE cells AS SELECT unnest(?::VARCHAR[]) AS x", [cells])
    sql = normalise_sql("cells", {field: "x"}, unit)  # type: ignore[arg-type]
    return [(r[2], r[3]) for r in con.execute(f"SELECT * FROM ({sql}) ORDER BY _row").fetchall()]


def valid_usccs(n: int, seed: int = 1) -> list[str]:
    regions = np.frombuffer(b"370305" * n, dtype=np.uint8).reshape(n, 6)
    serials = np.random.default_rng(seed).choice(10**8, size=n, replace=False)
    return [str(s) for s in uscc_codes(regions, serials).to_pylist()]


# --- headers ------------------------------------------------------------------------------------------


def test_vendor_headers_are_recognised_and_the_rest_reported() -> None:
    headers = [
        "统一社会信用代码", "企业名称", "所属区县代码", "国标行业代码", "注册资本（元）", "登记状态", "经营状态",
        "经营范围", "法定代表人", "经度", "纬度",
    ]  # fmt: skip
    match = recognise_headers(headers)
    assert match.columns["uscc"] == "统一社会信用代码"
    assert match.columns["adcode"] == "所属区县代码"
    assert match.columns["industry"] == "国标行业代码"
    assert match.columns["registered_capital"] == "注册资本（元）"
    assert match.capital_unit == "yuan"
    assert match.columns["status"] == "登记状态" and match.ignored == ["经营状态"]
    assert match.unused == ["法定代表人"]
    assert match.missing_required == []
    assert "insured_employees" in match.missing_optional and "uscc" not in match.missing_optional


def test_english_schema_names_and_overrides() -> None:
    match = recognise_headers(["USCC", "Name", "county", "status", "scope"], {"county": "adcode"})
    assert match.columns == {
        "uscc": "USCC",
        "name": "Name",
        "adcode": "county",
        "status": "status",
        "scope": "scope",
    }
    with pytest.raises(ValueError, match="没有列 nope"):
        recognise_headers(["a"], {"a": "nope"})
    with pytest.raises(ValueError, match="文件中没有“b”列"):
        recognise_headers(["a"], {"b": "name"})


def test_missing_required_columns_are_named_in_chinese() -> None:
    match = recognise_headers(["企业名称", "注册资本(万元)"])
    assert match.missing_required == ["统一社会信用代码", "区县代码", "登记状态", "行业代码或经营范围"]
    assert match.capital_unit == "wan"


# --- status -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("存续", ("存续", True)),
        ("存续（在营、开业、在册）", ("存续", True)),
        ("存续(在营、开业、在册)", ("存续", True)),
        (" 在业 ", ("在业", True)),
        ("开业", ("在业", True)),
        ("在营", ("在业", True)),
        ("正常", ("在业", True)),
        ("注销", ("注销", True)),
        ("已注销", ("注销", True)),
        ("吊销", ("吊销", True)),
        ("吊销未注销", ("吊销", True)),
        ("吊销，未注销", ("吊销", True)),
        ("吊销，已注销", ("注销", True)),
        ("迁出", ("迁出", False)),
        ("停业", ("停业", False)),
        ("", (None, False)),
        (None, (None, False)),
    ],
)
def test_status_wording(text: str | None, expected: tuple[str | None, bool]) -> None:
    assert status_normalise(text) == expected


# --- cells --------------------------------------------------------------------------------------------


def test_uscc_cells(con: Any) -> None:
    good = valid_usccs(2)
    broken = good[1][:17] + ("0" if good[1][17] != "0" else "1")
    cells = [good[0], f" {good[0].lower()} ", good[0][:6] + "-" + good[0][6:], broken, "123", None, "-"]
    got = normalise(con, "uscc", cells)
    assert got[:3] == [(good[0], None)] * 3
    assert [kind for _, kind in got[3:]] == ["invalid", "invalid", "empty", "empty"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXYIOSVZ", min_size=16, max_size=19))
def test_uscc_check_in_sql_agrees_with_stdnum(con: Any, code: str) -> None:
    ((_, kind),) = normalise(con, "uscc", [code])
    assert (kind is None) == uscc.is_valid(code)


def test_uscc_check_accepts_generated_codes(con: Any) -> None:
    codes = valid_usccs(300, seed=5)
    assert all(kind is None for _, kind in normalise(con, "uscc", codes))


def test_adcode_cells(con: Any) -> None:
    got = normalise(
        con, "adcode", ["370305", "370305.0", "３７０３０５", "370305000000", "3703", "999999", None]
    )
    assert [v for v, _ in got[:4]] == ["370305"] * 4
    assert [k for _, k in got] == [None, None, None, None, "invalid", "invalid", "empty"]


def test_industry_cells_usable_or_null(con: Any) -> None:
    got = normalise(
        con, "industry", ["3491", "C3491", "c3491", "111", "A0111", "0111.0", "C0111", "9999", "34", None]
    )
    assert [v for v, _ in got] == ["3491", "3491", "3491", "0111", "0111", "0111", None, None, None, None]
    assert all(k is None for _, k in got)  # unusable codes are classified by scope, not errors here


def test_capital_cells(con: Any) -> None:
    cells = ["500万元人民币", "1亿元", "3000000元", "12.5", "1,000", "200万美元", "-", "", "面议", "-5"]
    got = normalise(con, "registered_capital", cells)
    assert [v for v, _ in got[:6]] == [500.0, 10000.0, 300.0, 12.5, 1000.0, 200.0]
    assert [k for _, k in got] == [None] * 8 + ["number", "number"]
    assert [v for v, _ in normalise(con, "registered_capital", ["3000000", "5万"], "yuan")] == [300.0, 5.0]


def test_count_date_bool_and_coordinate_cells(con: Any) -> None:
    counts = normalise(con, "insured_employees", ["12", "12人", "12.0", "1,234", None, "-1", "多"])
    assert counts == [(12, None), (12, None), (12, None), (1234, None), (0, None), (0, "count"), (0, "count")]
    dates = normalise(
        con, "founded",
        ["2020-01-05", "2020/1/5", "2020年1月5日", "20200105", "2020-01-05 00:00:00", "2020年3月", "2020.1.5", "昨天"],
    )  # fmt: skip
    jan5 = datetime.date(2020, 1, 5)
    assert dates == [(jan5, None)] * 5 + [(datetime.date(2020, 3, 1), None), (jan5, None), (None, "date")]
    flags = normalise(con, "listed", ["是", "否", "1", "0", "TRUE", "false", "Y", "n", None, "也许"])
    assert [v for v, _ in flags] == [True, False, True, False, True, False, True, False, False, False]
    assert [k for _, k in flags][-1] == "bool" and all(k is None for _, k in flags[:-1])
    assert normalise(con, "employee_growth", ["12%", "0.12", "x"]) == [
        (0.12, None),
        (0.12, None),
        (None, "number"),
    ]
    assert normalise(con, "lng", ["118.3", "200", "东经118度"]) == [
        (118.3, None),
        (None, "coordinate"),
        (None, "coordinate"),
    ]


def test_error_messages_use_the_shared_validators() -> None:
    good = valid_usccs(1)[0]
    assert "校验位不符" in error_message("uscc", "invalid", good[:17] + ("0" if good[17] != "0" else "1"))
    assert "应为18位" in error_message("uscc", "invalid", "123")
    assert "不存在" in error_message("adcode", "invalid", "999999")
    assert "不存在" in error_message("industry", "unclassified", "9999")
    assert error_message("industry", "unclassified", None).startswith("没有行业代码")
    assert "第 3 行" in error_message("uscc", "duplicate", good, 3)


# --- classification by scope --------------------------------------------------------------------------


def test_scope_classes() -> None:
    classify = scope_classifier().classify
    assert classify("淄博某某机器人有限公司", "工业机器人的研发、生产、销售") == "3491"
    assert classify("", "原油开采") == "0711"
    assert classify("某某有限公司", "以自有资金从事投资活动") == "7212"  # 投资与资产管理
    assert classify("某某有限公司", "一般项目：无") is None
    assert sum(1 for words in class_keywords().values() if words) > 1_300


def test_prefilter_gives_what_place_firm_gives_on_every_profile() -> None:
    """The two-character index only saves time: place_firm on all profiles places the same classes."""
    classifier = scope_classifier()
    profiles = list(classifier.profiles.values())
    texts = [
        ("淄博鑫华石化有限公司", "石脑油、柴油、航空煤油的制造、加工、销售"),
        ("某某贸易有限公司", "汽车、摩托车、零配件的批发、零售"),
        ("某某科技有限公司", "伺服电机、减速器、工业机器人的研发"),
        ("", "蔬菜、水果的种植"),
    ]
    for name, scope in texts:
        firm = FirmProfile("", scope, name)
        every = {p.node for p in place_firm(firm, profiles)}
        assert every and every == {p.key for p in classifier.candidates(f"{name} {scope}")}

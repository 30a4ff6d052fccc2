"""`zhaoshang complexity`: files in, files out, no database (these tests do not request `db`, so any query
would fail them)."""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhaoshang.analytics.complexity.panel import OUTPUT_COLUMNS

ecomplexity_mod = pytest.importorskip("ecomplexity")


def panel(seed: int = 1, years: tuple[int, ...] = (2021, 2022)) -> pd.DataFrame:
    """Counties × GB/T 4754 classes, lognormal sizes, a county with no activity, codes with leading zeros."""
    rng = np.random.default_rng(seed)
    counties = ["370302", "370303", "370304", "370305", "370306", "370321", "370322", "370323", "370399"]
    classes = ["0111", "0112", "0121", "1311", "2511", "2614", "2661", "3511", "3612", "3919"]
    rows = []
    for year in years:
        size = rng.lognormal(0, 1, len(counties))[:, None] * rng.lognormal(0, 1, len(classes))
        values = np.round(size * rng.lognormal(0, 0.8, size.shape) * 10)
        values[-1] = 0  # 370399: registered, nothing there
        for i, county in enumerate(counties):
            for j, code in enumerate(classes):
                if rng.random() < 0.85:
                    rows.append((year, county, code, float(values[i, j])))
    return pd.DataFrame(rows, columns=["year", "region", "industry", "value"])


def run(*args: Any) -> str:
    out = io.StringIO()
    call_command("complexity", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def read_output(path: Path, loc: str = "region", prod: str = "industry") -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype={loc: str, prod: str})
    return pd.read_parquet(path)


def test_csv_in_csv_out(tmp_path: Path) -> None:
    data = panel()
    data.to_csv(tmp_path / "in.csv", index=False)
    said = run(tmp_path / "in.csv", "-o", tmp_path / "out.csv")
    out = read_output(tmp_path / "out.csv")
    assert list(out.columns) == ["year", "region", "industry", "value", *OUTPUT_COLUMNS]
    assert len(out) == 2 * 9 * 10  # every county × class of each year
    assert "0111" in set(out["industry"]) and "370302" in set(out["region"])
    assert out.groupby(["year", "region", "industry"]).size().max() == 1
    idle = out[out["region"] == "370399"]
    assert idle["eci"].isna().all() and (idle["mcp"] == 0).all()
    assert out.loc[out["region"] != "370399", "eci"].notna().all()
    assert "180 行" in said and "180 rows" in said and "2 years" in said and "9 places" in said
    assert (tmp_path / "out.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel


def test_parquet_and_custom_column_names(tmp_path: Path) -> None:
    data = panel(2).rename(
        columns={"year": "年份", "region": "区县", "industry": "行业代码", "value": "从业人数"}
    )
    data.to_parquet(tmp_path / "in.parquet", index=False)
    run(
        tmp_path / "in.parquet", "-o", tmp_path / "out.parquet", "--time", "年份", "--loc", "区县",
        "--prod", "行业代码", "--val", "从业人数", "--proximity", tmp_path / "prox.parquet",
    )  # fmt: skip
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert list(out.columns)[:4] == ["年份", "区县", "行业代码", "从业人数"]
    assert set(out["行业代码"].astype(str)) >= {"0111", "3919"}
    prox = pd.read_parquet(tmp_path / "prox.parquet")
    assert list(prox.columns) == ["年份", "行业代码_1", "行业代码_2", "proximity"]
    assert (prox["行业代码_1"] != prox["行业代码_2"]).all()  # self-proximity is left out by default
    assert prox["proximity"].between(0, 1).all()


def test_gb18030_csv_and_blank_values(tmp_path: Path) -> None:
    data = panel(3).rename(columns={"value": "人数"})
    data["人数"] = data["人数"].astype(object)
    data.loc[data.index[:3], "人数"] = ""
    data.to_csv(tmp_path / "in.csv", index=False, encoding="gb18030")
    run(tmp_path / "in.csv", "-o", tmp_path / "out.csv", "--val", "人数")
    out = read_output(tmp_path / "out.csv")
    first = data.iloc[0]
    cell = out[(out["year"] == first["year"]) & (out["region"] == first["region"])]
    assert cell.loc[cell["industry"] == first["industry"], "人数"].tolist() == [0.0]  # blank counts as 0


def reference(data: pd.DataFrame) -> pd.DataFrame:
    cols = {"time": "year", "loc": "region", "prod": "industry", "val": "value"}
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        table: pd.DataFrame = ecomplexity_mod.ecomplexity(
            data, cols, check_logsupermodularity=False, verbose=False
        )
        prox: pd.DataFrame = ecomplexity_mod.proximity(data, cols)
    return table, prox


@pytest.mark.parametrize("fmt", [".csv", ".parquet"])
@pytest.mark.parametrize("idle", [True, False], ids=["merged", "streamed"])
def test_compat_output_equals_ecomplexity(tmp_path: Path, fmt: str, idle: bool) -> None:
    # With the idle county, ecomplexity's merge adds its rows (built whole); without, the grid is streamed.
    data = panel(4, years=(2020, 2019, 2021))
    if not idle:
        data = data[data["region"] != "370399"]
    data.to_csv(tmp_path / "in.csv", index=False)
    run(tmp_path / "in.csv", "-o", tmp_path / f"out{fmt}", "--compat", "ecomplexity", "--proximity",
        tmp_path / f"prox{fmt}")  # fmt: skip
    got = read_output(tmp_path / f"out{fmt}")
    same_input = pd.read_csv(tmp_path / "in.csv", dtype={"region": str, "industry": str})
    ref, ref_prox = reference(same_input)
    assert len(got) == len(ref)
    for column in ref.columns:
        a, b = got[column].to_numpy(), ref[column].to_numpy()
        if column in ("region", "industry"):
            assert (a.astype(str) == b.astype(str)).all(), column
            continue
        a, b = a.astype(float), b.astype(float)
        assert (np.isnan(a) == np.isnan(b)).all(), column
        assert np.nanmax(np.abs(a - b), initial=0.0) <= 1e-9, column
    prox = read_output(tmp_path / f"prox{fmt}", "industry_1", "industry_2")
    assert len(prox) == len(ref_prox)
    assert (prox["industry_1"].astype(str).to_numpy() == ref_prox["industry_1"].astype(str).to_numpy()).all()
    assert (prox["year"].to_numpy() == ref_prox["year"].to_numpy()).all()
    assert np.allclose(prox["proximity"], ref_prox["proximity"], atol=1e-12, equal_nan=True)


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "args", "zh", "en"),
    [
        (None, [], "找不到输入文件", "input file not found"),
        ("year,region,value\n2020,a,1\n", [], "缺少列 industry", "missing column(s) industry"),
        (
            "year,region,industry,value\n2020,a,x,1\n2020,b,x,abc\n",
            [],
            "不是数字",
            "row 3: value 'abc' is not",
        ),
        ("year,region,industry,value\n2020,a,x,1\n2020,b,x,-2\n", [], "为负数", "is negative"),
        ("year,region,industry,value\n2020,a,x,1\n2020,b,x,inf\n", [], "不是有限数字", "not a finite number"),
        ("year,region,industry,value\n2020,,x,1\n", [], "为空", "row 2: column region is empty"),
        (
            "year,region,industry,value\n2020,a,x,1\n",
            ["--compat", "ecomplexity", "--strict"],
            "不能",
            "cannot",
        ),
    ],
)
def test_bad_input_gets_a_one_line_reason(
    tmp_path: Path, content: str | None, args: list[str], zh: str, en: str
) -> None:
    source = tmp_path / "in.csv"
    if content is not None:
        write_csv(source, content)
    with pytest.raises(CommandError) as error:
        run(source, "-o", tmp_path / "out.csv", *args)
    message = str(error.value)
    assert zh in message and en in message and " — " in message and "\n" not in message
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    ("source", "target"), [("in.xlsx", "out.csv"), ("in.csv", "out.txt"), ("in.csv", "out")]
)
def test_unknown_extension(tmp_path: Path, source: str, target: str) -> None:
    write_csv(tmp_path / "in.csv", "year,region,industry,value\n2020,a,x,1\n")
    write_csv(tmp_path / "in.xlsx", "not really")
    with pytest.raises(CommandError, match=r"\.csv 或 \.parquet .* — .*\.csv or \.parquet"):
        run(tmp_path / source, "-o", tmp_path / target)
    with pytest.raises(CommandError, match="PROX_OUTPUT"):
        run(tmp_path / "in.csv", "-o", tmp_path / "out.csv", "--proximity", tmp_path / "prox.json")

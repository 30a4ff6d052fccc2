"""The synthetic national registry (Parquet): schema, USCC codes, determinism, matrices and queries."""

from __future__ import annotations

import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from stdnum.cn import uscc

from zhaoshang.analytics.classification.keywords import chain_keywords
from zhaoshang.analytics.registry.store import (
    ACTIVE_STATUSES,
    REGISTRY_SCHEMA,
    firms_query,
    place_industry_matrix,
    registry_generate,
)
from zhaoshang.standards.divisions import division

FIRMS = 30_000
SEED = 7
# Zibo, Jinan and Dongying, a few robotics counties, and others across China.
COUNTIES = [
    "370302", "370303", "370304", "370305", "370306", "370321", "370322", "370323",
    "370102", "370103", "370104", "370105", "370112", "370113", "370181",
    "370502", "370503", "370523",
    "440606", "320583", "310114", "210106", "330110", "440307",
    "110101", "110105", "420111", "500109", "510104", "610113", "350206", "120116",
]  # fmt: skip


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("registry") / "registry.parquet"
    registry_generate(path, firms=FIRMS, seed=SEED, counties=COUNTIES, chunk_rows=8_000)
    return path


@pytest.fixture(scope="module")
def frame(registry: Path) -> pd.DataFrame:
    out: pd.DataFrame = pq.read_table(registry).to_pandas()
    return out


def test_schema_rows_and_row_groups(registry: Path) -> None:
    meta = pq.ParquetFile(registry)
    assert meta.schema_arrow == REGISTRY_SCHEMA
    assert meta.metadata.num_rows == FIRMS
    assert meta.num_row_groups > 1  # written in chunks
    assert not registry.with_name(registry.name + ".part").exists()


def test_uscc_codes_are_valid_unique_and_registered_in_the_county(frame: pd.DataFrame) -> None:
    assert frame["uscc"].is_unique
    sample = frame.sample(2_000, random_state=1)
    for code, adcode in zip(sample["uscc"], sample["adcode"], strict=True):
        assert uscc.is_valid(code), code
        assert code[:2] == "91" and code[2:8] == adcode
    # The embedded organisation code carries its own GB 11714 check character.
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    for code in sample["uscc"].head(200):
        body = code[8:16]
        check = (11 - sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11) % 11
        assert code[16] == ("X" if check == 10 else str(check))


def test_fields_are_plausible(frame: pd.DataFrame) -> None:
    assert set(frame["adcode"]) <= set(COUNTIES)
    assert set(frame["status"]) <= {"存续", "在业", "注销", "吊销"}
    assert frame["industry"].str.fullmatch(r"\d{4}").all()
    assert frame["name"].str.endswith("公司").all()
    assert frame["name"].str.startswith("淄博").sum() > 0
    assert frame["scope"].str.contains("、").all()  # at least two product words
    for adcode, group in frame.groupby("adcode"):
        d = division(str(adcode))
        assert d is not None and d.lng is not None and d.lat is not None
        assert (group["city"] == d.parent).all()
        assert (group["province"] == str(adcode)[:2] + "0000").all()
        assert (group["lng"] - d.lng).abs().max() < 1.0 and (group["lat"] - d.lat).abs().max() < 1.0
    assert (frame["founded"] <= datetime.date(2025, 1, 1)).all()
    assert (frame["registered_capital"] > 0).all()
    shells = (frame["insured_employees"] == 0).mean()
    assert 0.1 < shells < 0.4
    assert 0 < frame["abnormal"].mean() < 0.15 and 0 < frame["dishonest"].mean() < 0.05
    assert frame["top500"].mean() < 0.002
    # 专精特新 only in manufacturing (门类 C = 大类 13–43).
    assert frame.loc[frame["specialised"], "industry"].str[:2].astype(int).between(13, 43).all()


def test_scope_lists_the_chain_keywords_of_the_class(frame: pd.DataFrame) -> None:
    keywords = chain_keywords()["2614"]
    scopes = frame.loc[frame["industry"] == "2614", "scope"]
    assert len(scopes) > 0
    for text in scopes:
        listed = text.split("的")[0].split("、")  # "kw1、kw2的研发、生产、销售；货物进出口"
        assert 2 <= len(listed) <= 5 and set(listed) <= set(keywords), text


def test_linzi_specialises_in_chemicals_and_is_weak_in_robots(frame: pd.DataFrame) -> None:
    active = frame[frame["status"].isin(ACTIVE_STATUSES)]
    linzi = active[active["adcode"] == "370305"]
    chem = linzi["industry"].str[:2].isin(["25", "26"]).mean()
    national = active["industry"].str[:2].isin(["25", "26"]).mean()
    assert chem > 5 * national
    all_linzi = frame[frame["adcode"] == "370305"]
    assert 1 <= (all_linzi["industry"] == "3491").sum() <= 3
    huantai = active[active["adcode"] == "370321"]
    assert huantai["industry"].str[:2].eq("22").mean() > 5 * active["industry"].str[:2].eq("22").mean()


def test_deterministic_for_a_seed(registry: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.parquet"
    registry_generate(again, firms=FIRMS, seed=SEED, counties=COUNTIES, chunk_rows=8_000)
    assert pq.read_table(again).equals(pq.read_table(registry))
    other = tmp_path / "other.parquet"
    registry_generate(other, firms=FIRMS, seed=SEED + 1, counties=COUNTIES, chunk_rows=8_000)
    assert not pq.read_table(other).equals(pq.read_table(registry))


def test_generate_refuses_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        registry_generate(tmp_path / "x.parquet", firms=0, seed=1)
    with pytest.raises(ValueError):
        registry_generate(tmp_path / "x.parquet", firms=10, seed=1, counties=["370300"])


@pytest.mark.parametrize("level,column", [("county", "adcode"), ("city", "city"), ("province", "province")])
def test_matrix_counts_equal_a_pandas_recount(
    registry: Path, frame: pd.DataFrame, level: str, column: str
) -> None:
    m = place_industry_matrix(registry, level=level)  # type: ignore[arg-type]
    active = frame[frame["status"].isin(ACTIVE_STATUSES)]
    expected = active.groupby([column, "industry"]).size().unstack(fill_value=0)
    assert m.places == sorted(expected.index) and m.industries == sorted(expected.columns)
    assert m.values.dtype == np.float64 and m.level == level and m.value == "firms"
    dense = m.values.toarray()
    np.testing.assert_array_equal(dense, expected.loc[m.places, m.industries].to_numpy(dtype=float))
    with duckdb.connect() as con:
        count = con.execute(
            f"SELECT count(*) FROM read_parquet('{registry}') WHERE status IN ('存续', '在业')"
        ).fetchall()[0][0]
    assert dense.sum() == count == len(active)


def test_matrix_of_employees_and_of_all_firms(registry: Path, frame: pd.DataFrame) -> None:
    employees = place_industry_matrix(registry, value="employees")
    active = frame[frame["status"].isin(ACTIVE_STATUSES)]
    assert employees.value == "employees"
    assert employees.values.sum() == active["insured_employees"].sum()
    i = employees.places.index("370305")
    linzi = active[active["adcode"] == "370305"].groupby("industry")["insured_employees"].sum()
    row = employees.row("370305")
    assert row.sum() == linzi.sum()
    assert np.array_equal(np.asarray(employees.values[i].toarray()).ravel(), row)
    everything = place_industry_matrix(registry, active_only=False)
    assert everything.values.sum() == FIRMS
    assert employees.row("999999").sum() == 0


def test_firms_query_by_codes_keywords_and_exclusion(registry: Path, frame: pd.DataFrame) -> None:
    by_code = firms_query(
        registry, codes=["2614", "2651"], keywords=None, exclude_adcode="370305", limit=None
    )
    df = by_code.to_pandas()
    expected = frame[
        frame["industry"].isin(["2614", "2651"])
        & (frame["adcode"] != "370305")
        & frame["status"].isin(ACTIVE_STATUSES)
    ]
    assert len(df) == len(expected) > 0
    assert set(df["uscc"]) == set(expected["uscc"])
    assert by_code.schema == REGISTRY_SCHEMA

    words = ["乙烯", "丙烯"]
    hits = firms_query(registry, codes=None, keywords=words, exclude_adcode=None, limit=None).to_pandas()
    text = frame["scope"] + frame["name"]
    expected_kw = frame[text.str.contains("乙烯|丙烯") & frame["status"].isin(ACTIVE_STATUSES)]
    assert set(hits["uscc"]) == set(expected_kw["uscc"]) and len(hits) > 0

    either = firms_query(registry, codes=["3491"], keywords=words, exclude_adcode=None, limit=None)
    assert either.num_rows == len(
        frame[
            (frame["industry"].eq("3491") | text.str.contains("乙烯|丙烯"))
            & frame["status"].isin(ACTIVE_STATUSES)
        ]
    )
    few = firms_query(
        registry, codes=None, keywords=None, exclude_adcode=None, limit=5, columns=["uscc", "name"]
    )
    assert few.num_rows == 5 and few.column_names == ["uscc", "name"]
    all_rows = firms_query(
        registry, codes=None, keywords=None, exclude_adcode=None, limit=None, active_only=False
    )
    assert all_rows.num_rows == FIRMS
    with pytest.raises(ValueError):
        firms_query(registry, codes=None, keywords=None, exclude_adcode=None, limit=1, columns=["nope"])


def test_firms_query_keyword_with_quote_is_a_parameter(registry: Path) -> None:
    none = firms_query(registry, codes=None, keywords=["x' OR 1=1 --"], exclude_adcode=None, limit=None)
    assert none.num_rows == 0

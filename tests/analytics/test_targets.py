"""Targets of a weak node: industries, cities (handcrafted matrices) and enterprises (term-by-term scores)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import scipy.sparse
from hypothesis import given
from hypothesis import strategies as st

from zhaoshang.analytics.chains.gaps import GapError, GapNode
from zhaoshang.analytics.complexity.relatedness import DistrictRelatedness
from zhaoshang.analytics.registry.store import ACTIVE_STATUSES, PlaceIndustryMatrix, registry_generate
from zhaoshang.analytics.targets.firms import TERMS, TargetWeights, registry_targets, target_enterprises
from zhaoshang.analytics.targets.places import (
    CityParams,
    IndustryWeights,
    distance_decay,
    division_centre,
    matrix_to_cities,
    target_cities,
    target_industries,
)
from zhaoshang.geo.coords import haversine_km_many

LINZI = "370305"
ROBOT = GapNode("robot-body", "机器人本体", "mid", 3.0, {"3491": 1.0, "3492": 0.5})


# --- enterprises -------------------------------------------------------------------------------------------


def firm(uscc: str, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "uscc": uscc,
        "name": f"济南{uscc}机器人有限公司",
        "adcode": "370102",
        "city": "370100",
        "industry": "3491",
        "registered_capital": 500.0,
        "insured_employees": 120,
        "status": "存续",
        "listed": False,
        "specialised": False,
        "high_tech": False,
        "top500": False,
        "abnormal": False,
        "dishonest": False,
        "branches_24m": 1,
        "investments_24m": 0,
        "employee_growth": 0.1,
        "lng": 117.1,
        "lat": 36.65,
    }
    row.update(over)
    return row


def scores(rows: list[dict[str, Any]], **kwargs: Any) -> dict[str, float]:
    out = target_enterprises(pd.DataFrame(rows), district=LINZI, top=len(rows), **kwargs)
    return dict(zip(out["uscc"], out["score"], strict=True))


def test_a_penalty_ranks_a_firm_below_its_twin() -> None:
    s = scores([firm("base"), firm("abnormal", abnormal=True), firm("dishonest", dishonest=True)])
    assert s["base"] > s["abnormal"] > s["dishonest"]
    assert s["base"] - s["abnormal"] == pytest.approx(1.0)
    shell = scores([firm("base"), firm("shell", insured_employees=0)])
    assert shell["shell"] < shell["base"] - 1.5  # the shell penalty on top of a smaller size term


@pytest.mark.parametrize("tag", ["top500", "listed", "specialised", "high_tech"])
def test_quality_tags_raise_the_score(tag: str) -> None:
    s = scores([firm("base"), firm("tagged", **{tag: True})])
    assert s["tagged"] == pytest.approx(s["base"] + getattr(TargetWeights(), tag))
    off = scores([firm("base"), firm("tagged", **{tag: True})], weights=TargetWeights(**{tag: 0.0}))
    assert off["tagged"] == pytest.approx(off["base"])


def test_size_growth_expansion_fit_and_ties_raise_the_score() -> None:
    rows = [
        firm("base"),
        firm("big", insured_employees=5000, registered_capital=80_000.0),
        firm("growing", employee_growth=0.3),
        firm("expanding", branches_24m=3, investments_24m=2),
        firm("fit", industry="3492"),
    ]
    s = scores(rows, density={"3491": 0.1, "3492": 0.4}, ties={"3492": 5})
    assert all(s[k] > s["base"] for k in ("big", "growing", "expanding", "fit"))


def test_distance_decay_is_monotone_in_the_ranking() -> None:
    rows = [firm(f"d{k}", lng=118.31 + 2.0 * k, lat=36.82) for k in range(1, 6)]
    out = target_enterprises(pd.DataFrame(rows), district=LINZI, top=10)
    assert list(out["uscc"]) == [f"d{k}" for k in range(1, 6)]
    assert np.all(np.diff(out["distance_km"].to_numpy()) > 0)
    assert np.all(np.diff(out["score"].to_numpy()) < 0)


@given(
    st.lists(st.floats(0, 5000, allow_nan=False), min_size=2, max_size=20),
    st.floats(10, 2000),
    st.floats(0, 0.9),
)
def test_distance_decay_property(distances: list[float], half: float, floor: float) -> None:
    d = np.sort(np.array(distances))
    decay = distance_decay(d, half, floor)
    assert np.all(np.diff(decay) <= 1e-12)
    assert np.all((decay >= floor - 1e-12) & (decay <= 1 + 1e-12))
    assert distance_decay([half], half, 0.0)[0] == pytest.approx(0.5)
    assert distance_decay([math.nan], half, floor)[0] == floor


def test_own_district_and_closed_firms_are_left_out() -> None:
    rows = [
        firm("ok"),
        firm("local", adcode=LINZI),
        firm("closed", status="注销"),
        firm("revoked", status="吊销"),
    ]
    out = target_enterprises(pd.DataFrame(rows), district=LINZI)
    assert list(out["uscc"]) == ["ok"]


def test_breakdown_and_explanation() -> None:
    rows = [
        firm("x", listed=True, abnormal=True, registered_capital=25_000.0, branches_24m=2, investments_24m=1)
    ]
    out = target_enterprises(pd.DataFrame(rows), district=LINZI, density={"3491": 0.2}, ties={"3491": 4})
    row = out.iloc[0]
    assert set(row["breakdown"]) == set(TERMS)
    assert sum(row["breakdown"].values()) == pytest.approx(row["score"])
    assert row["t_listed"] == pytest.approx(0.6) and row["t_abnormal"] == pytest.approx(-1.0)
    assert row["t_fit"] == pytest.approx(1.0)  # the district's best density
    assert row["t_employees"] == pytest.approx(math.log1p(120) / math.log1p(10_000))
    km = haversine_km_many(*division_centre(LINZI), 117.1, 36.65)
    assert row["distance_km"] == pytest.approx(float(km))
    text = row["explain"]
    for fragment in (
        "参保 120 人", "2.50 亿元", "+10%", "分支 2 家", "投资 1 笔", "关联密度 0.200", "相关企业 4 家",
        f"{float(km):,.0f} km", "上市", "经营异常", f"总分 {row['score']:.2f}",
    ):  # fmt: skip
        assert fragment in text, fragment


def test_arrow_and_pandas_inputs_agree() -> None:
    rows = [firm(f"f{k}", insured_employees=10 * k, lng=117 + 0.1 * k) for k in range(30)]
    frame = pd.DataFrame(rows)
    a = target_enterprises(frame, district=LINZI, top=10, density={"3491": 0.3})
    b = target_enterprises(pa.Table.from_pandas(frame), district=LINZI, top=10, density={"3491": 0.3})
    pd.testing.assert_frame_equal(a, b)
    assert list(a["rank"]) == list(range(1, 11))
    with pytest.raises(GapError):
        target_enterprises(frame, district="999999")


# --- industries --------------------------------------------------------------------------------------------


def test_target_industries_rank_by_feasibility_times_value() -> None:
    rel = DistrictRelatedness(
        district=LINZI,
        density={"3491": 0.2, "3492": 0.4, "3493": 0.3, "2511": 0.9},
        pci={"3491": 1.0, "3492": 2.0, "3493": 0.0, "2511": -1.0},
        cog={"3491": 0.5, "3492": 0.1, "3493": math.nan, "2511": 0.0},
        present={"2511": True},
    )
    out = target_industries(ROBOT, rel, gap=1.5)
    assert [t.code for t in out] == ["3492", "3491"]
    by = {t.code: t for t in out}
    # PCI ranks among 4: 2511 0, 3493 1/3, 3491 2/3, 3492 1; COG among the 3 finite: 2511 0, 3492 0.5, 3491 1.
    assert by["3491"].value == pytest.approx((2 / 3 + 1 + 1) / 3)
    assert by["3492"].value == pytest.approx((1 + 0.5 + 0.5) / 3)
    assert by["3491"].score == pytest.approx(0.2 * by["3491"].value * 1.5)
    assert by["3492"].score == pytest.approx(0.4 * by["3492"].value * 1.5)
    assert "0.200" in "".join(by["3491"].explain) and "1.50" in "".join(by["3491"].explain)
    wide = target_industries(ROBOT, rel, include_group=True, weights=IndustryWeights(sibling_share=0.3))
    codes = {t.code: t for t in wide}
    assert {"3491", "3492", "3493", "3499"} <= set(codes) and not codes["3493"].in_node
    assert codes["3493"].score == pytest.approx(0.3 * (1 / 3 + 0 + 0.3) / 3 * ROBOT.weight)


# --- cities ------------------------------------------------------------------------------------------------

CITIES = ["110100", "320500", "370100", "370300", "440600"]
CITY_VALUES = np.array(
    [
        [1, 99],  # Beijing: 1 firm → below min_firms
        [10, 90],  # Suzhou
        [10, 90],  # Jinan: same as Suzhou, nearer
        [2, 100],  # Zibo: the district's own city
        [40, 60],  # Foshan: the largest, far away
    ],
    dtype=float,
)


def city_matrix() -> PlaceIndustryMatrix:
    return PlaceIndustryMatrix(
        CITIES, ["3491", "5211"], scipy.sparse.csr_matrix(CITY_VALUES), "city", "firms"
    )


def test_cities_ranked_by_concentration_and_distance() -> None:
    params = CityParams()
    out = target_cities(ROBOT, city_matrix(), district=LINZI, params=params)
    codes = [c.code for c in out]
    assert "370300" not in codes and "110100" not in codes
    assert codes.index("370100") < codes.index("320500")
    origin = division_centre(LINZI)
    node_total, grand = CITY_VALUES[:, 0].sum(), CITY_VALUES.sum()
    for c in out:
        i = CITIES.index(c.code)
        share = CITY_VALUES[i, 0] / node_total
        lq = (CITY_VALUES[i, 0] / CITY_VALUES[i].sum()) / (node_total / grand)
        conc = math.sqrt(share / (40 / node_total)) * math.sqrt(min(lq, 3.0) / 3.0)
        centre = division_centre(c.code)
        km = float(haversine_km_many(origin[0], origin[1], centre[0], centre[1]))
        decay = 0.2 + 0.8 * 0.5 ** (km / 500)
        assert (c.share, c.lq, c.distance_km) == pytest.approx((share, lq, km))
        assert c.score == pytest.approx(conc * decay)
    assert [c.score for c in out] == sorted((c.score for c in out), reverse=True)
    jinan = out[codes.index("370100")]
    assert (
        jinan.name == "济南市"
        and "10 家" in jinan.explain[0]
        and f"{jinan.distance_km:,.0f} km" in jinan.explain[2]
    )
    near = target_cities(
        ROBOT, city_matrix(), district=LINZI, params=CityParams(half_distance_km=50, decay_floor=0)
    )
    assert near[0].code == "370100"
    with_own = target_cities(
        ROBOT, city_matrix(), district=LINZI, params=CityParams(exclude_own_city=False, min_firms=1)
    )
    assert {"370300", "110100"} <= {c.code for c in with_own}


def test_county_matrix_is_summed_into_cities() -> None:
    counties = ["370102", "370103", "370302", "370305", "110101"]
    values = np.array([[3, 1], [2, 2], [1, 5], [4, 0], [0, 7]], dtype=float)
    m = PlaceIndustryMatrix(counties, ["3491", "5211"], scipy.sparse.csr_matrix(values))
    cities = matrix_to_cities(m)
    assert cities.level == "city" and cities.places == ["110100", "370100", "370300"]
    np.testing.assert_array_equal(cities.values.toarray(), [[0, 7], [5, 3], [5, 5]])
    a = target_cities(ROBOT, m, district=LINZI, params=CityParams(min_firms=0, exclude_own_city=False))
    b = target_cities(ROBOT, cities, district=LINZI, params=CityParams(min_firms=0, exclude_own_city=False))
    assert [(c.code, c.score) for c in a] == [(c.code, c.score) for c in b]


# --- end to end on a small registry ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("targets") / "registry.parquet"
    counties = ["370305", "370302", "370102", "440606", "320583", "310114", "210106", "330110", "110105"]
    registry_generate(path, firms=12_000, seed=11, counties=counties)
    return path


def test_registry_targets_match_a_pandas_full_scan(registry: Path) -> None:
    keywords = ["机械臂", "协作机器人"]
    density = {"3491": 0.3, "3492": 0.2}
    out = registry_targets(registry, ROBOT, district=LINZI, keywords=keywords, density=density, top=25)
    frame = pq.read_table(registry).to_pandas()
    hit = frame["industry"].isin(["3491", "3492"]) | (frame["scope"] + frame["name"]).str.contains(
        "机械臂|协作机器人"
    )
    candidates = frame[hit & (frame["adcode"] != LINZI) & frame["status"].isin(ACTIVE_STATUSES)]
    expected = target_enterprises(candidates, district=LINZI, density=density, top=25)
    assert len(out) == 25
    assert list(out["uscc"]) == list(expected["uscc"])
    np.testing.assert_allclose(out["score"], expected["score"])
    assert (out["adcode"] != LINZI).all()

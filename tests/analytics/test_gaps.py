"""Chain gap analysis on a handcrafted matrix whose answers are worked out by hand, plus properties."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import scipy.sparse
from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoshang.analytics.chains.gaps import GapError, GapNode, GapSettings, chain_gaps
from zhaoshang.analytics.complexity.engine import ComplexityWarning, complexity_compute
from zhaoshang.analytics.complexity.relatedness import district_relatedness
from zhaoshang.analytics.registry.store import PlaceIndustryMatrix

LINZI = "370305"
PLACES = [LINZI, "370302", "110101"]
CODES = ["2511", "2614", "3451", "3491"]
# Firms.  Shandong (37) = the first two rows: column sums 12, 8, 4, 8 (total 32); nation: 12, 24, 20, 16 (72).
FIRMS = np.array(
    [
        [10, 4, 0, 2],  # Linzi, total 16
        [2, 4, 4, 6],
        [0, 16, 16, 8],
    ],
    dtype=float,
)


def matrix(values: np.ndarray = FIRMS, value: str = "firms") -> PlaceIndustryMatrix:
    return PlaceIndustryMatrix(PLACES, CODES, scipy.sparse.csr_matrix(values), "county", value)  # type: ignore[arg-type]


NODES = [
    GapNode("distill", "常减压蒸馏", "mid", 2.0, {"2511": 1.0}),
    GapNode("ethylene", "乙烯裂解", "mid", 1.0, {"2614": 1.0}),
    GapNode("robot", "机器人本体", "down", 3.0, {"3491": 1.0}),
    GapNode("bearing", "精密轴承", "up", 1.0, {"3451": 1.0}),
    GapNode("mixed", "混合环节", "down", 1.0, {"2511": 0.5, "3451": 0.5}),
]
EDGES: list[tuple[str, str] | tuple[str, str, float | None]] = [
    ("bearing", "robot"),
    ("distill", "ethylene", 2.0),
    ("ethylene", "robot", None),
    ("robot", "mixed"),
]


def test_statuses_lq_need_and_gap_by_hand() -> None:
    r = chain_gaps(NODES, EDGES, matrix=matrix(), district=LINZI)
    assert r.province == "370000"
    d, e, rb, b, mx = (r.node(k) for k in ("distill", "ethylene", "robot", "bearing", "mixed"))
    assert [n.status for n in (d, e, rb, b, mx)] == ["strong", "strong", "weak", "missing", "strong"]
    assert (d.firms, e.firms, rb.firms, b.firms, mx.firms) == (10, 4, 2, 0, 10)
    assert d.lq_province == pytest.approx((10 / 16) / (12 / 32))
    assert d.lq_nation == pytest.approx((10 / 16) / (12 / 72))
    assert e.lq_province == pytest.approx(1.0) and e.lq_nation == pytest.approx(0.75)
    assert rb.lq_province == pytest.approx(0.5) and rb.lq_nation == pytest.approx(0.5625)
    assert b.lq_province == 0 and b.strength == 0
    assert (
        mx.strength == 5 and mx.lq_province == pytest.approx(1.25) and mx.lq_nation == pytest.approx(1.40625)
    )
    # robot: downstream mixed strong → pull 1; upstream bearing missing, ethylene strong → push 0.5.
    assert (rb.pull, rb.push) == (1.0, 0.5)
    assert rb.need == pytest.approx(0.2 + 0.8 * 0.75)
    assert rb.shortfall == pytest.approx(0.5)  # 1 − min(0.5, 2/3, 1)
    assert rb.gap_score == pytest.approx(3.0 * 0.5 * 0.8)
    # bearing: only downstream (robot, weak → 0.5).
    assert b.pull == 0.5 and math.isnan(b.push)
    assert b.need == pytest.approx(0.6) and b.shortfall == 1.0 and b.gap_score == pytest.approx(0.6)
    assert d.need == pytest.approx(1.0) and d.gap_score == 0
    assert e.need == pytest.approx(0.8) and e.gap_score == 0
    assert mx.need == pytest.approx(0.6)
    assert r.completeness == pytest.approx(4 / 8)
    assert [n.key for n in r.ranked()] == ["robot", "bearing"]
    assert math.isnan(rb.feasibility)


def test_nation_base_changes_the_status_and_the_need_of_neighbours() -> None:
    r = chain_gaps(NODES, EDGES, matrix=matrix(), district=LINZI, settings=GapSettings(base="nation"))
    e, rb = r.node("ethylene"), r.node("robot")
    assert e.status == "weak" and e.lq == pytest.approx(0.75)
    assert e.gap_score == pytest.approx(1.0 * 0.25 * 0.8)
    assert rb.push == pytest.approx(0.25) and rb.need == pytest.approx(0.7)
    assert rb.gap_score == pytest.approx(3.0 * (1 - 0.5625) * 0.7)
    assert r.completeness == pytest.approx(3 / 8)


def test_edge_weights_and_f_min() -> None:
    edges: list[tuple[str, str] | tuple[str, str, float | None]] = [
        ("bearing", "robot", 3.0),
        ("ethylene", "robot", 1.0),
        ("robot", "mixed"),
    ]
    rb = chain_gaps(NODES, edges, matrix=matrix(), district=LINZI).node("robot")
    assert rb.push == pytest.approx(1 / 4) and rb.need == pytest.approx(0.2 + 0.8 * 0.625)
    strict = chain_gaps(NODES, EDGES, matrix=matrix(), district=LINZI, settings=GapSettings(f_min=5))
    e = strict.node("ethylene")
    assert e.status == "weak" and e.shortfall == pytest.approx(0.2)  # LQ 1.0 but 4 of 5 firms
    isolated = chain_gaps(NODES, [], matrix=matrix(), district=LINZI).node("bearing")
    assert isolated.need == pytest.approx(0.2) and isolated.gap_score == pytest.approx(0.2)


def test_employees_matrix_needs_the_firm_counts() -> None:
    employees = matrix(FIRMS * 10, "employees")
    with pytest.raises(GapError):
        chain_gaps(NODES, EDGES, matrix=employees, district=LINZI)
    r = chain_gaps(NODES, EDGES, matrix=employees, district=LINZI, firms=matrix())
    assert r.node("robot").firms == 2 and r.node("robot").strength == 20
    assert r.node("robot").lq_province == pytest.approx(0.5)


def test_feasibility_is_the_share_weighted_density() -> None:
    density = {"2511": 0.4, "3451": 0.2, "2614": math.nan}
    r = chain_gaps(NODES, EDGES, matrix=matrix(), district=LINZI, density=density)
    assert r.node("mixed").feasibility == pytest.approx(0.3)
    assert r.node("robot").feasibility == 0.0  # not in the density vector
    assert r.node("ethylene").feasibility == 0.0  # NaN → 0


def test_explanations_carry_the_numbers() -> None:
    r = chain_gaps(NODES, EDGES, matrix=matrix(), district=LINZI, density={"3491": 0.25})
    text = "".join(r.node("robot").explain)
    for fragment in (
        "企业 2 家",
        "全省区位熵 0.50",
        "全国区位熵 0.56",
        "弱项",
        "企业 2 家 < 3 家",
        "需求度",
        "1.20",
        "0.25",
    ):
        assert fragment in text, fragment
    assert "缺失" in "".join(r.node("bearing").explain)
    assert "强项" in "".join(r.node("distill").explain)
    assert "50%" in r.explain[0]


def test_bad_input_is_refused() -> None:
    with pytest.raises(GapError):
        chain_gaps(NODES, [("robot", "nowhere")], matrix=matrix(), district=LINZI)
    with pytest.raises(GapError):
        chain_gaps(NODES, EDGES, matrix=matrix(), district="999999")
    with pytest.raises(GapError):
        chain_gaps(NODES + NODES[:1], EDGES, matrix=matrix(), district=LINZI)
    with pytest.raises(GapError):
        chain_gaps(NODES, [("robot", "mixed", -1.0)], matrix=matrix(), district=LINZI)


def test_district_relatedness_is_the_complexity_row() -> None:
    rng = np.random.default_rng(3)
    blocks = np.kron(np.eye(3), np.ones((4, 5))) * 20 + rng.integers(0, 6, size=(12, 15))
    places = [LINZI] + [f"3703{i:02d}" for i in range(6, 17)]
    codes = [f"{2500 + i}" for i in range(15)]
    m = PlaceIndustryMatrix(places, codes, scipy.sparse.csr_matrix(blocks.astype(float)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComplexityWarning)
        rel = district_relatedness(m, LINZI)
        full = complexity_compute(m.values)
    assert list(rel.density) == codes
    np.testing.assert_allclose(list(rel.density.values()), full.density[0])
    np.testing.assert_allclose(list(rel.cog.values()), full.cog[0])
    assert [rel.present[c] for c in codes] == (full.mcp[0] == 1).tolist()
    # The district's own block is denser than the others.
    dens = np.array(list(rel.density.values()))
    assert dens[:5].mean() > dens[5:].mean()
    with pytest.raises(ValueError):
        district_relatedness(m, "999999")


PROPERTY_PLACES = ["370305", "370302", "370303", "110101", "440606", "320583"]


@st.composite
def chains(draw: st.DrawFn) -> tuple[PlaceIndustryMatrix, list[GapNode], list[tuple[str, str, float]]]:
    n_places = draw(st.integers(2, len(PROPERTY_PLACES)))
    n_codes = draw(st.integers(2, 6))
    values = draw(
        st.lists(
            st.lists(st.integers(0, 15), min_size=n_codes, max_size=n_codes),
            min_size=n_places,
            max_size=n_places,
        )
    )
    codes = [f"{3400 + j}" for j in range(n_codes)]
    m = PlaceIndustryMatrix(
        PROPERTY_PLACES[:n_places], codes, scipy.sparse.csr_matrix(np.array(values, dtype=float))
    )
    n_nodes = draw(st.integers(1, 6))
    nodes = []
    for k in range(n_nodes):
        picked = draw(st.lists(st.sampled_from(codes), min_size=1, max_size=2, unique=True))
        shares = {c: draw(st.floats(0.1, 1.0)) for c in picked}
        nodes.append(GapNode(f"n{k}", f"环节{k}", "mid", draw(st.floats(0.1, 3.0)), shares))
    edges = draw(
        st.lists(
            st.tuples(
                st.sampled_from([n.key for n in nodes]),
                st.sampled_from([n.key for n in nodes]),
                st.floats(0, 2),
            ),
            max_size=8,
        )
    )
    return m, nodes, edges


@settings(max_examples=60, deadline=None)
@given(chains(), st.sampled_from(["province", "nation"]), st.integers(1, 4), st.floats(0.5, 1.5))
def test_properties(
    case: tuple[PlaceIndustryMatrix, list[GapNode], list[tuple[str, str, float]]],
    base: str,
    f_min: int,
    theta: float,
) -> None:
    m, nodes, edges = case
    s = GapSettings(f_min=f_min, lq_threshold=theta, base=base)  # type: ignore[arg-type]
    r = chain_gaps(nodes, edges, matrix=m, district=m.places[0], settings=s)
    for n in r.nodes:
        assert (n.status == "missing") == (n.firms == 0)
        if n.status == "strong":
            assert n.gap_score == 0 and n.shortfall == 0 and n.lq >= theta and n.firms >= f_min
        else:
            assert n.shortfall > 0
        if n.status == "missing":
            assert n.shortfall == 1 and n.lq == 0
        assert s.need_floor - 1e-12 <= n.need <= 1 + 1e-12
        assert 0 <= n.gap_score <= n.weight + 1e-12
        assert n.lq_province >= 0 and n.lq_nation >= 0
    assert 0 <= r.completeness <= 1
    strong = sum(n.weight for n in r.nodes if n.status == "strong")
    assert r.completeness == pytest.approx(strong / sum(n.weight for n in r.nodes))

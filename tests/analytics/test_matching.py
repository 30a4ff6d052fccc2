"""The site-matching engine (filters, scores, reasons, near misses) and batch assignment."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoshang.analytics.matching.assignment import (
    AssignmentProblem,
    assign_demands,
    assign_greedy,
    assign_optimal,
)
from zhaoshang.analytics.matching.engine import (
    Demand,
    MatchError,
    MatchOptions,
    MatchResult,
    Site,
    SiteTable,
    feasible_scores,
    match,
)

LINZI = (118.31, 36.82)
TODAY = datetime.date(2025, 1, 1)
OPTIONS = MatchOptions(today=TODAY)

# A building demand with every filter switched on, and a site that passes all of them.
DEMAND = Demand(
    id="D",
    kind="building",
    min_area=4000,
    max_area=6000,
    land_use=("M2",),
    chemical=True,
    power_kva=1000,
    water_tpd=100,
    steam_tph=5,
    gas=True,
    emission_quota=10,
    clear_height_m=8,
    floor_load_kn=10,
    crane_t=10,
    max_price=20,
    lease_or_buy="lease",
    location=LINZI,
    max_distance_km=20,
    ready_by=datetime.date(2025, 6, 30),
)
SITE = Site(
    id="S",
    kind="building",
    location=(LINZI[0] + 0.01, LINZI[1]),
    floor_area_m2=5000,
    land_use="M2",
    chemical_park=True,
    power_kva=2000,
    water_tpd=200,
    steam_tph=10,
    gas=True,
    emission_quota=20,
    clear_height_m=10,
    floor_load_kn=15,
    crane_t=16,
    price=15,
    tenure="lease",
    park="齐鲁化学工业区",
    available_from=datetime.date(2025, 3, 1),
)


def site(site_id: str = "S", **changes: Any) -> Site:
    return dataclasses.replace(SITE, id=site_id, **changes)


def demand(**changes: Any) -> Demand:
    return dataclasses.replace(DEMAND, **changes)


def run(sites: list[Site], wanted: Demand = DEMAND, **kwargs: Any) -> MatchResult:
    kwargs.setdefault("options", OPTIONS)
    return match(SiteTable(sites), wanted, **kwargs)


def ids(result: MatchResult) -> list[str]:
    return [c.site_id for c in result.candidates]


def test_the_reference_site_passes_every_filter() -> None:
    result = run([SITE])
    assert ids(result) == ["S"] and result.feasible == 1 and result.near_misses == ()


FAILURES = [
    # (constraint, change to the site, need, have, short)
    ("chemical", {"chemical_park": False}, True, False, None),
    ("land_use", {"land_use": "M1"}, "M2", "M1", None),
    ("area", {"floor_area_m2": 3500}, 4000, 3500, 500),
    ("area", {"floor_area_m2": 7000}, 6000, 7000, 1000),
    ("tenure", {"tenure": "sale"}, True, False, None),
    ("power", {"power_kva": 600}, 1000, 600, 400),
    ("power", {"power_kva": None}, 1000, None, None),
    ("water", {"water_tpd": 40}, 100, 40, 60),
    ("steam", {"steam_tph": 2}, 5, 2, 3),
    ("gas", {"gas": False}, True, False, None),
    ("emission", {"emission_quota": 4}, 10, 4, 6),
    ("clear_height", {"clear_height_m": 7}, 8, 7, 1),
    ("floor_load", {"floor_load_kn": 5}, 10, 5, 5),
    ("crane", {"crane_t": 5}, 10, 5, 5),
    ("available", {"available_from": datetime.date(2025, 7, 10)}, "2025-06-30", "2025-07-10", 10),
    ("price", {"price": 25}, 20, 25, 5),
    ("price", {"price": None}, 20, None, None),
]


@pytest.mark.parametrize(("constraint", "change", "need", "have", "short"), FAILURES)
def test_each_filter_rejects_a_site_failing_only_it(
    constraint: str, change: dict[str, Any], need: Any, have: Any, short: float | None
) -> None:
    result = run([site("bad", **change), SITE])
    assert ids(result) == ["S"]
    (near,) = result.near_misses
    assert near.site_id == "bad"
    (miss,) = near.failed
    assert (miss.constraint, miss.need, miss.have) == (constraint, need, have)
    assert miss.short == (None if short is None else pytest.approx(short))
    assert miss.zh


def test_distance_filter() -> None:
    far = site("far", location=(LINZI[0] + 0.3, LINZI[1]))  # about 26.8 km east
    result = run([far, SITE])
    assert ids(result) == ["S"]
    (miss,) = result.near_misses[0].failed
    assert miss.constraint == "distance" and miss.need == 20
    assert isinstance(miss.have, float) and miss.short is not None
    assert miss.short == pytest.approx(miss.have - 20) and 6 < miss.short < 8


def test_a_site_of_another_kind_is_neither_candidate_nor_near_miss() -> None:
    parcel = Site(id="P", kind="parcel", location=LINZI, area_mu=8, land_use="M2", chemical_park=True)
    result = run([parcel, SITE])
    assert ids(result) == ["S"] and result.near_misses == ()


def test_near_misses_fail_at_most_two_filters_and_the_closest_come_first() -> None:
    one_small = site("one-small", power_kva=990)  # 1 % short
    one_big = site("one-big", power_kva=500)  # 50 % short
    two = site("two", power_kva=990, water_tpd=99)
    three = site("three", power_kva=990, water_tpd=99, steam_tph=4)
    result = run([three, two, one_big, one_small])
    assert result.candidates == ()
    assert [n.site_id for n in result.near_misses] == ["one-small", "one-big", "two"]
    assert [m.constraint for m in result.near_misses[2].failed] == ["power", "water"]
    assert [
        n.site_id for n in run([three, two], options=dataclasses.replace(OPTIONS, max_failures=3)).near_misses
    ] == [
        "two",
        "three",
    ]
    assert len(run([three, two, one_big, one_small], near=1).near_misses) == 1


def test_area_tolerance() -> None:
    small = site("small", floor_area_m2=3850)
    assert ids(run([small])) == []
    assert ids(run([small], options=dataclasses.replace(OPTIONS, area_tolerance=0.05))) == ["small"]


def test_divisible_building_only_needs_the_minimum_area() -> None:
    big = site("big", floor_area_m2=20000)
    assert ids(run([big])) == []
    assert ids(run([dataclasses.replace(big, divisible=True)])) == ["big"]


def test_land_use_prefix_accepts_every_class() -> None:
    sites = [site(code, land_use=code) for code in ("M1", "M2", "M3", "W1", "m2 ")]
    assert sorted(ids(run(sites, demand(land_use=("M",))))) == ["M1", "M2", "M3", "m2 "]
    assert sorted(ids(run(sites, demand(land_use=("W1", "M3"))))) == ["M3", "W1"]
    assert len(ids(run(sites, demand(land_use=())))) == 5


def test_parcels_ignore_building_specs() -> None:
    parcel = Site(id="P", kind="parcel", location=LINZI, area_mu=50, land_use="M2")
    wanted = Demand(id="D", kind="parcel", min_area=40, max_area=60, clear_height_m=12, crane_t=20)
    assert ids(match(SiteTable([parcel]), wanted)) == ["P"]


def test_availability_falls_back_to_today() -> None:
    later = site("later", available_from=datetime.date(2025, 3, 1))
    undated = demand(ready_by=None)
    assert ids(run([later], undated)) == []
    assert ids(run([later], undated, options=MatchOptions())) == ["later"]  # no date at all: not checked
    assert ids(run([later], undated, options=MatchOptions(today=datetime.date(2025, 3, 1)))) == ["later"]


def test_lease_or_buy() -> None:
    both = site("both", tenure="both")
    sale = site("sale", tenure="sale")
    assert sorted(ids(run([both, sale], demand(lease_or_buy="buy")))) == ["both", "sale"]
    assert ids(run([both, sale], demand(lease_or_buy="lease"))) == ["both"]
    assert sorted(ids(run([both, sale], demand(lease_or_buy="either")))) == ["both", "sale"]


# --- scores -------------------------------------------------------------------------------------------


def scores(result: MatchResult) -> dict[str, float]:
    return {c.site_id: c.score for c in result.candidates}


def test_positive_criterion_more_is_better_up_to_saturation() -> None:
    sites = [site("1500", power_kva=1500), site("1800", power_kva=1800), site("3000", power_kva=3000)]
    sites.append(site("2000", power_kva=2000))
    result = run(sites)
    s = scores(result)
    assert s["1500"] < s["1800"] < s["2000"]
    assert s["2000"] == pytest.approx(s["3000"])  # spare equal to the need saturates
    assert ids(result) == ["3000", "2000", "1800", "1500"]  # ties keep table order


def test_inverse_criteria_less_is_better() -> None:
    s = scores(run([site("cheap", price=10), site("dear", price=18)]))
    assert s["cheap"] > s["dear"]
    near, far = site("near", location=LINZI), site("far", location=(LINZI[0] + 0.1, LINZI[1]))
    s = scores(run([far, near]))
    assert s["near"] > s["far"]


def test_ideal_criterion_prefers_the_middle_of_the_range() -> None:
    sites = [site(str(a), floor_area_m2=a) for a in (4000, 4500, 5000, 5500, 6000)]
    result = run(sites, demand(weights={"area": 1}))
    s = scores(result)
    assert ids(result)[0] == "5000" and s["5000"] == pytest.approx(100)
    assert s["4500"] == pytest.approx(s["5500"]) == pytest.approx(75)
    assert s["4000"] == pytest.approx(s["6000"]) == pytest.approx(50)


def test_candidate_scale_is_min_max_over_the_candidates() -> None:
    sites = [site("a", price=10), site("b", price=14), site("c", price=18)]
    options = dataclasses.replace(OPTIONS, scale="candidates")
    result = run(sites, demand(weights={"price": 1}), options=options)
    assert scores(result) == pytest.approx({"a": 100, "b": 50, "c": 0})


def test_weights_pick_the_winner() -> None:
    cheap_far = site("cheap-far", price=10, location=(LINZI[0] + 0.15, LINZI[1]))
    dear_near = site("dear-near", price=19, location=LINZI)
    assert ids(run([cheap_far, dear_near], demand(weights={"price": 1})))[0] == "cheap-far"
    assert ids(run([cheap_far, dear_near], demand(weights={"distance": 1})))[0] == "dear-near"


def test_reasons_explain_the_score() -> None:
    result = run([SITE], demand(preferred_park=("齐鲁化学工业区",)))
    (candidate,) = result.candidates
    names = [r.criterion for r in candidate.reasons]
    assert names == ["area", "price", "distance", "power", "park"]
    assert sum(r.weight for r in candidate.reasons) == pytest.approx(1)
    assert sum(r.points for r in candidate.reasons) == pytest.approx(candidate.score)
    by_name = {r.criterion: r for r in candidate.reasons}
    assert by_name["price"].influence == "inverse" and by_name["price"].value == 15
    assert "15 元/m²/月" in by_name["price"].zh and "25%" in by_name["price"].zh
    assert by_name["area"].influence == "ideal" and "5,000 m²" in by_name["area"].zh
    assert by_name["power"].influence == "positive" and "2,000 kVA" in by_name["power"].zh
    assert "齐鲁化学工业区" in by_name["park"].zh and by_name["park"].score == 1


def test_criteria_without_data_are_dropped_or_score_zero() -> None:
    wanted = demand(location=None, max_distance_km=None, max_price=None)
    result = run([site(price=None), site("b", price=12)], wanted)
    names = [r.criterion for r in result.candidates[0].reasons]
    assert "distance" not in names and "park" not in names
    unknown = next(c for c in result.candidates if c.site_id == "S")
    price = next(r for r in unknown.reasons if r.criterion == "price")
    assert price.value is None and price.score == 0 and "未填报" in price.zh


def test_top_limits_and_zero_means_all() -> None:
    sites = [site(f"s{i}", price=10 + i) for i in range(8)]
    assert len(run(sites, top=3).candidates) == 3
    assert len(run(sites, top=0).candidates) == 8
    rows, values = feasible_scores(SiteTable(sites), DEMAND, OPTIONS)
    full = run(sites, top=0)
    assert sorted(values.tolist(), reverse=True) == pytest.approx([c.score for c in full.candidates])


def test_invalid_input_is_refused() -> None:
    with pytest.raises(MatchError) as caught:
        Site(id="x", kind="parcel", location=LINZI)
    assert caught.value.field == "area_mu" and caught.value.en
    with pytest.raises(MatchError) as caught:
        Site(id="x", kind="house", location=LINZI, area_mu=1)  # type: ignore[arg-type]
    assert caught.value.field == "kind" and "house" in caught.value.en
    with pytest.raises(MatchError):
        site(power_kva=-1)
    with pytest.raises(MatchError) as caught:
        demand(min_area=7000)
    assert caught.value.field == "min_area"
    with pytest.raises(MatchError) as caught:
        demand(weights={"beauty": 1})
    assert caught.value.field == "weights"
    with pytest.raises(MatchError, match="重复"):
        SiteTable([SITE, SITE])


# --- assignment ---------------------------------------------------------------------------------------


def brute_force(problem: AssignmentProblem) -> float:
    """The best total by exhaustive search with a simple bound (small instances only)."""
    options: list[list[tuple[int, float, float]]] = [[] for _ in range(problem.n_demands)]
    for d, s, w, u in zip(problem.demand, problem.site, problem.score, problem.use, strict=True):
        options[int(d)].append((int(s), float(w), float(u)))
    best_each = [max((w for _, w, _ in o), default=0.0) for o in options]
    best = 0.0

    def search(d: int, total: float, load: dict[int, float], count: dict[int, int]) -> None:
        nonlocal best
        if total + sum(best_each[d:]) <= best:
            return
        if d == problem.n_demands:
            best = total
            return
        for s, w, u in options[d]:
            if problem.divisible[s]:
                if load.get(s, 0.0) + u > problem.capacity[s] * (1 + 1e-9):
                    continue
            elif count.get(s, 0):
                continue
            load[s] = load.get(s, 0.0) + u
            count[s] = count.get(s, 0) + 1
            search(d + 1, total + w, load, count)
            load[s] -= u
            count[s] -= 1
        search(d + 1, total, load, count)

    search(0, 0.0, {}, {})
    return best


@st.composite
def problems(draw: st.DrawFn) -> AssignmentProblem:
    n_demands = draw(st.integers(1, 6))
    n_sites = draw(st.integers(1, 7))
    density = draw(st.floats(0.2, 1.0))
    cells = st.one_of(st.none(), st.floats(0, 100).map(lambda x: round(x, 1)))
    scores = np.array(
        [
            [draw(cells) if draw(st.floats(0, 1)) < density else None for _ in range(n_sites)]
            for _ in range(n_demands)
        ],
        dtype=np.float64,
    )
    use = np.array([draw(st.integers(1, 9)) for _ in range(n_demands)], dtype=np.float64)
    capacity = np.array([draw(st.integers(1, 20)) for _ in range(n_sites)], dtype=np.float64)
    divisible = np.array([draw(st.booleans()) for _ in range(n_sites)])
    scores[use[:, None] > capacity[None, :]] = (
        np.nan
    )  # the filters never pass a site too small for the demand
    return AssignmentProblem.from_matrix(scores, use=use, capacity=capacity, divisible=divisible)


@settings(max_examples=300, deadline=None)
@given(problems())
def test_assignment_is_optimal_against_brute_force(problem: AssignmentProblem) -> None:
    best = assign_optimal(problem)
    greedy = assign_greedy(problem)
    assert best.optimal
    assert best.total_score == pytest.approx(brute_force(problem), abs=1e-6)
    assert best.total_score >= greedy.total_score - 1e-9
    assert best.upper_bound >= best.total_score - 1e-9
    # The solution itself is feasible and adds up.
    load: dict[int, float] = {}
    pairs = {
        (int(d), int(s)): (float(w), float(u))
        for d, s, w, u in zip(problem.demand, problem.site, problem.score, problem.use, strict=True)
    }
    total = 0.0
    for d, s in enumerate(best.site_of):
        if s is not None:
            w, u = pairs[(d, s)]
            total += w
            load[s] = load.get(s, 0.0) + u
    assert total == pytest.approx(best.total_score)
    used = [s for s in best.site_of if s is not None]
    for s in set(used):
        if problem.divisible[s]:
            assert load[s] <= problem.capacity[s] * (1 + 1e-9)
        else:
            assert used.count(s) == 1


def test_a_zero_score_fit_is_still_assigned_and_nothing_fitting_is_null() -> None:
    problem = AssignmentProblem.from_matrix(np.array([[0.0, np.nan], [np.nan, np.nan]]))
    best = assign_optimal(problem)
    assert best.site_of == (0, None)


def parcel(site_id: str, area: float, **changes: Any) -> Site:
    return Site(id=site_id, kind="parcel", location=LINZI, area_mu=area, land_use="M2", price=20, **changes)


def test_optimal_assignment_beats_first_come() -> None:
    # "plant" comes first and takes the chemical parcel, its best fit; the chemical project then has nowhere.
    sites = [parcel("chem", 50, chemical_park=True), parcel("plain", 58)]
    plant = Demand(id="plant", kind="parcel", min_area=40, max_area=60, weights={"area": 1})
    chemical = Demand(id="chem-plant", kind="parcel", min_area=40, max_area=60, chemical=True)
    result = assign_demands(SiteTable(sites), [plant, chemical], options=OPTIONS)
    assert result.greedy_assignment == {"plant": "chem", "chem-plant": None}
    assert result.assignment == {"plant": "plain", "chem-plant": "chem"}
    assert result.greedy_total_score == pytest.approx(100)
    assert result.total_score == pytest.approx(60 + 100 * 55 / 65)  # see the scores below
    assert result.scores == pytest.approx({"plant": 60, "chem-plant": 100 * 55 / 65})
    assert result.optimal and result.method == "linear_sum_assignment"


def workshop(demand_id: str, low: float) -> Demand:
    ready = datetime.date(2025, 6, 30)
    return Demand(
        id=demand_id, kind="building", min_area=low, max_area=low * 1.5, lease_or_buy="lease", ready_by=ready
    )


def test_divisible_building_hosts_two_demands_that_fit_and_not_three() -> None:
    hall = site("hall", floor_area_m2=10_000, divisible=True)
    table = SiteTable([hall])
    two = assign_demands(table, [workshop("a", 4000), workshop("b", 5000)], options=OPTIONS)
    assert two.assignment == {"a": "hall", "b": "hall"} and two.optimal
    three = assign_demands(
        table, [workshop("a", 4000), workshop("b", 5000), workshop("c", 3000)], options=OPTIONS
    )
    placed = [d for d, s in three.assignment.items() if s == "hall"]
    assert len(placed) == 2 and three.optimal
    assert sum({"a": 4000, "b": 5000, "c": 3000}[d] for d in placed) <= 10_000
    assert three.total_score >= three.greedy_total_score
    # An undivided hall takes one demand only.
    single = SiteTable([dataclasses.replace(hall, divisible=False, floor_area_m2=5000)])
    one = assign_demands(single, [workshop("a", 4000), workshop("b", 4000)], options=OPTIONS)
    assert list(one.assignment.values()).count("hall") == 1


def test_capacity_conflicts_are_solved_exactly() -> None:
    # Two halls of 10,000 m²; four tenants 6,000 / 5,000 / 5,000 / 4,000: only a 6+4 / 5+5 split seats all.
    halls = [
        site("h1", floor_area_m2=10_000, divisible=True),
        site("h2", floor_area_m2=10_000, divisible=True),
    ]
    demands = [workshop("a", 6000), workshop("b", 5000), workshop("c", 5000), workshop("d", 4000)]
    result = assign_demands(SiteTable(halls), demands, options=OPTIONS)
    assert None not in result.assignment.values() and result.optimal
    load = {"h1": 0.0, "h2": 0.0}
    for d, s in result.assignment.items():
        assert s is not None
        load[s] += {"a": 6000, "b": 5000, "c": 5000, "d": 4000}[d]
    assert max(load.values()) <= 10_000


def test_duplicate_demand_ids_are_refused() -> None:
    with pytest.raises(MatchError, match="重复"):
        assign_demands(SiteTable([SITE]), [DEMAND, DEMAND])


def test_no_edges_at_all() -> None:
    result = assign_demands(SiteTable([SITE]), [demand(min_area=9000, max_area=9500)], options=OPTIONS)
    assert result.assignment == {"D": None} and result.total_score == 0 and result.greedy_total_score == 0


def test_binding_areas_go_to_the_exact_solver() -> None:
    # One hall of 10; tenants of 5, 6 and 4. Two slots fit (4 + 5), and the relaxation would seat 6 and 5
    # (190), which overflows the hall; the exact programme seats 6 and 4. Greedy seats 5 first, then only 4.
    problem = AssignmentProblem.from_matrix(
        np.array([[90.0], [100.0], [10.0]]),
        use=np.array([5.0, 6.0, 4.0]),
        capacity=np.array([10.0]),
        divisible=np.array([True]),
    )
    best = assign_optimal(problem)
    assert best.method == "milp" and best.optimal
    assert best.site_of == (None, 0, 0)
    assert best.total_score == pytest.approx(110) and best.upper_bound == pytest.approx(190)
    assert assign_greedy(problem).total_score == pytest.approx(100)


def test_the_solver_cannot_write_into_a_commands_output(capfd: pytest.CaptureFixture[str]) -> None:
    import os

    from zhaoshang.analytics.matching.assignment import _quiet_c_stdout

    with _quiet_c_stdout():
        os.write(1, b"HiGHS noise\n")
    print("after")
    assert capfd.readouterr().out == "after\n"

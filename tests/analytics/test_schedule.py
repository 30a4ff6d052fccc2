"""CPM core: the DOMAIN.md test vector, properties against networkx, calendars, the default template."""

from __future__ import annotations

import datetime
import subprocess
import sys

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoshang.analytics.schedule.approval_template import CONSTRUCTION_STEP_ID, DEFAULT_APPROVAL_TEMPLATE
from zhaoshang.analytics.schedule.cpm import (
    CalendarDays,
    CnWorkdays,
    ScheduleError,
    Step,
    schedule_compute,
    schedule_dates,
    steps_from_json,
)

D = datetime.date


def vector() -> list[Step]:
    return [
        Step("A", "A", 3),
        Step("B", "B", 3, ("A",)),
        Step("C", "C", 4, ("A",)),
        Step("D", "D", 6, ("A",)),
        Step("E", "E", 5, ("B", "C", "D")),
    ]


def test_domain_vector() -> None:
    s = schedule_compute(vector())
    assert s.duration == 14
    assert s.critical_path == ("A", "D", "E")
    assert s["B"].total_float == 3
    assert s["C"].total_float == 2
    assert [t.id for t in s.steps if t.critical] == ["A", "D", "E"]
    assert (s["E"].es, s["E"].ef, s["E"].ls, s["E"].lf) == (9, 14, 9, 14)
    assert (s["B"].es, s["B"].ef, s["B"].ls, s["B"].lf) == (3, 6, 6, 9)
    assert s.serial_duration == 21
    assert s.compression == pytest.approx(1 - 14 / 21)


def test_input_order_does_not_matter_for_timings() -> None:
    forward = schedule_compute(vector())
    backward = schedule_compute(list(reversed(vector())))
    for t in forward.steps:
        assert backward[t.id] == t
    assert backward.critical_path == forward.critical_path


def test_tied_critical_paths_follow_input_order() -> None:
    steps = [
        Step("A", "", 2),
        Step("B", "", 4, ("A",)),
        Step("C", "", 4, ("A",)),
        Step("D", "", 1, ("B", "C")),
    ]
    assert schedule_compute(steps).critical_path == ("A", "B", "D")
    swapped = [steps[0], steps[2], steps[1], steps[3]]
    assert schedule_compute(swapped).critical_path == ("A", "C", "D")


def test_critical_path_keeps_milestones_at_both_ends() -> None:
    steps = [Step("M0", "", 0), Step("A", "", 3, ("M0",)), Step("Z", "", 0, ("A",)), Step("X", "", 1)]
    s = schedule_compute(steps)
    assert s.critical_path == ("M0", "A", "Z")
    assert s["X"].total_float == 2


def test_empty_and_all_zero() -> None:
    empty = schedule_compute([])
    assert (empty.duration, empty.serial_duration, empty.compression, empty.critical_path) == (0, 0, 0.0, ())
    zeros = schedule_compute([Step("A", "", 0), Step("B", "", 0, ("A",))])
    assert zeros.duration == 0 and zeros.compression == 0.0 and zeros.critical_path == ("A", "B")


def test_long_chain_needs_no_recursion() -> None:
    steps = [Step(f"s{i}", "", 1, (f"s{i - 1}",) if i else ()) for i in range(20_000)]
    s = schedule_compute(steps)
    assert s.duration == 20_000 and len(s.critical_path) == 20_000


def test_repeated_predecessor_counts_once() -> None:
    s = schedule_compute([Step("A", "", 2), Step("B", "", 1, ("A", "A"))])
    assert s.duration == 3


# -- validation ---------------------------------------------------------------------------------------------


def test_cycle_names_its_steps() -> None:
    steps = [
        Step("A", "", 1, ("C",)),
        Step("B", "", 1, ("A",)),
        Step("C", "", 1, ("B",)),
        Step("D", "", 1, ("C",)),
    ]
    with pytest.raises(ScheduleError) as info:
        schedule_compute(steps)
    e = info.value
    assert e.kind == "cycle"
    assert e.steps == ("A", "B", "C", "A")
    assert "A → B → C → A" in e.zh and "A → B → C → A" in e.en
    assert str(e) == e.zh


def test_self_loop_is_a_cycle() -> None:
    with pytest.raises(ScheduleError) as info:
        schedule_compute([Step("A", "", 1), Step("B", "", 1, ("A", "B"))])
    assert info.value.kind == "cycle" and info.value.steps == ("B", "B")


def test_unknown_predecessor_names_both() -> None:
    with pytest.raises(ScheduleError) as info:
        schedule_compute([Step("A", "", 1), Step("B", "", 1, ("X",))])
    e = info.value
    assert e.kind == "unknown_predecessor" and e.steps == ("B", "X")
    assert "B" in e.zh and "X" in e.zh and "B" in e.en and "X" in e.en


def test_duplicate_id() -> None:
    with pytest.raises(ScheduleError) as info:
        schedule_compute([Step("A", "", 1), Step("A", "", 2)])
    assert info.value.kind == "duplicate_id" and "A" in info.value.zh and "A" in info.value.en


@pytest.mark.parametrize("bad", [-1, 2.5, "3", True, None])
def test_bad_durations(bad: object) -> None:
    with pytest.raises(ScheduleError) as info:
        schedule_compute([Step("A", "", 1), Step("B", "", bad, ("A",))])  # type: ignore[arg-type]
    assert info.value.kind == "duration" and info.value.steps == ("B",)
    assert "B" in info.value.zh and "B" in info.value.en


def test_steps_from_json() -> None:
    steps = steps_from_json(
        {
            "steps": [
                {"id": 1, "duration": 3.0},
                {"id": "2", "name": "审批", "duration": 2, "predecessors": [1]},
            ]
        }
    )
    assert steps == [Step("1", "1", 3, ()), Step("2", "审批", 2, ("1",))]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ([], "steps"),
        ({"steps": {}}, "steps"),
        ({"steps": [1]}, "#1"),
        ({"steps": [{"duration": 1}]}, '"id"'),
        ({"steps": [{"id": "A"}]}, '"duration"'),
        ({"steps": [{"id": "A", "duration": 1, "predecessors": "B"}]}, "predecessors"),
        ({"steps": [{"id": "", "duration": 1}]}, "id"),
        ({"steps": [{"id": "A", "duration": 1.5}]}, "A"),
    ],
)
def test_steps_from_json_refuses(data: object, fragment: str) -> None:
    with pytest.raises(ScheduleError) as info:
        steps_from_json(data)
    assert fragment in info.value.en and info.value.zh


# -- properties against networkx ----------------------------------------------------------------------------


@st.composite
def dags(draw: st.DrawFn, min_size: int = 1) -> tuple[list[Step], nx.DiGraph]:
    """A random DAG over indices ordered 0..n-1 (edges go low → high), listed in a shuffled input order so
    that the core cannot rely on receiving a topological order."""
    n = draw(st.integers(min_value=min_size, max_value=25))
    durations = draw(st.lists(st.integers(0, 20), min_size=n, max_size=n))
    preds: list[list[int]] = [
        sorted(draw(st.sets(st.integers(0, j - 1), max_size=min(j, 4)))) if j else [] for j in range(n)
    ]
    order = draw(st.permutations(range(n)))
    steps = [Step(f"s{j}", "", durations[j], tuple(f"s{p}" for p in preds[j])) for j in order]
    graph = nx.DiGraph()
    graph.add_nodes_from(f"s{j}" for j in range(n))
    graph.add_edges_from((f"s{p}", f"s{j}") for j in range(n) for p in preds[j])
    return steps, graph


def longest_path_oracle(steps: list[Step]) -> int:
    # Node weights become edge weights by splitting each step into in → out with its duration on the edge.
    g = nx.DiGraph()
    for s in steps:
        g.add_edge(("in", s.id), ("out", s.id), weight=s.duration)
        for p in s.predecessors:
            g.add_edge(("out", p), ("in", s.id), weight=0)
    return int(nx.dag_longest_path_length(g, weight="weight", default_weight=0))


@settings(max_examples=200, deadline=None)
@given(dags())
def test_matches_networkx_and_cpm_invariants(case: tuple[list[Step], nx.DiGraph]) -> None:
    steps, graph = case
    s = schedule_compute(steps)
    assert s.duration == longest_path_oracle(steps)
    assert s.serial_duration == sum(x.duration for x in steps)
    for t in s.steps:
        assert 0 <= t.es <= t.ls and t.ef <= t.lf <= s.duration
        assert t.ef == t.es + t.duration and t.lf == t.ls + t.duration
        assert t.total_float == t.ls - t.es >= 0
        assert t.critical == (t.total_float == 0)
        preds = list(graph.predecessors(t.id))
        succs = list(graph.successors(t.id))
        # Earliest start is tight: as soon as the last predecessor finishes; latest finish likewise.
        assert t.es == max((s[p].ef for p in preds), default=0)
        assert t.lf == min((s[x].ls for x in succs), default=s.duration)
    for u, v in graph.edges:
        assert s[u].ef <= s[v].es
        assert s[u].lf <= s[v].ls
    path = s.critical_path
    assert all(s[x].critical for x in path)
    assert all(graph.has_edge(a, b) for a, b in zip(path, path[1:], strict=False))
    assert not list(graph.predecessors(path[0])) and s[path[-1]].ef == s.duration
    assert sum(s[x].duration for x in path) == s.duration


@settings(max_examples=200, deadline=None)
@given(dags(min_size=2), st.data())
def test_back_edge_is_reported_as_a_cycle(case: tuple[list[Step], nx.DiGraph], data: st.DataObject) -> None:
    steps, graph = case
    # A back edge from a descendant (or the node itself) to an ancestor closes a cycle.
    u = data.draw(st.sampled_from(sorted(graph.nodes)))
    v = data.draw(st.sampled_from(sorted(nx.descendants(graph, u) | {u})))
    steps = [Step(x.id, x.name, x.duration, (*x.predecessors, v)) if x.id == u else x for x in steps]
    graph.add_edge(v, u)
    assert nx.find_cycle(graph)
    with pytest.raises(ScheduleError) as info:
        schedule_compute(steps)
    cycle = info.value.steps
    assert info.value.kind == "cycle" and cycle[0] == cycle[-1]
    assert all(graph.has_edge(a, b) for a, b in zip(cycle, cycle[1:], strict=False))


# -- dates --------------------------------------------------------------------------------------------------


def test_spring_festival_2024() -> None:
    cn = CnWorkdays()
    # Ground truth from the package itself: 2024-02-10..17 off, Sundays 02-04 and 02-18 worked (调休).
    assert cn.is_workday(D(2024, 2, 4)) and cn.is_workday(D(2024, 2, 18))
    assert not any(cn.is_workday(D(2024, 2, d)) for d in range(10, 18))
    s = schedule_compute([Step("A", "", 3), Step("B", "", 1, ("A",)), Step("M", "", 0, ("B",))])
    dates = schedule_dates(s, D(2024, 2, 8), cn)
    assert [(d.id, d.start, d.finish) for d in dates.steps] == [
        ("A", D(2024, 2, 8), D(2024, 2, 18)),  # Thu 8, Fri 9, then the working Sunday 18
        ("B", D(2024, 2, 19), D(2024, 2, 19)),
        ("M", D(2024, 2, 20), D(2024, 2, 20)),  # milestone on the day its successors could begin
    ]
    assert dates.start == D(2024, 2, 8) and dates.finish == D(2024, 2, 20)


def test_start_moves_to_first_working_day() -> None:
    s = schedule_compute([Step("A", "", 2)])
    # Saturday 2024-02-03 is off; Sunday 2024-02-04 is a 调休 working day.
    dates = schedule_dates(s, D(2024, 2, 3), CnWorkdays())
    assert (dates.start, dates.steps[0].start, dates.steps[0].finish) == (
        D(2024, 2, 4),
        D(2024, 2, 4),
        D(2024, 2, 5),
    )
    plain = schedule_dates(s, D(2024, 2, 3), CalendarDays())
    assert (plain.steps[0].start, plain.steps[0].finish) == (D(2024, 2, 3), D(2024, 2, 4))


def test_calendar_past_the_published_years_is_computed_not_refused() -> None:
    cn = CnWorkdays()
    assert cn.first_year == 2004 and cn.last_year >= 2025
    long = schedule_compute([Step("A", "", 400)])
    dates = schedule_dates(long, D(cn.last_year, 6, 1), cn)
    assert dates.finish.year > cn.last_year and cn.provisional_years
    # Before the rules this module carries (the 1999 amendment, in force from 2000) it still refuses.
    with pytest.raises(ScheduleError) as info:
        cn.is_workday(D(1999, 12, 31))
    assert info.value.kind == "calendar_range" and "2000" in info.value.zh


# -- the default template -----------------------------------------------------------------------------------

DOMAIN_TABLE = {
    "S1": (1, ()),
    "S2": (1, ("S1",)),
    "S3": (2, ("S1",)),
    "S4": (2, ("S3",)),
    "S5": (2, ("S4",)),
    "S6": (3, ("S1",)),
    "S7": (3, ("S1",)),
    "S8": (4, ("S5",)),
    "S9": (4, ("S8",)),
    "S10": (5, ("S9",)),
    "S11": (5, ("S10", "S6", "S7", "S2")),
    "S12": (6, ("S11",)),
    "S13": (6, ("S12",)),
    "S14": (6, ("S13",)),
}


def test_default_template_shape() -> None:
    t = DEFAULT_APPROVAL_TEMPLATE
    assert [m.number for m in t.modules] == [1, 2, 3, 4, 5, 6]
    assert {s.id: (s.module, s.predecessors) for s in t.steps} == DOMAIN_TABLE
    for s in t.steps:
        assert s.name and s.department and s.basis
        assert 0 < s.promised_limit <= s.legal_limit
    assert t.steps[5].legal_limit == 60  # 环评法 §22, report
    assert {s.id: s.legal_limit for s in t.steps}["S11"] == 7  # 建筑法 §8
    assert [s.id for s in t.steps if s.milestone] == ["S4", "S11", "S13", "S14"]


@pytest.mark.parametrize(
    ("limit", "parallel", "serial"),
    [("legal", 215, 315), ("promised", 93, 115)],
)
def test_default_template_compression(limit: str, parallel: int, serial: int) -> None:
    s = schedule_compute(DEFAULT_APPROVAL_TEMPLATE.to_steps(limit=limit))  # type: ignore[arg-type]
    # The figures quoted in approval_template's docstring and in the report.
    assert (s.duration, s.serial_duration) == (parallel, serial)
    assert s.duration < s.serial_duration
    assert s.critical_path == ("S1", "S3", "S4", "S5", "S8", "S9", "S10", "S11", "S12", "S13", "S14")


def test_default_template_with_construction() -> None:
    steps = DEFAULT_APPROVAL_TEMPLATE.to_steps(construction_days=180)
    assert len(steps) == 15
    by_id = {s.id: s for s in steps}
    assert by_id[CONSTRUCTION_STEP_ID].predecessors == ("S11",)
    assert by_id["S12"].predecessors == (CONSTRUCTION_STEP_ID,)
    assert schedule_compute(steps).duration == 93 + 180


def test_default_template_json_round_trip() -> None:
    data = DEFAULT_APPROVAL_TEMPLATE.to_json()
    assert len(data["steps"]) == 14 and len(data["modules"]) == 6
    assert steps_from_json(data) == DEFAULT_APPROVAL_TEMPLATE.to_steps()


def test_cores_do_not_import_django() -> None:
    # DESIGN.md: pure cores run without Django. A fresh interpreter, since this test process has it loaded.
    code = (
        "import sys, zhaoshang.analytics.schedule.cpm, zhaoshang.analytics.schedule.approval_template; "
        "sys.exit('django' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_provisional_calendar_keeps_the_statutory_days_beyond_the_published_years() -> None:
    from zhaoshang.analytics.schedule.cpm import CnWorkdaysProvisional  # the old name, kept for its callers

    calendar = CnWorkdaysProvisional()
    beyond = calendar.last_year + 1
    new_year = datetime.date(beyond, 1, 1)
    assert not calendar.is_workday(new_year)  # 元旦, whatever weekday it falls on
    monday = new_year + datetime.timedelta(days=(7 - new_year.weekday()) % 7 + 7)
    assert calendar.is_workday(monday) and not calendar.is_workday(monday + datetime.timedelta(days=5))
    assert calendar.provisional_years == {beyond}
    # Published years still follow the State Council's notice (2024-02-12 was a Spring Festival holiday).
    assert not calendar.is_workday(datetime.date(2024, 2, 12)) and calendar.is_workday(
        datetime.date(2024, 2, 18)
    )

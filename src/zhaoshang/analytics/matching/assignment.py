"""Batch assignment: several demands competing for the same sites, maximising the total match score.

The model, over the feasible pairs (d, s) — demand d passes every hard filter at site s — with score w_ds:

    maximise   Σ w_ds x_ds,  x_ds ∈ {0, 1}
    subject to Σ_s x_ds ≤ 1             every demand gets one site or none (null)
               Σ_d x_ds ≤ 1             a parcel, courtyard or undivided building hosts one demand
               Σ_d a_ds x_ds ≤ A_s      a divisible building hosts demands while their areas fit

A demand takes a_ds = its minimum area (in m²; capped at the building's area, for demands admitted by the area
tolerance) in a divisible building: the minimum is what it must have, so that is what the building must hold.

Without divisible buildings this is the linear assignment problem, solved exactly by
scipy.optimize.linear_sum_assignment: one row per demand, one column per site plus one "unassigned" column per
demand (cost 0), infeasible pairs at a prohibitive cost. The area constraints make it a generalised assignment
problem (a knapsack per building), NP-hard in general, so we solve it in two steps:

1. **Relaxation by capacity slots.** A divisible building offers k_s columns ("slots") with the same scores,
   k_s = the most of its candidate demands that fit at once (smallest areas first). Any feasible assignment
   puts at most k_s demands in the building, so the optimum of this linear assignment is an upper bound.
2. If that optimum also respects every building's area it is optimal for the true problem (``optimal`` True,
   method ``linear_sum_assignment``): the usual case, since slots only bind when a building is nearly full.
   Otherwise the exact 0–1 programme goes to scipy.optimize.milp (HiGHS branch and bound, relative gap 0)
   after LP reduced-cost fixing (see _exact): proven optimal within ``time_limit`` (method ``milp``); past it,
   the best of HiGHS's incumbent, the repaired relaxation and greedy is returned with ``optimal`` False and
   the relaxation's value as ``upper_bound``.

Three reductions keep it small and exact. Pruning: an optimum only uses each demand's n best sites (n = number
of demands); if d sat on a worse site, one of its n best would be empty (the other n − 1 demands fill at most
n − 1 sites), and moving d there is feasible (every site fits each of its candidates alone) and no worse.
Components: demands that share no candidate site are independent, so each connected component of the
demand–site graph is solved on its own (a kind's demands never meet another kind's sites). Fixing: see _exact.

A bonus ε = 10⁻⁶ per assigned pair makes a zero-score fit preferable to leaving a demand unassigned (so the
optimum is exact to within n·ε); totals are reported without it. The greedy baseline gives each demand in
input order its best site still free.
"""

from __future__ import annotations

import ctypes
import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Final

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, linprog, milp
from scipy.sparse import coo_array, csr_array, vstack
from scipy.sparse.csgraph import connected_components

from zhaoshang.analytics.matching.engine import feasible_scores
from zhaoshang.analytics.matching.model import (
    Demand,
    MatchError,
    MatchOptions,
)
from zhaoshang.analytics.matching.table import BoolArray, FloatArray, IndexArray, SiteTable

_EPSILON: Final = 1e-6
_FORBIDDEN: Final = 1e9  # any real cost is ≥ -(100 + ε), so a forbidden cell never beats an empty column
_FIT: Final = 1e-9  # relative slack on area sums, against rounding in m² ↔ 亩
_LIBC_FFLUSH: Final = ctypes.CDLL(None).fflush  # the C library already loaded into this process


@dataclass(frozen=True)
class AssignmentProblem:
    """Feasible pairs as parallel edge arrays, plus per-site capacities for divisible buildings."""

    n_demands: int
    n_sites: int
    demand: IndexArray  # per edge
    site: IndexArray
    score: FloatArray
    use: FloatArray  # area the demand takes if the site is divisible
    capacity: FloatArray  # per site; read for divisible sites only
    divisible: BoolArray  # per site

    @classmethod
    def from_matrix(
        cls,
        scores: FloatArray,
        *,
        use: FloatArray | None = None,
        capacity: FloatArray | None = None,
        divisible: BoolArray | None = None,
    ) -> AssignmentProblem:
        """Demands × sites scores with NaN for infeasible pairs; ``use`` per demand or per pair."""
        n_demands, n_sites = scores.shape
        demand, site = np.nonzero(~np.isnan(scores))
        if use is None:
            use_edges = np.zeros(demand.size)
        elif use.ndim == 1:
            use_edges = use[demand].astype(np.float64)
        else:
            use_edges = use[demand, site].astype(np.float64)
        return cls(
            n_demands=n_demands,
            n_sites=n_sites,
            demand=demand.astype(np.intp),
            site=site.astype(np.intp),
            score=scores[demand, site].astype(np.float64),
            use=use_edges,
            capacity=np.full(n_sites, np.inf) if capacity is None else capacity.astype(np.float64),
            divisible=np.zeros(n_sites, np.bool_) if divisible is None else divisible.astype(np.bool_),
        )

    @cached_property
    def sorted_keys(self) -> tuple[NDArray[np.int64], IndexArray]:
        """Edge keys demand × n_sites + site, sorted, and the edge index of each: pair → edge lookups."""
        keys = self.demand.astype(np.int64) * self.n_sites + self.site
        order = np.argsort(keys, kind="stable").astype(np.intp)
        return keys[order], order


@dataclass(frozen=True)
class Assignment:
    site_of: tuple[int | None, ...]  # per demand: site index, or None when unassigned
    total_score: float
    optimal: bool  # proven optimal for the model above
    method: str  # linear_sum_assignment | milp | heuristic | greedy
    upper_bound: float  # the slot relaxation's optimum (= total_score when optimal)


Solution = list[int | None]


def _edges_of(problem: AssignmentProblem, site_of: Sequence[int | None]) -> IndexArray:
    """Edge indices of the assigned pairs (each pair must be an edge)."""
    pairs = [(d, s) for d, s in enumerate(site_of) if s is not None]
    if not pairs:
        return np.zeros(0, dtype=np.intp)
    wanted = np.array([d * problem.n_sites + s for d, s in pairs], dtype=np.int64)
    keys, order = problem.sorted_keys
    found: IndexArray = order[np.searchsorted(keys, wanted)]
    return found


def _total(problem: AssignmentProblem, site_of: Sequence[int | None]) -> float:
    return float(problem.score[_edges_of(problem, site_of)].sum())


def _loads(problem: AssignmentProblem, edges: IndexArray) -> tuple[IndexArray, FloatArray]:
    count = np.bincount(problem.site[edges], minlength=problem.n_sites)
    load = np.bincount(problem.site[edges], weights=problem.use[edges], minlength=problem.n_sites)
    return count.astype(np.intp), load.astype(np.float64)


def _fits(problem: AssignmentProblem, site_of: Sequence[int | None]) -> bool:
    """Whether every site keeps its rule: one demand, or the areas of a divisible building."""
    count, load = _loads(problem, _edges_of(problem, site_of))
    over_area = problem.divisible & (load > problem.capacity * (1 + _FIT))
    return not (over_area.any() or ((~problem.divisible) & (count > 1)).any())


def _greedy(problem: AssignmentProblem, order: Iterable[int], start: Sequence[int | None]) -> Solution:
    """Demands in ``order`` take their best site still free, on top of the partial assignment ``start``."""
    site_of = list(start)
    count, load = _loads(problem, _edges_of(problem, site_of))
    taken = count > 0
    remaining = problem.capacity - load
    by_demand = np.lexsort((problem.site, -problem.score, problem.demand))
    bounds = np.searchsorted(problem.demand[by_demand], np.arange(problem.n_demands + 1))
    for d in order:
        if site_of[d] is not None:
            continue
        for e in by_demand[bounds[d] : bounds[d + 1]]:
            s = int(problem.site[e])
            if problem.divisible[s]:
                if problem.use[e] <= remaining[s] * (1 + _FIT):
                    remaining[s] -= problem.use[e]
                    site_of[d] = s
                    break
            elif not taken[s]:
                taken[s] = True
                site_of[d] = s
                break
    return site_of


def assign_greedy(problem: AssignmentProblem) -> Assignment:
    """The first-come baseline: demands in input order each take their best free site."""
    site_of = _greedy(problem, range(problem.n_demands), [None] * problem.n_demands)
    total = _total(problem, site_of)
    return Assignment(tuple(site_of), total, False, "greedy", total)


def _prune(problem: AssignmentProblem) -> IndexArray:
    """Edges among each demand's n best (n = number of demands); see the module docstring for exactness."""
    order = np.lexsort((problem.site, -problem.score, problem.demand))
    demand_sorted = problem.demand[order]
    first = np.searchsorted(demand_sorted, demand_sorted, side="left")
    rank = np.arange(order.size) - first
    kept: IndexArray = np.sort(order[rank < problem.n_demands]).astype(np.intp)
    return kept


def _slots(problem: AssignmentProblem, edges: IndexArray, sites: IndexArray) -> IndexArray:
    """Columns per site: 1, or for a divisible building the most of its candidates that fit at once."""
    slots = np.ones(sites.size, dtype=np.intp)
    divisible = problem.divisible[problem.site[edges]]
    if not divisible.any():
        return slots
    edges = edges[divisible]
    # Group the divisible buildings' edges by site, smallest use first, and count how many fit in turn.
    order = np.lexsort((problem.use[edges], problem.site[edges]))
    site_sorted, use_sorted = problem.site[edges][order], problem.use[edges][order]
    first = np.searchsorted(site_sorted, site_sorted, side="left")
    cumulative = np.cumsum(use_sorted)
    before = np.where(first > 0, cumulative[first - 1], 0.0)
    fits = (cumulative - before) <= problem.capacity[site_sorted] * (1 + _FIT)
    fitting = np.bincount(site_sorted[fits], minlength=problem.n_sites)
    slots = np.maximum(1, fitting[sites]).astype(np.intp)
    return slots


def _components(problem: AssignmentProblem, edges: IndexArray) -> list[IndexArray]:
    """Edges grouped by connected component of the demand–site graph: sub-problems solved independently
    (demands of one kind never meet sites of another, so parcels never wait for the buildings' solver)."""
    n = problem.n_demands
    size = n + problem.n_sites
    graph = coo_array(
        (np.ones(edges.size), (problem.demand[edges], n + problem.site[edges])), shape=(size, size)
    )
    _, label = connected_components(graph, directed=False)
    edge_label = label[problem.demand[edges]]
    order = np.argsort(edge_label, kind="stable")
    return np.split(edges[order], np.flatnonzero(np.diff(edge_label[order])) + 1)


def _relaxation(problem: AssignmentProblem, edges: IndexArray) -> Solution:
    """Optimum of the slot relaxation over ``edges`` by one linear_sum_assignment."""
    demands, row = np.unique(problem.demand[edges], return_inverse=True)
    n = demands.size
    sites, column = np.unique(problem.site[edges], return_inverse=True)
    slots = _slots(problem, edges, sites)
    start = np.concatenate(([0], np.cumsum(slots)))
    n_slots = int(start[-1])
    cost = np.full((n, n_slots + n), _FORBIDDEN)
    cost[:, n_slots:] = 0.0  # one "unassigned" column per demand
    value = -(problem.score[edges] + _EPSILON)
    for k in range(int(slots.max())):
        has = slots[column] > k
        cost[row[has], start[column[has]] + k] = value[has]
    chosen_rows, chosen_cols = linear_sum_assignment(cost)
    slot_site = np.repeat(sites, slots)
    site_of: Solution = [None] * problem.n_demands
    for r, c in zip(chosen_rows, chosen_cols, strict=True):
        if c < n_slots and cost[r, c] < _FORBIDDEN / 2:
            site_of[int(demands[r])] = int(slot_site[c])
    return site_of


def _repair(problem: AssignmentProblem, site_of: Solution, demands: IndexArray) -> Solution:
    """Make a relaxed solution feasible: unseat the lowest scorers of overfull buildings, then seat the
    unassigned of ``demands`` greedily, demands with the best scores first."""
    fixed = list(site_of)
    edges = _edges_of(problem, fixed)
    _, load = _loads(problem, edges)
    over = problem.divisible & (load > problem.capacity * (1 + _FIT))
    for s in np.flatnonzero(over):
        tenants = edges[problem.site[edges] == s]
        used = 0.0
        for e in tenants[np.argsort(-problem.score[tenants], kind="stable")]:
            if used + problem.use[e] <= problem.capacity[s] * (1 + _FIT):
                used += float(problem.use[e])
            else:
                fixed[int(problem.demand[e])] = None
    best = np.full(problem.n_demands, -np.inf)
    np.maximum.at(best, problem.demand, problem.score)
    return _greedy(problem, (int(d) for d in demands[np.argsort(-best[demands], kind="stable")]), fixed)


def _constraints(problem: AssignmentProblem, edges: IndexArray) -> tuple[csr_array, FloatArray]:
    """A x ≤ b over ``edges``: one site per demand, one demand per single site, areas per divisible one."""
    m = edges.size
    _, row_demand = np.unique(problem.demand[edges], return_inverse=True)
    s = problem.site[edges]
    columns = np.arange(m)
    single = ~problem.divisible[s]
    sites_single, row_single = np.unique(s[single], return_inverse=True)
    sites_multi, row_multi = np.unique(s[~single], return_inverse=True)
    matrix = vstack(
        [
            coo_array((np.ones(m), (row_demand, columns)), shape=(int(row_demand.max()) + 1, m)),
            coo_array(
                (np.ones(row_single.size), (row_single, columns[single])), shape=(sites_single.size, m)
            ),
            coo_array(
                (problem.use[edges][~single], (row_multi, columns[~single])), shape=(sites_multi.size, m)
            ),
        ]
    ).tocsr()
    upper = np.concatenate(
        (np.ones(int(row_demand.max()) + 1 + sites_single.size), problem.capacity[sites_multi] * (1 + _FIT))
    )
    return matrix, upper


@contextmanager
def _quiet_c_stdout() -> Iterator[None]:
    """HiGHS 1.12 (inside scipy) prints debugging lines straight to the C stdout, which would corrupt the
    JSON a command writes; point file descriptor 1 at /dev/null while it runs. This is process-wide: another
    thread's writes to stdout during a solve are lost too (logs go to stderr, which is untouched)."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        _LIBC_FFLUSH(None)  # push out what C stdio buffered before fd 1 is restored
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _value(problem: AssignmentProblem, site_of: Sequence[int | None]) -> float:
    edges = _edges_of(problem, site_of)
    return float((problem.score[edges] + _EPSILON).sum())


def _exact(
    problem: AssignmentProblem, edges: IndexArray, incumbent: Solution, time_limit: float
) -> tuple[Solution, bool]:
    """The 0–1 programme over ``edges``: (best solution found, proven optimal).

    HiGHS proves optimality fast once it holds a good solution but can spend seconds looking for one, and
    scipy's milp takes no starting point. So we solve the LP relaxation first and fix to 0 every pair that
    cannot be in a solution better than the incumbent (reduced-cost fixing): with LP duals y ≥ 0 and reduced
    costs r = w − Aᵀy, any feasible x has w·x ≤ b·y + Σ r·x, so a pair e with b·y + r_e + Σ max(r, 0) below
    the incumbent's value is in no better solution. The LP bound is tight here (within ~0.01 %), so the
    branch and bound that remains works on a few hundred pairs.
    """
    weights = problem.score[edges] + _EPSILON
    matrix, upper = _constraints(problem, edges)
    with _quiet_c_stdout():
        lp = linprog(-weights, A_ub=matrix, b_ub=upper, bounds=(0, None), method="highs")
    keep = np.ones(edges.size, dtype=np.bool_)
    if lp.status == 0:
        x = lp.x
        rounded: Solution = [None] * problem.n_demands
        for e in np.flatnonzero(x > 0.5):
            rounded[int(problem.demand[edges[e]])] = int(problem.site[edges[e]])
        demands = np.unique(problem.demand[edges])
        rounded = _repair(problem, rounded, demands)
        if _value(problem, rounded) > _value(problem, incumbent):
            incumbent = rounded
        if (
            np.all((x < 1e-9) | (x > 1 - 1e-9))
            and _fits(problem, rounded)
            and _value(problem, rounded) >= -lp.fun
        ):
            return rounded, True  # the LP optimum is integral
        dual = np.clip(-lp.ineqlin.marginals, 0.0, None)
        reduced = weights - matrix.T @ dual
        bound = float(upper @ dual) + float(np.clip(reduced, 0.0, None).sum())
        keep = bound + np.minimum(reduced, 0.0) >= _value(problem, incumbent) - 1e-9 * max(1.0, bound)
    kept = np.union1d(edges[keep], _edges_of(problem, incumbent))
    matrix, upper = _constraints(problem, kept)
    with _quiet_c_stdout():
        result = milp(
            -(problem.score[kept] + _EPSILON),
            integrality=np.ones(kept.size),
            bounds=Bounds(0, 1),
            constraints=LinearConstraint(matrix, -np.inf, upper),
            options={"time_limit": time_limit, "disp": False, "mip_rel_gap": 0.0},
        )
    site_of: Solution = [None] * problem.n_demands
    if result.x is None:
        return incumbent, False
    for e in np.flatnonzero(result.x > 0.5):
        site_of[int(problem.demand[kept[e]])] = int(problem.site[kept[e]])
    if not _fits(problem, site_of):
        return incumbent, False
    found, known = _value(problem, site_of), _value(problem, incumbent)
    # HiGHS's tolerances may leave it a hair below an incumbent that is then just as optimal.
    proven = bool(result.status == 0) and found >= known - 1e-7 * max(1.0, known)
    return (site_of if found >= known else incumbent), proven


def assign_optimal(problem: AssignmentProblem, *, time_limit: float = 30.0) -> Assignment:
    """Maximise the total score (see the module docstring for the method and its optimality)."""
    site_of: Solution = [None] * problem.n_demands
    optimal, method, bound = True, "linear_sum_assignment", 0.0
    if problem.demand.size == 0:
        return Assignment(tuple(site_of), 0.0, optimal, method, bound)
    deadline = time.monotonic() + time_limit
    for edges in _components(problem, _prune(problem)):
        relaxed = _relaxation(problem, edges)
        bound += _total(problem, relaxed)
        if not _fits(problem, relaxed):
            demands = np.unique(problem.demand[edges])
            greedy = _greedy(problem, (int(d) for d in demands), [None] * problem.n_demands)
            repaired = _repair(problem, relaxed, demands)
            incumbent = max(greedy, repaired, key=lambda solution: _value(problem, solution))
            relaxed, proven = _exact(problem, edges, incumbent, max(1.0, deadline - time.monotonic()))
            optimal = optimal and proven
            method = "milp" if optimal else "heuristic"
        for d in np.unique(problem.demand[edges]):
            site_of[int(d)] = relaxed[int(d)]
    return Assignment(tuple(site_of), _total(problem, site_of), optimal, method, bound)


@dataclass(frozen=True)
class BatchAssignment:
    """Demand id → site id (None when nothing fits) for the optimal and the greedy assignment."""

    assignment: dict[str, str | None]
    scores: dict[str, float | None]
    total_score: float
    greedy_assignment: dict[str, str | None]
    greedy_total_score: float
    optimal: bool
    method: str
    upper_bound: float


def assign_demands(
    table: SiteTable,
    demands: Sequence[Demand],
    *,
    options: MatchOptions | None = None,
    time_limit: float = 30.0,
) -> BatchAssignment:
    """Score every feasible (demand, site) pair with the matching engine; assign optimally and greedily."""
    ids = [demand.id for demand in demands]
    if len(set(ids)) != len(ids):
        duplicate = next(i for i in ids if ids.count(i) > 1)
        raise MatchError(f"需求 id {duplicate} 重复", f"Duplicate demand id {duplicate}", "id")
    parts_d, parts_s, parts_w, parts_u = [], [], [], []
    for d, demand in enumerate(demands):
        rows, scores = feasible_scores(table, demand, options)
        parts_d.append(np.full(rows.size, d, dtype=np.intp))
        parts_s.append(rows)
        parts_w.append(scores)
        parts_u.append(np.minimum(demand.area_m2(demand.min_area), table.areas_m2[rows]))
    problem = AssignmentProblem(
        n_demands=len(demands),
        n_sites=len(table),
        demand=np.concatenate(parts_d) if parts_d else np.zeros(0, np.intp),
        site=np.concatenate(parts_s) if parts_s else np.zeros(0, np.intp),
        score=np.concatenate(parts_w) if parts_w else np.zeros(0),
        use=np.concatenate(parts_u) if parts_u else np.zeros(0),
        capacity=table.areas_m2,
        divisible=table.divisible,
    )
    best = assign_optimal(problem, time_limit=time_limit)
    greedy = assign_greedy(problem)
    chosen = _edges_of(problem, best.site_of)
    score = dict(zip(problem.demand[chosen].tolist(), problem.score[chosen].tolist(), strict=True))

    def named(site_of: Sequence[int | None]) -> dict[str, str | None]:
        return {ids[d]: None if s is None else table.ids[s] for d, s in enumerate(site_of)}

    return BatchAssignment(
        assignment=named(best.site_of),
        scores={ids[d]: score.get(d) for d in range(len(demands))},
        total_score=best.total_score,
        greedy_assignment=named(greedy.site_of),
        greedy_total_score=greedy.total_score,
        optimal=best.optimal,
        method=best.method,
        upper_bound=best.upper_bound,
    )

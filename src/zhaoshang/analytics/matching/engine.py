"""Site matching: hard filters, then a weighted suitability score with reasons, over a columnar site table.

The method is site-selection practice in the form of Esri Business Analyst's suitability analysis (DOMAIN §7):

1. **Hard filters** remove every site that cannot host the demand: same kind (parcel, building, courtyard);
   chemical projects only in a recognised chemical park; land use among the demand's codes; area within
   [min, max] (± ``area_tolerance``; divisible buildings only need the minimum); lease/sale as wanted; spare
   power, water, steam, gas and emission quota ≥ the need; clear height, floor load and crane ≥ the need
   (buildings and courtyards only: a parcel is bare land the investor builds on); available by the ready
   date; price ≤ the maximum; distance ≤ the maximum. A constraint the demand sets is failed by a site that
   lacks the datum: an unverified site is not promised to an investor.
2. **A weighted score** (0–100) ranks the survivors. Each criterion scores 0–1 and is one of Esri's three
   influences: *positive* (more is better: spare utilities, building specs, the preferred park), *inverse*
   (less is better: price, distance to the demand's location) or *ideal value* (area nearest the middle of
   the demand's range). See ``MatchOptions.scale`` for the two normalisations.
3. **Reasons**: every candidate gets one line per criterion (Chinese text and the numbers behind it); sites
   that fail only one or two filters come back as **near misses** saying which constraint failed and by how
   much, closest first, because "add 500 kVA and it fits" is often the answer an official needs.

Sites are held once in a ``SiteTable`` of numpy columns split by kind, so a demand costs a handful of
vector comparisons: one demand against 100,000 sites takes a few milliseconds (bench/matching.py).
Units follow the site kind: parcels in 亩 and 万元/亩, buildings and courtyards in m² and 元/m²/月.

This module is the engine; the filters and near-miss accounts are in ``filters``, the criterion
scores and reasons in ``scores``, sites, demands and options in ``model`` and the ``SiteTable`` in ``table``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from zhaoshang.analytics.matching.filters import Miss, _Check, _checks, _miss
from zhaoshang.analytics.matching.model import (
    DEFAULT_WEIGHTS,
    INFLUENCE,
    KINDS,
    Demand,
    MatchError,
    MatchOptions,
    Site,
)
from zhaoshang.analytics.matching.scores import Reason, _criteria, _reason, _total
from zhaoshang.analytics.matching.table import FloatArray, IndexArray, KindColumns, SiteTable
from zhaoshang.geo.coords import haversine_km_many

__all__ = [
    "DEFAULT_WEIGHTS",
    "INFLUENCE",
    "KINDS",
    "Candidate",
    "Demand",
    "MatchError",
    "MatchOptions",
    "MatchResult",
    "Miss",
    "NearMiss",
    "Reason",
    "Site",
    "SiteTable",
    "feasible_scores",
    "match",
]

# --- the engine ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    site_id: str
    row: int  # position in the SiteTable
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class NearMiss:
    site_id: str
    row: int
    score: float  # what it would score if the failed constraints were lifted
    failed: tuple[Miss, ...]


@dataclass(frozen=True)
class MatchResult:
    demand_id: str
    feasible: int  # number of sites passing every filter
    candidates: tuple[Candidate, ...]  # best first
    near_misses: tuple[NearMiss, ...]  # closest first


@dataclass(frozen=True)
class _Pass:
    cols: KindColumns
    checks: list[_Check]
    failures: NDArray[np.int8]
    distance: FloatArray | None


def _run(table: SiteTable, demand: Demand, options: MatchOptions) -> _Pass:
    cols = table.columns(demand.kind)
    distance = None
    if demand.location is not None and len(cols):
        distance = haversine_km_many(cols.lng, cols.lat, demand.location[0], demand.location[1])
    checks = _checks(table, cols, demand, options, distance)
    failures = np.zeros(len(cols), dtype=np.int8)
    for check in checks:
        failures += check.failed()
    return _Pass(cols, checks, failures, distance)


def _ranked(scores: FloatArray, rows: IndexArray, limit: int) -> IndexArray:
    """Positions of the best ``limit`` scores (all if limit ≤ 0), ties broken by table row, deterministic."""
    if limit <= 0 or limit >= scores.size:
        return np.lexsort((rows, -scores)).astype(np.intp)
    # Partition first so that 100,000 survivors do not cost a full sort; keep every tie of the cut-off.
    cutoff = np.partition(-scores, limit - 1)[limit - 1]
    keep = np.flatnonzero(-scores <= cutoff)
    order = np.lexsort((rows[keep], -scores[keep]))
    result: IndexArray = keep[order[:limit]].astype(np.intp)
    return result


def feasible_scores(
    table: SiteTable, demand: Demand, options: MatchOptions | None = None
) -> tuple[IndexArray, FloatArray]:
    """Table rows of every site passing the filters and their scores (0–100): the input of assignment."""
    options = options or MatchOptions()
    state = _run(table, demand, options)
    idx = np.flatnonzero(state.failures == 0)
    criteria = _criteria(table, state.cols, idx, idx, demand, options, state.distance)
    return state.cols.rows[idx], _total(criteria, idx.size)


def match(
    table: SiteTable, demand: Demand, *, top: int = 5, near: int = 5, options: MatchOptions | None = None
) -> MatchResult:
    """Candidates best first (``top`` ≤ 0: all) with reasons; the closest near misses (``near`` ≤ 0: all)."""
    options = options or MatchOptions()
    state = _run(table, demand, options)
    cols = state.cols
    idx = np.flatnonzero(state.failures == 0)
    criteria = _criteria(table, cols, idx, idx, demand, options, state.distance)
    scores = _total(criteria, idx.size)
    candidates = []
    for j in _ranked(scores, cols.rows[idx], top):
        i = int(idx[j])
        by_candidates = options.scale == "candidates"
        reasons = tuple(_reason(c, int(j), demand, table, cols, i, by_candidates) for c in criteria)
        candidates.append(Candidate(table.ids[cols.rows[i]], int(cols.rows[i]), float(scores[j]), reasons))

    near_idx = np.flatnonzero((state.failures > 0) & (state.failures <= options.max_failures))
    near_misses = []
    if near_idx.size:
        reference = idx if idx.size else near_idx
        near_criteria = _criteria(table, cols, near_idx, reference, demand, options, state.distance)
        near_scores = _total(near_criteria, near_idx.size)
        gap = np.zeros(near_idx.size, dtype=np.float64)
        for check in state.checks:
            gap += check.gap(near_idx)
        # Closest first: fewest failed filters, then the smallest total relative shortfall, then the score.
        order = np.lexsort((cols.rows[near_idx], -near_scores, gap, state.failures[near_idx]))
        if near > 0:
            order = order[:near]
        for j in order:
            i = int(near_idx[j])
            failed = tuple(_miss(c, i, demand, table, cols) for c in state.checks if c.failed_at(i))
            near_misses.append(
                NearMiss(table.ids[cols.rows[i]], int(cols.rows[i]), float(near_scores[j]), failed)
            )
    return MatchResult(demand.id, int(idx.size), tuple(candidates), tuple(near_misses))

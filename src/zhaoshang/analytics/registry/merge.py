"""A district's own enterprise records merged into its row of the national place × industry matrix.

The national registry is an extract: a district's officers correct its firms (the right class, a firm closed or
reopened) and add the ones the extract missed, in their own enterprise library. The gap analysis must count
those corrections for the district, while the province and the nation stay as the registry has them (nobody
corrects other districts here). The district's row is rebuilt by unified social credit code (USCC): a firm in
both counts once, with the district's class and status; a firm only in the registry counts as the registry has
it; a firm only in the district's records is added. No Django: plain tuples in, a row and a report out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse

from zhaoshang.analytics.registry.store import ACTIVE_STATUSES, PlaceIndustryMatrix

__all__ = ["MergeReport", "merged_place_row", "with_place_row"]


@dataclass
class MergeReport:
    registry_active: int = 0  # active firms of the place in the registry
    local: int = 0  # the district's records with a USCC
    reclassified: int = 0  # in both, counted in another class than the registry's
    status_changed: int = 0  # in both, active in one and not in the other
    added: int = 0  # active, only in the district's records
    unclassified: list[str] = field(default_factory=list)  # active local firms without a known class (USCC)
    counted: int = 0  # firms in the merged row

    def explain(self) -> str:
        text = (
            f"本区县企业库 {self.local} 家按统一社会信用代码并入全国企业库"
            f"（库内本区县在营 {self.registry_active} 家）："
            f"改行业 {self.reclassified} 家，改登记状态 {self.status_changed} 家，库外新增 {self.added} 家，"
            f"合并后计 {self.counted} 家"
        )
        if self.unclassified:
            text += f"；{len(self.unclassified)} 家没有可用的行业代码，未计入"
        return text + "。"


def merged_place_row(
    registry_firms: Iterable[tuple[str, str, str]],
    local_firms: Iterable[tuple[str, str, bool]],
    industries: Sequence[str],
) -> tuple[np.ndarray, MergeReport]:
    """Firm counts per industry of ``industries`` for one place.

    ``registry_firms``: (uscc, class code, registry status) of the place's firms in the registry;
    ``local_firms``: (uscc, class code or "", active) of the district's records. The district's record wins."""
    column = {code: j for j, code in enumerate(industries)}
    report = MergeReport()
    local: dict[str, tuple[str, bool]] = {}
    for uscc, code, active in local_firms:
        if uscc:
            local[uscc] = (code, active)
    report.local = len(local)
    row = np.zeros(len(industries))
    seen: set[str] = set()
    for uscc, code, status in registry_firms:
        active = status in ACTIVE_STATUSES
        report.registry_active += active
        if uscc in local:
            seen.add(uscc)
            own_code, own_active = local[uscc]
            own_code = own_code or code  # a record without a class keeps the registry's
            report.reclassified += own_active and active and own_code != code
            report.status_changed += own_active != active
            code, active = own_code, own_active
        if active and code in column:
            row[column[code]] += 1
    for uscc, (code, active) in local.items():
        if uscc in seen or not active:
            continue
        if code in column:
            row[column[code]] += 1
            report.added += 1
        else:
            report.unclassified.append(uscc)
    report.counted = int(row.sum())
    return row, report


def with_place_row(matrix: PlaceIndustryMatrix, place: str, row: np.ndarray) -> PlaceIndustryMatrix:
    """A copy of ``matrix`` whose ``place`` row is ``row`` (the place inserted in code order if absent)."""
    values = matrix.values.tocsr()
    new = scipy.sparse.csr_matrix(np.asarray(row, dtype=np.float64).reshape(1, -1))
    places = list(matrix.places)
    if place in places:
        i = places.index(place)
        stacked = scipy.sparse.vstack([values[:i], new, values[i + 1 :]], format="csr")
    else:
        i = int(np.searchsorted(np.array(places), place))
        places.insert(i, place)
        stacked = scipy.sparse.vstack([values[:i], new, values[i:]], format="csr")
    return PlaceIndustryMatrix(places, list(matrix.industries), stacked, matrix.level, matrix.value)

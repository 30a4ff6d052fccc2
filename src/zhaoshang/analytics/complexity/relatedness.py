"""Relatedness of one district, from the national place × industry matrix (DOMAIN.md §5).

Pure: numpy, scipy. ``district_relatedness`` runs ``complexity.complexity_compute`` on the national matrix
(relatedness must come from the national panel, never from one county alone) and keeps the district's row:
density ω (the feasibility of gap analysis and target industries), PCI, COG and presence M, by class code.
``gaps`` re-exports both names.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhaoshang.analytics.complexity.engine import ComplexityError, ComplexityResult, complexity_compute
from zhaoshang.analytics.registry.store import PlaceIndustryMatrix

__all__ = ["DistrictRelatedness", "district_relatedness"]


@dataclass(frozen=True)
class DistrictRelatedness:
    """One district's row of the national complexity results, by GB/T 4754 class."""

    district: str
    density: dict[str, float]
    pci: dict[str, float]
    cog: dict[str, float]
    present: dict[str, bool]  # M_cp = 1


def district_relatedness(
    matrix: PlaceIndustryMatrix,
    district: str,
    *,
    threshold: float = 1.0,
    result: ComplexityResult | None = None,
) -> DistrictRelatedness:
    """Density ω, PCI, COG and presence of ``district`` from the national place × industry ``matrix``
    (``result``: an already computed ``complexity_compute(matrix.values)``)."""
    if district not in matrix.places:
        raise ComplexityError(f"矩阵中没有区县 {district}", f"district {district} is not in the matrix")
    res = result if result is not None else complexity_compute(matrix.values, threshold=threshold)
    i = matrix.places.index(district)
    codes = matrix.industries
    return DistrictRelatedness(
        district=district,
        density=dict(zip(codes, res.density[i].tolist(), strict=True)),
        pci=dict(zip(codes, res.pci.tolist(), strict=True)),
        cog=dict(zip(codes, res.cog[i].tolist(), strict=True)),
        present=dict(zip(codes, (res.mcp[i] == 1).tolist(), strict=True)),
    )

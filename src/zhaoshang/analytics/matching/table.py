"""The columnar ``SiteTable`` the matching engine runs on: every site once, as numpy columns split by kind.

Internal to ``matching``; the sites themselves, demands and options are in ``model`` (no numpy, so that the
Django shell can build and check them without loading it). Pure (numpy only).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from zhaoshang.analytics.matching.model import KINDS, NEEDS, TENURES, MatchError, Site, land_use_code
from zhaoshang.geo.crs import M2_PER_MU

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IndexArray = NDArray[np.intp]


@dataclass(frozen=True)
class KindColumns:
    """The sites of one kind as numpy columns; ``rows`` are their positions in the SiteTable."""

    rows: IndexArray
    area: FloatArray  # in the kind's demand unit (亩 for parcels, m² otherwise)
    land_use: NDArray[np.int32]
    chemical: BoolArray
    gas: BoolArray
    tenure: NDArray[np.int8]
    park: NDArray[np.int32]
    available: FloatArray  # date ordinal, -inf when available now
    divisible: BoolArray
    price: FloatArray  # NaN when unknown, as for every value below
    needs: Mapping[str, FloatArray]
    lng: FloatArray
    lat: FloatArray

    def __len__(self) -> int:
        return len(self.rows)


def _floats(values: Iterable[float | None]) -> FloatArray:
    return np.array([math.nan if v is None else v for v in values], dtype=np.float64)


class SiteTable:
    """All sites as numpy columns split by kind, built once and matched against any number of demands."""

    def __init__(self, sites: Iterable[Site]) -> None:
        self.sites: tuple[Site, ...] = tuple(sites)
        self.ids: tuple[str, ...] = tuple(site.id for site in self.sites)
        seen: set[str] = set()
        for site in self.sites:
            if site.id in seen:
                raise MatchError(f"场地 id {site.id} 重复", f"Duplicate site id {site.id}", "id")
            seen.add(site.id)
        # Table-wide columns for assignment: a divisible building's capacity is its floor area.
        self.areas_m2: FloatArray = _floats(site.area_m2 for site in self.sites)
        self.divisible: BoolArray = np.array(
            [site.divisible and site.kind == "building" for site in self.sites], dtype=np.bool_
        )
        self.land_uses: tuple[str, ...] = tuple(sorted({land_use_code(site.land_use) for site in self.sites}))
        self.parks: tuple[str, ...] = tuple(sorted({site.park.strip() for site in self.sites}))
        land_use_index = {code: i for i, code in enumerate(self.land_uses)}
        park_index = {park: i for i, park in enumerate(self.parks)}
        self._by_kind: dict[str, KindColumns] = {}
        for kind in KINDS:
            rows = [i for i, site in enumerate(self.sites) if site.kind == kind]
            part = [self.sites[i] for i in rows]
            to_unit = 1 / M2_PER_MU if kind == "parcel" else 1.0
            self._by_kind[kind] = KindColumns(
                rows=np.array(rows, dtype=np.intp),
                area=_floats(s.area_m2 for s in part) * to_unit,
                land_use=np.array([land_use_index[land_use_code(s.land_use)] for s in part], dtype=np.int32),
                chemical=np.array([s.chemical_park for s in part], dtype=np.bool_),
                gas=np.array([s.gas for s in part], dtype=np.bool_),
                tenure=np.array([TENURES[s.tenure] for s in part], dtype=np.int8),
                park=np.array([park_index[s.park.strip()] for s in part], dtype=np.int32),
                available=np.array(
                    [-math.inf if s.available_from is None else s.available_from.toordinal() for s in part],
                    dtype=np.float64,
                ),
                divisible=np.array([s.divisible and kind == "building" for s in part], dtype=np.bool_),
                price=_floats(s.price for s in part),
                needs={need.key: _floats(getattr(s, need.field) for s in part) for need in NEEDS},
                lng=_floats(s.location[0] for s in part),
                lat=_floats(s.location[1] for s in part),
            )

    def __len__(self) -> int:
        return len(self.sites)

    def columns(self, kind: str) -> KindColumns:
        return self._by_kind[kind]

"""GB/T 2260 administrative divisions (province, city, county) shipped with the project.

The table is the project's own copy (data/adcodes_gbt2260.csv, from the MIT-licensed cpca package), read
once on first use. Coordinates are approximate centres in WGS84 and are missing for some rows.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

_TABLE = Path(__file__).parent / "data" / "adcodes_gbt2260.csv"


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str  # province | city | county
    parent: str | None
    lng: float | None
    lat: float | None


def _coordinate(text: str) -> float | None:
    return float(text) if text else None


@functools.lru_cache(maxsize=1)
def _load() -> tuple[Mapping[str, Division], Mapping[str, tuple[Division, ...]]]:
    with _TABLE.open(encoding="utf-8", newline="") as table:
        rows = [
            Division(
                code=row["code"],
                name=row["name"],
                level=row["level"],
                parent=row["parent"] or None,
                lng=_coordinate(row["lng"]),
                lat=_coordinate(row["lat"]),
            )
            for row in csv.DictReader(table)
        ]
    by_code = {row.code: row for row in rows}
    by_parent: dict[str, list[Division]] = {}
    for row in sorted(rows, key=lambda row: row.code):
        if row.parent is not None:
            by_parent.setdefault(row.parent, []).append(row)
    # Read-only views: the cached objects are shared by every caller in the process.
    return MappingProxyType(by_code), MappingProxyType(
        {code: tuple(rows) for code, rows in by_parent.items()}
    )


def divisions() -> Mapping[str, Division]:
    """Every division by its 6-digit code."""
    return _load()[0]


def division(code: str) -> Division | None:
    """The division with this 6-digit code, or None."""
    return _load()[0].get(code)


def children(code: str) -> list[Division]:
    """The divisions directly under this code, in code order; [] for a county or an unknown code."""
    return list(_load()[1].get(code, ()))


def path(code: str) -> list[Division]:
    """From the province down to the division itself (province → city → county); [] for an unknown code."""
    chain: list[Division] = []
    current = division(code)
    while current is not None:
        chain.append(current)
        current = division(current.parent) if current.parent else None
    return chain[::-1]

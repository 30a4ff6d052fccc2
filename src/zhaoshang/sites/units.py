"""How a building split into units follows them (docs/factor-map.md, "Units and their building").

Pure: no Django. The services apply it inside the transaction that changed a unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

AVAILABLE, RESERVED, OCCUPIED, UNAVAILABLE = "available", "reserved", "occupied", "unavailable"

# The building shows the most "on offer" state any unit is in: a building with one free unit is still
# offered (for that unit's area); one whose free units are all held is reserved; one fully let is occupied.
PRECEDENCE = (AVAILABLE, RESERVED, OCCUPIED, UNAVAILABLE)


def units_rollup(units: Iterable[tuple[str, Decimal | float | None]]) -> tuple[str, float] | None:
    """(status, available area in m²) of a building from its units' (status, area); None without units."""
    statuses: set[str] = set()
    available = 0.0
    for status, area in units:
        statuses.add(status)
        if status == AVAILABLE and area is not None:
            available += float(area)
    if not statuses:
        return None
    status = next((s for s in PRECEDENCE if s in statuses), UNAVAILABLE)
    return status, round(available, 2)

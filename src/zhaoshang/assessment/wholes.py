"""The whole of 贡献率 (DOMAIN.md §9): each district's 规上工业总产值 (or 税收) by year as entered
(`IndustrialOutputTotal`), read for the rates engine (`rates_by_groups(..., wholes=...)`), now or as it stood at a
past moment (its audit history)."""

from __future__ import annotations

import datetime
from typing import Any

from zhaoshang.analytics.rates.engine import RateDefinitions
from zhaoshang.assessment.models import IndustrialOutputTotal

Wholes = dict[str, dict[int, float]]


def district_wholes(
    districts: Any,
    definitions: RateDefinitions,
    as_of: datetime.datetime | None = None,
    *,
    by_id: bool = False,
) -> Any:
    """District name (as the facts group it; its id with ``by_id``, for the roll-ups) → year → 万元, of
    ``districts`` (a queryset or ids): the output, or the tax when ``contribution_by`` is "tax" (a year without
    its tax is absent: "—", not 0)."""
    rows = IndustrialOutputTotal.objects if as_of is None else IndustrialOutputTotal.history.as_of(as_of)
    ids = districts.values("pk") if hasattr(districts, "values") else list(districts)
    field = "tax" if definitions.contribution_by == "tax" else "output"
    out: dict[Any, dict[int, float]] = {}
    for name, year, value in (
        rows.filter(district_id__in=ids)
        .order_by()
        .values_list("district_id" if by_id else "district__name", "year", field)
    ):
        if value is not None:
            out.setdefault(name, {})[year] = float(value)
    return out

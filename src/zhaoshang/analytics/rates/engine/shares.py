"""One project's share in each rate: the definitions of the package note, project by project."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from zhaoshang.analytics.rates.engine.facts import (
    Period,
    ProjectFacts,
    RateDefinitions,
    add_months,
)
from zhaoshang.analytics.rates.engine.totals import (
    _IN,
    _LAND,
    _OUT,
    _PRODUCTION,
    _REGISTERED,
    _SIGNED,
    _STARTED,
    _is_signed,
    _Share,
)

# --- one project's share in each rate (the definitions) -----------------------------------------------------


def negotiated_on(f: ProjectFacts) -> dt.date | None:
    """The recorded start of the talks: the negotiation's own date (never inferred from a later stage), and
    only if it is not after the signing (a record made after the fact is no negotiation)."""
    own = f.stage_dates.get("negotiation")
    signed = f._reached[_SIGNED]
    if own is None or (signed is not None and own > signed):
        return None
    return own


def _signing_share(f: ProjectFacts, period: Period, definitions: RateDefinitions) -> _Share | str | None:
    if f.increase_of is not None:
        return None
    signed = f._reached[_SIGNED]
    negotiation = negotiated_on(f)
    if negotiation is None:
        # Registered straight at 签约: reported beside the rate, never as a successful negotiation.
        return "direct" if signed is not None and signed in period else None
    if not period.start <= negotiation <= period.end:
        return None
    if signed is not None and signed <= period.end:
        return _IN
    if f.terminated_by(period.end) or add_months(negotiation, definitions.negotiation_months) <= period.end:
        return _OUT
    return "pending"


def _landed_on(f: ProjectFacts, landing_by: str) -> dt.date | None:
    started = f._reached[_STARTED]
    registered, land = f._reached[_REGISTERED], f._reached[_LAND]
    both = max(registered, land) if registered is not None and land is not None else None
    if landing_by == "started":
        return started
    if landing_by == "registered_land":
        return both
    options = [d for d in (started, both) if d is not None]
    return min(options) if options else None


def _landing_share(
    f: ProjectFacts, as_of: dt.date, definitions: RateDefinitions, window_ended_in: Period | None
) -> _Share | None:
    if not _is_signed(f, as_of, definitions, None):
        return None
    signed = f._reached[_SIGNED]
    assert signed is not None
    deadline = add_months(signed, definitions.landing_months)
    if deadline > as_of or (window_ended_in is not None and deadline not in window_ended_in):
        return None
    landed = _landed_on(f, definitions.landing_by)
    return _IN if landed is not None and landed <= deadline else _OUT


def _production_share(production: dt.date, year: int, prorate: bool) -> float:
    if production.year > year:
        return 0.0
    if production.year < year or not prorate:
        return 1.0
    return (13 - production.month) / 12


def _attainment_share(f: ProjectFacts, years: Sequence[int], definitions: RateDefinitions) -> _Share | None:
    """``years`` sorted, without repeats."""
    production = f._reached[_PRODUCTION]
    if production is None or not years:
        return None
    if definitions.exclude_terminated and f.terminated_by(dt.date(years[-1], 12, 31)):
        return None
    by_tax = definitions.contribution_by == "tax"
    designed = f.designed_tax if by_tax else f.designed_output
    actual = f.actual_tax if by_tax else f.actual_output
    committed = achieved = 0.0
    for year in years:
        share = _production_share(production, year, definitions.prorate_production_year)
        if share > 0:
            committed += designed * share
            achieved += actual.get(year, 0.0)
    if committed <= 0:
        return None
    return _Share(committed, achieved, achieved > 0)


def _growth(f: ProjectFacts, years: Sequence[int], definitions: RateDefinitions) -> float:
    """Δ output (or tax) of one project from the year before the first year to the last (0 without years)."""
    if not years:
        return 0.0
    actual = f.actual_tax if definitions.contribution_by == "tax" else f.actual_output
    return actual.get(years[-1], 0.0) - actual.get(years[0] - 1, 0.0)


def _funds_share(f: ProjectFacts, as_of: dt.date, definitions: RateDefinitions) -> _Share:
    """For a project of the signed cohort."""
    origins = definitions.funds_origins
    arrived = sum(a for day, a, o in f.funds if day <= as_of and (origins is None or o in origins))
    return _Share(f.signed_amount, arrived, True) if arrived > 0 else _Share(f.signed_amount, 0.0, False)


def _stage_share(f: ProjectFacts, index: int, as_of: dt.date) -> _Share:
    """For a project of the signed cohort: has it reached the stage by ``as_of``?"""
    day = f._reached[index]
    return _IN if day is not None and day <= as_of else _OUT

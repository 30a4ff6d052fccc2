"""The output forecast of a district: its baseline plus each project's ramp-up, with a Monte Carlo band."""

from __future__ import annotations

import datetime
from typing import Any

from zhaoshang.analytics.forecast import (
    DEFAULT_PARAMS,
    Forecast,
    ForecastParams,
    OutputTarget,
    delays_from_history,
    forecast_output,
    projects_from_facts,
)
from zhaoshang.assessment.selectors import project_facts
from zhaoshang.projects.models import Project, StageMove
from zhaoshang.projects.stages import STAGE_CODES


class ForecastNotConfigured(ValueError):
    pass


def forecast_settings(district: Any) -> dict[str, Any]:
    """district.settings["forecast"] = {"baseline": {"2026": 万元, ...}, "target": 万元, "target_year": 2029}."""
    given = (district.settings or {}).get("forecast") or {}
    baseline = {int(y): float(v) for y, v in (given.get("baseline") or {}).items()}
    if not baseline:
        raise ForecastNotConfigured(str(district))
    return {"baseline": baseline, "target": given.get("target"), "target_year": given.get("target_year")}


def _history(district: Any) -> dict[tuple[str, str], list[float]]:
    """Months each verified step up the ladder took in this district: the delays the forecast learns from."""
    moves = (
        StageMove.objects.filter(project__district=district, verified_at__isnull=False, rejected_reason="")
        .order_by("project_id", "date")
        .values_list("project_id", "from_stage", "to_stage", "date")
    )
    history: dict[tuple[str, str], list[float]] = {}
    last: dict[int, datetime.date] = {}
    adjacent = set(zip(STAGE_CODES, STAGE_CODES[1:], strict=False))
    for project_id, from_stage, to_stage, date in moves:
        # Only one step up the ladder is a delay the model knows; skips and steps back are not learnt from.
        if project_id in last and (from_stage, to_stage) in adjacent:
            history.setdefault((from_stage, to_stage), []).append((date - last[project_id]).days / 30.44)
        last[project_id] = date
    return history


def district_forecast(
    district: Any, user: Any, *, draws: int = 10_000, as_of: datetime.date | None = None
) -> Forecast:
    settings = forecast_settings(district)
    as_of = as_of or datetime.date.today()
    projects = (
        Project.objects.restrict(user, "view")
        .filter(district=district)
        .exclude(stage__in=["reserve", "lead"])
    )
    facts = project_facts(projects)
    learned = delays_from_history(_history(district))
    params = ForecastParams(delays={**DEFAULT_PARAMS.delays, **learned}, draws=draws, seed=district.pk)
    years = sorted(settings["baseline"])
    target = None
    if settings["target"] and settings["target_year"] in years:
        target = OutputTarget(float(settings["target"]), int(settings["target_year"]))
    return forecast_output(projects_from_facts(facts), settings["baseline"], years, as_of, params, target)

"""The output forecast of a district: its baseline plus each project's ramp-up, with a Monte Carlo band.

A forecast is stored as the result of a job (kind ``assessment-forecast``) under a key made of the district's
data fingerprint, its forecast settings and the day: the page and the leaders' dashboard read the stored
one, a small district computes in the request, a large one (Linzi's 6,000 projects: 8–20 s) in the worker.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.assessment.facts import facts_fingerprint, project_facts
from zhaoshang.core.jobs import job_create, job_execute, job_runner, job_submit
from zhaoshang.core.models import District, Job
from zhaoshang.projects.models import Project, StageMove
from zhaoshang.projects.stages import STAGE_CODES

if TYPE_CHECKING:
    from zhaoshang.analytics.forecast.engine import Forecast


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
    district: Any,
    user: Any,
    *,
    draws: int = 10_000,
    as_of: datetime.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Forecast:
    # deferred: numpy and scipy load only when a forecast runs
    from zhaoshang.analytics.forecast.engine import (
        DEFAULT_PARAMS,
        ForecastParams,
        OutputTarget,
        delays_from_history,
        forecast_output,
        projects_from_facts,
    )

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
    projects_ = projects_from_facts(facts)
    return forecast_output(projects_, settings["baseline"], years, as_of, params, target, progress=progress)


FORECAST_JOB = "assessment-forecast"
INLINE_PROJECTS = 1_500  # Huantai's 500 take 0.5 s in the request; above this the worker computes
DRAWS = 10_000
IMPORTANT_SHOWN = 15


def _forecast_projects(district: Any) -> Any:
    return Project.objects.filter(district=district).exclude(stage__in=["reserve", "lead"])


def forecast_key(district: Any, as_of: datetime.date, draws: int = DRAWS) -> str:
    """Changes with the district's projects and history, its forecast settings, and the day."""
    settings = json.dumps((district.settings or {}).get("forecast"), sort_keys=True, default=str)
    stamp = facts_fingerprint(Project.objects.filter(district=district))
    return hashlib.sha256(f"{district.pk}|{as_of}|{draws}|{settings}|{stamp}".encode()).hexdigest()


def forecast_summary(forecast: Forecast, district: Any, as_of: datetime.date) -> dict[str, Any]:
    """What the page and the dashboard show, as JSON (stored as the job's result)."""
    shown = forecast.importance[:IMPORTANT_SHOWN]
    names = dict(Project.objects.filter(pk__in=[int(i.key) for i in shown]).values_list("pk", "name"))
    target = forecast.target
    return {
        "district": district.pk,
        "as_of": as_of.isoformat(),
        "computed": timezone.now().isoformat(),
        "projects": len(forecast.importance),
        "draws": forecast.draws,
        "probability": forecast.probability,
        "target": {"amount": target.amount, "by_year": target.by_year} if target else None,
        "explain": forecast.explain,
        "chart": {
            "years": [b.year for b in forecast.bands],
            "p10": [round(b.p10 / 10000, 1) for b in forecast.bands],
            "p50": [round(b.p50 / 10000, 1) for b in forecast.bands],
            "p90": [round(b.p90 / 10000, 1) for b in forecast.bands],
            "target": round(target.amount / 10000, 1) if target else None,
        },
        "important": [
            {
                "project": names.get(int(i.key), i.key),
                "pk": int(i.key),
                "drop": i.probability_drop,
                "mean": i.mean_output / 10000,
                "survival": i.survival,
                "production": i.projected_production.strftime("%Y-%m") if i.projected_production else None,
            }
            for i in shown
        ],
        "url": reverse("assessment_forecast") + f"?district={district.pk}",
        "title": _("查看产值预测"),
    }


@job_runner(FORECAST_JOB, retry_safe=True)  # computes and writes nothing but its result
def _forecast_job(job: Job, progress: Callable[[int, int, str], None]) -> dict[str, Any]:
    district = District.objects.get(pk=job.params["district"])
    as_of = datetime.date.fromisoformat(job.params["as_of"])
    message = _("模拟 {draws} 次").format(draws=job.params["draws"])
    forecast = district_forecast(
        district,
        job.user,
        draws=job.params["draws"],
        as_of=as_of,
        progress=lambda done, total: progress(done, total, message),
    )
    return forecast_summary(forecast, district, as_of)


def _jobs(district: Any) -> Any:
    return Job.objects.filter(kind=FORECAST_JOB, params__district=district.pk)


def latest_forecast(district: Any) -> Job | None:
    """The district's most recent stored forecast (the dashboard shows it with its date)."""
    return _jobs(district).filter(status=Job.Status.SUCCEEDED).order_by("-finished", "-pk").first()


def forecast_request(
    district: Any, user: Any, *, as_of: datetime.date | None = None, background: bool | None = None
) -> Job:
    """The forecast of today's data: the stored one (or its failure), the one being computed, or a new one —
    computed here for a small district, queued for the worker for a large one (``background`` forces either)."""
    forecast_settings(district)  # ForecastNotConfigured before any job is made
    as_of = as_of or datetime.date.today()
    key = forecast_key(district, as_of)
    # A failed one too: the page shows why, instead of queueing the same failure again at every visit.
    existing = _jobs(district).filter(params__key=key).order_by("-pk").first()
    if existing is not None:
        return existing
    params = {"district": district.pk, "key": key, "as_of": as_of.isoformat(), "draws": DRAWS}
    title = _("产值预测:{district}").format(district=district)
    if background is None:
        background = _forecast_projects(district).count() > INLINE_PROJECTS
    if background:
        return job_submit(kind=FORECAST_JOB, title=title, user=user, params=params)
    return job_execute(job_create(kind=FORECAST_JOB, title=title, user=user, params=params))

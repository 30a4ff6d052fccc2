"""The output forecast of a district: its baseline plus each project's ramp-up, with a Monte Carlo band, and
its back-test (the same forecast made at past cut-offs, against what happened).

The stage durations are learnt from the district's verified history as known at the forecast's date
(`history`): completed and censored spells, shrunk toward the documented defaults and by project group
(`analytics.forecast.survival`). A forecast and a back-test are stored as job results (kinds
``assessment-forecast`` and ``assessment-backtest``) under a key made of the district's data fingerprint, its
forecast settings and the day: the page and the leaders' dashboard read the stored one, a small district
computes in the request, a large one in the worker.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.assessment.facts import facts_fingerprint
from zhaoshang.assessment.forecasting.history import Book, Known, known_at
from zhaoshang.core.jobs import job_create, job_execute, job_runner, job_submit
from zhaoshang.core.models import District, Job
from zhaoshang.projects.models import Project
from zhaoshang.projects.stages import STAGE_CODES, stages_for

if TYPE_CHECKING:
    from zhaoshang.analytics.forecast.backtest import Backtest
    from zhaoshang.analytics.forecast.engine import Forecast, ForecastParams
    from zhaoshang.analytics.forecast.survival import Fitted

DEFAULT_BASELINE_CV = 0.03  # 3 % a year: a county's industrial output growth varies by a few points
BACKTEST_HORIZON = 6  # months after each cut-off
BACKTEST_CUTOFFS = 12
BACKTEST_DRAWS = 2_000


class ForecastNotConfigured(ValueError):
    pass


def forecast_settings(district: Any) -> dict[str, Any]:
    """district.settings["forecast"] = {"baseline": {"2026": 万元, ...}, "target": 万元, "target_year": 2029,
    optional "history": {"2021": 万元, ...} (actual output: the baseline's uncertainty is its year-on-year
    variation), "baseline_cv" (else 0.03), "increment": {nature: share}}."""
    given = (district.settings or {}).get("forecast") or {}
    baseline = {int(y): float(v) for y, v in (given.get("baseline") or {}).items()}
    if not baseline:
        raise ForecastNotConfigured(str(district))
    return {
        "baseline": baseline,
        "target": given.get("target"),
        "target_year": given.get("target_year"),
        "history": {int(y): float(v) for y, v in (given.get("history") or {}).items()},
        "baseline_cv": given.get("baseline_cv"),
        "increment": given.get("increment") or {},
    }


def baseline_cv(settings: dict[str, Any]) -> tuple[float, str]:
    """σ of the baseline's log one year ahead, and where it came from: the standard deviation of the yearly
    log growth of the district's actual output when three or more consecutive years are given, else the
    district's setting, else the documented default."""
    history = settings["history"]
    years = sorted(history)
    growth = [
        math.log(history[b] / history[a])
        for a, b in zip(years, years[1:], strict=False)
        if b == a + 1 and history[a] > 0 and history[b] > 0
    ]
    if len(growth) >= 2:
        mean = sum(growth) / len(growth)
        sd = math.sqrt(sum((g - mean) ** 2 for g in growth) / (len(growth) - 1))
        return sd, "history"
    if settings["baseline_cv"] is not None:
        return float(settings["baseline_cv"]), "setting"
    return DEFAULT_BASELINE_CV, "default"


def _projects(district: Any, user: Any) -> Any:
    return Project.objects.restrict(user, "view").filter(district=district)


def _model(known: Known, settings: dict[str, Any], *, draws: int, seed: int) -> tuple[ForecastParams, Fitted]:
    from zhaoshang.analytics.forecast.engine import DEFAULT_PARAMS, ForecastParams
    from zhaoshang.analytics.forecast.survival import fit_delays

    fitted = fit_delays(known.spells)
    cv, _source = baseline_cv(settings)
    params = ForecastParams(
        delays={**DEFAULT_PARAMS.delays, **fitted.delays()},
        group_delays=fitted.group_delays(),
        baseline_cv=cv,
        draws=draws,
        seed=seed,
    )
    return params, fitted


def district_forecast(
    district: Any,
    user: Any,
    *,
    draws: int = 10_000,
    as_of: datetime.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    learned: dict[str, Any] | None = None,
) -> Forecast:
    """The forecast made at ``as_of`` (today by default) from what was verified by then (for a past date, with
    the projects' records as they stood then). ``learned``, when given, receives what the model rests on (the
    fitted delays and the projects read) for the page."""
    # deferred: numpy and scipy load only when a forecast runs
    from zhaoshang.analytics.forecast.engine import OutputTarget, forecast_output

    settings = forecast_settings(district)
    today = datetime.date.today()
    as_of = as_of or today
    book = Book.read(_projects(district, user), settings["increment"], past=as_of < today)
    known = known_at(book, as_of, today=as_of >= today)
    params, fitted = _model(known, settings, draws=draws, seed=district.pk)
    years = sorted(settings["baseline"])
    target = None
    if settings["target"] and settings["target_year"] in years:
        target = OutputTarget(float(settings["target"]), int(settings["target_year"]))
    if learned is not None:
        learned.update(known=known, fitted=fitted, params=params, settings=settings)
    return forecast_output(
        known.projects, settings["baseline"], years, as_of, params, target, progress=progress
    )


def district_backtest(
    district: Any,
    user: Any,
    *,
    as_of: datetime.date | None = None,
    horizon: int = BACKTEST_HORIZON,
    count: int = BACKTEST_CUTOFFS,
    draws: int = BACKTEST_DRAWS,
    progress: Callable[[int, int], None] | None = None,
) -> Backtest:
    """The forecast as it would have been made at each of ``count`` monthly cut-offs (from the moves verified
    by then, spells censored there, and each project's plans, size and status as recorded then — its audit
    history, `history.Book.row_at`) against what the moves verified by ``as_of`` say happened in the
    ``horizon`` months after each."""
    from zhaoshang.analytics.forecast.backtest import CutOff, backtest, happened, month_cutoffs

    settings = forecast_settings(district)
    as_of = as_of or datetime.date.today()
    book = Book.read(_projects(district, user), settings["increment"])
    now = known_at(book, as_of, today=False)
    cuts = []
    dates = month_cutoffs(as_of, horizon, count)
    for i, date in enumerate(dates):
        known = known_at(book, date, today=False)
        params, _fitted = _model(known, settings, draws=draws, seed=district.pk + i)
        capacity, steps = happened(known.projects, now.reached, date, horizon, STAGE_CODES)
        cuts.append(CutOff(date, known.projects, params, capacity, steps))
        if progress is not None:
            progress(i + 1, 2 * len(dates))
    result = backtest(cuts, horizon)
    if progress is not None:
        progress(2 * len(dates), 2 * len(dates))
    return result


FORECAST_JOB = "assessment-forecast"
BACKTEST_JOB = "assessment-backtest"
INLINE_PROJECTS = 1_500  # Huantai's 500 take about a second in the request; above this the worker computes
DRAWS = 10_000
IMPORTANT_SHOWN = 15


def _forecast_projects(district: Any) -> Any:
    return Project.objects.filter(district=district).exclude(stage__in=["reserve", "lead"])


def forecast_key(district: Any, as_of: datetime.date, draws: int = DRAWS) -> str:
    """Changes with the district's projects and history, its forecast settings, and the day."""
    settings = json.dumps((district.settings or {}).get("forecast"), sort_keys=True, default=str)
    stamp = facts_fingerprint(district)  # the district's facts version (assessment.facts)
    return hashlib.sha256(f"{district.pk}|{as_of}|{draws}|{settings}|{stamp}".encode()).hexdigest()


def _yi(wan: float) -> float:
    return round(wan / 10000, 1)


def learned_summary(learned: dict[str, Any], district: Any) -> dict[str, Any]:
    """What the forecast learnt and why it says what it says: per transition the months it uses, the
    documented default, the history's own estimate (censoring-aware, and the naive one that drops the
    projects still in the stage), completed and censored spells, and the data's weight against the default."""
    from zhaoshang.analytics.forecast.survival import naive_median

    known, fitted = learned["known"], learned["fitted"]
    labels = dict(stages_for(district))
    by_pair: dict[tuple[str, str], list[Any]] = {}
    for spell in known.spells:
        by_pair.setdefault(spell.pair, []).append(spell)
    rows = []
    for pair, fit in fitted.pooled.items():
        spells = by_pair.get(pair, [])
        naive = naive_median([s.months for s in spells], [s.done for s in spells])
        rows.append(
            {
                "transition": f"{labels.get(pair[0], pair[0])}→{labels.get(pair[1], pair[1])}",
                "used": round(fit.delay.median, 1),
                "sigma": round(fit.delay.sigma, 2),
                "prior": round(fit.prior.median, 1),
                "data": round(fit.data_median, 1) if fit.data_median is not None else None,
                "naive": round(naive, 1) if naive is not None else None,
                "events": fit.events,
                "censored": fit.censored,
                "weight": round(fit.weight, 2),
            }
        )
    natures = learned["known"].natures
    existing = [p for p in known.projects if p.increment < 1]
    cv, source = baseline_cv(learned["settings"])
    return {
        "transitions": rows,
        "groups": sorted(fitted.groups),
        "existing_plant": len(existing),
        "existing_designed": _yi(sum(p.designed_output for p in existing)),
        "existing_counted": _yi(sum(p.designed_output * p.increment for p in existing)),
        "natures": {k: sum(1 for v in natures.values() if v == k) for k in sorted(set(natures.values()))},
        "baseline_cv": round(cv, 4),
        "baseline_cv_source": source,
    }


def forecast_summary(
    forecast: Forecast, district: Any, as_of: datetime.date, learned: dict[str, Any] | None = None
) -> dict[str, Any]:
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
            "p10": [_yi(b.p10) for b in forecast.bands],
            "p50": [_yi(b.p50) for b in forecast.bands],
            "p90": [_yi(b.p90) for b in forecast.bands],
            "target": _yi(target.amount) if target else None,
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
        "learned": learned_summary(learned, district) if learned else None,
        "url": reverse("assessment_forecast") + f"?district={district.pk}",
        "title": _("查看产值预测"),
    }


def backtest_summary(result: Backtest, as_of: datetime.date) -> dict[str, Any]:
    """The back-test as JSON: per cut-off the bands and what happened (亿元 of new capacity, stage steps),
    coverage and the error of the median, and the sentence the page shows."""
    n = len(result.results)

    def measure(m: Any, scale: float) -> dict[str, Any]:
        return {
            "p10": round(m.p10 / scale, 1),
            "p50": round(m.p50 / scale, 1),
            "p90": round(m.p90 / scale, 1),
            "actual": round(m.actual / scale, 1),
            "covered": m.covered,
        }

    errors = {k: result.median_error(k) for k in ("capacity", "steps")}
    coverage = {k: result.coverage(k) for k in ("capacity", "steps")}

    def percent(x: float | None) -> str:
        return "—" if x is None else f"{x:.0%}"

    sentence = _("过去{n}个月回测: P10–P90 区间覆盖 {k}/{n},中位数误差 {e}").format(
        n=n, k=coverage["capacity"], e=percent(errors["capacity"])
    )
    detail = _(
        "以 {n} 个月初为截点,各用截点时已核实的历史预测其后 {h} 个月新投产项目的达产产值;"
        "阶段推进次数覆盖 {k}/{n},中位数误差 {e}。"
    ).format(n=n, h=result.horizon, k=coverage["steps"], e=percent(errors["steps"]))
    return {
        "as_of": as_of.isoformat(),
        "horizon": result.horizon,
        "cutoffs": [
            {
                "date": r.date.isoformat(),
                "projects": r.projects,
                "capacity": measure(r.capacity, 10000),
                "steps": measure(r.steps, 1),
            }
            for r in result.results
        ],
        "coverage": coverage,
        "error": errors,
        "sentence": sentence,
        "detail": detail,
        "chart": {
            "dates": [r.date.strftime("%Y-%m") for r in result.results],
            "p10": [round(r.capacity.p10 / 10000, 1) for r in result.results],
            "p50": [round(r.capacity.p50 / 10000, 1) for r in result.results],
            "p90": [round(r.capacity.p90 / 10000, 1) for r in result.results],
            "actual": [round(r.capacity.actual / 10000, 1) for r in result.results],
        },
    }


@job_runner(FORECAST_JOB, retry_safe=True)  # computes and writes nothing but its result
def _forecast_job(job: Job, progress: Callable[[int, int, str], None]) -> dict[str, Any]:
    district = District.objects.get(pk=job.params["district"])
    as_of = datetime.date.fromisoformat(job.params["as_of"])
    message = _("模拟 {draws} 次").format(draws=job.params["draws"])
    learned: dict[str, Any] = {}
    forecast = district_forecast(
        district,
        job.user,
        draws=job.params["draws"],
        as_of=as_of,
        progress=lambda done, total: progress(done, total, message),
        learned=learned,
    )
    return forecast_summary(forecast, district, as_of, learned)


@job_runner(BACKTEST_JOB, retry_safe=True)
def _backtest_job(job: Job, progress: Callable[[int, int, str], None]) -> dict[str, Any]:
    district = District.objects.get(pk=job.params["district"])
    as_of = datetime.date.fromisoformat(job.params["as_of"])
    message = _("回测 {n} 个截点").format(n=BACKTEST_CUTOFFS)
    result = district_backtest(
        district, job.user, as_of=as_of, progress=lambda done, total: progress(done, total, message)
    )
    return backtest_summary(result, as_of)


def _jobs(district: Any, kind: str = FORECAST_JOB) -> Any:
    return Job.objects.filter(kind=kind, params__district=district.pk)


def latest_forecast(district: Any) -> Job | None:
    """The district's most recent stored forecast (the dashboard shows it with its date)."""
    return _jobs(district).filter(status=Job.Status.SUCCEEDED).order_by("-finished", "-pk").first()


def _request(
    kind: str, title: str, district: Any, user: Any, as_of: datetime.date | None, background: bool | None
) -> Job:
    forecast_settings(district)  # ForecastNotConfigured before any job is made
    as_of = as_of or datetime.date.today()
    key = forecast_key(district, as_of)
    # A failed one too: the page shows why, instead of queueing the same failure again at every visit.
    existing = _jobs(district, kind).filter(params__key=key).order_by("-pk").first()
    if existing is not None:
        return existing
    params = {"district": district.pk, "key": key, "as_of": as_of.isoformat(), "draws": DRAWS}
    if background is None:
        background = _forecast_projects(district).count() > INLINE_PROJECTS
    if background:
        return job_submit(kind=kind, title=title, user=user, params=params)
    return job_execute(job_create(kind=kind, title=title, user=user, params=params))


def forecast_request(
    district: Any, user: Any, *, as_of: datetime.date | None = None, background: bool | None = None
) -> Job:
    """The forecast of today's data: the stored one (or its failure), the one being computed, or a new one —
    computed here for a small district, queued for the worker for a large one (``background`` forces either)."""
    title = _("产值预测:{district}").format(district=district)
    return _request(FORECAST_JOB, title, district, user, as_of, background)


def backtest_request(
    district: Any, user: Any, *, as_of: datetime.date | None = None, background: bool | None = None
) -> Job:
    """The back-test of today's data, stored and requested like the forecast."""
    title = _("产值预测回测:{district}").format(district=district)
    return _request(BACKTEST_JOB, title, district, user, as_of, background)

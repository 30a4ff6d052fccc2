"""Monthly scores and rankings: districts within the city, chain teams within a district (DOMAIN.md §9).

Rates are computed as of the month's end from dated, verified records, so a month's snapshot can be derived
again later from the same history; the snapshot keeps every term so that a ranking explains itself."""

from __future__ import annotations

import calendar
import datetime
from typing import Any

from django.db import transaction
from django.db.models import Min, Q
from django.utils.translation import gettext_lazy as _

from zhaoshang.analytics.rates.engine import DEFAULT_DEFINITIONS, Period, overdue_by_group
from zhaoshang.analytics.rates.groups import rates_by_group
from zhaoshang.analytics.rates.scores import DEFAULT_SCHEME, ScoringScheme, rank_change, score_groups
from zhaoshang.assessment.facts import project_facts
from zhaoshang.assessment.models import RecordFinding, ScoreSnapshot, Target
from zhaoshang.assessment.models import ScoringScheme as SchemeRecord
from zhaoshang.assessment.selectors import definitions_for, target_progress
from zhaoshang.assessment.wholes import district_wholes
from zhaoshang.chains.models import Chain
from zhaoshang.core.actions import action_log
from zhaoshang.core.audit import acting_as, current_channel
from zhaoshang.core.jobs import job_runner
from zhaoshang.core.models import District
from zhaoshang.core.scope import ensure_level_right
from zhaoshang.projects.models import Project


def month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def scheme_record(year: int, city: Any = None) -> SchemeRecord | None:
    """The stored scheme a city's districts are scored by in `year`: the city's own, else the instance's
    default (a province's for its cities; a city's instance's own); None: neither, the built-in default."""
    rows = {r.city_id: r for r in SchemeRecord.objects.filter(year=year).filter(_city_or_default(city))}
    return rows.get(getattr(city, "pk", city)) or rows.get(None)


def _city_or_default(city: Any) -> Q:
    default = Q(city__isnull=True)
    return default if city is None else default | Q(city=city)


def scheme_for(year: int, city: Any = None) -> ScoringScheme:
    record = scheme_record(year, city)
    if record is None:
        return DEFAULT_SCHEME
    deductions = record.deductions or {}
    return ScoringScheme(
        rate_weights=record.weights.get("rates") or DEFAULT_SCHEME.rate_weights,
        target_weights=record.weights.get("targets") or DEFAULT_SCHEME.target_weights,
        overdue_deduction=float(deductions.get("overdue", DEFAULT_SCHEME.overdue_deduction)),
        falsified_deduction=float(deductions.get("falsified", DEFAULT_SCHEME.falsified_deduction)),
    )


def scheme_save(
    *,
    year: int,
    weights: dict[str, Any],
    deductions: dict[str, Any],
    note: str,
    user: Any,
    city: Any = None,
) -> Any:
    """Set a year's scheme (audited): a city's by those with city-level rights over it (its supervisor, the
    province), the default (`city` None) by those who verify everywhere — 403 with the reason to a district's
    administrator, 404 for a city the user does not see (core.scope.ensure_level_right)."""
    ensure_level_right(user, "verify", city, what=_("考核办法"), shown_as="change")
    ScoringScheme(rate_weights=weights["rates"], target_weights=weights["targets"])  # refuses bad weights
    with transaction.atomic(), acting_as(user, "web"):
        record = SchemeRecord.objects.filter(year=year, city=city).first() or SchemeRecord(
            year=year, city=city
        )
        record.weights, record.deductions, record.note = weights, deductions, note
        record.full_clean()
        record.save()
    return record


TARGET_METRICS = {
    "top500": Target.Metric.TOP500_LANDED,
    "outside_province_funds": Target.Metric.FUNDS_OUTSIDE_PROVINCE,
}


def _target_completion(
    user: Any, year: int, district: District, end: datetime.date
) -> dict[str, tuple[float, float]]:
    """The district's own targets that the scheme weighs: (actual up to ``end``, target) each."""
    completion = {}
    for row in target_progress(user, year, district, end=end):
        target = row["target"]
        if target.team_id or target.town_id or target.park_id or not target.value:
            continue
        for key, metric in TARGET_METRICS.items():
            if target.metric == metric:
                completion[key] = (float(row["actual"]), float(target.value))
    return completion


def scores_compute(*, month: datetime.date, user: Any, channel: str | None = None) -> list[ScoreSnapshot]:
    """Score every district and zone the user sees, ranked within its city, and every chain team of each
    district for one month; store snapshots. On a province's instance each city's districts are ranked among
    themselves (a city's supervisor scores their own city; the province every city).

    The snapshots are audited (their history names `user`), and each district scored gets a "月度评分" entry."""
    month = month.replace(day=1)
    end = month_end(month)
    period = Period(month.replace(month=1), end)
    districts = list(District.objects.restrict(user, "view").select_related("city"))
    # Each city's districts are scored by the city's scheme (else the province's default).
    schemes = {
        d.city.name: scheme_for(month.year, d.city) for d in {d.city_id: d for d in districts}.values()
    }
    projects = Project.objects.restrict(user, "view").exclude(stage="reserve")
    facts = project_facts(projects)
    snapshots: list[ScoreSnapshot] = []
    with transaction.atomic(), acting_as(user, channel or current_channel()):
        ScoreSnapshot.objects.filter(month=month, district__in=districts).delete()
        by_district = {(d.city.name, d.name): d for d in districts}
        targets = {d.name: _target_completion(user, month.year, d, end) for d in districts}
        found = _findings(districts, period)
        falsified = {d.name: [k for k, _chain in found.get(d.pk, [])] for d in districts}
        scores = []
        # 贡献率 of each district against its own entered 规上工业总产值 (`assessment.wholes`).
        district_totals = district_wholes([d.pk for d in districts], DEFAULT_DEFINITIONS)
        for city in sorted({d.city.name for d in districts}):
            theirs = [f for f in facts if f.groups.get("city") == city]
            names = {name for c, name in by_district if c == city}
            rates = rates_by_group(theirs, "district", period, wholes=district_totals)
            overdue = overdue_by_group(theirs, "district", end)
            own_targets = {k: v for k, v in targets.items() if k in names}
            own_findings = {k: v for k, v in falsified.items() if k in names}
            scored = score_groups(rates, own_targets, overdue, own_findings, schemes[city])
            scores += [(city, s) for s in scored]
        for city, score in scores:
            if not score.assessed:
                continue  # 未参评: nothing to assess, so no score that would rank it last
            district = by_district[(city, score.group)]
            snapshots.append(
                ScoreSnapshot.objects.create(
                    month=month,
                    level="district",
                    district=district,
                    score=score.score,
                    rank=score.rank,
                    terms={**score.terms, "explain": score.explain},
                    computed_by=user,
                )
            )
        for district in districts:
            mine = [f for f in facts if f.groups.get("district") == district.name]
            definitions = definitions_for(district)
            wholes = district_wholes([district.pk], definitions)
            chain_rates = rates_by_group(mine, "chain", period, definitions, wholes=wholes)
            teams = {
                c.name: c.team
                for c in Chain.objects.filter(district=district, is_current=True).select_related("team")
            }
            chain_found: dict[str, list[str]] = {}
            for key, chain in found.get(district.pk, []):
                if chain:
                    chain_found.setdefault(chain, []).append(key)
            chain_overdue = overdue_by_group(mine, "chain", end)
            scheme = schemes[district.city.name]
            for score in score_groups(chain_rates, None, chain_overdue, chain_found, scheme):
                team = teams.get(score.group)
                if team is None or not score.assessed:
                    continue
                snapshots.append(
                    ScoreSnapshot.objects.create(
                        month=month,
                        level="team",
                        district=district,
                        team=team,
                        score=score.score,
                        rank=score.rank,
                        terms={**score.terms, "explain": score.explain, "chain": score.group},
                        computed_by=user,
                    )
                )
        for snapshot in snapshots:
            if snapshot.level == "district":
                summary = f"{month:%Y-%m}:{snapshot.score:.1f} 分,第 {snapshot.rank} 名"
                data = {"month": month, "score": snapshot.score, "rank": snapshot.rank, "summary": summary}
                action_log(snapshot.district, "scores_monthly", user=user, data=data)
    return snapshots


def _findings(districts: list[District], period: Period) -> dict[int, list[tuple[str, str]]]:
    """Falsified records found in the year up to the month's end: (finding key, chain name) per district."""
    rows = RecordFinding.objects.filter(
        district__in=districts, found_on__range=(period.start, period.end)
    ).values_list("pk", "district_id", "project__chain__name")
    found: dict[int, list[tuple[str, str]]] = {}
    for pk, district_id, chain in rows:
        found.setdefault(district_id, []).append((str(pk), chain or ""))
    return found


def rankings(
    user: Any, month: datetime.date, level: str, district: District | None = None
) -> list[dict[str, Any]]:
    """A month's ranking with the change in rank since the month before (positive = moved up)."""
    month = month.replace(day=1)
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    rows = ScoreSnapshot.objects.restrict(user, "view").filter(level=level).select_related("district", "team")
    if district is not None:
        rows = rows.filter(district=district)
    current = list(rows.filter(month=month).order_by("district__city__adcode", "rank"))  # ranked per city
    before = {_key(s): s.rank for s in rows.filter(month=previous)}
    changes = rank_change({_key(s): s.rank for s in current}, before)
    return [{"snapshot": s, "change": changes.get(_key(s))} for s in current]


def changes_since_scored(user: Any, month: datetime.date) -> dict[str, int] | None:
    """What the month's stored scores do not include yet: falsified records of the year up to the month's end
    entered, edited or deleted after they were computed (from the audit history, so deletions count), and
    whether the year's scheme changed since. None when the month has no scores."""
    month = month.replace(day=1)
    scored = (
        ScoreSnapshot.objects.restrict(user, "view").filter(month=month).aggregate(at=Min("created"))["at"]
    )
    if scored is None:
        return None
    districts = District.objects.restrict(user, "view")
    findings = (
        RecordFinding.history.filter(
            history_date__gt=scored,
            district__in=districts,
            found_on__range=(month.replace(month=1), month_end(month)),
        )
        .values("id")
        .distinct()
        .count()
    )
    scheme = SchemeRecord.history.filter(history_date__gt=scored, year=month.year).exists()
    return {"findings": findings, "scheme": int(scheme)}


def _key(snapshot: ScoreSnapshot) -> str:
    return f"{snapshot.district_id}:{snapshot.team_id or ''}"


@job_runner("scores-monthly", retry_safe=True)  # the month's snapshots are replaced in one transaction
def run_scores(job: Any, progress: Any) -> dict[str, Any]:
    month = datetime.date.fromisoformat(job.params["month"])
    snapshots = scores_compute(month=month, user=job.user, channel="job")
    return {"month": month.isoformat(), "snapshots": len(snapshots)}

"""Assessment reads: the facts of each project from the database, the rates of DOMAIN.md §9 per chain team,
town, park and district, targets against actuals; a fixed number of queries whatever the number of projects."""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum
from django.utils.translation import gettext_lazy as _

from zhaoshang.analytics.rates import Period, ProjectFacts, Rate, RateDefinitions, rates_by_group
from zhaoshang.assessment.models import Target
from zhaoshang.core.scope import user_scope
from zhaoshang.projects.models import FundsEntry, Project, ProjectOutput, StageMove

RATE_LABELS = {
    "signing": _("签约率"),
    "landing": _("落地率"),
    "contribution": _("贡献率"),
    "funds_in_place": _("资金到位率"),
    "start": _("开工率"),
    "completion": _("建成率"),
}
RATES_CACHE_SECONDS = 24 * 3600  # the fingerprint decides; the timeout only bounds memory
GROUPS = {"district": _("区县"), "chain": _("产业链"), "town": _("镇办"), "park": _("园区")}


def definitions_for(district: Any | None) -> RateDefinitions:
    given = ((district.settings if district is not None else {}) or {}).get("rates") or {}
    known = {k: v for k, v in given.items() if k in RateDefinitions.__dataclass_fields__}
    return RateDefinitions(**known)


def project_facts(projects: Any) -> list[ProjectFacts]:
    """Facts of the projects: stage dates come from verified moves only, so unverified claims never count.

    Read as plain tuples, the related rows filtered by a subquery: thousands of projects in a few queries
    without building model objects or sending thousands of ids back to the database."""
    rows = list(
        projects.values_list(
            "pk",
            "stage",
            "status",
            "created",
            "total_investment",
            "designed_output",
            "designed_tax",
            "promised_start_date",
            "district__name",
            "chain__name",
            "town__name",
            "park__name",
        )
    )
    ids = projects.values("pk")
    reached: dict[int, dict[str, datetime.date]] = defaultdict(dict)
    for project_id, stage, date in (
        StageMove.objects.filter(project_id__in=ids, verified_at__isnull=False)
        .order_by("date")
        .values_list("project_id", "to_stage", "date")
    ):
        reached[project_id].setdefault(stage, date)
    funds: dict[int, list[tuple[datetime.date, float, str]]] = defaultdict(list)
    for project_id, date, amount, origin in FundsEntry.objects.filter(project_id__in=ids).values_list(
        "project_id", "date", "amount", "origin"
    ):
        funds[project_id].append((date, float(amount), origin))
    outputs: dict[int, dict[int, tuple[float, float]]] = defaultdict(dict)
    for project_id, year, output, tax in ProjectOutput.objects.filter(project_id__in=ids).values_list(
        "project_id", "year", "output", "tax"
    ):
        outputs[project_id][year] = (float(output), float(tax))
    facts = []
    for pk, stage, status, created, investment, output, tax, promised, district, chain, town, park in rows:
        groups = {"district": district}
        for key, value in (("chain", chain), ("town", town), ("park", park)):
            if value:
                groups[key] = value
        stage_dates = dict(reached[pk])
        if stage in ("lead", "negotiation") and stage not in stage_dates:
            stage_dates[stage] = created.date()  # uncounted stages take effect without review
        facts.append(
            ProjectFacts(
                key=str(pk),
                stage=stage,
                stage_dates=stage_dates,
                groups=groups,
                signed_amount=float(investment or 0),
                funds=tuple(funds[pk]),
                designed_output=float(output or 0),
                designed_tax=float(tax or 0),
                actual_output={y: o for y, (o, _t) in outputs[pk].items()},
                actual_tax={y: t for y, (_o, t) in outputs[pk].items()},
                promised_start_date=promised,
                terminated=status == Project.Status.TERMINATED,
            )
        )
    return facts


def assessed_projects(user: Any, district: Any | None = None) -> Any:
    projects = Project.objects.restrict(user, "view").exclude(stage="reserve")
    return projects.filter(district=district) if district is not None else projects


def rate_table(
    user: Any,
    group: str,
    period: Period,
    district: Any | None = None,
    facts: list[ProjectFacts] | None = None,
) -> dict[str, dict[str, Rate]]:
    """Rates per group; pass `facts` to compute from them directly (no cache)."""
    if facts is not None:
        return rates_by_group(facts, group, period, definitions_for(district))
    return rate_tables(user, (group,), period, district)[group]


def rate_tables(
    user: Any, groups: tuple[str, ...], period: Period, district: Any | None = None
) -> dict[str, dict[str, dict[str, Rate]]]:
    """Several groupings of the same projects, from the cache while the projects' data is unchanged.

    Reading 10,000 projects' facts is most of a dashboard's time; the tables only change when a project, a
    verified stage move, a funds entry, an output or a group's name does, which the fingerprint sees."""
    projects = assessed_projects(user, district)
    definitions = definitions_for(district)
    stamp = facts_fingerprint(projects)
    scope = "all" if user_scope(user, "view").all_districts else sorted(user_scope(user, "view").district_ids)
    base = f"{district.pk if district is not None else '-'}|{scope}|{period}|{definitions}|{stamp}"
    keys = {g: "assessment-rates:" + hashlib.sha256(f"{base}|{g}".encode()).hexdigest() for g in groups}
    found = cache.get_many(list(keys.values()))
    tables = {g: found[k] for g, k in keys.items() if k in found}
    missing = [g for g in groups if g not in tables]
    if missing:
        facts = project_facts(projects)
        for g in missing:
            tables[g] = rates_by_group(facts, g, period, definitions)
        cache.set_many({keys[g]: tables[g] for g in missing}, RATES_CACHE_SECONDS)
    return tables


def facts_fingerprint(projects: Any) -> tuple[Any, ...]:
    """Changes whenever anything `project_facts` reads changes: rows added or deleted (count, largest id) or
    edited (latest `updated`, set on every save), in the projects, their groups' names and related rows."""
    ids = projects.values("pk")
    stamps: list[Any] = []
    stamps.extend(
        projects.order_by()
        .aggregate(
            n=Count("pk"),
            top=Max("pk"),
            updated=Max("updated"),
            district=Max("district__updated"),
            chain=Max("chain__updated"),
            town=Max("town__updated"),
            park=Max("park__updated"),
        )
        .values()
    )
    for model in (StageMove, FundsEntry, ProjectOutput):
        related = model.objects.filter(project_id__in=ids).order_by()
        stamps.extend(related.aggregate(n=Count("pk"), top=Max("pk"), updated=Max("updated")).values())
    return tuple(str(s) for s in stamps)


def target_progress(
    user: Any, year: int, district: Any | None = None, *, end: datetime.date | None = None
) -> list[dict[str, Any]]:
    """Each target of the year against its actual so far (up to ``end``, e.g. a month's end for its score):
    counts and money from the project book."""
    targets = (
        Target.objects.restrict(user, "view")
        .filter(year=year)
        .select_related("district", "team", "town", "park")
    )
    if district is not None:
        targets = targets.filter(district=district)
    start, end = (
        datetime.date(year, 1, 1),
        min(end or datetime.date(year, 12, 31), datetime.date(year, 12, 31)),
    )
    rows = []
    for target in targets:
        rows.append({"target": target, "actual": _actual(user, target, start, end)})
    for row in rows:
        value = row["target"].value
        row["completion"] = float(row["actual"] / value) if value else None
    return rows


def target_actual(user: Any, target: Target, end: datetime.date | None = None) -> Decimal:
    """One target's actual from 1 January to ``end`` (default: the year's end)."""
    year_end = datetime.date(target.year, 12, 31)
    return _actual(user, target, datetime.date(target.year, 1, 1), min(end or year_end, year_end))


def _scope(user: Any, target: Target) -> Any:
    projects = Project.objects.restrict(user, "view").filter(district=target.district)
    if target.team_id:
        projects = projects.filter(Q(team=target.team) | Q(chain__team=target.team))
    if target.town_id:
        projects = projects.filter(town=target.town)
    if target.park_id:
        projects = projects.filter(park=target.park)
    return projects


def _actual(user: Any, target: Target, start: datetime.date, end: datetime.date) -> Decimal:
    metric = target.metric
    projects = _scope(user, target)
    moves = StageMove.objects.filter(
        project__in=projects, verified_at__isnull=False, date__range=(start, end)
    )
    if metric == Target.Metric.CUSTOM:
        return target.custom_actual or Decimal(0)
    if metric == Target.Metric.SIGNED_COUNT:
        return Decimal(projects.filter(signed_date__range=(start, end)).count())
    if metric == Target.Metric.STARTED_COUNT:
        return Decimal(moves.filter(to_stage="started").values("project").distinct().count())
    if metric == Target.Metric.PROVINCIAL_MAJOR:
        return Decimal(projects.filter(tier=Project.Tier.PROVINCIAL).count())
    if metric == Target.Metric.MUNICIPAL_MAJOR:
        return Decimal(projects.filter(tier=Project.Tier.MUNICIPAL).count())
    if metric == Target.Metric.SIGNED_INVESTMENT:
        signed = projects.filter(signed_date__range=(start, end)).aggregate(total=Sum("total_investment"))
        return signed["total"] or Decimal(0)
    funds = FundsEntry.objects.filter(project__in=projects, date__range=(start, end))
    if metric == Target.Metric.FUNDS_OUTSIDE_PROVINCE:
        funds = funds.filter(origin="outside_province")
    if metric in (Target.Metric.FUNDS_IN_PLACE, Target.Metric.FUNDS_OUTSIDE_PROVINCE):
        return funds.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    if metric == Target.Metric.TOP500_LANDED:
        return Decimal(_top500_landed(projects, target.district, start, end))
    return Decimal(0)


def _top500_landed(projects: Any, district: Any, start: datetime.date, end: datetime.date) -> int:
    """Investors on one of the district's four top-500 lists whose project started (landed) in the year."""
    return len({investor for investor, _project in _top500_projects(projects, district, start, end)})


def _top500_projects(
    projects: Any, district: Any, start: datetime.date, end: datetime.date
) -> list[tuple[str, Any]]:
    from zhaoshang.assessment.forms import DEFAULT_TOP500_LISTS
    from zhaoshang.assessment.models import TOP500_LISTS

    chosen = district.settings.get("top500_lists") or DEFAULT_TOP500_LISTS
    names = {str(label) for code, label in TOP500_LISTS if code in chosen}
    landed = projects.filter(started_date__range=(start, end)).exclude(investor_top500=[])
    found = []
    for project in landed.order_by("started_date", "pk"):
        if any(entry.get("list") in names for entry in project.investor_top500 or []):
            found.append((project.investor_uscc or project.investor_name, project))
    return found


TARGET_ROWS = 200  # rows a target's page lists (largest first); its totals count them all


def target_records(user: Any, target: Target, end: datetime.date | None = None) -> dict[str, Any]:
    """The records behind a target's actual (the same rules as ``target_progress``): the projects; for money in
    place each project with its entries of the year summed (largest first); for top-500 firms each counted
    investor with its landed projects. At most TARGET_ROWS rows; ``count`` is how many there are."""
    year = target.year
    start = datetime.date(year, 1, 1)
    end = min(end or datetime.date(year, 12, 31), datetime.date(year, 12, 31))
    metric = target.metric
    projects = _scope(user, target).select_related("chain", "district")

    def listed(queryset: Any, *order: str) -> dict[str, Any]:
        return {
            "kind": "projects",
            "count": queryset.count(),
            "rows": list(queryset.order_by(*order)[:TARGET_ROWS]),
        }

    if metric in (Target.Metric.SIGNED_COUNT, Target.Metric.SIGNED_INVESTMENT):
        return listed(projects.filter(signed_date__range=(start, end)), "-total_investment", "pk")
    if metric == Target.Metric.STARTED_COUNT:
        started = StageMove.objects.filter(
            project__in=projects, verified_at__isnull=False, date__range=(start, end), to_stage="started"
        ).values("project")
        return listed(projects.filter(pk__in=started), "-total_investment", "pk")
    if metric == Target.Metric.PROVINCIAL_MAJOR:
        return listed(projects.filter(tier=Project.Tier.PROVINCIAL), "-total_investment", "pk")
    if metric == Target.Metric.MUNICIPAL_MAJOR:
        return listed(projects.filter(tier=Project.Tier.MUNICIPAL), "-total_investment", "pk")
    if metric in (Target.Metric.FUNDS_IN_PLACE, Target.Metric.FUNDS_OUTSIDE_PROVINCE):
        funds = FundsEntry.objects.filter(project__in=projects, date__range=(start, end))
        if metric == Target.Metric.FUNDS_OUTSIDE_PROVINCE:
            funds = funds.filter(origin="outside_province")
        by_project = (
            funds.values("project", "project__name")
            .annotate(total=Sum("amount"), entries=Count("pk"), last=Max("date"))
            .order_by("-total", "project")
        )
        return {"kind": "funds", "count": by_project.count(), "rows": list(by_project[:TARGET_ROWS])}
    if metric == Target.Metric.TOP500_LANDED:
        investors: dict[str, list[Any]] = {}
        for investor, project in _top500_projects(projects, target.district, start, end):
            investors.setdefault(investor, []).append(project)
        return {"kind": "investors", "count": len(investors), "rows": list(investors.items())[:TARGET_ROWS]}
    return {"kind": "custom", "count": 0, "rows": []}


def projects_by_stage(user: Any) -> dict[str, int]:
    return dict(
        Project.objects.restrict(user, "view").values_list("stage").annotate(n=Count("pk")).order_by()
    )

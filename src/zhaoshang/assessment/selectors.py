"""Assessment reads: the facts of each project from the database, the rates of DOMAIN.md §9 per chain team,
town, park and district, targets against actuals; a fixed number of queries whatever the number of projects."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhaoshang.analytics.rates.definitions import DEFINITIONS
from zhaoshang.analytics.rates.engine import (
    ASIDE_LABELS,
    RATE_NAMES,
    Period,
    ProjectFacts,
    Rate,
    RateDefinitions,
)
from zhaoshang.analytics.rates.groups import counts_by_groups, rates_by_group, rates_by_groups
from zhaoshang.assessment.facts import current_facts, facts_as_of, scope_versions
from zhaoshang.assessment.models import DEFAULT_TOP500_LISTS, TOP500_LISTS, Target
from zhaoshang.assessment.rollups import district_results, rollup
from zhaoshang.assessment.wholes import district_wholes
from zhaoshang.chains.models import Chain
from zhaoshang.core.models import District
from zhaoshang.core.scope import user_scope
from zhaoshang.projects.models import FundsEntry, Project, StageMove

# The labels of `analytics.rates.definitions` (the one table), as msgids the catalogue extracts.
RATE_LABELS = {
    "signing": _("签约率"),
    "landing": _("落地率"),
    "start": _("开工率"),
    "funds_in_place": _("资金到位率"),
    "completion": _("建成率"),
    "attainment": _("达效率"),
    "contribution": _("贡献率"),
    "investment_completion": _("投资完成率"),
}
assert tuple(RATE_LABELS) == RATE_NAMES
ASIDE = {"direct": _("直接签约（无洽谈记录）"), "pending": _("在谈未满期限")}
assert set(ASIDE) == set(ASIDE_LABELS)
COUNT_LABELS = {
    "signed_projects": _("签约项目数"),
    "signed_investment_wan": _("签约金额（万元）"),
    "increases": _("增资（只计金额）"),
    "started_projects": _("开工项目数"),
    "funds_in_place_wan": _("到位资金（万元）"),
}


def rate_definitions() -> list[dict[str, Any]]:
    """The table of definitions, in the reader's language (the Chinese texts are the msgids)."""
    return [
        {
            "key": d.key,
            "label": RATE_LABELS[d.key],
            "english": d.english,
            "numerator": gettext(d.numerator),
            "denominator": gettext(d.denominator),
            "definition": gettext(d.definition),
            "reading": gettext(d.reading),
            "bounded": d.bounded,
        }
        for d in DEFINITIONS
    ]


RATES_CACHE_SECONDS = 24 * 3600  # the facts versions decide; the timeout only bounds memory
GROUPS = {
    "district": _("区县"),
    "chain": _("产业链"),
    "town": _("镇办"),
    "park": _("园区"),
    "city": _("城市"),  # a province's roll-up
}


def definitions_for(district: Any | None) -> RateDefinitions:
    given = ((district.settings if district is not None else {}) or {}).get("rates") or {}
    known = {k: v for k, v in given.items() if k in RateDefinitions.__dataclass_fields__}
    return RateDefinitions(**known)


def assessed_projects(user: Any, district: Any | None = None, city: Any | None = None) -> Any:
    projects = Project.objects.restrict(user, "view").exclude(stage="reserve")
    if city is not None:
        projects = projects.filter(district__city=city)
    return projects.filter(district=district) if district is not None else projects


def scope_districts(user: Any, district: Any | None = None, city: Any | None = None) -> Any:
    """The districts whose projects `assessed_projects` holds: the user's project scope (`core.scope`)."""
    seen = user_scope(user, "view", Project)
    districts = District.objects.all()
    if not seen.all_districts:
        districts = districts.filter(pk__in=seen.district_ids)
    if city is not None:
        districts = districts.filter(city=city)
    return districts.filter(pk=district.pk) if district is not None else districts


ROLLED_UP = {"district", "city"}  # groups a roll-up adds up from per-district results (`assessment.rollups`)


def rate_table(
    user: Any,
    group: str,
    period: Period,
    district: Any | None = None,
    facts: list[ProjectFacts] | None = None,
    city: Any | None = None,
    *,
    members: bool = False,
) -> dict[str, dict[str, Rate]]:
    """Rates per group; pass `facts` to compute from them directly (no cache); ``members``: with the projects
    behind each figure (a drill-down), which a roll-up leaves out."""
    if facts is not None:
        return rates_by_group(facts, group, period, definitions_for(district))
    return rate_tables(user, (group,), period, district, city=city, members=members)[group]


def rate_tables(
    user: Any,
    groups: tuple[str, ...],
    period: Period,
    district: Any | None = None,
    *,
    city: Any | None = None,
    members: bool = False,
) -> dict[str, dict[str, dict[str, Rate]]]:
    """Several groupings of the same projects, from the cache while the districts' facts versions are the same
    (`facts`: one small query tells). Districts and cities across a scope of several districts are added up from
    per-district results (`rollup_tables`, no member lists unless ``members``), keyed by name here."""
    if district is None and set(groups) <= ROLLED_UP and not members:
        rolled = rollup_tables(user, period, city=city, groups=groups)
        return {g: {_label(unit, rolled[g]): rates for unit, rates, _c in rolled[g]} for g in groups}
    versions = scope_versions(scope_districts(user, district, city))
    definitions = definitions_for(district)
    # 贡献率's whole: the districts' 规上工业总产值 as entered (a few rows; in the key, so an entry shows at once).
    wholes = district_wholes(list(versions), definitions)
    if None in versions.values():  # a district without its version row (never expected): nothing kept
        return rates_by_groups(current_facts(versions), groups, period, definitions, wholes=wholes)
    base = f"{sorted(versions.items())}|{period}|{definitions}|{sorted(wholes.items())}"
    keys = {g: "assessment-rates:" + hashlib.sha256(f"{base}|{g}".encode()).hexdigest() for g in groups}
    found = cache.get_many(list(keys.values()))
    tables = {g: found[k] for g, k in keys.items() if k in found}
    missing = [g for g in groups if g not in tables]
    if missing:
        tables.update(rates_by_groups(current_facts(versions), missing, period, definitions, wholes=wholes))
        cache.set_many({keys[g]: tables[g] for g in missing}, RATES_CACHE_SECONDS)
    return tables


def _label(unit: Any, rows: list[tuple[Any, Any, Any]]) -> str:
    """A unit's name, with its city's when another unit of the roll-up has the same (two 市中区)."""
    same = sum(1 for other, _r, _c in rows if other.name == unit.name)
    city = getattr(unit, "city", None)
    return f"{unit.name}（{city.name}）" if same > 1 and city is not None else unit.name


def rollup_tables(
    user: Any, period: Period, *, city: Any | None = None, groups: tuple[str, ...] = ("district", "city")
) -> dict[str, list[tuple[Any, dict[str, Rate], dict[str, float]]]]:
    """The districts (and the cities) of the user's scope (in ``city``), each with its rates and counts, keyed by
    the District and City objects (sorted by name, then id): added up from per-district results kept under
    the districts' facts versions (`assessment.rollups`). Two queries and one cache round trip when nothing
    changed, whatever the number of projects."""
    districts = list(scope_districts(user, None, city).select_related("city", "facts_version").order_by("pk"))
    versions = {d.pk: getattr(getattr(d, "facts_version", None), "version", None) for d in districts}
    definitions = definitions_for(None)
    results = district_results(versions, period, definitions)
    wholes = district_wholes(list(versions), definitions, by_id=True)  # 贡献率's whole, per district id
    tables: dict[str, list[tuple[Any, dict[str, Rate], dict[str, float]]]] = {}
    if "district" in groups:
        units = [(d, [d.pk]) for d in sorted(districts, key=lambda d: (d.name, d.pk))]
        tables["district"] = rollup(units, results, period, definitions, wholes)
    if "city" in groups:
        cities: dict[int, tuple[Any, list[int]]] = {}
        for d in districts:
            cities.setdefault(d.city_id, (d.city, []))[1].append(d.pk)
        units = sorted(cities.values(), key=lambda c: (c[0].name, c[0].pk))
        tables["city"] = rollup(units, results, period, definitions, wholes)
    return tables


def count_tables(
    user: Any,
    groups: tuple[str, ...],
    period: Period,
    district: Any | None = None,
    *,
    city: Any | None = None,
) -> dict[str, dict[str, dict[str, float]]]:
    """What was done in the period per group (signed projects and money, increases, starts, funds), from the
    same verified facts as `rate_tables` (districts and cities added up per district)."""
    if district is None and set(groups) <= ROLLED_UP:
        rolled = rollup_tables(user, period, city=city, groups=groups)
        return {g: {_label(unit, rolled[g]): dict(counts) for unit, _r, counts in rolled[g]} for g in groups}
    versions = scope_versions(scope_districts(user, district, city))
    return counts_by_groups(current_facts(versions), groups, period)


def target_progress(
    user: Any,
    year: int,
    district: Any | None = None,
    *,
    end: datetime.date | None = None,
    city: Any | None = None,
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
    if city is not None:
        targets = targets.filter(district__city=city)
    start, end = (
        datetime.date(year, 1, 1),
        min(end or datetime.date(year, 12, 31), datetime.date(year, 12, 31)),
    )
    targets = list(targets)
    actuals = _actuals(user, targets, start, end)
    rows = [{"target": target, "actual": actuals[target.pk]} for target in targets]
    for row in rows:
        value = row["target"].value
        row["completion"] = float(row["actual"] / value) if value else None
    return rows


def target_actual(user: Any, target: Target, end: datetime.date | None = None) -> Decimal:
    """One target's actual from 1 January to ``end`` (default: the year's end)."""
    year_end = datetime.date(target.year, 12, 31)
    start = datetime.date(target.year, 1, 1)
    return _actuals(user, [target], start, min(end or year_end, year_end))[target.pk]


def _scope(user: Any, target: Target) -> Any:
    projects = Project.objects.restrict(user, "view").filter(district=target.district)
    if target.team_id:
        projects = projects.filter(Q(team=target.team) | Q(chain__team=target.team))
    if target.town_id:
        projects = projects.filter(town=target.town)
    if target.park_id:
        projects = projects.filter(park=target.park)
    return projects


PROJECT_METRICS = {
    Target.Metric.SIGNED_COUNT,
    Target.Metric.SIGNED_INVESTMENT,
    Target.Metric.STARTED_COUNT,
    Target.Metric.PROVINCIAL_MAJOR,
    Target.Metric.MUNICIPAL_MAJOR,
}
FUNDS_METRICS = {Target.Metric.FUNDS_IN_PLACE, Target.Metric.FUNDS_OUTSIDE_PROVINCE}
# Who a project counts for: its team or its chain's team, its town, its park (see `_scope`).
Grouping = tuple[int | None, int | None, int | None, int | None]


def _counts_for(target: Target, grouping: Grouping) -> bool:
    team, chain_team, town, park = grouping
    return (
        (target.team_id is None or target.team_id in (team, chain_team))
        and (target.town_id is None or target.town_id == town)
        and (target.park_id is None or target.park_id == park)
    )


def _actuals(
    user: Any, targets: list[Target], start: datetime.date, end: datetime.date
) -> dict[int, Decimal]:
    """Every target's actual from ``start`` to ``end``, as `_scope` and the metric define it, in a few grouped
    queries per district (one per kind of record) instead of a few per target: each query sums per team,
    chain team, town and park, and each target adds up the groups it covers."""
    result: dict[int, Decimal] = {}
    by_district: dict[int, list[Target]] = {}
    for target in targets:
        if target.metric == Target.Metric.CUSTOM:
            result[target.pk] = target.custom_actual or Decimal(0)
        else:
            by_district.setdefault(target.district_id, []).append(target)
    for group in by_district.values():
        district = group[0].district
        metrics = {target.metric for target in group}
        projects = Project.objects.restrict(user, "view").filter(district=district)
        sums: list[tuple[Grouping, dict[str, Any]]] = []
        if metrics & PROJECT_METRICS:
            # A capital increase adds its money to the signed investment, never a project to a count.
            signed = Q(signed_date__range=(start, end))
            one = Q(increase_of__isnull=True)
            started = StageMove.objects.filter(
                project=OuterRef("pk"),
                verified_at__isnull=False,
                date__range=(start, end),
                to_stage="started",
            )
            rows = (
                projects.order_by()
                .values("team", "chain__team", "town", "park")
                .annotate(
                    signed_count=Count("pk", filter=signed & one),
                    signed_investment=Sum("total_investment", filter=signed),
                    started_count=Count("pk", filter=Q(Exists(started)) & one),
                    provincial_major=Count("pk", filter=Q(tier=Project.Tier.PROVINCIAL) & one),
                    municipal_major=Count("pk", filter=Q(tier=Project.Tier.MUNICIPAL) & one),
                )
            )
            sums += [((r["team"], r["chain__team"], r["town"], r["park"]), r) for r in rows]
        if metrics & FUNDS_METRICS:
            rows = (
                FundsEntry.objects.filter(project__in=projects, date__range=(start, end))
                .order_by()
                .values("project__team", "project__chain__team", "project__town", "project__park")
                .annotate(
                    funds_in_place=Sum("amount"),
                    funds_outside_province=Sum("amount", filter=Q(origin="outside_province")),
                )
            )
            sums += [
                ((r["project__team"], r["project__chain__team"], r["project__town"], r["project__park"]), r)
                for r in rows
            ]
        landed: list[tuple[Grouping, str]] = []
        if Target.Metric.TOP500_LANDED in metrics:
            for investor, project in _top500_projects(projects.select_related("chain"), district, start, end):
                chain_team = project.chain.team_id if project.chain is not None else None
                landed.append(((project.team_id, chain_team, project.town_id, project.park_id), investor))
        for target in group:
            if target.metric == Target.Metric.TOP500_LANDED:
                found = {investor for grouping, investor in landed if _counts_for(target, grouping)}
                result[target.pk] = Decimal(len(found))
                continue
            total = Decimal(0)
            for grouping, row in sums:
                if target.metric in row and _counts_for(target, grouping):
                    total += Decimal(row[target.metric] or 0)
            result[target.pk] = total
    return result


def _top500_projects(
    projects: Any, district: Any, start: datetime.date, end: datetime.date
) -> list[tuple[str, Any]]:
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

    if metric == Target.Metric.SIGNED_INVESTMENT:
        return listed(projects.filter(signed_date__range=(start, end)), "-total_investment", "pk")
    one = projects.filter(increase_of__isnull=True)  # counts: a capital increase is not another project
    if metric == Target.Metric.SIGNED_COUNT:
        return listed(one.filter(signed_date__range=(start, end)), "-total_investment", "pk")
    if metric == Target.Metric.STARTED_COUNT:
        started = StageMove.objects.filter(
            project__in=projects, verified_at__isnull=False, date__range=(start, end), to_stage="started"
        ).values("project")
        return listed(one.filter(pk__in=started), "-total_investment", "pk")
    if metric == Target.Metric.PROVINCIAL_MAJOR:
        return listed(one.filter(tier=Project.Tier.PROVINCIAL), "-total_investment", "pk")
    if metric == Target.Metric.MUNICIPAL_MAJOR:
        return listed(one.filter(tier=Project.Tier.MUNICIPAL), "-total_investment", "pk")
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


def rates_report(
    user: Any,
    district: Any,
    period: Period,
    chain_code: str | None = None,
    as_of: datetime.datetime | None = None,
) -> dict[str, Any]:
    """The rates and counts of a district and of its chains (or of one chain) for a period: what `zhaoshang
    rates` prints, from the same tables as the rates page (`rate_tables`, `count_tables`), so the numbers are
    the page's. Values are fractions (0.5 = 50 %), None when the denominator is 0 ("—"). With ``as_of``, the
    figures as they were known at that moment, rebuilt from the audit history (`facts.facts_as_of`)."""
    chains = Chain.objects.filter(district=district, is_current=True)
    codes = dict(chains.values_list("name", "code"))
    name = None
    if chain_code is not None:
        name = chains.filter(code=chain_code).values_list("name", flat=True).first()
        if name is None:
            raise LookupError(chain_code)
    if as_of is None:
        rates = rate_tables(user, ("district", "chain"), period, district)
        counts = count_tables(user, ("district", "chain"), period, district)
    else:
        scope = District.objects.restrict(user, "view").filter(pk=district.pk)
        known = facts_as_of(scope, as_of)
        definitions = definitions_for(district)
        wholes = district_wholes(scope, definitions, as_of)
        rates = rates_by_groups(known, ("district", "chain"), period, definitions, wholes=wholes)
        counts = counts_by_groups(known, ("district", "chain"), period)
    texts = {d["key"]: d for d in rate_definitions()}
    groups: list[dict[str, Any]] = []

    def add(group: str, code: str, label: str) -> None:
        table = rates[group].get(label)
        groups.append(
            {
                "group": group,
                "code": code,
                "name": label,
                "rates": {
                    key: {
                        "label": str(RATE_LABELS[key]),
                        "value": table[key].value if table else None,
                        "numerator": table[key].numerator if table else 0.0,
                        "denominator": table[key].denominator if table else 0.0,
                        "set_aside": {reason: len(keys) for reason, keys in table[key].aside}
                        if table
                        else {},
                        # Why there is no figure although projects are there (贡献率: no whole entered).
                        "missing": gettext(table[key].missing) if table and table[key].missing else "",
                        "definition": texts[key]["definition"],
                    }
                    for key in RATE_LABELS
                },
                "counts": counts[group].get(label, dict.fromkeys(COUNT_LABELS, 0.0)),
            }
        )

    add("district", district.adcode, district.name)
    for label in sorted(rates["chain"]) if name is None else [name]:
        add("chain", codes.get(label, ""), label)
    report = {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "district": {"adcode": district.adcode, "name": district.name},
        "groups": groups,
    }
    if as_of is not None:
        report["as_of"] = as_of.isoformat()
    return report

"""Reads of the 发改 side: a project's panel, the year's figures (each with the records it counts), the months
waiting for review, and the projects whose books disagree."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.analytics.fagai import (
    class_disagrees,
    classify_year,
    completion_rate,
    rate_text,
    year_to_date,
)
from zhaoshang.core.scope import user_scope
from zhaoshang.projects.fagai_forms import CompletionReportForm
from zhaoshang.projects.models import (
    InvestmentCompletion,
    ListLevel,
    Project,
    ProjectListing,
    StageMove,
    YearClass,
)
from zhaoshang.projects.stages import STAGE_CODES
from zhaoshang.standards.money import format_wan

# 省市重大项目 on the 发改 side: the province's and the city's lists (a county's own list is not counted here).
MAJOR_LEVELS = [
    ListLevel.PROVINCIAL_MAJOR,
    ListLevel.PROVINCIAL_KEY,
    ListLevel.PROVINCIAL_PROGRAMME,
    ListLevel.MUNICIPAL_MAJOR,
    ListLevel.MUNICIPAL_KEY,
]
COMPLETED_STAGES = STAGE_CODES[STAGE_CODES.index("completed") :]
CLASS_FIGURES = ["new_start", "continuing", "completing", "preparing"]
FIGURES: dict[str, Any] = {
    "listed": gettext_lazy("省市重大项目"),
    "planned": gettext_lazy("年度计划投资"),
    "completed": gettext_lazy("1–N月完成投资"),
    "new_start": YearClass.NEW_START.label,
    "continuing": YearClass.CONTINUING.label,
    "completing": YearClass.COMPLETING.label,
    "preparing": YearClass.PREPARING.label,
}


def report_period(today: datetime.date | None = None) -> tuple[int, int]:
    """The year and the last month over (1–N月): in January, last year's twelve months."""
    today = today or timezone.localdate()
    if today.month == 1:
        return today.year - 1, 12
    return today.year, today.month - 1


def verified(completions: Any) -> Any:
    """The months that count: verified by someone other than their reporter."""
    return completions.filter(verified_at__isnull=False)


def completion_dates(project_ids: Any) -> dict[int, datetime.date]:
    """Each project's verified completion (竣工) date: its first verified move to 竣工 or beyond."""
    rows = (
        StageMove.objects.filter(
            project_id__in=project_ids, verified_at__isnull=False, to_stage__in=COMPLETED_STAGES
        )
        .values("project_id")
        .annotate(day=Min("date"))
        .order_by()
    )
    return {row["project_id"]: row["day"] for row in rows}


def year_plans(listings: Any) -> dict[int, Decimal | None]:
    """Each project's 年度计划投资 for the listings given (one year): the figure its lists carry (the largest when
    two lists differ; None when no list gives one)."""
    plans: dict[int, Decimal | None] = {}
    for project_id, amount in listings.values_list("project_id", "planned_investment"):
        current = plans.get(project_id)
        plans[project_id] = amount if current is None else max(current, amount or current)
    return plans


def project_fagai_context(project: Project, user: Any) -> dict[str, Any]:
    """The 发改 panel of the project page: code, nature, class, lists per year, the monthly ledger, 1–N月 and 完成率."""
    year, months = report_period()
    listings = list(project.listings.all())
    by_year: dict[int, list[ProjectListing]] = defaultdict(list)
    for listing in listings:
        by_year[listing.year].append(listing)
    ledger = list(project.completions.select_related("reported_by", "verified_by").order_by("-month"))
    counted = [(e.month, e.amount) for e in ledger if e.verified]
    done = year_to_date(counted, year, months)
    plan = year_plans(project.listings.filter(year=year)).get(project.pk)
    rate = completion_rate(done, plan)
    completed_on = completion_dates([project.pk]).get(project.pk)
    year_class = classify_year(year, project.started_date, completed_on)
    return {
        "fagai": {
            "year": year,
            "months": months,
            "listing_years": sorted(by_year.items(), reverse=True),
            "ledger": ledger,
            "pending": [e for e in ledger if not e.verified],
            "done": done,
            "plan": plan,
            "rate": rate_text(rate),
            "year_class": dict(YearClass.choices).get(year_class or "", ""),
            "can_report": user_scope(user, "change").allows(project.district_id)
            and project.status != Project.Status.TERMINATED,
            "can_list": user_scope(user, "add").allows(project.district_id),
            "form": CompletionReportForm(
                initial={"month": datetime.date(year, months, 1)}, auto_id="completion_%s"
            ),
        }
    }


# -- the year's figures ---------------------------------------------------------------------------------------


def listed_projects(user: Any, year: int, district: Any = None) -> Any:
    """The year's 省市重大项目: on a provincial or municipal list of the year, not terminated."""
    projects = Project.objects.restrict(user, "view").exclude(status=Project.Status.TERMINATED)
    if district is not None:
        projects = projects.filter(district=district)
    on_list = ProjectListing.objects.filter(year=year, level__in=MAJOR_LEVELS).values("project_id")
    return projects.filter(pk__in=on_list)


def year_classes(projects: Any, year: int) -> dict[int, str | None]:
    """Each project's 新开工/续建/竣工/准备 class for the year, from its verified start and completion dates."""
    rows = list(projects.values_list("pk", "started_date"))
    completed = completion_dates([pk for pk, _started in rows])
    return {pk: classify_year(year, started, completed.get(pk)) for pk, started in rows}


def counted_completions(user: Any, year: int, months: int, projects: Any) -> Any:
    """The verified months 1..N of the year of these projects: what 1–N月完成投资 adds up."""
    return verified(
        InvestmentCompletion.objects.restrict(user, "view").filter(
            project__in=projects,
            month__gte=datetime.date(year, 1, 1),
            month__lte=datetime.date(year, months, 1),
        )
    )


def fagai_figures(user: Any, year: int, district: Any = None, months: int | None = None) -> dict[str, Any]:
    """The dashboard's 发改 card for the year: 省市重大项目, 年度计划投资, 1–N月完成投资, 投资完成率 and the classes."""
    if months is None:
        current, last = report_period()
        months = last if year == current else (12 if year < current else 0)
    projects = listed_projects(user, year, district)
    plans = year_plans(ProjectListing.objects.filter(project__in=projects, year=year, level__in=MAJOR_LEVELS))
    planned = sum((amount for amount in plans.values() if amount is not None), Decimal(0))
    done = (
        counted_completions(user, year, months, projects).aggregate(total=Sum("amount"))["total"]
        if months
        else None
    ) or Decimal(0)
    classes = year_classes(projects, year)
    counts = {code: sum(1 for c in classes.values() if c == code) for code in CLASS_FIGURES}
    return {
        "year": year,
        "months": months,
        "district": district,
        "listed": len(classes),
        "planned": planned,
        "completed": done,
        "rate": rate_text(completion_rate(done, planned if plans else None)),
        "classes": [(code, FIGURES[code], counts[code]) for code in CLASS_FIGURES],
    }


def figure_records(user: Any, figure: str, year: int, months: int, district: Any = None) -> dict[str, Any]:
    """The records behind one figure of `fagai_figures`: the projects counted, or the months added up."""
    projects = listed_projects(user, year, district).select_related("district")
    if figure == "completed":
        if not months:
            return {"completions": []}  # no month of the year is over yet
        rows = counted_completions(user, year, months, projects).select_related(
            "project", "project__district", "reported_by", "verified_by"
        )
        return {"completions": list(rows.order_by("project__district__adcode", "project__name", "month"))}
    if figure in CLASS_FIGURES:
        classes = year_classes(projects, year)
        projects = projects.filter(pk__in=[pk for pk, code in classes.items() if code == figure])
    plans = year_plans(ProjectListing.objects.filter(project__in=projects, year=year, level__in=MAJOR_LEVELS))
    if figure == "planned":
        projects = projects.filter(pk__in=[pk for pk, amount in plans.items() if amount is not None])
    rows = [{"project": p, "plan": plans.get(p.pk)} for p in projects.order_by("district__adcode", "name")]
    return {"projects": rows}


def pending_completions(user: Any) -> Any:
    """The months waiting for this reviewer (in the districts they may verify)."""
    return (
        InvestmentCompletion.objects.restrict(user, "verify")
        .filter(verified_at__isnull=True)
        .select_related("project", "project__district", "reported_by")
        .order_by("project__district__adcode", "project__name", "month")
    )


# -- one identity across books: where they disagree -----------------------------------------------------------

CONFLICTS: dict[str, Any] = {
    "duplicate_code": gettext_lazy("同一项目代码用在多个项目上"),
    "code_area": gettext_lazy("项目代码的区划不在项目所在城市"),
    "plan_above_total": gettext_lazy("年度计划投资超过总投资"),
    "completions_above_total": gettext_lazy("累计完成投资超过总投资"),
    "listed_after_completion": gettext_lazy("竣工后仍列入以后年度名单"),
    "listed_terminated": gettext_lazy("已终止项目仍在本年度或以后的名单上"),
    "class_contradicts": gettext_lazy("名单的年度类别与核实的开竣工日期不符"),
    "preparing_but_started": gettext_lazy("标为准备类但已核实开工"),
}


def _code_key(code: str) -> str:
    return "".join(code.split()).replace("—", "-").replace("－", "-").replace("–", "-")


def fagai_conflicts(user: Any, today: datetime.date | None = None) -> dict[str, Any]:
    """Projects whose 招商 ledger and 发改 records disagree, by kind: the rows and the count of each kind."""
    today = today or timezone.localdate()
    projects = Project.objects.restrict(user, "view").select_related("district")
    found: dict[str, list[dict[str, Any]]] = {kind: [] for kind in CONFLICTS}

    coded = list(projects.exclude(project_code=""))
    by_code: dict[str, list[Project]] = defaultdict(list)
    for p in coded:  # written with other dashes or spaces, one code is stored as two
        by_code[_code_key(p.project_code)].append(p)
    for twins in by_code.values():
        if len(twins) > 1:
            for p in twins:
                others = "、".join(t.name for t in twins if t.pk != p.pk)
                found["duplicate_code"].append(
                    {"project": p, "detail": _("同代码:%(others)s") % {"others": others}}
                )

    for p in coded:
        area = p.project_code.split("-")[1] if p.project_code.count("-") >= 4 else ""
        city = p.district.adcode[:4]
        if area and not (area.startswith(city) or area[2:] == "0000"):
            found["code_area"].append({"project": p, "detail": _("代码区划 %(area)s") % {"area": area}})

    listings = ProjectListing.objects.filter(project__in=projects).select_related(
        "project", "project__district"
    )
    listings = list(listings.order_by("project__district__adcode", "project__name", "year", "level"))
    completed = completion_dates({item.project_id for item in listings})
    for item in listings:
        p = item.project
        label = f"{item.year} {item.get_level_display()}"
        if item.planned_investment is not None and p.total_investment is not None:
            if item.planned_investment > p.total_investment:
                found["plan_above_total"].append(
                    {
                        "project": p,
                        "detail": _("%(label)s:计划 %(plan)s,总投资 %(total)s")
                        % {
                            "label": label,
                            "plan": format_wan(item.planned_investment),
                            "total": format_wan(p.total_investment),
                        },
                    }
                )
        done_on = completed.get(p.pk)
        if done_on is not None and item.year > done_on.year:
            found["listed_after_completion"].append(
                {"project": p, "detail": _("%(label)s;竣工于 %(day)s") % {"label": label, "day": done_on}}
            )
        if p.status == Project.Status.TERMINATED and item.year >= today.year:
            found["listed_terminated"].append({"project": p, "detail": label})
        # The table's class for the year (read on import, or entered) against the verified dates; a class the
        # year may still bring (新开工 not yet started, 竣工 not yet completed) waits until the year is over.
        if item.year_class and class_disagrees(item.year, item.year_class, p.started_date, done_on, today):
            actual = classify_year(item.year, p.started_date, done_on)
            if actual is not None:
                found["class_contradicts"].append(
                    {
                        "project": p,
                        "detail": _("%(label)s 列为%(listed)s,按核实日期为%(actual)s")
                        % {
                            "label": label,
                            "listed": item.get_year_class_display(),
                            "actual": YearClass(actual).label,
                        },
                    }
                )

    totals = (
        verified(InvestmentCompletion.objects.filter(project__in=projects))
        .values("project_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    sums = {row["project_id"]: row["total"] for row in totals}
    for p in projects.filter(pk__in=list(sums), total_investment__isnull=False):
        if sums[p.pk] > p.total_investment:
            found["completions_above_total"].append(
                {
                    "project": p,
                    "detail": _("累计 %(done)s,总投资 %(total)s")
                    % {"done": format_wan(sums[p.pk]), "total": format_wan(p.total_investment)},
                }
            )
    for p in projects.filter(
        implementation_class=Project.ImplementationClass.PREPARING, started_date__isnull=False
    ):
        found["preparing_but_started"].append(
            {"project": p, "detail": _("开工于 %(day)s") % {"day": p.started_date}}
        )

    kinds = [
        {"kind": kind, "label": CONFLICTS[kind], "rows": rows, "count": len(rows)}
        for kind, rows in found.items()
    ]
    return {"kinds": kinds, "total": sum(k["count"] for k in kinds)}


# -- the dispatch report's line -------------------------------------------------------------------------------


def month_completions(user: Any, projects: Any, period_end: datetime.date) -> dict[str, Any]:
    """The dispatch report's 完成投资 lines: for the last month over by the period's end, each project's verified
    figure of that month (where it has one), its 1–N月 and its 投资完成率 against the year's plan."""
    year, months = report_period(period_end + datetime.timedelta(days=1))
    month = datetime.date(year, months, 1)
    counted = verified(InvestmentCompletion.objects.restrict(user, "view")).filter(
        project__in=projects, month__gte=datetime.date(year, 1, 1), month__lte=month
    )
    amounts: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
    for project_id, day, amount in counted.values_list("project_id", "month", "amount"):
        amounts[project_id].append((day, amount))
    this_month = {pid: dict(rows).get(month) for pid, rows in amounts.items()}
    with_figure = [pid for pid, amount in this_month.items() if amount is not None]
    plans = year_plans(ProjectListing.objects.filter(project_id__in=with_figure, year=year))
    names = dict(Project.objects.filter(pk__in=with_figure).values_list("pk", "name"))
    lines = []
    for pid in sorted(with_figure, key=lambda p: names[p]):
        done = year_to_date(amounts[pid], year, months)
        lines.append(
            {
                "project_id": pid,
                "project": names[pid],
                "amount_wan": format_wan(this_month[pid], unit="万元").removesuffix(" 万元"),
                "ytd_wan": format_wan(done, unit="万元").removesuffix(" 万元"),
                "plan_wan": format_wan(plans.get(pid), unit="万元").removesuffix(" 万元"),
                "rate": rate_text(completion_rate(done, plans.get(pid))),
            }
        )
    return {"year": year, "month": months, "lines": lines}

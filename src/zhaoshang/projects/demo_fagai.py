"""The 发改 side of the demo's major projects: a 项目代码 each, the province's or the city's list for last year and
this year with a planned investment, and verified monthly 完成投资 up to last month (relative to today), so that
the dashboards' 投资完成率, the dispatch report's 完成投资 lines and the project pages have figures. Invented."""

from __future__ import annotations

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from zhaoshang.analytics.fagai import classify_year
from zhaoshang.core.audit import acting_as
from zhaoshang.projects.fagai_selectors import completion_dates, report_period
from zhaoshang.projects.models import InvestmentCompletion, ListLevel, Project, ProjectListing

SEED = 14_05
SERIAL_BASE = 580_000  # the demo's serial numbers, out of the way of any typed in tests


def _round(amount: Decimal, step: int) -> Decimal:
    return (amount / step).quantize(Decimal(1), ROUND_HALF_UP) * step


def _industry(project: Project) -> str:
    digits = "".join(ch for ch in (project.industry_code or "") if ch.isdigit())
    return digits[:2] if len(digits) >= 2 else "26"


def fagai_demo(majors: list[Project], users: dict[str, Any], today: datetime.date | None = None) -> None:
    """Codes, listings of last and this year, and monthly completions reported by the chain chief and verified by
    the district's admin (someone else, as the rule wants)."""
    rng = random.Random(SEED)
    today = today or timezone.localdate()
    year, months = report_period(today)
    years = [year - 1, year]
    reporter, verifier = users["linzi_chief"], users["linzi_admin"]
    completed = completion_dates([p.pk for p in majors])
    listings, entries = [], []
    now = timezone.now()
    with acting_as(reporter, "demo"):
        for index, project in enumerate(majors):
            project.refresh_from_db()
            signed = project.signed_date or datetime.date(year - 1, 6, 1)
            project.project_code = f"{signed.year}-370305-{_industry(project)}-03-{SERIAL_BASE + index:06d}"
            project.project_unit = project.project_unit or project.investor_name
            project.implementation_class = (
                Project.ImplementationClass.IMPLEMENTING
                if project.started_date
                else Project.ImplementationClass.PREPARING
            )
            project.save()
            level = (
                ListLevel.PROVINCIAL_MAJOR
                if project.tier == Project.Tier.PROVINCIAL
                else ListLevel.MUNICIPAL_MAJOR
            )
            if project.status == Project.Status.TERMINATED:
                continue  # dropped: off the lists
            total = Decimal(project.total_investment or 0)
            plans: dict[int, Decimal] = {}
            for listed_year in years:
                year_class = classify_year(listed_year, project.started_date, completed.get(project.pk))
                if year_class is None:
                    continue  # completed before the year: not on its list
                share = rng.uniform(0.02, 0.05) if year_class == "preparing" else rng.uniform(0.12, 0.3)
                plan = _round(total * Decimal(share), 100)  # a project being prepared spends little
                plans[listed_year] = plan
                listings.append(
                    ProjectListing(
                        project=project,
                        year=listed_year,
                        level=level,
                        year_class=year_class,
                        planned_investment=plan,
                        wording=f"{level.label}({listed_year}年)",
                    )
                )
            started = project.started_date
            if started is None:
                continue
            for listed_year, plan in plans.items():
                last = 12 if listed_year < year else months
                first = started.month if started.year == listed_year else 1
                if started.year > listed_year:
                    continue
                for month in range(first, last + 1):
                    day = datetime.date(listed_year, month, 1)
                    if completed.get(project.pk) is not None and day > completed[project.pk]:
                        break  # nothing is built after completion
                    # The plan spread over the months it is built in, as a district's monthly reports run.
                    amount = _round(plan / (13 - first) * Decimal(rng.uniform(0.75, 1.2)), 10)
                    entries.append(
                        InvestmentCompletion(
                            project=project,
                            month=day,
                            amount=amount,
                            reported_by=reporter,
                            verified_by=verifier,
                            verified_at=now,
                        )
                    )
        # With their history rows: a figure published from them can be rebuilt later (assessment.facts_as_of).
        bulk_create_with_history(
            listings, ProjectListing, default_user=reporter, default_change_reason="demo"
        )
        bulk_create_with_history(
            entries, InvestmentCompletion, default_user=reporter, default_change_reason="demo"
        )

"""The demo's assessment: the seed's targets, a year of monthly scores, and today's output forecast of each
district, so that the leaders' dashboard shows them from the start."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from zhaoshang.assessment.forecasting import ForecastNotConfigured, forecast_request
from zhaoshang.assessment.models import IndustrialOutputTotal, Target
from zhaoshang.assessment.scoring import scores_compute
from zhaoshang.chains.models import Chain
from zhaoshang.core.audit import acting_as
from zhaoshang.core.demo import demo_step
from zhaoshang.core.management.commands._actor import command_actor
from zhaoshang.core.models import District


@demo_step(99, "考核目标、产值基数与月度评分")
def targets_and_scores(state: dict[str, Any]) -> None:
    """The seed's targets for the year, the output baseline for the forecast, and a year of monthly scores."""
    users = state["users"]
    linzi = District.objects.get(adcode="370305")
    admin = users["linzi_admin"]
    months = demo_months(datetime.date.today())
    years = sorted({m.year for m in months})
    with acting_as(admin, "demo"):
        for year in years:
            for metric, value in (
                ("funds_outside_province", 1_050_000), ("top500_landed", 10), ("provincial_major", 6),
                ("signed_count", 40), ("started_count", 25),
            ):  # fmt: skip
                Target.objects.create(district=linzi, year=year, metric=metric, value=Decimal(value))
            for chain in Chain.objects.filter(district=linzi, is_current=True, team__isnull=False)[:6]:
                Target.objects.create(
                    district=linzi, year=year, metric="signed_count", value=Decimal(4), team=chain.team
                )
        # Industrial output without the listed projects (万元): 2,600 亿 growing 2 % a year; the target is the
        # seed's 5,000 亿 within three years.
        this_year = years[-1]
        linzi.settings = {
            **linzi.settings,
            "forecast": {
                "baseline": {str(this_year + i): round(26_000_000 * 1.02**i) for i in range(4)},
                "target": 50_000_000,
                "target_year": this_year + 3,
            },
        }
        linzi.save()
    huantai = District.objects.get(adcode="370321")
    with acting_as(users["huantai_admin"], "demo"):
        for year in years:
            Target.objects.create(
                district=huantai, year=year, metric="funds_outside_province", value=Decimal(700_000)
            )
    output_totals(users, years[-1])
    # The rankings of the last twelve months, this one included, as the monthly snapshot job leaves them.
    for month in months:
        scores_compute(month=month, user=users["city_admin"])


# 全区规上工业总产值 of the years the statistics office has published (万元): Linzi ≈ 2,500 亿 (a petrochemical
# base, ~4 % a year), Huantai ≈ 1,050 亿 (~5 %); 税收 ≈ 3.5 % and 3 % of it. The current year is not published
# yet, so its 贡献率 reads "—" (未录入) until someone enters it.
OUTPUT_TOTALS = {"370305": (25_000_000, 0.04, 0.035), "370321": (10_500_000, 0.05, 0.03)}


def output_totals(users: dict[str, Any], this_year: int) -> None:
    for adcode, (last_year, growth, tax_share) in OUTPUT_TOTALS.items():
        district = District.objects.get(adcode=adcode)
        who = users["linzi_admin" if adcode == "370305" else "huantai_admin"]
        with acting_as(who, "demo"):
            for back in range(1, 7):
                output = round(last_year / (1 + growth) ** (back - 1))
                IndustrialOutputTotal.objects.create(
                    district=district,
                    year=this_year - back,
                    output=Decimal(output),
                    tax=Decimal(round(output * tax_share)),
                    source="区统计局统计年报(演示数据)",
                )


def demo_months(today: datetime.date, count: int = 12) -> list[datetime.date]:
    """The first days of the ``count`` months up to and including today's, oldest first."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


@demo_step(100, "产值预测")
def forecasts(state: dict[str, Any]) -> None:
    # As the nightly `zhaoshang forecast` would: the city-wide command actor, not a person's job list.
    user = command_actor(None)
    for district in District.objects.order_by("adcode"):
        try:
            forecast_request(district, user, background=False)
        except ForecastNotConfigured:
            continue

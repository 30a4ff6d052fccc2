"""The demo's assessment: the seed's targets, a year of monthly scores, and today's output forecast of each
district, so that the leaders' dashboard shows them from the start."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from zhaoshang.assessment.forecasting import ForecastNotConfigured, forecast_request
from zhaoshang.assessment.models import Target
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
    with acting_as(admin, "demo"):
        for metric, value in (
            ("funds_outside_province", 1_050_000), ("top500_landed", 10), ("provincial_major", 6),
            ("signed_count", 40), ("started_count", 25),
        ):  # fmt: skip
            Target.objects.create(district=linzi, year=2026, metric=metric, value=Decimal(value))
        for chain in Chain.objects.filter(district=linzi, is_current=True, team__isnull=False)[:6]:
            Target.objects.create(
                district=linzi, year=2026, metric="signed_count", value=Decimal(4), team=chain.team
            )
        # Industrial output without the listed projects (万元): 2,600 亿 growing 2 % a year; the target is the
        # seed's 5,000 亿 within three years.
        linzi.settings = {
            **linzi.settings,
            "forecast": {
                "baseline": {str(2026 + i): round(26_000_000 * 1.02**i) for i in range(4)},
                "target": 50_000_000,
                "target_year": 2029,
            },
        }
        linzi.save()
    huantai = District.objects.get(adcode="370321")
    with acting_as(users["huantai_admin"], "demo"):
        Target.objects.create(
            district=huantai, year=2026, metric="funds_outside_province", value=Decimal(700_000)
        )
    for month in range(1, 12):
        scores_compute(month=datetime.date(2026, month, 1), user=users["city_admin"])


@demo_step(100, "产值预测")
def forecasts(state: dict[str, Any]) -> None:
    # As the nightly `zhaoshang forecast` would: the city-wide command actor, not a person's job list.
    user = command_actor(None)
    for district in District.objects.order_by("adcode"):
        try:
            forecast_request(district, user, background=False)
        except ForecastNotConfigured:
            continue

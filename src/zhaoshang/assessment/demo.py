"""Today's output forecast of each demo district, so that the leaders' dashboard shows it from the start."""

from __future__ import annotations

from typing import Any

from zhaoshang.assessment.forecasting import ForecastNotConfigured, forecast_request
from zhaoshang.core.demo import demo_step
from zhaoshang.core.management.commands._actor import command_actor
from zhaoshang.core.models import District


@demo_step(99, "产值预测")
def forecasts(state: dict[str, Any]) -> None:
    # As the nightly `zhaoshang forecast` would: the city-wide command actor, not a person's job list.
    user = command_actor(None)
    for district in District.objects.order_by("adcode"):
        try:
            forecast_request(district, user, background=False)
        except ForecastNotConfigured:
            continue

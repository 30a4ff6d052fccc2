"""`zhaoshang forecast`: today's forecast of the configured districts, stored for the dashboard."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from zhaoshang.assessment.forecasting import FORECAST_JOB, latest_forecast
from zhaoshang.core.models import Job


def test_forecast_command_stores_the_forecast_of_every_configured_district(org: Any) -> None:
    Job.objects.filter(kind=FORECAST_JOB).delete()
    out = io.StringIO()
    call_command("forecast", "--format", "json", stdout=out)
    payload = json.loads(out.getvalue())
    assert [row["district"] for row in payload] == ["370305"]  # Huantai has no baseline
    linzi = payload[0]
    assert 0 <= linzi["probability"] <= 1 and linzi["target"]["by_year"] == 2029
    stored = latest_forecast(org["linzi_district"])
    assert stored is not None and stored.result["probability"] == linzi["probability"]
    again = io.StringIO()
    call_command("forecast", "--district", "370305", stdout=again)
    assert "概率" in again.getvalue()
    assert Job.objects.filter(kind=FORECAST_JOB).count() == 1  # same data, same day: not computed twice


def test_forecast_command_refuses_what_it_cannot_do(org: Any) -> None:
    with pytest.raises(CommandError, match="没有设置产值预测的基数"):
        call_command("forecast", "--district", "370321")
    with pytest.raises(CommandError, match="不在权限范围内"):
        call_command("forecast", "--district", "370305", "--as", "huantai_admin")

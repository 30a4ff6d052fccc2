"""How the generic page/API/export checks build and edit this app's models (see zhaoshang.core.testing)."""

from __future__ import annotations

from decimal import Decimal

from zhaoshang.assessment.models import Target
from zhaoshang.core.testing import ModelSpec

SPECS = {
    "goal": ModelSpec(
        "goal",
        build=lambda d: Target.objects.create(
            district=d, year=2026, metric="custom", custom_name="测试指标甲", value=Decimal(10)
        ),
        form_data=lambda d: {
            "district": d.pk,
            "year": 2026,
            "metric": "custom",
            "custom_name": "测试指标乙",
            "value": "12",
        },
        changes={"note": "按季度考核"},
        api_changes={"note": "按月考核"},
        lookup=lambda data: {"custom_name": data["custom_name"]},
        marker=lambda target: target.custom_name,
    ),
}

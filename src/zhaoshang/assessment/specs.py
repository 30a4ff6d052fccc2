"""How the generic page/API/export checks build and edit this app's models (see zhaoshang.core.testing)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from zhaoshang.assessment.models import IndustrialOutputTotal, RecordFinding, Target
from zhaoshang.core.testing import ModelSpec
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import Project

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
    "finding": ModelSpec(
        "finding",
        build=lambda d: RecordFinding.objects.create(
            district=d,
            project=_project(d, "核查项目甲"),
            kind="funds",
            found_on=datetime.date(2026, 9, 1),
            found_by="市委督查室",
            description="到位资金凭证与银行流水不符",
        ),
        form_data=lambda d: {
            "district": d.pk,
            "project": _project(d, "核查项目乙").pk,
            "kind": "stage",
            "found_on": "2026-10-12",
            "found_by": "市委督查室",
            "description": "开工照片为其他项目",
        },
        changes={"found_by": "市纪委监委"},
        api_changes={"found_by": "市审计局"},
        lookup=lambda data: {"description": data["description"]},
        marker=lambda finding: finding.project.name,
    ),
    "output_total": ModelSpec(
        "output_total",
        build=lambda d: IndustrialOutputTotal.objects.create(
            district=d, year=2001, output=Decimal("1200000"), source="测试统计年报甲"
        ),
        form_data=lambda d: {"district": d.pk, "year": 2002, "output": "1300000", "source": "测试统计年报乙"},
        changes={"source": "测试统计年报丙"},
        api_changes={"source": "测试统计年报丁"},
        lookup=lambda data: {"source": data["source"]},
        marker=lambda total: total.source,  # Chinese: a URL echoing the search carries it encoded
    ),
}


def _project(district: Any, name: str) -> Any:
    return Project.objects.filter(district=district, name=name).first() or ProjectFactory(
        district=district, name=name, stage="started"
    )

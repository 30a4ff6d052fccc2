"""How the generic page/API/export checks build and edit this app's models (see zhaoshang.core.testing)."""

from __future__ import annotations

from zhaoshang.core.testing import ModelSpec
from zhaoshang.projects.factories import FundsEntryFactory, ProjectFactory
from zhaoshang.projects.models import ProjectOutput

SPECS = {
    "output": ModelSpec(
        "output",
        build=lambda d: ProjectOutput.objects.create(
            project=ProjectFactory(district=d, name="产值项目甲"), year=2025
        ),
        form_data=lambda d: {
            "project": ProjectFactory(district=d, name="产值项目乙").pk,
            "year": 2025,
            "output": "5000",
            "tax": "300",
        },
        changes={"tax": "320"},
        api_changes={"year": 2024},
        lookup=lambda data: {"project_id": data["project"]},
        marker=lambda row: row.project.name,
    ),
    "project": ModelSpec(
        "project",
        build=lambda d: ProjectFactory(district=d, name="测试项目甲"),
        form_data=lambda d: {
            "district": d.pk,
            "name": "测试项目乙",
            "stage": "lead",
            "tier": "general",
            "total_investment": "50000",
        },
        changes={"content": "年产 10 万吨"},
        api_changes={"content": "年产 20 万吨"},
    ),
    "funds": ModelSpec(
        "funds",
        build=lambda d: FundsEntryFactory(project=ProjectFactory(district=d, name="资金项目甲"), amount=1234),
        form_data=lambda d: {
            "project": ProjectFactory(district=d, name="资金项目乙").pk,
            "date": "2026-10-01",
            "amount": "2500",
            "origin": "outside_province",
            "kind": "fixed",
            "evidence_note": "银行回单乙",
        },
        changes={"evidence_note": "银行回单丙"},
        api_changes={"evidence_note": "银行回单丁"},
        lookup=lambda data: {"evidence_note": data["evidence_note"]},
        marker=lambda entry: entry.project.name,
    ),
}

from zhaoshang.projects.delivery.specs import SPECS as DELIVERY_SPECS  # noqa: E402

SPECS.update(DELIVERY_SPECS)

from zhaoshang.projects.fagai_specs import SPECS as FAGAI_SPECS  # noqa: E402

SPECS.update(FAGAI_SPECS)

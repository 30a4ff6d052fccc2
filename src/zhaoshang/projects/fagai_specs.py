"""How the generic page/API/export checks build and edit the 发改 records (see zhaoshang.core.testing)."""

from __future__ import annotations

import datetime

from zhaoshang.core.testing import ModelSpec
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import InvestmentCompletion, ProjectListing

SPECS = {
    "listing": ModelSpec(
        "listing",
        build=lambda d: ProjectListing.objects.create(
            project=ProjectFactory(district=d, name="名单项目甲", total_investment=90000),
            year=2026,
            level="municipal_major",
            planned_investment=5000,
        ),
        form_data=lambda d: {
            "project": ProjectFactory(district=d, name="名单项目乙", total_investment=90000).pk,
            "year": 2025,
            "level": "provincial_major",
            "year_class": "continuing",
            "planned_investment": "3000",
            "wording": "省重大项目(2025年)乙",
        },
        changes={"planned_investment": "3200"},
        api_changes={"wording": "省重大项目(2025年)丙"},
        lookup=lambda data: {"wording": data["wording"]},
        marker=lambda row: row.project.name,
    ),
    "completion": ModelSpec(
        "completion",
        build=lambda d: InvestmentCompletion.objects.create(
            project=ProjectFactory(district=d, name="完成投资项目甲"),
            month=datetime.date(2026, 10, 1),
            amount=1200,
        ),
        form_data=lambda d: {
            "project": ProjectFactory(district=d, name="完成投资项目乙").pk,
            "month": "2026-09",
            "amount": "800",
            "note": "月报乙",
        },
        changes={"amount": "850"},
        api_changes={"note": "月报丁"},
        lookup=lambda data: {"note": data["note"]},
        marker=lambda row: row.project.name,
    ),
}

"""How the generic page/API/export checks build and edit this app's models (see zhaoshang.core.testing)."""

from __future__ import annotations

from zhaoshang.core.factories import DepartmentFactory, ParkFactory, TeamFactory, TownFactory
from zhaoshang.core.testing import ModelSpec

SPECS = {
    "town": ModelSpec(
        "town",
        build=lambda d: TownFactory(district=d, name="测试镇甲"),
        form_data=lambda d: {"district": d.pk, "name": "测试镇乙", "kind": "town"},
        changes={"name": "测试镇丙"},
    ),
    "park": ModelSpec(
        "park",
        build=lambda d: ParkFactory(district=d, name="测试园区甲"),
        form_data=lambda d: {
            "district": d.pk,
            "name": "测试园区乙",
            "kind": "industrial",
            "area_mu": "120.5",
        },
        changes={"name": "测试园区丙", "is_chemical_park": "on"},
    ),
    "department": ModelSpec(
        "department",
        build=lambda d: DepartmentFactory(district=d, name="测试部门甲"),
        form_data=lambda d: {"district": d.pk, "name": "测试部门乙"},
        changes={"contact": "张三"},
    ),
    "team": ModelSpec(
        "team",
        build=lambda d: TeamFactory(district=d, name="测试专班甲"),
        form_data=lambda d: {"district": d.pk, "name": "测试专班乙", "kind": "chain"},
        changes={"research_institution": "某研究院"},
    ),
}

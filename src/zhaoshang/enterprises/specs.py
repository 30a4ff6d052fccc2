"""How the generic page/API/export checks build and edit this app's models (see zhaoshang.core.testing)."""

from __future__ import annotations

from zhaoshang.core.testing import ModelSpec
from zhaoshang.enterprises.factories import (
    ContactLogFactory,
    EnterpriseFactory,
    TargetEntryFactory,
    make_uscc,
)

SPECS = {
    "enterprise": ModelSpec(
        "enterprise",
        build=lambda d: EnterpriseFactory(district=d, name="测试企业甲有限公司"),
        form_data=lambda d: {
            "district": d.pk,
            "uscc": make_uscc(424242),
            "name": "测试企业乙有限公司",
            "industry_code": "3491",
            "crs": "wgs84",
            "status": "existing",
            "tags": "专精特新",
        },
        changes={"insured_employees": "120"},
        api_changes={"insured_employees": 130},
    ),
    "target": ModelSpec(
        "target",
        build=lambda d: TargetEntryFactory(
            district=d, enterprise=EnterpriseFactory(district=d, name="目标甲有限公司")
        ),
        form_data=lambda d: {
            "district": d.pk,
            "enterprise": EnterpriseFactory(district=d, name="目标乙有限公司").pk,
            "status": "identified",
        },
        changes={"next_action": "约见董事长"},
        api_changes={"next_action": "回访"},
        lookup=lambda data: {"enterprise_id": data["enterprise"]},
        marker=lambda entry: entry.enterprise.name,
    ),
    "contact": ModelSpec(
        "contact",
        build=lambda d: ContactLogFactory(
            entry=TargetEntryFactory(
                district=d, enterprise=EnterpriseFactory(district=d, name="联系甲有限公司")
            ),
            participants="联系人甲",
        ),
        form_data=lambda d: {
            "entry": TargetEntryFactory(district=d).pk,
            "date": "2026-11-20",
            "kind": "visit",
            "summary": "拜访",
            "participants": "联系人乙",
        },
        changes={"next_step": "寄送资料"},
        api_changes={"next_step": "寄样"},
        lookup=lambda data: {"participants": data["participants"]},
        marker=lambda log: log.entry.enterprise.name,
    ),
}

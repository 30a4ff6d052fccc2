"""How the generic page/API/export checks build and edit this app's models (see zhaoshang.core.testing)."""

from __future__ import annotations

from zhaoshang.core.testing import ModelSpec
from zhaoshang.sites.factories import (
    BuildingFactory,
    DemandFactory,
    SiteFactory,
    SiteReservationFactory,
    SiteUnitFactory,
)

SPECS = {
    "site": ModelSpec(
        "site",
        build=lambda d: SiteFactory(district=d, code="TEST-A", name="测试地块甲"),
        form_data=lambda d: {
            "district": d.pk,
            "code": "TEST-B",
            "name": "测试地块乙",
            "kind": "parcel",
            "availability": "available",
            "tenure": "both",
            "lng": "118.31",
            "lat": "36.82",
            "coord_crs": "wgs84",
            "area_mu": "42.5",
            "land_use": "M2",
        },
        changes={"power_kva": "3150"},
        api_changes={"power_kva": 3300.0},
        marker=lambda site: site.name,
    ),
    "siteunit": ModelSpec(
        "siteunit",
        build=lambda d: SiteUnitFactory(site=BuildingFactory(district=d, divisible=True), name="测试单元甲"),
        form_data=lambda d: {
            "site": BuildingFactory(district=d, divisible=True).pk,
            "name": "测试单元乙",
            "area_m2": "1200",
            "availability": "available",
        },
        changes={"floor": "2"},
        api_changes={"floor": 3},
        marker=lambda unit: unit.name,
    ),
    "demand": ModelSpec(
        "demand",
        build=lambda d: DemandFactory(district=d, name="测试需求甲"),
        form_data=lambda d: {
            "district": d.pk,
            "name": "测试需求乙",
            "status": "open",
            "kind": "parcel",
            "min_area": "30",
            "max_area": "50",
            "land_use": "M2、M3",
            "power_kva": "800",
            "water_tpd": "0",
            "steam_tph": "0",
            "emission_quota": "0",
            "clear_height_m": "0",
            "floor_load_kn": "0",
            "crane_t": "0",
            "lease_or_buy": "either",
            "weights": "{}",
        },
        changes={"power_kva": "1250"},
        api_changes={"power_kva": 1300.0},
    ),
    "sitereservation": ModelSpec(
        "sitereservation",
        build=lambda d: SiteReservationFactory(
            site=SiteFactory(district=d, code="TEST-R1", name="预留测试甲", availability="reserved")
        ),
        form_data=lambda d: {
            "site": SiteFactory(district=d, name="预留测试乙").pk,
            "note": "为测试预留",
        },
        changes={"note": "洽谈中,保留三个月"},
        api_changes={"note": "保留"},
        lookup=lambda data: {"site_id": data["site"]},
        marker=lambda r: r.site.code,
    ),
}

"""A province on one instance, on top of the demo city: 山东省 over 淄博市 and a second small city (潍坊市), Zibo's
functional zones as reporting units, a province persona, and the city's administrator scoped to Zibo.

Kept apart from `core.demo` so that the city demo stays what it was (`zhaoshang demo --province` adds this).
The zones' statistical codes are the demo's choice inside 3703xx and outside GB/T 2260: an operator sets the
codes their statistics bureau uses."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model

from zhaoshang.core.models import City, District, Province, Role, RoleAssignment, UserProfile
from zhaoshang.core.personas import roles_ensure
from zhaoshang.core.scope import ACTIONS
from zhaoshang.standards.divisions import division

PROVINCE = ("370000", "山东省")
ZIBO = "370300"
# Functional zones of Zibo, listed beside the counties in the city's own tables (codes: the operator's to set).
ZIBO_ZONES = [
    ("370371", "淄博高新技术产业开发区", 118.07, 36.87),
    ("370372", "淄博经济开发区", 118.02, 36.74),
    ("370373", "文昌湖省级旅游度假区", 117.92, 36.62),
]
WEIFANG = "370700"
WEIFANG_COUNTIES = ["370702", "370781"]  # 潍城区, 青州市
WEIFANG_PROJECTS = [
    ("370702", "潍城区高端装备制造项目", 120000),
    ("370702", "潍城区新能源电池材料项目", 80000),
    ("370781", "青州市花卉产业园项目", 50000),
]

PROVINCE_PERSONA = ("province_admin", "省发改委管理员", "省级管理员", "省发展改革委")


def province_demo_ensure(password: str) -> dict[str, Any]:
    """Idempotent: the province, zones, second city and personas; returns handles to them."""
    from zhaoshang.projects.factories import ProjectFactory  # deferred: factory_boy loads only for the demo
    from zhaoshang.projects.models import Project

    province, _ = Province.objects.get_or_create(adcode=PROVINCE[0], defaults={"name": PROVINCE[1]})
    zibo = City.objects.get(adcode=ZIBO)
    if zibo.province_id != province.pk:
        zibo.province = province
        zibo.save()
    zones = []
    for code, name, lng, lat in ZIBO_ZONES:
        assert division(code) is None, code  # a zone's code is never a GB/T 2260 division
        zone, created = District.objects.get_or_create(
            adcode=code,
            defaults={"city": zibo, "name": name, "kind": District.Kind.ZONE, "lng": lng, "lat": lat},
        )
        if created:
            zone.full_clean()
        zones.append(zone)
    weifang, _ = City.objects.get_or_create(
        adcode=WEIFANG, defaults={"name": division(WEIFANG).name, "province": province}
    )
    counties = {}
    for code in WEIFANG_COUNTIES:
        found = division(code)
        counties[code], _ = District.objects.get_or_create(
            adcode=code, defaults={"city": weifang, "name": found.name, "lng": found.lng, "lat": found.lat}
        )
    for code, name, investment in WEIFANG_PROJECTS:
        if not Project.objects.filter(district=counties[code], name=name).exists():
            ProjectFactory(
                district=counties[code],
                name=name,
                total_investment=investment,
                signed_date=datetime.date(datetime.date.today().year, 2, 1),
            )
    roles_ensure()
    roles_add = _province_role()
    User = get_user_model()
    username, full_name, _role_name, title = PROVINCE_PERSONA
    admin, _ = User.objects.get_or_create(username=username)
    admin.first_name, admin.last_name, admin.is_staff = full_name, "", True
    admin.set_password(password)
    admin.save()
    RoleAssignment.objects.update_or_create(user=admin, role=roles_add, defaults={"all_districts": True})
    profile, _ = UserProfile.objects.get_or_create(user=admin)
    profile.title = title
    profile.save()
    # The city's administrator covers Zibo (its districts and zones, now and later), no longer everything.
    city_admin = User.objects.filter(username="city_admin").first()
    if city_admin is not None:
        for assignment in RoleAssignment.objects.filter(user=city_admin, all_districts=True):
            assignment.all_districts = False
            assignment.save()
            assignment.cities.add(zibo)
    return {
        "province": province,
        "zibo": zibo,
        "weifang": weifang,
        "zones": zones,
        "weifang_counties": list(counties.values()),
        "province_admin": admin,
        "city_admin": city_admin,
    }


def _province_role() -> Any:
    role, _ = Role.objects.get_or_create(
        code="province_admin",
        defaults={
            "name": PROVINCE_PERSONA[2],
            "actions": list(ACTIONS),
            "description": "全省所有城市、区县和功能区的全部操作,含审核",
        },
    )
    return role

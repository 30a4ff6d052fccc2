"""The people of DESIGN.md: the city; Linzi's admin, chain chief and clerk; Huantai's admin (the outsider)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from zhaoshang.core.models import District, Role, RoleAssignment, TeamMembership, UserProfile
from zhaoshang.core.scope import ACTIONS

ROLES: dict[str, tuple[str, list[str], str]] = {
    "city_admin": ("市级管理员", list(ACTIONS), "全市所有区县的全部操作,含审核"),
    "district_admin": ("区县管理员", list(ACTIONS), "本区县的全部操作,含审核"),
    "chain_chief": (
        "链长",
        ["view", "add", "change", "export"],
        "本区县:查看、录入、修改、导出;核对经办人登记的线索并申报阶段变更(由区县审核)",
    ),
    # A department's clerk does the work given to the department and registers leads (a project at 线索/洽谈;
    # a counted stage waits for the district's verification anyway); adds nothing else, verifies nothing.
    "clerk": ("部门经办人", ["view", "change", "add:projects.project"], "本区县:查看、办理,登记项目线索"),
    # The data owner of the land records (自然资源): adds sites, imports GeoJSON/Shapefile, keeps them current.
    "land_steward": (
        "地块数据管理员",
        ["view", "add:sites.site", "change:sites.site", "add:sites.siteunit", "change:sites.siteunit"],
        "本区县:维护地块数据(新增、修改、导入 GeoJSON/Shapefile、核实)",
    ),
}


@dataclass(frozen=True)
class Persona:
    username: str
    full_name: str
    role: str
    district: str | None  # adcode; None = all districts
    title: str
    # Further roles on the same districts (the land clerk's data stewardship).
    extra_roles: tuple[str, ...] = ()


PERSONAS = [
    Persona("city_admin", "市招商局管理员", "city_admin", None, "市招商局"),
    Persona("linzi_admin", "临淄区管理员", "district_admin", "370305", "区投资促进中心"),
    Persona("linzi_chief", "临淄区机器人产业链链长", "chain_chief", "370305", "区委常委"),
    Persona(
        "linzi_clerk",
        "临淄区自然资源经办人",
        "clerk",
        "370305",
        "自然资源局临淄分局",
        extra_roles=("land_steward",),
    ),
    Persona("huantai_admin", "桓台县管理员", "district_admin", "370321", "县投资促进中心"),
]


def roles_ensure() -> dict[str, Role]:
    roles = {}
    for code, (name, actions, description) in ROLES.items():
        role, _ = Role.objects.get_or_create(code=code, defaults={"name": name, "actions": actions})
        if role.actions != actions or role.name != name or role.description != description:
            role.name, role.actions, role.description = name, actions, description
            role.save()
        roles[code] = role
    return roles


def personas_ensure(password: str, *, department: Any = None, chain_team: Any = None) -> dict[str, Any]:
    """Create (or reset) the persona accounts; idempotent so that `make demo` can run again."""
    User = get_user_model()
    roles = roles_ensure()
    users = {}
    for persona in PERSONAS:
        user, _ = User.objects.get_or_create(username=persona.username)
        # Chinese names and titles are written as one unit, without a space; Django joins first + last.
        user.first_name, user.last_name = persona.full_name, ""
        user.is_staff = persona.role in ("city_admin", "district_admin")
        user.set_password(password)
        user.save()
        district = District.objects.get(adcode=persona.district) if persona.district else None
        assignment, _ = RoleAssignment.objects.get_or_create(
            user=user, role=roles[persona.role], defaults={"all_districts": district is None}
        )
        if district is not None:
            assignment.districts.add(district)
        for extra in persona.extra_roles:
            more, _ = RoleAssignment.objects.get_or_create(
                user=user, role=roles[extra], defaults={"all_districts": district is None}
            )
            if district is not None:
                more.districts.add(district)
        profile, _ = UserProfile.objects.get_or_create(user=user)
        profile.district, profile.title = district, persona.title
        if persona.username == "linzi_clerk" and department is not None:
            profile.department = department
        profile.save()
        users[persona.username] = user
    if chain_team is not None:
        TeamMembership.objects.get_or_create(
            team=chain_team, user=users["linzi_chief"], defaults={"position": TeamMembership.Position.CHIEF}
        )
    return users

"""A province on one instance: the province user everywhere, a city's supervisor on every district and zone of
their city (those added later too), a district user on their district; the levels each covers."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404

from zhaoshang.assessment.province_demo import province_demo_ensure
from zhaoshang.core.audit import acting_as, system_actor
from zhaoshang.core.factories import RoleAssignmentFactory, RoleFactory, UserFactory
from zhaoshang.core.models import City, District, Park
from zhaoshang.core.scope import (
    covered_city_ids,
    covers_city,
    ensure_allowed,
    forget_scopes,
    has_city_rights,
    instance_is_province,
    scope_level,
    user_scope,
)
from zhaoshang.projects.models import Project


@pytest.fixture
def province(org: Any) -> dict[str, Any]:
    with acting_as(system_actor("demo"), "demo"):
        found = province_demo_ensure("secret-password")
    for user in org["users"].values():
        forget_scopes(user)
    return {**found, **org}


def test_three_levels_of_persona(province: Any) -> None:
    users = province["users"]
    province_admin, city_admin = province["province_admin"], users["city_admin"]
    zibo, weifang = province["zibo"], province["weifang"]
    assert instance_is_province()
    assert scope_level(province_admin) == "province"
    assert scope_level(city_admin) == "city"
    assert scope_level(users["linzi_admin"]) == "district"
    assert covers_city(province_admin, "verify", zibo) and covers_city(province_admin, "verify", weifang)
    assert covers_city(city_admin, "verify", zibo) and not covers_city(city_admin, "verify", weifang)
    assert not covers_city(users["linzi_admin"], "verify", zibo)
    assert has_city_rights(city_admin, "verify") and not has_city_rights(users["linzi_admin"], "verify")
    assert covered_city_ids(city_admin) == {zibo.pk} and covered_city_ids(province_admin) is None


def test_city_supervisor_sees_every_district_and_zone_of_their_city_only(province: Any) -> None:
    city_admin = province["users"]["city_admin"]
    zibo_all = set(District.objects.filter(city=province["zibo"]).values_list("pk", flat=True))
    seen = set(District.objects.restrict(city_admin, "view").values_list("pk", flat=True))
    assert seen == zibo_all
    assert {z.pk for z in province["zones"]} <= seen  # the functional zones are the city's too
    weifang_project = Project.objects.filter(district__city=province["weifang"]).first()
    assert weifang_project is not None
    assert not Project.objects.restrict(city_admin).filter(pk=weifang_project.pk).exists()
    with pytest.raises(Http404):
        ensure_allowed(city_admin, "view", weifang_project)
    ensure_allowed(province["province_admin"], "change", weifang_project)
    # The province user sees both cities' projects.
    cities = set(
        Project.objects.restrict(province["province_admin"]).values_list("district__city", flat=True)
    )
    assert cities == {province["zibo"].pk, province["weifang"].pk}


def test_a_district_added_later_is_covered_by_the_city_assignment(province: Any) -> None:
    city_admin = province["users"]["city_admin"]
    with acting_as(system_actor("test"), "system"):
        later = District.objects.create(
            city=province["zibo"], adcode="370374", name="新设功能区", kind=District.Kind.ZONE
        )
    forget_scopes(city_admin)
    assert user_scope(city_admin, "verify").allows(later.pk)
    assert not user_scope(province["users"]["linzi_admin"], "view").allows(later.pk)


def test_mixed_assignments_add_up_per_action(province: Any, as_test_actor: Any) -> None:
    user = UserFactory()
    viewer = RoleFactory(code="city-viewer", actions=["view"])
    editor = RoleFactory(code="district-editor", actions=["view", "change"])
    assignment = RoleAssignmentFactory(user=user, role=viewer)
    assignment.cities.add(province["weifang"])
    RoleAssignmentFactory(user=user, role=editor, districts=[province["linzi_district"]])
    view = user_scope(user, "view")
    weifang_ids = set(District.objects.filter(city=province["weifang"]).values_list("pk", flat=True))
    assert view.district_ids == weifang_ids | {province["linzi_district"].pk}
    assert view.city_ids == {province["weifang"].pk}
    assert user_scope(user, "change").district_ids == {province["linzi_district"].pk}
    assert not user_scope(user, "change").city_ids  # city rights only for the actions of the city role
    assert covers_city(user, "view", province["weifang"]) and not covers_city(
        user, "change", province["weifang"]
    )
    assert scope_level(user, "view") == "city" and scope_level(user, "change") == "district"
    assert set(Park.objects.restrict(user, "change").values_list("district", flat=True)) <= {
        province["linzi_district"].pk
    }


def test_scopes_take_two_queries_whatever_the_cities(
    province: Any, as_test_actor: Any, django_assert_num_queries: Any
) -> None:
    user = UserFactory()
    role = RoleFactory(code="many-cities", actions=["view", "verify"])
    assignment = RoleAssignmentFactory(user=user, role=role)
    assignment.cities.add(*City.objects.all())
    RoleAssignmentFactory(user=user, role=role, districts=[province["linzi_district"]])
    forget_scopes(user)
    with django_assert_num_queries(2):
        for action in ("view", "verify", "change", "export"):
            user_scope(user, action)
            covers_city(user, action, province["zibo"])
        scope_level(user, "view")  # no all-districts scope: the level needs no query
    assert user_scope(user, "verify").district_ids == set(District.objects.values_list("pk", flat=True))


def test_city_instance_keeps_city_level(org: Any) -> None:
    """Without a province the city's all-districts administrator is the top: level "city"."""
    assert scope_level(org["users"]["city_admin"]) == "city"
    assert not instance_is_province()

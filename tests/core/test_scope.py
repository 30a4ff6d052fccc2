"""`restrict(user, action)`: the union of a user's role assignments, per action, and nothing more."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from zhaoshang.core.factories import (
    RoleAssignmentFactory,
    RoleFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)
from zhaoshang.core.models import District, Park, TeamMembership
from zhaoshang.core.scope import ensure_allowed, forget_scopes, user_scope


def adcodes(queryset: Any) -> set[str]:
    return set(queryset.values_list("district__adcode", flat=True))


def test_personas_scopes(org: Any, users: Any) -> None:
    assert adcodes(Park.objects.restrict(users["city_admin"], "delete")) == {"370305", "370321"}
    assert adcodes(Park.objects.restrict(users["linzi_admin"], "verify")) == {"370305"}
    assert adcodes(Park.objects.restrict(users["huantai_admin"])) == {"370321"}
    assert adcodes(Park.objects.restrict(users["linzi_chief"], "export")) == {"370305"}
    assert not Park.objects.restrict(users["linzi_chief"], "delete").exists()
    assert not Park.objects.restrict(users["linzi_clerk"], "add").exists()
    assert Park.objects.restrict(users["linzi_clerk"], "change").exists()


def test_anonymous_and_inactive_users_see_nothing(org: Any, users: Any) -> None:
    assert not Park.objects.restrict(AnonymousUser()).exists()
    linzi = users["linzi_admin"]
    linzi.is_active = False
    forget_scopes(linzi)
    assert not Park.objects.restrict(linzi).exists()


def test_assignments_add_up_per_action(org: Any) -> None:
    user = UserFactory()
    viewer = RoleFactory(code="viewer", actions=["view"])
    editor = RoleFactory(code="editor", actions=["view", "change"])
    RoleAssignmentFactory(user=user, role=viewer, all_districts=True)
    RoleAssignmentFactory(user=user, role=editor, districts=[org["huantai_district"]])
    assert adcodes(Park.objects.restrict(user, "view")) == {"370305", "370321"}
    assert adcodes(Park.objects.restrict(user, "change")) == {"370321"}
    assert not Park.objects.restrict(user, "delete").exists()
    assert user_scope(user, "view").all_districts and not user_scope(user, "change").all_districts


def test_scopes_are_cached_per_request_user(org: Any, users: Any, django_assert_num_queries: Any) -> None:
    user = users["linzi_admin"]
    forget_scopes(user)
    with django_assert_num_queries(2):
        for action in ("view", "add", "change", "export"):
            user_scope(user, action)


def test_unknown_action_is_a_programming_error(users: Any) -> None:
    with pytest.raises(ValueError):
        user_scope(users["linzi_admin"], "approve")


def test_ensure_allowed_is_a_404(org: Any, users: Any) -> None:
    park = Park.objects.get(name="东岳氟硅材料产业园")
    with pytest.raises(Http404):
        ensure_allowed(users["linzi_admin"], "change", park)
    ensure_allowed(users["huantai_admin"], "change", park)


def test_team_membership_is_scoped_through_its_team(org: Any, users: Any) -> None:
    chief = TeamMembership.objects.get(user=users["linzi_chief"])
    assert chief.position == TeamMembership.Position.CHIEF and chief.team.name == "机器人产业链专班"
    assert TeamMembership.objects.restrict(users["linzi_admin"]).filter(pk=chief.pk).exists()
    assert not TeamMembership.objects.restrict(users["huantai_admin"]).filter(pk=chief.pk).exists()
    other = TeamMembershipFactory(team=TeamFactory(district=org["huantai_district"], name="氟硅专班"))
    assert set(TeamMembership.objects.restrict(users["huantai_admin"])) == {other}


def test_district_is_scoped_by_itself(org: Any, users: Any) -> None:
    assert list(District.objects.restrict(users["linzi_admin"]).values_list("adcode", flat=True)) == [
        "370305"
    ]
    assert District.objects.restrict(users["city_admin"]).count() == District.objects.count() >= 8

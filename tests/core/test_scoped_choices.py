"""One scope helper for choices: forms, serializers and the admin offer the same districts, towns and parks."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import RequestFactory

from zhaoshang.core.api import ParkSerializer
from zhaoshang.core.forms import ParkForm
from zhaoshang.core.models import District, Park, Town
from zhaoshang.core.scope import choice_action


@pytest.fixture
def split_user(org: Any) -> Any:
    """May change Linzi's records and add to Huantai's, and see both."""
    from zhaoshang.core.factories import RoleAssignmentFactory, RoleFactory, UserFactory

    user = UserFactory(username="split-rights", is_staff=True)
    RoleAssignmentFactory(
        user=user,
        role=RoleFactory(code="changer", actions=["view", "change"]),
        districts=[org["linzi_district"]],
    )
    RoleAssignmentFactory(
        user=user,
        role=RoleFactory(code="adder", actions=["view", "add"]),
        districts=[org["huantai_district"]],
    )
    return user


def _names(queryset: Any) -> set[str]:
    return {str(name) for name in queryset.values_list("name", flat=True)}


def test_the_district_takes_the_right_to_add_or_change_and_other_choices_the_right_to_view() -> None:
    assert choice_action("district", adding=True) == "add"
    assert choice_action("district", adding=False) == "change"
    assert choice_action("town", adding=True) == choice_action("town", adding=False) == "view"


def test_form_serializer_and_admin_offer_the_same_choices(org: Any, split_user: Any) -> None:
    linzi, huantai = org["linzi_district"], org["huantai_district"]
    park = Park.objects.filter(district=linzi).first()
    towns = _names(Town.objects.filter(district__in=[linzi, huantai]))
    request = RequestFactory().get("/")
    request.user = split_user
    park_admin = admin.site._registry[Park]

    for instance, district in ((None, huantai), (park, linzi)):
        form_fields = ParkForm(instance=instance, user=split_user).fields
        api_fields = ParkSerializer(instance=instance, context={"request": request}).fields
        admin_fields = park_admin.get_form(request, instance).base_fields
        for fields in (form_fields, api_fields, admin_fields):
            assert _names(fields["district"].queryset) == {district.name}
            assert _names(fields["town"].queryset) == towns
    assert set(District.objects.values_list("pk", flat=True)) - {linzi.pk, huantai.pk}  # others exist

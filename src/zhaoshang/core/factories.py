"""factory_boy factories for the organisation; the tests and the demo build from the same ones."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth import get_user_model

from zhaoshang.core.models import (
    City,
    Department,
    District,
    Park,
    Role,
    RoleAssignment,
    Team,
    TeamMembership,
    Town,
    UserProfile,
)
from zhaoshang.core.scope import ACTIONS
from zhaoshang.geo.divisions import division


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ("adcode",)

    adcode = "370300"
    name = factory.LazyAttribute(lambda o: division(o.adcode).name if division(o.adcode) else "淄博市")


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("adcode",)

    city = factory.SubFactory(CityFactory)
    adcode = "370305"
    name = factory.LazyAttribute(lambda o: division(o.adcode).name if division(o.adcode) else o.adcode)
    lng = factory.LazyAttribute(lambda o: division(o.adcode).lng if division(o.adcode) else None)
    lat = factory.LazyAttribute(lambda o: division(o.adcode).lat if division(o.adcode) else None)


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Town

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"示例镇{n}")
    kind = Town.Kind.TOWN


class ParkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Park

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"示例园区{n}")
    kind = Park.Kind.INDUSTRIAL


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"示例部门{n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"示例专班{n}")
    kind = Team.Kind.CHAIN


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "secret-password")

    @factory.post_generation
    def finish(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"role{n}")
    name = factory.LazyAttribute(lambda o: o.code)
    actions = list(ACTIONS)


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    role = factory.SubFactory(RoleFactory)

    @factory.post_generation
    def districts(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            obj.districts.set(extracted)


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)


class UserProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserProfile
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)

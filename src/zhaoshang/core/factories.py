"""factory_boy factories for the organisation; the tests and the demo build from the same ones."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth import get_user_model

from zhaoshang.core.audit import acting_as, current_actor, system_actor
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
from zhaoshang.standards.divisions import division


class AuditedFactory(factory.django.DjangoModelFactory):
    """Every write is attributed, a factory's too: within an actor's block (the demo's) it writes as that actor,
    elsewhere (a test's setup) as the named system actor `system-test`."""

    class Meta:
        abstract = True

    @classmethod
    def _generate(cls, strategy: Any, params: Any) -> Any:
        if strategy != factory.CREATE_STRATEGY or current_actor() is not None:
            return super()._generate(strategy, params)
        with acting_as(system_actor("test"), "system"):
            return super()._generate(strategy, params)


class CityFactory(AuditedFactory):
    class Meta:
        model = City
        django_get_or_create = ("adcode",)

    adcode = "370300"
    name = factory.LazyAttribute(lambda o: division(o.adcode).name if division(o.adcode) else "淄博市")


class DistrictFactory(AuditedFactory):
    class Meta:
        model = District
        django_get_or_create = ("adcode",)

    city = factory.SubFactory(CityFactory)
    adcode = "370305"
    name = factory.LazyAttribute(lambda o: division(o.adcode).name if division(o.adcode) else o.adcode)
    lng = factory.LazyAttribute(lambda o: division(o.adcode).lng if division(o.adcode) else None)
    lat = factory.LazyAttribute(lambda o: division(o.adcode).lat if division(o.adcode) else None)


class TownFactory(AuditedFactory):
    class Meta:
        model = Town

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"示例镇{n}")
    kind = Town.Kind.TOWN


class ParkFactory(AuditedFactory):
    class Meta:
        model = Park

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"示例园区{n}")
    kind = Park.Kind.INDUSTRIAL


class DepartmentFactory(AuditedFactory):
    class Meta:
        model = Department

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"示例部门{n}")


class TeamFactory(AuditedFactory):
    class Meta:
        model = Team

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"示例专班{n}")
    kind = Team.Kind.CHAIN


class UserFactory(AuditedFactory):
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


class RoleFactory(AuditedFactory):
    class Meta:
        model = Role
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"role{n}")
    name = factory.LazyAttribute(lambda o: o.code)
    actions = list(ACTIONS)


class RoleAssignmentFactory(AuditedFactory):
    class Meta:
        model = RoleAssignment
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    role = factory.SubFactory(RoleFactory)

    @factory.post_generation
    def districts(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            obj.districts.set(extracted)


class TeamMembershipFactory(AuditedFactory):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)


class UserProfileFactory(AuditedFactory):
    class Meta:
        model = UserProfile
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)

"""Fixtures of the assessment tests that need the province's instance."""

from __future__ import annotations

from typing import Any

import pytest

from zhaoshang.assessment.province_demo import province_demo_ensure
from zhaoshang.core.audit import acting_as, system_actor
from zhaoshang.core.factories import RoleAssignmentFactory, UserFactory
from zhaoshang.core.models import Role
from zhaoshang.core.scope import forget_scopes


@pytest.fixture
def province(org: Any) -> dict[str, Any]:
    """The province's instance: 淄博 (city_admin is its supervisor) and 潍坊 (weifang_admin supervises it),
    the province's administrator, 临淄's district administrator."""
    with acting_as(system_actor("demo"), "demo"):
        found = province_demo_ensure("secret-password")
        weifang = RoleAssignmentFactory(
            user=UserFactory(username="weifang_admin"), role=Role.objects.get(code="city_admin")
        )
        weifang.cities.add(found["weifang"])
    for user in org["users"].values():
        forget_scopes(user)
    return {**found, **org, "weifang_admin": weifang.user}

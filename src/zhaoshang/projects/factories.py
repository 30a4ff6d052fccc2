from __future__ import annotations

import datetime

import factory

from zhaoshang.core.factories import AuditedFactory, DistrictFactory, UserFactory
from zhaoshang.projects.models import FundsEntry, Project, StageMove


class ProjectFactory(AuditedFactory):
    class Meta:
        model = Project

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"示例项目{n}")
    stage = "signed"
    total_investment = 10000
    investor_origin = "outside_province"
    signed_date = datetime.date(2026, 3, 1)


class StageMoveFactory(AuditedFactory):
    class Meta:
        model = StageMove

    project = factory.SubFactory(ProjectFactory)
    from_stage = "signed"
    to_stage = "registered"
    date = datetime.date(2026, 4, 1)
    requested_by = factory.SubFactory(UserFactory)


class FundsEntryFactory(AuditedFactory):
    class Meta:
        model = FundsEntry

    project = factory.SubFactory(ProjectFactory)
    date = datetime.date(2026, 5, 1)
    amount = 1000
    origin = "outside_province"

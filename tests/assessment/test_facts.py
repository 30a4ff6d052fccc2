"""The facts kept between requests are always what a fresh read gives, after every kind of write; a write reads
again only the district it changed (its facts version, `assessment.facts`)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhaoshang.assessment import facts as facts_module
from zhaoshang.assessment.facts import current_facts, project_facts, scope_versions
from zhaoshang.assessment.selectors import assessed_projects, scope_districts
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import FundsEntry, Project, ProjectOutput
from zhaoshang.projects.services import (
    funds_add,
    project_status_set,
    stage_move_request,
    stage_move_verify,
)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many projects each read of the kept facts covered (the districts read)."""
    seen: list[int] = []
    real = facts_module._districts_read

    def counting(district_ids: list[int]) -> Any:
        found = real(district_ids)
        seen.append(sum(len(listed) for listed in found.values()))
        return found

    monkeypatch.setattr(facts_module, "_districts_read", counting)
    return seen


def _kept(user: Any, district: Any | None = None) -> list[Any]:
    return current_facts(scope_versions(scope_districts(user, district)))


def _check(user: Any, district: Any) -> list[Any]:
    kept = _kept(user, district)
    assert kept == project_facts(assessed_projects(user, district))  # same facts, same order
    return kept


@pytest.mark.usefixtures("as_test_actor")
def test_kept_facts_follow_every_kind_of_write(org: Any, users: Any, reads: list[int]) -> None:
    admin, linzi, huantai = users["linzi_admin"], org["linzi_district"], org["huantai_district"]
    first = _check(admin, linzi)
    total = len(first)
    assert reads == [total]
    assert _kept(admin, linzi) == first  # nothing changed: nothing read
    assert reads == [total]

    project = (
        Project.objects.filter(district=linzi, stage="signed", chain__isnull=False).order_by("pk").first()
    )
    other = (
        Project.objects.filter(district=linzi, stage="started").exclude(pk=project.pk).order_by("pk").first()
    )
    entry = funds_add(
        project=other,
        date=datetime.date(2026, 6, 1),
        amount=Decimal("500"),
        origin="outside_province",
        kind=FundsEntry.Kind.FIXED,
        user=admin,
    )
    _check(admin, linzi)  # a new funds entry
    entry.amount = Decimal("900")
    entry.save()
    _check(admin, linzi)  # an edited one
    entry.project = project
    entry.save()
    facts = {f.key: f for f in _check(admin, linzi)}  # moved to another project: both corrected
    assert any(a == 900 for _d, a, _o in facts[str(project.pk)].funds)
    assert not any(d == datetime.date(2026, 6, 1) and a == 900 for d, a, _o in facts[str(other.pk)].funds)
    assert reads[-3:] == [total, total, total]  # each write: the district read again, once

    move = stage_move_request(
        project=project,
        to_stage="registered",
        date=datetime.date(2026, 7, 1),
        user=admin,
        evidence_note="合同",
    )
    facts = {f.key: f for f in _check(admin, linzi)}  # asked, not verified: not counted
    assert "registered" not in facts[str(project.pk)].stage_dates
    stage_move_verify(move=move, user=users["city_admin"], approve=True)
    facts = {f.key: f for f in _check(admin, linzi)}
    assert facts[str(project.pk)].stage_dates["registered"] == datetime.date(2026, 7, 1)

    ProjectOutput.objects.create(project=other, year=2026, output=Decimal("12.5"), tax=Decimal("1"))
    _check(admin, linzi)  # an output
    project_status_set(project=other, status=Project.Status.TERMINATED, reason="撤资", user=admin)
    assert {f.key: f for f in _check(admin, linzi)}[str(other.pk)].terminated
    created = ProjectFactory(district=linzi, name="新线索", stage="lead")
    assert str(created.pk) in {f.key for f in _check(admin, linzi)}  # a new project
    reserve = ProjectFactory(district=linzi, name="储备项目", stage="reserve")
    assert str(reserve.pk) not in {f.key for f in _check(admin, linzi)}
    reserve.stage = "lead"
    reserve.save()
    assert str(reserve.pk) in {f.key for f in _check(admin, linzi)}  # entering the scope
    created.district = huantai
    created.save()
    assert str(created.pk) not in {f.key for f in _check(admin, linzi)}  # leaving it
    entry.delete()
    _check(admin, linzi)  # a deleted row
    project.chain.name += "(改)"
    project.chain.save()
    facts = {f.key: f for f in _check(admin, linzi)}  # a renamed chain
    assert facts[str(project.pk)].groups["chain"] == project.chain.name


@pytest.mark.usefixtures("as_test_actor")
def test_a_write_reads_again_only_its_district(org: Any, users: Any, reads: list[int]) -> None:
    city_admin, linzi, huantai = users["city_admin"], org["linzi_district"], org["huantai_district"]
    everything = _kept(city_admin)
    assert everything == project_facts(assessed_projects(city_admin))
    n_huantai = assessed_projects(city_admin, huantai).count()

    def queries_after(count: int) -> int:
        for i, project in enumerate(Project.objects.filter(district=huantai).order_by("pk")[:count]):
            project.notes = f"改{i}"
            project.save()
        with CaptureQueriesContext(connection) as captured:
            assert _kept(city_admin) == project_facts(assessed_projects(city_admin))
        return len(captured)

    reads.clear()
    assert queries_after(1) == queries_after(8)
    assert reads == [n_huantai, n_huantai]  # 临淄 was not read again
    assert linzi.pk != huantai.pk

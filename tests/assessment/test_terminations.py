"""Terminations are dated events (issue 16): the date as claimed, the reason, who recorded it; the facts carry
the date, a month rebuilt from the audit history knows when the project left the counts, and terminations
recorded before dates existed are dated from their history."""

from __future__ import annotations

import datetime
import importlib
import time
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhaoshang.analytics.rates.engine import Period, signing_rate
from zhaoshang.assessment.facts import facts_as_of, project_facts
from zhaoshang.core.audit import acting_as
from zhaoshang.core.models import ActionEntry, District
from zhaoshang.projects.models import Project
from zhaoshang.projects.services import project_status_set


def _talks(district: Any, user: Any, name: str) -> Project:
    with acting_as(user, "web"):
        project = Project(district=district, name=name, stage="negotiation", total_investment=5000)
        project.full_clean()
        project.save()
    return project


def test_a_termination_keeps_its_claimed_date_reason_and_author(org: Any, users: Any) -> None:
    linzi, chief = org["linzi_district"], users["linzi_chief"]
    project = _talks(linzi, chief, "终止测试项目甲")
    today = timezone.localdate()
    claimed = today - datetime.timedelta(days=20)
    project_status_set(
        project=project, status="terminated", reason="投资方撤资(测试)", user=chief, terminated_on=claimed
    )
    project.refresh_from_db()
    assert (project.terminated_on, project.status_reason) == (claimed, "投资方撤资(测试)")
    assert project.history.first().history_user == chief
    entry = ActionEntry.objects.filter(action="project_terminate", object_id=str(project.pk)).get()
    assert entry.data["date"] == claimed.isoformat() and entry.actor == chief
    # Changing the reason later keeps the date; taking the project up again clears it.
    project_status_set(project=project, status="terminated", reason="投资方撤资,已核实", user=chief)
    project.refresh_from_db()
    assert project.terminated_on == claimed
    project_status_set(project=project, status="on_track", reason="", user=chief)
    project.refresh_from_db()
    assert project.terminated_on is None


def test_a_termination_date_is_neither_future_nor_before_a_verified_move(org: Any, users: Any) -> None:
    linzi, chief = org["linzi_district"], users["linzi_chief"]
    project = _talks(linzi, chief, "终止测试项目乙")
    with pytest.raises(ValidationError):
        project_status_set(
            project=project,
            status="terminated",
            reason="测试",
            user=chief,
            terminated_on=timezone.localdate() + datetime.timedelta(days=30),
        )
    verified = (
        Project.objects.filter(district=linzi, stage="started", moves__verified_at__isnull=False)
        .exclude(status="terminated")
        .first()
    )
    last = verified.moves.filter(verified_at__isnull=False).order_by("-date").first().date
    with pytest.raises(ValidationError, match="不能早于已核实"):
        project_status_set(
            project=verified,
            status="terminated",
            reason="测试",
            user=users["linzi_admin"],
            terminated_on=last - datetime.timedelta(days=1),
        )
    # Without a date (API, ledger import, a form left blank): the day it was recorded.
    project_status_set(project=project, status="terminated", reason="测试", user=chief)
    project.refresh_from_db()
    assert project.terminated_on == timezone.localdate()


def test_facts_carry_the_date_and_a_rebuilt_month_knows_when_it_left(org: Any, users: Any) -> None:
    linzi, chief = org["linzi_district"], users["linzi_chief"]
    project = _talks(linzi, chief, "终止测试项目丙")
    today = timezone.localdate()
    time.sleep(0.01)
    before = timezone.now()
    time.sleep(0.01)
    claimed = today - datetime.timedelta(days=3)
    project_status_set(project=project, status="terminated", reason="测试", user=chief, terminated_on=claimed)
    time.sleep(0.01)
    after = timezone.now()
    key = str(project.pk)
    scope = District.objects.filter(pk=linzi.pk)

    now = next(f for f in project_facts(Project.objects.filter(pk=project.pk)) if f.key == key)
    assert now.terminated and now.terminated_on == claimed
    then = next(f for f in facts_as_of(scope, before) if f.key == key)
    assert not then.terminated and then.terminated_on is None
    later = next(f for f in facts_as_of(scope, after) if f.key == key)
    assert later.terminated and later.terminated_on == claimed

    # Entered today at 洽谈: a period ending before the termination date sees talks still pending (its negotiation
    # is dated today, so only a period from today on holds it; the claimed date is before today, so every
    # such period ends after the termination: it is a negotiation that did not sign).
    period = Period(today, today)
    assert signing_rate([later], period).members_denominator == [key]
    assert signing_rate([later], period).numerator == 0


def test_terminations_recorded_before_dates_existed_are_dated_from_history(org: Any, users: Any) -> None:
    linzi, chief = org["linzi_district"], users["linzi_chief"]
    project = _talks(linzi, chief, "终止测试项目丁")
    with acting_as(chief, "web"):
        project.status, project.status_reason = "terminated", "测试"
        project.save()
        row = project.history.order_by("-history_date").first()
        # As an old termination: no date on the project nor on its history rows, recorded on a known day.
        became = timezone.now() - datetime.timedelta(days=40)
        type(row).objects.filter(pk=row.pk).update(history_date=became)
        project.history.all().exclude(pk=row.pk).update(history_date=became - datetime.timedelta(days=5))
    Project.objects.filter(pk=project.pk).update(terminated_on=None)
    project.history.update(terminated_on=None)

    migration = importlib.import_module("zhaoshang.projects.migrations.0014_date_terminations")
    migration.date_terminations(apps, None)

    project.refresh_from_db()
    day = timezone.localtime(became).date()
    assert project.terminated_on == day
    assert project.history.filter(status="terminated").get().terminated_on == day
    assert project.history.exclude(status="terminated").get().terminated_on is None

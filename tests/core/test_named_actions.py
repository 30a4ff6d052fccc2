"""Named actions beside the field diffs: each service's action writes one ActionEntry, attributed and scoped, and the
object's history page shows it; jobs' writes and score snapshots are in the history under a user."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from zhaoshang.assessment.models import ScoreSnapshot
from zhaoshang.core.actions import NAMED_ACTIONS, action_log
from zhaoshang.core.audit import AuditError
from zhaoshang.core.importing import import_run, read_table
from zhaoshang.core.jobs import job_submit
from zhaoshang.core.models import ActionEntry, Town
from zhaoshang.core.resources import TownResource
from zhaoshang.projects.delivery.blockers import (
    blocker_assign,
    blocker_raise,
    blocker_reopen,
    blocker_solve,
    blocker_strike_off,
    blockers_escalate,
)
from zhaoshang.projects.delivery.dispatch.services import dispatch_build, dispatch_decision_add
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import Blocker
from zhaoshang.projects.services import stage_move_request, stage_move_verify
from zhaoshang.sites.factories import SiteFactory
from zhaoshang.sites.services import site_release, site_reserve

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


def entries(obj: Any) -> list[str]:
    """The action codes done to `obj`, oldest first."""
    rows = ActionEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
    return list(rows.order_by("at", "pk").values_list("action", flat=True))


def test_stage_moves(org: Any, users: Any, client_for: Any) -> None:
    chief, admin = users["linzi_chief"], users["linzi_admin"]
    project = ProjectFactory(district=org["linzi_district"], stage="negotiation", signed_date=None)
    move = stage_move_request(
        project=project, to_stage="signed", date=TODAY, user=chief, evidence_note="合同"
    )
    stage_move_verify(move=move, user=admin, approve=True)
    move = stage_move_request(
        project=project, to_stage="registered", date=TODAY, user=chief, evidence_note="执照"
    )
    stage_move_verify(move=move, user=admin, approve=False, reason="执照名称不符")
    assert entries(project) == ["stage_request", "stage_verify", "stage_request", "stage_reject"]
    entry = ActionEntry.objects.filter(action="stage_reject").get()
    assert (entry.actor, entry.channel, entry.district, entry.label) == (
        admin,
        "web",
        project.district,
        "阶段退回",
    )
    assert entry.data["to"] == "registered" and "执照名称不符" in entry.data["summary"]

    page = client_for("linzi_admin").get(f"/project/{project.pk}/history/").content.decode()
    assert "阶段核实" in page and "阶段退回" in page and "执照名称不符" in page
    # Out of scope: the outsider sees neither the page nor the entries.
    assert client_for("huantai_admin").get(f"/project/{project.pk}/history/").status_code == 404
    assert not ActionEntry.objects.restrict(users["huantai_admin"], "view").filter(action="stage_reject")


def test_blockers(org: Any, users: Any, client_for: Any) -> None:
    admin, clerk = users["linzi_admin"], users["linzi_clerk"]
    land = org["linzi"]["departments"]["自然资源"]
    project = ProjectFactory(district=org["linzi_district"], name="动作测试项目")
    first = blocker_raise(
        project=project, title="用地指标", user=admin, department=land, deadline=TODAY + DAY
    )
    blocker_solve(blocker=first, solution="已调剂", date=TODAY, user=clerk)
    blocker_strike_off(blocker=first, user=admin)
    assert entries(first) == ["blocker_assign", "blocker_solve", "blocker_strike_off"]

    second = blocker_raise(project=project, title="施工用电", user=admin)
    blocker_assign(blocker=second, department=land, deadline=TODAY + DAY, user=admin)
    blocker_solve(blocker=second, solution="已增容", date=TODAY, user=clerk)
    blocker_reopen(blocker=second, reason="未见供电合同", user=admin)
    Blocker.objects.filter(pk=second.pk).update(deadline=TODAY - 2 * DAY)
    blockers_escalate(user=admin, district=org["linzi_district"])
    assert entries(second) == ["blocker_assign", "blocker_solve", "blocker_reopen", "blocker_escalate"]

    page = client_for("linzi_admin").get(f"/blocker/{first.pk}/history/").content.decode()
    assert "堵点销号" in page and "堵点办结" in page and "堵点交办" in page


def test_dispatch(org: Any, users: Any) -> None:
    admin = users["linzi_admin"]
    project = ProjectFactory(district=org["linzi_district"], name="调度动作项目")
    report = dispatch_build(
        district=org["linzi_district"], period_start=TODAY - 14 * DAY, period_end=TODAY, user=admin
    )
    dispatch_decision_add(
        report=report, project=project, kind="task", text="本周完成环评", user=admin, due_date=TODAY
    )
    assert entries(report) == ["dispatch_build", "dispatch_decision"]
    assert "本周完成环评" in ActionEntry.objects.get(action="dispatch_decision").data["summary"]


def test_sites(org: Any, users: Any, client_for: Any) -> None:
    admin = users["linzi_admin"]
    site = SiteFactory(district=org["linzi_district"])
    project = ProjectFactory(district=org["linzi_district"], name="用地动作项目")
    site_reserve(site=site, user=admin, project=project, channel="web")
    site_release(site=site, user=admin, reason="项目另选址", channel="web")
    assert entries(site) == ["site_reserve", "site_release"]
    page = client_for("linzi_admin").get(f"/site/{site.pk}/history/").content.decode()
    assert "场地预留" in page and "场地释放" in page and "项目另选址" in page


def test_an_import_is_one_entry_with_its_counts(org: Any, users: Any) -> None:
    user = users["linzi_admin"]
    content = "区县代码,名称,类型,乡镇代码\n370305,动作镇一,镇,\n370305,动作镇二,街道,\n".encode()
    dataset = read_table("towns.csv", content)
    import_run(resource=TownResource(user=user), dataset=dataset, user=user, dry_run=True)
    assert not ActionEntry.objects.filter(action="import").exists()  # a dry run is no action
    import_run(resource=TownResource(user=user), dataset=dataset, user=user, dry_run=False)
    entry = ActionEntry.objects.get(action="import")
    assert (entry.actor, entry.channel, entry.district) == (user, "import", org["linzi_district"])
    assert (entry.data["total"], entry.data["new"], entry.data["model"]) == (2, 2, "core.Town")
    assert Town.objects.filter(name__startswith="动作镇").count() == 2


def test_a_jobs_writes_and_the_score_snapshots_are_in_the_history(org: Any, users: Any) -> None:
    city = users["city_admin"]
    started = timezone.now()
    job = job_submit(kind="scores-monthly", title="月度评分", user=city, params={"month": "2026-03-01"})
    job.refresh_from_db()
    assert job.status == "succeeded", job.result
    snapshots = ScoreSnapshot.objects.filter(month=datetime.date(2026, 3, 1))
    assert snapshots.exists()
    for snapshot in snapshots:
        record = snapshot.history.get()
        assert (record.history_user, record.history_change_reason) == (city, "job")
    scored = ActionEntry.objects.filter(action="scores_monthly", at__gte=started)
    assert scored.count() == snapshots.filter(level="district").count()
    assert {e.actor for e in scored} == {city} and {e.channel for e in scored} == {"job"}
    # Computing the month again replaces the snapshots; the deletions are in the history too, by the same user.
    job_submit(kind="scores-monthly", title="月度评分", user=city, params={"month": "2026-03-01"})
    deleted = ScoreSnapshot.history.filter(month=datetime.date(2026, 3, 1), history_type="-")
    assert deleted.exists() and {r.history_user for r in deleted} == {city}


def test_the_action_table_is_the_one_place(org: Any, users: Any) -> None:
    assert {"stage_verify", "blocker_strike_off", "import", "scores_monthly"} <= set(NAMED_ACTIONS)
    with pytest.raises(ValueError):
        action_log(org["linzi_district"], "no_such_action", user=users["linzi_admin"])
    with pytest.raises(AuditError):
        action_log(org["linzi_district"], "import", user=None)

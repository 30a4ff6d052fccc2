"""The rules and who they reach: responsible person, else the department's staff in the district; verifiers for
moves (never the author); nobody outside the event's district; a constant number of queries per rule."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhaoshang.notifications.models import ChannelConfig, Delivery, Notification, Rule, RuleSetting

from .helpers import at, run, task


def _told(rule: str) -> set[tuple[str, str]]:
    return set(Notification.objects.filter(rule=rule).values_list("user__username", "event_key"))


def test_person_first_else_department(world: dict[str, Any]) -> None:
    a = world["a"]
    owned = task(world, "a", due=world["today"] + datetime.timedelta(days=1), owner=a["officer"],
                 department=a["department"])  # fmt: skip
    unowned = task(world, "a", due=world["today"] + datetime.timedelta(days=1), department=a["department"])
    far = task(world, "a", due=world["today"] + datetime.timedelta(days=5), owner=a["clerk"])  # past lead (1)
    run(world)
    assert _told(Rule.TASK_DUE) == {
        ("notify_a_officer", f"task:{owned.pk}:{owned.due_date}"),
        ("notify_a_clerk", f"task:{unowned.pk}:{unowned.due_date}"),
    }
    assert not Notification.objects.filter(event_key__startswith=f"task:{far.pk}:").exists()


def test_lead_days_per_district(world: dict[str, Any]) -> None:
    a = world["a"]
    far = task(world, "a", due=world["today"] + datetime.timedelta(days=5), owner=a["clerk"])
    RuleSetting.objects.create(district=a["district"], rule=Rule.TASK_DUE, lead_days=7)
    RuleSetting.objects.create(district=a["district"], rule=Rule.TASK_OVERDUE, enabled=False)
    late = task(world, "a", due=world["today"] - datetime.timedelta(days=1), owner=a["clerk"])
    run(world)
    assert _told(Rule.TASK_DUE) == {("notify_a_clerk", f"task:{far.pk}:{far.due_date}")}
    assert not Notification.objects.filter(event_key__startswith=f"task:{late.pk}:").exists()


def test_another_districts_events_never_reach_a_user(world: dict[str, Any], receiver: Any) -> None:
    a, b = world["a"], world["b"]
    # A district-A clerk named as the owner of a district-B task: she may not see B, so she is not told.
    stray = task(world, "b", due=world["today"] - datetime.timedelta(days=1), owner=a["clerk"])
    own = task(world, "b", due=world["today"] - datetime.timedelta(days=1), department=b["department"])
    ChannelConfig.objects.create(
        district=a["district"], name="A 区群", kind="wecom", target=f"{receiver.url}/a?key=a"
    )
    ChannelConfig.objects.create(
        district=b["district"], name="B 区群", kind="wecom", target=f"{receiver.url}/b?key=b"
    )
    run(world)
    assert _told(Rule.TASK_OVERDUE) == {("notify_b_clerk", f"task:{own.pk}:{own.due_date}")}
    assert not Notification.objects.filter(user=a["clerk"]).exists()
    assert not Notification.objects.filter(event_key=f"task:{stray.pk}:{stray.due_date}").exists()
    # Both B tasks, B's group only — in one post, as a run batches what goes to one robot.
    assert receiver.at("/a") == []
    (post,) = receiver.at("/b")
    assert post.body["markdown"]["content"].startswith("**招商平台提醒(2 条)**")


def test_department_channel_takes_only_its_department(world: dict[str, Any], receiver: Any) -> None:
    from zhaoshang.core.factories import DepartmentFactory

    a = world["a"]
    other = DepartmentFactory(district=a["district"], name="发改局a")
    ChannelConfig.objects.create(
        district=a["district"],
        department=other,
        name="发改群",
        kind="wecom",
        target=f"{receiver.url}/dev?key=x",
    )
    ChannelConfig.objects.create(
        district=a["district"], department=a["department"], name="自然资源群", kind="wecom",
        target=f"{receiver.url}/land?key=y", rules=[Rule.TASK_OVERDUE],
    )  # fmt: skip
    task(world, "a", due=world["today"] - datetime.timedelta(days=1), department=a["department"])
    task(world, "a", due=world["today"] + datetime.timedelta(days=1), department=a["department"])
    run(world)
    assert receiver.at("/dev") == []
    (post,) = receiver.at("/land")  # only the rule it takes: the overdue task, not the one due soon
    assert "已逾期" in post.body["markdown"]["content"]


def test_steps_due_and_overdue_reach_the_department(world: dict[str, Any]) -> None:
    from zhaoshang.projects.models import ProjectStep

    a = world["a"]
    common = {"project": a["project"], "module": 1, "module_name": "用地", "duration": 5}
    late = ProjectStep.objects.create(
        code="A1", name="用地预审", department=a["department"],
        planned_finish=world["today"] - datetime.timedelta(days=4), **common,
    )  # fmt: skip
    soon = ProjectStep.objects.create(
        code="A2", name="规划许可", planned_finish=world["today"] + datetime.timedelta(days=2), **common
    )
    ProjectStep.objects.create(
        code="A3", name="已办结", department=a["department"], status="done",
        planned_finish=world["today"] - datetime.timedelta(days=9), **common,
    )  # fmt: skip
    run(world)
    assert _told(Rule.STEP_OVERDUE) == {("notify_a_clerk", f"step:{late.pk}:{late.planned_finish}")}
    # no department on the step: the project officer is told
    assert _told(Rule.STEP_DUE) == {("notify_a_officer", f"step:{soon.pk}:{soon.planned_finish}")}
    title = Notification.objects.get(rule=Rule.STEP_OVERDUE).title
    assert "A1 用地预审" in title and "逾期 4 天" in title


def test_blocker_life(world: dict[str, Any]) -> None:
    from zhaoshang.projects.models import Blocker

    a = world["a"]
    blocker = Blocker.objects.create(
        project=a["project"], title="征地补偿未落实", department=a["department"], raised_by=a["officer"],
        deadline=world["today"] + datetime.timedelta(days=10),
    )  # fmt: skip
    run(world)
    assert _told(Rule.BLOCKER_RAISED) == {("notify_a_clerk", f"blocker:{blocker.pk}")}  # not the raiser

    blocker.level, blocker.escalated_on = 1, world["today"]
    blocker.save()
    run(world)
    assert _told(Rule.BLOCKER_ESCALATED) == {
        ("notify_a_clerk", f"blocker:{blocker.pk}:level1"),
        ("notify_a_officer", f"blocker:{blocker.pk}:level1"),
    }

    blocker.status, blocker.solved_date = Blocker.Status.SOLVED, world["today"]
    blocker.save()
    run(world)
    assert _told(Rule.BLOCKER_SOLVED) == {("notify_a_officer", f"blocker:{blocker.pk}")}

    blocker.status, blocker.struck_off_date, blocker.struck_off_by = "struck_off", world["today"], a["admin"]
    blocker.save()
    run(world)
    assert _told(Rule.BLOCKER_STRUCK_OFF) == {
        ("notify_a_clerk", f"blocker:{blocker.pk}"),
        ("notify_a_officer", f"blocker:{blocker.pk}"),
    }


def test_moves_wait_for_verifiers_not_the_author(world: dict[str, Any]) -> None:
    from zhaoshang.core.factories import RoleAssignmentFactory, RoleFactory, UserFactory
    from zhaoshang.projects.factories import StageMoveFactory

    a = world["a"]
    verify = RoleFactory(code="notify_admin")
    second = UserFactory(username="notify_a_admin2", email="admin2@example.test")
    RoleAssignmentFactory(user=second, role=verify, districts=[a["district"]])
    move = StageMoveFactory(project=a["project"], requested_by=a["admin"], date=world["today"])
    StageMoveFactory(
        project=a["project"], requested_by=a["officer"], verified_at=None, rejected_reason="缺佐证"
    )
    run(world)
    told = {u for u, _ in _told(Rule.MOVE_VERIFY)}
    assert ("notify_a_admin2" in told) and ("notify_a_admin" not in told)  # the author does not verify
    assert "notify_a_clerk" not in told and "notify_a_officer" not in told  # no `verify` right
    assert "notify_b_admin" not in told  # a verifier of another district
    assert {k for _, k in _told(Rule.MOVE_VERIFY)} == {f"move:{move.pk}"}


def test_followups_and_stale_sites(world: dict[str, Any]) -> None:
    from zhaoshang.enterprises.factories import TargetEntryFactory
    from zhaoshang.sites.factories import SiteFactory

    a = world["a"]
    due = TargetEntryFactory(
        district=a["district"], owner=a["officer"], next_action="上门拜访",
        next_action_date=world["today"] + datetime.timedelta(days=1),
    )  # fmt: skip
    TargetEntryFactory(
        district=a["district"],
        owner=a["officer"],
        next_action_date=world["today"] + datetime.timedelta(days=9),
    )
    for _ in range(3):
        SiteFactory(district=a["district"], data_owner=a["clerk"], verified_on=datetime.date(2024, 1, 1))
    SiteFactory(district=a["district"], data_owner=a["clerk"], verified_on=world["today"])
    run(world)
    assert _told(Rule.FOLLOWUP_DUE) == {("notify_a_officer", f"target:{due.pk}:{due.next_action_date}")}
    (stale,) = Notification.objects.filter(rule=Rule.SITE_STALE, user=a["clerk"])
    assert stale.title.startswith("3 个地块")
    # next week: reminded again
    run(world, now=at(world["today"] + datetime.timedelta(days=7)))
    assert Notification.objects.filter(rule=Rule.SITE_STALE, user=a["clerk"]).count() == 2


def test_constant_queries_per_rule(world: dict[str, Any], settings: Any) -> None:
    """Ten times the tasks and steps, the same number of queries (delivery sending aside)."""
    from zhaoshang.projects.models import ProjectStep

    a = world["a"]

    def add(n: int, offset: int) -> None:
        for i in range(n):
            task(
                world,
                "a",
                due=world["today"] - datetime.timedelta(days=1 + i % 3),
                department=a["department"],
            )
            ProjectStep.objects.create(
                project=a["project"], code=f"S{offset + i}", name="环节", module=1, module_name="m", duration=3,
                department=a["department"], planned_finish=world["today"] - datetime.timedelta(days=2),
            )  # fmt: skip

    def count() -> int:
        Notification.objects.all().delete()
        Delivery.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            run(world, send=False)
        return len(queries)

    add(3, 0)
    count()  # first run: creates the system actor, fills caches
    small = count()
    add(30, 100)
    assert count() == small
    assert Notification.objects.filter(rule=Rule.TASK_OVERDUE).count() == 33


def test_red_and_yellow_cards_reach_the_officer(world: dict[str, Any]) -> None:
    """A project with nothing verified for over six months is 停滞 with a red card (analytics.status)."""
    from zhaoshang.projects.factories import ProjectFactory

    a = world["a"]
    quiet = ProjectFactory(
        district=a["district"],
        name="久无进展项目",
        officer=a["officer"],
        signed_date=datetime.date(2025, 1, 6),
    )
    run(world)
    assert _told(Rule.PROJECT_CARD) == {("notify_a_officer", f"card:{quiet.pk}:red")}
    assert "红牌" in Notification.objects.get(rule=Rule.PROJECT_CARD).title

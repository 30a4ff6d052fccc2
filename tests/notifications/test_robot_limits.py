"""Group robots within their platforms' limits, against the loopback receiver: a run's notifications to one robot
are batched into few posts, never more than the robot's posts a minute (counted from the database, so a second
worker counts the first one's), the rest wait for a later run; a platform's "too many" answer puts the post back
for later without using up an attempt. None lost, none twice."""

from __future__ import annotations

import datetime
import json
import re
import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from zhaoshang.core.audit import acting_as, system_actor
from zhaoshang.notifications import robots, sending
from zhaoshang.notifications.models import ChannelConfig, Delivery, DeliveryAttempt, RobotPost
from zhaoshang.notifications.sending import deliveries_send

NOW = timezone.make_aware(datetime.datetime(2026, 12, 7, 10, 0))
SECOND = datetime.timedelta(seconds=1)
PATHS = {
    "dingtalk": "/dingtalk/robot/send?access_token=tok",
    "wecom": "/wecom/cgi-bin/webhook/send?key=k",
    "feishu": "/feishu/open-apis/bot/v2/hook/abc",
}
NUMBER = re.compile(r"堵点提醒#(\d{3})")


@pytest.fixture
def robot(world: dict[str, Any], receiver: Any, settings: Any) -> Any:
    settings.ZHAOSHANG_SITE_URL = "https://zs.example.gov.cn"

    def make(kind: str, secret: str = "") -> ChannelConfig:
        return ChannelConfig.objects.create(
            district=world["a"]["district"],
            department=world["a"]["department"],
            name=f"{kind}群",
            kind=kind,
            target=f"{receiver.url}{PATHS[kind]}",
            secret=secret,
        )

    return make


def _deliveries(config: ChannelConfig, n: int, *, start: int = 0, long: bool = False) -> list[Delivery]:
    extra = "(涉及建设用地规划许可、施工许可、环评批复和能评审查等多个环节,须各部门协同办理)" if long else ""
    return Delivery.objects.bulk_create(
        Delivery(
            rule="blocker_escalated",
            event_key=f"blocker:{i}:1",
            recipient=f"group:{config.pk}",
            channel=config.kind,
            config=config,
            district=config.district,
            address=config.target,
            subject=f"堵点提醒#{i:03d}已升级督办{extra}",
            body="年产20万吨高端新材料项目 · 用地指标不足",
            url=f"/blocker/{i}/",
            next_attempt_at=NOW,
        )
        for i in range(start, start + n)
    )


def _text(post: Any) -> str:
    body = post.body
    if "markdown" in body:
        return str(body["markdown"].get("text") or body["markdown"].get("content"))
    return str(body["content"]["text"])


def _numbers(posts: list[Any]) -> list[int]:
    return [int(n) for post in posts for n in NUMBER.findall(_text(post))]


def _most_in_any_window(times: list[datetime.datetime], seconds: float) -> int:
    times = sorted(times)
    span = datetime.timedelta(seconds=seconds)
    return max((sum(1 for t in times if start <= t < start + span) for start in times), default=0)


def test_fifty_to_one_dingtalk_robot_are_batched_within_the_limit(robot: Any, receiver: Any) -> None:
    config = robot("dingtalk", secret="SECx")
    _deliveries(config, 50)
    report = deliveries_send(now=NOW)
    posts = receiver.at("/dingtalk/robot/send")
    assert 1 < len(posts) <= 20
    assert sorted(_numbers(posts)) == list(range(50))  # each once: none lost, none twice
    assert report.sent == 50 and report.posts == len(posts) and report.deferred == 0
    assert set(Delivery.objects.values_list("status", "attempts")) == {("sent", 1)}
    assert DeliveryAttempt.objects.filter(ok=True).count() == 50
    log = list(RobotPost.objects.filter(config=config).values_list("items", "ok"))
    assert (
        len(log) == len(posts) and sum(items for items, _ok in log) == 50 and {ok for _i, ok in log} == {True}
    )
    for post in posts:
        assert len(json.dumps(post.body, ensure_ascii=False).encode()) <= 20_000
        assert post.body["msgtype"] == "markdown"
        assert post.body["markdown"]["title"].startswith("招商平台提醒(")
        # Each line links to its page on the site.
        assert "](https://zs.example.gov.cn/blocker/" in post.body["markdown"]["text"]
        assert "sign" in post.query  # the batch is signed like a single post


def test_without_batching_twenty_a_minute_and_the_rest_wait(
    robot: Any, receiver: Any, monkeypatch: Any, settings: Any
) -> None:
    """One notification a post: twenty go in the first minute, the thirty others wait — not failed, their attempts
    not used — and go in the next minutes' runs."""
    settings.ZHAOSHANG_NOTIFY_MAX_ATTEMPTS = 1
    monkeypatch.setattr(robots, "BATCH_ITEMS", 1)
    config = robot("dingtalk")
    _deliveries(config, 50)
    first = deliveries_send(now=NOW)
    assert (first.sent, first.deferred, first.failed, first.retrying) == (20, 30, 0, 0)
    assert len(receiver.posts) == 20
    waiting = Delivery.objects.filter(status="pending")
    assert waiting.count() == 30
    assert set(waiting.values_list("attempts", flat=True)) == {0}
    assert not DeliveryAttempt.objects.filter(delivery__in=waiting).exists()  # no attempt was made
    (free,) = set(waiting.values_list("next_attempt_at", flat=True))
    # When the first post leaves the minute (the posts are stamped with the run's time plus its own duration).
    assert NOW + 60 * SECOND <= free < NOW + 65 * SECOND

    assert deliveries_send(now=NOW + 30 * SECOND).sent == 0 and len(receiver.posts) == 20  # not yet
    second = deliveries_send(now=NOW + 70 * SECOND)
    assert (second.sent, second.deferred) == (20, 10)
    third = deliveries_send(now=NOW + 140 * SECOND)
    assert (third.sent, third.deferred) == (10, 0)
    assert sorted(_numbers(receiver.posts)) == list(range(50))  # each once
    assert set(Delivery.objects.values_list("status", "attempts")) == {("sent", 1)}
    times = list(RobotPost.objects.filter(config=config).values_list("at", flat=True))
    assert len(times) == 50 and _most_in_any_window(times, 60) <= 20


def test_another_workers_posts_count(robot: Any, receiver: Any, monkeypatch: Any) -> None:
    """The window is counted from the database: fifteen posts made half a minute ago by another worker leave
    room for five, and the rest wait until the oldest of those leaves the minute."""
    monkeypatch.setattr(robots, "BATCH_ITEMS", 1)
    config = robot("wecom")
    RobotPost.objects.bulk_create(
        RobotPost(config=config, at=NOW - 30 * SECOND + i * datetime.timedelta(milliseconds=10), ok=True)
        for i in range(15)
    )
    _deliveries(config, 10)
    report = deliveries_send(now=NOW)
    assert (report.sent, report.deferred) == (5, 5) and len(receiver.posts) == 5
    waiting = Delivery.objects.filter(status="pending")
    assert set(waiting.values_list("next_attempt_at", flat=True)) == {NOW + 30 * SECOND}


@pytest.mark.parametrize(
    ("kind", "answer", "wait"),
    [
        ("dingtalk", (200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}, {}), 600),
        ("wecom", (200, {"errcode": 45009, "errmsg": "api freq out of limit"}, {}), 60),
        ("feishu", (200, {"code": 11232, "msg": "frequency limited"}, {}), 60),
        ("feishu", (429, {"code": 99991400, "msg": "trigger frequency limit"}, {"x-ogw-ratelimit-reset": "7"}), 7),
    ],
)  # fmt: skip
def test_a_rate_limit_answer_is_retried_later_not_failed(
    robot: Any, receiver: Any, settings: Any, kind: str, answer: Any, wait: int
) -> None:
    settings.ZHAOSHANG_NOTIFY_MAX_ATTEMPTS = 1  # a counted attempt would fail it for good
    config = robot(kind)
    (delivery,) = _deliveries(config, 1)
    receiver.answers = [answer]
    first = deliveries_send(now=NOW)
    delivery.refresh_from_db()
    assert (first.sent, first.failed, first.retrying, first.deferred) == (0, 0, 0, 1)
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    assert NOW + wait * SECOND <= delivery.next_attempt_at < NOW + (wait + 5) * SECOND
    assert "限流" in delivery.last_error and len(receiver.refused) == 1 and receiver.posts == []
    (attempt,) = DeliveryAttempt.objects.filter(delivery=delivery)
    assert not attempt.ok and "限流" in attempt.detail  # logged, though not counted

    # The robot is held for every worker: a new notification meanwhile waits for the same time, unposted.
    (newer,) = _deliveries(config, 1, start=1)
    assert deliveries_send(now=NOW + (wait / 2) * SECOND).deferred == 1
    newer.refresh_from_db()
    assert newer.next_attempt_at == delivery.next_attempt_at and len(receiver.refused) == 1

    later = deliveries_send(now=NOW + (wait + 5) * SECOND)
    assert later.sent == 2 and later.posts == 1  # both, in one post
    assert sorted(_numbers(receiver.posts)) == [0, 1]
    assert set(Delivery.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_a_bad_request_is_a_failed_attempt_not_a_rate_limit(robot: Any, receiver: Any) -> None:
    """飞书's 9499 "Bad Request" (malformed or over 20 KB) refuses the message: an attempt, tried again later."""
    config = robot("feishu")
    (delivery,) = _deliveries(config, 1)
    receiver.answers = [(400, {"code": 9499, "msg": "Bad Request", "data": {}}, {})]
    report = deliveries_send(now=NOW)
    delivery.refresh_from_db()
    assert (report.retrying, report.deferred) == (1, 0)
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error == "飞书 code 9499: Bad Request"


def test_wecom_batches_keep_under_4096_bytes(robot: Any, receiver: Any) -> None:
    config = robot("wecom")
    _deliveries(config, 50, long=True)
    report = deliveries_send(now=NOW)
    posts = receiver.at("/wecom/cgi-bin/webhook/send")
    sizes = [len(post.body["markdown"]["content"].encode()) for post in posts]
    assert (
        max(sizes) <= 4096 and len(posts) > 50 // robots.BATCH_ITEMS + 1
    )  # the size, not the count, cut them
    assert len(posts) <= 20 and report.sent == 50
    assert sorted(_numbers(posts)) == list(range(50))


def test_feishu_keeps_to_five_a_second(robot: Any, receiver: Any, monkeypatch: Any) -> None:
    """A window of a second is waited for inside the run: eight posts all go, never six in a second."""
    monkeypatch.setattr(robots, "BATCH_ITEMS", 1)
    config = robot("feishu", secret="feishu-secret")
    _deliveries(config, 8)
    report = deliveries_send(now=NOW)
    assert (report.sent, report.deferred) == (8, 0) and len(receiver.posts) == 8
    times = list(RobotPost.objects.filter(config=config).values_list("at", flat=True))
    assert _most_in_any_window(times, 1) <= 5


def test_the_post_log_is_pruned(robot: Any) -> None:
    config = robot("dingtalk")
    RobotPost.objects.create(config=config, at=NOW - robots.KEEP - SECOND, ok=True)
    RobotPost.objects.create(config=config, at=NOW - 60 * SECOND, ok=True)
    deliveries_send(now=NOW)
    assert list(RobotPost.objects.values_list("at", flat=True)) == [NOW - 60 * SECOND]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two connections writing at once: SQLite's in-memory test database locks whole tables; the PostgreSQL "
    "pass runs this (the shared count is also shown on both databases by test_another_workers_posts_count)",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_share_the_robots_minute(receiver: Any, monkeypatch: Any, settings: Any) -> None:
    from zhaoshang.core.factories import DistrictFactory

    monkeypatch.setattr(robots, "BATCH_ITEMS", 1)
    monkeypatch.setattr(sending, "CHUNK", 7)  # many small claims, so that the two workers interleave
    with acting_as(system_actor("test"), "system"):
        config = ChannelConfig.objects.create(
            district=DistrictFactory(adcode="370303"),
            name="钉钉群",
            kind="dingtalk",
            target=f"{receiver.url}{PATHS['dingtalk']}",
        )
        _deliveries(config, 60)
    actor = system_actor("notify")
    barrier = threading.Barrier(2)
    problems: list[BaseException] = []

    def worker() -> None:
        try:
            with acting_as(actor, "job"):
                barrier.wait(timeout=30)
                deliveries_send(now=NOW)
        except BaseException as error:  # noqa: BLE001  (reported by the main thread)
            problems.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert problems == []
    assert len(receiver.posts) == 20  # the robot's minute, shared by both
    assert len(set(_numbers(receiver.posts))) == 20
    assert Delivery.objects.filter(status="sent").count() == 20
    assert Delivery.objects.filter(status="pending", attempts=0).count() == 40


def test_the_command_says_how_many_posts_and_how_many_wait(robot: Any, receiver: Any) -> None:
    """`zhaoshang notify` tells the operator the robots' posts and what their rate limit held back."""
    from io import StringIO

    from django.core.management import call_command

    config = robot("dingtalk")
    _deliveries(config, 3)
    out = StringIO()
    call_command("notify", "--district", config.district.adcode, stdout=out)
    assert "群机器人:发帖 1 次,因频率限制顺延 0 条" in out.getvalue()
    assert len(receiver.posts) == 1

"""Sending for real: group robots to an HTTP receiver on the loopback (signatures checked here, with the
platforms' documented algorithms written out again), e-mail to an SMTP sink; at most once; retries."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import time
from typing import Any

from zhaoshang.notifications.models import ChannelConfig, Delivery, DeliveryAttempt, Notification, Rule

from .helpers import at, run, task


def _channels(world: dict[str, Any], receiver: Any) -> dict[str, ChannelConfig]:
    a = world["a"]
    return {
        "dingtalk": ChannelConfig.objects.create(
            district=a["district"], department=a["department"], name="钉钉群", kind="dingtalk",
            target=f"{receiver.url}/dingtalk/robot/send?access_token=tok", secret="SECdingtalk",
        ),
        "wecom": ChannelConfig.objects.create(
            district=a["district"], department=a["department"], name="企业微信群", kind="wecom",
            target=f"{receiver.url}/wecom/cgi-bin/webhook/send?key=wecom-key",
        ),
        "feishu": ChannelConfig.objects.create(
            district=a["district"], name="飞书群", kind="feishu",
            target=f"{receiver.url}/feishu/open-apis/bot/v2/hook/abc", secret="feishu-secret",
        ),
    }  # fmt: skip


def test_group_robots_receive_signed_posts(world: dict[str, Any], receiver: Any, smtp_sink: Any) -> None:
    _channels(world, receiver)
    a = world["a"]
    task(world, "a", due=world["today"] - datetime.timedelta(days=2), department=a["department"])
    before = time.time()
    report = run(world)
    assert report["events"][Rule.TASK_OVERDUE] == 1

    (ding,) = receiver.at("/dingtalk/robot/send")
    timestamp = ding.query["timestamp"]
    assert abs(int(timestamp) / 1000 - before) < 60  # milliseconds, now
    expected = base64.b64encode(
        hmac.new(b"SECdingtalk", f"{timestamp}\nSECdingtalk".encode(), hashlib.sha256).digest()
    ).decode()
    assert ding.query["sign"] == expected and ding.query["access_token"] == "tok"
    assert ding.body["msgtype"] == "markdown"
    assert "办理用地预审(a)" in ding.body["markdown"]["title"]

    (wecom,) = receiver.at("/wecom/cgi-bin/webhook/send")
    assert wecom.query == {"key": "wecom-key"}  # the group robot's only credential; no signature
    assert wecom.body["msgtype"] == "markdown" and "办理用地预审(a)" in wecom.body["markdown"]["content"]

    (feishu,) = receiver.at("/feishu/open-apis/bot/v2/hook/abc")
    ts = feishu.body["timestamp"]
    assert abs(int(ts) - before) < 60  # seconds
    key = f"{ts}\nfeishu-secret".encode()
    assert feishu.body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert feishu.body["msg_type"] == "text" and "办理用地预审(a)" in feishu.body["content"]["text"]

    group = Delivery.objects.filter(recipient__startswith="group:")
    assert sorted(group.values_list("status", flat=True)) == ["sent"] * 3
    assert DeliveryAttempt.objects.filter(delivery__in=group, ok=True).count() == 3


def test_email_reaches_the_smtp_sink(world: dict[str, Any], smtp_sink: Any) -> None:
    a = world["a"]
    task(world, "a", due=world["today"] + datetime.timedelta(days=1), owner=a["clerk"])
    report = run(world)
    assert report["sent"] == 1
    (mail,) = smtp_sink.mails
    assert mail.recipients == ["clerk.a@example.test"]
    assert mail.sender == "zhaoshang@example.test"
    assert "办理用地预审(a)" in mail.subject and "到期" in mail.subject
    assert "测试项目a" in mail.text
    delivery = Delivery.objects.get(channel="email")
    assert (delivery.status, delivery.attempts, delivery.user_id) == ("sent", 1, a["clerk"].pk)


def test_at_most_once_per_event_and_person(world: dict[str, Any], receiver: Any, smtp_sink: Any) -> None:
    _channels(world, receiver)
    a = world["a"]
    task(world, "a", due=world["today"] - datetime.timedelta(days=1), department=a["department"])
    first = run(world)
    assert first["notifications"] == 1 and first["sent"] == 4  # one mail, three robots
    second = run(world, now=at(world["today"], 11))
    third = run(world, now=at(world["today"] + datetime.timedelta(days=1), 9))
    assert second["notifications"] == third["notifications"] == 0
    assert second["deliveries"] == third["deliveries"] == second["sent"] == third["sent"] == 0
    assert len(receiver.posts) == 3 and len(smtp_sink.mails) == 1
    assert Notification.objects.filter(user=a["clerk"]).count() == 1


def test_a_changed_event_is_a_new_one(world: dict[str, Any], smtp_sink: Any) -> None:
    """A task whose due date moved is told again; the same date is not."""
    a = world["a"]
    item = task(world, "a", due=world["today"] - datetime.timedelta(days=1), owner=a["clerk"])
    run(world)
    item.due_date = world["today"] - datetime.timedelta(days=3)
    item.save()
    run(world, now=at(world["today"], 12))
    assert Notification.objects.filter(user=a["clerk"], rule=Rule.TASK_OVERDUE).count() == 2
    assert len(smtp_sink.mails) == 2


def test_retry_after_a_receiver_failure(world: dict[str, Any], receiver: Any, settings: Any) -> None:
    a = world["a"]
    ChannelConfig.objects.create(
        district=a["district"], name="钉钉群", kind="dingtalk",
        target=f"{receiver.url}/dingtalk/robot/send?access_token=tok", secret="SECx",
    )  # fmt: skip
    task(world, "a", due=world["today"] - datetime.timedelta(days=1), department=a["department"])
    receiver.failures = [500]
    now = at(world["today"])
    first = run(world, now=now)
    delivery = Delivery.objects.get(channel="dingtalk")
    assert first["retrying"] == 1  # the robot; the clerk's e-mail went out
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "HTTP 500")
    assert delivery.next_attempt_at == now + datetime.timedelta(seconds=300)

    early = run(world, now=now + datetime.timedelta(seconds=299))  # not yet due: nothing is tried
    assert early["sent"] == early["retrying"] == 0 and receiver.posts == []

    later = run(world, now=now + datetime.timedelta(seconds=300))
    delivery.refresh_from_db()
    assert later["sent"] == 1 and (delivery.status, delivery.attempts) == ("sent", 2)
    assert len(receiver.posts) == 1
    log = list(DeliveryAttempt.objects.filter(delivery=delivery).values_list("ok", "detail"))
    assert log == [(False, "HTTP 500"), (True, "ok")]


def test_gives_up_after_the_last_attempt(world: dict[str, Any], receiver: Any) -> None:
    a = world["a"]
    ChannelConfig.objects.create(
        district=a["district"], name="企业微信群", kind="wecom",
        target=f"{receiver.url}/wecom/cgi-bin/webhook/send?key=k",
    )  # fmt: skip
    task(world, "a", due=world["today"] - datetime.timedelta(days=1), department=a["department"])
    receiver.failures = [500, 502, 503, 500]
    now = at(world["today"])
    run(world, now=now)
    run(world, now=now + datetime.timedelta(seconds=300))  # 2nd try after 300 s
    last = run(world, now=now + datetime.timedelta(seconds=900))  # 3rd after 600 s more: the last (max 3)
    delivery = Delivery.objects.get(channel="wecom")
    assert last["failed"] == 1
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
    assert run(world, now=now + datetime.timedelta(days=2))["sent"] == 0 and receiver.posts == []
    details = list(DeliveryAttempt.objects.filter(delivery=delivery).values_list("detail", flat=True))
    assert details == ["HTTP 500", "HTTP 502", "HTTP 503"]


def test_unreachable_receiver_is_a_failed_attempt(world: dict[str, Any], receiver: Any) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    a = world["a"]
    ChannelConfig.objects.create(
        district=a["district"], name="飞书群", kind="feishu", target=f"http://127.0.0.1:{dead}/hook"
    )
    task(world, "a", due=world["today"] - datetime.timedelta(days=1), department=a["department"])
    run(world)
    delivery = Delivery.objects.get(channel="feishu")
    assert delivery.status == "pending" and delivery.attempts == 1 and delivery.last_error

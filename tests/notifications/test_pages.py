"""The inbox page with its unread count, the header badge, marking read, preferences, channel administration."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import Client
from django.urls import reverse

from zhaoshang.notifications.models import ChannelConfig, Notification, Preference, RuleSetting

from .helpers import run, task


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_inbox_shows_unread_count_and_marks_read(world: dict[str, Any]) -> None:
    a, b = world["a"], world["b"]
    task(world, "a", due=world["today"] - datetime.timedelta(days=1), owner=a["clerk"])
    task(world, "a", due=world["today"] + datetime.timedelta(days=1), owner=a["clerk"])
    task(world, "b", due=world["today"] - datetime.timedelta(days=1), owner=b["clerk"])
    run(world)
    client = _client(a["clerk"])
    page = client.get(reverse("notifications_inbox")).content.decode()
    assert 'id="notify-unread">2<' in page  # the header badge
    assert "2 条未读" in page and page.count('data-unread="1"') == 2
    assert "测试项目b" not in page  # another person's items

    first = Notification.objects.filter(user=a["clerk"]).first()
    response = client.post(reverse("notifications_read", args=[first.pk]), {"next": first.url})
    assert response.status_code == 302 and response["Location"] == first.url
    home = client.get(reverse("notifications_inbox")).content.decode()
    assert 'id="notify-unread">1<' in home

    # Another person's notification: untouched.
    theirs = Notification.objects.get(user=b["clerk"])
    client.post(reverse("notifications_read", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert theirs.read_at is None

    client.post(reverse("notifications_read_all"))
    assert not Notification.objects.filter(user=a["clerk"], read_at__isnull=True).exists()
    assert 'id="notify-unread"' not in client.get(reverse("notifications_inbox")).content.decode()


def test_offsite_next_is_refused(world: dict[str, Any]) -> None:
    a = world["a"]
    task(world, "a", due=world["today"] - datetime.timedelta(days=1), owner=a["clerk"])
    run(world)
    n = Notification.objects.get(user=a["clerk"])
    response = _client(a["clerk"]).post(
        reverse("notifications_read", args=[n.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("notifications_inbox")


def test_preferences_page(world: dict[str, Any]) -> None:
    a = world["a"]
    client = _client(a["clerk"])
    assert client.get(reverse("notifications_preferences")).status_code == 200
    response = client.post(
        reverse("notifications_preferences"), {"digest": "on", "muted": ["task_due", "site_stale"]}
    )
    assert response.status_code == 302
    preference = Preference.objects.get(user=a["clerk"])
    assert (preference.email, preference.digest, preference.muted) == (
        False,
        True,
        ["task_due", "site_stale"],
    )


def test_channel_administration(world: dict[str, Any], users: dict[str, Any]) -> None:
    a, b = world["a"], world["b"]
    a["admin"].is_staff = True
    a["admin"].save()
    client = _client(a["admin"])
    assert client.get(reverse("notifications_channels")).status_code == 200
    response = client.post(
        reverse("notifications_channel_add"),
        {
            "district": a["district"].pk, "department": a["department"].pk, "name": "自然资源群",
            "kind": "dingtalk", "target": "https://oapi.dingtalk.com/robot/send?access_token=x",
            "secret": "SEC1", "rules": ["task_overdue"], "active": "on",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()
    config = ChannelConfig.objects.get(name="自然资源群")
    assert (config.district, config.rules, config.secret) == (a["district"], ["task_overdue"], "SEC1")
    # Another district's: refused (not a choice of the form).
    response = client.post(
        reverse("notifications_channel_add"),
        {
            "district": b["district"].pk,
            "name": "B",
            "kind": "wecom",
            "target": "https://qyapi.weixin.qq.com/x",
        },
    )
    assert response.status_code == 400 and not ChannelConfig.objects.filter(name="B").exists()
    # A clerk is not an administrator.
    assert _client(a["clerk"]).get(reverse("notifications_channels")).status_code == 403
    # Rules with lead days for the district.
    client.post(
        reverse("notifications_rules", args=[a["district"].pk]),
        {"enabled_task_due": "on", "lead_task_due": "5", "lead_step_due": "2"},
    )
    setting = RuleSetting.objects.get(district=a["district"], rule="task_due")
    assert (setting.enabled, setting.lead_days) == (True, 5)
    assert RuleSetting.objects.get(district=a["district"], rule="step_due").enabled is False
    assert client.post(reverse("notifications_rules", args=[b["district"].pk]), {}).status_code == 404

"""Per-person preferences: no e-mail for who turned it off (the inbox still has it); a daily digest groups the
day's items in one mail, once a day."""

from __future__ import annotations

import datetime
from typing import Any

from zhaoshang.notifications.models import Delivery, Notification, Preference, Rule

from .helpers import at, run, task


def test_email_off_means_no_mail(world: dict[str, Any], smtp_sink: Any) -> None:
    a = world["a"]
    Preference.objects.create(user=a["clerk"], email=False)
    task(world, "a", due=world["today"] - datetime.timedelta(days=1), owner=a["clerk"])
    task(world, "a", due=world["today"] - datetime.timedelta(days=1), owner=a["officer"])
    run(world)
    assert [m.recipients for m in smtp_sink.mails] == [["officer.a@example.test"]]
    assert Notification.objects.filter(user=a["clerk"]).count() == 1  # still in her inbox


def test_muted_rule_is_not_mailed(world: dict[str, Any], smtp_sink: Any) -> None:
    a = world["a"]
    Preference.objects.create(user=a["clerk"], muted=[Rule.TASK_DUE])
    task(world, "a", due=world["today"] + datetime.timedelta(days=1), owner=a["clerk"])
    late = task(world, "a", due=world["today"] - datetime.timedelta(days=1), owner=a["clerk"])
    run(world)
    (mail,) = smtp_sink.mails
    assert late.title in mail.subject and "逾期" in mail.subject


def test_digest_groups_the_days_items(world: dict[str, Any], smtp_sink: Any, settings: Any) -> None:
    a = world["a"]
    settings.ZHAOSHANG_NOTIFY_DIGEST_HOUR = 8
    Preference.objects.create(user=a["clerk"], digest=True)
    task(world, "a", due=world["today"] - datetime.timedelta(days=1), owner=a["clerk"])
    task(world, "a", due=world["today"] + datetime.timedelta(days=1), owner=a["clerk"])
    early = run(world, now=at(world["today"], 7))  # before the digest hour: items, no mail
    assert early["notifications"] == 2 and early["digests"] == 0 and smtp_sink.mails == []

    run(world, now=at(world["today"], 8))
    (mail,) = smtp_sink.mails
    assert mail.recipients == ["clerk.a@example.test"]
    assert "每日提醒汇总" in mail.subject and "2 条" in mail.subject
    assert mail.text.count("办理用地预审(a)") == 2  # both items in the one mail
    assert Delivery.objects.filter(rule="digest").count() == 1

    # Later the same day: a new item, but no second digest until tomorrow; then it holds only the new item.
    task(world, "a", due=world["today"] - datetime.timedelta(days=3), owner=a["clerk"])
    run(world, now=at(world["today"], 15))
    assert len(smtp_sink.mails) == 1
    run(world, now=at(world["today"] + datetime.timedelta(days=1), 8))
    assert len(smtp_sink.mails) == 2
    assert "1 条" in smtp_sink.mails[1].subject

"""The ways a message leaves: e-mail through Django's mail settings, and the group robots of 钉钉, 企业微信, 飞书.

Each sender takes a `Message` and raises `SendError` when the far side did not take it (so the delivery is tried
again later), `RateLimited` when the platform refused it for its rate limit. The inbox is not a sender: the inbox
row is the notification itself. `ROBOTS` holds each robot platform's limits (see `base.Platform`).
"""

from __future__ import annotations

from collections.abc import Callable

from zhaoshang.notifications.channels import dingtalk, feishu, wecom
from zhaoshang.notifications.channels.base import Message, Platform, RateLimited, SendError
from zhaoshang.notifications.channels.dingtalk import send_dingtalk
from zhaoshang.notifications.channels.email import send_email
from zhaoshang.notifications.channels.feishu import send_feishu
from zhaoshang.notifications.channels.wecom import send_wecom

SENDERS: dict[str, Callable[[Message], None]] = {
    "email": send_email,
    "dingtalk": send_dingtalk,
    "wecom": send_wecom,
    "feishu": send_feishu,
}

ROBOTS: dict[str, Platform] = {p.kind: p for p in (dingtalk.PLATFORM, wecom.PLATFORM, feishu.PLATFORM)}

__all__ = ["ROBOTS", "SENDERS", "Message", "Platform", "RateLimited", "SendError"]

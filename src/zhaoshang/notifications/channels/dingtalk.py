"""钉钉 custom group robot: markdown message; with 加签 the URL carries `timestamp` (ms) and `sign`.

sign = urlencode(base64(HMAC-SHA256(key=secret, msg="{timestamp}\\n{secret}"))) — 钉钉 开放平台, 自定义机器人安全设置.
The answer is `{"errcode": 0, "errmsg": "ok"}` when the message was taken.

Limits (钉钉开放平台, 自定义机器人接入, "调用频率限制"): "每个机器人每分钟最多发送20条消息到群里,
如果超过20条,会限流10分钟" — and it advises folding many messages into one markdown summary, which is what a
batch is. Past the limit the answer is `{"errcode": 130101, "errmsg": "send too fast, exceed 20 times per
minute"}`. A body over 20,000 bytes is refused (`{"errcode": 460101, "errmsg": "message too long, exceed 20000
bytes"}`), so a post stays under it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse
from typing import Any

from zhaoshang.notifications.channels.base import Message, Platform, encoded, judge, post_json

THROTTLED = frozenset({130101})
PENALTY = 600.0  # "限流10分钟"


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    return base64.b64encode(hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()).decode()


def dingtalk_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    if not secret:
        return url
    timestamp_ms = timestamp_ms if timestamp_ms is not None else round(time.time() * 1000)
    query = urllib.parse.urlencode({"timestamp": timestamp_ms, "sign": dingtalk_sign(secret, timestamp_ms)})
    return f"{url}{'&' if '?' in url else '?'}{query}"


def _payload(message: Message) -> dict[str, Any]:
    text = f"### {message.subject}\n\n{message.body}"
    if message.url:
        text += f"\n\n[查看详情]({message.url})"
    return {"msgtype": "markdown", "markdown": {"title": message.subject, "text": text}}


def send_dingtalk(message: Message) -> None:
    answer = post_json(dingtalk_url(message.address, message.secret), _payload(message))
    code = answer.body.get("errcode", 0)
    judge(
        answer,
        name="钉钉 errcode",
        code=code,
        text=answer.body.get("errmsg", ""),
        throttled=THROTTLED,
        pause=PENALTY,
    )


PLATFORM = Platform(
    kind="dingtalk",
    send=send_dingtalk,
    windows=((20, 60.0),),
    size=lambda message: len(encoded(_payload(message))),
    max_bytes=20_000,
    markdown=True,
    pause=PENALTY,
)

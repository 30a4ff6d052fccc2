"""飞书 custom bot: text message; with 签名校验 the body carries `timestamp` (seconds) and `sign`.

sign = base64(HMAC-SHA256(key="{timestamp}\\n{secret}", msg=b"")) — 飞书开放平台, 自定义机器人使用指南.
The answer is `{"code": 0, "msg": "success"}` (older bots: `{"StatusCode": 0}`) when the message was taken.

Limits (飞书开放平台, 频控策略): "自定义机器人的频率控制和普通应用不同,为单租户单机器人 100 次/分钟,5 次/秒", and
sending at busy times (10:00, 17:30) may meet a "11232 限流错误"; the gateway's own limit answers HTTP 429 with
`x-ogw-ratelimit-reset` (seconds to wait). The request body may not exceed 20 KB (自定义机器人使用指南; past it,
or malformed, the answer is code 9499 "Bad Request" — a refusal of the message, not a rate limit).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from zhaoshang.notifications.channels.base import Message, Platform, encoded, judge, post_json, text_of

THROTTLED = frozenset({11232})
PAUSE = 60.0


def feishu_sign(secret: str, timestamp: int) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def _payload(message: Message) -> dict[str, Any]:
    payload: dict[str, Any] = {"msg_type": "text", "content": {"text": text_of(message)}}
    if message.secret:
        timestamp = int(time.time())
        payload = {"timestamp": str(timestamp), "sign": feishu_sign(message.secret, timestamp), **payload}
    return payload


def send_feishu(message: Message) -> None:
    answer = post_json(message.address, _payload(message))
    code = answer.body.get("code", answer.body.get("StatusCode", 0))
    text = answer.body.get("msg", answer.body.get("StatusMessage", ""))
    judge(answer, name="飞书 code", code=code, text=text, throttled=THROTTLED, pause=PAUSE)


PLATFORM = Platform(
    kind="feishu",
    send=send_feishu,
    windows=((100, 60.0), (5, 1.0)),
    # The signature adds about 90 bytes; 20 KB is 20,480 — keep a margin under 20,000.
    size=lambda message: len(encoded(_payload(message))) + 100,
    max_bytes=20_000,
    markdown=False,
    pause=PAUSE,
)

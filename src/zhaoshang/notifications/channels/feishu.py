"""飞书 custom bot: text message; with 签名校验 the body carries `timestamp` (seconds) and `sign`.

sign = base64(HMAC-SHA256(key="{timestamp}\\n{secret}", msg=b"")) — 飞书开放平台, 自定义机器人使用指南.
The answer is `{"code": 0, "msg": "success"}` (older bots: `{"StatusCode": 0}`) when the message was taken.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from zhaoshang.notifications.channels.base import Message, SendError, post_json, text_of


def feishu_sign(secret: str, timestamp: int) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def send_feishu(message: Message) -> None:
    payload: dict[str, Any] = {"msg_type": "text", "content": {"text": text_of(message)}}
    if message.secret:
        timestamp = int(time.time())
        payload = {"timestamp": str(timestamp), "sign": feishu_sign(message.secret, timestamp), **payload}
    answer = post_json(message.address, payload)
    code = answer.get("code", answer.get("StatusCode", 0))
    if code != 0:
        raise SendError(f"飞书 code {code}: {answer.get('msg', answer.get('StatusMessage', ''))}"[:300])

"""钉钉 custom group robot: markdown message; with 加签 the URL carries `timestamp` (ms) and `sign`.

sign = urlencode(base64(HMAC-SHA256(key=secret, msg="{timestamp}\\n{secret}"))) — 钉钉 开放平台, 自定义机器人安全设置.
The answer is `{"errcode": 0, "errmsg": "ok"}` when the message was taken.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse

from zhaoshang.notifications.channels.base import Message, SendError, post_json


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    return base64.b64encode(hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()).decode()


def dingtalk_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    if not secret:
        return url
    timestamp_ms = timestamp_ms if timestamp_ms is not None else round(time.time() * 1000)
    query = urllib.parse.urlencode({"timestamp": timestamp_ms, "sign": dingtalk_sign(secret, timestamp_ms)})
    return f"{url}{'&' if '?' in url else '?'}{query}"


def send_dingtalk(message: Message) -> None:
    text = f"### {message.subject}\n\n{message.body}"
    if message.url:
        text += f"\n\n[查看详情]({message.url})"
    payload = {"msgtype": "markdown", "markdown": {"title": message.subject, "text": text}}
    answer = post_json(dingtalk_url(message.address, message.secret), payload)
    if answer.get("errcode", 0) != 0:
        raise SendError(f"钉钉 errcode {answer.get('errcode')}: {answer.get('errmsg', '')}"[:300])

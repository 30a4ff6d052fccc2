"""企业微信 group robot: POST to `.../cgi-bin/webhook/send?key=KEY`; the key in the URL is the only credential
(the group robot has no signing). Markdown message; the answer is `{"errcode": 0, "errmsg": "ok"}`."""

from __future__ import annotations

from zhaoshang.notifications.channels.base import Message, SendError, post_json


def send_wecom(message: Message) -> None:
    content = f"**{message.subject}**\n{message.body}"
    if message.url:
        content += f"\n[查看详情]({message.url})"
    answer = post_json(message.address, {"msgtype": "markdown", "markdown": {"content": content[:4000]}})
    if answer.get("errcode", 0) != 0:
        raise SendError(f"企业微信 errcode {answer.get('errcode')}: {answer.get('errmsg', '')}"[:300])

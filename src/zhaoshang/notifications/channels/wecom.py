"""企业微信 group robot: POST to `.../cgi-bin/webhook/send?key=KEY`; the key in the URL is the only credential
(the group robot has no signing). Markdown message; the answer is `{"errcode": 0, "errmsg": "ok"}`.

Limits (企业微信开发者中心, 群机器人配置说明, "消息发送频率限制"): "每个机器人发送的消息不能超过20条/分钟"; a markdown
message's content is "最长不超过4096个字节,必须是utf8编码" (past it: errcode 40058 "markdown.content exceed max
length 4096"). Past the rate the answer is errcode 45009 (接口调用超过限制).
"""

from __future__ import annotations

from zhaoshang.notifications.channels.base import Message, Platform, clip, judge, post_json

THROTTLED = frozenset({45009})
MAX_BYTES = 4096
PAUSE = 60.0


def _content(message: Message) -> str:
    content = f"**{message.subject}**\n{message.body}"
    if message.url:
        content += f"\n[查看详情]({message.url})"
    return content


def send_wecom(message: Message) -> None:
    payload = {"msgtype": "markdown", "markdown": {"content": clip(_content(message), MAX_BYTES)}}
    answer = post_json(message.address, payload)
    code = answer.body.get("errcode", 0)
    judge(
        answer,
        name="企业微信 errcode",
        code=code,
        text=answer.body.get("errmsg", ""),
        throttled=THROTTLED,
        pause=PAUSE,
    )


PLATFORM = Platform(
    kind="wecom",
    send=send_wecom,
    windows=((20, 60.0),),
    size=lambda message: len(_content(message).encode("utf-8")),
    max_bytes=MAX_BYTES,
    markdown=True,
    pause=PAUSE,
)

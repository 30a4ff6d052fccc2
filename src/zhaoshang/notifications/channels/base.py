"""What every sender shares: the message, the error, and one JSON POST with a timeout."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class Message:
    address: str  # e-mail address or webhook URL
    subject: str
    body: str
    url: str = ""  # an absolute link to the page behind it, when the site's address is configured
    secret: str = ""


class SendError(Exception):
    """The far side did not take the message; the text says why (without secrets)."""


def post_json(url: str, payload: dict[str, Any]) -> dict[str, Any]:
    """POST the payload; a non-2xx answer, an unreadable one or a transport error is a `SendError`."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=float(settings.ZHAOSHANG_NOTIFY_TIMEOUT)) as response:
            raw = response.read()
    except urllib.error.HTTPError as error:
        raise SendError(f"HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        raise SendError(f"{type(error).__name__}: {getattr(error, 'reason', error)}") from None
    try:
        answer = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        raise SendError("unreadable answer") from None
    return answer if isinstance(answer, dict) else {}


def text_of(message: Message) -> str:
    return "\n".join(part for part in (message.subject, message.body, message.url) if part)

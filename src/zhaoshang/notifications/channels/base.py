"""What every sender shares: the message, the errors, one JSON POST with a timeout, and a platform's limits.

A group robot's platform limits how often it may post and how large a post may be (`Platform`); the figures and
where they are documented are in each platform's module. `notifications.robots` keeps to them: it counts the
posts of the last minute per robot from the database (so that two workers share the count), packs several
notifications of one run into one post, and puts a delivery back for later when the platform answers "too many".
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
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


class RateLimited(SendError):
    """The platform refused the post for its rate limit: not a failed attempt; try again after `retry_after` s."""

    def __init__(self, text: str, retry_after: float | None = None) -> None:
        super().__init__(text)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    retry_after: float | None = (
        None  # what the platform asked to wait (Retry-After, x-ogw-ratelimit-reset), s
    )


@dataclass(frozen=True)
class Platform:
    """A group robot's platform: how to post, how often and how much."""

    kind: str
    send: Callable[[Message], None]
    # (posts, seconds): at most that many posts in any window of that length, per robot.
    windows: tuple[tuple[int, float], ...]
    size: Callable[[Message], int]  # the bytes of a message that count against `max_bytes`
    max_bytes: int
    markdown: bool  # a batch is a markdown list (links as [title](url)), else numbered plain lines
    pause: float  # how long to wait after the platform answered "too many" and did not say how long, s


def _seconds(headers: Mapping[str, str] | None) -> float | None:
    if not headers:
        return None
    for name in ("x-ogw-ratelimit-reset", "Retry-After"):
        value = headers.get(name)
        if value:
            try:
                return max(float(value), 0.0)
            except ValueError:
                continue
    return None


def _json(raw: bytes) -> dict[str, Any] | None:
    try:
        answer = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        return None
    return answer if isinstance(answer, dict) else None


def encoded(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def post_json(url: str, payload: dict[str, Any]) -> Answer:
    """POST the payload. HTTP 429 is `RateLimited`; another non-2xx answer with a JSON body is returned for the
    platform to read its code (飞书 answers some refusals with HTTP 400 and a code); without one, and on an
    unreadable answer or a transport error, a `SendError`."""
    request = urllib.request.Request(
        url, data=encoded(payload), method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=float(settings.ZHAOSHANG_NOTIFY_TIMEOUT)) as response:
            raw, status, headers = response.read(), response.status, response.headers
    except urllib.error.HTTPError as error:
        wait = _seconds(error.headers)
        if error.code == 429:
            raise RateLimited("HTTP 429", retry_after=wait) from None
        try:
            body = _json(error.read())
        except OSError:
            body = None
        if body is None:
            raise SendError(f"HTTP {error.code}") from None
        return Answer(error.code, body, wait)
    except (urllib.error.URLError, OSError) as error:
        raise SendError(f"{type(error).__name__}: {getattr(error, 'reason', error)}") from None
    body = _json(raw)
    if body is None:
        raise SendError("unreadable answer")
    return Answer(status, body, _seconds(headers))


def judge(
    answer: Answer, *, name: str, code: Any, text: Any, throttled: frozenset[int], pause: float
) -> None:
    """The platform's verdict: 0 is taken; a rate-limit code is `RateLimited`; anything else a `SendError`."""
    if code in throttled:
        raise RateLimited(f"{name} {code}: {text}"[:300], retry_after=answer.retry_after or pause)
    if code != 0:
        raise SendError(f"{name} {code}: {text}"[:300])
    if answer.status >= 300:
        raise SendError(f"HTTP {answer.status}")


def clip(text: str, max_bytes: int) -> str:
    """The text cut to at most `max_bytes` of UTF-8 (never inside a character), with "…" when cut."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[: max(max_bytes - 3, 0)].decode("utf-8", "ignore") + "…"


def text_of(message: Message) -> str:
    return "\n".join(part for part in (message.subject, message.body, message.url) if part)

"""Posting to group robots within their platforms' limits: batched, throttled per robot, put back when refused.

A run may have many notifications for one department's group: fifty overdue steps are fifty deliveries to the
same 钉钉 robot, which takes 20 posts a minute (and then refuses the robot for ten minutes). So:

- **Batch.** The deliveries of a chunk that go to one robot are packed into as few posts as fit: one notification
  is posted as it is; several become one message listing them (a markdown list on 钉钉 and 企业微信, numbered
  lines on 飞书), at most `BATCH_ITEMS` to a post and within the platform's size limit (`Platform.max_bytes`).
- **Throttle.** Before each post the robot's posts in the platform's windows (20 in 60 s; on 飞书 also 5 in 1 s)
  are counted from `RobotPost`, under a lock on the robot's `ChannelConfig` row (`SELECT … FOR UPDATE` where the
  database has it), and the post is written there before it leaves: two workers share one count. A window that
  frees within `SHORT_WAIT` is waited for; otherwise the robot's remaining deliveries go back to pending with the
  time the window frees (`next_attempt_at`) — not an attempt, not a failure — and the next run sends them.
- **Refused for the rate.** When the platform answers with its rate-limit code (钉钉 130101, 企业微信 45009, 飞书
  11232 or HTTP 429) the post's deliveries go back the same way, after the wait it asked for (or its documented
  penalty), logged as an attempt that does not count towards the last one; the robot is held (`RobotPost.until`)
  for every worker until then.

Times: the run has one `now` (tests pass a fixed one); the posts are stamped `now` plus the time the run has
taken, so that a run lasting minutes counts its own posts where they fall.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from zhaoshang.notifications.channels import ROBOTS, SENDERS, Message, Platform, RateLimited, SendError
from zhaoshang.notifications.models import ChannelConfig, Delivery, RobotPost

logger = logging.getLogger(__name__)

BATCH_ITEMS = 20  # notifications in one post at most: a longer list is not read in a group chat
SHORT_WAIT = 2.0  # s: a window that frees sooner is waited for in the run (飞书's 5 a second)
KEEP = datetime.timedelta(days=30)  # how long the post log is kept
BODY_CHARS = 80  # of each notification's text in a batch's list


@dataclass
class Outcome:
    """What became of a chunk's robot deliveries: {delivery id: error} for the failed, {delivery id: (time, detail)}
    for those put back for later (detail "" when no post was tried), and the posts made."""

    errors: dict[int, str] = field(default_factory=dict)
    deferred: dict[int, tuple[datetime.datetime, str]] = field(default_factory=dict)
    posts: int = 0


def _line(message: Message, index: int, markdown: bool) -> str:
    body = " ".join(message.body.split())
    if len(body) > BODY_CHARS:
        body = body[: BODY_CHARS - 1] + "…"
    if markdown:
        title = f"[{message.subject}]({message.url})" if message.url else f"**{message.subject}**"
        return f"- {title}" + (f" · {body}" if body else "")
    parts = [f"{index}. {message.subject}", body, message.url]
    return " · ".join(part for part in parts if part)


def batch_message(messages: list[Message], platform: Platform) -> Message:
    """One message for several: the first as it is when alone, else a list under a count."""
    if len(messages) == 1:
        return messages[0]
    first = messages[0]
    lines = [_line(m, i, platform.markdown) for i, m in enumerate(messages, 1)]
    return Message(
        address=first.address,
        subject=_("招商平台提醒(%(n)s 条)") % {"n": len(messages)},
        body="\n".join(lines),
        secret=first.secret,
    )


def pack(messages: list[Message], platform: Platform) -> list[list[int]]:
    """The messages' indexes in posts, in order: as many to a post as fit in its size and `BATCH_ITEMS`. A message
    too large by itself goes alone (the sender cuts it to the limit)."""
    posts: list[list[int]] = []
    current: list[int] = []
    for index in range(len(messages)):
        candidate = [*current, index]
        fits = len(candidate) <= BATCH_ITEMS and (
            platform.size(batch_message([messages[i] for i in candidate], platform)) <= platform.max_bytes
        )
        if fits or not current:
            current = candidate
        else:
            posts.append(current)
            current = [index]
    if current:
        posts.append(current)
    return posts


def _free_at(config_id: int, platform: Platform, at: datetime.datetime) -> datetime.datetime | None:
    """When the robot may post next, if not at `at`: the latest of its windows' freeing and any hold."""
    longest = max(seconds for _, seconds in platform.windows)
    recent = list(
        RobotPost.objects.filter(config_id=config_id)
        .filter(Q(at__gt=at - datetime.timedelta(seconds=longest)) | Q(until__gt=at))
        .order_by("-at")
        .values_list("at", "until")
    )
    free: datetime.datetime | None = None
    for _at, until in recent:
        if until and until > at:
            free = max(free or until, until)
    for limit, seconds in platform.windows:
        window = [t for t, _until in recent if t > at - datetime.timedelta(seconds=seconds)]
        if len(window) >= limit:
            # The window frees when the limit-th most recent post leaves it.
            leaves = window[limit - 1] + datetime.timedelta(seconds=seconds)
            free = max(free or leaves, leaves)
    return free if free and free > at else None


def _reserve(
    config_id: int, platform: Platform, items: int, clock: Callable[[], datetime.datetime]
) -> RobotPost | datetime.datetime:
    """A post written for the robot now, or the time it may post (waiting here for a window of seconds)."""
    while True:
        at = clock()
        with transaction.atomic():
            # No ordering: the model's (district, department) would join a nullable side, which FOR UPDATE refuses.
            rows = ChannelConfig.objects.filter(pk=config_id).order_by()
            if connection.features.has_select_for_update:
                rows = rows.select_for_update(of=("self",))
            list(rows.values_list("pk", flat=True))  # the lock: one worker counts and writes at a time
            free = _free_at(config_id, platform, at)
            if free is None:
                return RobotPost.objects.create(config_id=config_id, at=at, items=items)
        wait = (free - at).total_seconds()
        if wait > SHORT_WAIT:
            return free
        time.sleep(wait)


def _post(message: Message, kind: str) -> None:
    SENDERS[kind](message)


def send_robot_posts(
    rows: list[Delivery], messages: dict[int, Message], clock: Callable[[], datetime.datetime]
) -> Outcome:
    """Post a chunk's robot deliveries (see the module's docstring); `messages` by delivery id."""
    outcome = Outcome()
    by_robot: dict[tuple[int | None, str], list[Delivery]] = defaultdict(list)
    for row in rows:
        by_robot[(row.config_id, row.channel)].append(row)
    for (config_id, kind), group in by_robot.items():
        platform = ROBOTS.get(kind)
        if platform is None or config_id is None:
            for row in group:  # not a robot this module knows: one plain post each, as before
                try:
                    if kind not in SENDERS:
                        raise SendError(f"unknown channel {kind}")
                    _post(messages[row.pk], kind)
                except SendError as error:
                    outcome.errors[row.pk] = str(error)[:500]
            continue
        _robot(config_id, platform, group, messages, clock, outcome)
    return outcome


def _robot(
    config_id: int,
    platform: Platform,
    group: list[Delivery],
    messages: dict[int, Message],
    clock: Callable[[], datetime.datetime],
    outcome: Outcome,
) -> None:
    batches = [[group[i] for i in post] for post in pack([messages[row.pk] for row in group], platform)]
    for number, batch in enumerate(batches):
        slot = _reserve(config_id, platform, len(batch), clock)
        if isinstance(slot, datetime.datetime):
            # The robot's window is full: this post and the rest wait for the next run.
            for later in batches[number:]:
                for row in later:
                    outcome.deferred[row.pk] = (slot, "")
            return
        message = batch_message([messages[row.pk] for row in batch], platform)
        try:
            platform.send(message)
        except RateLimited as error:
            until = slot.at + datetime.timedelta(seconds=error.retry_after or platform.pause)
            detail = f"{_('限流')}: {error}"[:300]
            RobotPost.objects.filter(pk=slot.pk).update(ok=False, detail=detail, until=until)
            logger.warning("robot %s refused for its rate limit until %s: %s", config_id, until, error)
            for row in batch:
                outcome.deferred[row.pk] = (until, detail)
            for later in batches[number + 1 :]:
                for row in later:
                    outcome.deferred[row.pk] = (until, "")
            return
        except SendError as error:
            detail = str(error)[:300]
            RobotPost.objects.filter(pk=slot.pk).update(ok=False, detail=detail)
            for row in batch:
                outcome.errors[row.pk] = str(error)[:500]
            continue
        RobotPost.objects.filter(pk=slot.pk).update(ok=True, detail="ok")
        outcome.posts += 1


def robot_posts_prune(now: datetime.datetime) -> int:
    """The post log past `KEEP`: it is only counted over minutes, kept a while to be read."""
    deleted, _kinds = RobotPost.objects.filter(at__lt=now - KEEP).delete()
    return deleted

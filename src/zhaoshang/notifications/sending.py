"""Sending what is due, in chunks: claim, send, log, mark — a fixed number of writes per chunk, not per message.

A chunk of due deliveries is claimed with one `UPDATE … WHERE id IN (…) AND status = 'pending' RETURNING id`
inside the transaction that picked the ids (`SELECT … FOR UPDATE SKIP LOCKED` where the database has it): a
second worker skips the rows the first holds, and the status re-check makes the update a claim even where rows
cannot be locked (SQLite serialises the writes). Only the returned ids are sent, so a delivery goes out at most
once. The e-mails of a chunk share one SMTP connection (`get_connection()`, `send_messages`); the chunk's posts
to one group robot are batched and kept within the platform's rate limit (`notifications.robots`).
Then the attempts are written with one `bulk_create` and the outcomes with one update for the sent and one
`bulk_update` for the rest: pending again after a growing pause, or failed for good after the last attempt — or,
for a robot that was full or answered "too many", pending again at the time it frees, the claim not counted.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from zhaoshang.notifications.channels import Message
from zhaoshang.notifications.channels.base import text_of
from zhaoshang.notifications.models import ChannelConfig, Delivery, DeliveryAttempt
from zhaoshang.notifications.robots import Outcome, robot_posts_prune, send_robot_posts

logger = logging.getLogger(__name__)

CHUNK = 500  # deliveries claimed, sent and recorded together
# How long a claimed chunk is a worker's: far beyond a chunk's sending time (about a second here).
LEASE = datetime.timedelta(minutes=15)
# The server refused this message (the session goes on); other errors reopen the connection.
REFUSALS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


@dataclass
class RunReport:
    date: str
    events: dict[str, int] = field(default_factory=dict)
    notifications: int = 0
    deliveries: int = 0
    digests: int = 0
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    deferred: int = 0  # robot deliveries put back for the robot's rate limit (sent by a later run)
    posts: int = 0  # posts to group robots (one may carry several notifications)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _backoff(attempts: int) -> datetime.timedelta:
    base = float(settings.ZHAOSHANG_NOTIFY_RETRY_SECONDS)
    return datetime.timedelta(seconds=base * 2 ** max(0, attempts - 1))


def _absolute(url: str) -> str:
    site = str(getattr(settings, "ZHAOSHANG_SITE_URL", "") or "").rstrip("/")
    return f"{site}{url}" if site and url.startswith("/") else ""


def _claimed_chunks(now: datetime.datetime) -> Iterator[list[Delivery]]:
    """Due deliveries in id order, a chunk at a time, each already marked `sending` by this process (its
    `attempts` counted). The walk goes forward by id, so a delivery put back in this run is not tried twice."""
    table = connection.ops.quote_name(Delivery._meta.db_table)
    # A chunk whose worker died while sending stays `sending` past its lease: put it back to be sent again (at
    # least once rather than never — its attempt was counted, and a mail that did leave may go twice).
    Delivery.objects.filter(status=Delivery.Status.SENDING, next_attempt_at__lte=now).update(
        status=Delivery.Status.PENDING
    )
    lease = now + LEASE
    after = 0
    while True:
        with transaction.atomic():
            due = (
                Delivery.objects.filter(status=Delivery.Status.PENDING, pk__gt=after)
                .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
                .order_by("pk")
            )
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True)
            ids = list(due.values_list("pk", flat=True)[:CHUNK])
            if not ids:
                return
            after = ids[-1]
            marks = ", ".join(["%s"] * len(ids))
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET status = %s, attempts = attempts + 1, next_attempt_at = %s "  # noqa: S608
                    f"WHERE id IN ({marks}) AND status = %s RETURNING id",  # (ids are ints)
                    [
                        Delivery.Status.SENDING,
                        connection.ops.adapt_datetimefield_value(lease),
                        *ids,
                        Delivery.Status.PENDING,
                    ],
                )
                claimed = [row[0] for row in cursor.fetchall()]
        if claimed:
            yield list(Delivery.objects.filter(pk__in=claimed).order_by("pk"))


def _message(delivery: Delivery, secrets: dict[int, str]) -> Message:
    return Message(
        address=delivery.address,
        subject=delivery.subject,
        body=delivery.body,
        url=_absolute(delivery.url),
        secret=secrets.get(delivery.config_id, "") if delivery.config_id else "",
    )


def _send_mails(rows: list[Delivery], secrets: dict[int, str]) -> dict[int, str]:
    """The chunk's e-mails over one SMTP connection; returns {delivery id: error} for those not taken."""
    errors: dict[int, str] = {}
    if not rows:
        return errors
    mailer = get_connection(fail_silently=False)
    try:
        mailer.open()
    except (smtplib.SMTPException, OSError) as error:
        detail = f"{type(error).__name__}: {error}"[:300]
        return {row.pk: detail for row in rows}
    broken = False
    try:
        for row in rows:
            if broken:  # start the rest of the chunk on a new connection
                broken = False
                try:
                    mailer.close()
                    mailer.open()
                except (smtplib.SMTPException, OSError):
                    pass
            message = _message(row, secrets)
            mail = EmailMessage(
                subject=message.subject,
                body=text_of(message),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[message.address],
                connection=mailer,
            )
            try:
                if not mailer.send_messages([mail]):
                    errors[row.pk] = "not sent"
            except (smtplib.SMTPException, OSError) as error:
                errors[row.pk] = f"{type(error).__name__}: {error}"[:300]
                # A refused address or message leaves the session usable; anything else may have broken it.
                broken = not isinstance(error, REFUSALS)
    finally:
        try:
            mailer.close()
        except (smtplib.SMTPException, OSError):
            pass
    return errors


def _send_posts(rows: list[Delivery], secrets: dict[int, str], clock: Any) -> Outcome:
    """Group robots: batched per robot, within its rate limit (see `notifications.robots`)."""
    if not rows:
        return Outcome()
    return send_robot_posts(rows, {row.pk: _message(row, secrets) for row in rows}, clock)


def _record(
    rows: list[Delivery],
    errors: dict[int, str],
    now: datetime.datetime,
    report: RunReport,
    deferred: dict[int, tuple[datetime.datetime, str]] | None = None,
) -> None:
    """One chunk's outcome: the attempts in one insert, the sent in one update, the rest in one bulk update."""
    max_attempts = int(settings.ZHAOSHANG_NOTIFY_MAX_ATTEMPTS)
    deferred = deferred or {}
    attempts = []
    sent: list[int] = []
    changed: list[Delivery] = []
    for row in rows:
        if row.pk in deferred:
            # Back to pending for the robot's rate limit: the claim's count is undone, so the wait never uses
            # up the attempts; a post the platform refused is still logged.
            at, detail = deferred[row.pk]
            if detail:
                attempts.append(DeliveryAttempt(delivery=row, at=now, ok=False, detail=detail))
                row.last_error = detail
            row.status = Delivery.Status.PENDING
            row.attempts = max(row.attempts - 1, 0)
            row.next_attempt_at = at
            changed.append(row)
            report.deferred += 1
            continue
        detail = errors.get(row.pk)
        if detail is None:
            attempts.append(DeliveryAttempt(delivery=row, at=now, ok=True, detail="ok"))
            sent.append(row.pk)
            continue
        attempts.append(DeliveryAttempt(delivery=row, at=now, ok=False, detail=detail))
        final = row.attempts >= max_attempts
        row.status = Delivery.Status.FAILED if final else Delivery.Status.PENDING
        row.next_attempt_at = None if final else now + _backoff(row.attempts)
        row.last_error = detail
        changed.append(row)
        report.failed += int(final)
        report.retrying += int(not final)
        logger.warning("delivery %s (%s) attempt %s failed: %s", row.pk, row.channel, row.attempts, detail)
    with transaction.atomic():
        DeliveryAttempt.objects.bulk_create(attempts)
        if sent:
            Delivery.objects.filter(pk__in=sent).update(
                status=Delivery.Status.SENT, sent_at=now, last_error="", next_attempt_at=None
            )
        if changed:
            Delivery.objects.bulk_update(changed, ["status", "attempts", "next_attempt_at", "last_error"])
    report.sent += len(sent)


def deliveries_send(*, now: datetime.datetime | None = None, report: RunReport | None = None) -> RunReport:
    """Send every delivery that is due, a claimed chunk at a time (see the module's docstring)."""
    now = now or timezone.now()
    report = report or RunReport(date=timezone.localdate(now).isoformat())
    secrets = {c.pk: c.secret for c in ChannelConfig.objects.all()}
    started = time.monotonic()

    def clock() -> datetime.datetime:  # the run's `now` moved on by the time the run has taken
        return now + datetime.timedelta(seconds=time.monotonic() - started)

    robot_posts_prune(now)
    for rows in _claimed_chunks(now):
        mails = [row for row in rows if row.channel == "email"]
        errors = _send_mails(mails, secrets)
        posted = _send_posts([row for row in rows if row.channel != "email"], secrets, clock)
        errors.update(posted.errors)
        report.posts += posted.posts
        _record(rows, errors, now, report, posted.deferred)
    return report

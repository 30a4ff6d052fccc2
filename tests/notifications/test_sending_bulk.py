"""Sending in chunks: two workers at once never send a delivery twice; a chunk's mails share one SMTP connection;
a refused mail fails alone; the writes per chunk do not grow with the chunk."""

from __future__ import annotations

import datetime
import smtplib
import threading
import time
from typing import Any

import pytest
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhaoshang.core.audit import acting_as, system_actor
from zhaoshang.notifications import sending
from zhaoshang.notifications.models import Delivery, DeliveryAttempt
from zhaoshang.notifications.sending import deliveries_send

NOW = timezone.make_aware(datetime.datetime(2026, 12, 7, 10, 0))


def _deliveries(n: int, *, prefix: str = "p", start: int = 0) -> list[Delivery]:
    return Delivery.objects.bulk_create(
        Delivery(
            rule="task_overdue",
            event_key=f"task:{i}:2026-12-01",
            recipient=f"user:{i}",
            channel="email",
            address=f"{prefix}{i:04d}@example.test",
            subject=f"任务{i}已逾期",
            body="测试项目",
            next_attempt_at=NOW,
        )
        for i in range(start, start + n)
    )


class _Recorder(LocmemBackend):
    """The in-memory backend, slowed a little per message, noting who sent what and refusing `bad…` addresses."""

    lock = threading.Lock()
    sent: list[tuple[str, str]] = []  # (worker, address)
    opened = 0

    def open(self) -> bool:
        with self.lock:
            type(self).opened += 1
        return True

    def send_messages(self, messages: Any) -> int:
        for message in messages:
            (address,) = message.to
            if address.startswith("bad"):
                raise smtplib.SMTPRecipientsRefused({address: (550, b"no such mailbox")})
            time.sleep(0.002)
            with self.lock:
                self.sent.append((threading.current_thread().name, address))
        return len(messages)


@pytest.fixture
def recorder(monkeypatch: Any) -> type[_Recorder]:
    _Recorder.sent, _Recorder.opened = [], 0
    monkeypatch.setattr(sending, "get_connection", lambda **kwargs: _Recorder(**kwargs))
    return _Recorder


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two connections writing at once: SQLite's in-memory test database locks whole tables; the PostgreSQL "
    "pass runs this (the interleaving below runs on both)",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_send_the_same_delivery_twice(
    recorder: type[_Recorder], monkeypatch: Any, settings: Any
) -> None:
    settings.ZHAOSHANG_NOTIFY_MAX_ATTEMPTS = 3
    monkeypatch.setattr(sending, "CHUNK", 15)  # many small claims, so that the two workers interleave
    with acting_as(system_actor("test"), "system"):
        rows = _deliveries(240)
    actor = system_actor("notify")  # made here, not by both threads at once
    barrier = threading.Barrier(2)
    reports: dict[str, int] = {}
    problems: list[BaseException] = []

    def worker() -> None:
        try:
            with acting_as(actor, "job"):
                barrier.wait(timeout=30)
                reports[threading.current_thread().name] = deliveries_send(now=NOW).sent
        except BaseException as error:  # noqa: BLE001  (reported by the main thread)
            problems.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, name=f"worker-{i}") for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert problems == []
    addresses = sorted(address for _, address in recorder.sent)
    assert addresses == sorted(row.address for row in rows)  # every one, each exactly once
    assert sum(reports.values()) == 240
    assert all(count > 0 for count in reports.values()) and len(reports) == 2  # both took part
    assert set(Delivery.objects.values_list("status", "attempts")) == {("sent", 1)}
    assert DeliveryAttempt.objects.count() == 240
    assert DeliveryAttempt.objects.values("delivery").distinct().count() == 240


def test_a_chunk_of_mails_goes_over_one_smtp_connection(
    as_test_actor: Any, smtp_sink: Any, monkeypatch: Any
) -> None:
    opened: list[int] = []

    class Counting(SMTPBackend):
        def open(self) -> bool | None:
            new = super().open()
            if new:
                opened.append(1)
            return new

    monkeypatch.setattr(sending, "get_connection", lambda **kwargs: Counting(**kwargs))
    monkeypatch.setattr(sending, "CHUNK", 10)
    _deliveries(25)
    report = deliveries_send(now=NOW)
    assert report.sent == 25 and len(smtp_sink.mails) == 25
    assert len(opened) == 3  # chunks of 10, 10 and 5
    assert sorted(m.recipients[0] for m in smtp_sink.mails) == [f"p{i:04d}@example.test" for i in range(25)]
    assert "任务7已逾期" in {m.subject for m in smtp_sink.mails}


def test_a_refused_mail_fails_alone_and_is_tried_again(
    as_test_actor: Any, recorder: type[_Recorder], settings: Any
) -> None:
    settings.ZHAOSHANG_NOTIFY_RETRY_SECONDS = 300
    settings.ZHAOSHANG_NOTIFY_MAX_ATTEMPTS = 2
    _deliveries(1)
    (bad,) = _deliveries(1, prefix="bad", start=1)  # in the middle of the chunk
    _deliveries(2, start=2)
    report = deliveries_send(now=NOW)
    assert (report.sent, report.retrying, report.failed) == (3, 1, 0)
    assert recorder.opened == 1 and len(recorder.sent) == 3  # the refusal did not cost a new connection
    bad.refresh_from_db()
    assert (bad.status, bad.attempts) == ("pending", 1)
    assert bad.next_attempt_at == NOW + datetime.timedelta(seconds=300)
    assert bad.last_error.startswith("SMTPRecipientsRefused")
    later = deliveries_send(now=NOW + datetime.timedelta(seconds=300))
    bad.refresh_from_db()
    assert (later.sent, later.failed, bad.status, bad.attempts, bad.next_attempt_at) == (
        0,
        1,
        "failed",
        2,
        None,
    )
    log = list(DeliveryAttempt.objects.filter(delivery=bad).values_list("ok", flat=True))
    assert log == [False, False]
    assert DeliveryAttempt.objects.filter(ok=True).count() == 3


def test_writes_per_chunk_do_not_grow_with_the_chunk(as_test_actor: Any, recorder: type[_Recorder]) -> None:
    _deliveries(5, prefix="small")
    with CaptureQueriesContext(connection) as small:
        assert deliveries_send(now=NOW).sent == 5
    Delivery.objects.all().delete()
    _deliveries(200, prefix="large")
    with CaptureQueriesContext(connection) as large:
        assert deliveries_send(now=NOW).sent == 200
    assert len(large.captured_queries) == len(small.captured_queries) <= 15


def test_a_chunk_claimed_by_one_worker_is_not_sent_by_another(
    as_test_actor: Any, recorder: type[_Recorder], monkeypatch: Any
) -> None:
    """The interleaving of two workers, step by step: A has claimed its first chunk and is sending it when B runs;
    B sends everything else, and A, going on, finds nothing left to claim."""
    monkeypatch.setattr(sending, "CHUNK", 4)
    rows = _deliveries(10)
    first = sending._claimed_chunks(NOW)  # worker A
    chunk = next(first)
    assert [row.pk for row in chunk] == [row.pk for row in rows[:4]]
    assert {row.attempts for row in chunk} == {1}
    b = deliveries_send(now=NOW)  # worker B, while A holds its chunk
    assert b.sent == 6 and sorted(a for _, a in recorder.sent) == [row.address for row in rows[4:]]
    assert list(first) == []  # A: the rest was B's
    assert Delivery.objects.filter(status="sending").count() == 4
    assert Delivery.objects.filter(status="sent").count() == 6


def test_a_chunk_left_by_a_dead_worker_is_sent_once_its_lease_runs_out(
    as_test_actor: Any, recorder: type[_Recorder], monkeypatch: Any
) -> None:
    """A worker claims a chunk and dies: within its lease nobody touches it; after, the next run sends it."""
    monkeypatch.setattr(sending, "CHUNK", 4)
    rows = _deliveries(4)
    next(sending._claimed_chunks(NOW))  # claimed, never sent: the worker is gone
    assert deliveries_send(now=NOW + datetime.timedelta(minutes=5)).sent == 0
    assert Delivery.objects.filter(status="sending").count() == 4
    later = deliveries_send(now=NOW + sending.LEASE + datetime.timedelta(seconds=1))
    assert later.sent == 4 and sorted(a for _, a in recorder.sent) == sorted(row.address for row in rows)
    assert set(Delivery.objects.values_list("status", "attempts", "next_attempt_at")) == {("sent", 2, None)}

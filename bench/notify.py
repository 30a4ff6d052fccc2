"""The daily notification run at the issue's size: 10,000 projects and 200,000 weekly tasks, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zs_bench_notify .venv/bin/python bench/notify.py \
        [--projects 10000] [--tasks 200000] [--blockers 3000] [--keep]

The script owns the database named in DATABASE_URL, which must be ``zs_bench_notify`` (it refuses any other
name). It drops and creates it, runs ``zhaoshang migrate`` and ``zhaoshang demo`` (subprocesses, with a temporary
ZHAOSHANG_DATA_DIR), adds the volume with ``bench/pages_postgres.py``'s ``add_volume`` (10,000 projects over
Linzi and Huantai with their approval steps, 200,000 weekly tasks, blockers; bulk_create, then ANALYZE), then
in this process:

The volume's project officers are given the clerk role on their district and an e-mail address, so that the
events of their projects reach people and mails are queued and sent (as in a district in use). Then:

1. the first day's run (``notify_run`` over every district, as the worker's schedule does): every rule reads its
   events, stores one notification per event and person, queues the mails and sends them (Django's in-memory
   mail backend; no group channel is configured in the demo, so no webhook is called);
2. the same day's run again: nothing new (at most once per event and person) — the cost of a run that finds
   everything already sent;
3. the next day's run.

For each run it prints the wall time and, per rule, the events found and the queries issued while the rule
read its events and while they were stored (counted with a database execute wrapper). The read is a fixed
number of queries per rule whatever the volume; the store works in batches of
``notifications.services.BATCH`` events; sending works in chunks of ``notifications.sending.CHUNK`` deliveries
(one claim, one SMTP connection, one insert of the attempts per chunk). Target: ≤ 30 s per day's run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pages_postgres  # noqa: E402  (bench/ is not a package: the volume builder of the pages benchmark)

DATABASE = "zs_bench_notify"
TODAY = pages_postgres.TODAY


class RuleQueries:
    """Counts the queries of each rule's read (the generator the rule returns) and of the rest of the run
    (storing, digests, sending) under the rule being stored, through a database execute wrapper."""

    def __init__(self) -> None:
        self.read: Counter[str] = Counter()
        self.other: Counter[str] = Counter()
        self.current = "(start)"
        self.reading = False

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        (self.read if self.reading else self.other)[self.current] += 1
        return execute(sql, params, many, context)

    def wrap_rules(self) -> dict[str, Any]:
        from zhaoshang.notifications import rules, services

        original = dict(rules.RULES)

        def wrapped(rule: str, func: Any) -> Any:
            def run(ctx: Any, districts: Any) -> Any:
                self.current = rule
                self.reading = True
                try:
                    yield from func(ctx, districts)
                finally:
                    self.reading = False

            return run

        for rule, func in original.items():
            rules.RULES[rule] = wrapped(rule, func)
            services.RULES[rule] = rules.RULES[rule]
        return original


def staff_officers() -> int:
    """The volume's project officers become their district's staff (the clerk role, an e-mail address), so that
    the events of their projects reach a person and a mail is queued and sent, as in a district in use."""
    from django.contrib.auth import get_user_model

    from zhaoshang.core.audit import acting_as, system_actor
    from zhaoshang.core.models import District, Role, RoleAssignment

    User = get_user_model()
    role = Role.objects.get(code="clerk")
    districts = {"lz": District.objects.get(adcode="370305"), "ht": District.objects.get(adcode="370321")}
    officers = list(User.objects.filter(username__startswith="bench_officer_"))
    with acting_as(system_actor("bench"), "cli"):
        for user in officers:
            user.email = f"{user.username}@example.gov.cn"
            user.save(update_fields=["email"])
            assignment = RoleAssignment.objects.create(user=user, role=role)
            assignment.districts.add(districts[user.username.removeprefix("bench_officer_")[:2]])
    return len(officers)


def one_run(day: dt.date, label: str) -> dict[str, Any]:
    from django.db import connection

    from zhaoshang.core.models import District
    from zhaoshang.notifications import services as notify_services
    from zhaoshang.notifications.services import notify_run

    counter = RuleQueries()
    original = counter.wrap_rules()
    # What follows the rules (the digests, then sending what is due) is counted and timed on its own.
    send_seconds: list[float] = []
    real_digests, real_send = notify_services._digests, notify_services.deliveries_send

    def digests(*args: Any, **kwargs: Any) -> Any:
        counter.current = "(digests)"
        return real_digests(*args, **kwargs)

    def send(*args: Any, **kwargs: Any) -> Any:
        counter.current = "(sending)"
        begin = time.perf_counter()
        try:
            return real_send(*args, **kwargs)
        finally:
            send_seconds.append(time.perf_counter() - begin)

    notify_services._digests, notify_services.deliveries_send = digests, send
    from django.utils import timezone

    now = timezone.make_aware(dt.datetime.combine(day, dt.time(7, 0)))
    try:
        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            report = notify_run(today=day, now=now, districts=District.objects.all())
            seconds = time.perf_counter() - start
    finally:
        from zhaoshang.notifications import rules, services

        rules.RULES.update(original)
        services.RULES.update(original)
        notify_services._digests, notify_services.deliveries_send = real_digests, real_send
    print(f"\n[{label}] {day}: {seconds:.1f} s; {report.get('notifications', 0)} notifications, "
          f"{report.get('deliveries', 0)} deliveries queued")  # fmt: skip
    print(f"  {'rule':<20} {'events':>8} {'read queries':>13} {'store queries':>14}")
    for rule, events in report.get("events", {}).items():
        print(f"  {rule:<20} {events:>8} {counter.read[rule]:>13} {counter.other[rule]:>14}")
    print(f"  before the rules (settings, recipients, channels): {counter.other['(start)']} queries")
    print(f"  digests: {counter.other['(digests)']} queries; sending {report.get('sent', 0)} sent, "
          f"{report.get('failed', 0)} failed: {sum(send_seconds):.1f} s, "
          f"{counter.other['(sending)']} queries")  # fmt: skip
    return {
        "seconds": seconds,
        "send_seconds": sum(send_seconds),
        "report": report,
        "read": dict(counter.read),
        "other": dict(counter.other),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--tasks", type=int, default=200_000)
    parser.add_argument("--blockers", type=int, default=3_000)
    parser.add_argument("--seed", type=int, default=pages_postgres.SEED)
    parser.add_argument("--keep", action="store_true", help="keep the database and the data directory")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit(f"set DATABASE_URL=postgres://postgres@127.0.0.1:5432/{DATABASE}")
    admin_dsn = pages_postgres._admin_dsn(url, DATABASE)
    data_dir = Path(tempfile.mkdtemp(prefix="zs-bench-notify-"))
    os.environ["ZHAOSHANG_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("ZHAOSHANG_DEMO_PASSWORD", "bench-notify-demo")
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhaoshang.settings"
    os.environ.pop("DEBUG", None)
    print(f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs; code {pages_postgres._git()}")
    pages_postgres._recreate(admin_dsn, DATABASE)
    try:
        print(f"migrate {pages_postgres._zhaoshang('migrate', '--verbosity', '0'):.1f} s, "
              f"demo {pages_postgres._zhaoshang('demo'):.1f} s")  # fmt: skip
        import django

        django.setup()
        from django.conf import settings

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        start = time.perf_counter()
        volume = pages_postgres.add_volume(args.projects, args.tasks, args.blockers, args.seed)
        print(f"volume added in {time.perf_counter() - start:.1f} s: {volume}")
        print(f"project officers given the clerk role and a mailbox: {staff_officers()}")
        print(f"tables: {pages_postgres.table_counts()}")
        first = one_run(TODAY, "first run of the day")
        again = one_run(TODAY, "same day again")
        nxt = one_run(TODAY + dt.timedelta(days=1), "next day")
        worst = max(first["seconds"], again["seconds"], nxt["seconds"])
        print(f"\nslowest run {worst:.1f} s — target ≤ 30 s: {'met' if worst <= 30 else 'MISSED'}")
        same = all(first["read"].get(r) == nxt["read"].get(r) for r in first["read"])
        print(f"read queries per rule the same on both days: {'yes' if same else 'NO'}")
    finally:
        if args.keep:
            print(f"kept: database {DATABASE}, data dir {data_dir}")
        else:
            pages_postgres._drop(admin_dsn, DATABASE)
            import shutil

            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Page times and query counts on PostgreSQL: the demo, then 10,000 projects and 200,000 weekly tasks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zs_bench_pages .venv/bin/python bench/pages_postgres.py \
        [--runs 15] [--warmups 3] [--projects 10000] [--tasks 200000] [--blockers 3000] [--keep]

The script owns the database named in DATABASE_URL, which must be ``zs_bench_pages`` (it refuses any other
name: ``test`` and ``test_test`` belong to the test suite). It drops and creates it, runs ``zhaoshang migrate``
and ``zhaoshang demo`` (subprocesses, with a temporary ZHAOSHANG_DATA_DIR), then in this process:

1. builds one dispatch report of Linzi (``dispatch_build``, the last complete half month) and measures every
   page on the demo as it is ("small");
2. adds the volume with ``bulk_create`` — no django-simple-history rows are written (the pages measured do not
   read history): 10,000 projects over Linzi and Huantai with a year of verified stage moves, funds in place,
   approval steps, outputs; 200,000 weekly tasks; a few thousand blockers; then ANALYZE; rebuilds the same
   dispatch report;
3. measures every page again ("big") and prints the ratio big / small of the median time and of the queries;
4. times ``scores_compute`` for one month of the city and ``district_forecast`` (10,000 draws) on the database
   path for Huantai, whose forecast covers exactly 500 projects (Linzi's, larger, is timed too) — on the demo
   and with the volume;
5. for every page over its time target or whose time grew 1.5× or more, prints where the time goes: the
   slowest queries (CaptureQueriesContext) and a cProfile of one request; the same for ``scores_compute``;
6. drops the database (unless --keep) and the temporary data directory.

The dashboard and the city page cache their rate tables until the projects' data changes
(``assessment.selectors.rate_tables``) and keep the projects' facts in the process, catching up from the rows
changed since (``assessment.facts.current_facts``): ``dashboard`` and ``city`` are the pages as people usually
get them (the cache filled by the warm-up requests); ``dashboard_changed`` and ``city_changed`` the first request
after a change (before every request, untimed, one funds entry of a Linzi project is edited with ``save()``, as
the funds page does); ``dashboard_restart`` and ``city_restart`` the first request of a freshly started process
(cache and kept facts emptied before every request: everything read again). Their query counts are those of the
same situation.

A page figure is the median of --runs requests after --warmups untimed ones, timed around ``client.get`` with
Django's test Client in this process (force_login: ``linzi_admin``; ``city_admin`` for the city page; extra
rows: ``linzi_clerk``'s tasks, the city's home page). The query count comes from two further requests under
CaptureQueriesContext, which must agree. Results: docs/benchmarks-pages.md.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DATABASE = "zs_bench_pages"
HERE = Path(__file__).resolve().parent
ZHAOSHANG = Path(sys.executable).with_name("zhaoshang")
TODAY = dt.date(2026, 11, 20)  # the demo's "now": moves and funds stop here
SEED = 20261128
TIME_TARGET_MS = {"dashboard": 300.0, "city": 300.0, "dashboard_changed": 300.0, "city_changed": 300.0}
FORECAST_PROJECTS = 500


# --- database ---------------------------------------------------------------------------------------------


def _admin_dsn(url: str, database: str = DATABASE) -> str:
    """The maintenance database's address on the server of ``url``, which must name ``database`` (the scripts
    drop and create it)."""
    parts = urlsplit(url)
    if parts.path.lstrip("/") != database:
        sys.exit(f"DATABASE_URL must name the database {database!r} (got {parts.path.lstrip('/')!r})")
    return parts._replace(scheme="postgresql", path="/postgres").geturl()


def _recreate(admin_dsn: str, database: str = DATABASE) -> None:
    import psycopg

    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {database}")


def _drop(admin_dsn: str, database: str = DATABASE) -> None:
    import psycopg
    from django.apps import apps

    if apps.ready:
        from django.db import connections

        connections.close_all()
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def _git() -> str:
    def run(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=HERE.parent, capture_output=True, text=True).stdout

    dirty = [line[3:] for line in run("status", "--short", "--", "src").splitlines() if line.strip()]
    return run("rev-parse", "--short", "HEAD").strip() + (
        f" + uncommitted changes in {', '.join(dirty)}" if dirty else ""
    )


def _zhaoshang(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([str(ZHAOSHANG), *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


# --- volume -----------------------------------------------------------------------------------------------

# Linzi: the whole ladder. Huantai: its forecast (negotiation and beyond) must cover exactly 500 projects with
# the demo's 21; the rest of its volume is reserve and leads (the wide end of the funnel).
LADDER = ["reserve", "lead", "negotiation", "signed", "registered", "land", "started", "completed",
          "production", "capacity"]  # fmt: skip
LINZI_WEIGHTS = [10, 12, 12, 14, 8, 10, 16, 8, 6, 4]
HUANTAI_WEIGHTS = [0, 0, 20, 16, 10, 10, 18, 10, 10, 6]
SHARE_IN_PLACE = {"registered": 0.05, "land": 0.15, "started": 0.35, "completed": 0.7, "production": 0.9,
                  "capacity": 1.0}  # fmt: skip
ORIGINS = ["outside_province"] * 5 + ["outside_city"] * 2 + ["local"] * 2 + ["abroad"]
TASK_TITLES = ["对接投资方确认开工计划", "协调办理前置审批", "现场督导施工进度", "推进土地报批", "协调施工用电",
               "组织环评专家评审", "调度设备进场", "对接银行融资"]  # fmt: skip
BLOCKER_TITLES = ["用地指标未落实", "环评批复进度慢", "施工用电增容未完成", "配套道路未贯通",
                  "安全评价专家评审排期", "能耗指标缺口"]  # fmt: skip
FIRST_WEEK = dt.date(2025, 12, 1)  # a Monday: a year of weekly tasks up to four weeks after today
LAST_WEEK = dt.date(2026, 12, 21)


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def add_volume(n_projects: int, n_tasks: int, n_blockers: int, seed: int) -> dict[str, int]:
    """bulk_create the volume; no history rows. Returns the row counts written."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from zhaoshang.chains.models import Chain
    from zhaoshang.core.models import Department, District, Park, Town
    from zhaoshang.projects.models import (
        ApprovalStepTemplate,
        Blocker,
        FundsEntry,
        Project,
        ProjectOutput,
        ProjectStep,
        StageMove,
        WeeklyTask,
    )

    rng = random.Random(seed)
    User = get_user_model()
    users = {u.get_username(): u for u in User.objects.all()}
    linzi = District.objects.get(adcode="370305")
    huantai = District.objects.get(adcode="370321")
    with transaction.atomic():
        officers = {
            linzi.pk: [users["linzi_admin"], users["linzi_chief"]]
            + User.objects.bulk_create(
                User(username=f"bench_officer_lz{i:02d}", first_name=f"临淄项目专员{i}") for i in range(48)
            ),
            huantai.pk: [users["huantai_admin"]]
            + User.objects.bulk_create(
                User(username=f"bench_officer_ht{i:02d}", first_name=f"桓台项目专员{i}") for i in range(19)
            ),
        }
        admins = {linzi.pk: users["linzi_admin"], huantai.pk: users["huantai_admin"]}
        raisers = {linzi.pk: users["linzi_chief"], huantai.pk: users["huantai_admin"]}
        chains = {d.pk: list(Chain.objects.filter(district=d, is_current=True)) for d in (linzi, huantai)}
        parks = {d.pk: list(Park.objects.filter(district=d)) for d in (linzi, huantai)}
        towns = {d.pk: list(Town.objects.filter(district=d)) for d in (linzi, huantai)}
        departments = {d.pk: list(Department.objects.filter(district=d)) for d in (linzi, huantai)}
        by_short = {d.pk: {x.short_name: x for x in departments[d.pk]} for d in (linzi, huantai)}
        template = list(ApprovalStepTemplate.objects.filter(district=linzi).order_by("module", "code"))

        n_huantai = max(FORECAST_PROJECTS - 21, n_projects // 5)
        # Beyond lead in Huantai: with the demo's 21 negotiation projects, exactly FORECAST_PROJECTS.
        huantai_forecast = FORECAST_PROJECTS - 21
        plan: list[tuple[District, str]] = []
        for _ in range(n_projects - n_huantai):
            plan.append((linzi, rng.choices(LADDER, LINZI_WEIGHTS)[0]))
        for i in range(n_huantai):
            stage = (
                rng.choices(LADDER, HUANTAI_WEIGHTS)[0]
                if i < huantai_forecast
                else ("reserve" if rng.random() < 0.6 else "lead")
            )
            plan.append((huantai, stage))

        projects: list[Project] = []
        for index, (district, stage) in enumerate(plan):
            d = district.pk
            # 万元, median ≈ 3 亿
            amount = Decimal(max(1000, round(rng.lognormvariate(10.3, 1.0) / 100) * 100))
            chain = rng.choice(chains[d]) if chains[d] and rng.random() < 0.8 else None
            park = rng.choice(parks[d]) if rng.random() < 0.7 else None
            town = park.town if park is not None and park.town_id else rng.choice(towns[d])
            status = Project.Status.ON_TRACK
            reason = ""
            roll = rng.random()
            if stage not in ("reserve", "lead") and roll < 0.12:
                status, reason = Project.Status.DELAYED, "土地报批进度慢于计划"
            elif stage not in ("reserve", "lead") and roll < 0.17:
                status, reason = Project.Status.STALLED, "投资方资金未到位"
            elif stage in ("lead", "negotiation", "signed") and roll < 0.19:
                status, reason = Project.Status.TERMINATED, "投资方战略调整"
            rank = LADDER.index(stage)
            tier = rng.choices(
                [
                    Project.Tier.PROVINCIAL,
                    Project.Tier.MUNICIPAL,
                    Project.Tier.DISTRICT,
                    Project.Tier.GENERAL,
                ],
                [1, 6, 25, 68],
            )[0]
            chemical = chain is not None and chain.code in ("refining", "c3-c4", "nylon", "polyolefin")
            projects.append(
                Project(
                    district=district,
                    name=f"基准项目{index + 1:05d}",
                    content="基准测试数据",
                    stage=stage,
                    status=status,
                    status_reason=reason,
                    tier=tier if rank >= 2 else Project.Tier.GENERAL,
                    investor_name=f"基准投资方{index % 3000:04d}",
                    investor_origin=rng.choice(ORIGINS),
                    total_investment=amount,
                    first_phase_investment=(amount * Decimal("0.6")).quantize(Decimal("0.01")),
                    chain=chain,
                    team=chain.team if chain is not None else None,
                    park=park,
                    town=town,
                    officer=rng.choice(officers[d]),
                    land_mu=Decimal(max(10, int(amount) // 5000)),
                    designed_output=amount * (Decimal("3.2") if chemical else Decimal("1.4")),
                    designed_tax=(amount * Decimal("0.08")).quantize(Decimal("0.01")),
                    designed_jobs=max(20, int(amount) // 2000),
                    reserve_source="园区储备" if stage == "reserve" else "",
                    expected_timing="2027年2季度" if stage == "reserve" else "",
                )
            )

        # A year of verified moves up the ladder, dates fixed on the projects from their moves.
        moves: list[tuple[int, StageMove]] = []
        for i, p in enumerate(projects):
            rank = LADDER.index(p.stage)
            if rank < LADDER.index("signed"):
                continue
            day = _day(rng, dt.date(2025, 12, 1), dt.date(2026, 6, 30))
            previous = "negotiation"
            for stage in LADDER[LADDER.index("signed") : rank + 1]:
                moves.append(
                    (
                        i,
                        StageMove(
                            from_stage=previous,
                            to_stage=stage,
                            date=day,
                            evidence_note="基准佐证",
                            requested_by=raisers[p.district_id],
                            verified_by=admins[p.district_id],
                            verified_at=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC),
                        ),
                    )
                )
                if stage == "signed":
                    p.signed_date = day
                    p.promised_start_date = day + dt.timedelta(days=rng.randint(90, 240))
                if stage == "started":
                    p.started_date = day
                previous = stage
                day = min(day + dt.timedelta(days=rng.randint(20, 60)), TODAY)
            if p.stage in ("signed", "registered", "land", "started", "completed"):
                p.expected_production_date = _day(rng, dt.date(2027, 1, 1), dt.date(2028, 12, 31))
        Project.objects.bulk_create(projects, batch_size=2000)
        for i, move in moves:
            move.project = projects[i]
        StageMove.objects.bulk_create([m for _i, m in moves], batch_size=5000)

        funds: list[FundsEntry] = []
        outputs: list[ProjectOutput] = []
        steps: list[ProjectStep] = []
        for p in projects:
            if p.stage in SHARE_IN_PLACE:
                in_place = p.total_investment * Decimal(str(SHARE_IN_PLACE[p.stage]))
                months = rng.randint(2, 5)
                for month in range(months):
                    funds.append(
                        FundsEntry(
                            project=p,
                            date=min(p.signed_date + dt.timedelta(days=30 * (month + 1)), TODAY),
                            amount=(in_place / months).quantize(Decimal("0.01")),
                            origin=p.investor_origin,
                            kind=FundsEntry.Kind.FIXED if month else FundsEntry.Kind.WORKING,
                            evidence_note="基准进账单",
                        )
                    )
            if p.stage in ("production", "capacity"):
                share = Decimal("0.45") if p.stage == "production" else Decimal("0.95")
                outputs.append(
                    ProjectOutput(
                        project=p,
                        year=2026,
                        output=(p.designed_output * share).quantize(Decimal(1)),
                        tax=(p.designed_tax * share).quantize(Decimal(1)),
                    )
                )
            if p.stage in ("registered", "land", "started"):
                done = {"registered": 2, "land": 5, "started": 11}[p.stage]
                start = p.signed_date
                for k, t in enumerate(template):
                    finish = start + dt.timedelta(days=int(t.promised_days * 1.4))
                    steps.append(
                        ProjectStep(
                            project=p,
                            code=t.code,
                            name=t.name,
                            module=t.module,
                            module_name=t.module_name,
                            department=by_short[p.district_id].get(t.department.short_name)
                            if t.department
                            else None,
                            duration=t.promised_days,
                            predecessors=t.predecessors,
                            milestone=t.milestone,
                            commitment=t.commitment,
                            planned_start=start,
                            planned_finish=finish,
                            status=ProjectStep.Status.DONE if k < done else ProjectStep.Status.PENDING,
                            actual_start=start if k < done else None,
                            actual_finish=min(finish, TODAY) if k < done else None,
                        )
                    )
                    start = finish
        FundsEntry.objects.bulk_create(funds, batch_size=5000)
        ProjectOutput.objects.bulk_create(outputs, batch_size=5000)
        ProjectStep.objects.bulk_create(steps, batch_size=5000)

        # Weekly tasks: projects from negotiation on, not terminated; a year of weeks to four weeks ahead.
        # Past ones mostly done (the rest overdue); owner = the project's officer, any department of the district.
        working = [
            p for p in projects if LADDER.index(p.stage) >= 2 and p.status != Project.Status.TERMINATED
        ]
        weeks = [FIRST_WEEK + dt.timedelta(weeks=k) for k in range((LAST_WEEK - FIRST_WEEK).days // 7 + 1)]
        today = dt.date(2026, 11, 28)
        tasks: list[WeeklyTask] = []
        for n in range(n_tasks):
            p = working[n % len(working)]
            week = rng.choice(weeks)
            due = week + dt.timedelta(days=4)
            if due < today:
                # Most tasks are done; a quarter of the last fortnight's and 3 % of older ones are left open.
                done = rng.random() < (0.75 if (today - due).days <= 14 else 0.97)
                status = WeeklyTask.Status.DONE if done else rng.choice(["todo", "doing"])
            else:
                done = False
                status = WeeklyTask.Status.DOING if rng.random() < 0.2 else WeeklyTask.Status.TODO
            tasks.append(
                WeeklyTask(
                    project=p,
                    week=week,
                    title=rng.choice(TASK_TITLES),
                    owner_id=p.officer_id,
                    department=rng.choice(departments[p.district_id]),
                    due_date=due,
                    status=status,
                    done_date=due - dt.timedelta(days=rng.randint(0, 3)) if done else None,
                )
            )
        WeeklyTask.objects.bulk_create(tasks, batch_size=5000)

        blockers: list[Blocker] = []
        delivery = [p for p in working if p.stage in ("signed", "registered", "land", "started", "completed")]
        for _ in range(n_blockers):
            p = rng.choice(delivery)
            status = rng.choices(
                ["raised", "assigned", "in_progress", "solved", "struck_off"], [15, 20, 20, 15, 30]
            )[0]
            closed = status in ("solved", "struck_off")
            solved = _day(rng, dt.date(2026, 1, 15), TODAY) if closed else None
            blockers.append(
                Blocker(
                    project=p,
                    title=rng.choice(BLOCKER_TITLES),
                    description="基准测试堵点",
                    department=None if status == "raised" else rng.choice(departments[p.district_id]),
                    deadline=_day(rng, dt.date(2026, 3, 1), dt.date(2027, 1, 31)),
                    status=status,
                    level=rng.choices([0, 1, 2], [80, 15, 5])[0],
                    raised_by=raisers[p.district_id],
                    solution="已协调解决(基准)" if closed else "",
                    solved_date=solved,
                    struck_off_by=admins[p.district_id] if status == "struck_off" else None,
                    struck_off_date=min(solved + dt.timedelta(days=rng.randint(1, 20)), TODAY)
                    if status == "struck_off" and solved
                    else None,
                )
            )
        Blocker.objects.bulk_create(blockers, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "projects": len(projects),
        "projects_linzi": len(projects) - n_huantai,
        "projects_huantai": n_huantai,
        "stage_moves": len(moves),
        "funds": len(funds),
        "outputs": len(outputs),
        "steps": len(steps),
        "tasks": len(tasks),
        "blockers": len(blockers),
        "officers": 48 + 19,
    }


def table_counts() -> dict[str, int]:
    from zhaoshang.projects.models import Blocker, FundsEntry, Project, ProjectStep, StageMove, WeeklyTask

    return {
        m._meta.model_name: m.objects.count()
        for m in (Project, StageMove, FundsEntry, ProjectStep, WeeklyTask, Blocker)
    }


# --- measuring --------------------------------------------------------------------------------------------


def _client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _get(client: Any, path: str) -> Any:
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code}")
    return response


def queries_of(client: Any, path: str) -> tuple[int, list[dict[str, str]]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _get(client, path)
    return len(captured.captured_queries), list(captured.captured_queries)


def situation(key: str) -> Any:
    """What happens before each request of a page key: nothing, a change of data, or a fresh process."""
    from django.core.cache import cache

    from zhaoshang.assessment.facts import forget
    from zhaoshang.projects.models import FundsEntry

    if key.endswith("_restart"):

        def restart() -> None:
            cache.clear()
            forget()

        return restart
    if key.endswith("_changed"):
        entries = list(FundsEntry.objects.filter(project__district__adcode="370305").order_by("pk")[:50])
        turn = iter(range(10**9))

        def change() -> None:
            entry = entries[next(turn) % len(entries)]
            entry.amount += 1
            entry.save()

        return change
    return lambda: None


def measure(client: Any, path: str, runs: int, warmups: int, key: str = "") -> dict[str, Any]:
    prepare = situation(key)

    for _ in range(warmups):
        prepare()
        _get(client, path)
    times = []
    content = b""
    for _ in range(runs):
        prepare()
        start = time.perf_counter()
        response = _get(client, path)
        times.append((time.perf_counter() - start) * 1000)
        content = response.content
    prepare()
    n1, _q = queries_of(client, path)
    prepare()
    n2, _q = queries_of(client, path)
    if n1 != n2:
        raise RuntimeError(f"{path}: query count not stable ({n1} then {n2})")
    return {
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "max_ms": max(times),
        "queries": n1,
        "bytes": len(content),
        # What the page holds: table rows and <select> options (a page that lists everything grows with the data).
        "rows": content.count(b"<tr"),
        "options": content.count(b"<option"),
    }


def pages(ctx: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(key, who, path) of every page measured."""
    return [
        ("project_list", "linzi_admin", "/project/"),
        ("project_detail", "linzi_admin", f"/project/{ctx['project']}/"),
        ("project_delivery", "linzi_admin", f"/project/{ctx['project']}/delivery/"),
        ("dispatch", "linzi_admin", f"/dispatch/{ctx['report']}/"),
        ("my_tasks", "linzi_admin", "/my/tasks/"),
        ("my_tasks_clerk", "linzi_clerk", "/my/tasks/"),
        ("blocker_board", "linzi_admin", "/blockers/board/"),
        ("dashboard", "linzi_admin", "/assessment/?year=2026"),
        ("dashboard_changed", "linzi_admin", "/assessment/?year=2026"),
        ("dashboard_restart", "linzi_admin", "/assessment/?year=2026"),
        ("city", "city_admin", "/assessment/city/?year=2026"),
        ("city_changed", "city_admin", "/assessment/city/?year=2026"),
        ("city_restart", "city_admin", "/assessment/city/?year=2026"),
        ("home", "linzi_admin", "/"),
        ("home_city", "city_admin", "/"),
    ]


def measure_pages(ctx: dict[str, Any], runs: int, warmups: int) -> dict[str, dict[str, Any]]:
    from django.contrib.auth import get_user_model

    wanted = {who for _key, who, _path in pages(ctx)}
    users = {u.get_username(): u for u in get_user_model().objects.filter(username__in=wanted)}
    clients = {name: _client(user) for name, user in users.items()}
    results = {}
    for key, who, path in pages(ctx):
        results[key] = {"path": path, "user": who, **measure(clients[who], path, runs, warmups, key)}
        r = results[key]
        r["load"] = os.getloadavg()[0]
        print(f"  {key:<17} {path:<30} {r['median_ms']:8.1f} ms {r['queries']:3d} queries "
              f"{r['bytes'] / 1024:7.1f} KiB {r['rows']:5d} rows {r['options']:5d} options"
              f"  (load {r['load']:.1f})", flush=True)  # fmt: skip
    return results


def _median_call(func: Any, runs: int) -> tuple[float, list[float], Any]:
    result = func()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, result


def measure_services(ctx: dict[str, Any], runs: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhaoshang.assessment.forecasting import district_forecast
    from zhaoshang.assessment.scoring import scores_compute
    from zhaoshang.core.audit import acting_as
    from zhaoshang.core.models import District
    from zhaoshang.projects.models import Project

    User = get_user_model()
    city_admin = User.objects.get(username="city_admin")
    out: dict[str, Any] = {}

    def scores() -> Any:
        with acting_as(city_admin, "system"):
            return scores_compute(month=dt.date(2026, 11, 1), user=city_admin)

    median, times, snapshots = _median_call(scores, runs)
    with CaptureQueriesContext(connection) as captured:
        scores()
    out["scores_compute"] = {"median_s": median, "times_s": times, "snapshots": len(snapshots),
                             "queries": len(captured.captured_queries)}  # fmt: skip
    print(f"  scores_compute(2026-11, city)      {median:7.2f} s  ({len(snapshots)} snapshots, "
          f"{len(captured.captured_queries)} queries)", flush=True)  # fmt: skip
    for adcode, key in (("370321", "forecast_huantai"), ("370305", "forecast_linzi")):
        district = District.objects.get(adcode=adcode)
        n = Project.objects.filter(district=district).exclude(stage__in=["reserve", "lead"]).count()
        median, times, forecast = _median_call(
            lambda district=district: district_forecast(district, city_admin, draws=10_000), runs
        )
        band = forecast.bands[-1]
        out[key] = {"median_s": median, "times_s": times, "projects": n, "p50_last_year": band.p50,
                    "probability": forecast.probability}  # fmt: skip
        print(
            f"  district_forecast({district.name}, 10,000 draws) {median:7.2f} s  ({n} projects)", flush=True
        )
    return out


def explain(ctx: dict[str, Any], key: str, top: int = 25) -> str:
    """Where one request's time goes: its slowest queries and a cProfile of the request."""
    from django.contrib.auth import get_user_model

    _key, who, path = next(p for p in pages(ctx) if p[0] == key)
    prepare = situation(key)
    client = _client(get_user_model().objects.get(username=who))
    _get(client, path)
    prepare()
    count, queries = queries_of(client, path)
    sql_ms = sum(float(q["time"]) for q in queries) * 1000
    lines = [f"### {key}: GET {path} as {who}", f"{count} queries, {sql_ms:.1f} ms in the database (as timed by "
             "CaptureQueriesContext); slowest:"]  # fmt: skip
    for q in sorted(queries, key=lambda q: -float(q["time"]))[:6]:
        sql = " ".join(q["sql"].split())
        lines.append(f"  {float(q['time']) * 1000:7.1f} ms  {sql[:300]}{'…' if len(sql) > 300 else ''}")
    prepare()
    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.enable()
    _get(client, path)
    profile.disable()
    lines.append(f"cProfile (request {1000 * (time.perf_counter() - start):.0f} ms under the profiler), "
                 "cumulative:")  # fmt: skip
    buffer = io.StringIO()
    stats = pstats.Stats(profile, stream=buffer).strip_dirs().sort_stats("cumulative")
    stats.print_stats(top)
    lines.append(buffer.getvalue().split("\n\n", 1)[-1].rstrip())
    buffer = io.StringIO()
    pstats.Stats(profile, stream=buffer).strip_dirs().sort_stats("tottime").print_stats(12)
    lines.append("tottime:")
    lines.append(buffer.getvalue().split("\n\n", 1)[-1].rstrip())
    return "\n".join(lines)


def explain_service(name: str, func: Any, top: int = 20) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    func()
    with CaptureQueriesContext(connection) as captured:
        func()
    queries = captured.captured_queries
    sql_ms = sum(float(q["time"]) for q in queries) * 1000
    lines = [f"### {name}", f"{len(queries)} queries, {sql_ms:.1f} ms in the database; slowest:"]
    for q in sorted(queries, key=lambda q: -float(q["time"]))[:5]:
        sql = " ".join(q["sql"].split())
        lines.append(f"  {float(q['time']) * 1000:7.1f} ms  {sql[:240]}{'…' if len(sql) > 240 else ''}")
    profile = cProfile.Profile()
    profile.enable()
    func()
    profile.disable()
    buffer = io.StringIO()
    pstats.Stats(profile, stream=buffer).strip_dirs().sort_stats("cumulative").print_stats(top)
    lines.append(buffer.getvalue().split("\n\n", 1)[-1].rstrip())
    return "\n".join(lines)


# --- prototype of the proposed fix (not applied to the application) ---------------------------------------


def build_report(ctx: dict[str, Any]) -> tuple[int, float]:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from zhaoshang.core.models import District
    from zhaoshang.projects.delivery.dispatch.services import dispatch_build, dispatch_period_default

    user = get_user_model().objects.get(username="linzi_admin")
    start, end = dispatch_period_default(timezone.localdate())
    started = time.perf_counter()
    report = dispatch_build(
        district=District.objects.get(adcode="370305"), period_start=start, period_end=end, user=user
    )
    return report.pk, time.perf_counter() - started


def choose_project() -> int:
    """A demo project of Linzi with approval steps, verified moves, funds and weekly tasks (the same in both
    measurements: the volume adds other projects, never rows to this one)."""
    from django.db.models import Count

    from zhaoshang.projects.models import Project

    candidates = (
        Project.objects.filter(district__adcode="370305")
        .annotate(
            n_steps=Count("steps", distinct=True),
            n_moves=Count("moves", distinct=True),
            n_funds=Count("funds", distinct=True),
            n_tasks=Count("tasks", distinct=True),
        )
        .filter(n_steps__gt=0, n_moves__gt=0, n_funds__gt=0, n_tasks__gt=0)
        .order_by("-n_moves", "pk")
    )
    chosen = candidates.first()
    if chosen is None:
        raise RuntimeError("no demo project with steps, moves, funds and tasks")
    return int(chosen.pk)


def configure_huantai_forecast() -> None:
    """Huantai has no forecast settings in the demo: give it a baseline (bench data, like Linzi's)."""
    from zhaoshang.core.models import District

    huantai = District.objects.get(adcode="370321")
    huantai.settings = {
        **(huantai.settings or {}),
        "forecast": {
            "baseline": {str(2026 + i): round(12_000_000 * 1.02**i) for i in range(4)},
            "target": 20_000_000,
            "target_year": 2028,
        },
    }
    huantai.save(update_fields=["settings"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmups", type=int, default=3)
    parser.add_argument("--service-runs", type=int, default=3)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--tasks", type=int, default=200_000)
    parser.add_argument("--blockers", type=int, default=3_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--keep", action="store_true", help="keep the database and the data directory")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit(f"set DATABASE_URL=postgres://postgres@127.0.0.1:5432/{DATABASE}")
    admin_dsn = _admin_dsn(url)
    data_dir = Path(tempfile.mkdtemp(prefix="zs-bench-pages-"))
    os.environ["ZHAOSHANG_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("ZHAOSHANG_DEMO_PASSWORD", "bench-pages-demo")
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhaoshang.settings"
    os.environ.pop("DEBUG", None)

    results: dict[str, Any] = {"args": {k: str(v) for k, v in vars(args).items()}, "git": _git()}
    print(f"code: {results['git']}; load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs")
    _recreate(admin_dsn)
    try:
        results["migrate_s"] = _zhaoshang("migrate", "--verbosity", "0")
        results["demo_s"] = _zhaoshang("demo")
        print(f"migrate {results['migrate_s']:.1f} s, demo {results['demo_s']:.1f} s  (data dir {data_dir})")

        import django

        django.setup()
        from django.db import connection

        results["server"] = connection.cursor().connection.info.parameter_status("server_version")
        configure_huantai_forecast()
        ctx: dict[str, Any] = {"project": choose_project()}
        ctx["report"], results["dispatch_build_small_s"] = build_report(ctx)
        results["context"] = dict(ctx)

        results["counts_small"] = table_counts()
        print(f"\n[small] demo database: {results['counts_small']}")
        results["small"] = measure_pages(ctx, args.runs, args.warmups)
        results["services_small"] = measure_services(ctx, args.service_runs)

        start = time.perf_counter()
        results["volume"] = add_volume(args.projects, args.tasks, args.blockers, args.seed)
        results["volume_s"] = time.perf_counter() - start
        report, results["dispatch_build_big_s"] = build_report(ctx)
        assert report == ctx["report"], "the same period's report is rebuilt, not a new one"
        results["counts_big"] = table_counts()
        print(f"\n[big] volume added in {results['volume_s']:.1f} s (bulk_create, no history; ANALYZE): "
              f"{results['counts_big']}")  # fmt: skip
        results["big"] = measure_pages(ctx, args.runs, args.warmups)
        results["services_big"] = measure_services(ctx, args.service_runs)

        print("\nratio big / small")
        for key, *_rest in pages(ctx):
            s, b = results["small"][key], results["big"][key]
            target = TIME_TARGET_MS.get(key)
            verdict = ""
            if target is not None:
                verdict = (
                    f"  time target ≤ {target:.0f} ms: {'met' if b['median_ms'] <= target else 'MISSED'}"
                )
            equal = "(equal)" if s["queries"] == b["queries"] else "(NOT equal)"
            print(f"  {key:<17} time ×{b['median_ms'] / s['median_ms']:6.2f}   queries {s['queries']:3d} → "
                  f"{b['queries']:3d} {equal}{verdict}")  # fmt: skip
        svc = results["services_big"]
        print(f"  scores_compute {svc['scores_compute']['median_s']:.2f} s (target ≤ 5 s: "
              f"{'met' if svc['scores_compute']['median_s'] <= 5 else 'MISSED'})")  # fmt: skip
        print(f"  district_forecast Huantai ({svc['forecast_huantai']['projects']} projects) "
              f"{svc['forecast_huantai']['median_s']:.2f} s (target ≤ 2 s: "
              f"{'met' if svc['forecast_huantai']['median_s'] <= 2 else 'MISSED'})")  # fmt: skip

        # Where the time goes: every page over its target, whose time grew 1.5× or more, or whose queries grew.
        print("\nwhere the time goes (big database)")
        explained = []
        for key, *_rest in pages(ctx):
            s, b = results["small"][key], results["big"][key]
            over = b["median_ms"] > TIME_TARGET_MS.get(key, float("inf"))
            if over or b["median_ms"] >= 1.5 * s["median_ms"] or b["queries"] != s["queries"]:
                explained.append(explain(ctx, key))
                print(explained[-1] + "\n", flush=True)
        from django.contrib.auth import get_user_model

        from zhaoshang.assessment.scoring import scores_compute
        from zhaoshang.core.audit import acting_as

        city_admin = get_user_model().objects.get(username="city_admin")

        def scores() -> Any:
            with acting_as(city_admin, "system"):
                return scores_compute(month=dt.date(2026, 11, 1), user=city_admin)

        explained.append(explain_service("scores_compute(month=2026-11-01, user=city_admin)", scores))
        print(explained[-1] + "\n", flush=True)
        results["explained"] = explained
    finally:
        results["git_end"] = _git()
        if results["git_end"] != results["git"]:
            print(f"note: the code changed during the run; now {results['git_end']}")
        if args.json:
            args.json.write_text(
                json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
            )
            print(f"figures written to {args.json}")
        if args.keep:
            print(f"kept: database {DATABASE}, data dir {data_dir}")
        else:
            _drop(admin_dsn)
            shutil.rmtree(data_dir, ignore_errors=True)
            print(f"dropped database {DATABASE} and {data_dir}")


if __name__ == "__main__":
    main()

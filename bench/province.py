"""A province on one instance: 16 cities, 136 districts, 300,000 projects, 6,000,000 weekly tasks, 5,000 users,
and the page times at that scale on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zs_province .venv/bin/python bench/province.py \
        [--scale 1.0] [--runs 9] [--warmups 2] [--keep] [--json out.json]

The script owns the database named in DATABASE_URL, which must be ``zs_province`` (it refuses any other name).
It drops and creates it, runs ``zhaoshang migrate``, ``zhaoshang demo`` and ``zhaoshang demo_province``
(subprocesses, with a temporary ZHAOSHANG_DATA_DIR), then in this process:

1. measures the pages on the province demo as it is ("small": 山东省 over 淄博市 and 潍坊市);
2. generates the province with COPY through psycopg (not the ORM; no django-simple-history rows): the 16
   cities of Shandong (GB/T 2260), districts from their counties up to 136 reporting units (with Zibo's three
   functional zones), 5,000 users (district clerks and administrators, one supervisor per city scoped by
   ``RoleAssignment.cities``, a few province users) with profiles and role assignments, 300,000 projects spread
   over the districts with the demo's stage ladder, one verified stage move per step beyond negotiation, and 20
   weekly tasks per project (6,000,000); then ANALYZE. ``--scale 0.1`` generates a tenth of the projects, tasks
   and users (the geography stays 16 cities / 136 districts);
3. measures the same pages again ("big") and compares time and query count (constant query counts are the
   target; district and city pages ≤ 300 ms median, the province roll-up ≤ 1 s);
4. for a page over its target, prints its slowest queries and their EXPLAIN (ANALYZE, BUFFERS);
5. drops the database (unless --keep) and the data directory.

Pages (Django's test Client in this process, force_login; median and p90 of --runs after --warmups):
a district administrator (``linzi_admin``: 临淄区) on the home page, the project list, the leader dashboard and
the rates page; the city supervisor (``city_admin``: 淄博市) on the city roll-up; the province administrator
(``province_admin``) on the province roll-up (the city page without ``?city=``). The ``*_restart`` rows are the
first request of a freshly started process (Django's cache and the kept project facts emptied before each
request), as in bench/pages_postgres.py, whose helpers this script reuses; the ``*_new_process`` rows are a freshly
started process on a node whose cache is shared (Redis): its kept facts emptied, Django's cache kept.

``--database NAME`` lets the script own another database than ``zs_province`` (DATABASE_URL must name it);
``--existing --measured-volume`` measures a database kept by an earlier run (``--keep``) without generating.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages_postgres as pp  # noqa: E402  (the page-benchmark helpers: client, measure, situations)

DATABASE = "zs_province"
SEED = 20261207
CITIES = ["370100", "370200", "370300", "370400", "370500", "370600", "370700", "370800", "370900", "371000",
          "371100", "371300", "371400", "371500", "371600", "371700"]  # fmt: skip
N_DISTRICTS = 136
N_PROJECTS = 300_000
TASKS_PER_PROJECT = 20
N_USERS = 5_000
PROVINCE_USERS = 4
TIME_TARGET_MS = {"home": 300.0, "project_list": 300.0, "dashboard": 300.0, "rates": 300.0, "city": 300.0,
                  "province": 1000.0, "dashboard_restart": 300.0, "city_restart": 300.0,
                  "province_restart": 1000.0, "dashboard_new_process": 300.0, "city_new_process": 300.0,
                  "province_new_process": 1000.0}  # fmt: skip
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def pages() -> list[tuple[str, str, str]]:
    """(key, who, path) of every page measured."""
    return [
        ("home", "linzi_admin", "/"),
        ("project_list", "linzi_admin", "/project/"),
        ("dashboard", "linzi_admin", "/assessment/?year=2026"),
        ("dashboard_restart", "linzi_admin", "/assessment/?year=2026"),
        ("rates", "linzi_admin", "/assessment/rates/?year=2026"),
        ("city", "city_admin", "/assessment/city/?year=2026"),
        ("city_restart", "city_admin", "/assessment/city/?year=2026"),
        ("province", "province_admin", "/assessment/city/?year=2026"),
        ("province_restart", "province_admin", "/assessment/city/?year=2026"),
        # A fresh process on a node whose cache is shared (Redis): its memory empty, the cache kept.
        ("dashboard_new_process", "linzi_admin", "/assessment/?year=2026"),
        ("city_new_process", "city_admin", "/assessment/city/?year=2026"),
        ("province_new_process", "province_admin", "/assessment/city/?year=2026"),
    ]


def situation(key: str) -> Any:
    """`pages_postgres.situation`, plus ``*_new_process``: this process's kept facts forgotten, the cache kept."""
    if key.endswith("_new_process"):
        from zhaoshang.assessment.facts import forget

        return forget
    return pp.situation(key)


# --- database ---------------------------------------------------------------------------------------------


def _dsn(url: str) -> str:
    return urlsplit(url)._replace(scheme="postgresql").geturl()


# --- generation (COPY) ------------------------------------------------------------------------------------


def _esc(value: Any) -> str:
    """One field of COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return text


class Copier:
    """COPY rows into one table; NOT NULL columns the rows do not give get the type's empty value (text '',
    integer 1 for ``edit_version``, jsonb [] or {} as the model's default), so the script survives new blank
    columns; anything else missing is an error."""

    def __init__(self, conn: Any, table: str, columns: list[str], jsonb: dict[str, str] | None = None):
        rows = conn.execute(
            "SELECT column_name, data_type, is_nullable, coalesce(column_default, nullif(is_identity, 'NO')) "
            "FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = %s",
            [table],
        ).fetchall()
        self.extra: dict[str, str] = {}
        for name, kind, nullable, default in rows:
            if name in columns or nullable == "YES" or default is not None:
                continue
            if kind in ("character varying", "text"):
                self.extra[name] = ""
            elif name == "edit_version":
                self.extra[name] = "1"
            elif kind == "jsonb" and jsonb and name in jsonb:
                self.extra[name] = jsonb[name]
            elif kind == "timestamp with time zone":
                self.extra[name] = NOW.isoformat()
            else:
                raise RuntimeError(f"{table}.{name} ({kind}) is NOT NULL and has no value in the generator")
        self.conn, self.table, self.columns = conn, table, columns
        self.tail = "".join("\t" + _esc(v) for v in self.extra.values())
        self.buffer = io.StringIO()
        self.count = 0

    def row(self, *values: Any) -> None:
        self.buffer.write("\t".join(map(_esc, values)) + self.tail + "\n")
        self.count += 1
        if self.count % 200_000 == 0:
            self.flush()

    def flush(self) -> None:
        data = self.buffer.getvalue()
        if not data:
            return
        cols = ", ".join([*self.columns, *self.extra])
        with self.conn.cursor() as cursor, cursor.copy(f"COPY {self.table} ({cols}) FROM STDIN") as copy:
            copy.write(data.encode())
        self.buffer = io.StringIO()


def _next_id(conn: Any, table: str) -> int:
    return int(conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])


def _reset_sequence(conn: Any, table: str) -> None:
    conn.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
    )


def generate(dsn: str, scale: float, seed: int) -> dict[str, Any]:
    """The province by COPY; returns the row counts written and the seconds each table took."""
    import psycopg

    from zhaoshang.standards.divisions import children, division

    rng = random.Random(seed)
    n_projects = round(N_PROJECTS * scale)
    n_users = round(N_USERS * scale)
    timings: dict[str, float] = {}
    written: dict[str, int] = {}
    now = NOW.isoformat()
    with psycopg.connect(dsn) as conn:
        # Cities: the 16 of Shandong, all under the province.
        start = time.perf_counter()
        province = conn.execute("SELECT id FROM core_province WHERE adcode = '370000'").fetchone()[0]
        have = dict(conn.execute("SELECT adcode, id FROM core_city").fetchall())
        cities = Copier(conn, "core_city", ["created", "updated", "adcode", "name", "province_id"])
        for code in CITIES:
            if code not in have:
                cities.row(now, now, code, division(code).name, province)
        cities.flush()
        conn.execute("UPDATE core_city SET province_id = %s", [province])
        city_ids = dict(conn.execute("SELECT adcode, id FROM core_city").fetchall())
        written["cities_added"] = cities.count

        # Districts: the counties of each city in turn (round robin, so every city gets its share), up to 136.
        have_d = {a for (a,) in conn.execute("SELECT adcode FROM core_district").fetchall()}
        queues = {c: [d for d in children(c) if d.name != "市辖区" and d.code not in have_d] for c in CITIES}
        districts = Copier(
            conn,
            "core_district",
            ["created", "updated", "adcode", "name", "lng", "lat", "settings", "city_id", "kind"],
        )
        total = len(have_d)
        while total < N_DISTRICTS and any(queues.values()):
            for code in CITIES:
                if queues[code] and total < N_DISTRICTS:
                    d = queues[code].pop(0)
                    districts.row(now, now, d.code, d.name, d.lng, d.lat, "{}", city_ids[code], "county")
                    total += 1
        districts.flush()
        written["districts_added"] = districts.count
        district_rows = conn.execute("SELECT id, city_id FROM core_district ORDER BY adcode").fetchall()
        district_ids = [d for d, _c in district_rows]
        timings["geography_s"] = time.perf_counter() - start

        # Users: per district clerks and one administrator; one supervisor per city; a few province users.
        start = time.perf_counter()
        roles = dict(conn.execute("SELECT code, id FROM core_role").fetchall())

        def role_of(username: str) -> int:
            found = conn.execute(
                "SELECT ra.role_id FROM core_roleassignment ra JOIN auth_user u ON u.id = ra.user_id "
                "WHERE u.username = %s ORDER BY ra.id LIMIT 1",
                [username],
            ).fetchone()
            return int(found[0])

        clerk_role, admin_role, city_role = (
            role_of("linzi_clerk"),
            role_of("linzi_admin"),
            role_of("city_admin"),
        )
        province_role = roles["province_admin"]
        user_id = _next_id(conn, "auth_user")
        users = Copier(
            conn,
            "auth_user",
            ["id", "password", "is_superuser", "username", "first_name", "last_name", "email", "is_staff",
             "is_active", "date_joined"],
        )  # fmt: skip
        profiles = Copier(conn, "core_userprofile", ["created", "updated", "title", "user_id", "district_id"])
        assign_id = _next_id(conn, "core_roleassignment")
        assignments = Copier(
            conn, "core_roleassignment", ["id", "created", "updated", "all_districts", "role_id", "user_id"]
        )
        assign_districts = Copier(conn, "core_roleassignment_districts", ["roleassignment_id", "district_id"])
        assign_cities = Copier(conn, "core_roleassignment_cities", ["roleassignment_id", "city_id"])
        officers: dict[int, list[int]] = {d: [] for d in district_ids}

        def add_user(name: str, full: str, district: int | None, role: int, scope: str, target: int | None):
            nonlocal user_id, assign_id
            users.row(user_id, "!", False, name, full, "", "", False, True, now)
            profiles.row(now, now, "基准用户", user_id, district)
            assignments.row(assign_id, now, now, scope == "all", role, user_id)
            if scope == "district":
                assign_districts.row(assign_id, target)
            elif scope == "city":
                assign_cities.row(assign_id, target)
            user_id += 1
            assign_id += 1
            return user_id - 1

        for i in range(PROVINCE_USERS):
            add_user(f"pv_province_{i}", f"省级用户{i}", None, province_role, "all", None)
        for code in CITIES:
            add_user(f"pv_city_{code}", f"市级用户{code}", None, city_role, "city", city_ids[code])
        # The users already there (the demo's personas) count towards the total; the rest spread evenly.
        have_users = int(conn.execute("SELECT count(*) FROM auth_user").fetchone()[0])
        left = max(2 * len(district_ids), n_users - have_users - PROVINCE_USERS - len(CITIES))
        for k, d in enumerate(district_ids):
            for j in range(left // len(district_ids) + (1 if k < left % len(district_ids) else 0)):
                role = admin_role if j == 0 else clerk_role
                officers[d].append(add_user(f"pv_d{d}_{j:03d}", f"区县用户{d}-{j}", d, role, "district", d))
        for copier in (users, profiles, assignments, assign_districts, assign_cities):
            copier.flush()
        for table in ("auth_user", "core_roleassignment"):
            _reset_sequence(conn, table)
        written["users"] = users.count
        timings["users_s"] = time.perf_counter() - start

        # Projects over the districts (uneven: a few big districts, many small), moves, weekly tasks.
        start = time.perf_counter()
        weights = [rng.lognormvariate(0, 0.6) for _ in district_ids]
        project_id = _next_id(conn, "projects_project")
        first_project = project_id
        projects = Copier(
            conn,
            "projects_project",
            ["id", "created", "updated", "name", "content", "stage", "status", "tier", "investor_name",
             "investor_origin", "total_investment", "first_phase_investment", "signed_date", "promised_start_date",
             "started_date", "expected_production_date", "designed_output", "designed_tax", "designed_jobs",
             "district_id", "officer_id", "land_mu"],
            jsonb={"investor_top500": "[]"},
        )  # fmt: skip
        moves = Copier(
            conn,
            "projects_stagemove",
            ["created", "updated", "project_id", "from_stage", "to_stage", "date", "evidence_note",
             "requested_by_id", "verified_by_id", "verified_at"],
        )  # fmt: skip
        plan: list[tuple[int, int, int]] = []  # (project id, district, officer)
        signed_stage = pp.LADDER.index("signed")
        for index, district in enumerate(rng.choices(district_ids, weights, k=n_projects)):
            stage = rng.choices(pp.LADDER, pp.LINZI_WEIGHTS)[0]
            rank = pp.LADDER.index(stage)
            amount = max(1000, round(rng.lognormvariate(10.3, 1.0) / 100) * 100)  # 万元, median ≈ 3 亿
            roll = rng.random()
            status = "on_track"
            if rank >= 2 and roll < 0.12:
                status = "delayed"
            elif rank >= 2 and roll < 0.17:
                status = "stalled"
            tier = rng.choices(["provincial", "municipal", "district", "general"], [1, 6, 25, 68])[0]
            officer = rng.choice(officers[district])
            admin = officers[district][0]
            signed = promised = started = production = None
            if rank >= signed_stage:
                day = pp._day(rng, dt.date(2025, 6, 1), dt.date(2026, 6, 30))
                previous = "negotiation"
                for to_stage in pp.LADDER[signed_stage : rank + 1]:
                    moves.row(now, now, project_id, previous, to_stage, day, "基准佐证", officer, admin,
                              dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC).isoformat())  # fmt: skip
                    if to_stage == "signed":
                        signed = day
                        promised = day + dt.timedelta(days=rng.randint(90, 240))
                    if to_stage == "started":
                        started = day
                    previous = to_stage
                    day = min(day + dt.timedelta(days=rng.randint(20, 60)), NOW.date())
                if stage in ("signed", "registered", "land", "started", "completed"):
                    production = pp._day(rng, dt.date(2027, 1, 1), dt.date(2028, 12, 31))
            projects.row(
                project_id, now, now, f"省基准项目{index + 1:06d}", "基准测试数据", stage, status,
                tier if rank >= 2 else "general", f"基准投资方{index % 20000:05d}", rng.choice(pp.ORIGINS),
                amount, round(amount * 0.6, 2), signed, promised, started, production, round(amount * 1.4, 2),
                round(amount * 0.08, 2), max(20, amount // 2000), district, officer, max(10, amount // 5000),
            )  # fmt: skip
            plan.append((project_id, district, officer))
            project_id += 1
        projects.flush()
        moves.flush()
        _reset_sequence(conn, "projects_project")
        _reset_sequence(conn, "projects_stagemove")
        written["projects"], written["stage_moves"] = projects.count, moves.count
        timings["projects_s"] = time.perf_counter() - start

        start = time.perf_counter()
        tasks = Copier(
            conn,
            "projects_weeklytask",
            [
                "created",
                "updated",
                "project_id",
                "week",
                "title",
                "owner_id",
                "due_date",
                "status",
                "done_date",
            ],
        )
        last_monday = pp.LAST_WEEK
        weeks = [last_monday - dt.timedelta(weeks=w) for w in range(52)]
        per_project = TASKS_PER_PROJECT
        for pid, _district, officer in plan:
            for week in rng.sample(weeks, per_project):
                due = week + dt.timedelta(days=4)
                if due < NOW.date():
                    status, done = ("done", due) if rng.random() < 0.85 else ("doing", None)
                else:
                    status, done = "todo", None
                tasks.row(now, now, pid, week, rng.choice(pp.TASK_TITLES), officer, due, status, done)
        tasks.flush()
        _reset_sequence(conn, "projects_weeklytask")
        written["tasks"] = tasks.count
        timings["tasks_s"] = time.perf_counter() - start
        conn.commit()
        written["first_project_id"] = first_project
    start = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    timings["vacuum_analyze_s"] = time.perf_counter() - start
    return {"rows": written, "timings": timings}


def table_counts() -> dict[str, int]:
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for table in ("core_city", "core_district", "auth_user", "core_roleassignment", "projects_project",
                      "projects_stagemove", "projects_weeklytask"):  # fmt: skip
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            out[table] = int(cursor.fetchone()[0])
    return out


# --- measuring --------------------------------------------------------------------------------------------


def measure_pages(runs: int, warmups: int) -> dict[str, dict[str, Any]]:
    from django.contrib.auth import get_user_model

    wanted = {who for _key, who, _path in pages()}
    users = {u.get_username(): u for u in get_user_model().objects.filter(username__in=wanted)}
    clients = {name: pp._client(user) for name, user in users.items()}
    results = {}
    for key, who, path in pages():
        prepare = situation(key)
        for _ in range(warmups):
            prepare()
            pp._get(clients[who], path)
        times = []
        content = b""
        for _ in range(runs):
            prepare()
            start = time.perf_counter()
            content = pp._get(clients[who], path).content
            times.append((time.perf_counter() - start) * 1000)
        prepare()
        n1, _q = pp.queries_of(clients[who], path)
        prepare()
        n2, _q = pp.queries_of(clients[who], path)
        if n1 != n2:
            raise RuntimeError(f"{path}: query count not stable ({n1} then {n2})")
        ordered = sorted(times)
        r = {
            "path": path,
            "user": who,
            "median_ms": statistics.median(times),
            "p90_ms": ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))],
            "times_ms": times,
            "queries": n1,
            "bytes": len(content),
            "rows": content.count(b"<tr"),
            "load": os.getloadavg()[0],
        }
        results[key] = r
        print(f"  {key:<18} {who:<15} {path:<30} median {r['median_ms']:8.1f} ms  p90 {r['p90_ms']:8.1f} ms "
              f"{r['queries']:3d} queries {r['bytes'] / 1024:7.1f} KiB {r['rows']:5d} rows (load {r['load']:.1f})",
              flush=True)  # fmt: skip
    return results


def explain(key: str, top: int = 4) -> str:
    """The slowest queries of one request of a page, with EXPLAIN (ANALYZE, BUFFERS) of the slowest."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    _key, who, path = next(p for p in pages() if p[0] == key)
    prepare = situation(key)
    client = pp._client(get_user_model().objects.get(username=who))
    pp._get(client, path)  # as measured: after a warm-up request
    prepare()
    count, queries = pp.queries_of(client, path)
    sql_ms = sum(float(q["time"]) for q in queries) * 1000
    lines = [f"### {key}: GET {path} as {who}", f"{count} queries, {sql_ms:.1f} ms in the database; slowest:"]
    slowest = sorted(queries, key=lambda q: -float(q["time"]))[:top]
    for q in slowest:
        sql = " ".join(q["sql"].split())
        lines.append(f"  {float(q['time']) * 1000:7.1f} ms  {sql[:400]}{'…' if len(sql) > 400 else ''}")
    for q in slowest[:2]:
        if not q["sql"].lstrip("( ").upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
            plan = [row[0] for row in cursor.fetchall()]
        lines.append(f"EXPLAIN of the {float(q['time']) * 1000:.1f} ms query:")
        lines.extend("    " + line for line in plan[:40])
    return "\n".join(lines)


def main() -> None:
    global DATABASE  # noqa: PLW0603  (the one database this run owns, named once by --database)
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--warmups", type=int, default=2)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--keep", action="store_true", help="keep the database and the data directory")
    parser.add_argument(
        "--database",
        default=DATABASE,
        help=f"the database the script owns (default {DATABASE}; DATABASE_URL must name it)",
    )
    parser.add_argument(
        "--measured-volume",
        action="store_true",
        help="with --existing: the database already holds the province's volume (a kept run): measure only",
    )
    parser.add_argument(
        "--existing",
        action="store_true",
        help="use the database as it is (migrated, demo and demo_province run; no volume yet): no drop/create",
    )
    args = parser.parse_args()
    DATABASE = args.database

    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit(f"set DATABASE_URL=postgres://postgres@127.0.0.1:5432/{DATABASE}")
    admin_dsn = pp._admin_dsn(url, DATABASE)
    data_dir = Path(tempfile.mkdtemp(prefix="zs-bench-province-"))
    os.environ["ZHAOSHANG_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("ZHAOSHANG_DEMO_PASSWORD", "bench-province-demo")
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhaoshang.settings"
    os.environ.pop("DEBUG", None)

    results: dict[str, Any] = {"args": {k: str(v) for k, v in vars(args).items()}, "git": pp._git()}
    git = results["git"]
    print(
        f"code: {git[:200]}{'…' if len(git) > 200 else ''}; "
        f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs"
    )
    if not args.existing:
        pp._recreate(admin_dsn, DATABASE)
    try:
        if not args.existing:
            results["migrate_s"] = pp._zhaoshang("migrate", "--verbosity", "0")
            results["demo_s"] = pp._zhaoshang("demo")
            results["demo_province_s"] = pp._zhaoshang("demo_province")
            print(f"migrate {results['migrate_s']:.1f} s, demo {results['demo_s']:.1f} s, demo_province "
                  f"{results['demo_province_s']:.1f} s", flush=True)  # fmt: skip

        import django

        django.setup()
        from django.db import connection

        results["server"] = connection.cursor().connection.info.parameter_status("server_version")
        if args.measured_volume:  # a kept run's database: the volume is there, measure it only
            results["small"] = {}
            results["counts_big"] = table_counts()
            print(f"\n[big] as kept: {results['counts_big']}", flush=True)
            results["big"] = measure_pages(args.runs, args.warmups)
        else:
            results["counts_small"] = table_counts()
            print(f"\n[small] province demo: {results['counts_small']}", flush=True)
            results["small"] = measure_pages(args.runs, args.warmups)

            connection.close()
            start = time.perf_counter()
            results["volume"] = generate(_dsn(url), args.scale, args.seed)
            results["volume_s"] = time.perf_counter() - start
            results["counts_big"] = table_counts()
            print(f"\n[big] scale {args.scale}: generated in {results['volume_s']:.1f} s by COPY "
                  f"{results['volume']['timings']}: {results['counts_big']}", flush=True)  # fmt: skip
            results["big"] = measure_pages(args.runs, args.warmups)

        print("\nbig / small")
        over = []
        for key, *_rest in pages():
            b = results["big"][key]
            s = results["small"].get(key, b)
            target = TIME_TARGET_MS[key]
            met = b["median_ms"] <= target
            if not met:
                over.append(key)
            equal = "equal" if s["queries"] == b["queries"] else "NOT equal"
            print(
                f"  {key:<18} median {s['median_ms']:7.1f} → {b['median_ms']:7.1f} ms (target ≤ {target:.0f}: "
                  f"{'met' if met else 'MISSED'})  queries {s['queries']:3d} → {b['queries']:3d} ({equal})",
            )  # fmt: skip
        results["explained"] = []
        for key in over:
            if key.endswith("_restart") and key.removesuffix("_restart") in over:
                continue
            results["explained"].append(explain(key))
            print("\n" + results["explained"][-1], flush=True)
        results["load_end"] = os.getloadavg()
        print(f"\nload average at the end {results['load_end'][0]:.1f}")
    finally:
        if args.json:
            args.json.write_text(
                json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
            )
            print(f"figures written to {args.json}")
        if args.keep:
            print(f"kept: database {DATABASE}, data dir {data_dir}")
        else:
            pp._drop(admin_dsn, DATABASE)
            shutil.rmtree(data_dir, ignore_errors=True)
            print(f"dropped database {DATABASE} and {data_dir}")


if __name__ == "__main__":
    main()

"""Load: gunicorn on the loopback against PostgreSQL with the demo, many signed-in sessions, the pages people use.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhaoshang_load .venv/bin/python bench/load.py \
        [--reuse] [--clients 4 16] [--seconds 30] [--page-seconds 8] [--rounds 4] [--workers 4] [--worker-class sync]

The script owns the database named in DATABASE_URL (default ``zhaoshang_load``; a name not starting with
``zhaoshang_load`` is refused, so that ``test`` and production databases are never touched). Without
``--reuse`` it drops and creates it, then runs ``zhaoshang migrate`` and ``zhaoshang demo`` (a few minutes) with
the data folder ``--data-dir`` (default ``$TMPDIR/zs-load-<database>``, kept for ``--reuse``). With ``--reuse``
it only runs ``zhaoshang migrate`` (the code may have new migrations) and ``zhaoshang demo``, which on an
existing demo just resets the demo accounts, and clears django-axes' failed sign-ins. Either way it then runs
``ANALYZE``, as autovacuum would on a server.

Then it starts gunicorn (``zhaoshang.wsgi:application`` on 127.0.0.1, a free port; ``--workers`` processes of
``--worker-class``, ``--threads`` each for gthread) and signs in, once per session with the demo password
(``ZHAOSHANG_DEMO_PASSWORD``, default ``zhaoshang-demo``): ``--sessions`` (4) sessions for each of the five
personas, each signed in once; client i uses session i mod 4 of each persona (several clients on one session,
as one person with several tabs) and the cookies are kept for the whole run. A failed sign-in stops the run at
once (django-axes would lock the account after a few). The client is ``http.client``: one connection per
client thread, kept alive where the server allows it (gunicorn's sync workers close it after every response
and the client reconnects — as nginx, which by default opens a new connection to gunicorn for each request).

For each ``--clients`` value, against the same gunicorn:

1. **warm-up** (untimed): every client gets every page twice; any answer but 200 stops the run (a redirect
   to the sign-in page would mean a lost session). Each worker process then has the caches people's requests
   would have filled (the dashboard's rate tables and facts are kept per process);
2. **baseline**: all clients get the sign-in page (``/accounts/login/``, GET, with their session) for
   ``--page-seconds``: the whole stack (middleware, session, CSRF, a template) with no query of ours;
3. **each page alone**: all clients get that page for ``--page-seconds``; requests/s is what the server
   sustains on that page at this concurrency, printed also as a ratio to the baseline's (``× base``).
   Steps 2 and 3 run in ``--rounds`` slices, the pages in a rotating order, so that a change in the machine's
   other load falls on every page alike (the shared development machine's load swings by a factor of two
   within minutes);
4. **mixed**: for ``--seconds``, every client walks all the pages in its own shuffled order, again and again:
   requests, requests/s (the page's share of the mix), p50 and p99 latency, errors and server errors per page,
   and the total.

Latency is measured from sending the request to reading the whole body. An error is an answer outside
2xx/3xx or a failed connection; a server error is a 5xx. The script stops gunicorn at the end and on Ctrl-C,
and exits 1 if any error or server error occurred (or the sign-in failed), 0 otherwise. ``--json FILE`` writes
every figure. Results: docs/benchmarks.md, section "Load (gunicorn + PostgreSQL)".
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
ZHAOSHANG = BIN / "zhaoshang"
GUNICORN = BIN / "gunicorn"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/zhaoshang_load"
PREFIX = "zhaoshang_load"
PERSONAS = ["city_admin", "linzi_admin", "linzi_chief", "linzi_clerk", "huantai_admin"]
# The map's shapes are asked for the visible box; this one covers 临淄 and 桓台 (WGS84 west,south,east,north).
MAP_BOX = "117.85,36.70,118.55,37.10"


@dataclass
class Page:
    key: str
    label: str
    persona: str
    path: str


def pages(project: int, chain: int) -> list[Page]:
    """The pages people use, each as the persona who uses it."""
    return [
        Page("home", "home / (桓台 admin)", "huantai_admin", "/"),
        Page("project_list", "project list /project/", "linzi_admin", "/project/"),
        Page("project", f"project page /project/{project}/", "linzi_admin", f"/project/{project}/"),
        Page("dashboard", "dashboard /assessment/", "linzi_admin", "/assessment/"),
        Page("city", "city comparison /assessment/city/", "city_admin", "/assessment/city/"),
        Page("site_list", "site list /site/", "linzi_admin", "/site/"),
        Page("map_data", "map data /sites/map/data/", "linzi_admin", "/sites/map/data/?boundaries=1"),
        Page(
            "map_shapes",
            "map shapes /sites/map/shapes/",
            "linzi_admin",
            "/sites/map/shapes/?" + urlencode({"bbox": MAP_BOX}),
        ),
        Page("chain", f"chain page /chain/{chain}/", "linzi_chief", f"/chain/{chain}/"),
        Page("blockers", "blocker board /blockers/board/", "linzi_admin", "/blockers/board/"),
        Page("my_tasks", "我的任务 /my/tasks/ (clerk)", "linzi_clerk", "/my/tasks/"),
    ]


BASELINE = Page("baseline", "baseline: sign-in page GET", "linzi_admin", "/accounts/login/")


# --- the database and the server ------------------------------------------------------------------------


def _database(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith(PREFIX):
        sys.exit(f"DATABASE_URL must name a database starting with {PREFIX!r} (got {name!r})")
    return name, parts._replace(scheme="postgresql", path="/postgres").geturl()


def _git() -> str:
    def run(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=HERE.parent, capture_output=True, text=True).stdout

    dirty = [line[3:] for line in run("status", "--short", "--", "src").splitlines() if line.strip()]
    return run("rev-parse", "--short", "HEAD").strip() + (
        f" + uncommitted changes in {len(dirty)} files under src/" if dirty else ""
    )


def _zhaoshang(env: dict[str, str], *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([str(ZHAOSHANG), *args], check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def prepare(url: str, data_dir: Path, env: dict[str, str], reuse: bool) -> dict[str, Any]:
    import psycopg

    name, admin_dsn = _database(url)
    facts: dict[str, Any] = {"database": name, "data_dir": str(data_dir)}
    try:
        psycopg.connect(admin_dsn, connect_timeout=5).close()
    except psycopg.OperationalError as error:
        sys.exit(f"PostgreSQL is not reachable ({error}); set DATABASE_URL")
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if reuse and not exists:
            sys.exit(f"--reuse: database {name} does not exist; run without --reuse to load the demo")
        if not reuse:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
            shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    facts["migrate_s"] = _zhaoshang(env, "migrate", "--verbosity", "0")
    facts["demo_s"] = _zhaoshang(env, "demo")  # on an existing demo: resets the demo accounts only
    _zhaoshang(env, "axes_reset")
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
        # Planner statistics as autovacuum keeps them on a server (it may be off on a development cluster).
        db.execute("ANALYZE")
        facts["server"] = db.info.parameter_status("server_version")
        for table in ("projects_project", "projects_weeklytask", "projects_blocker", "sites_site"):
            facts[table] = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return facts


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn in its own process group (Ctrl-C reaches this script, which stops it)."""

    def __init__(self, env: dict[str, str], args: argparse.Namespace, log: Path) -> None:
        self.port = _free_port()
        command = [
            str(GUNICORN),
            "zhaoshang.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            args.worker_class,
            "--timeout",
            "120",
            "--error-logfile",
            str(log),
        ]
        if args.worker_class == "gthread":
            command += ["--threads", str(args.threads)]
        self.command = command
        self.log = log
        self.process = subprocess.Popen(command, env=env, start_new_session=True, stdout=subprocess.DEVNULL)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", BASELINE.path)
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


# --- the client -------------------------------------------------------------------------------------------


class Client:
    """One simulated person: one connection, one session per persona, requests one after another."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, cookies: dict[str, str], body: str | None = None
    ) -> tuple[int, bytes, http.client.HTTPResponse]:
        headers = {"Accept-Language": "zh-hans", "Host": f"127.0.0.1:{self.port}"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                if response.will_close:
                    self.conn.close()  # sync workers: the next request opens a new connection
                return response.status, data, response
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server closed while idle: one new try on a new connection.
                self.conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def sign_in(self, username: str, password: str) -> dict[str, str]:
        _status, html, response = self.request("GET", "/accounts/login/", {})
        cookies = _set_cookies(response)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if token is None or "csrftoken" not in cookies:
            raise RuntimeError("the sign-in page has no CSRF token")
        body = urlencode(
            {"csrfmiddlewaretoken": token.group(1).decode(), "username": username, "password": password}
        )
        status, _html, response = self.request("POST", "/accounts/login/", cookies, body)
        cookies.update(_set_cookies(response))
        if status != 302 or "sessionid" not in cookies:
            raise RuntimeError(f"sign-in as {username} failed (HTTP {status}); stopping before a lock-out")
        return cookies


def _set_cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    server_errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    def add(self, status: int | str, seconds: float) -> None:
        self.latencies.append(seconds)
        self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
        if not isinstance(status, int) or not 200 <= status < 400:
            self.errors += 1
        if isinstance(status, int) and status >= 500:
            self.server_errors += 1

    def merge(self, other: Tally) -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        self.server_errors += other.server_errors
        for k, v in other.statuses.items():
            self.statuses[k] = self.statuses.get(k, 0) + v


def _percentile(values: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(-(-q * len(ordered) // 1)) - 1))] if ordered else 0.0


def _get(client: Client, page: Page, cookies: dict[str, str]) -> tuple[int | str, float]:
    start = time.perf_counter()
    try:
        status: int | str = client.request("GET", page.path, cookies)[0]
    except (OSError, http.client.HTTPException) as error:
        status = type(error).__name__
    return status, time.perf_counter() - start


def drive(
    clients: list[tuple[Client, dict[str, dict[str, str]]]],
    plan: list[Page],
    seconds: float,
    shuffle: bool,
    stop: threading.Event,
) -> tuple[dict[str, Tally], float]:
    """Every client requests pages of `plan` one after another for `seconds`; returns per-page tallies."""
    tallies: list[dict[str, Tally]] = [{p.key: Tally() for p in plan} for _ in clients]
    start_line = threading.Barrier(len(clients) + 1)
    end = [0.0]

    def run(index: int) -> None:
        client, sessions = clients[index]
        rng = random.Random(index)
        order = list(plan)
        start_line.wait()
        while not stop.is_set():
            if shuffle:
                rng.shuffle(order)
            for page in order:
                if time.perf_counter() >= end[0] or stop.is_set():
                    return
                status, took = _get(client, page, sessions[page.persona])
                tallies[index][page.key].add(status, took)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(clients))]
    for t in threads:
        t.start()
    began = time.perf_counter()
    end[0] = began + seconds
    start_line.wait()
    for t in threads:
        while t.is_alive():
            t.join(0.2)
    elapsed = time.perf_counter() - began
    total = {p.key: Tally() for p in plan}
    for per_client in tallies:
        for key, tally in per_client.items():
            total[key].merge(tally)
    return total, elapsed


def summary(tally: Tally, seconds: float) -> dict[str, Any]:
    n = len(tally.latencies)
    return {
        "requests": n,
        "rps": n / seconds,
        "p50_ms": _percentile(tally.latencies, 0.50) * 1000,
        "p99_ms": _percentile(tally.latencies, 0.99) * 1000,
        "errors": tally.errors,
        "server_errors": tally.server_errors,
        "statuses": tally.statuses,
    }


def run_level(
    n: int,
    sessions: list[tuple[Client, dict[str, dict[str, str]]]],
    plan: list[Page],
    args: argparse.Namespace,
    stop: threading.Event,
) -> dict[str, Any]:
    clients = sessions[:n]
    # Warm-up: each client every page twice, one after another; anything but 200 stops the run.
    for _round in range(2):
        for client, cookies in clients:
            for page in [BASELINE, *plan]:
                status, _took = _get(client, page, cookies[page.persona])
                if status != 200:
                    raise RuntimeError(f"warm-up: {page.path} as {page.persona} answered {status}")
    result: dict[str, Any] = {"clients": n, "alone": {}, "mixed": {}}
    # Each page alone (the baseline among them) in --rounds slices, in a rotating order: a change in the
    # machine's other load during the run falls on every page alike rather than on the one measured then.
    alone = [BASELINE, *plan]
    tallies = {p.key: Tally() for p in alone}
    seconds = dict.fromkeys(tallies, 0.0)
    for r in range(args.rounds):
        for page in alone[r % len(alone) :] + alone[: r % len(alone)]:
            if stop.is_set():
                raise KeyboardInterrupt
            tally, took = drive(clients, [page], args.page_seconds / args.rounds, False, stop)
            tallies[page.key].merge(tally[page.key])
            seconds[page.key] += took
    result["baseline"] = summary(tallies[BASELINE.key], seconds[BASELINE.key])
    for page in plan:
        result["alone"][page.key] = summary(tallies[page.key], seconds[page.key])
    tally, took = drive(clients, plan, args.seconds, True, stop)
    result["mixed_seconds"] = took
    for page in plan:
        result["mixed"][page.key] = summary(tally[page.key], took)
    every = Tally()
    for t in tally.values():
        every.merge(t)
    result["mixed_total"] = summary(every, took)
    return result


def report(result: dict[str, Any], plan: list[Page], args: argparse.Namespace) -> None:
    base = result["baseline"]
    n = result["clients"]
    print(f"\n{n} clients — alone: all clients on one page, {args.page_seconds:.0f} s in {args.rounds} slices; "
          f"mixed: all pages shuffled, {result['mixed_seconds']:.0f} s")  # fmt: skip
    print(f"  baseline (sign-in page GET): {base['rps']:7.1f} req/s  p50 {base['p50_ms']:6.1f} ms  "
          f"p99 {base['p99_ms']:6.1f} ms  errors {base['errors']}  5xx {base['server_errors']}")  # fmt: skip
    header = (
        f"  {'page':<36}│{'alone req/s':>12}{'× base':>8}{'p50 ms':>8}{'p99 ms':>8}"
        f"│{'mixed req':>10}{'req/s':>7}{'p50 ms':>8}{'p99 ms':>8}{'err':>5}{'5xx':>5}"
    )
    print(header)
    print("  " + "─" * (len(header) - 2))
    for page in plan:
        a = result["alone"].get(page.key)
        m = result["mixed"][page.key]
        alone = (
            f"{a['rps']:12.1f}{a['rps'] / base['rps']:8.3f}{a['p50_ms']:8.0f}{a['p99_ms']:8.0f}"
            if a
            else f"{'—':>36}"
        )
        print(f"  {_pad(page.label, 36)}│{alone}│{m['requests']:10d}{m['rps']:7.1f}{m['p50_ms']:8.0f}{m['p99_ms']:8.0f}"
              f"{m['errors'] + (a or {}).get('errors', 0):5d}"
              f"{m['server_errors'] + (a or {}).get('server_errors', 0):5d}")  # fmt: skip
    t = result["mixed_total"]
    print(f"  {'total (mixed)':<36}│{'':36}│{t['requests']:10d}{t['rps']:7.1f}{t['p50_ms']:8.0f}{t['p99_ms']:8.0f}"
          f"{t['errors']:5d}{t['server_errors']:5d}")  # fmt: skip
    lists = {k: result["alone"][k]["rps"] for k in ("project_list", "site_list") if k in result["alone"]}
    if "dashboard" in result["alone"] and lists:
        dash = result["alone"]["dashboard"]["rps"]
        best = max(lists, key=lambda k: lists[k])
        verdict = "met" if lists["project_list"] >= dash else "MISSED"
        print(f"  target: a list page ≥ the dashboard in requests/s (alone): project list "
              f"{lists['project_list']:.1f}, site list {lists.get('site_list', 0):.1f}, dashboard {dash:.1f} "
              f"— project list {verdict} ({best} the faster list)")  # fmt: skip


def _pad(text: str, width: int) -> str:
    """Left-aligned in `width` terminal columns: a Chinese character takes two."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - used)


def failures(result: dict[str, Any]) -> tuple[int, int]:
    rows = [result["baseline"], *result["alone"].values(), *result["mixed"].values()]
    return sum(r["errors"] for r in rows), sum(r["server_errors"] for r in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[4, 16])
    parser.add_argument("--seconds", type=float, default=30, help="the mixed load, per --clients value")
    parser.add_argument("--page-seconds", type=float, default=8, help="each page alone, and the baseline")
    parser.add_argument("--rounds", type=int, default=4, help="slices of --page-seconds, order rotating")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (gthread)")
    parser.add_argument("--sessions", type=int, default=4, help="sessions signed in per persona")
    parser.add_argument("--reuse", action="store_true", help="keep the database if it holds the demo")
    parser.add_argument("--data-dir", type=Path, help="the data folder (default $TMPDIR/zs-load-<database>)")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    name, _admin = _database(url)
    data_dir = (args.data_dir or Path(tempfile.gettempdir()) / f"zs-load-{name}").resolve()
    password = os.environ.get("ZHAOSHANG_DEMO_PASSWORD") or "zhaoshang-demo"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ZHAOSHANG_DATA_DIR": str(data_dir),
        "ZHAOSHANG_DEMO_PASSWORD": password,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "zhaoshang.settings",
    }
    env.pop("DEBUG", None)
    results: dict[str, Any] = {"args": {k: str(v) for k, v in vars(args).items()}, "git": _git()}
    print(f"code: {results['git']}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    results["prepare"] = prepare(url, data_dir, env, args.reuse)
    p = results["prepare"]
    print(f"database {name} (PostgreSQL {p['server']}): {p['projects_project']} projects, "
          f"{p['projects_weeklytask']} weekly tasks, {p['projects_blocker']} blockers, {p['sites_site']} sites; "
          f"migrate {p['migrate_s']:.1f} s, demo {p['demo_s']:.1f} s")  # fmt: skip

    stop = threading.Event()
    server = Server(env, args, data_dir / "gunicorn-load.log")
    print("gunicorn: " + " ".join(server.command[1:]))
    status = 0
    try:
        server.wait_ready()
        # Sign in, in parallel (each sign-in hashes a password): --sessions sessions per persona; client i uses
        # session i mod --sessions of each persona (several clients on one session: one person, several tabs).
        n_max = max(args.clients)
        n_sessions = max(1, min(args.sessions, n_max))
        signed: list[dict[str, dict[str, str]]] = [{} for _ in range(n_sessions)]
        start = time.perf_counter()
        problems: list[str] = []

        def sign_in(index: int) -> None:
            client = Client(server.port)
            try:
                for persona in PERSONAS:
                    signed[index][persona] = client.sign_in(persona, password)
            except Exception as error:
                problems.append(str(error))

        threads = [threading.Thread(target=sign_in, args=(i,), daemon=True) for i in range(n_sessions)]
        for t in threads:
            t.start()
        for t in threads:
            while t.is_alive():
                t.join(0.2)
        if problems:
            raise RuntimeError(problems[0])
        print(f"signed in {n_sessions * len(PERSONAS)} sessions ({n_sessions} × {len(PERSONAS)} personas) in "
              f"{time.perf_counter() - start:.1f} s")  # fmt: skip
        sessions = [(Client(server.port), signed[i % n_sessions]) for i in range(n_max)]
        client, cookies = sessions[0]
        listing = client.request("GET", "/project/", cookies["linzi_admin"])[1].decode()
        chains = client.request("GET", "/chain/", cookies["linzi_chief"])[1].decode()
        project = int(re.findall(r'href="/project/(\d+)/"', listing)[0])
        chain = int(re.findall(r'href="/chain/(\d+)/"', chains)[0])
        plan = pages(project, chain)
        results["levels"] = []
        for n in args.clients:
            result = run_level(n, sessions, plan, args, stop)
            results["levels"].append(result)
            report(result, plan, args)
            errors, server_errors = failures(result)
            if errors or server_errors:
                status = 1
                print(f"  FAILED: {errors} errors, {server_errors} server errors at {n} clients")
    except KeyboardInterrupt:
        stop.set()
        print("\ninterrupted")
        status = 130
    except RuntimeError as error:
        stop.set()
        print(f"\nstopped: {error}")
        status = 1
    finally:
        server.stop()
        results["load_end"] = os.getloadavg()
        print(f"gunicorn stopped; load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if status and server.log.exists():
            print(f"last lines of {server.log}:")
            print("\n".join(server.log.read_text(errors="replace").splitlines()[-20:]))
        if args.json:
            args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), "utf-8")
            print(f"figures written to {args.json}")
    return status


if __name__ == "__main__":
    sys.exit(main())

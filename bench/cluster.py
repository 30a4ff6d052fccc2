"""Cluster: two web nodes and two workers on the loopback against one PostgreSQL; one of each killed mid-run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhaoshang_cluster .venv/bin/python bench/cluster.py \
        [--reuse] [--seconds 60] [--readers 4] [--editors 3] [--importers 2] [--rows 100] [--json FILE]

The script owns the database named in DATABASE_URL (default ``zhaoshang_cluster``; a name not starting with
``zhaoshang_cluster`` is refused). Without ``--reuse`` it drops and creates it and runs ``zhaoshang migrate`` and
``zhaoshang demo`` (several minutes); with ``--reuse`` it runs ``migrate`` and ``demo`` (which then only resets the
demo accounts) and clears django-axes' failed sign-ins. Either way it runs ``ANALYZE``.

**The cluster.** Two gunicorn nodes (``--node-workers`` sync workers each) on two free ports and two
``zhaoshang worker`` processes, all with the same environment: ``DATABASE_URL``, one data folder
(``ZHAOSHANG_DATA_DIR``: the secret key and ``MEDIA_ROOT``, where uploads go through the storage API — on one machine
a shared local folder stands in for the object storage of docs/deployment.md §17), ``ZHAOSHANG_CACHE_URL`` (Redis:
the cache and the cached sessions; a key prefix of this run's own) and ``ZHAOSHANG_JOB_HEARTBEAT_TIMEOUT``
(``--heartbeat``, 10 s). Nothing else is shared: a session signed in on one node is used on both.

**The balancer** is nginx's ``upstream`` with ``proxy_next_upstream error`` done in the client: requests go round
robin over the nodes; a node that refuses a connection is skipped for 10 s (``fail_timeout``) and the request goes
to the other node (nothing was sent, so any request may go). A request whose connection breaks after it was sent
(the node died under it) is sent again to the other node only if it is safe to repeat: a GET, a PATCH with
``If-Match`` (a repeat of a write that landed is refused with 412), and the two import POSTs, which the product
makes idempotent by their submission keys (the same file sent again is the same preview job; a confirmation sent
again returns the first import). nginx would answer those POSTs with a 502 and the person would press again: they
are counted apart, as "resent". Either way such a request counts as **failed over**, not as an error. An **error**
is a request that failed after that, or an answer outside 2xx/3xx other than an expected 412.

**The load**, for ``--seconds``, from sessions signed in once (web) and API tokens:

- ``--readers`` web sessions read the pages of bench/load.py, each as the persona who uses it;
- ``--editors`` API clients edit the ``contact`` of 临淄's departments: every department is edited by two clients, so
  edits collide; each edit is GET (ETag) then PATCH with ``If-Match``, re-read and tried again on 412; the client
  keeps every acknowledged write (its value and the version in the answer's ETag);
- ``--importers`` web sessions import departments through the import wizard: upload a CSV of ``--rows`` new
  departments with names unique to the run (a preview job), wait for it, confirm (the commit job), wait for it,
  again — polling the job page as a person does (a preview that refuses the file is not confirmed). Every job
  runs on one of the two workers.

**The kill.** At ``--kill-at`` (a fraction of ``--seconds``) one node is killed with SIGKILL (master and workers:
requests in flight die with it) and stays down; one worker is killed with SIGKILL too, as soon as it holds a
running job (at most 15 s later), so that the reclaim of a dead worker's job is on the path. The node's kill
starts the **kill window** (``--heartbeat`` + 5 s: the job's reclaim, nginx's fail timeout).

**At the end** the load stops, the queue drains (at most ``--drain`` seconds) on the surviving worker, and the
script checks, in the database:

- **jobs lost**: a job created during the run that is not succeeded, nor failed with a reason shown to people;
  failed jobs are reported too; a failed import counts as an error (an import is retry-safe: it is requeued when
  its worker dies), a failed job of another kind (the scheduler's) is shown with its reason;
- **jobs run twice**, for every confirmed import: each of its names is one department row (the unique
  constraint on district + name would make a second concurrent run fail, a model without one would show the row
  twice), has exactly one history row, of type ``+`` (a second run writing anything adds a row), and the
  job's report counts all ``--rows`` as new and none skipped (a second run after the first committed finds every
  row there already and reports them skipped); the names of previews never confirmed have no row (a preview
  writes nothing); and a scheduled kind (notifications, escalation) has one job per slot of its period;
- **imports refused**: a preview of one of these files (new, unique names) that refuses a row is a fault;
- **writes lost**, for every edited department: no two acknowledged writes carry the same version (that would be
  a lost update that If-Match let through), and the stored version and value are those of the last acknowledged
  write (a stored version above it is a write whose answer was lost, reported apart).

Figures: requests, failed over, errors, p50/p99 latency per kind of request, before the kill, in the kill window
and after it; ratios in the same run: p50 in the kill window against before, requests/s with one node alive
against two; job turnaround (created → finished). Exits 1 if any error, lost job, duplicated job or lost write
occurred. ``--json FILE`` writes every figure. Results: docs/benchmarks.md, "Cluster (two nodes, two workers, one
of each killed)".
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
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from load import _free_port, _git, _percentile, pages  # bench/load.py, next to this file

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
ZHAOSHANG = BIN / "zhaoshang"
GUNICORN = BIN / "gunicorn"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/zhaoshang_cluster"
PREFIX = "zhaoshang_cluster"
PERSONAS = ["city_admin", "linzi_admin", "linzi_chief", "linzi_clerk", "huantai_admin"]
EDITOR = "linzi_admin"
IMPORTER = "linzi_admin"
DOWN_FOR = 10.0  # seconds a refusing node is skipped (nginx fail_timeout)
FINAL = ("succeeded", "failed")


# --- the database and the processes -----------------------------------------------------------------------


def _database(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith(PREFIX):
        sys.exit(f"DATABASE_URL must name a database starting with {PREFIX!r} (got {name!r})")
    return name, parts._replace(scheme="postgresql", path="/postgres").geturl()


def _dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


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
    facts["demo_s"] = _zhaoshang(env, "demo")
    _zhaoshang(env, "axes_reset")
    with psycopg.connect(_dsn(url), autocommit=True) as db:
        db.execute("ANALYZE")
        facts["server"] = db.info.parameter_status("server_version")
        facts["departments"] = db.execute("SELECT count(*) FROM core_department").fetchone()[0]
    return facts


class Process:
    """A child in its own process group, so that a kill takes gunicorn's master and its workers together."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.command, self.log = name, command, log
        self.handle = log.open("ab")
        self.process = subprocess.Popen(
            command, env=env, start_new_session=True, stdout=self.handle, stderr=subprocess.STDOUT
        )
        self.killed_at: float | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.handle.close()


def start_node(index: int, env: dict[str, str], args: argparse.Namespace, logs: Path) -> tuple[Process, int]:
    port = _free_port()
    command = [
        str(GUNICORN),
        "zhaoshang.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.node_workers),
        "--worker-class",
        "sync",
        "--timeout",
        "120",
    ]
    return Process(f"node{index}", command, env, logs / f"cluster-node{index}.log"), port


def start_worker(index: int, env: dict[str, str], logs: Path) -> Process:
    command = [str(ZHAOSHANG), "worker", "--interval", "0.5"]
    return Process(f"worker{index}", command, env, logs / f"cluster-worker{index}.log")


def wait_ready(port: int, process: Process, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.process.poll() is not None:
            raise RuntimeError(f"{process.name} exited with {process.process.returncode}; see {process.log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{process.name} did not answer within {timeout:.0f} s; see {process.log}")


# --- the balancer and the client ---------------------------------------------------------------------------


class Balancer:
    """nginx's upstream: round robin; a node that refused a connection or broke one is skipped for a while."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.next = 0
        self.down_until = dict.fromkeys(ports, 0.0)
        self.lock = threading.Lock()

    def order(self) -> list[int]:
        with self.lock:
            start = self.next
            self.next += 1
            now = time.monotonic()
            ring = [self.ports[(start + i) % len(self.ports)] for i in range(len(self.ports))]
        up = [p for p in ring if self.down_until[p] <= now]
        return up + [p for p in ring if p not in up]  # every node down: try them anyway, as nginx does

    def failed(self, port: int) -> None:
        with self.lock:
            self.down_until[port] = time.monotonic() + DOWN_FOR


class RequestFailed(Exception):
    pass


@dataclass
class Answer:
    status: int
    body: bytes
    headers: http.client.HTTPMessage
    failed_over: str = ""  # "", "refused" (not sent) or "resent" (sent, connection broke, sent again)


BROKEN = (
    http.client.RemoteDisconnected,
    http.client.IncompleteRead,
    ConnectionResetError,
    BrokenPipeError,
    ConnectionAbortedError,
)


def send(
    balancer: Balancer,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    repeatable: bool,
) -> Answer:
    """One request through the balancer, a new connection each time (nginx to gunicorn's sync workers)."""
    failed_over = ""
    last: Exception | None = None
    for attempt, port in enumerate(balancer.order()[:2]):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            conn.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
            response = conn.getresponse()
            data = response.read()
            return Answer(response.status, data, response.headers, failed_over)
        except ConnectionRefusedError as error:  # nothing was sent: any request may go to the other node
            balancer.failed(port)
            last, failed_over = error, failed_over or "refused"
        except BROKEN as error:  # sent, and the node died under it
            balancer.failed(port)
            last = error
            if not repeatable:
                break
            failed_over = "resent"
        finally:
            conn.close()
        if attempt == 1:
            break
    raise RequestFailed(f"{method} {path}: {type(last).__name__}: {last}")


@dataclass
class Record:
    at: float  # seconds since the load began, when the request was sent
    kind: str
    seconds: float
    status: int | str
    failed_over: str
    error: bool


class Recorder:
    def __init__(self, began: float) -> None:
        self.began = began
        self.records: list[Record] = []
        self.lock = threading.Lock()
        self.problems: list[str] = []

    def call(
        self, kind: str, balancer: Balancer, method: str, path: str, *, ok: tuple[int, ...] = (), **kw: Any
    ) -> Answer | None:
        start = time.perf_counter()
        try:
            answer: Answer | None = send(balancer, method, path, **kw)
            assert answer is not None
            status: int | str = answer.status
            failed_over = answer.failed_over
        except (RequestFailed, OSError, http.client.HTTPException) as failure:
            answer, status, failed_over = None, type(failure).__name__, ""
            self.problem(f"{kind}: {failure}")
        took = time.perf_counter() - start
        error = not isinstance(status, int) or not (200 <= status < 400 or status in ok)
        if error and isinstance(status, int):
            self.problem(f"{kind}: {method} {path} answered {status}")
        with self.lock:
            self.records.append(Record(start - self.began, kind, took, status, failed_over, error))
        return answer

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(f"{time.perf_counter() - self.began:6.1f} s {text}")


def sign_in(balancer: Balancer, username: str, password: str) -> dict[str, str]:
    answer = send(balancer, "GET", "/accounts/login/", repeatable=True)
    cookies = _cookies(answer)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', answer.body)
    if token is None or "csrftoken" not in cookies:
        raise RuntimeError("the sign-in page has no CSRF token")
    body = urlencode(
        {"csrfmiddlewaretoken": token.group(1).decode(), "username": username, "password": password}
    )
    answer = send(
        balancer,
        "POST",
        "/accounts/login/",
        headers={**_cookie_header(cookies), "Content-Type": "application/x-www-form-urlencoded"},
        body=body.encode(),
        repeatable=False,
    )
    cookies.update(_cookies(answer))
    if answer.status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"sign-in as {username} failed (HTTP {answer.status}); stopping before a lock-out")
    return cookies


def _cookies(answer: Answer) -> dict[str, str]:
    found = {}
    for header in answer.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def _cookie_header(cookies: dict[str, str]) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "Accept-Language": "zh-hans"}


def api_token(balancer: Balancer, username: str, password: str) -> str:
    body = json.dumps({"username": username, "password": password}).encode()
    answer = send(
        balancer,
        "POST",
        "/api/auth/token/",
        headers={"Content-Type": "application/json"},
        body=body,
        repeatable=False,
    )
    if answer.status != 200:
        raise RuntimeError(f"token for {username}: HTTP {answer.status}")
    return json.loads(answer.body)["token"]


def _version(headers: http.client.HTTPMessage) -> int | None:
    found = re.search(r'"(\d+)"', headers.get("ETag") or "")
    return int(found.group(1)) if found else None


# --- the load ----------------------------------------------------------------------------------------------


@dataclass
class Shared:
    balancer: Balancer
    recorder: Recorder
    stop: threading.Event
    deadline: float  # perf_counter
    run_id: str
    args: argparse.Namespace
    dsn: str
    adcode: str
    # edits: department pk → [(version, value)] acknowledged
    acks: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    conflicts: int = 0
    # imports
    previews: list[dict[str, Any]] = field(default_factory=list)
    commits: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def running(self) -> bool:
        return not self.stop.is_set() and time.perf_counter() < self.deadline


def reader(shared: Shared, index: int, sessions: dict[str, dict[str, str]], plan: list[Any]) -> None:
    rng = random.Random(index)
    order = list(plan)
    while shared.running():
        rng.shuffle(order)
        for page in order:
            if not shared.running():
                return
            shared.recorder.call(
                "page",
                shared.balancer,
                "GET",
                page.path,
                headers=_cookie_header(sessions[page.persona]),
                repeatable=True,
            )


def editor(shared: Shared, index: int, token: str, mine: list[int]) -> None:
    rng = random.Random(1000 + index)
    auth = {"Authorization": f"Token {token}", "Accept": "application/json"}
    known: dict[int, int] = {}  # pk → the version last read or written
    seq = 0
    while shared.running():
        pk = rng.choice(mine)
        seq += 1
        value = f"e{index}-{seq}"
        for _try in range(6):
            if not shared.running():
                return
            if pk not in known:
                got = shared.recorder.call(
                    "api_get", shared.balancer, "GET", f"/api/department/{pk}/", headers=auth, repeatable=True
                )
                if got is None or got.status != 200 or (v := _version(got.headers)) is None:
                    break
                known[pk] = v
            answer = shared.recorder.call(
                "api_patch",
                shared.balancer,
                "PATCH",
                f"/api/department/{pk}/",
                ok=(412,),
                headers={**auth, "Content-Type": "application/json", "If-Match": f'"{known[pk]}"'},
                body=json.dumps({"contact": value}).encode(),
                repeatable=True,  # with If-Match: a repeat of a write that landed is refused with 412
            )
            if answer is None:
                known.pop(pk, None)
                break
            if answer.status == 412:  # another client wrote first (or our first send landed): read again
                with shared.lock:
                    shared.conflicts += 1
                known.pop(pk, None)
                continue
            version = _version(answer.headers) if answer.status == 200 else None
            if version is None:
                known.pop(pk, None)
                if answer.status == 200:
                    shared.recorder.problem(f"api_patch {pk}: 200 without an ETag")
                break
            known[pk] = version
            with shared.lock:
                shared.acks.setdefault(pk, []).append((version, value))
            break


def _multipart(fields: dict[str, str], filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = "----zscluster" + uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _csv(adcode: str, names: list[str]) -> bytes:
    lines = ["区县代码,区县,名称,简称,联系人,联系电话"]
    lines += [f"{adcode},,{name},,集群测试,0533-0000000" for name in names]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def _job_id(answer: Answer | None) -> int | None:
    if answer is None or answer.status != 302:
        return None
    found = re.search(r"/jobs/(\d+)/", answer.headers.get("Location") or "")
    return int(found.group(1)) if found else None


def _csrf(body: bytes) -> str | None:
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    return found.group(1).decode() if found else None


def importer(shared: Shared, index: int, cookies: dict[str, str]) -> None:
    import psycopg

    db = psycopg.connect(shared.dsn, autocommit=True)
    headers = _cookie_header(cookies)
    seq = 0
    try:
        while shared.running():
            seq += 1
            names = [f"集群导入-{shared.run_id}-{index}-{seq}-{row}" for row in range(shared.args.rows)]
            form = shared.recorder.call(
                "import_form", shared.balancer, "GET", "/department/import/", headers=headers, repeatable=True
            )
            token = _csrf(form.body) if form is not None and form.status == 200 else None
            if token is None:
                time.sleep(0.5)
                continue
            body, content_type = _multipart(
                {"csrfmiddlewaretoken": token}, f"cluster-{index}-{seq}.csv", _csv(shared.adcode, names)
            )
            upload = shared.recorder.call(
                "import_upload",
                shared.balancer,
                "POST",
                "/department/import/",
                headers={**headers, "Content-Type": content_type},
                body=body,
                repeatable=True,  # the same file again is the same preview job (submission key)
            )
            preview = _job_id(upload)
            if preview is None:
                if upload is not None and upload.status != 302:
                    shared.recorder.problem(f"import_upload answered {upload.status} without a job")
                continue
            with shared.lock:
                shared.previews.append({"job": preview, "names": names})
            if _wait_job(shared, db, preview, headers) != "succeeded":
                continue
            report = db.execute("SELECT result FROM core_job WHERE id = %s", [preview]).fetchone()[0] or {}
            if not report.get("ok"):  # the preview refused a valid file: a person would not confirm it
                issue = (report.get("issues") or [{}])[0]
                shared.recorder.problem(
                    f"preview job {preview} refused the file: row {issue.get('row')}: {issue.get('message')}"
                )
                continue
            confirm = shared.recorder.call(
                "import_confirm",
                shared.balancer,
                "POST",
                f"/jobs/{preview}/confirm/",
                headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
                body=urlencode({"csrfmiddlewaretoken": token}).encode(),
                repeatable=True,  # confirming again returns the first import (submission key, once)
            )
            commit = _job_id(confirm)
            if commit is None:
                continue
            with shared.lock:
                shared.commits.append({"job": commit, "preview": preview, "names": names})
            _wait_job(shared, db, commit, headers)
    finally:
        db.close()


def _wait_job(shared: Shared, db: Any, pk: int, headers: dict[str, str]) -> str:
    """Poll the job page as a person does (once a second); the status is read from the row."""
    while shared.running():
        shared.recorder.call(
            "job_page", shared.balancer, "GET", f"/jobs/{pk}/", headers=headers, repeatable=True
        )
        status = db.execute("SELECT status FROM core_job WHERE id = %s", [pk]).fetchone()[0]
        if status in FINAL:
            return status
        time.sleep(1.0)
    return "unfinished"


# --- the kill ----------------------------------------------------------------------------------------------


def killer(
    shared: Shared, node: Process, worker: Process, at: float, began: float, events: dict[str, Any]
) -> None:
    import psycopg

    while time.perf_counter() < began + at:
        if shared.stop.wait(0.1):
            return
    node.kill()
    events["node_killed_s"] = time.perf_counter() - began
    identity = f"{socket.gethostname()[:50]}:{worker.pid}"
    events["worker_identity"] = identity
    with psycopg.connect(shared.dsn, autocommit=True) as db:
        give_up = time.perf_counter() + 15
        while time.perf_counter() < give_up and not shared.stop.is_set():
            row = db.execute(
                "SELECT id, kind FROM core_job WHERE status = 'running' AND worker = %s", [identity]
            ).fetchone()
            if row is not None:
                events["worker_job"] = {"job": row[0], "kind": row[1]}
                break
            time.sleep(0.05)
    worker.kill()
    events["worker_killed_s"] = time.perf_counter() - began
    events["worker_was_running_a_job"] = "worker_job" in events


# --- the checks --------------------------------------------------------------------------------------------


def drain(dsn: str, since: Any, timeout: float) -> float:
    import psycopg

    start = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as db:
        while time.perf_counter() - start < timeout:
            open_jobs = db.execute(
                "SELECT count(*) FROM core_job WHERE created >= %s AND status NOT IN ('succeeded', 'failed')",
                [since],
            ).fetchone()[0]
            if not open_jobs:
                break
            time.sleep(0.5)
    return time.perf_counter() - start


def check(shared: Shared, since: Any, events: dict[str, Any]) -> dict[str, Any]:
    import psycopg

    out: dict[str, Any] = {}
    with psycopg.connect(shared.dsn, autocommit=True) as db:
        jobs = db.execute(
            "SELECT id, kind, status, attempts, result, params, created, finished, worker FROM core_job "
            "WHERE created >= %s ORDER BY id",
            [since],
        ).fetchall()
        by_id = {row[0]: row for row in jobs}
        lost = [row[0] for row in jobs if row[2] not in FINAL]
        failed = [
            {"job": row[0], "kind": row[1], "reason": (row[4] or {}).get("error", "")}
            for row in jobs
            if row[2] == "failed"
        ]
        lost += [f["job"] for f in failed if not str(f["reason"]).strip()]  # failed without a reason
        recorded = {p["job"] for p in shared.previews} | {c["job"] for c in shared.commits}
        lost += sorted(recorded - set(by_id))  # a job the client was sent to that has no row
        # Scheduled kinds are submitted by whichever worker polls first in their slot: one job per slot.
        twice_scheduled = db.execute(
            "SELECT kind, idempotency_key, count(*) FROM core_job WHERE created >= %s "
            "AND idempotency_key LIKE 'schedule:%%' GROUP BY 1, 2 HAVING count(*) > 1",
            [since],
        ).fetchall()
        out["jobs"] = {
            "created": len(jobs),
            "by_kind": _count(row[1] for row in jobs),
            "by_status": _count(row[2] for row in jobs),
            "retried": [{"job": row[0], "attempts": row[3]} for row in jobs if row[3] > 1],
            "lost": lost,
            "failed": failed,
            "scheduled_twice": [list(r) for r in twice_scheduled],
            "turnaround_s": _turnaround(jobs),
        }
        # Run twice: each confirmed import's rows are there once, written once, reported as new.
        duplicated, missing, problems = [], [], []
        confirmed = set()
        for commit in shared.commits:
            row = by_id.get(commit["job"])
            names = commit["names"]
            confirmed.add(commit["preview"])
            if row is None or row[2] != "succeeded":
                continue
            result = row[4] or {}
            counts: dict[str, int] = dict(
                db.execute(
                    "SELECT name, count(*) FROM core_department WHERE name = ANY(%s) GROUP BY name", [names]
                ).fetchall()
            )
            history = db.execute(
                "SELECT name, count(*), count(*) FILTER (WHERE history_type = '+') FROM core_historicaldepartment "
                "WHERE name = ANY(%s) GROUP BY name",
                [names],
            ).fetchall()
            twice = [n for n in names if counts.get(n, 0) > 1]
            twice += [h[0] for h in history if h[1] != 1 or h[2] != 1]
            report_off = result.get("new") != len(names) or bool(result.get("skip") or result.get("update"))
            if report_off:
                problems.append(
                    {"job": row[0], "report": {k: result.get(k) for k in ("new", "update", "skip")}}
                )
            if twice or report_off:
                duplicated.append({"job": row[0], "attempts": row[3], "names_twice": sorted(set(twice))[:5]})
            absent = [n for n in names if counts.get(n, 0) == 0]
            if absent:
                missing.append({"job": row[0], "absent": len(absent)})
        # A preview of a valid file (new unique names) that refuses a row is a fault: the file could not be imported.
        refused = []
        for preview in shared.previews:
            row = by_id.get(preview["job"])
            if row is not None and row[2] == "succeeded" and not (row[4] or {}).get("ok"):
                issue = ((row[4] or {}).get("issues") or [{}])[0]
                refused.append({"job": row[0], "row": issue.get("row"), "message": issue.get("message")})
        unconfirmed = [p for p in shared.previews if p["job"] not in confirmed]
        stray = 0
        for preview in unconfirmed:
            stray += db.execute(
                "SELECT count(*) FROM core_department WHERE name = ANY(%s)", [preview["names"]]
            ).fetchone()[0]
        out["imports"] = {
            "previews": len(shared.previews),
            "confirmed": len(shared.commits),
            "rows_each": shared.args.rows,
            "duplicated": duplicated,
            "report_mismatch": problems,
            "succeeded_without_rows": missing,
            "rows_of_unconfirmed_previews": stray,
            "refused_by_preview": refused,
        }
        # Lost writes: the last acknowledged write of every edited department is what is stored.
        lost_writes, same_version, unacknowledged = [], [], []
        for pk, acks in shared.acks.items():
            versions = [v for v, _value in acks]
            if len(versions) != len(set(versions)):
                same_version.append({"department": pk, "versions": sorted(versions)})
            top_version, top_value = max(acks)
            stored = db.execute(
                "SELECT edit_version, contact FROM core_department WHERE id = %s", [pk]
            ).fetchone()
            if (
                stored is None
                or stored[0] < top_version
                or (stored[0] == top_version and stored[1] != top_value)
            ):
                lost_writes.append(
                    {"department": pk, "acknowledged": [top_version, top_value], "stored": list(stored or [])}
                )
            elif stored[0] > top_version:
                unacknowledged.append({"department": pk, "acknowledged": top_version, "stored": stored[0]})
        out["edits"] = {
            "departments": len(shared.acks),
            "acknowledged": sum(len(a) for a in shared.acks.values()),
            "conflicts_412": shared.conflicts,
            "lost": lost_writes,
            "same_version_acknowledged_twice": same_version,
            "landed_without_answer": unacknowledged,
        }
        if (job := events.get("worker_job")) and (row := by_id.get(job["job"])):
            events["worker_job"].update(status=row[2], attempts=row[3], finished_by=row[8])
    return out


def _count(values: Any) -> dict[str, int]:
    found: dict[str, int] = {}
    for v in values:
        found[v] = found.get(v, 0) + 1
    return found


def _turnaround(jobs: list[Any]) -> dict[str, float]:
    times = sorted((row[7] - row[6]).total_seconds() for row in jobs if row[7] is not None)
    return {"n": len(times), "p50_s": _percentile(times, 0.5), "p99_s": _percentile(times, 0.99)}


# --- figures -----------------------------------------------------------------------------------------------


def phases(records: list[Record], kill: float, window: float, end: float) -> dict[str, tuple[float, float]]:
    return {
        "before": (0.0, kill),
        "kill window": (kill, min(end, kill + window)),
        "after": (kill + window, end),
    }


def figures(records: list[Record], spans: dict[str, tuple[float, float]]) -> dict[str, Any]:
    kinds = sorted({r.kind for r in records})
    out: dict[str, Any] = {}
    for phase, (lo, hi) in {"all": (0.0, float("inf")), **spans}.items():
        rows = {}
        for kind in [*kinds, "total"]:
            chosen = [r for r in records if lo <= r.at < hi and (kind == "total" or r.kind == kind)]
            seconds = [r.seconds for r in chosen]
            duration = (hi - lo) if hi != float("inf") else max((r.at for r in records), default=0.0)
            rows[kind] = {
                "requests": len(chosen),
                "rps": len(chosen) / duration if duration > 0 else 0.0,
                "p50_ms": _percentile(seconds, 0.5) * 1000,
                "p99_ms": _percentile(seconds, 0.99) * 1000,
                "failed_over": sum(1 for r in chosen if r.failed_over),
                "resent": sum(1 for r in chosen if r.failed_over == "resent"),
                "errors": sum(1 for r in chosen if r.error),
                "412": sum(1 for r in chosen if r.status == 412),
            }
        out[phase] = rows
    return out


def report(result: dict[str, Any]) -> None:
    figs = result["figures"]
    spans = result["phases"]
    print("\nrequests by kind (whole run; a 412 is an expected refusal of a stale If-Match):")
    header = (
        f"  {'kind':<16}{'requests':>9}{'req/s':>7}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'f/over':>7}{'resent':>7}{'412':>5}{'errors':>7}"
    )
    print(header)
    for kind, row in figs["all"].items():
        print(f"  {kind:<16}{row['requests']:9d}{row['rps']:7.1f}{row['p50_ms']:8.0f}{row['p99_ms']:8.0f}"
              f"{row['failed_over']:7d}{row['resent']:7d}{row['412']:5d}{row['errors']:7d}")  # fmt: skip
    print("\nby phase (page reads and all requests):")
    for phase, (lo, hi) in spans.items():
        page, total = figs[phase].get("page", {}), figs[phase]["total"]
        print(f"  {phase:<12} {lo:5.1f}–{hi:5.1f} s: pages {page.get('requests', 0):5d} "
              f"p50 {page.get('p50_ms', 0):6.0f} ms "
              f"p99 {page.get('p99_ms', 0):6.0f} ms; all {total['requests']:5d} = {total['rps']:5.1f} req/s, "
              f"failed over {total['failed_over']}, errors {total['errors']}")  # fmt: skip
    ratios = result["ratios"]
    print(f"  ratios: page p50 kill window / before ×{ratios['page_p50_kill_vs_before']:.2f}; "
          f"requests/s one node (after) / two nodes (before) ×{ratios['rps_one_vs_two_nodes']:.2f}")  # fmt: skip
    ev = result["events"]
    job = ev.get("worker_job")
    print(f"\nkilled: web node {ev['node']} at {ev['node_killed_s']:.1f} s; worker {ev['worker']} at "
          f"{ev['worker_killed_s']:.1f} s " + (f"while running job {job['job']} ({job['kind']}; then "
          f"{job.get('status')} after {job.get('attempts')} attempts, by {job.get('finished_by')})" if job
          else "(idle: it held no running job within 15 s)"))  # fmt: skip
    j = result["checks"]["jobs"]
    print(f"jobs: {j['created']} created {j['by_kind']}, {j['by_status']}; retried after a reclaim: "
          f"{len(j['retried'])}; turnaround p50 {j['turnaround_s']['p50_s']:.1f} s "
          f"p99 {j['turnaround_s']['p99_s']:.1f} s; "
          f"queue drained in {result['drain_s']:.1f} s")  # fmt: skip
    for failed in j["failed"]:
        print(f"  failed: job {failed['job']} ({failed['kind']}): {failed['reason']}")
    for kind, key, n in j["scheduled_twice"]:
        print(f"  scheduled twice: {kind} {key} × {n}")
    i = result["checks"]["imports"]
    print(f"imports: {i['previews']} previews, {i['confirmed']} confirmed × {i['rows_each']} rows; "
          f"rows of unconfirmed previews {i['rows_of_unconfirmed_previews']}")  # fmt: skip
    for refused in i["refused_by_preview"]:
        print(
            f"  preview job {refused['job']} refused a valid file: row {refused['row']}: {refused['message']}"
        )
    e = result["checks"]["edits"]
    print(f"edits: {e['acknowledged']} acknowledged writes on {e['departments']} departments, {e['conflicts_412']} "
          f"conflicts (412, read again); landed without an answer {len(e['landed_without_answer'])}")  # fmt: skip
    v = result["verdict"]
    print(f"\nerrors {v['errors']}, imports refused {v['imports_refused']}, imports without their rows "
          f"{v['imports_without_rows']}, jobs lost {v['jobs_lost']}, jobs failed {v['jobs_failed']}, jobs run twice "
          f"{v['jobs_duplicated']}, writes lost {v['writes_lost']}  →  {'PASS' if v['ok'] else 'FAIL'}")  # fmt: skip
    if result["problems"]:
        print("first problems seen by the clients:")
        for line in result["problems"][:15]:
            print("  " + line)


# --- main --------------------------------------------------------------------------------------------------


def main() -> int:
    import psycopg

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--kill-at", type=float, default=0.4, help="fraction of --seconds")
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--editors", type=int, default=3)
    parser.add_argument("--importers", type=int, default=2)
    parser.add_argument("--rows", type=int, default=100, help="departments per import")
    parser.add_argument("--records", type=int, default=4, help="departments per editor (each edited by two)")
    parser.add_argument("--node-workers", type=int, default=2, help="gunicorn sync workers per node")
    parser.add_argument("--heartbeat", type=float, default=10, help="ZHAOSHANG_JOB_HEARTBEAT_TIMEOUT")
    parser.add_argument("--drain", type=float, default=120, help="seconds to wait for the queue at the end")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--reuse", action="store_true", help="keep the database if it holds the demo")
    parser.add_argument(
        "--data-dir", type=Path, help="the shared data folder (default $TMPDIR/zs-cluster-<db>)"
    )
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    name, _admin = _database(url)
    data_dir = (args.data_dir or Path(tempfile.gettempdir()) / f"zs-cluster-{name}").resolve()
    password = os.environ.get("ZHAOSHANG_DEMO_PASSWORD") or "zhaoshang-demo"
    run_id = uuid.uuid4().hex[:8]
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ZHAOSHANG_DATA_DIR": str(data_dir),
        "ZHAOSHANG_DEMO_PASSWORD": password,
        "ZHAOSHANG_CACHE_URL": args.redis,
        "ZHAOSHANG_CACHE_PREFIX": f"zscluster-{run_id}",  # this run's keys only, in a Redis others may use
        "ZHAOSHANG_JOB_HEARTBEAT_TIMEOUT": str(args.heartbeat),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "zhaoshang.settings",
    }
    env.pop("DEBUG", None)
    env.pop("MEDIA_ROOT", None)  # the data folder's media/, shared by both nodes and both workers
    result: dict[str, Any] = {
        "args": {k: str(v) for k, v in vars(args).items()},
        "git": _git(),
        "run": run_id,
        "started_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        "load_start": os.getloadavg(),
    }
    print(f"code: {result['git']}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    result["prepare"] = prepare(url, data_dir, env, args.reuse)
    p = result["prepare"]
    print(f"database {name} (PostgreSQL {p['server']}): {p['departments']} departments; migrate "
          f"{p['migrate_s']:.1f} s, demo {p['demo_s']:.1f} s")  # fmt: skip

    dsn = _dsn(url)
    with psycopg.connect(dsn, autocommit=True) as db:
        adcode, district = db.execute(
            "SELECT adcode, id FROM core_district WHERE name LIKE '临淄%%'"
        ).fetchone()
        departments = [r[0] for r in db.execute(
            "SELECT id FROM core_department WHERE district_id = %s ORDER BY id", [district]
        ).fetchall()]  # fmt: skip
        since = db.execute("SELECT now()").fetchone()[0]

    logs = data_dir
    nodes = [start_node(i, env, args, logs) for i in (1, 2)]
    workers = [start_worker(i, env, logs) for i in (1, 2)]
    everyone = [n for n, _port in nodes] + workers
    print("nodes: " + ", ".join(f"{n.name} 127.0.0.1:{port} (pid {n.pid})" for n, port in nodes)
          + "; workers: " + ", ".join(f"{w.name} (pid {w.pid})" for w in workers))  # fmt: skip
    status = 0
    stop = threading.Event()
    try:
        for node, port in nodes:
            wait_ready(port, node)
        balancer = Balancer([port for _n, port in nodes])
        # Sign in once per session, through the balancer: a session is then used on both nodes.
        readers_sessions = [
            {persona: sign_in(balancer, persona, password) for persona in PERSONAS}
            for _ in range(max(1, min(args.readers, 2)))
        ]
        importer_sessions = [sign_in(balancer, IMPORTER, password) for _ in range(args.importers)]
        token = api_token(balancer, EDITOR, password)
        warm = readers_sessions[0]
        listing = send(
            balancer, "GET", "/project/", headers=_cookie_header(warm["linzi_admin"]), repeatable=True
        )
        chains = send(
            balancer, "GET", "/chain/", headers=_cookie_header(warm["linzi_chief"]), repeatable=True
        )
        project = int(re.findall(r'href="/project/(\d+)/"', listing.body.decode())[0])
        chain = int(re.findall(r'href="/chain/(\d+)/"', chains.body.decode())[0])
        plan = pages(project, chain)
        for _node in nodes:  # each node's processes once through every page (untimed)
            for page in plan:
                send(balancer, "GET", page.path, headers=_cookie_header(warm[page.persona]), repeatable=True)
        # Editors: department i is edited by clients i mod E and i+1 mod E, so edits collide.
        n_records = min(len(departments), max(args.editors, 1) * args.records)
        owned: list[list[int]] = [[] for _ in range(args.editors)]
        for i, pk in enumerate(departments[:n_records]):
            owned[i % args.editors].append(pk)
            if args.editors > 1:
                owned[(i + 1) % args.editors].append(pk)

        began = time.perf_counter()
        shared = Shared(balancer, Recorder(began), stop, began + args.seconds, run_id, args, dsn, adcode)
        events: dict[str, Any] = {"node": nodes[0][0].name, "worker": workers[0].name}
        threads = [
            threading.Thread(
                target=reader, args=(shared, i, readers_sessions[i % len(readers_sessions)], plan)
            )
            for i in range(args.readers)
        ]
        threads += [
            threading.Thread(target=editor, args=(shared, i, token, owned[i]))
            for i in range(args.editors)
            if owned[i]
        ]
        threads += [
            threading.Thread(target=importer, args=(shared, i, importer_sessions[i]))
            for i in range(args.importers)
        ]
        kill = threading.Thread(
            target=killer, args=(shared, nodes[0][0], workers[0], args.seconds * args.kill_at, began, events)
        )
        print(f"load: {args.readers} readers, {args.editors} editors on {n_records} departments, {args.importers} "
              f"importers × {args.rows} rows, {args.seconds:.0f} s; "
              f"kill at {args.seconds * args.kill_at:.0f} s")  # fmt: skip
        for t in [*threads, kill]:
            t.daemon = True
            t.start()
        for t in [*threads, kill]:
            while t.is_alive():
                t.join(0.2)
        end = time.perf_counter() - began
        print(f"load done in {end:.1f} s; draining the queue (at most {args.drain:.0f} s)")
        result["drain_s"] = drain(dsn, since, args.drain)
        result["events"] = events
        result["checks"] = check(shared, since, events)
        spans = phases(shared.recorder.records, events["node_killed_s"], args.heartbeat + 5, end)
        result["phases"] = spans
        result["figures"] = figures(shared.recorder.records, spans)
        before, window, after = (result["figures"][k] for k in ("before", "kill window", "after"))
        result["ratios"] = {
            "page_p50_kill_vs_before": window["page"]["p50_ms"] / before["page"]["p50_ms"]
            if before.get("page", {}).get("p50_ms")
            else 0.0,
            "rps_one_vs_two_nodes": after["total"]["rps"] / before["total"]["rps"]
            if before["total"]["rps"]
            else 0.0,
        }
        result["problems"] = shared.recorder.problems
        c = result["checks"]
        verdict = {
            "errors": result["figures"]["all"]["total"]["errors"],
            "jobs_lost": len(c["jobs"]["lost"]),
            # An import is retry-safe: none may fail. Other kinds (the scheduler's) failed with a reason are shown.
            "jobs_failed": sum(1 for f in c["jobs"]["failed"] if f["kind"] == "import"),
            "jobs_duplicated": len(c["imports"]["duplicated"])
            + len(c["jobs"]["scheduled_twice"])
            + int(bool(c["imports"]["rows_of_unconfirmed_previews"])),
            "writes_lost": len(c["edits"]["lost"]) + len(c["edits"]["same_version_acknowledged_twice"]),
            "imports_without_rows": len(c["imports"]["succeeded_without_rows"]),
            "imports_refused": len(c["imports"]["refused_by_preview"]),
        }
        verdict["ok"] = not any(verdict.values())
        result["verdict"] = verdict
        report(result)
        status = 0 if verdict["ok"] else 1
    except KeyboardInterrupt:
        stop.set()
        print("\ninterrupted")
        status = 130
    except RuntimeError as error:
        stop.set()
        print(f"\nstopped: {error}")
        status = 1
    finally:
        stop.set()
        for process in everyone:
            process.stop()
        result["load_end"] = os.getloadavg()
        print(f"stopped the nodes and workers; load average at the end "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; logs in {logs}")  # fmt: skip
        if args.json:
            args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), "utf-8")
            print(f"figures written to {args.json}")
    return status


if __name__ == "__main__":
    sys.exit(main())

"""The restore drill of docs/deployment.md §10, run for real through the `zhaoshang` console script.

A data folder with records, an uploaded file, the secret key and a (stand-in) national registry is backed up
with `zhaoshang backup -o DIR`, then damaged (records deleted and edited, the upload changed and another one
added, the key and the registry overwritten), then restored with `zhaoshang restore DIR --yes`: every row of
every table, every sequence (PostgreSQL) and every file must come back exactly.

SQLite: a temporary data folder. PostgreSQL: a scratch database made with `createdb`, restored as the docs say
(`dropdb`, `createdb --owner`, restore as the application's own database role, not a superuser); skipped when
PostgreSQL is not reachable or its client tools are missing, except that under CI=true missing tools fail the
run when PostgreSQL is reachable.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ZHAOSHANG = str(Path(sys.executable).with_name("zhaoshang"))
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/test"

CREATE = """
import os
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from zhaoshang.core.audit import acting_as, system_actor
from zhaoshang.projects.factories import FundsEntryFactory, ProjectFactory, StageMoveFactory

with acting_as(system_actor("test"), "system"):
    first = ProjectFactory(name="备份演练项目一")
    ProjectFactory(name="备份演练项目二", district=first.district)
    ProjectFactory(name="备份演练项目三", district=first.district)
    move = StageMoveFactory(project=first)
    move.evidence.save("到账凭证.pdf", ContentFile("%PDF-1.4 备份演练\\n".encode() * 50), save=True)
    FundsEntryFactory(project=first)
    user = get_user_model().objects.create_user("drill_clerk", password="drill-password-1")
registry = os.path.join(os.environ["ZHAOSHANG_DATA_DIR"], "registry")
os.makedirs(registry, exist_ok=True)
with open(os.path.join(registry, "national.parquet"), "wb") as f:
    f.write(bytes(range(256)) * 40)
print(move.evidence.name)
"""

DAMAGE = """
import os
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from zhaoshang.core.audit import acting_as, system_actor
from zhaoshang.projects.models import Project, StageMove

with acting_as(system_actor("test"), "system"):
    Project.objects.get(name="备份演练项目三").delete()
    first = Project.objects.get(name="备份演练项目一")
    first.name = "改坏了的名字"
    first.save()
    move = StageMove.objects.get(project=first)
    name = move.evidence.name
default_storage.delete(name)
default_storage.save(name, ContentFile(b"not the original"))
default_storage.save("evidence/later.pdf", ContentFile(b"uploaded after the backup"))
data = os.environ["ZHAOSHANG_DATA_DIR"]
with open(os.path.join(data, "secret_key"), "w") as f:
    f.write("another-key")
with open(os.path.join(data, "registry", "national.parquet"), "wb") as f:
    f.write(b"truncated")
"""


def _run(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([ZHAOSHANG, *args], env=env, capture_output=True, text=True, timeout=600)
    if check and done.returncode != 0:
        raise AssertionError(
            f"zhaoshang {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done


def _env(data: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "MEDIA_ROOT", "STATIC_ROOT")}
    env.pop("ZHAOSHANG_NATIONAL_REGISTRY", None)
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    env["ZHAOSHANG_DATA_DIR"] = str(data)
    env["DJANGO_SETTINGS_MODULE"] = "zhaoshang.settings"
    return env


def _files(data: Path) -> dict[str, tuple[str, int]]:
    """Every file of the data folder that a backup holds: content hash and permission bits."""
    found = {}
    for path in sorted(data.rglob("*")):
        relative = path.relative_to(data).as_posix()
        if not path.is_file() or relative.startswith("static/") or relative.startswith("zhaoshang.sqlite3"):
            continue
        found[relative] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mode & 0o777)
    return found


def _drill(env: dict[str, str], data: Path, tmp_path: Path, snapshot: Any, between: Any = None) -> None:
    _run(env, "migrate", "--verbosity", "0")
    evidence = _run(env, "shell", "-c", CREATE).stdout.strip().splitlines()[-1]
    assert (data / "media" / evidence).is_file()
    rows, files = snapshot(), _files(data)
    assert {"secret_key", "registry/national.parquet", f"media/{evidence}"} <= set(files)

    backup = tmp_path / "backup"
    out = _run(env, "backup", "-o", str(backup)).stdout
    assert "已备份到" in out
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"]["projects_project"] == 3 and manifest["tables"]["projects_stagemove"] == 1
    assert set(manifest["files"]) == {f"data/{name}" for name in files}
    assert oct(backup.stat().st_mode & 0o777) == oct(0o700)
    assert "备份完好" in _run(env, "restore", str(backup), "--check").stdout

    _run(env, "shell", "-c", DAMAGE)
    assert snapshot() != rows and _files(data) != files

    if between is not None:
        between(backup)
    done = _run(env, "restore", str(backup), "--yes")
    assert "行数与备份一致" in done.stdout, done.stdout
    assert snapshot() == rows
    assert _files(data) == files
    assert not (data / "media" / "evidence" / "later.pdf").exists()


# --- SQLite -----------------------------------------------------------------------------------------------


def test_sqlite_backup_restore_drill(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = _env(data, None)

    def snapshot() -> list[str]:
        with sqlite3.connect(data / "zhaoshang.sqlite3") as db:
            return list(db.iterdump())

    _drill(env, data, tmp_path, snapshot)

    # A damaged backup is refused before anything is touched.
    archive = tmp_path / "backup" / "files.tar.gz"
    damaged = bytearray(archive.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    archive.write_bytes(bytes(damaged))
    rows, files = snapshot(), _files(data)
    assert _run(env, "restore", str(tmp_path / "backup"), "--check", check=False).returncode != 0
    done = _run(env, "restore", str(tmp_path / "backup"), "--yes", check=False)
    assert done.returncode != 0 and "校验和不符" in done.stderr
    assert snapshot() == rows and _files(data) == files
    # Without --yes and without a terminal: refused, nothing done.
    done = _run(env, "restore", str(tmp_path / "backup"), check=False)
    assert done.returncode != 0


# --- PostgreSQL -------------------------------------------------------------------------------------------


def _postgres_tools() -> Path | None:
    found = shutil.which("pg_dump")
    if found and shutil.which("pg_restore") and shutil.which("createdb") and shutil.which("dropdb"):
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_restore"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


def _postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgres") else os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES)


@pytest.fixture
def scratch_postgres() -> Any:
    """(admin URL parts, tool folder, the application's URL) of a new database owned by a new, plain role."""
    import psycopg

    parts = urlsplit(_postgres_url())
    admin = parts._replace(scheme="postgresql", path="/postgres").geturl()
    try:
        psycopg.connect(admin, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        message = f"PostgreSQL is not reachable at {parts.hostname}:{parts.port}: {error}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " CI=true: failing instead of skipping.", pytrace=False)
        pytest.skip(message)
    tools = _postgres_tools()
    if tools is None:
        message = "PostgreSQL is reachable but pg_dump/pg_restore/createdb/dropdb are not installed."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " CI=true: failing instead of skipping.", pytrace=False)
        pytest.skip(message + " Install postgresql-client.")
    name = f"zs_backup_drill_{os.getpid()}"
    role = name
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        try:
            db.execute(f'DROP ROLE IF EXISTS "{role}"')
            db.execute(f"CREATE ROLE \"{role}\" LOGIN PASSWORD 'drill-{os.getpid()}'")
        except psycopg.errors.InsufficientPrivilege:
            role = parts.username or "postgres"  # no right to make roles: restore as the admin user
    owner = parts._replace(
        netloc=f"{role}:drill-{os.getpid()}@{parts.hostname}:{parts.port or 5432}"
        if role == name
        else parts.netloc,
        path=f"/{name}",
    ).geturl()
    yield {"admin": admin, "parts": parts, "tools": tools, "name": name, "role": role, "url": owner}
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if role == name:
            db.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_postgres_backup_restore_drill(tmp_path: Path, scratch_postgres: dict[str, Any]) -> None:
    import psycopg

    pg = scratch_postgres
    parts = pg["parts"]
    tool_env = {**os.environ, "PATH": f"{pg['tools']}{os.pathsep}{os.environ.get('PATH', '')}"}
    connect = [
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
    ]

    def admin(*command: str) -> None:
        subprocess.run([str(pg["tools"] / command[0]), *connect, *command[1:]], env=tool_env, check=True)

    admin("createdb", "--owner", pg["role"], "--encoding", "UTF8", pg["name"])
    data = tmp_path / "data"
    env = _env(data, pg["url"])
    env["PATH"] = tool_env["PATH"]

    def snapshot() -> dict[str, Any]:
        """Every table's rows (count and a hash of the rows in order) and every sequence's position."""
        state: dict[str, Any] = {}
        with psycopg.connect(pg["url"].replace("postgres://", "postgresql://", 1)) as db:
            tables = [r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
            for table in sorted(tables):
                state[table] = db.execute(
                    f"SELECT count(*), md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), '')) "
                    f'FROM "{table}" t'
                ).fetchone()
            sequences = [
                r[0] for r in db.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
            ]
            for sequence in sorted(sequences):
                state[f"seq:{sequence}"] = db.execute(
                    f'SELECT last_value, is_called FROM "{sequence}"'
                ).fetchone()
        return state

    def recreate(backup: Path) -> None:
        # Into a database that still holds tables, the restore refuses and changes nothing.
        before = snapshot()
        refused = _run(env, "restore", str(backup), "--yes", check=False)
        assert refused.returncode != 0 and "不是空的" in refused.stderr
        assert snapshot() == before
        admin("dropdb", "--force", pg["name"])
        admin("createdb", "--owner", pg["role"], "--encoding", "UTF8", pg["name"])

    _drill(env, data, tmp_path, snapshot, between=recreate)
    # The dump is a normal pg_restore archive: the standard tools read it too.
    listing = subprocess.run(
        [str(pg["tools"] / "pg_restore"), "--list", str(tmp_path / "backup" / "database.dump")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "TABLE DATA public projects_project" in listing

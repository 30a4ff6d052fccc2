"""Backup and restore of one installation: the database and the data folder, in one directory with a manifest.

``backup_create(out)`` writes into a new (or empty) directory:

- ``manifest.json``: when, which database engine, the rows of every table, the applied migrations, and the
  SHA-256 of every file it holds (the database file, the archive, and each file inside the archive);
- ``database.sqlite3`` (SQLite): an online copy made with SQLite's backup API, consistent while the application
  writes; or ``database.dump`` (PostgreSQL): ``pg_dump --format=custom`` taken in the same snapshot the rows were
  counted in (``pg_export_snapshot``), so the counts describe exactly what the dump holds;
- ``files.tar.gz``: the data folder (the generated secret key, uploaded files under ``media/``, the national
  registry under ``registry/``, job files) without the SQLite database (copied above) and the collected static
  files (``collectstatic`` rebuilds them); ``MEDIA_ROOT`` and the registry file too when they lie outside it.
  ``skip_registry`` leaves the registry out (it can be large, and converted again from the vendor's extract);
  a restore then leaves the current registry alone.

``backup_restore(src)`` first checks every checksum, then:

- SQLite: copies the backup over the database with the backup API (its whole content is replaced);
  PostgreSQL: ``pg_restore`` into the database, which must be empty (``dropdb`` + ``createdb`` first);
- files: what the backup holds comes back byte for byte with its mode; the files of the backup's scope that the
  backup does not hold are removed, so that the uploads match the records again;
- counts the rows of every table and compares them with the manifest.

Run both with the web service and the worker stopped for a restore; a backup may run while they work.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor

FORMAT = 1
MANIFEST = "manifest.json"
ARCHIVE = "files.tar.gz"
STAGING_PREFIX = ".zhaoshang-restore-"
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the person running it."""


@dataclass
class Root:
    """A place whose files the backup holds: the data folder, or MEDIA_ROOT / the registry outside it."""

    name: str
    path: Path
    is_file: bool = False


@dataclass
class RestoreReport:
    tables: int = 0
    rows: int = 0
    files_restored: int = 0
    files_removed: int = 0
    mismatches: list[str] = field(default_factory=list)
    pending_migrations: int = 0
    unknown_migrations: int = 0


# --- where things are -------------------------------------------------------------------------------------


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持的数据库 {vendor} (unsupported database)")
    return vendor


def _sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"]).resolve()


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _roots(skip_registry: bool) -> list[Root]:
    data = Path(settings.DATA_DIR).resolve()
    roots = [Root("data", data)]
    media = Path(settings.MEDIA_ROOT).resolve()
    if not _inside(media, data):
        roots.append(Root("media", media))
    registry = Path(settings.NATIONAL_REGISTRY).resolve()
    if not skip_registry and not _inside(registry, data):
        roots.append(Root("registry", registry, is_file=True))
    return roots


def _excluded(skip_registry: bool, roots: list[Root]) -> list[Path]:
    """Paths inside the data folder that are not its files: the live database, static files, the other roots."""
    paths = [Path(settings.STATIC_ROOT).resolve()]
    if _engine() == "sqlite":
        db = _sqlite_path()
        paths += [db, *(db.with_name(db.name + suffix) for suffix in ("-wal", "-shm", "-journal"))]
    paths += [root.path for root in roots[1:]]
    if skip_registry:
        paths.append(Path(settings.NATIONAL_REGISTRY).resolve())
    return paths


def _scope_files(root: Root, excluded: list[Path]) -> Iterator[tuple[str, Path]]:
    """(name in the archive, path) of every regular file of a root, in a stable order."""
    if root.is_file:
        if root.path.is_file():
            yield root.name, root.path
        return
    if not root.path.is_dir():
        return
    for folder, dirs, files in os.walk(root.path):
        here = Path(folder)
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(STAGING_PREFIX) and (here / d).resolve() not in excluded
        )
        for name in sorted(files):
            path = here / name
            if path.is_symlink() or not path.is_file() or path.resolve() in excluded:
                continue
            yield str(PurePosixPath(root.name, path.relative_to(root.path).as_posix())), path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- the database -----------------------------------------------------------------------------------------


def _tables() -> list[str]:
    return sorted(connection.introspection.table_names())


def _counts(cursor: Any, tables: list[str], quote: Callable[[str], str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _migrations(cursor: Any) -> list[str]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = db["NAME"]
    if sslmode := db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"找不到 {name}: 请安装 PostgreSQL 客户端 (apt install postgresql-client) 并加入 PATH ({name} not found)"
        )
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise BackupError(f"{Path(command[0]).name} 失败 (failed): " + " | ".join(tail))


def _database_backup(out: Path) -> tuple[str, dict[str, int], list[str]]:
    """Copy the database into `out`; return the file's name, the rows per table and the migrations, all of the
    copy itself."""
    if _engine() == "sqlite":
        target = out / "database.sqlite3"
        source = sqlite3.connect(_sqlite_path())
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            cursor = copy.cursor()
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            tables = sorted(row[0] for row in cursor.fetchall())
            counts = _counts(cursor, tables, lambda t: '"' + t.replace('"', '""') + '"')
            migrations = _migrations(cursor)
        finally:
            copy.close()
            source.close()
        return target.name, counts, migrations
    target = out / "database.dump"
    connection.ensure_connection()  # the session's set-up runs before, not inside, the snapshot's transaction
    with transaction.atomic(), connection.cursor() as cursor:
        # The counts and the dump see the same snapshot: pg_dump joins this transaction's.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _counts(cursor, _tables(), connection.ops.quote_name)
        migrations = _migrations(cursor)
        _run(
            [
                _pg_tool("pg_dump"),
                "--format=custom",
                "--no-password",
                f"--snapshot={snapshot}",
                f"--file={target}",
            ],
            _pg_env(),
        )
    return target.name, counts, migrations


def _database_restore(path: Path) -> None:
    connections.close_all()
    if _engine() == "sqlite":
        live = _sqlite_path()
        live.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(live, timeout=20)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    if _tables():
        name = settings.DATABASES["default"]["NAME"]
        raise BackupError(
            f"数据库 {name} 不是空的: 请先 dropdb 再 createdb (docs/deployment.md 第 10 节)。"
            f" (database {name} is not empty: drop and create it first)"
        )
    _run(
        [
            _pg_tool("pg_restore"),
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            f"--dbname={settings.DATABASES['default']['NAME']}",
            str(path),
        ],
        _pg_env(),
    )
    connections.close_all()


# --- backup -----------------------------------------------------------------------------------------------


class _HashingReader:
    """Reads a file for the archive and hashes exactly the bytes archived."""

    def __init__(self, f: Any) -> None:
        self.f = f
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.f.read(size)
        self.digest.update(data)
        return data


def backup_create(
    out: Path, *, skip_registry: bool = False, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Write a backup into `out` (created, or empty); return the manifest."""
    say = progress or (lambda _message: None)
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"目录 {out} 不是空的 (the backup directory must be new or empty)")
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    started = datetime.datetime.now(datetime.UTC)
    say("数据库 (database)")
    database, counts, migrations = _database_backup(out)
    say("文件 (files)")
    roots = _roots(skip_registry)
    excluded = _excluded(skip_registry, roots)
    members: dict[str, dict[str, Any]] = {}
    with tarfile.open(out / ARCHIVE, "w:gz", compresslevel=6) as archive:
        for root in roots:
            for name, path in _scope_files(root, excluded):
                info = archive.gettarinfo(str(path), arcname=name)
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                with path.open("rb") as f:
                    reader = _HashingReader(f)
                    archive.addfile(info, reader)  # type: ignore[arg-type]
                members[name] = {"size": info.size, "sha256": reader.digest.hexdigest(), "mode": info.mode}
    manifest = {
        "format": FORMAT,
        "created": started.isoformat(timespec="seconds"),
        "engine": _engine(),
        "database": {
            "file": database,
            "sha256": _sha256(out / database),
            "size": (out / database).stat().st_size,
        },
        "archive": {
            "file": ARCHIVE,
            "sha256": _sha256(out / ARCHIVE),
            "size": (out / ARCHIVE).stat().st_size,
        },
        "roots": [{"name": r.name, "path": str(r.path), "is_file": r.is_file} for r in roots],
        "skip_registry": skip_registry,
        "tables": counts,
        "migrations": migrations,
        "files": members,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    for path in out.iterdir():
        path.chmod(0o600)
    return manifest


# --- restore ----------------------------------------------------------------------------------------------


def backup_read(src: Path) -> dict[str, Any]:
    """The manifest of a backup, after checking the database file's and the archive's checksums."""
    src = Path(src)
    try:
        manifest = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{src} 不是备份目录: 没有可读的 {MANIFEST} (not a backup: {error})") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式 {manifest.get('format')} 不受支持 (unsupported backup format)")
    for part in ("database", "archive"):
        path = src / manifest[part]["file"]
        if not path.is_file() or _sha256(path) != manifest[part]["sha256"]:
            raise BackupError(f"{path} 缺失或已损坏: 校验和不符 (missing or damaged: checksum mismatch)")
    return manifest


def _stage(src: Path, manifest: dict[str, Any], staging: Path) -> None:
    """Extract every file of the manifest into `staging`, checking each one's checksum; nothing else."""
    expected = manifest["files"]
    seen = set()
    with tarfile.open(src / manifest["archive"]["file"], "r:gz") as archive:
        for info in archive:
            name = info.name
            parts = PurePosixPath(name).parts
            if (
                name not in expected
                or not info.isfile()
                or ".." in parts
                or PurePosixPath(name).is_absolute()
            ):
                raise BackupError(f"备份中有意外的文件 {name} (unexpected member in the archive)")
            target = staging.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with archive.extractfile(info) as data, target.open("wb") as f:  # type: ignore[union-attr]
                while chunk := data.read(CHUNK):
                    digest.update(chunk)
                    f.write(chunk)
            if digest.hexdigest() != expected[name]["sha256"]:
                raise BackupError(f"备份中的 {name} 已损坏 (checksum mismatch)")
            target.chmod(expected[name]["mode"] & 0o777)
            os.utime(target, (info.mtime, info.mtime))
            seen.add(name)
    if missing := sorted(set(expected) - seen):
        raise BackupError(f"备份缺少 {len(missing)} 个文件, 如 {missing[0]} (files missing from the archive)")


def backup_verify(src: Path) -> dict[str, Any]:
    """Check a backup without touching anything: the manifest, and every file's checksum, unpacked into a
    temporary folder that is then removed. Returns the manifest."""
    manifest = backup_read(src)
    with tempfile.TemporaryDirectory(prefix="zhaoshang-verify-") as staging:
        _stage(Path(src), manifest, Path(staging))
    return manifest


def _restore_files(manifest: dict[str, Any], staging: Path, report: RestoreReport) -> None:
    skip_registry = manifest["skip_registry"]
    by_name = {r.name: r for r in _roots(skip_registry)}
    roots = []
    for saved in manifest["roots"]:
        current = by_name.get(saved["name"])
        if current is None:  # e.g. MEDIA_ROOT was outside the data folder then and is inside it now
            current = Root(saved["name"], Path(saved["path"]), saved["is_file"])
        roots.append(current)
    excluded = _excluded(skip_registry, roots)
    wanted = set(manifest["files"])
    for root in roots:
        for name, path in list(_scope_files(root, excluded)):
            if name not in wanted:
                path.unlink()
                report.files_removed += 1
    for root in roots:
        for name in sorted(n for n in wanted if n == root.name or n.startswith(root.name + "/")):
            staged = staging.joinpath(*PurePosixPath(name).parts)
            relative = PurePosixPath(name).parts[1:]
            target = root.path.joinpath(*relative) if relative else root.path
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
            report.files_restored += 1


def backup_restore(src: Path, *, progress: Callable[[str], None] | None = None) -> RestoreReport:
    """Put the database and the files of a backup back; check the rows against the manifest."""
    say = progress or (lambda _message: None)
    src = Path(src)
    manifest = backup_read(src)
    if manifest["engine"] != _engine():
        raise BackupError(
            f"备份来自 {manifest['engine']}, 当前数据库是 {_engine()} (the backup is of another database engine)"
        )
    data = Path(settings.DATA_DIR).resolve()
    data.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=data))
    report = RestoreReport()
    try:
        say("检查文件 (checking the files)")
        _stage(src, manifest, staging)
        say("数据库 (database)")
        _database_restore(src / manifest["database"]["file"])
        say("文件 (files)")
        _restore_files(manifest, staging, report)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    say("核对 (checking the rows)")
    with connection.cursor() as cursor:
        counts = _counts(cursor, _tables(), connection.ops.quote_name)
        applied = set(_migrations(cursor))
    for table, rows in manifest["tables"].items():
        if counts.get(table) != rows:
            report.mismatches.append(f"{table}: {counts.get(table)} ≠ {rows}")
    report.tables, report.rows = len(counts), sum(counts.values())
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    report.pending_migrations = len(executor.migration_plan(targets))
    known = {f"{app}.{name}" for app, name in executor.loader.graph.nodes}
    report.unknown_migrations = len(applied - known)
    return report

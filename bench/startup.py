"""Start-up: `zhaoshang jobs --limit 1` as a whole process against a bare `import django.db.models,
django.contrib.admin`, on a migrated SQLite database in a temporary folder.

    .venv/bin/python bench/startup.py [--runs 5]

Target: the command takes ≤ 4× the bare import. What a command pays before it does anything is Python, Django,
every installed app with its models, registrations, views and API (the apps' ``ready()`` import them), the
system checks (which import the URLconf, hence every view) and the database connection; heavy libraries
(pandas, DuckDB, SciPy, PyArrow, numpy, shapely, pyproj, networkx, openpyxl, python-docx) must not be among it.

Contenders, each a fresh process, run interleaved ``--runs`` times (the medians are shown):

* ``bare``: ``python -c "import django.db.models, django.contrib.admin"`` — the baseline;
* ``jobs``: ``zhaoshang jobs --limit 1`` (the console script; the checks, one query, a table printed);
* ``worker``: a web worker's start: ``django.setup()`` and ``import zhaoshang.urls`` (every view);
* ``jobs, no i-e admin``: ``jobs`` with django-import-export's admin module replaced by an empty one before
  Django starts — what that module costs: Django's admin imports it at start like every app's, and it reads
  its spreadsheet formats when imported, which loads openpyxl and numpy (it registers nothing we use).

Wall time, CPU time (user + system) and peak RSS are each child's own, taken by a small launcher process
around it (``os.wait4``). The database is created once with ``zhaoshang migrate`` before the runs (not timed).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

WITHOUT_IE_ADMIN = (
    "import sys, types; sys.modules['import_export.admin'] = types.ModuleType('import_export.admin'); "
    "from zhaoshang.cli import main; sys.argv[0] = 'zhaoshang'; main()"
)
WORKER = "import django; django.setup(); import zhaoshang.urls"
BARE = "import django.db.models, django.contrib.admin"


def zhaoshang_command() -> list[str]:
    """The console script next to this interpreter, or the same entry point through ``-c``."""
    script = Path(sys.executable).with_name("zhaoshang")
    if script.exists():
        return [str(script)]
    return [
        sys.executable,
        "-c",
        "import sys; from zhaoshang.cli import main; sys.argv[0] = 'zhaoshang'; main()",
    ]


def contenders() -> dict[str, list[str]]:
    return {
        "bare": [sys.executable, "-c", BARE],
        "jobs": [*zhaoshang_command(), "jobs", "--limit", "1"],
        "worker": [sys.executable, "-c", WORKER],
        "jobs, no i-e admin": [sys.executable, "-c", WITHOUT_IE_ADMIN, "jobs", "--limit", "1"],
    }


# Runs its arguments as its only child and prints that child's wall time, CPU time and peak RSS as JSON: a
# child started with vfork (as subprocess does) inherits its parent's high-water RSS at exec, so the parent of
# the measured process must be a small one.
LAUNCHER = (
    "import json, os, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "_pid, status, usage = os.wait4(child.pid, 0)\n"
    "seconds = time.perf_counter() - start\n"
    "print(json.dumps([seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024]))\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def run(cmd: list[str], env: dict[str, str], cwd: str) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in bytes) of one child process."""
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *cmd], capture_output=True, text=True, env=env, cwd=cwd
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{' '.join(cmd)} failed with {done.returncode}")
    seconds, cpu, rss = json.loads(done.stdout.strip().splitlines()[-1])
    return float(seconds), float(cpu), int(rss)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="zs-bench-startup-") as data:
        env = {**os.environ, "ZHAOSHANG_DATA_DIR": data, "DJANGO_SETTINGS_MODULE": "zhaoshang.settings"}
        env.pop("DATABASE_URL", None)  # SQLite in the data folder
        subprocess.run([*zhaoshang_command(), "migrate", "--noinput", "-v0"], check=True, env=env, cwd=data)
        commands = contenders()
        results: dict[str, list[tuple[float, float, int]]] = {name: [] for name in commands}
        load_before = os.getloadavg()[0]
        for _ in range(args.runs):
            for name, cmd in commands.items():
                results[name].append(run(cmd, env, data))
        load_after = os.getloadavg()[0]

    def median(name: str, i: int) -> float:
        return statistics.median(r[i] for r in results[name])

    print(
        f"start-up, whole processes, {args.runs} interleaved runs each (medians); {os.cpu_count()} CPUs, "
        f"load average {load_before:.1f} before, {load_after:.1f} after"
    )
    bare_s, bare_cpu, bare_rss = median("bare", 0), median("bare", 1), median("bare", 2)
    for name in commands:
        seconds, cpu, rss = median(name, 0), median(name, 1), median(name, 2)
        spread = ", ".join(f"{r[0]:.2f}" for r in results[name])
        print(
            f"  {name:<20} {seconds:6.2f} s  ({spread})   CPU {cpu:5.2f} s   peak RSS {rss / 2**20:5.0f} MiB"
            f"   ×{seconds / bare_s:4.1f} time, ×{cpu / bare_cpu:4.1f} CPU, ×{rss / bare_rss:4.1f} memory"
        )
    jobs_s, jobs_cpu = median("jobs", 0), median("jobs", 1)
    print(
        f"  ratio jobs / bare: {jobs_s / bare_s:.2f} in wall time, {jobs_cpu / bare_cpu:.2f} in CPU time "
        "(target ≤ 4; on a busy machine the CPU ratio is the steadier one)"
    )
    without = "jobs, no i-e admin"
    print(
        f"  django-import-export's admin module: {jobs_s - median(without, 0):.2f} s wall, "
        f"{jobs_cpu - median(without, 1):.2f} s CPU, "
        f"{(median('jobs', 2) - median(without, 2)) / 2**20:.0f} MiB of the command's start"
    )


if __name__ == "__main__":
    main()

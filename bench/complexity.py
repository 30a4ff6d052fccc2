"""Economic complexity: ours (compat and default mode) against ecomplexity 0.5.3 on the same synthetic panel.

    .venv/bin/python bench/complexity.py [--places 3000] [--industries 1300] [--years 1 5] [--seed 7]
                                         [--repeat 3] [--skip-reference] [--no-tracemalloc] [--no-check]
                                         [--files] [--process]

Without ``--files`` each contender is a function call on a DataFrame that returns the long table. With
``--files`` each contender does what a user does with a file: ours is ``complexity_files`` (the work of
``zhaoshang complexity INPUT.parquet -o OUTPUT.parquet``, streamed chunk by chunk), ecomplexity is
``pd.read_parquet`` → ``ecomplexity(...)`` → ``DataFrame.to_parquet``; time and memory then include reading
and writing, the shared baseline is the imported libraries, and the compat check compares the two files.

Each contender runs in its own subprocess, started by a fresh launcher process, so that the launcher's
``getrusage(RUSAGE_CHILDREN).ru_maxrss`` is the peak resident memory of that run alone (the honest number
for numpy and BLAS buffers). The worker builds the input, imports its contender, then resets the kernel's
high-water mark (``/proc/self/clear_refs``), so the peak is the input plus the call, not the generator's
scratch arrays. Time is taken around the call only. Ours runs ``--repeat`` times (the median run is shown,
with the largest peak RSS of the runs); ecomplexity, at ~2.5 minutes a 5-year run, once. A second,
separate run of each contender records the tracemalloc peak (Python and numpy allocations; tracing slows
pandas' Python code, so it never times anything) and saves the table: the compat result is compared with
ecomplexity's cell by cell (same rows, same order) and the largest absolute difference is printed. A
``data`` contender only builds the input: the memory every run shares.

Before the runs the parent touches ``--warm-gb`` GiB of memory once and frees it: on a virtual machine the
first touch of guest memory that was never used since boot costs ~2 s/GiB (the hypervisor backs it lazily),
and whichever contender met such memory first would be charged for the machine, not for its algorithm.

With ``--process`` each contender is a whole process, file to file, timed from start to exit: ours is the
command ``zhaoshang complexity INPUT.parquet -o OUTPUT.parquet`` (default mode, and ``--compat ecomplexity``),
ecomplexity a ``python -c`` script that imports pandas and ecomplexity, reads the same Parquet file, computes
and writes the table. Start-up (the interpreter, the imports, for ours the command line) is then part of the
time. The contenders run interleaved ``--repeat`` times (median shown); wall time, CPU time and peak RSS are
each child's own, taken by a small launcher process around it (``os.wait4``); the compat check compares the
last runs' files.

The generator is seeded: place sizes and industry sizes are lognormal (a few big places and industries hold
most of the activity), a cell is non-zero with a probability that grows with both sizes (about one cell in
six), values are lognormal around size × size, and each later year perturbs the first one by 20 % so that
the panel has the persistence of real data. Places are 6-digit codes, industries 4-digit codes (strings).
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

COLUMNS = {"time": "year", "loc": "region", "prod": "industry", "val": "value"}
CONTENDERS = ("data", "ecomplexity", "ours-compat", "ours-default")
SAVED = ("ecomplexity", "ours-compat")  # the two tables compared cell by cell


def synthetic_panel(places: int, industries: int, years: int, seed: int) -> pd.DataFrame:
    """Long table (year, region, industry, value) of the non-zero cells only, as registries export them."""
    rng = np.random.default_rng(seed)
    place_size = rng.lognormal(0.0, 1.4, places)
    industry_size = rng.lognormal(0.0, 1.4, industries)
    scale = np.outer(place_size, industry_size)
    p_present = 1.0 - np.exp(-0.12 * scale / np.median(scale))
    present = rng.random((places, industries)) < p_present
    base = np.where(present, np.ceil(scale * rng.lognormal(0.0, 1.0, (places, industries)) * 20), 0.0)
    regions = np.array([f"{110000 + i:06d}" for i in range(places)])
    codes = np.array([f"{i:04d}" for i in range(industries)])
    frames = []
    for k in range(years):
        x = base if k == 0 else np.round(base * rng.lognormal(0.0, 0.2, base.shape))
        r, c = np.nonzero(x)
        frames.append(
            pd.DataFrame({"year": 2019 + k, "region": regions[r], "industry": codes[c], "value": x[r, c]})
        )
    return pd.concat(frames, ignore_index=True)


def load_contender(name: str) -> Callable[[pd.DataFrame], pd.DataFrame | None]:
    """The function to time, imported beforehand so that import time is not counted."""
    if name == "data":
        return lambda data: None
    if name == "ecomplexity":
        from ecomplexity import ecomplexity

        def reference(data: pd.DataFrame) -> pd.DataFrame:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out: pd.DataFrame = ecomplexity(data, COLUMNS, check_logsupermodularity=False, verbose=False)
            return out

        return reference
    from zhaoshang.analytics.complexity.panel import complexity_panel

    compat = "ecomplexity" if name == "ours-compat" else None
    return lambda data: complexity_panel(data, compat=compat).table


def load_file_contender(name: str) -> Callable[[str, str], None]:
    """The same contenders, file to file (``--files``)."""
    import pyarrow.parquet  # noqa: F401  (both read and write Parquet: imported before the baseline)

    if name == "data":
        return lambda source, target: None
    if name == "ecomplexity":
        from ecomplexity import ecomplexity

        def reference(source: str, target: str) -> None:
            data = pd.read_parquet(source)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = ecomplexity(data, COLUMNS, check_logsupermodularity=False, verbose=False)
            out.to_parquet(target, index=False)

        return reference
    from zhaoshang.analytics.complexity.files import complexity_files

    compat = "ecomplexity" if name == "ours-compat" else None
    names = (COLUMNS["time"], COLUMNS["loc"], COLUMNS["prod"], COLUMNS["val"])

    def ours(source: str, target: str) -> None:
        complexity_files(Path(source), Path(target), names, compat=compat)  # type: ignore[arg-type]

    return ours


def reset_peak_rss() -> None:
    """Forget the generator's transient peak: Linux resets the high-water RSS on writing 5 to clear_refs."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def release_scratch() -> None:
    """Hand the generator's freed scratch memory back to the system before the baseline is taken: glibc and
    Arrow's allocator keep ~150 MB of it resident otherwise, which would count as "input" for both contenders
    (and be reused by whichever runs, without showing in its peak)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    try:
        import pyarrow

        pyarrow.default_memory_pool().release_unused()
    except ImportError:
        pass


def file_worker(args: argparse.Namespace) -> None:
    import pyarrow.parquet as pq

    run = load_file_contender(args.worker)
    release_scratch()
    reset_peak_rss()
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    run(args.input, args.save)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rows = pq.ParquetFile(args.save).metadata.num_rows if args.worker != "data" else 0
    input_rows = pq.ParquetFile(args.input).metadata.num_rows
    print(
        json.dumps({"seconds": seconds, "cpu": cpu, "traced": None, "rows": rows, "input_rows": input_rows})
    )


def worker(args: argparse.Namespace) -> None:
    if args.input:
        file_worker(args)
        return
    if args.make_input:
        synthetic_panel(args.places, args.industries, args.years, args.seed).to_parquet(args.make_input)
        return
    data = synthetic_panel(args.places, args.industries, args.years, args.seed)
    run = load_contender(args.worker)
    release_scratch()
    reset_peak_rss()
    if args.trace:
        tracemalloc.start()
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    out = run(data)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    traced = tracemalloc.get_traced_memory()[1] if args.trace else None
    tracemalloc.stop()
    rows = 0 if out is None else len(out)
    if args.save and out is not None:
        out.to_parquet(args.save)
    print(
        json.dumps({"seconds": seconds, "cpu": cpu, "traced": traced, "rows": rows, "input_rows": len(data)})
    )


def launch(cmd: list[str]) -> None:
    """Run ``cmd`` as this process's only child and report its peak RSS."""
    completed = subprocess.run(cmd, capture_output=True, text=True)
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr)
        raise SystemExit(completed.returncode)
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result["max_rss"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # Linux: KiB
    print(json.dumps(result))


def measure(
    args: argparse.Namespace,
    name: str,
    years: int,
    *,
    trace: bool,
    save: str | None,
    source: str | None = None,
) -> dict[str, Any]:
    inner = [
        sys.executable,
        __file__,
        "--worker",
        name,
        "--places",
        str(args.places),
        "--industries",
        str(args.industries),
        "--years",
        str(years),
        "--seed",
        str(args.seed),
    ]
    if trace:
        inner.append("--trace")
    if save:
        inner += ["--save", save]
    if source:
        inner += ["--input", source]
    outer = [sys.executable, __file__, "--launch", *inner]
    env = dict(os.environ)
    if args.threads:
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[name] = str(args.threads)
    completed = subprocess.run(outer, capture_output=True, text=True, check=True, env=env)
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


# ``--process``: the reference as a user would script it, in a process of its own.
REFERENCE_SCRIPT = (
    "import sys, warnings; import pandas as pd; from ecomplexity import ecomplexity\n"
    "data = pd.read_parquet(sys.argv[1])\n"
    "with warnings.catch_warnings():\n"
    "    warnings.simplefilter('ignore')\n"
    f"    out = ecomplexity(data, {COLUMNS!r}, check_logsupermodularity=False, verbose=False)\n"
    "out.to_parquet(sys.argv[2], index=False)\n"
)


def process_command(name: str, source: str, target: str) -> list[str]:
    if name == "ecomplexity":
        return [sys.executable, "-c", REFERENCE_SCRIPT, source, target]
    script = Path(sys.executable).with_name("zhaoshang")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "zhaoshang.cli"]
    compat = ["--compat", "ecomplexity"] if name == "ours-compat" else []
    return [*command, "complexity", source, "-o", target, *compat]


# Runs its arguments as its only child and prints that child's wall time, CPU time and peak RSS as JSON. A
# small launcher, because a child started with vfork (as subprocess does) inherits its parent's high-water RSS
# at exec: from this script, which has numpy, pandas and the warm-up's gigabyte behind it, that would floor
# every peak at ~1.1 GiB.
LAUNCHER = (
    "import json, os, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "_pid, status, usage = os.wait4(child.pid, 0)\n"
    "seconds = time.perf_counter() - start\n"
    "cpu = usage.ru_utime + usage.ru_stime\n"
    "print(json.dumps({'seconds': seconds, 'cpu': cpu, 'max_rss': usage.ru_maxrss * 1024}))\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def run_process(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    """Wall time from start to exit, CPU time and peak RSS of one child process."""
    completed = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *cmd], capture_output=True, text=True, env=env
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr)
        raise SystemExit(f"{cmd[:3]} failed")
    result: dict[str, float] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def process_block(args: argparse.Namespace, tmp: str, source: str, contenders: list[str]) -> None:
    """``--process``: whole processes, interleaved, the median of ``--repeat`` runs each."""
    env = {**os.environ, "ZHAOSHANG_DATA_DIR": tmp}
    if args.threads:
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[name] = str(args.threads)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in contenders}
    for _ in range(args.repeat):
        for name in contenders:
            target = os.path.join(tmp, f"{name}.parquet")
            runs[name].append(run_process(process_command(name, source, target), env))
    median: dict[str, dict[str, float]] = {}
    for name in contenders:
        median[name] = {k: statistics.median(r[k] for r in runs[name]) for k in ("seconds", "cpu", "max_rss")}
        times = ", ".join(f"{r['seconds']:.2f}" for r in runs[name])
        m = median[name]
        print(
            f"  {name:<13} {m['seconds']:7.2f} s (median of {times})   CPU {m['cpu']:7.2f} s"
            f"   peak RSS {mib(m['max_rss'])}"
        )
    if "ecomplexity" in median:
        ref = median["ecomplexity"]
        for name in ("ours-compat", "ours-default"):
            m = median[name]
            print(
                f"  {name}: ×{ref['seconds'] / m['seconds']:.1f} faster as a process (median), "
                f"×{ref['cpu'] / m['cpu']:.1f} in CPU time; peak RSS ours/ecomplexity "
                f"{m['max_rss'] / ref['max_rss']:.3f}"
            )


def compare(reference_path: str, ours_path: str) -> tuple[int, float]:
    """(rows, largest absolute difference) between two result tables that must have the same rows in order."""
    ref = pd.read_parquet(reference_path)
    ours = pd.read_parquet(ours_path)
    if len(ref) != len(ours):
        raise SystemExit(f"row counts differ: ecomplexity {len(ref)}, ours {len(ours)}")
    worst = 0.0
    for column in ref.columns:
        a, b = ref[column].to_numpy(), ours[column].to_numpy()
        if column in ("region", "industry"):
            if not (a.astype(str) == b.astype(str)).all():
                raise SystemExit(f"column {column}: labels differ")
            continue
        a, b = a.astype(np.float64), b.astype(np.float64)
        if not (np.isnan(a) == np.isnan(b)).all():
            raise SystemExit(f"column {column}: NaN cells differ")
        both = ~np.isnan(a)
        diff = float(np.max(np.abs(a[both] - b[both]), initial=0.0))
        worst = max(worst, diff)
        print(f"    {column:<10} max |diff| = {diff:.3g}")
    return len(ref), worst


def warm_memory(gib: float) -> None:
    chunk = 2**27  # 1 GiB of float64
    for _ in range(int(gib)):
        block = np.ones(chunk)
        del block


def mib(n: float | None) -> str:
    return f"{'-':>9}" if n is None else f"{n / 2**20:>5,.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--places", type=int, default=3000)
    parser.add_argument("--industries", type=int, default=1300)
    parser.add_argument("--years", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-reference", action="store_true", help="do not run ecomplexity")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the tracemalloc runs")
    parser.add_argument("--no-check", action="store_true", help="skip the cell-by-cell comparison")
    parser.add_argument("--warm-gb", type=float, default=8.0, help="memory to touch once before the runs")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of ours (the median is shown)")
    parser.add_argument(
        "--threads", type=int, help="BLAS threads of every contender (default: the machine's)"
    )
    parser.add_argument(
        "--files", action="store_true", help="file to file: read Parquet, compute, write Parquet (see above)"
    )
    parser.add_argument(
        "--process",
        action="store_true",
        help="whole processes, file to file: `zhaoshang complexity` against a python -c script (see above)",
    )
    parser.add_argument("--worker", choices=CONTENDERS, help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--make-input", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--save", help=argparse.SUPPRESS)
    if sys.argv[1:2] == ["--launch"]:
        launch(sys.argv[2:])
        return
    args = parser.parse_args()
    if args.worker:
        args.years = args.years[0]
        worker(args)
        return

    contenders = [c for c in CONTENDERS if not (args.skip_reference and c == "ecomplexity")]
    if args.process:
        args.files = True
        contenders = [c for c in contenders if c != "data"]
    check = not args.no_check and not args.skip_reference
    threads = args.threads or "default"
    print(
        f"complexity benchmark: {args.places} places × {args.industries} industries, seed {args.seed}, "
        f"{os.cpu_count()} CPUs, BLAS threads: {threads}"
        + (", whole processes" if args.process else ", file to file" if args.files else "")
    )
    warm_memory(args.warm_gb)
    with tempfile.TemporaryDirectory(prefix="zs-bench-complexity-") as tmp:
        for years in args.years:
            print(f"\n== {years} year(s)   (load average {os.getloadavg()[0]:.1f})")
            results: dict[str, dict[str, Any]] = {}
            run_seconds: dict[str, list[float]] = {}
            source = os.path.join(tmp, "input.parquet") if args.files else None
            if source:
                make = [sys.executable, __file__, "--worker", "data", "--make-input", source]
                make += ["--places", str(args.places), "--industries", str(args.industries)]
                subprocess.run([*make, "--years", str(years), "--seed", str(args.seed)], check=True)
            if args.process:
                assert source is not None
                process_block(args, tmp, source, contenders)
                if check:
                    rows, worst = compare(
                        os.path.join(tmp, "ecomplexity.parquet"), os.path.join(tmp, "ours-compat.parquet")
                    )
                    print(
                        f"  compat check: {rows:,} rows in the same order, largest |difference| {worst:.3g}"
                    )
                continue
            for name in contenders:
                repeat = args.repeat if name.startswith("ours") else 1
                target = os.path.join(tmp, f"{name}.parquet") if source else None
                runs = [
                    measure(args, name, years, trace=False, save=target, source=source) for _ in range(repeat)
                ]
                r = sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]  # the median run
                r["max_rss"] = max(run["max_rss"] for run in runs)
                run_seconds[name] = [run["seconds"] for run in runs]
                save = os.path.join(tmp, f"{name}.parquet") if check and name in SAVED else None
                if name != "data" and not source and (save or not args.no_tracemalloc):
                    # A second run for tracemalloc and for saving the table: neither may touch the figures above.
                    r["traced"] = measure(args, name, years, trace=not args.no_tracemalloc, save=save)[
                        "traced"
                    ]
                results[name] = r
                times = ", ".join(f"{run['seconds']:.2f}" for run in runs)
                spread = f" (median of {times})" if repeat > 1 else ""
                print(
                    f"  {name:<13} {r['seconds']:7.2f} s{spread}   CPU {r['cpu']:7.2f} s   peak RSS {mib(r['max_rss'])}"
                    f"   tracemalloc peak {mib(r.get('traced'))}   rows {r['rows']:,} (input {r['input_rows']:,})"
                )
            base_rss = results["data"]["max_rss"]
            if "ecomplexity" in results:
                ref = results["ecomplexity"]
                for name in ("ours-compat", "ours-default"):
                    r = results[name]
                    traced = (
                        f", tracemalloc {r['traced'] / ref['traced']:.3f}"
                        if r.get("traced") and ref.get("traced")
                        else ""
                    )
                    fastest = min(run_seconds[name])
                    print(
                        f"  {name}: ×{ref['seconds'] / r['seconds']:.1f} faster (median run; "
                        f"×{ref['seconds'] / fastest:.1f} for the fastest, ×{ref['cpu'] / r['cpu']:.1f} in CPU time); "
                        "memory ours/ecomplexity: "
                        f"peak RSS {r['max_rss'] / ref['max_rss']:.3f}, "
                        f"RSS above the input {(r['max_rss'] - base_rss) / (ref['max_rss'] - base_rss):.3f}{traced}"
                    )
            if check:
                rows, worst = compare(
                    os.path.join(tmp, "ecomplexity.parquet"), os.path.join(tmp, "ours-compat.parquet")
                )
                print(f"  compat check: {rows:,} rows in the same order, largest |difference| {worst:.3g}")
            for name in SAVED:
                Path(tmp, f"{name}.parquet").unlink(missing_ok=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    main()

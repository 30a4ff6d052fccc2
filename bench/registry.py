"""National enterprise registry (Parquet + DuckDB) against plain pandas on the same file.

    .venv/bin/python bench/registry.py [--firms 10000000] [--path /tmp/zs-bench/registry-10m.parquet]
                                       [--runs 3] [--regenerate]

The synthetic registry (``registry_generate``, seed 20250101, all ≈2,850 counties) is written once and cached
at --path; its generation time and peak memory are reported but are not a target.

(a) County × class matrix of active firms: ``place_industry_matrix`` (one DuckDB GROUP BY over the Parquet,
    scattered into a CSR matrix) against pandas reading the three columns and ``groupby(...).size()`` into
    the same CSR matrix. Target ≤ 20 s. Both must give the same matrix.
(b) Target enterprises of one node (临淄's weak 机器人本体 node: class 3491 and its five keywords) over the
    whole registry: ``registry_targets`` (DuckDB pre-filter by class OR keyword in scope/name, outside the
    district, active; then the numpy scoring of ``target_enterprises``, top 50) against pandas reading every
    column it needs, filtering with ``isin``/``str.contains`` and calling the same scoring. Target ≤ 2 s.
    The district's relatedness density (national complexity) is computed once beforehand, not timed. Both
    must give the same top 50.

Times: both contenders alternate in one process (ours, baseline, ours, ...), --runs times each, after one
untimed warm-up of each (the file is then in the page cache, as on a server that uses it); the median and
the range are printed with the ratio ours / baseline. Peak memory: each contender once more in a fresh
subprocess, whose VmHWM (peak resident set) is read at its end; the 'import' row is the interpreter with the
libraries loaded and nothing run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

LINZI = "370305"
NODE_KEY = "robot-body"
CHAINS = Path(__file__).resolve().parents[1] / "src" / "zhaoshang" / "chains" / "data" / "linzi_456.json"


def peak_rss() -> int:
    """Peak resident set of this process, bytes (Linux VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def robot_node() -> tuple[Any, list[str]]:
    from zhaoshang.analytics.chains.gaps import GapNode

    data = json.loads(CHAINS.read_text(encoding="utf-8"))
    for group in data["groups"]:
        for chain in group["chains"]:
            for n in chain["nodes"]:
                if n["code"] == NODE_KEY:
                    node = GapNode(n["code"], n["name"], n["segment"], n["weight"], n["industries"])
                    return node, list(n["keywords"])
    raise LookupError(NODE_KEY)


# --- contenders ------------------------------------------------------------------------------------------


def matrix_ours(path: str) -> Any:
    from zhaoshang.analytics.registry.store import place_industry_matrix

    return place_industry_matrix(path)


def matrix_pandas(path: str) -> Any:
    import numpy as np
    import pandas as pd
    import scipy.sparse

    from zhaoshang.analytics.registry.store import ACTIVE_STATUSES, PlaceIndustryMatrix

    frame = pd.read_parquet(path, columns=["adcode", "industry", "status"])
    frame = frame[frame["status"].isin(ACTIVE_STATUSES)]
    counts = frame.groupby(["adcode", "industry"], sort=True).size()
    places, p_idx = np.unique(counts.index.get_level_values(0).to_numpy(dtype=str), return_inverse=True)
    codes, i_idx = np.unique(counts.index.get_level_values(1).to_numpy(dtype=str), return_inverse=True)
    values = scipy.sparse.csr_matrix(
        (counts.to_numpy(dtype=np.float64), (p_idx, i_idx)), shape=(places.size, codes.size)
    )
    return PlaceIndustryMatrix(places.tolist(), codes.tolist(), values)


def targets_ours(path: str, density: dict[str, float]) -> Any:
    from zhaoshang.analytics.targets.firms import registry_targets

    node, keywords = robot_node()
    return registry_targets(path, node, district=LINZI, keywords=keywords, density=density, top=50)


def targets_pandas(path: str, density: dict[str, float]) -> Any:
    import pandas as pd

    from zhaoshang.analytics.registry.store import ACTIVE_STATUSES
    from zhaoshang.analytics.targets.firms import SCORING_COLUMNS, target_enterprises

    node, keywords = robot_node()
    codes = [c for c, a in node.shares.items() if a > 0]
    frame = pd.read_parquet(path, columns=[*SCORING_COLUMNS, "scope"])
    hit = frame["industry"].isin(codes)
    for word in keywords:
        hit |= frame["scope"].str.contains(word, regex=False) | frame["name"].str.contains(word, regex=False)
    chosen = frame[hit & (frame["adcode"] != LINZI) & frame["status"].isin(ACTIVE_STATUSES)]
    return target_enterprises(chosen, district=LINZI, density=density, top=50)


def matrix_digest(m: Any) -> dict[str, Any]:
    import numpy as np

    rows, cols = m.values.shape
    # Integer counts: this weighted sum is exact in float64 and changes when any cell moves or changes.
    weighted = float(np.arange(1, rows + 1) @ (m.values @ np.arange(1, cols + 1, dtype=np.float64)))
    return {
        "weighted": weighted,
        "industries": m.industries[:3] + m.industries[-3:],
        "shape": list(m.values.shape),
        "total": float(m.values.sum()),
        "nnz": int(m.values.nnz),
        "places": m.places[:3] + m.places[-3:],
    }


def targets_digest(frame: Any) -> dict[str, Any]:
    return {"uscc": list(frame["uscc"]), "score": [round(float(s), 9) for s in frame["score"]]}


CONTENDERS: dict[str, tuple[Callable[..., Any], Callable[[Any], dict[str, Any]]]] = {
    "matrix-duckdb": (matrix_ours, matrix_digest),
    "matrix-pandas": (matrix_pandas, matrix_digest),
    "targets-duckdb": (targets_ours, targets_digest),
    "targets-pandas": (targets_pandas, targets_digest),
}


# --- processes -------------------------------------------------------------------------------------------


def worker(args: argparse.Namespace) -> None:
    """One contender (or 'generate', 'density', 'import') in this process; a JSON line on stdout."""
    import numpy  # noqa: F401 - the libraries every contender loads
    import pandas  # noqa: F401

    import zhaoshang.analytics.registry.store  # noqa: F401
    import zhaoshang.analytics.targets.firms  # noqa: F401

    out: dict[str, Any] = {}
    start = time.perf_counter()
    if args.worker == "generate":
        from zhaoshang.analytics.registry.store import registry_generate

        registry_generate(args.path, firms=args.firms, seed=20250101)
    elif args.worker == "density":
        from zhaoshang.analytics.complexity.relatedness import district_relatedness
        from zhaoshang.analytics.registry.store import place_industry_matrix

        rel = district_relatedness(place_industry_matrix(args.path), LINZI)
        Path(args.density).write_text(json.dumps(rel.density), encoding="utf-8")
    elif args.worker != "import":
        run, digest = CONTENDERS[args.worker]
        extra = (
            [json.loads(Path(args.density).read_text(encoding="utf-8"))] if "targets" in args.worker else []
        )
        out["digest"] = digest(run(args.path, *extra))
    out["seconds"] = time.perf_counter() - start
    out["peak_rss"] = peak_rss()
    print(json.dumps(out))


def launch(args: argparse.Namespace, name: str) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", name, "--path", args.path, "--firms", str(args.firms)]
    cmd += ["--density", args.density]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def compare(
    args: argparse.Namespace, ours: str, base: str, density: dict[str, float] | None
) -> dict[str, Any]:
    run_ours, digest = CONTENDERS[ours]
    run_base, _ = CONTENDERS[base]
    extra = [density] if density is not None else []
    # Warm-up (page cache, imports, DuckDB's first connection), then alternate.
    d_ours, d_base = digest(run_ours(args.path, *extra)), digest(run_base(args.path, *extra))
    if d_ours != d_base:
        raise SystemExit(f"{ours} and {base} disagree:\n{d_ours}\n{d_base}")
    times: dict[str, list[float]] = {ours: [], base: []}
    for _ in range(args.runs):
        for name, fn in ((ours, run_ours), (base, run_base)):
            start = time.perf_counter()
            fn(args.path, *extra)
            times[name].append(time.perf_counter() - start)
    return {"times": times, "digest": d_ours}


def fmt_range(xs: list[float]) -> str:
    return f"{statistics.median(xs):.2f} s ({min(xs):.2f}–{max(xs):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=10_000_000)
    parser.add_argument("--path", default="/tmp/zs-bench/registry-10m.parquet")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--density", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.density:
        args.density = str(Path(args.path).with_suffix(".density.json"))
    if args.worker:
        worker(args)
        return

    path = Path(args.path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if args.regenerate or not path.exists():
        gen = launch(args, "generate")
        peak = gen["peak_rss"] / 2**30
        print(f"generated {args.firms:,} firms in {gen['seconds']:.1f} s, peak RSS {peak:.2f} GiB")
    print(f"registry: {path} ({path.stat().st_size / 2**20:,.0f} MiB)")
    dens = launch(args, "density")
    print(f"density of {LINZI} (matrix + national complexity, not timed below): {dens['seconds']:.1f} s")
    density = json.loads(Path(args.density).read_text(encoding="utf-8"))

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    a = compare(args, "matrix-duckdb", "matrix-pandas", None)
    b = compare(args, "targets-duckdb", "targets-pandas", density)
    memory = {name: launch(args, name)["peak_rss"] for name in ("import", *CONTENDERS)}

    print(f"\nmatrix {a['digest']['shape'][0]:,} counties × {a['digest']['shape'][1]:,} classes, "
          f"{a['digest']['total']:,.0f} active firms; target node {NODE_KEY}: top 50 identical")  # fmt: skip
    print("| task | contender | time, median of runs (range) | ratio ours / pandas | peak RSS |")
    print("|---|---|---:|---:|---:|")
    for title, result, ours, base in (
        ("(a) county × class matrix", a, "matrix-duckdb", "matrix-pandas"),
        ("(b) target enterprises of one node", b, "targets-duckdb", "targets-pandas"),
    ):
        ratio = statistics.median(result["times"][ours]) / statistics.median(result["times"][base])
        for name in (ours, base):
            shown = f"{ratio:.2f}" if name == ours else ""
            gib = memory[name] / 2**30
            print(f"| {title} | {name} | {fmt_range(result['times'][name])} | {shown} | {gib:.2f} GiB |")
    print(f"| (interpreter + libraries only) | import | | | {memory['import'] / 2**30:.2f} GiB |")


if __name__ == "__main__":
    main()

"""CPM speed: our `schedule_compute` against a networkx longest path on the same random layered DAG.

    .venv/bin/python bench/schedule.py [--steps 10000] [--runs 7] [--seed 2024]

Target: 10,000 steps in ≤ 100 ms. The baseline builds a networkx graph and takes the longest path, which only
gives the project duration; ours validates the input, runs the forward and backward passes, and returns float,
critical flags and the critical path per step — so a ratio below 1 means we do more work in less time. Both
run in this process on the same steps; the median of several runs damps the noise of a shared machine.
Building the `Step` objects (parsing) is outside both timings.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable

import networkx as nx

from zhaoshang.analytics.schedule.cpm import Step, schedule_compute


def layered_dag(steps: int, seed: int) -> list[Step]:
    """Steps in layers of ~100; each step after the first layer depends on 1–4 steps of the three layers
    before it (approval chains fan in like this), durations 0–20 working days, listed in shuffled order."""
    rng = random.Random(seed)
    width = 100
    result: list[Step] = []
    for i in range(steps):
        layer = i // width
        if layer == 0:
            preds: tuple[str, ...] = ()
        else:
            low = max(0, layer - 3) * width
            high = layer * width
            preds = tuple(f"s{p}" for p in sorted(rng.sample(range(low, high), rng.randint(1, 4))))
        result.append(Step(f"s{i}", f"步骤{i}", rng.randint(0, 20), preds))
    rng.shuffle(result)
    return result


def networkx_duration(steps: list[Step]) -> int:
    # Edge p → s weighs p's duration; a sink collects every step's own duration, so the longest path to the
    # sink is the project duration.
    graph = nx.DiGraph()
    for s in steps:
        graph.add_edge(s.id, "__end__", weight=s.duration)
        for p in s.predecessors:
            graph.add_edge(p, s.id)
    durations = {s.id: s.duration for s in steps}
    for p, s, data in graph.edges(data=True):
        if s != "__end__":
            data["weight"] = durations[p]
    list(nx.topological_sort(graph))  # the baseline's validation: raises on a cycle
    return int(nx.dag_longest_path_length(graph, weight="weight"))


def median_ms(run: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        # Collect first so that neither side pays for the garbage of the other's previous run.
        gc.collect()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    steps = layered_dag(args.steps, args.seed)
    edges = sum(len(s.predecessors) for s in steps)
    ours = schedule_compute(steps)
    assert ours.duration == networkx_duration(steps), "networkx disagrees on the project duration"

    baseline_ms = median_ms(lambda: networkx_duration(steps), args.runs)
    ours_ms = median_ms(lambda: schedule_compute(steps), args.runs)
    print(f"CPM, {args.steps:,} steps, {edges:,} dependencies, median of {args.runs} runs")
    print(f"  networkx longest path      : {baseline_ms:8.1f} ms")
    print(f"  zhaoshang schedule_compute : {ours_ms:8.1f} ms  (target ≤ 100 ms)")
    print(f"  ratio ours / networkx      : {ours_ms / baseline_ms:8.2f}")
    print(f"  duration {ours.duration} working days, critical path of {len(ours.critical_path)} steps")


if __name__ == "__main__":
    sys.exit(main())

"""The calibrated forecast at Linzi's scale: learning the delays (censored spells, shrinkage, groups), the
10,000-draw forecast, and the back-test over 12 monthly cut-offs, on synthetic projects with a known history.

    .venv/bin/python bench/forecast_calibrated.py [--projects 6000] [--draws 10000] [--loop-draws 5]
        [--target-yi 5000]

Targets (issue 16): the forecast of ≈ 6,000 projects ≤ 5 s as a job; the back-test over 12 cut-offs ≤ 60 s.
The baseline, in the same process on the same projects, is the plain-Python loop of the same model from
`bench/forecast.py` (one draw, one project, one transition at a time), run for ``--loop-draws`` draws: the
per-draw ratio ours / loop is the figure that does not depend on the machine's load. Times are wall-clock and
process CPU (the machine is shared; CPU time is what the job itself costs); the load average is printed before
and after. ``--target-yi`` sets the target (亿元, by 2027): at 5,000 every draw reaches it; near the median
total (17,500) about half do, and the leave-one-out importance compares the close draws project by project.
The database read (one query of the projects, one of the moves) is not included: `bench/pages_postgres.py`
times `district_forecast` on PostgreSQL.

The synthetic district: each project was signed at a uniform date over the five years before the forecast
date and moved up the ladder with the documented durations (construction 18 months for the largest fifth,
12 for the rest), so that at any date some have finished a stage and others are still in it; a fifth are
technical retrofits; a fifth carry a planned production date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from forecast import loop_forecast  # noqa: E402  (the plain-Python model of bench/forecast.py)

from zhaoshang.analytics.forecast.backtest import CutOff, backtest, happened, month_cutoffs  # noqa: E402
from zhaoshang.analytics.forecast.delays import DEFAULT_DELAYS  # noqa: E402
from zhaoshang.analytics.forecast.engine import (  # noqa: E402
    ForecastParams,
    ForecastProject,
    OutputTarget,
    forecast_output,
)
from zhaoshang.analytics.forecast.survival import Spell, fit_delays  # noqa: E402
from zhaoshang.analytics.rates.engine import STAGES  # noqa: E402

AS_OF = dt.date(2024, 3, 1)  # bench/forecast.py's loop measures from this date
YEARS = [2024, 2025, 2026, 2027]
BASELINE = {2024: 24_000_000.0, 2025: 24_500_000.0, 2026: 25_000_000.0, 2027: 25_500_000.0}
TARGET = OutputTarget(50_000_000.0, 2027)
PATH = STAGES[2:9]  # negotiation … production


def district(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        large = i < count // 5
        day = AS_OF - dt.timedelta(days=rng.randint(0, 5 * 365))
        reached = {"negotiation": day}
        for a, b in zip(PATH, PATH[1:], strict=False):
            d = DEFAULT_DELAYS[(a, b)]
            median = d.median if (a, b) != ("started", "completed") or large else 12.0
            day = day + dt.timedelta(days=round(median * math.exp(d.sigma * rng.gauss(0, 1)) * 30.44))
            reached[b] = day
        output = (
            [6_000_000.0, 3_500_000.0, 2_500_000.0][i] if i < 3 else rng.lognormvariate(math.log(15_000), 1.3)
        )
        group = f"{'large' if large else 'small'}-{'existing' if i % 5 == 0 else 'new'}"
        plan = AS_OF + dt.timedelta(days=rng.randint(60, 1200)) if rng.random() < 0.2 else None
        out.append({"key": f"p{i:04d}", "reached": reached, "output": output, "group": group, "plan": plan})
    return out


def known(rows: list[dict], date: dt.date) -> tuple[list[ForecastProject], list[Spell]]:
    projects, spells = [], []
    for r in rows:
        seen = [(s, d) for s, d in r["reached"].items() if d <= date]
        if not seen:
            continue
        for (a, da), (b, db) in zip(seen, seen[1:], strict=False):
            spells.append(Spell((a, b), (db - da).days / 30.44, True, r["group"]))
        stage, since = seen[-1]
        if stage != "production":
            following = STAGES[STAGES.index(stage) + 1]
            spells.append(Spell((stage, following), (date - since).days / 30.44, False, r["group"]))
        increment = 0.3 if r["group"].endswith("existing") else 1.0
        production = since if stage == "production" else r["plan"]
        projects.append(
            ForecastProject(
                r["key"], stage, r["output"], since, production, group=r["group"], increment=increment
            )
        )
    return projects, spells


def timed(run):
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=6_000)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--backtest-draws", type=int, default=2_000)
    parser.add_argument("--loop-draws", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--target-yi", type=float, default=TARGET.amount / 10_000)
    args = parser.parse_args()
    target = OutputTarget(args.target_yi * 10_000, TARGET.by_year)
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))

    rows = district(args.projects, args.seed)
    projects, spells = known(rows, AS_OF)

    def job():
        fitted = fit_delays(spells)
        params = ForecastParams(
            delays={**DEFAULT_DELAYS, **fitted.delays()},
            group_delays=fitted.group_delays(),
            draws=args.draws,
            seed=args.seed,
        )
        return forecast_output(projects, BASELINE, YEARS, AS_OF, params, target), params

    (forecast, params), job_wall, job_cpu = timed(job)
    print(f"Calibrated forecast, {len(projects):,} projects known at {AS_OF} ({len(spells):,} spells)")
    print(
        f"  forecast job (fit + {args.draws:,} draws): {job_wall:.2f} s wall, {job_cpu:.2f} s CPU (target ≤ 5 s)"
    )
    last = forecast.bands[-1]
    print(
        f"  2027: P10 {last.p10 / 1e4:,.0f}  P50 {last.p50 / 1e4:,.0f}  P90 {last.p90 / 1e4:,.0f} 亿元; "
        f"P(≥ {args.target_yi:,.0f} 亿元 by 2027) {forecast.probability:.3f}",
        flush=True,
    )

    def run_backtest():
        cuts = []
        reached = {r["key"]: {s: d for s, d in r["reached"].items() if d <= AS_OF} for r in rows}
        for i, cut in enumerate(month_cutoffs(AS_OF, 6, 12)):
            then, learnt = known(rows, cut)
            fitted = fit_delays(learnt)
            p = ForecastParams(
                delays={**DEFAULT_DELAYS, **fitted.delays()},
                group_delays=fitted.group_delays(),
                draws=args.backtest_draws,
                seed=args.seed + i,
            )
            cuts.append(CutOff(cut, then, p, *happened(then, reached, cut, 6, STAGES)))
        return backtest(cuts, 6)

    result, bt_wall, bt_cpu = timed(run_backtest)
    print(
        f"  back-test, 12 cut-offs × {args.backtest_draws:,} draws: {bt_wall:.2f} s wall, {bt_cpu:.2f} s CPU"
    )
    cover = result.coverage("capacity"), result.coverage("steps")
    print(f"  back-test coverage P10–P90: new capacity {cover[0]}/12, stage steps {cover[1]}/12")
    err = result.median_error("capacity"), result.median_error("steps")
    print(f"  error of the median: new capacity {err[0]:.0%}, stage steps {err[1]:.0%}", flush=True)

    pooled = ForecastParams(
        delays=params.delays, draws=args.loop_draws, seed=args.seed
    )  # no groups in the loop
    _loop, loop_wall, loop_cpu = timed(lambda: loop_forecast(projects, pooled, args.loop_draws, args.seed))
    ours_per, loop_per = job_cpu / args.draws, loop_cpu / args.loop_draws
    print(f"  plain-Python loop, {args.loop_draws} draws: {loop_wall:.2f} s wall, {loop_cpu:.2f} s CPU")
    print(
        f"  per-draw CPU ratio ours / loop: {ours_per / loop_per:.5f} (speed-up ×{loop_per / ours_per:,.0f})"
    )
    print(f"  back-test CPU / forecast job CPU: {bt_cpu / job_cpu:.2f}")
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()

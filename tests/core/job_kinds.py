"""Job kinds for the recovery tests, loaded by the tests and by the worker processes they start.

`test-steady`: retry-safe, reports progress every step. `test-quiet`: not retry-safe, one long step without any
progress (only the worker's timer thread beats for it). Both take `steps` and `pause` (seconds per step) from
params; a retry pauses `retry_pause` (default none), so that a first attempt can be long enough to be killed.
"""

from __future__ import annotations

import time
from typing import Any

from zhaoshang.core.jobs import job_runner
from zhaoshang.core.models import Job


@job_runner("test-steady", retry_safe=True)
def steady(job: Job, progress: Any) -> dict[str, Any]:
    steps = int(job.params.get("steps", 1))
    for step in range(1, steps + 1):
        time.sleep(_pause(job))
        progress(step, steps, f"第 {step} 步")
    return {"steps": steps, "attempt": job.attempts}


@job_runner("test-quiet")
def quiet(job: Job, progress: Any) -> dict[str, Any]:
    time.sleep(_pause(job) * int(job.params.get("steps", 1)))
    return {"attempt": job.attempts}


def _pause(job: Job) -> float:
    return float(job.params.get("pause", 0) if job.attempts <= 1 else job.params.get("retry_pause", 0))

"""The chain map follows the projects (issue 16): a chain's stored gap analysis (`GapSnapshot`) is stale when
the projects on its nodes (at 开工 … 达产, verified, not terminated) are no longer those it was computed with —
a project verified at 投产, terminated, moved to another node. Then it is computed again as a job, without
anyone pressing 重新计算.

Checking costs one query (the registered node providers') on the chain's page; the analysis itself reads the
national registry and runs as a job (inline where jobs run inline, else on the worker within seconds)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.chains.models import Chain, GapSnapshot
from zhaoshang.core.jobs import job_submit
from zhaoshang.core.models import Job
from zhaoshang.targeting.gaps import _node_projects

# A refresh that failed (no registry, a bad chain) is not tried again on every view: once in this long.
RETRY_AFTER = datetime.timedelta(minutes=10)


def _signature(rows: Any) -> set[tuple[str, str, bool]]:
    return {(str(node), str(p["key"]), bool(p["producing"])) for node, projects in rows for p in projects}


def node_projects_now(chain: Chain) -> set[tuple[str, str, bool]]:
    """(node id, project id, producing) of every project on the chain's nodes now."""
    found: set[tuple[str, str, bool]] = set()
    for provider in _node_projects:
        found |= _signature(provider(chain).items())
    return found


def snapshot_projects(snapshot: GapSnapshot) -> set[tuple[str, str, bool]]:
    """The same, as the snapshot was computed with."""
    return _signature((n["key"], n.get("projects") or []) for n in snapshot.result.get("nodes", []))


def snapshot_stale(chain: Chain, snapshot: GapSnapshot) -> bool:
    return node_projects_now(chain) != snapshot_projects(snapshot)


def chain_snapshot_follow(chain: Chain, user: Any) -> Job | None:
    """Refresh the chain's latest analysis (same base) when its projects changed since; None when it is
    current, was never computed (重新计算 makes the first), or a refresh failed a moment ago."""
    snapshot = chain.gap_snapshots.order_by("-created").first()
    if snapshot is None or user is None or not getattr(user, "pk", None):
        return None
    if not snapshot_stale(chain, snapshot):
        return None
    key = f"chain:{chain.pk}:{snapshot.base}:follow"
    failed = Job.objects.filter(
        kind="chain-gaps",
        idempotency_key=key,
        status=Job.Status.FAILED,
        created__gte=timezone.now() - RETRY_AFTER,
    )
    if failed.exists():
        return None
    return job_submit(
        kind="chain-gaps",
        title=_("短板分析(项目变化后自动更新):%(chain)s") % {"chain": chain.name},
        user=user,
        params={"district": chain.district_id, "chain": chain.pk, "base": snapshot.base},
        key=key,
    )

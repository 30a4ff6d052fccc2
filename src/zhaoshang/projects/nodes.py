"""Projects on chain nodes, for the chain map's local status (registered with targeting in registry.py): a project
in production or at capacity, its move there verified, makes its firm count on its node (DOMAIN.md §8)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef

from zhaoshang.projects.models import Project, StageMove

PRODUCING = ("production", "capacity")
BUILDING = ("started", "completed")


def node_projects(chain: Any) -> dict[int, list[dict[str, Any]]]:
    """Node id → the chain's projects on it at 开工 … 达产 whose move into their stage was verified (a claim
    still in review, or rejected, does not put a firm on the map)."""
    verified = StageMove.objects.filter(
        project=OuterRef("pk"), to_stage=OuterRef("stage"), verified_at__isnull=False, rejected_reason=""
    )
    projects = (
        Project.objects.filter(node__chain=chain, stage__in=PRODUCING + BUILDING, increase_of__isnull=True)
        .exclude(status=Project.Status.TERMINATED)
        .filter(Exists(verified))
        .select_related("enterprise")
        .order_by("name")
    )
    out: dict[int, list[dict[str, Any]]] = {}
    for p in projects:
        out.setdefault(p.node_id, []).append(
            {
                "key": p.pk,
                "name": p.name,
                "stage": str(p.get_stage_display()),
                "producing": p.stage in PRODUCING,
                "enterprise": p.enterprise,
                "investor": p.investor_uscc or p.investor_name or p.name,
            }
        )
    return out

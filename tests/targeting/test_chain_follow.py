"""The chain map follows the projects (issue 16): a project verified at 投产 on a node changes the node's local
status on the next view of the chain, without anyone pressing 重新计算; an unchanged chain is not recomputed."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhaoshang.chains.models import Chain, GapSnapshot, Node
from zhaoshang.chains.selectors import latest_snapshot
from zhaoshang.projects.models import Project, StageMove
from zhaoshang.projects.services import project_status_set, stage_move_request, stage_move_verify
from zhaoshang.targeting.follow import snapshot_stale
from zhaoshang.targeting.gaps import chain_gaps_refresh


def _missing_node(chain: Chain) -> Node | None:
    snapshot = latest_snapshot(chain)
    keys = [n["key"] for n in snapshot.result["nodes"] if n["status"] == "missing" and not n["projects"]]
    return Node.objects.filter(pk__in=[int(k) for k in keys]).order_by("pk").first()


def _graph_node(client: Client, chain: Chain, node: Node) -> dict[str, Any]:
    graph = client.get(reverse("chain_detail", args=[chain.pk])).context["graph"]
    return next(n for n in graph["nodes"] if n["id"] == str(node.pk))


def test_a_verified_production_changes_the_node_on_the_next_view(
    org: Any, users: Any, as_test_actor: Any
) -> None:
    chains = Chain.objects.filter(district__adcode="370305", is_current=True).order_by("pk")
    chain = next(c for c in chains if latest_snapshot(c) is not None and _missing_node(c) is not None)
    node = _missing_node(chain)
    project = Project.objects.create(
        district=chain.district,
        name=f"{node.name}扩能项目(跟随测试)",
        stage="completed",
        chain=chain,
        node=node,
        investor_name="跟随测试投资有限公司",
        total_investment=Decimal(30_000),
    )
    StageMove.objects.create(
        project=project,
        from_stage="started",
        to_stage="completed",
        date=datetime.date(2026, 5, 1),
        requested_by=users["linzi_chief"],
        verified_by=users["linzi_admin"],
        verified_at=timezone.now(),
    )
    chain_gaps_refresh(
        chain=chain, user=users["linzi_admin"]
    )  # as pressed once: the building project is known
    client = Client()
    client.force_login(users["linzi_chief"])
    assert _graph_node(client, chain, node)["status"] == "missing"
    computed = GapSnapshot.objects.filter(chain=chain).count()
    _graph_node(client, chain, node)
    assert GapSnapshot.objects.filter(chain=chain).count() == computed  # unchanged projects: not recomputed

    move = stage_move_request(
        project=project,
        to_stage="production",
        date=timezone.localdate(),
        user=users["linzi_chief"],
        evidence_note="投产备案(测试)",
    )
    # A claim still in review changes nothing.
    assert not snapshot_stale(chain, latest_snapshot(chain))
    stage_move_verify(move=move, user=users["linzi_admin"], approve=True)
    assert snapshot_stale(chain, latest_snapshot(chain))

    item = _graph_node(client, chain, node)  # the next view, nothing pressed
    assert item["status"] != "missing" and item["projectFirms"] == 1
    assert item["projects"] == [{"name": project.name, "stage": "投产", "producing": True}]
    assert GapSnapshot.objects.filter(chain=chain).count() == computed + 1
    node_page = client.get(reverse("node_detail", args=[node.pk])).content.decode()
    assert reverse("project_detail", args=[project.pk]) in node_page

    # Terminated, it leaves the node again on the next view.
    project_status_set(project=project, status="terminated", reason="停产(测试)", user=users["linzi_admin"])
    assert _graph_node(client, chain, node)["status"] == "missing"

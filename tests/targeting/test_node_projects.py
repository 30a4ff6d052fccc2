"""Issue 16 item 7: a project in production on a chain node makes its firm count on the node's local status."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone

from zhaoshang.chains.models import Chain, Node
from zhaoshang.chains.selectors import latest_snapshot
from zhaoshang.projects.models import Project, StageMove
from zhaoshang.targeting.gaps import chain_gaps_refresh


def _missing_nodes(chain: Chain) -> list[Node]:
    snapshot = latest_snapshot(chain)
    keys = [n["key"] for n in snapshot.result["nodes"] if n["status"] == "missing" and not n["projects"]]
    return list(Node.objects.filter(pk__in=[int(k) for k in keys]).order_by("pk"))


def _project_on(node: Node, users: Any, *, stage: str, verified: bool) -> Project:
    project = Project.objects.create(
        district=node.chain.district,
        name=f"{node.name}产业化项目(测试)",
        stage=stage,
        chain=node.chain,
        node=node,
        investor_name="测试投资有限公司",
        total_investment=Decimal(50_000),
    )
    StageMove.objects.create(
        project=project,
        from_stage="production" if stage == "capacity" else "completed",
        to_stage=stage,
        date=datetime.date(2026, 6, 1),
        requested_by=users["linzi_chief"],
        verified_by=users["linzi_admin"] if verified else None,
        verified_at=timezone.now() if verified else None,
    )
    return project


def test_a_node_with_a_producing_project_is_not_missing(org: Any, users: Any, as_test_actor: Any) -> None:
    chain = Chain.objects.filter(district__adcode="370305", is_current=True).order_by("pk")
    chain = next(c for c in chain if len(_missing_nodes(c)) >= 2)
    counted, pending = _missing_nodes(chain)[:2]
    project = _project_on(counted, users, stage="capacity", verified=True)
    _project_on(pending, users, stage="production", verified=False)  # a claim still in review
    snapshot = chain_gaps_refresh(chain=chain, user=users["linzi_admin"])
    node = snapshot.node(counted.pk)
    assert node["status"] != "missing" and node["firms"] == 1 and node["project_firms"] == 1
    assert [p["key"] for p in node["projects"]] == [str(project.pk)] and node["projects"][0]["producing"]
    assert any("含投产/达产项目 1 个" in line for line in node["explain"])
    still = snapshot.node(pending.pk)
    assert still["status"] == "missing" and still["firms"] == 0 and still["projects"] == []

    # The chain map's tooltip data and the node's panel say so, and the panel opens the project.
    client = _client(users["linzi_chief"])
    graph = client.get(reverse("chain_detail", args=[chain.pk])).context["graph"]
    item = next(n for n in graph["nodes"] if n["id"] == str(counted.pk))
    assert item["status"] != "missing" and item["projectFirms"] == 1
    assert item["projects"] == [{"name": project.name, "stage": "达产", "producing": True}]
    html = client.get(reverse("node_detail", args=[counted.pk])).content.decode()
    assert 'id="node-projects"' in html and reverse("project_detail", args=[project.pk]) in html


def test_demo_nodes_with_producing_projects_are_not_missing(org: Any) -> None:
    producing = 0
    for chain in Chain.objects.filter(district__adcode="370305", is_current=True):
        for node in latest_snapshot(chain).result["nodes"]:
            if any(p["producing"] for p in node["projects"]):
                producing += 1
                assert node["status"] != "missing" and node["firms"] >= 1, node["name"]
    assert producing >= 1  # the demo places its producing projects on their nodes


def _client(user: Any) -> Any:
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c

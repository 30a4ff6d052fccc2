"""Gap analysis of the demo chains against the national registry: stored snapshots, the pages, the job, the CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from zhaoshang.chains.models import Chain, GapSnapshot
from zhaoshang.chains.selectors import latest_snapshot
from zhaoshang.core.models import Job
from zhaoshang.targeting.gaps import chain_gaps_refresh


def test_demo_computed_a_snapshot_for_every_linzi_chain(org: Any) -> None:
    chains = Chain.objects.filter(district__adcode="370305", is_current=True)
    assert chains.count() == 15
    for chain in chains:
        snapshot = latest_snapshot(chain)
        assert snapshot is not None and 0 <= snapshot.completeness <= 1
        statuses = {n["status"] for n in snapshot.result["nodes"]}
        assert statuses <= {"strong", "weak", "missing"}
        assert {str(n.pk) for n in chain.nodes.all()} == {str(n["key"]) for n in snapshot.result["nodes"]}
    # Strong nodes have no gap; every gap comes with its explanation in Chinese.
    for node in GapSnapshot.objects.first().result["nodes"]:
        assert (node["status"] != "strong") or node["gap_score"] == 0
        assert any("区位熵" in line for line in node["explain"])


def test_snapshot_is_reproducible_and_scoped(org: Any, users: Any) -> None:
    chain = Chain.objects.get(district__adcode="370305", code="robotics", is_current=True)
    before = latest_snapshot(chain)
    again = chain_gaps_refresh(chain=chain, user=users["linzi_chief"])
    assert again.pk != before.pk and again.result["nodes"] == before.result["nodes"]
    assert not GapSnapshot.objects.restrict(users["huantai_admin"]).filter(pk=again.pk).exists()
    from django.http import Http404

    with pytest.raises(Http404):
        chain_gaps_refresh(chain=chain, user=users["huantai_admin"])


def test_chain_page_shows_status_map_and_ranked_gaps(org: Any, client_for: Any) -> None:
    chain = Chain.objects.get(district__adcode="370305", code="robotics", is_current=True)
    response = client_for("linzi_chief").get(reverse("chain_detail", args=[chain.pk]))
    html = response.content.decode()
    assert "产业链现状图" in html and 'id="gap-table"' in html and "链条完整度" in html
    graph = response.context["graph"]
    assert all(n["status"] in ("strong", "weak", "missing") for n in graph["nodes"])
    rows = response.context["gap_rows"]
    scores = [r["gap_score"] for r in rows]
    assert scores == sorted(scores, reverse=True)


def test_recompute_runs_as_a_job(org: Any, client_for: Any) -> None:
    chain = Chain.objects.get(district__adcode="370305", code="refining", is_current=True)
    count = chain.gap_snapshots.count()
    response = client_for("linzi_admin").post(reverse("chain_gaps", args=[chain.pk]), {"base": "nation"})
    assert response.status_code == 302
    job = Job.objects.filter(kind="chain-gaps").latest("created")
    assert job.status == "succeeded" and job.result["chains"][0]["chain"] == chain.name
    assert chain.gap_snapshots.count() == count + 1 and latest_snapshot(chain).base == "nation"
    assert client_for("huantai_admin").post(reverse("chain_gaps", args=[chain.pk])).status_code == 404


def test_gaps_cli(org: Any, capsys: Any) -> None:
    call_command("gaps", "--district", "370305", "--chain", "robotics", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["chain"] == "robotics" and data["nodes"] and "completeness" in data
    call_command("gaps", "--district", "370305", "--chain", "robotics")
    assert "链条完整度" in capsys.readouterr().out
    with pytest.raises(CommandError, match="没有"):
        call_command("gaps", "--district", "370305", "--chain", "no-such-chain")
    with pytest.raises(CommandError):
        call_command("gaps", "--district", "370305", "--chain", "robotics", "--as", "huantai_admin")


def _weak_robot_node() -> Any:
    from zhaoshang.chains.models import Node

    chain = Chain.objects.get(district__adcode="370305", code="robotics", is_current=True)
    snapshot = latest_snapshot(chain)
    worst = max(snapshot.result["nodes"], key=lambda n: n["gap_score"] or 0)
    return Node.objects.get(pk=int(worst["key"]))


def test_node_targets_page_and_saving_five_firms(org: Any, client_for: Any) -> None:
    from zhaoshang.enterprises.models import Enterprise, TargetEntry

    node = _weak_robot_node()
    client = client_for("linzi_chief")
    response = client.get(reverse("node_targets", args=[node.pk]))
    assert response.status_code == 200
    targets = response.context["targets"]
    assert targets.industries and len(targets.firms) >= 5
    assert all(f["adcode"] != "370305" for f in targets.firms)  # targets are outside the district
    assert [f["rank"] for f in targets.firms] == list(range(1, len(targets.firms) + 1))
    assert all("总分" in f["explain"] for f in targets.firms)
    chosen = [f["uscc"] for f in targets.firms[:5]]
    response = client.post(reverse("node_targets", args=[node.pk]), {"uscc": chosen})
    assert response.status_code == 302
    entries = TargetEntry.objects.filter(node=node, enterprise__uscc__in=chosen)
    assert entries.count() == 5 and all(e.team_id == node.chain.team_id for e in entries)
    saved = TargetEntry.objects.filter(node=node).count()  # with the demo library's own entries on the node
    firm = Enterprise.objects.get(district__adcode="370305", uscc=chosen[0])
    assert firm.provenance["name"]["source"] == "全国企业库" and firm.name == targets.firms[0]["name"]
    assert entries.get(enterprise=firm).score_explain["explain"] == targets.firms[0]["explain"]
    # Saving again adds nothing; the outsider sees nothing.
    client.post(reverse("node_targets", args=[node.pk]), {"uscc": chosen})
    assert TargetEntry.objects.filter(node=node).count() == saved
    assert client_for("huantai_admin").get(reverse("node_targets", args=[node.pk])).status_code == 404
    workbook = client.get(reverse("node_targets", args=[node.pk]) + "?format=xlsx")
    assert workbook["Content-Type"].startswith("application/vnd.openxmlformats")


def test_target_cities_concentrate_the_nodes_firms_outside_zibo(org: Any, client_for: Any) -> None:
    from zhaoshang.chains.models import Node

    node = Node.objects.filter(
        chain__code="refining", chain__district__adcode="370305", industries__code="2511"
    ).first()
    targets = client_for("linzi_admin").get(reverse("node_targets", args=[node.pk])).context["targets"]
    assert targets.cities, "a refining node has cities where its firms concentrate"
    assert all(c.firms >= 3 and c.code != "370300" for c in targets.cities)
    scores = [c.score for c in targets.cities]
    assert scores == sorted(scores, reverse=True)


def test_clerk_can_look_but_not_save(org: Any, client_for: Any) -> None:
    node = _weak_robot_node()
    clerk = client_for("linzi_clerk")
    page = clerk.get(reverse("node_targets", args=[node.pk]))
    assert page.status_code == 200 and 'id="save-targets"' not in page.content.decode()
    assert clerk.post(reverse("node_targets", args=[node.pk]), {"uscc": ["x"]}).status_code == 403


def test_targets_cli(org: Any, capsys: Any) -> None:
    call_command("targets", "--district", "370305", "--chain", "robotics", "--top", "5", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert len(data["enterprises"]) == 5 and data["industries"] and isinstance(data["cities"], list)
    call_command("targets", "--district", "370305", "--chain", "robotics", "--top", "3", "--format", "csv")
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("rank,uscc") and len(lines) == 4
    with pytest.raises(CommandError, match="没有环节"):
        call_command("targets", "--district", "370305", "--chain", "robotics", "--node", "nope")


def test_review_fixes_for_targets_and_exports(org: Any, client_for: Any, users: Any) -> None:
    from zhaoshang.chains.factories import ChainFactory, NodeFactory
    from zhaoshang.targeting.targets import node_targets

    # A node without codes or keywords has no targets (not the whole country).
    empty = NodeFactory(chain=ChainFactory(district=org["linzi_district"]), keywords=[])
    assert node_targets(empty).firms == []
    # Firms in other districts of Zibo are not offered: districts of one city do not poach from each other.
    targets = node_targets(_weak_robot_node(), top=30)
    assert targets.firms and all(not f["adcode"].startswith("3703") for f in targets.firms)
    # Ties count the district's own firms in the target firm's industry group.
    from zhaoshang.targeting.targets import _local_ties

    ties = _local_ties("370305")
    for firm in targets.firms:
        assert (firm["breakdown"]["ties"] > 0) == (ties.get(firm["industry"], 0) > 0)
    # Node exports hold current versions only.
    chain = Chain.objects.get(district__adcode="370305", code="robotics", is_current=True)
    from zhaoshang.chains.services import chain_revise

    chain_revise(chain=chain, user=users["linzi_admin"])
    text = client_for("linzi_admin").get(reverse("node_export") + "?format=csv").content.decode("utf-8-sig")
    robot_rows = [line for line in text.splitlines() if ",robotics," in line]
    assert len(robot_rows) == chain.nodes.count()


def test_view_only_users_cannot_recompute(org: Any, client_for: Any) -> None:
    from django.test import Client

    from zhaoshang.core.factories import RoleAssignmentFactory, RoleFactory, UserFactory

    viewer = UserFactory(username="only-viewer")
    RoleAssignmentFactory(
        user=viewer, role=RoleFactory(code="viewer", actions=["view"]), districts=[org["linzi_district"]]
    )
    client = Client()
    client.force_login(viewer)
    chain = Chain.objects.get(district__adcode="370305", code="robotics", is_current=True)
    assert client.get(reverse("chain_detail", args=[chain.pk])).status_code == 200
    # Inside the viewer's own district the refusal is said, with the reason (issue 17): 403, not a 404.
    refused = client.post(reverse("chain_gaps", args=[chain.pk]))
    assert refused.status_code == 403 and "不能" in refused.content.decode()


@pytest.mark.usefixtures("as_test_actor")
def test_the_districts_own_records_count_in_its_row(org: Any, users: Any) -> None:
    """A corrected class, a firm added and a firm closed in Linzi's library move Linzi's counts, not the nation's
    elsewhere; the snapshot says what was merged."""
    from zhaoshang.enterprises.models import Enterprise
    from zhaoshang.industries.national import national_matrix
    from zhaoshang.targeting.gaps import district_matrix

    linzi = org["linzi_district"]
    national = national_matrix("county", "firms")
    before, report = district_matrix(linzi)
    assert report is not None and report.local == Enterprise.objects.filter(district=linzi).count()
    column = {code: j for j, code in enumerate(before.industries)}
    firm = (
        Enterprise.objects.filter(
            district=linzi, status__in=["existing", "operating"], industry_code__in=column
        )
        .order_by("pk")
        .first()
    )
    other = next(code for code in before.industries if code != firm.industry_code)
    old = firm.industry_code
    firm.industry_code = other
    firm.save()
    Enterprise.objects.create(
        district=linzi,
        uscc="91370305MA3XXXXX0Y",
        name="新登记的机器人公司",
        industry_code=old,
        adcode="370305",
    )
    after, merged = district_matrix(linzi)
    row_before, row_after = before.row("370305"), after.row("370305")
    assert row_after[column[other]] == row_before[column[other]] + 1
    assert row_after[column[old]] == row_before[column[old]]  # one moved away, one added
    assert merged is not None and merged.added == report.added + 1
    # Every other county is the registry's own.
    for place in ("370321", "370302"):
        assert (after.row(place) == national.row(place)).all()
    chain = Chain.objects.get(district__adcode="370305", code="robotics", is_current=True)
    snapshot = chain_gaps_refresh(chain=chain, user=users["linzi_chief"])
    assert "并入全国企业库" in snapshot.result["explain"][0]

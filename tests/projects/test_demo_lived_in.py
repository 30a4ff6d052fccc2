"""The demo where a leader clicks first: Linzi's funnel has leads and projects in talks (the clerk registered
them, the chain chief checked some), the dispatch meetings' reports open as Word files, Huantai's chains have
their gap snapshots."""

from __future__ import annotations

import datetime
import io
from typing import Any

import docx

from zhaoshang.chains.models import Chain
from zhaoshang.chains.selectors import latest_snapshot
from zhaoshang.enterprises.models import TargetEntry
from zhaoshang.projects.models import DispatchReport, Project, StageMove


def test_linzis_funnel_starts_with_leads_and_talks(org: Any, users: Any) -> None:
    linzi = org["linzi_district"]
    early = Project.objects.filter(district=linzi, stage__in=["lead", "negotiation"])
    leads, talks = early.filter(stage="lead"), early.filter(stage="negotiation")
    assert leads.count() > 0 and talks.count() > 0
    # On Linzi's own chains and nodes, none of them a provincial or municipal major.
    assert not early.filter(chain__isnull=True).exists()
    assert set(early.values_list("chain__district", flat=True)) == {linzi.pk}
    assert all(p.node.chain_id == p.chain_id for p in early.select_related("node"))
    assert not early.filter(tier__in=["provincial", "municipal"]).exists()
    assert early.values("chain").distinct().count() >= 5
    # The clerk registered every one of them.
    for project in early:
        assert project.history.earliest().history_user == users["linzi_clerk"], project.name
    # The chief checked those in talks: the clerk's move, verified by the chief.
    moves = StageMove.objects.filter(project__in=talks)
    assert moves.count() == talks.count()
    for move in moves:
        assert (move.from_stage, move.to_stage) == ("lead", "negotiation")
        assert move.requested_by == users["linzi_clerk"] and move.verified_by == users["linzi_chief"]
        assert move.verified_at and move.evidence_note and move.date <= datetime.date.today()
    # The target library's firms in talks or converted have their project, with the firm on it.
    converted = TargetEntry.objects.filter(district=linzi, status="converted", node__isnull=False)
    assert converted.exists()
    for entry in converted.exclude(node__name="精密减速器"):  # left for the seed's walk-through
        project = early.get(enterprise=entry.enterprise, node=entry.node)
        assert project.stage == "negotiation" and project.investor_name == entry.enterprise.name
    assert early.filter(enterprise__isnull=True).exists()  # and leads from visits and fairs
    assert early.values("name").distinct().count() == early.count()


def test_dispatch_reports_open_as_word_files(org: Any, demo_media: Any) -> None:
    reports = DispatchReport.objects.filter(district=org["linzi_district"]).order_by("period_start")
    assert reports.count() == 24
    assert not reports.filter(document="").exists()
    latest = reports.last()
    with latest.document.open("rb") as handle:
        document = docx.Document(io.BytesIO(handle.read()))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == latest.title
    assert any(latest.minutes.splitlines()[0] in text for text in paragraphs)  # the meeting's minutes
    assert document.tables  # its numbers


def test_huantai_chains_have_gap_snapshots(org: Any, users: Any) -> None:
    chains = Chain.objects.filter(district=org["huantai_district"], is_current=True)
    assert chains.count() >= 2
    for chain in chains:
        snapshot = latest_snapshot(chain)
        assert snapshot is not None, chain.name
        assert len(snapshot.result["nodes"]) == chain.nodes.count() and 0 <= snapshot.completeness <= 1
        assert snapshot.computed_by == users["huantai_admin"]

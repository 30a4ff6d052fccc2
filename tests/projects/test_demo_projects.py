"""The demo project book matches the seed's numbers, and its history is honest (evidence, verification)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum

from zhaoshang.projects.models import Project, StageMove


def test_linzi_majors_match_the_seed(org: Any) -> None:
    majors = (
        Project.objects.filter(district__adcode="370305")
        .exclude(stage="reserve")
        .exclude(name__startswith="测试")
    )
    majors = majors.filter(tier__in=["provincial", "municipal"])
    assert majors.count() == 58
    assert majors.aggregate(total=Sum("total_investment"))["total"] == Decimal(
        10_330_000
    )  # 1,033 亿元 in 万元
    assert majors.filter(tier="provincial").count() == 6
    big = majors.filter(total_investment__gte=1_000_000)
    assert sorted(p.name for p in big) == [
        "天辰二期尼龙新材料项目",
        "鑫泰延链聚合项目",
        "鲁油鲁炼转型升级项目",
    ]
    assert big.aggregate(total=Sum("total_investment"))["total"] == Decimal(5_700_000)


def test_reserve_pool_and_huantai(org: Any) -> None:
    assert Project.objects.filter(district__adcode="370305", stage="reserve").count() >= 100
    assert Project.objects.filter(district__adcode="370321", stage="negotiation").count() == 21


def test_every_counted_move_has_evidence_and_someone_elses_verification(org: Any) -> None:
    moves = StageMove.objects.filter(project__district__adcode="370305")
    assert moves.count() > 100
    for move in moves:
        assert move.evidence_note and move.verified_at and move.verified_by_id != move.requested_by_id
    for project in Project.objects.filter(district__adcode="370305", stage="started"):
        assert project.started_date and project.signed_date <= project.started_date


def test_home_counts_the_reserve_against_the_rule(org: Any, client_for: Any) -> None:
    html = client_for("linzi_admin").get("/").content.decode()
    assert 'id="reserve-count"' in html and "储备项目(要求 ≥100)" in html and "省市重大项目" in html
    context = client_for("linzi_admin").get("/").context["projects"]
    assert context["reserve"] >= 100 and context["majors"] == 58
    assert context["majors_investment"] == Decimal(10_330_000)
    huantai = client_for("huantai_admin").get("/").context["projects"]
    assert huantai["reserve"] == 0 and huantai["majors"] == 8

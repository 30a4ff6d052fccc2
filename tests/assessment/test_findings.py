"""Falsified records found on inspection deduct points; a month's score counts targets up to its own end."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum

from zhaoshang.assessment.models import RecordFinding, ScoreSnapshot, Target
from zhaoshang.assessment.scoring import _target_completion, scheme_for, scores_compute
from zhaoshang.projects.models import FundsEntry, Project

OCTOBER = datetime.date(2026, 10, 1)


def _scores(users: Any, month: datetime.date) -> dict[tuple[str, int | None], ScoreSnapshot]:
    scores_compute(month=month, user=users["city_admin"])
    return {
        (s.level, s.team_id): s
        for s in ScoreSnapshot.objects.filter(month=month, district__adcode="370305").select_related("team")
    }


@pytest.mark.usefixtures("as_test_actor")
def test_a_falsified_record_costs_the_district_and_the_chain_team_from_the_month_it_was_found(
    org: Any, users: Any
) -> None:
    linzi = org["linzi_district"]
    project = (
        Project.objects.filter(district=linzi, chain__team__isnull=False)
        .exclude(stage="reserve")
        .select_related("chain")
        .first()
    )
    team_id = project.chain.team_id
    before = _scores(users, OCTOBER)
    RecordFinding.objects.create(
        district=linzi,
        project=project,
        kind=RecordFinding.Kind.FUNDS,
        found_on=datetime.date(2026, 10, 15),
        found_by="市委督查室",
        description="到位资金凭证与银行流水不符",
    )
    RecordFinding.objects.create(  # found in November: not October's business
        district=linzi,
        project=project,
        kind=RecordFinding.Kind.STAGE,
        found_on=datetime.date(2026, 11, 3),
        found_by="市委督查室",
        description="开工照片为其他项目",
    )
    after = _scores(users, OCTOBER)
    points = scheme_for(2026).falsified_deduction
    district_before, district_after = before[("district", None)], after[("district", None)]
    assert district_after.terms["deduction:falsified"] == -points
    assert district_before.terms["deduction:falsified"] == 0
    assert "弄虚作假 1 条" in district_after.terms["explain"]
    if district_before.score >= points:  # the score does not go below 0
        assert abs(district_before.score - district_after.score - points) < 1e-9
    team_after = after[("team", team_id)]
    assert team_after.terms["deduction:falsified"] == -points
    others = [s for (level, team), s in after.items() if level == "team" and team != team_id]
    assert others and all(s.terms["deduction:falsified"] == 0 for s in others)
    november = _scores(users, datetime.date(2026, 11, 1))
    assert november[("district", None)].terms["deduction:falsified"] == -2 * points


def test_a_finding_must_name_a_project_of_its_own_district(org: Any) -> None:
    import pytest
    from django.core.exceptions import ValidationError

    other = Project.objects.filter(district=org["huantai_district"]).first()
    finding = RecordFinding(
        district=org["linzi_district"],
        project=other,
        kind=RecordFinding.Kind.OTHER,
        found_on=datetime.date(2026, 10, 1),
        found_by="市委督查室",
        description="x",
    )
    with pytest.raises(ValidationError) as error:
        finding.full_clean()
    assert "project" in error.value.message_dict


def test_a_month_counts_its_targets_up_to_its_own_end(org: Any, users: Any) -> None:
    linzi = org["linzi_district"]
    target = Target.objects.filter(
        district=linzi,
        year=2026,
        metric=Target.Metric.FUNDS_OUTSIDE_PROVINCE,
        team__isnull=True,
        town__isnull=True,
        park__isnull=True,
    ).first()
    assert target is not None, "the demo sets Linzi's 105 亿 target"

    def funds_until(day: datetime.date) -> float:
        total = FundsEntry.objects.filter(
            project__district=linzi,
            origin="outside_province",
            date__range=(datetime.date(2026, 1, 1), day),
        ).aggregate(total=Sum("amount"))["total"]
        return float(total or Decimal(0))

    march = _target_completion(users["city_admin"], 2026, linzi, datetime.date(2026, 3, 31))
    october = _target_completion(users["city_admin"], 2026, linzi, datetime.date(2026, 10, 31))
    assert march["outside_province_funds"] == (funds_until(datetime.date(2026, 3, 31)), float(target.value))
    assert october["outside_province_funds"][0] == funds_until(datetime.date(2026, 10, 31))
    assert march["outside_province_funds"][0] < october["outside_province_funds"][0]


@pytest.mark.usefixtures("as_test_actor")
def test_the_rankings_say_when_findings_came_after_the_scores(org: Any, users: Any, client_for: Any) -> None:
    from django.urls import reverse

    linzi = org["linzi_district"]
    project = Project.objects.filter(district=linzi).exclude(stage="reserve").first()
    url = reverse("assessment_rankings") + "?month=2026-10"
    city, district = client_for("city_admin"), client_for("linzi_admin")
    empty = city.get(reverse("assessment_rankings") + "?month=2027-06")
    assert empty.context["unscored"] is None  # no scores yet: nothing to say
    _scores(users, OCTOBER)
    assert 'id="unscored"' not in city.get(url).content.decode()

    def finding(day: datetime.date) -> RecordFinding:
        return RecordFinding.objects.create(
            district=linzi,
            project=project,
            kind=RecordFinding.Kind.FUNDS,
            found_on=day,
            found_by="市委督查室",
        )

    finding(datetime.date(2026, 11, 2))  # after October: not October's business
    assert city.get(url).context["unscored"] == {"findings": 0, "scheme": 0}
    late = finding(datetime.date(2026, 10, 20))
    html = city.get(url).content.decode()
    assert 'id="unscored"' in html and "1 条弄虚作假查实记录" in html and "计算本月得分" in html
    seen = district.get(url)  # the district sees it too, and who can recompute
    assert seen.context["unscored"]["findings"] == 1 and "请市级考核管理员" in seen.content.decode()
    assert client_for("huantai_admin").get(url).context["unscored"]["findings"] == 0  # not Huantai's
    late.delete()
    assert city.get(url).context["unscored"]["findings"] == 1  # deleted since: the scores still hold it
    _scores(users, OCTOBER)
    assert 'id="unscored"' not in city.get(url).content.decode()

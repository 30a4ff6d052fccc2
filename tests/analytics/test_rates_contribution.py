"""A true 贡献率 per group (issue 16): Δ projects' actual output / Δ the district's entered 规上工业总产值; a chain's
whole is its district's, a roll-up's the sum of its districts'; "—" with the reason where a whole is missing."""

from __future__ import annotations

import datetime as dt

import pytest

from zhaoshang.analytics.rates.engine import Period, ProjectFacts, contribution_rate
from zhaoshang.analytics.rates.groups import rates_by_groups

D = dt.date
YEAR = Period(D(2024, 1, 1), D(2024, 12, 31))


def plant(key: str, district: str, chain: str, before: float, after: float) -> ProjectFacts:
    return ProjectFacts(
        key=key,
        stage="production",
        stage_dates={"production": D(2022, 1, 1)},
        groups={"district": district, "chain": chain, "city": "淄博市"},
        actual_output={2023: before, 2024: after},
    )


FACTS = [
    plant("a", "临淄区", "机器人", 100, 400),  # +300
    plant("b", "临淄区", "新材料", 500, 600),  # +100
    plant("c", "桓台县", "新材料", 0, 200),  # +200
]
WHOLES = {"临淄区": {2023: 20_000.0, 2024: 24_000.0}, "桓台县": {2023: 9_000.0, 2024: 10_000.0}}


def test_each_group_is_compared_with_its_districts_whole() -> None:
    tables = rates_by_groups(FACTS, ("district", "chain", "city"), YEAR, wholes=WHOLES)
    linzi = tables["district"]["临淄区"]["contribution"]
    assert (linzi.numerator, linzi.denominator) == (400, 4_000)
    assert linzi == contribution_rate(FACTS[:2], [2024], whole=WHOLES["临淄区"])
    # 新材料 has projects in both districts: its whole is both districts' growth (4,000 + 1,000).
    materials = tables["chain"]["新材料"]["contribution"]
    assert (materials.numerator, materials.denominator) == (300, 5_000)
    robots = tables["chain"]["机器人"]["contribution"]
    assert robots.value == pytest.approx(300 / 4_000)
    city = tables["city"]["淄博市"]["contribution"]
    assert (city.numerator, city.denominator) == (600, 5_000)


def test_a_district_without_its_whole_shows_no_figure_and_says_why() -> None:
    partial = {"临淄区": WHOLES["临淄区"]}
    tables = rates_by_groups(FACTS, ("district", "chain", "city"), YEAR, wholes=partial)
    assert tables["district"]["临淄区"]["contribution"].value == pytest.approx(0.1)
    for rate in (
        tables["district"]["桓台县"]["contribution"],
        tables["chain"]["新材料"]["contribution"],  # one of its districts has no whole
        tables["city"]["淄博市"]["contribution"],
    ):
        assert rate.value is None and rate.missing == "未录入全区规上工业总产值"
    # Without any whole the other rates are unchanged; only 贡献率 reads "—".
    bare = rates_by_groups(FACTS, ("district",), YEAR)
    assert bare["district"]["临淄区"]["attainment"] == tables["district"]["临淄区"]["attainment"]
    assert bare["district"]["临淄区"]["contribution"].missing

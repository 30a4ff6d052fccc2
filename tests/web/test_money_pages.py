"""Money on the pages the issue found showing raw 万元 (issue 14): the big screen, the dispatch report and a site's
page of the demo show amounts in 亿元 or grouped 万元 with the unit, and prices with theirs (万元/亩) — never an
ungrouped number of 10,000 or more without a unit."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from zhaoshang.projects.delivery.dispatch.services import dispatch_build
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import FundsEntry, Project
from zhaoshang.sites.models import Site

# An ungrouped number of five digits or more (a raw 万元 amount such as 1256649.96), not part of a code, a date, a
# grouped number or a word, and not followed by a unit.
RAW_AMOUNT = re.compile(
    r"(?<![\d,.\-:/#_A-Za-z])(\d{5,}(?:\.\d+)?)(?![\d,.A-Za-z\-])(?!\s*(?:亿元|万元|元|万|亩|m²|%|个|人|天|吨|kN))"
)
HIDDEN = re.compile(r"<(script|style|template)\b.*?</\1>", re.S)
TAG = re.compile(r"<[^>]+>")


def visible_text(html: str) -> str:
    """What a reader sees: no scripts (chart data stay numbers), no markup, no attributes."""
    return re.sub(r"\s+", " ", TAG.sub(" ", HIDDEN.sub(" ", html)))


def raw_amounts(html: str) -> list[str]:
    return RAW_AMOUNT.findall(visible_text(html))


def test_the_pattern_finds_raw_amounts_and_spares_what_is_not_one() -> None:
    assert raw_amounts("<td>1256649.96</td>") == ["1256649.96"]
    assert raw_amounts("<p>总投资 3000000</p>") == ["3000000"]
    assert raw_amounts("<p>125.66 亿元</p><td>3,000,000</td><p>12345 万元</p>") == []
    assert raw_amounts("<p>2026-11-20 · 2025-370305-26-03-000900 · 91370305MA3C</p>") == []
    assert raw_amounts('<script id="x">[123456]</script><p>9999</p>') == []


@pytest.mark.usefixtures("as_test_actor")
def test_the_big_screen_shows_money_in_yi_with_the_unit(org: Any, client_for: Any) -> None:
    ProjectFactory(
        district=org["linzi_district"], name="大屏金额项目", total_investment=Decimal("1234567.89")
    )
    html = client_for("linzi_admin").get(reverse("assessment_dashboard") + "?screen=1").content.decode()
    assert 'id="screen"' in html
    assert raw_amounts(html) == []
    kpi = html.split('id="kpi-investment">')[1].split("</div>")[0]
    # The scoped projects' total, in 亿元 with two decimals and its unit.
    assert re.fullmatch(r"[\d,]+\.\d{2}<small>亿元</small>", kpi), kpi
    total = sum(
        Project.objects.filter(district=org["linzi_district"])
        .exclude(total_investment=None)
        .values_list("total_investment", flat=True),
        Decimal(0),
    )
    assert total >= 1234567
    assert str(int(total)) not in html  # never the raw 万元 sum
    # In English the same total in billions of yuan, as English readers say it (never "… 100M yuan").
    client = client_for("linzi_admin")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(reverse("assessment_dashboard") + "?screen=1").content.decode()
    kpi = english.split('id="kpi-investment">')[1].split("</div>")[0]
    assert re.fullmatch(r"[\d,]+\.\d{2}<small>billion yuan</small>", kpi), kpi


@pytest.mark.usefixtures("as_test_actor")
def test_the_dispatch_report_shows_money_grouped_with_units(org: Any, users: Any, client_for: Any) -> None:
    linzi = org["linzi_district"]
    today = timezone.localdate()
    start, end = today - datetime.timedelta(days=14), today - datetime.timedelta(days=1)
    project = ProjectFactory(district=linzi, name="调度金额项目", total_investment=Decimal("2345678"))
    FundsEntry.objects.create(
        project=project, date=start, amount=Decimal("54321.5"), origin="outside_province"
    )
    report = dispatch_build(district=linzi, period_start=start, period_end=end, user=users["linzi_admin"])
    html = client_for("linzi_admin").get(reverse("dispatch_detail", args=[report.pk])).content.decode()
    text = visible_text(html)
    assert raw_amounts(html) == []
    outside = Decimal(report.summary["funds"]["out_of_province_wan"])  # the period's, the demo's with ours
    assert outside >= Decimal("54321.5")
    assert f"{outside:.2f}" not in text and f"{outside:,.2f}" in text  # grouped under 到位资金(万元)
    assert re.search(r"其中省外资金 [\d,]+\.\d{2} 亿元", text)  # from 1 亿 up, in 亿元 with the unit
    overview = next(section for section in report.summary["stages"] if section["count"])
    assert overview  # the totals row is there, in 亿元 grouped
    assert re.search(r"总投资 [\d,]+\.\d{2} 亿元", text)


@pytest.mark.usefixtures("as_test_actor")
def test_a_site_page_shows_its_price_with_the_unit(org: Any, client_for: Any) -> None:
    site = Site.objects.filter(district=org["linzi_district"], land_price__isnull=False).first()
    assert site is not None, "the demo has priced parcels"
    site.land_price = Decimal("36.5")
    site.save()
    response = client_for("linzi_admin").get(reverse("site_detail", args=[site.pk]))
    text = visible_text(response.content.decode())
    assert "36.5 万元/亩" in text
    assert "土地价格(万元/亩)" not in text  # the unit is on the value, not twice
    rows = [(str(label), str(value)) for label, value in response.context["detail_rows"]]
    assert ("土地价格", "36.5 万元/亩") in rows
    # A row whose label names no unit (areas keep theirs: 占地面积(m²)) shows no raw number of 10,000 or more.
    unitless = " ".join(value for label, value in rows if not re.search(r"[(（][^)）]+[)）]$", label))
    assert raw_amounts(unitless) == []

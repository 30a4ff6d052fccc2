"""Every figure of the home page and the leader dashboard opens exactly the records it counts: each card's
number equals the rows of the list it links to (issue 16: "58 省市重大项目" opened 6, "超期未开工" opened every
signed project)."""

from __future__ import annotations

import datetime
import html
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum
from django.urls import reverse

from zhaoshang.core.factories import UserFactory
from zhaoshang.projects.factories import ProjectFactory, StageMoveFactory
from zhaoshang.projects.models import Project, ProjectStep
from zhaoshang.projects.selectors import project_overview

STAT = r'<a class="(?:{})[^"]*"([^>]*)>\s*<span class="[^"]*">([^<]+)</span>'
TODAY = datetime.date.today()


def _cards(page: str, classes: str = "stat") -> list[tuple[str, str, str]]:
    """(id, href, figure) of every linked figure on a page (links of the given classes)."""
    found = []
    for attributes, figure in re.findall(STAT.format(classes), page):
        href = re.search(r'href="([^"]+)"', attributes)
        ident = re.search(r'id="([^"]+)"', attributes)
        assert href, attributes
        found.append((ident.group(1) if ident else "", html.unescape(href.group(1)), figure.strip()))
    return found


def _rows(client: Any, url: str) -> tuple[int, Any]:
    response = client.get(url)
    assert response.status_code == 200, url
    context = response.context
    if "page" in context and hasattr(context["page"], "paginator"):
        return context["page"].paginator.count, context.get("filterset")
    return context["total"], None  # the review queue


@pytest.fixture
def flagged(org: Any, as_test_actor: Any) -> dict[str, Project]:
    """Linzi projects that the cards must count or leave out: a red and a yellow card whose typed status says
    正常推进, one past its promised start, a terminated major project and a major one claimed at 签约 by a move
    nobody has verified."""
    linzi = org["linzi_district"]
    long_ago = TODAY - datetime.timedelta(days=120)
    red = ProjectFactory(
        district=linzi, name="卡片红牌", tier="provincial", stage="signed", signed_date=long_ago
    )
    for i in range(3):
        ProjectStep.objects.create(
            project=red,
            code=f"9.{i}",
            name=f"环节{i}",
            module=9,
            module_name="测试",
            duration=5,
            planned_finish=TODAY - datetime.timedelta(days=30),
        )
    yellow = ProjectFactory(
        district=linzi,
        name="卡片黄牌",
        stage="registered",
        signed_date=long_ago,
        promised_start_date=TODAY - datetime.timedelta(days=10),
    )
    terminated = ProjectFactory(
        district=linzi,
        name="卡片终止",
        tier="municipal",
        status="terminated",
        status_reason="投资方撤资",
        promised_start_date=TODAY - datetime.timedelta(days=10),
    )
    claimed = ProjectFactory(district=linzi, name="卡片待核实", tier="provincial", stage="signed")
    StageMoveFactory(
        project=claimed, from_stage="negotiation", to_stage="signed", date=TODAY, requested_by=UserFactory()
    )
    return {"red": red, "yellow": yellow, "terminated": terminated, "claimed": claimed}


@pytest.mark.parametrize("who", ["linzi_admin", "city_admin", "huantai_admin"])
def test_every_home_card_opens_exactly_its_records(
    flagged: Any, client_for: Any, users: Any, who: str
) -> None:
    client = client_for(who)
    page = client.get(reverse("home")).content.decode()
    cards = _cards(page)
    ids = {ident for ident, _href, _figure in cards}
    if who != "huantai_admin":  # Huantai has neither major nor reserve projects: no project figures
        assert {"card-majors", "card-overdue-start", "card-red", "card-yellow", "reserve-count"} <= ids
    overview = project_overview(users[who])
    checked = 0
    for ident, href, figure in cards:
        if ident in ("card-majors-investment", "card-funds"):
            continue  # amounts: below
        count, _filterset = _rows(client, href)
        assert int(figure) == count, (ident, href)
        checked += 1
    # District cards (towns, parks, …) too: five per district shown.
    assert checked >= 5
    if "card-majors" not in ids:
        return
    # The amounts add up over the same records.
    by_id = {ident: href for ident, href, _figure in cards}
    _count, majors = _rows(client, by_id["card-majors-investment"])
    total = majors.qs.aggregate(t=Sum("total_investment"))["t"] or Decimal(0)
    assert total == overview["majors_investment"]
    _count, funds = _rows(client, by_id["card-funds"])
    assert (funds.qs.aggregate(t=Sum("amount"))["t"] or Decimal(0)) == overview["funds_outside_province"]


def test_the_cards_count_what_their_names_say(flagged: Any, client_for: Any, users: Any) -> None:
    overview = project_overview(users["linzi_admin"])
    client = client_for("linzi_admin")
    _n, majors = _rows(client, reverse("project_list") + "?major=true")
    names = set(majors.qs.values_list("name", flat=True))
    assert "卡片红牌" in names
    # Neither a terminated project nor one standing on an unverified claim is counted.
    assert not {"卡片终止", "卡片待核实"} & names
    assert overview["majors"] == majors.qs.count()
    _n, late = _rows(client, reverse("project_list") + "?overdue_start=true")
    late_names = set(late.qs.values_list("name", flat=True))
    assert "卡片黄牌" in late_names and "卡片终止" not in late_names
    assert all(stage in ("signed", "registered", "land") for stage in late.qs.values_list("stage", flat=True))
    _n, red = _rows(client, reverse("project_list") + "?card=red")
    _n, yellow = _rows(client, reverse("project_list") + "?card=yellow")
    assert "卡片红牌" in set(red.qs.values_list("name", flat=True))
    assert "卡片黄牌" in set(yellow.qs.values_list("name", flat=True))
    assert (overview["cards"]["red"], overview["cards"]["yellow"]) == (red.qs.count(), yellow.qs.count())


def test_huantai_sees_none_of_linzis_cards(flagged: Any, client_for: Any) -> None:
    client = client_for("huantai_admin")
    _n, red = _rows(client, reverse("project_list") + "?card=red")
    assert "卡片红牌" not in set(red.qs.values_list("name", flat=True))


def test_every_dashboard_card_opens_exactly_its_records(flagged: Any, client_for: Any, org: Any) -> None:
    client = client_for("linzi_admin")
    linzi = org["linzi_district"]
    page = client.get(reverse("assessment_dashboard") + f"?district={linzi.pk}").content.decode()
    cards = {
        ident: (href, figure)
        for ident, href, figure in _cards(page, "badge|d-block")
        if ident.startswith("dashboard-")
    }
    assert {
        "dashboard-red",
        "dashboard-yellow",
        "dashboard-open-blockers",
        "dashboard-overdue-blockers",
    } <= set(cards)
    for ident, (href, figure) in cards.items():
        count, _filterset = _rows(client, href)
        assert int(figure.split()[-1]) == count, (ident, href)
    red_href = cards["dashboard-red"][0]
    assert f"district={linzi.pk}" in red_href
    assert int(cards["dashboard-red"][1].split()[-1]) >= 1

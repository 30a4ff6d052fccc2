"""`zhaoshang rates` and the rates pages: the same numbers, each rate with its definition, "—" for an empty
denominator, the projects set aside listed, districts without data 未参评 (issue 16 §2–§3)."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from zhaoshang.analytics.rates.definitions import DEFINITIONS
from zhaoshang.assessment.models import IndustrialOutputTotal, ScoreSnapshot
from zhaoshang.assessment.scoring import scores_compute
from zhaoshang.core.audit import acting_as


def _cli(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("rates", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_the_cli_gives_the_pages_numbers(org: Any, client_for: Any) -> None:
    report = _cli("--district", "370305", "--from", "2026-01-01", "--to", "2026-11-30", "--as", "linzi_admin")
    assert report["period"] == {"start": "2026-01-01", "end": "2026-11-30"}
    district = org["linzi_district"]
    page = client_for("linzi_admin").get(
        reverse("assessment_rates"),
        {"group": "chain", "district": district.pk, "start": "2026-01-01", "end": "2026-11-30"},
    )
    rows = {row["name"]: row for row in page.context["rows"]}
    html = page.content.decode()
    heads = '<th class="text-end">签约金额（{}）</th>'
    assert (
        heads.format("亿元") in html
        and heads.format("万元") not in html
        and 'class="table-responsive"' in html
    )
    chains = [g for g in report["groups"] if g["group"] == "chain"]
    assert {g["name"] for g in chains} == set(rows) and len(chains) >= 5
    keys = [d.key for d in DEFINITIONS]
    for group in chains:
        row = rows[group["name"]]
        assert list(group["rates"]) == keys and group["code"]
        for cell in row["cells"]:
            mine = group["rates"][cell["key"]]
            assert (mine["value"], mine["numerator"], mine["denominator"]) == (
                cell["rate"].value,
                cell["rate"].numerator,
                cell["rate"].denominator,
            )
            assert mine["definition"]
        assert [group["counts"][k] for k in page.context["count_labels"]] == [
            c["value"] for c in row["counts"]
        ]
        # Amounts (万元 in the JSON) are the page's money cells, shown in 亿元.
        assert [c["money"] for c in row["counts"]] == [
            k.endswith("_wan") for k in page.context["count_labels"]
        ]
    (whole,) = [g for g in report["groups"] if g["group"] == "district"]
    assert (whole["code"], whole["name"]) == ("370305", "临淄区")
    # The demo's majors were all entered after their signing: no negotiation on record, so no 签约率 — they
    # are listed as direct signings instead of a 100 % made by construction.
    signing = whole["rates"]["signing"]
    assert signing["value"] is None and signing["denominator"] == 0
    assert signing["set_aside"]["direct"] == whole["counts"]["signed_projects"] > 0
    # 达效率 is named so; 贡献率 is a share of the district's growth of 规上工业总产值. The demo's 2026 is not
    # published: "—" and why, never the projects' own growth in its place.
    growth = whole["rates"]["contribution"]
    assert growth["value"] is None and growth["missing"] == "未录入全区规上工业总产值"
    assert all(g["rates"]["contribution"]["value"] is None for g in chains)
    linzi = org["linzi_district"]
    last = IndustrialOutputTotal.objects.get(district=linzi, year=2025).output
    with acting_as(org["users"]["linzi_admin"], "web"):
        IndustrialOutputTotal.objects.create(district=linzi, year=2026, output=last + 1_000_000)
    report = _cli("--district", "370305", "--from", "2026-01-01", "--to", "2026-11-30", "--as", "linzi_admin")
    chains = [g for g in report["groups"] if g["group"] == "chain"]
    (whole,) = [g for g in report["groups"] if g["group"] == "district"]
    growth = whole["rates"]["contribution"]
    assert growth["denominator"] == pytest.approx(1_000_000) and not growth["missing"]
    assert growth["value"] == pytest.approx(growth["numerator"] / 1_000_000)
    parts = [g["rates"]["contribution"] for g in chains if g["rates"]["contribution"]["numerator"]]
    assert parts and all(p["denominator"] == growth["denominator"] for p in parts)
    assert all(p["value"] == pytest.approx(p["numerator"] / growth["denominator"]) for p in parts)
    assert sum(p["numerator"] for p in parts) <= growth["numerator"] + 1e-6
    one = _cli(
        "--district", "370305", "--chain", chains[0]["code"], "--from", "2026-01-01", "--to", "2026-11-30"
    )
    assert [g["name"] for g in one["groups"]] == ["临淄区", chains[0]["name"]]
    assert one["groups"][1]["rates"] == chains[0]["rates"]


def test_talks_still_open_are_not_a_failing_signing_rate(org: Any, client_for: Any) -> None:
    report = _cli("--district", "370321", "--year", "2026", "--as", "huantai_admin")
    (whole,) = [g for g in report["groups"] if g["group"] == "district"]
    signing = whole["rates"]["signing"]
    assert signing["value"] is None and signing["denominator"] == 0
    assert signing["set_aside"]["pending"] == 21
    page = client_for("huantai_admin").get(reverse("assessment_dashboard") + "?year=2026")
    html = page.content.decode()
    cell = next(c for c in page.context["district_rows"][0]["cells"] if c["key"] == "signing")
    assert cell["rate"].value is None and ("在谈未满期限", 21) in cell["aside"]
    assert "text-danger" not in html.split('data-rate="signing"')[1].split("</td>")[0]
    drill = client_for("huantai_admin").get(cell["url"])
    assert len(drill.context["set_aside"][0]["projects"]) == 21
    assert "定义" in drill.content.decode() and drill.context["definition"]["key"] == "signing"


def test_the_cli_refuses_what_it_cannot_answer(org: Any) -> None:
    with pytest.raises(CommandError, match="没有区县"):
        _cli("--district", "370321", "--as", "linzi_admin")  # out of Linzi's scope
    with pytest.raises(CommandError, match="没有产业链"):
        _cli("--district", "370305", "--chain", "no-such-chain")
    with pytest.raises(CommandError, match="同时给出"):
        _cli("--district", "370305", "--from", "2026-01-01")
    table = io.StringIO()
    call_command("rates", "--district", "370305", "--year", "2026", stdout=table)
    assert "签约率" in table.getvalue() and "贡献率" in table.getvalue() and "达效率" in table.getvalue()


def test_every_rate_has_its_definition_on_a_page_and_in_the_tooltips(org: Any, client_for: Any) -> None:
    client = client_for("linzi_admin")
    page = client.get(reverse("assessment_rate_definitions"))
    html = page.content.decode()
    for d in DEFINITIONS:
        assert f'id="rate-{d.key}"' in html and d.definition in html
    rates = client.get(reverse("assessment_rates") + "?group=chain").content.decode()
    assert rates.count(reverse("assessment_rate_definitions") + "#rate-") == len(DEFINITIONS)
    assert DEFINITIONS[0].definition in rates  # the header's tooltip


def test_districts_without_data_are_not_ranked(org: Any, users: Any, client_for: Any) -> None:
    month = datetime.date(2026, 10, 1)
    scores_compute(month=month, user=users["city_admin"])
    ranked = ScoreSnapshot.objects.filter(month=month, level="district")
    names = set(ranked.values_list("district__name", flat=True))
    assert "临淄区" in names
    assert sorted(ranked.values_list("rank", flat=True)) == list(range(1, len(names) + 1))
    page = client_for("city_admin").get(reverse("assessment_rankings") + "?month=2026-10")
    unranked = page.context["unranked_districts"]
    assert unranked and not set(unranked) & names
    assert "未参评" in page.content.decode()

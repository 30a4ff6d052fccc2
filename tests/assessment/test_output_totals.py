"""A true 贡献率 (issue 16): the whole is the district's 规上工业总产值 as entered (form or spreadsheet, audited);
without it the rate shows "—" and says why, never the projects' own growth in its place."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from zhaoshang.analytics.rates.engine import Period
from zhaoshang.assessment.models import IndustrialOutputTotal
from zhaoshang.assessment.selectors import rates_report
from zhaoshang.core.models import Job
from zhaoshang.projects.models import ProjectOutput


def _contribution(user: Any, district: Any, year: int) -> dict[str, Any]:
    period = Period(timezone.datetime(year, 1, 1).date(), timezone.datetime(year, 12, 31).date())
    report = rates_report(user, district, period)
    return next(g for g in report["groups"] if g["group"] == "district")["rates"]["contribution"]


def _part(district: Any, year: int) -> float:
    def total(y: int) -> float:
        rows = ProjectOutput.objects.filter(project__district=district, year=y).exclude(
            project__stage="reserve"
        )
        return float(rows.aggregate(s=Sum("output"))["s"] or 0)

    return total(year) - total(year - 1)


def test_the_whole_is_entered_and_missing_years_say_so(
    org: Any, users: Any, client_for: Any, as_test_actor: Any
) -> None:
    linzi, admin = org["linzi_district"], users["linzi_admin"]
    year = timezone.localdate().year - 1
    IndustrialOutputTotal.objects.filter(district=linzi).delete()
    client = client_for("linzi_admin")
    rates_url = f"{reverse('assessment_rates')}?district={linzi.pk}&start={year}-01-01&end={year}-12-31"

    missing = _contribution(admin, linzi, year)
    assert missing["value"] is None
    page = client.get(rates_url).content.decode()
    assert 'class="small text-body-secondary missing">未录入全区规上工业总产值</div>' in page

    # The statistics office's table, imported (preview, then confirm).
    csv = (
        "区县代码,区县,年度,规上工业总产值(万元),规上工业税收(万元),数据来源\n"
        f"370305,临淄区,{year - 1},24000000,840000,区统计局年报\n"
        f"370305,临淄区,{year},25000000,875000,区统计局年报\n"
    )
    upload = io.BytesIO(csv.encode("utf-8-sig"))
    upload.name = "output_totals.csv"
    preview = client.post(reverse("output_total_import"), {"file": upload})
    job = Job.objects.get(pk=int(preview.url.rstrip("/").split("/")[-1]))
    assert job.result["ok"], job.result
    confirmed = client.post(reverse("import_confirm", args=[job.pk]))
    assert Job.objects.get(pk=int(confirmed.url.rstrip("/").split("/")[-1])).result["committed"]
    entered = IndustrialOutputTotal.objects.get(district=linzi, year=year)
    assert entered.history.first().history_user == admin  # audited

    rate = _contribution(admin, linzi, year)
    part = _part(linzi, year)
    assert rate["denominator"] == pytest.approx(
        1_000_000
    )  # 2,500 亿 − 2,400 亿, not the projects' own growth
    assert rate["numerator"] == pytest.approx(part)
    assert rate["value"] == pytest.approx(part / 1_000_000)
    assert "规上工业总产值增量" in rate["definition"]
    page = client.get(rates_url).content.decode()
    assert 'data-rate="contribution"' in page and 'class="small text-body-secondary missing"' not in page

    # Corrected on its form: the figure follows at once.
    response = client.post(
        reverse("output_total_edit", args=[entered.pk]),
        {"district": linzi.pk, "year": year, "output": "26000000", "tax": "", "source": "修正"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _contribution(admin, linzi, year)["denominator"] == pytest.approx(2_000_000)

    # Another district's figures are not Linzi's to enter.
    from zhaoshang.core.models import District

    huantai = District.objects.get(adcode="370321")
    client.post(
        reverse("output_total_add"), {"district": huantai.pk, "year": 2001, "output": "1", "source": ""}
    )
    assert not IndustrialOutputTotal.objects.filter(district=huantai, year=2001).exists()


def test_the_demo_has_past_years_for_linzi_and_huantai(org: Any) -> None:
    this_year = timezone.localdate().year
    for adcode in ("370305", "370321"):
        years = set(
            IndustrialOutputTotal.objects.filter(district__adcode=adcode).values_list("year", flat=True)
        )
        assert {this_year - 2, this_year - 1} <= years and this_year not in years

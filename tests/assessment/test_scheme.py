"""The city sets each year's scoring scheme on a page; districts read it; bad input changes nothing."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from zhaoshang.analytics.rates.scores import DEFAULT_SCHEME
from zhaoshang.assessment.models import ScoringScheme
from zhaoshang.assessment.scoring import scheme_for

URL = reverse("assessment_scheme") + "?year=2031"


def _post(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {f"rate_{k}": v for k, v in DEFAULT_SCHEME.rate_weights.items()}
    data.update({f"target_{k}": v for k, v in DEFAULT_SCHEME.target_weights.items()})
    data.update(overdue=2, falsified=10, note="")
    data.update(changes)
    return data


def test_the_city_sets_a_years_scheme_and_it_is_audited(org: Any, users: Any, client_for: Any) -> None:
    city = client_for("city_admin")
    page = city.get(URL)
    assert page.status_code == 200 and "默认办法" in page.content.decode()
    assert page.context["form"].initial["rate_landing"] == DEFAULT_SCHEME.rate_weights["landing"]
    response = city.post(URL, _post(rate_landing=40, rate_completion=0, falsified=15, note="2031 年办法"))
    assert response.status_code == 302
    scheme = scheme_for(2031)
    assert scheme.rate_weights["landing"] == 40 and scheme.rate_weights["completion"] == 0
    assert scheme.falsified_deduction == 15 and scheme.target_weights == DEFAULT_SCHEME.target_weights
    record = ScoringScheme.objects.get(year=2031)
    assert record.note == "2031 年办法"
    assert record.history.get().history_user == users["city_admin"]
    again = city.get(URL)
    assert again.context["form"].initial["rate_landing"] == 40 and "最近修改于" in again.content.decode()
    city.post(URL, _post(rate_landing=30))
    assert record.history.count() == 2 and scheme_for(2031).rate_weights["landing"] == 30


def test_districts_read_the_scheme_but_cannot_change_it(org: Any, client_for: Any) -> None:
    district = client_for("linzi_admin")
    page = district.get(URL)
    assert page.status_code == 200 and page.context["form"].fields["rate_landing"].disabled
    assert "市级考核管理员" in page.content.decode()
    refused = district.post(URL, _post(rate_landing=99))
    assert refused.status_code == 403 and "你的角色(区县管理员)不能修改考核办法" in refused.content.decode()
    assert not ScoringScheme.objects.filter(year=2031).exists()


def test_bad_weights_are_refused_and_change_nothing(org: Any, client_for: Any) -> None:
    city = client_for("city_admin")
    negative = city.post(URL, _post(rate_signing=-5))
    assert negative.status_code == 400 and negative.context["form"].errors["rate_signing"]
    zeros = {f"rate_{k}": 0 for k in DEFAULT_SCHEME.rate_weights}
    zeros.update({f"target_{k}": 0 for k in DEFAULT_SCHEME.target_weights})
    nothing = city.post(URL, _post(**zeros))
    assert nothing.status_code == 400 and "至少要有一项权重大于 0" in nothing.content.decode()
    assert city.post(URL, _post(rate_start="十")).status_code == 400
    assert not ScoringScheme.objects.filter(year=2031).exists()


def test_a_new_scheme_asks_for_the_scored_months_to_be_recomputed(
    org: Any, users: Any, client_for: Any
) -> None:
    import datetime

    from zhaoshang.assessment.scoring import scores_compute

    scores_compute(month=datetime.date(2026, 10, 1), user=users["city_admin"])
    city = client_for("city_admin")
    rankings = reverse("assessment_rankings") + "?month=2026-10"
    assert city.get(rankings).context["unscored"] == {"findings": 0, "scheme": 0}
    assert "考核办法" in city.get(rankings).content.decode()  # the link to the scheme
    city.post(reverse("assessment_scheme") + "?year=2026", _post(rate_signing=35))
    html = city.get(rankings).content.decode()
    assert 'id="unscored"' in html and "考核方案已修改" in html

"""Who may change a year's scoring scheme follows the level: a city's supervisor sets the scheme their city's
districts are scored by, the province sets the default for its cities; a district's administrator reads their
city's scheme and is refused (403, with the reason); another city's scheme is a 404 to those who do not see
that city. Every change is audited."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.urls import reverse

from zhaoshang.analytics.rates.scores import DEFAULT_SCHEME
from zhaoshang.assessment import scoring
from zhaoshang.assessment.models import ScoringScheme
from zhaoshang.assessment.scoring import scheme_for, scheme_save, scores_compute

YEAR = 2031


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(city: Any = None, *, default: bool = False) -> str:
    url = reverse("assessment_scheme") + f"?year={YEAR}"
    if default:
        return url + "&city="
    return url + (f"&city={city.pk}" if city is not None else "")


def _post(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {f"rate_{k}": v for k, v in DEFAULT_SCHEME.rate_weights.items()}
    data.update({f"target_{k}": v for k, v in DEFAULT_SCHEME.target_weights.items()})
    data.update(overdue=2, falsified=10, note="")
    data.update(changes)
    return data


def _weights(landing: int) -> dict[str, Any]:
    return {
        "weights": {
            "rates": {**DEFAULT_SCHEME.rate_weights, "landing": landing},
            "targets": dict(DEFAULT_SCHEME.target_weights),
        },
        "deductions": {"overdue": 2, "falsified": 10},
        "note": "",
    }


def test_the_city_supervisor_sets_their_citys_scheme_audited(province: Any) -> None:
    zibo, weifang, supervisor = province["zibo"], province["weifang"], province["city_admin"]
    client = signed_in(supervisor)
    page = client.get(reverse("assessment_scheme") + f"?year={YEAR}")  # their own city by default
    assert page.status_code == 200 and page.context["city"] == zibo and page.context["can_edit"]
    response = client.post(_url(zibo), _post(rate_landing=40, note="淄博 2031"))
    assert response.status_code == 302 and f"city={zibo.pk}" in response["Location"]
    record = ScoringScheme.objects.get(year=YEAR, city=zibo)
    assert record.note == "淄博 2031" and record.history.get().history_user == supervisor
    assert scheme_for(YEAR, zibo).rate_weights["landing"] == 40
    # Their city only: the province's default and 潍坊 are untouched.
    assert scheme_for(YEAR, weifang).rate_weights == DEFAULT_SCHEME.rate_weights
    assert scheme_for(YEAR).rate_weights == DEFAULT_SCHEME.rate_weights
    again = client.get(_url(zibo))
    assert again.context["form"].initial["rate_landing"] == 40 and "最近修改于" in again.content.decode()


def test_the_city_supervisor_may_not_set_the_provinces_default(province: Any) -> None:
    client = signed_in(province["city_admin"])
    page = client.get(_url(default=True))
    assert page.status_code == 200 and not page.context["can_edit"]
    assert page.context["form"].fields["rate_landing"].disabled
    refused = client.post(_url(default=True), _post(rate_landing=40))
    assert refused.status_code == 403
    assert "你的角色(市级管理员)不能修改考核办法" in refused.content.decode()
    assert not ScoringScheme.objects.filter(year=YEAR).exists()


def test_another_citys_supervisor_gets_a_404_for_zibo(province: Any) -> None:
    zibo, weifang = province["zibo"], province["weifang"]
    client = signed_in(province["weifang_admin"])
    assert client.get(_url(zibo)).status_code == 404
    assert client.post(_url(zibo), _post(rate_landing=40)).status_code == 404
    with pytest.raises(Http404):
        scheme_save(year=YEAR, city=zibo, user=province["weifang_admin"], **_weights(40))
    assert not ScoringScheme.objects.filter(year=YEAR, city=zibo).exists()
    # Their own city they set.
    assert client.post(_url(weifang), _post(rate_landing=25)).status_code == 302
    assert scheme_for(YEAR, weifang).rate_weights["landing"] == 25
    assert scheme_for(YEAR, zibo).rate_weights == DEFAULT_SCHEME.rate_weights


def test_a_district_admin_reads_their_citys_scheme_and_is_refused_with_the_reason(province: Any) -> None:
    zibo, weifang, linzi_admin = province["zibo"], province["weifang"], province["users"]["linzi_admin"]
    client = signed_in(linzi_admin)
    page = client.get(reverse("assessment_scheme") + f"?year={YEAR}")
    assert page.status_code == 200 and page.context["city"] == zibo
    assert not page.context["can_edit"] and page.context["form"].fields["rate_landing"].disabled
    for url in (_url(zibo), _url(default=True)):
        refused = client.post(url, _post(rate_landing=99))
        assert refused.status_code == 403
        assert "你的角色(区县管理员)不能修改考核办法" in refused.content.decode()
    with pytest.raises(PermissionDenied, match=r"^你的角色\(区县管理员\)不能修改考核办法$"):
        scheme_save(year=YEAR, city=zibo, user=linzi_admin, **_weights(99))
    # 潍坊 is not theirs to see at all.
    assert client.get(_url(weifang)).status_code == 404
    assert client.post(_url(weifang), _post(rate_landing=99)).status_code == 404
    assert not ScoringScheme.objects.filter(year=YEAR).exists()


def test_the_province_sets_the_default_and_each_city_may_differ(province: Any) -> None:
    zibo, weifang, admin = province["zibo"], province["weifang"], province["province_admin"]
    client = signed_in(admin)
    page = client.get(reverse("assessment_scheme") + f"?year={YEAR}")
    assert page.status_code == 200 and page.context["city"] is None and page.context["can_edit"]
    assert {c.pk for c in page.context["cities"]} >= {zibo.pk, weifang.pk}
    assert client.post(_url(default=True), _post(rate_landing=30, note="全省")).status_code == 302
    default = ScoringScheme.objects.get(year=YEAR, city=None)
    assert default.history.get().history_user == admin
    # Both cities follow the default until one sets its own; the province may set a city's too.
    assert scheme_for(YEAR, zibo).rate_weights["landing"] == 30
    assert scheme_for(YEAR, weifang).rate_weights["landing"] == 30
    shown = signed_in(province["weifang_admin"]).get(_url(weifang))
    assert "全省默认办法" in shown.content.decode() and shown.context["form"].initial["rate_landing"] == 30
    assert client.post(_url(zibo), _post(rate_landing=45)).status_code == 302
    assert scheme_for(YEAR, zibo).rate_weights["landing"] == 45
    assert scheme_for(YEAR, weifang).rate_weights["landing"] == 30


def test_each_citys_districts_are_scored_by_their_citys_scheme(
    province: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    zibo, weifang = province["zibo"], province["weifang"]
    month = datetime.date.today().replace(day=1)  # the demo's projects are of this year
    scheme_save(year=month.year, city=zibo, user=province["city_admin"], **_weights(44))
    scheme_save(year=month.year, city=None, user=province["province_admin"], **_weights(33))
    seen: dict[str, set[float]] = {}
    real = scoring.score_groups

    def recording(rates: Any, targets: Any, overdue: Any, findings: Any, scheme: Any) -> Any:
        if targets is not None:  # the districts' ranking (the teams' passes None)
            for name in rates:
                seen.setdefault(name, set()).add(scheme.rate_weights["landing"])
        return real(rates, targets, overdue, findings, scheme)

    monkeypatch.setattr(scoring, "score_groups", recording)
    scores_compute(month=month, user=province["province_admin"])
    zibo_names = set(zibo.districts.values_list("name", flat=True))
    weifang_names = set(weifang.districts.values_list("name", flat=True))
    assert seen, "no district was scored"
    for name, weights in seen.items():
        if name in zibo_names:
            assert weights == {44}, name
        elif name in weifang_names:
            assert weights == {33}, name
    assert any(n in zibo_names for n in seen) and any(n in weifang_names for n in seen)

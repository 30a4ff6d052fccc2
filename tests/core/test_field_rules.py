"""One validation on every path (Trust, item 5): the model fields' rules hold in forms, the API and imports.

For a project, a site and a funds entry, a negative amount or area and the date 9999-12-31 are refused by the
page form, by the API (400 with the field's Chinese message) and by an import (the row's error, nothing
written); the API's page size is capped.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from zhaoshang.api.pagination import MAX_LIMIT
from zhaoshang.core.importing import import_run, read_table
from zhaoshang.core.validators import past_date, plausible_date
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import FundsEntry, Project
from zhaoshang.projects.resources import FundsEntryResource, ProjectResource
from zhaoshang.sites.models import Site
from zhaoshang.sites.resources import SiteResource

NEGATIVE = "不能为负数"
IMPLAUSIBLE = "不合理"
FAR_FUTURE = "9999-12-31"


@dataclass
class Subject:
    key: str
    model: Any
    resource: Any
    marker: dict[str, Any]  # identifies the record the test tries to write
    amount_field: str  # the model field of the negative amount or area
    date_field: str  # the model field of the far-future date
    form: Callable[[dict[str, Any]], dict[str, Any]]  # valid form and API data
    headers: list[str]
    row: Callable[[dict[str, Any]], list[Any]]  # a valid import row
    amount_column: str
    date_column: str


SUBJECTS = {
    "project": Subject(
        key="project",
        model=Project,
        resource=ProjectResource,
        marker={"name": "规则测试项目"},
        amount_field="total_investment",
        date_field="expected_production_date",
        form=lambda org: {
            "district": org["linzi_district"].pk,
            "name": "规则测试项目",
            "stage": "lead",
            "tier": "general",
            "not_a_duplicate": "on",
        },
        headers=["区县代码", "项目名称", "阶段", "项目层级", "总投资", "签约日期"],
        row=lambda org: ["370305", "规则测试项目", "洽谈", "一般", "100", ""],
        amount_column="总投资",
        date_column="签约日期",
    ),
    "site": Subject(
        key="site",
        model=Site,
        resource=SiteResource,
        marker={"code": "RULE-1"},
        amount_field="area_mu",
        date_field="verified_on",
        form=lambda org: {
            "district": org["linzi_district"].pk,
            "code": "RULE-1",
            "name": "规则测试地块",
            "kind": "parcel",
            "availability": "available",
            "tenure": "both",
            "lng": "118.3",
            "lat": "36.84",
            "coord_crs": "wgs84",
            "area_mu": "30",
        },
        headers=["区县代码", "编号", "名称", "类型", "经度", "纬度", "土地面积(亩)", "最近核实日期"],
        row=lambda org: ["370305", "RULE-1", "规则测试地块", "地块", 118.3, 36.84, "30", ""],
        amount_column="土地面积(亩)",
        date_column="最近核实日期",
    ),
    "funds": Subject(
        key="funds",
        model=FundsEntry,
        resource=FundsEntryResource,
        marker={"evidence_note": "规则测试凭证"},
        amount_field="amount",
        date_field="date",
        form=lambda org: {
            "project": org["rule_project"].pk,
            "date": "2026-01-15",
            "amount": "100",
            "origin": "local",
            "kind": "fixed",
            "evidence_note": "规则测试凭证",
        },
        headers=["区县代码", "项目名称", "到位日期", "金额", "资金来源地", "用途", "凭证"],
        row=lambda org: [
            "370305",
            org["rule_project"].name,
            "2026-01-15",
            "100",
            "本地",
            "固定资产投资",
            "规则测试凭证",
        ],
        amount_column="金额",
        date_column="到位日期",
    ),
}


@pytest.fixture
def rule_org(org: dict[str, Any]) -> dict[str, Any]:
    return {**org, "rule_project": ProjectFactory(district=org["linzi_district"], name="规则测试资金项目")}


def _api(users: dict[str, Any]) -> APIClient:
    api = APIClient()
    api.force_authenticate(users["linzi_admin"])
    return api


def _import(subject: Subject, org: dict[str, Any], users: dict[str, Any], column: str, value: Any) -> Any:
    row = subject.row(org)
    row[subject.headers.index(column)] = value
    book = openpyxl.Workbook()
    book.active.append(subject.headers)
    book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    user = users["linzi_admin"]
    return import_run(
        # "规则测试项目" is a probable duplicate of the fixture's "规则测试资金项目": imported as new on purpose.
        resource=subject.resource(user=user, duplicates="new"),
        dataset=read_table("rules.xlsx", buffer.getvalue()),
        user=user,
        dry_run=False,
    )


@pytest.mark.parametrize("key", SUBJECTS)
def test_the_valid_data_passes_the_form(key: str, rule_org: Any, client_for: Any) -> None:
    """The fixtures themselves are good, so that each refusal below is the rule's and nothing else's."""
    subject = SUBJECTS[key]
    response = client_for("linzi_admin").post(reverse(f"{key}_add"), subject.form(rule_org))
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert subject.model.objects.filter(**subject.marker).exists()


@pytest.mark.parametrize("key", SUBJECTS)
def test_the_valid_data_passes_the_import(key: str, rule_org: Any, users: Any) -> None:
    subject = SUBJECTS[key]
    good = subject.row(rule_org)[subject.headers.index(subject.amount_column)]
    report = _import(subject, rule_org, users, subject.amount_column, good)
    assert report.committed, report.issues
    assert subject.model.objects.filter(**subject.marker).exists()


@pytest.mark.parametrize("key", SUBJECTS)
@pytest.mark.parametrize(
    ("kind", "value", "message"), [("amount", "-1", NEGATIVE), ("date", FAR_FUTURE, IMPLAUSIBLE)]
)
def test_the_form_refuses(
    key: str, kind: str, value: str, message: str, rule_org: Any, client_for: Any
) -> None:
    subject = SUBJECTS[key]
    field = getattr(subject, f"{kind}_field")
    before = subject.model.objects.count()
    data = {**subject.form(rule_org), field: value}
    response = client_for("linzi_admin").post(reverse(f"{key}_add"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert any(message in str(e) for e in errors[field]), errors
    assert message in response.content.decode()
    assert subject.model.objects.count() == before


@pytest.mark.parametrize("key", SUBJECTS)
@pytest.mark.parametrize(
    ("kind", "value", "message"), [("amount", "-1", NEGATIVE), ("date", FAR_FUTURE, IMPLAUSIBLE)]
)
def test_the_api_refuses(key: str, kind: str, value: str, message: str, rule_org: Any, users: Any) -> None:
    subject = SUBJECTS[key]
    field = getattr(subject, f"{kind}_field")
    before = subject.model.objects.count()
    data = {k: v for k, v in subject.form(rule_org).items() if k not in ("not_a_duplicate", "coord_crs")}
    data[field] = value
    response = _api(users).post(f"/api/{key}/", data, format="json")
    assert response.status_code == 400, response.content
    assert any(message in text for text in response.json()[field]), response.json()
    assert subject.model.objects.count() == before


@pytest.mark.parametrize("key", SUBJECTS)
@pytest.mark.parametrize("kind", ["amount", "date"])
def test_the_import_refuses(key: str, kind: str, rule_org: Any, users: Any) -> None:
    subject = SUBJECTS[key]
    column = getattr(subject, f"{kind}_column")
    before = subject.model.objects.count()
    report = _import(subject, rule_org, users, column, "-1" if kind == "amount" else FAR_FUTURE)
    assert not report.committed
    issues = {(i.row, i.column): i.message for i in report.issues}
    assert (2, column) in issues, issues
    assert subject.model.objects.count() == before
    assert not subject.model.objects.filter(**subject.marker).exists()


def test_planned_dates_may_lie_ahead_recorded_ones_not() -> None:
    today = datetime.date.today()
    plausible_date(today + datetime.timedelta(days=365 * 10))
    past_date(today + datetime.timedelta(days=3))
    with pytest.raises(ValidationError, match=IMPLAUSIBLE):
        past_date(today + datetime.timedelta(days=60))
    with pytest.raises(ValidationError, match=IMPLAUSIBLE):
        plausible_date(datetime.date(1949, 9, 30))
    with pytest.raises(ValidationError, match=IMPLAUSIBLE):
        plausible_date(datetime.date(9999, 12, 31))


def test_the_api_page_size_is_capped(org: Any, users: Any) -> None:
    assert Site.objects.count() > MAX_LIMIT  # the demo's thousands of sites
    response = _api(users).get("/api/site/?limit=100000")
    assert response.status_code == 200
    page = response.json()
    assert len(page["results"]) == MAX_LIMIT == 500
    assert "limit=500" in page["next"]

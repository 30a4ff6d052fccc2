"""Money on pages: 亿元 from one 亿 up, grouped 万元 below, always with the unit; never a raw ``1256649.9600``."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from zhaoshang.core.generic.display import is_money, label_display
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import FundsEntry, Project
from zhaoshang.sites.models import Site


def _render(text: str, **context: Any) -> str:
    return Template("{% load money %}" + text).render(Context(context))


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1256649.9600000000"), "125.66 亿元"),
        (3000000, "300.00 亿元"),
        (Decimal("10000"), "1.00 亿元"),
        (Decimal("3000.00"), "3,000 万元"),
        (Decimal("9999.5"), "9,999.5 万元"),
        (None, "—"),
        ("", "—"),
    ],
)
def test_money_filter(value: Any, shown: str) -> None:
    assert _render("{{ v|money }}", v=value) == shown


def test_money_filter_units_and_numbers() -> None:
    assert _render('{{ v|money:"亿元" }}', v=Decimal(3000)) == "0.30 亿元"
    assert _render('{{ v|money:"万元" }}', v=Decimal(3000000)) == "3,000,000 万元"
    assert _render("{{ v|wan_as_yi }}", v=Decimal("1256649.96")) == "125.66"
    assert _render("{{ v|yi_number }}", v=Decimal("125.664996")) == "125.66"
    assert _render("{{ v|wan_number }}", v=Decimal("1256649.9600")) == "1,256,649.96"
    assert _render("{{ v|yi_number }}", v=float("nan")) == "—"
    with translation.override("en"):
        assert _render("{{ v|money }}", v=Decimal(3000000)) == "30.00 billion yuan"


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        # In English, yuan as English readers say them: billions from 10 亿 up, millions from 100 万 up.
        (Decimal("1256649.96"), "auto", "12.57 billion yuan"),
        (Decimal("100000"), "auto", "1.00 billion yuan"),
        (Decimal("15000"), "auto", "150 million yuan"),
        (Decimal("3000"), "auto", "30 million yuan"),
        (Decimal("3456.78"), "auto", "34.57 million yuan"),
        (Decimal("100"), "auto", "1 million yuan"),
        (Decimal("12.5"), "auto", "125,000 yuan"),
        (Decimal("-3000"), "auto", "-30 million yuan"),
        # A fixed unit keeps a column comparable: millions throughout.
        (Decimal("3000"), "亿元", "30 million yuan"),
        (Decimal("1256649.96"), "亿元", "12,566.5 million yuan"),
        (Decimal("12.5"), "万元", "0.13 million yuan"),
        (None, "auto", "—"),
    ],
)
def test_money_filter_in_english(value: Any, unit: str, shown: str) -> None:
    with translation.override("en"):
        assert _render("{{ v|money:u }}", v=value, u=unit) == shown
        assert "100M" not in _render("{{ v|money:u }}", v=value, u=unit)


def test_money_parts_split_the_number_from_its_unit() -> None:
    text = "{% with p=v|money_parts:'亿元' %}{{ p.0 }}|{{ p.1 }}{% endwith %}"
    assert _render(text, v=Decimal("1256649.96")) == "125.66|亿元"
    assert _render(text, v=None) == "—|"
    with translation.override("en"):
        assert (
            _render("{% with p=v|money_parts %}{{ p.0 }}|{{ p.1 }}{% endwith %}", v=3000) == "30|million yuan"
        )


def test_a_price_carries_its_unit_and_its_label_drops_it() -> None:
    from zhaoshang.core.generic.display import field_display, label_display, price_unit

    land_price = Site._meta.get_field("land_price")
    assert price_unit(land_price) == "万元/亩" and price_unit(Site._meta.get_field("rent")) == "元/m²/月"
    assert price_unit(Project._meta.get_field("total_investment")) == ""  # an amount: |money, not a price
    site = Site(land_price=Decimal("25.50"), rent=Decimal("12"))
    assert label_display(land_price) == "土地价格" and field_display(site, land_price) == "25.5 万元/亩"
    assert field_display(site, Site._meta.get_field("rent")) == "12 元/m²/月"
    with translation.override("en"):
        assert label_display(land_price) == "Land price"
        assert field_display(site, land_price) == "25.5 10k yuan/mu"


def test_money_fields_are_those_in_wan() -> None:
    assert is_money(Project._meta.get_field("total_investment"))
    assert is_money(FundsEntry._meta.get_field("amount"))
    assert not is_money(Project._meta.get_field("land_mu"))
    assert not is_money(Site._meta.get_field("land_price"))  # 万元/亩: a price, not an amount
    assert label_display(Project._meta.get_field("total_investment")) == "总投资"
    with translation.override("en"):
        assert label_display(Project._meta.get_field("total_investment")) == "Total investment"


@pytest.mark.usefixtures("as_test_actor")
def test_project_pages_show_money_with_units(org: Any, client_for: Any) -> None:
    project = ProjectFactory(
        district=org["linzi_district"], name="金额显示测试项目", total_investment=Decimal("1256649.96")
    )
    FundsEntry.objects.create(
        project=project, date=datetime.date(2026, 5, 1), amount=Decimal("3000"), origin="outside_province"
    )
    client = client_for("linzi_admin")
    html = client.get(reverse("project_detail", args=[project.pk])).content.decode()
    assert "125.66 亿元" in html
    assert "1256649.96" not in html and "1,256,649.96" not in html
    assert "3,000 万元" in html  # the funds in place, with the unit
    listing = client.get(reverse("project_list") + "?q=金额显示测试").content.decode()
    assert "125.66 亿元" in listing and "1256649" not in listing
    home = client.get(reverse("home")).content.decode()
    assert (
        'id="card-majors-investment"' not in home or "." in home.split('id="card-majors-investment"')[1][:400]
    )


def test_target_values_carry_a_unit_only_for_amounts() -> None:
    from zhaoshang.assessment.models import Target

    money_target = Target(metric=Target.Metric.SIGNED_INVESTMENT, value=Decimal(3000000))
    assert _render("{{ t.value|amount_for:t }}", t=money_target) == "300.00 亿元"
    counting = next(m for m in Target.Metric if "万元" not in str(m.label) and m != Target.Metric.CUSTOM)
    assert _render("{{ v|amount_for:t }}", v=Decimal("12.0000"), t=Target(metric=counting)) == "12"

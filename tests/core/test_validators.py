"""The shared validators as Django sees them: one message, in the user's language."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from zhaoshang.core.forms import DistrictForm, ParkForm
from zhaoshang.core.validators import (
    validate_adcode,
    validate_boundary,
    validate_industry_code,
    validate_uscc,
)
from zhaoshang.core.widgets import AreaMuWidget, DateWidget, MoneyWidget, PercentWidget, YesNoWidget

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[118.3, 36.8], [118.31, 36.8], [118.31, 36.81], [118.3, 36.81], [118.3, 36.8]]],
}


def test_adcode_validator_messages_follow_the_language() -> None:
    with translation.override("zh-hans"), pytest.raises(ValidationError, match="370399"):
        validate_adcode("370399")
    with translation.override("en"), pytest.raises(ValidationError) as error:
        validate_adcode("370399")
    assert "不存在" not in error.value.messages[0]
    validate_adcode("370305")
    validate_adcode("")  # blank is the field's business (required or not), not the validator's


def test_uscc_and_industry_code_validators() -> None:
    validate_uscc("91110000802100433B")
    with pytest.raises(ValidationError):
        validate_uscc("91110000802100433A")
    validate_industry_code("2511")
    with pytest.raises(ValidationError):
        validate_industry_code("9999")


def test_boundary_validator() -> None:
    validate_boundary(SQUARE)
    validate_boundary({"type": "Feature", "geometry": SQUARE, "properties": {}})
    open_ring = {
        "type": "Polygon",
        "coordinates": [[[118.3, 36.8], [118.31, 36.8], [118.31, 36.81], [118.3, 36.9]]],
    }
    with translation.override("zh-hans"), pytest.raises(ValidationError, match="未闭合"):
        validate_boundary(open_ring)
    projected = {
        "type": "Polygon",
        "coordinates": [[[39500000, 4070000], [1, 1], [2, 2], [39500000, 4070000]]],
    }
    with translation.override("zh-hans"), pytest.raises(ValidationError, match="WGS84"):
        validate_boundary(projected)
    with pytest.raises(ValidationError):
        validate_boundary({"type": "Point", "coordinates": [118.3, 36.8]})


def test_district_form_rejects_an_unknown_or_foreign_adcode(org: Any, users: Any) -> None:
    city = org["linzi_district"].city
    with translation.override("zh-hans"):
        data = {"city": city.pk, "kind": "county", "adcode": "370399", "name": "假区"}
        form = DistrictForm(data, user=users["city_admin"])
        assert not form.is_valid() and "不存在" in form.errors["adcode"][0]


def test_a_functional_zone_takes_a_statistical_code_of_its_city(org: Any, users: Any) -> None:
    city = org["linzi_district"].city
    with translation.override("zh-hans"):
        zone = {"city": city.pk, "kind": "zone", "adcode": "370399", "name": "某高新区"}
        assert DistrictForm(zone, user=users["city_admin"]).is_valid()
        # A county's GB/T 2260 code is not a zone's; another city's range is refused too.
        form = DistrictForm({**zone, "adcode": "370323"}, user=users["city_admin"])
        assert not form.is_valid() and "行政区划代码" in form.errors["adcode"][0]
        form = DistrictForm({**zone, "adcode": "370799"}, user=users["city_admin"])
        assert not form.is_valid() and "3703" in form.errors["adcode"][0]


def test_park_form_checks_boundary_and_chemical_list(org: Any, users: Any) -> None:
    district = org["linzi_district"]
    data = {"district": district.pk, "name": "边界园", "kind": "industrial", "boundary": '{"type": "Point"}'}
    form = ParkForm(data, user=users["linzi_admin"])
    assert not form.is_valid() and "boundary" in form.errors
    data = {"district": district.pk, "name": "名单园", "kind": "industrial", "chemical_park_list": "第一批"}
    form = ParkForm(data, user=users["linzi_admin"])
    assert not form.is_valid() and "chemical_park_list" in form.errors
    data["is_chemical_park"] = "on"
    assert ParkForm(data, user=users["linzi_admin"]).is_valid()


@pytest.mark.parametrize(
    ("widget", "cell", "value"),
    [
        (MoneyWidget(), "1.2亿元", Decimal("12000")),
        (MoneyWidget(), 500, Decimal("500")),
        (DateWidget(), "2024年3月", datetime.date(2024, 3, 1)),
        (DateWidget(), datetime.datetime(2024, 3, 5, 0, 0), datetime.date(2024, 3, 5)),
        (PercentWidget(), "35%", Decimal("0.35")),
        (YesNoWidget(), "否", False),
        (AreaMuWidget(), "1公顷", Decimal("15")),
        (MoneyWidget(), "", None),
    ],
)
def test_widgets_read_what_officials_type(widget: Any, cell: Any, value: Any) -> None:
    assert widget.clean(cell) == value


def test_widget_errors_are_in_the_users_language() -> None:
    with translation.override("zh-hans"), pytest.raises(ValueError, match="金额"):
        MoneyWidget().clean("很多")
    with translation.override("en"), pytest.raises(ValueError, match="amount"):
        MoneyWidget().clean("很多")

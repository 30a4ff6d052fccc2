"""Django validators over the pure parsers: one message, in the user's language."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import BaseValidator
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from zhaoshang.geo.geojson import GeometryError, check_polygon
from zhaoshang.standards import codes
from zhaoshang.standards.errors import BilingualError
from zhaoshang.standards.parsers import ParseError


def localised(error: BilingualError) -> str:
    return error.message(get_language())


def django_validator(check: Callable[[Any], Any], name: str) -> Callable[[Any], None]:
    def validator(value: Any) -> None:
        if value in (None, ""):
            return
        try:
            check(value)
        except (ParseError, GeometryError) as error:
            raise ValidationError(localised(error), code="invalid") from error

    # Named like the module attribute so that migrations can reference it.
    validator.__name__ = validator.__qualname__ = name
    validator.__module__ = __name__
    return validator


validate_adcode = django_validator(codes.validate_adcode, "validate_adcode")
validate_uscc = django_validator(codes.validate_uscc, "validate_uscc")
validate_industry_code = django_validator(codes.validate_industry_code, "validate_industry_code")
validate_boundary = django_validator(check_polygon, "validate_boundary")
validate_project_code = django_validator(codes.validate_project_code, "validate_project_code")


def validate_six_digits(value: object) -> None:
    """A district's code has six digits; whether it is a GB/T 2260 county or a zone's code is the model's check."""
    if not re.fullmatch(r"[0-9]{6}", str(value or "")):
        raise ValidationError(_("代码应为6位数字。"), code="invalid")


# --- Field rules shared by forms, the API and imports (all three call the model field's validators) ---


@deconstructible
class NonNegative(BaseValidator):
    """Money (万元), areas (亩, m²), capital, output, tax, counts and utilities are never negative.

    A :class:`BaseValidator` rather than Django's ``MinValueValidator``: DRF turns the latter into its own
    ``min_value`` with its own message, so the API would not say what the page and the import say.
    """

    message = _("不能为负数。")
    code = "min_value"

    def __init__(self) -> None:
        super().__init__(0)

    def compare(self, a: Any, b: Any) -> bool:
        return a < b


non_negative = NonNegative()

#: The earliest date any record here can carry (the founding of the PRC).
EARLIEST_DATE = datetime.date(1949, 10, 1)


@deconstructible
class PlausibleDate:
    """A date between 1949-10-01 and today plus ``future_days``.

    Two kinds of date fields use it:

    - planned or promised dates (承诺开工日期, 预计投产日期, 计划办结, 可用日期, 完成时限 …) may lie in the future:
      ``PlausibleDate()`` allows up to 30 years ahead (:data:`PLANNED_FUTURE_DAYS`);
    - recorded facts (签约日期, 开工日期, 到位日期, 发生日期, 成立日期, 核实日期 …) happened already:
      ``PlausibleDate(future_days=FACT_FUTURE_DAYS)`` allows a small margin (7 days) for entries made ahead of
      a ceremony or across time zones, not more.

    Per field: planned — ``Project.promised_start_date``, ``Project.expected_production_date``,
    ``Site.available_from``, ``Demand.ready_by``; recorded — ``Project.signed_date``, ``Project.started_date``,
    ``StageMove.date``, ``FundsEntry.date``, ``Enterprise.founded``, ``Site.idle_since``, ``Site.verified_on``.

    "Today" is the local date read at validation time, so the bound moves with the calendar and migrations
    stay stable.
    """

    def __init__(self, future_days: int = 0) -> None:
        self.future_days = future_days or PLANNED_FUTURE_DAYS

    def __call__(self, value: Any) -> None:
        if value in (None, ""):
            return
        if isinstance(value, datetime.datetime):
            value = value.date()
        latest = timezone.localdate() + datetime.timedelta(days=self.future_days)
        if value < EARLIEST_DATE or value > latest:
            raise ValidationError(
                _("日期 %(value)s 不合理:应在 %(earliest)s 至 %(latest)s 之间。"),
                code="implausible_date",
                params={"value": value, "earliest": EARLIEST_DATE, "latest": latest},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlausibleDate) and other.future_days == self.future_days

    def __hash__(self) -> int:
        return hash((PlausibleDate, self.future_days))


#: Planned or promised dates: up to 30 years ahead.
PLANNED_FUTURE_DAYS = 30 * 366
#: Recorded facts: today plus a small margin.
FACT_FUTURE_DAYS = 7

plausible_date = PlausibleDate()
past_date = PlausibleDate(future_days=FACT_FUTURE_DAYS)

"""What an export writes, beyond the resource's own rendering: every header that holds an amount or an area names its
unit ("总投资(万元)", "用地(亩)"), and every number is a number in the file, not text.

The import reads both its old headers ("总投资") and these ("总投资(万元)": the unit is taken from the header,
``core.importing.headers``), so an export imports back unchanged. Used by the list's 导出 and ``zhaoshang export``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import tablib
from import_export import widgets

from zhaoshang.core.importing.headers import split_unit
from zhaoshang.core.widgets import AreaMuWidget, MoneyWidget

UNITS: tuple[tuple[type, str], ...] = ((MoneyWidget, "万元"), (AreaMuWidget, "亩"))
NUMBER_WIDGETS: tuple[type, ...] = (MoneyWidget, AreaMuWidget, widgets.NumberWidget)


def unit_of(field: Any) -> str:
    return next((unit for kind, unit in UNITS if isinstance(field.widget, kind)), "")


def header_with_unit(header: str, unit: str) -> str:
    if not unit or split_unit(str(header))[1]:  # no unit, or the header names one already
        return str(header)
    return f"{header}({unit})"


def _number(value: Any) -> Any:
    """A cell rendered as text that is a plain number ("3000.00", "12") as the number; anything else unchanged."""
    if not isinstance(value, str) or not value.strip():
        return value
    try:
        number = Decimal(value.strip().replace(",", ""))
    except InvalidOperation:
        return value
    if not number.is_finite():
        return value
    return int(number) if number == number.to_integral() and "." not in value else number


def typed_with_units(resource: Any, dataset: tablib.Dataset) -> tablib.Dataset:
    """``dataset`` (a resource's export) with unit headers and numeric columns as numbers."""
    by_header = {str(field.column_name): field for field in resource.get_export_fields()}
    headers = [str(h) for h in dataset.headers or []]
    fields = [by_header.get(header) for header in headers]
    numeric = [field is not None and isinstance(field.widget, NUMBER_WIDGETS) for field in fields]
    typed = tablib.Dataset(
        headers=[
            header_with_unit(header, unit_of(field) if field is not None else "")
            for header, field in zip(headers, fields, strict=True)
        ]
    )
    for row in dataset:
        typed.append([_number(v) if numeric[i] else v for i, v in enumerate(row)])
    return typed


def export_dataset(resource: Any, queryset: Any) -> tablib.Dataset:
    return typed_with_units(resource, resource.export(queryset))


# --- the command line's own tables ----------------------------------------------------------------------------

# ``zhaoshang export <name> -o FILE`` for a table that is not a model's export (an app registers it, as
# ``progress-table``): handler(user, options) writes the file and returns what to print; a ValueError is refused.
_cli_exports: dict[str, Callable[[Any, dict[str, Any]], str]] = {}


def register_cli_export(name: str, handler: Callable[[Any, dict[str, Any]], str]) -> None:
    _cli_exports[name] = handler


def cli_export(name: str) -> Callable[[Any, dict[str, Any]], str] | None:
    return _cli_exports.get(name)

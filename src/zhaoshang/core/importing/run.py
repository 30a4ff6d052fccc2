"""The import run: headers mapped onto columns, cells read by their column's unit, every row or none written."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import tablib
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.core.actions import action_log
from zhaoshang.core.audit import acting_as
from zhaoshang.core.fast_import import fast_import_data
from zhaoshang.core.importing.files import table_layout
from zhaoshang.core.importing.headers import MONEY_UNITS, ColumnMap, clean_header, lookup, split_unit
from zhaoshang.core.importing.report import ImportReport, RowIssue
from zhaoshang.core.importing.resource import ScopedResource, blank_cell, clear_cell
from zhaoshang.core.models import District
from zhaoshang.core.widgets import AreaMuWidget, DateWidget, MoneyWidget
from zhaoshang.standards import parsers
from zhaoshang.standards.parsers import ParseError

PREVIEW_ROWS = 200
MAX_ISSUES = 2000
MAX_WARNINGS = 2000
# Headers every table may carry that hold nothing to store.
_ROW_NUMBER = gettext_lazy("序号:只是行的编号,不需要导入")
ALWAYS_IGNORED = {"序号": _ROW_NUMBER, "编号": _ROW_NUMBER, "No.": _ROW_NUMBER, "NO": _ROW_NUMBER}
_YEARLESS_DATE = re.compile(r"\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号]?)?(?:前|底|初|中旬|上旬|下旬)?")


class _Rollback(Exception):
    pass


def column_map(resource: ScopedResource, headers: list[str], table_unit: str = "") -> ColumnMap:
    """Each header used for one column or listed as ignored (with why); exact column names first, then the
    resource's synonyms; the unit from the header, else (for money) the table's "单位:" line."""
    key = resource.header_key()
    columns = set(resource.import_columns())
    readonly = {clean_header(f.column_name) for f in resource.fields.values() if f.readonly and f.attribute}
    ignored_known = {clean_header(h): r for h, r in {**ALWAYS_IGNORED, **resource.ignored_columns}.items()}
    found = ColumnMap()
    taken: dict[str, str] = {}
    # A read-only 区县代码 (of a row that belongs to its district through its project) is read: the row's names
    # are looked up in that district.
    context = {
        str(f.column_name) for f in resource.fields.values() if f.readonly and f.column_name == "区县代码"
    }
    for header in headers:  # exact names first: 区县代码 beside an exported 区县 is the district
        if header in context:
            found.used[header] = header
        elif header in columns and header not in taken:
            taken[header] = header
    for header in headers:
        if not header or header in context:
            continue
        if taken.get(header) == header:
            column, unit = header, split_unit(header)[1]
        else:
            column, unit = lookup(header, key)
            if column is None or column in taken:
                cleaned = clean_header(header)
                if cleaned in ignored_known:
                    reason = str(ignored_known[cleaned])
                elif cleaned in readonly:
                    reason = _("只读列:导出时写出,导入时不读")
                elif column is not None:
                    reason = _("与“%(other)s”同为一列,只读取“%(other)s”") % {"other": taken[column]}
                else:
                    reason = _("不是本表的列")
                found.ignored[header] = str(reason)
                continue
            taken[column] = header
        found.used[header] = column
        widget = resource.fields[_field_name(resource, column)].widget
        if not unit and isinstance(widget, MoneyWidget) and table_unit in MONEY_UNITS:
            unit = table_unit
        if unit:
            found.units[column] = unit
    found.used = {header: found.used[header] for header in headers if header in found.used}
    return found


def _field_name(resource: ScopedResource, column: str) -> str:
    for name, field in resource.fields.items():
        if str(field.column_name) == column:
            return str(name)
    raise KeyError(column)


_SIZE_WORDS = frozenset("过超逾近约数几上多余以左")


def _approximate(value: Any) -> bool:
    return (
        isinstance(value, str) and not _SIZE_WORDS.isdisjoint(value) and parsers.is_approximate_amount(value)
    )


def prepare(resource: ScopedResource, dataset: tablib.Dataset) -> tuple[tablib.Dataset, ColumnMap]:
    """The dataset with its headers renamed to the resource's columns and its cells read by their column's
    unit; what cannot be read as written and is not an error (过百亿, 4月2日) becomes a warning and an empty cell,
    which keeps the stored value."""
    layout = table_layout(dataset)
    resource.layout = layout
    headers = list(dataset.headers or [])
    found = column_map(resource, headers, layout.unit)
    # An ignored header keeps its name (a lookup may still read it) unless a used column has taken that name.
    taken = set(found.used.values())
    renamed = [
        found.used.get(h) or (h if h not in taken else f"\u2060{h}#{i}") for i, h in enumerate(headers)
    ]
    cells: list[tuple[int, str, Callable[[Any], Any]]] = []
    for index, header in enumerate(headers):
        column = found.used.get(header)
        if column is None or column not in resource.import_columns():
            continue
        widget = resource.fields[_field_name(resource, column)].widget
        unit = found.units.get(column, "")
        if isinstance(widget, MoneyWidget):
            cells.append((index, column, _money_reader(unit)))
        elif isinstance(widget, AreaMuWidget) and unit:
            cells.append((index, column, _area_reader(unit)))
        elif isinstance(widget, DateWidget):
            cells.append((index, column, _date_reader))
    if not cells:
        dataset.headers = renamed
        return dataset, found
    # Cells are rewritten in place (tablib's rows hold lists): no copy of a 100,000-row table.
    for position, source in enumerate(dataset._data):
        row = source._row
        for index, column, reader in cells:
            value = row[index]
            if blank_cell(value) or clear_cell(value):
                continue
            try:
                read = reader(value)
            except _Warning as warning:
                resource.warn(column, str(warning), row=layout.row_number(position))
                read = None
            if read is not value:
                row[index] = read
    dataset.headers = renamed
    return dataset, found


class _Warning(Exception):
    pass


def _money_reader(unit: str) -> Callable[[Any], Any]:
    convert = unit not in ("", "万元", "万")

    def read(value: Any) -> Any:
        if _approximate(value):
            raise _Warning(
                _("“%(value)s”不是确切金额,此格未导入(已有的值保持不变)") % {"value": str(value).strip()}
            )
        if not convert:
            return value
        try:
            return parsers.parse_money_wan(value, default_unit=unit)
        except ParseError:
            return value  # the widget reports it against its cell

    return read


def _area_reader(unit: str) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        try:
            return parsers.parse_area(value, default_unit=unit).mu
        except ParseError:
            return value

    return read


def _date_reader(value: Any) -> Any:
    if not isinstance(value, str) or value[:4].isdigit():  # a year first: read (or refused) by the widget
        return value
    text = "".join(value.split())
    if _YEARLESS_DATE.fullmatch(text):
        raise _Warning(_("日期“%(value)s”没有年份,此格未导入:请写明年份") % {"value": value.strip()})
    if not any(ch.isdigit() for ch in text):
        raise _Warning(_("“%(value)s”不是日期,此格未导入") % {"value": value.strip()})
    return value


def import_run(
    *,
    resource: ScopedResource,
    dataset: tablib.Dataset,
    user: Any,
    dry_run: bool,
    channel: str = "import",
    progress: Callable[[int, int], None] | None = None,
    before_commit: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Import every row or none: any bad row, probable duplicates left undecided, or a dry run, roll the whole
    file back.

    ``progress(done, total)`` hears of every row, good or bad, as it is checked; ``before_commit(report)`` runs
    inside the transaction, so what it writes (a job's "committed" mark) is committed with the rows or not at
    all."""
    total = len(dataset)
    layout = table_layout(dataset)
    report = ImportReport(
        total=total,
        duplicates_policy=resource.duplicates_policy,
        header_row=layout.header_row,
        table_year=layout.year,
    )
    dataset, found = prepare(resource, dataset)
    report.columns = {"used": list(found.used), "ignored": list(found.ignored)}
    report.ignored_reasons = dict(found.ignored)
    missing = _missing_columns(resource, dataset)
    if missing:
        report.issues.append(RowIssue(layout.header_row, "、".join(missing), _("缺少必需的列")))
        report.warnings = resource.warnings[:MAX_WARNINGS]
        return report
    if progress is not None:
        checked = resource.before_import_row  # the resource's own hook still runs

        def before_import_row(row: Any, **kwargs: Any) -> None:
            progress(kwargs.get("row_number", 1) - 1, total)
            checked(row, **kwargs)

        resource.before_import_row = before_import_row  # type: ignore[method-assign]
    try:
        with transaction.atomic(), acting_as(user, channel):
            # H2 fast path (core/fast_import.py): the same checks and report in bulk, for resources that opt in.
            result = fast_import_data(resource, dataset, user=user, dry_run=dry_run)
            if result is None:
                result = resource.import_data(
                    dataset,
                    dry_run=False,
                    use_transactions=True,
                    rollback_on_validation_errors=True,
                    user=user,
                )
            _collect(resource, result, report)
            if dry_run or report.issues or report.stopped_on_duplicates:
                raise _Rollback
            report.committed = True
            _log_import(resource, report, user)
            if before_commit is not None:
                before_commit(report)
    except _Rollback:
        pass
    if progress is not None:
        progress(total, total)
    return report


def _log_import(resource: ScopedResource, report: ImportReport, user: Any) -> None:
    """One named action per committed import: on its district when it wrote into one, else city-wide."""
    written = resource.districts_written - {None}
    district = District.objects.get(pk=next(iter(written))) if len(written) == 1 else None
    meta = resource._meta.model._meta
    summary = _("%(model)s:共 %(total)s 行,新增 %(new)s,更新 %(update)s,无变化 %(skip)s") % {
        "model": meta.verbose_name_plural,
        "total": report.total,
        "new": report.new,
        "update": report.update,
        "skip": report.skip,
    }
    data = {
        "model": meta.label,
        "total": report.total,
        "new": report.new,
        "update": report.update,
        "skip": report.skip,
        "summary": summary,
    }
    action_log(district, "import", user=user, data=data)


def _missing_columns(resource: ScopedResource, dataset: tablib.Dataset) -> list[str]:
    headers = set(dataset.headers or [])
    required = [str(resource.fields[name].column_name) for name in resource.get_import_id_fields()]
    return [column for column in required if column not in headers]


def _collect(resource: ScopedResource, result: Any, report: ImportReport) -> None:
    row_number = resource.layout.row_number
    for number, row_errors in result.row_errors():
        for error in row_errors:
            report.issues.append(RowIssue(row_number(number - 1), _("整行"), str(error.error)))
    for invalid in result.invalid_rows:
        for attribute, messages in invalid.error_dict.items():
            for message in messages:
                report.issues.append(
                    RowIssue(row_number(invalid.number - 1), resource.column_for(attribute), str(message))
                )
    if result.base_errors:
        for error in result.base_errors:
            report.issues.append(RowIssue(resource.layout.header_row, _("整行"), str(error.error)))
    report.issues.sort(key=lambda issue: issue.row)
    del report.issues[MAX_ISSUES:]
    report.warnings = sorted(resource.warnings, key=lambda w: w.row)[:MAX_WARNINGS]
    report.duplicates = sorted(resource.duplicates, key=lambda d: d.row)
    totals = result.totals
    report.new, report.update, report.skip = totals["new"], totals["update"], totals["skip"]
    for row_result in result.rows:
        if len(report.preview) >= PREVIEW_ROWS:
            break
        if row_result.import_type in ("new", "update"):
            sheet_row = getattr(row_result, "sheet_row", None)
            entry: dict[str, Any] = {
                "type": row_result.import_type,
                "repr": str(row_result.object_repr or ""),
            }
            if sheet_row is not None:
                entry["row"] = sheet_row
                changes = resource.changes.get(sheet_row)
                if changes:
                    entry["changes"] = [list(change) for change in changes]
            report.preview.append(entry)

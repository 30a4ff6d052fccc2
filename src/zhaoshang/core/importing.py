"""The import/export base: scoped resources, file reading and writing, and the all-or-nothing import run."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from import_export import resources
from import_export.formats.base_formats import XLSX

from zhaoshang.core.audit import acting_as
from zhaoshang.core.scope import ensure_allowed, user_scope

FORMATS = ("xlsx", "csv")


class ImportFileError(ValueError):
    """The file itself cannot be read (wrong type, encoding, no header); nothing was imported."""


class ScopedResource(resources.ModelResource):
    """A resource that only sees and writes what its user may; rows outside the scope are row errors."""

    def __init__(self, *, user: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user = user

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def get_queryset(self) -> Any:
        # The instance loader looks up rows to update only among objects the user may change.
        return self._meta.model.objects.restrict(self.user, "change")

    def get_instance(self, instance_loader: Any, row: Any) -> Any:
        # A key cell that does not resolve (an unknown district) makes a new row whose field error is reported
        # against its column, instead of one anonymous error for the whole row.
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            # Empty cells of text columns are empty strings, as the model stores them, never NULL.
            for model_field in instance._meta.concrete_fields:
                if model_field.get_internal_type() in ("CharField", "TextField") and not model_field.null:
                    if getattr(instance, model_field.attname) is None:
                        setattr(instance, model_field.attname, "")

    def validate_instance(
        self, instance: Any, import_validation_errors: Any = None, validate_unique: bool = True
    ) -> None:
        errors = dict(import_validation_errors or {})
        action = "add" if instance._state.adding else "change"
        try:
            district_id = instance.scoped_district_id
        except Exception:  # a missing related object is reported by full_clean
            district_id = None
        if district_id is not None and not user_scope(self.user, action).allows(district_id):
            errors.setdefault("district", []).append(ValidationError(_("无权在该区县录入数据")))
        super().validate_instance(instance, errors or None, validate_unique)

    def do_instance_save(self, instance: Any, is_create: bool) -> None:
        # A savepoint per row keeps one bad row (e.g. a unique clash) from breaking PostgreSQL's transaction.
        with transaction.atomic():
            super().do_instance_save(instance, is_create)
            ensure_allowed(self.user, "add" if is_create else "change", instance)

    def column_for(self, attribute: str) -> str:
        if attribute in self.fields:
            return str(self.fields[attribute].column_name)
        for resource_field in self.fields.values():
            if resource_field.attribute == attribute or resource_field.column_name == attribute:
                return str(resource_field.column_name)
        if attribute == "__all__":
            return _("整行")
        if attribute == "district":
            return "区县代码"
        verbose = self._meta.model._meta
        try:
            return str(verbose.get_field(attribute).verbose_name)
        except Exception:
            return attribute


# --- files --------------------------------------------------------------------------------------------------


def read_table(filename: str, content: bytes) -> tablib.Dataset:
    """Read an uploaded xlsx or csv; csv may be UTF-8 (BOM or not) or GBK, as Chinese Excel saves it."""
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ImportFileError(_("只支持 xlsx 和 csv 文件,收到的是“%(name)s”") % {"name": filename})
    if not content:
        raise ImportFileError(_("文件是空的"))
    if suffix == "xlsx":
        try:
            dataset = XLSX().create_dataset(content)
        except Exception as error:
            raise ImportFileError(_("无法读取 Excel 文件:%(error)s") % {"error": error}) from error
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportFileError(_("无法识别 csv 文件的编码,请另存为 UTF-8 或 GBK"))
        rows = list(csv.reader(io.StringIO(text)))
        if not rows:
            raise ImportFileError(_("文件是空的"))
        dataset = tablib.Dataset(headers=[h.strip() for h in rows[0]])
        width = len(rows[0])
        for row in rows[1:]:
            if not any(cell.strip() for cell in row):
                continue
            dataset.append([_unguarded(cell) for cell in (row + [""] * width)[:width]])
    if not dataset.headers:
        raise ImportFileError(_("第 1 行必须是表头"))
    dataset.headers = [str(h).strip() if h is not None else "" for h in dataset.headers]
    if len(dataset) > settings.IMPORT_MAX_ROWS:
        raise ImportFileError(_("一次最多导入 %(n)s 行") % {"n": settings.IMPORT_MAX_ROWS})
    return dataset


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _neutralised(value: Any) -> Any:
    # A cell that starts like a formula is run by Excel when the csv is opened (OWASP "CSV injection").
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _unguarded(cell: str) -> str:
    """Undo the export's formula guard ("'=x" → "=x"): the cell is data, and data is never evaluated here."""
    if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def write_table(dataset: tablib.Dataset, fmt: str) -> bytes:
    if fmt == "xlsx":
        return _write_xlsx(dataset)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(dataset.headers or [])
        for row in dataset:
            writer.writerow(["" if v is None else _neutralised(v) for v in row])
        # A BOM so that Excel on Chinese Windows opens UTF-8 without mojibake.
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    raise ValueError(f"unknown format {fmt!r}")


def _write_xlsx(dataset: tablib.Dataset) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    bold = Font(bold=True)
    header = []
    for name in dataset.headers or []:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.freeze_panes = "A2"
    sheet.append(header)
    for row in dataset:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # stored as text: openpyxl would otherwise write a formula
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_dataset(resource: ScopedResource) -> tablib.Dataset:
    return tablib.Dataset(headers=[str(h) for h in resource.get_export_headers()])


# --- the import run -----------------------------------------------------------------------------------------


@dataclass
class RowIssue:
    row: int  # the spreadsheet's row number: the header is row 1
    column: str
    message: str


@dataclass
class ImportReport:
    total: int = 0
    new: int = 0
    update: int = 0
    skip: int = 0
    committed: bool = False
    issues: list[RowIssue] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def bad_rows(self) -> int:
        return len({issue.row for issue in self.issues})

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok, "bad_rows": self.bad_rows}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        issues = [RowIssue(**i) for i in data.get("issues", [])]
        known = {
            k: v for k, v in data.items() if k in {"total", "new", "update", "skip", "committed", "preview"}
        }
        return cls(issues=issues, **known)


class _Rollback(Exception):
    pass


PREVIEW_ROWS = 200
MAX_ISSUES = 2000


def import_run(
    *,
    resource: ScopedResource,
    dataset: tablib.Dataset,
    user: Any,
    dry_run: bool,
    channel: str = "import",
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import every row or none: any bad row, or a dry run, rolls the whole file back."""
    report = ImportReport(total=len(dataset))
    missing = _missing_columns(resource, dataset)
    if missing:
        report.issues.append(RowIssue(1, "、".join(missing), _("缺少必需的列")))
        return report
    if progress is not None:
        resource.after_import_row = lambda row, row_result, **kw: progress(
            kw.get("row_number", 0), len(dataset)
        )
    try:
        with transaction.atomic(), acting_as(user, channel):
            result = resource.import_data(
                dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True, user=user
            )
            _collect(resource, result, report)
            if dry_run or report.issues:
                raise _Rollback
            report.committed = True
    except _Rollback:
        pass
    return report


def _missing_columns(resource: ScopedResource, dataset: tablib.Dataset) -> list[str]:
    headers = set(dataset.headers or [])
    required = [str(resource.fields[name].column_name) for name in resource.get_import_id_fields()]
    return [column for column in required if column not in headers]


def _collect(resource: ScopedResource, result: Any, report: ImportReport) -> None:
    for number, row_errors in result.row_errors():
        for error in row_errors:
            report.issues.append(RowIssue(number + 1, _("整行"), str(error.error)))
    for invalid in result.invalid_rows:
        for attribute, messages in invalid.error_dict.items():
            for message in messages:
                report.issues.append(
                    RowIssue(invalid.number + 1, resource.column_for(attribute), str(message))
                )
    if result.base_errors:
        for error in result.base_errors:
            report.issues.append(RowIssue(1, _("整行"), str(error.error)))
    report.issues.sort(key=lambda issue: issue.row)
    del report.issues[MAX_ISSUES:]
    totals = result.totals
    report.new, report.update, report.skip = totals["new"], totals["update"], totals["skip"]
    for row_result in result.rows[:PREVIEW_ROWS]:
        if row_result.import_type in ("new", "update"):
            report.preview.append({"type": row_result.import_type, "repr": str(row_result.object_repr or "")})

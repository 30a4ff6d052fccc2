"""The import/export base: scoped resources, file reading and writing, and the all-or-nothing import run."""

from __future__ import annotations

import csv
import io
import re
import zipfile
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

from zhaoshang.core.actions import action_log
from zhaoshang.core.audit import acting_as
from zhaoshang.core.models import District
from zhaoshang.core.scope import ensure_allowed, user_scope
from zhaoshang.core.spreadsheets import Sheet, table_bytes
from zhaoshang.core.uploads import MB, ArchiveError, archive_member_head, archive_open
from zhaoshang.standards.cells import unguarded

FORMATS = ("xlsx", "csv")


class ImportFileError(ValueError):
    """The file itself cannot be read (wrong type, encoding, no header); nothing was imported."""


class ScopedResource(resources.ModelResource):
    """A resource that only sees and writes what its user may; rows outside the scope are row errors."""

    def __init__(self, *, user: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user = user
        self.districts_written: set[int] = set()

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def after_import(self, dataset: Any, result: Any, **kwargs: Any) -> None:
        """No id-counter reset. django-import-export resets the table's sequence to the largest id this
        transaction sees (as loaddata does); under concurrent imports that pulls the counter back below ids other
        transactions have drawn and not yet committed, and their next row fails on a duplicate key (found by
        bench/cluster.py). Our files never carry ids (every import key is a natural key), so the counter never
        needs resetting."""

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
        self.districts_written.add(instance.scoped_district_id)

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


_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\s[^>]*>")
_RELATION_ID = re.compile(rb"\s\w+:id=\"([^\"]+)\"")
_ACTIVE_TAB = re.compile(rb"<(?:\w+:)?workbookView\b[^>]*\sactiveTab=\"(\d+)\"")
_RELATIONSHIP_TAG = re.compile(rb"<(?:\w+:)?Relationship\s[^>]*>")
_ID = re.compile(rb"\sId=\"([^\"]+)\"")
_TARGET = re.compile(rb"\sTarget=\"([^\"]+)\"")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"(?:\$?[A-Z]+\$?\d+:)?\$?[A-Z]+\$?(\d+)\"")


def _xlsx_sheet_member(archive: zipfile.ZipFile) -> str | None:
    """The member of the sheet an import reads (the active one, as openpyxl picks it); None if unclear."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return None
    workbook = archive_member_head(archive, "xl/workbook.xml", MB)
    sheets = [_RELATION_ID.search(tag) for tag in _SHEET_TAG.findall(workbook)]
    active = _ACTIVE_TAB.search(workbook)
    index = int(active.group(1)) if active else 0
    if not sheets or index >= len(sheets) or sheets[index] is None:
        return None
    wanted = sheets[index].group(1)  # type: ignore[union-attr]
    for tag in _RELATIONSHIP_TAG.findall(archive_member_head(archive, "xl/_rels/workbook.xml.rels", MB)):
        relation, target = _ID.search(tag), _TARGET.search(tag)
        if relation and target and relation.group(1) == wanted:
            path = target.group(1).decode("utf-8", "replace")
            member = path.lstrip("/") if path.startswith("/") else f"xl/{path}"
            return member if member in names else None
    return None


def _xlsx_declared_rows(archive: zipfile.ZipFile) -> int | None:
    """The data rows the sheet declares in its ``<dimension ref="A1:K120001"/>`` (read from its first bytes)."""
    member = _xlsx_sheet_member(archive)
    if member is None:
        return None
    found = _DIMENSION.search(archive_member_head(archive, member))
    return max(int(found.group(1)) - 1, 0) if found else None


def _csv_text(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("无法识别 csv 文件的编码,请另存为 UTF-8 或 GBK"))


def _csv_rows(content: bytes) -> int:
    """The data rows of a csv: its lines when they are few enough, else its records (cells may hold newlines)."""
    lines = content.count(b"\n") + (0 if content.endswith(b"\n") else 1)
    if lines - 1 <= settings.IMPORT_MAX_ROWS:
        return lines - 1
    records = csv.reader(io.StringIO(_csv_text(content)))
    return sum(1 for row in records if any(cell.strip() for cell in row)) - 1


def table_check(filename: str, content: bytes) -> int:
    """The cheap checks before a table is parsed; returns its size in bytes once unpacked.

    An xlsx is a zip: one that declares too much unpacked (a zip bomb) is refused from its central directory,
    before openpyxl opens it; a sheet that declares more rows than ``IMPORT_MAX_ROWS`` (its ``dimension``), or a
    csv with more lines, is refused before it is read."""
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ImportFileError(_("只支持 xlsx 和 csv 文件,收到的是“%(name)s”") % {"name": filename})
    if not content:
        raise ImportFileError(_("文件是空的"))
    if suffix == "xlsx":
        try:
            with archive_open(content) as archive:
                size = sum(info.file_size for info in archive.infolist())
                rows = _xlsx_declared_rows(archive)
        except (ArchiveError, zipfile.BadZipFile, KeyError, OSError, RuntimeError, EOFError) as error:
            raise ImportFileError(_("无法读取 Excel 文件:%(error)s") % {"error": error}) from None
    else:
        size, rows = len(content), _csv_rows(content)
    if rows is not None and rows > settings.IMPORT_MAX_ROWS:
        raise ImportFileError(
            _("文件有 %(rows)s 行,一次最多导入 %(n)s 行") % {"rows": rows, "n": settings.IMPORT_MAX_ROWS}
        )
    return size


def table_upload_check(filename: str, content: bytes) -> None:
    """What the upload page checks before it queues the preview job: the cheap checks always; the whole table
    only when it is small (``IMPORT_INLINE_MB`` unpacked), so its errors show on the page at once. A larger
    table is read by the preview job, off the request."""
    if table_check(filename, content) <= settings.IMPORT_INLINE_MB * MB:
        read_table(filename, content)


def read_table(filename: str, content: bytes) -> tablib.Dataset:
    """Read an uploaded xlsx or csv; csv may be UTF-8 (BOM or not) or GBK, as Chinese Excel saves it."""
    table_check(filename, content)
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix == "xlsx":
        # deferred: django-import-export's formats load openpyxl (and numpy through it) when imported
        from import_export.formats.base_formats import XLSX

        try:
            dataset = XLSX().create_dataset(content)
        except Exception as error:
            raise ImportFileError(_("无法读取 Excel 文件:%(error)s") % {"error": error}) from error
    else:
        rows = list(csv.reader(io.StringIO(_csv_text(content))))
        if not rows:
            raise ImportFileError(_("文件是空的"))
        dataset = tablib.Dataset(headers=[h.strip() for h in rows[0]])
        width = len(rows[0])
        for row in rows[1:]:
            if not any(cell.strip() for cell in row):
                continue
            dataset.append([unguarded(cell) for cell in (row + [""] * width)[:width]])
    if not dataset.headers:
        raise ImportFileError(_("第 1 行必须是表头"))
    dataset.headers = [str(h).strip() if h is not None else "" for h in dataset.headers]
    if len(dataset) > settings.IMPORT_MAX_ROWS:
        raise ImportFileError(_("一次最多导入 %(n)s 行") % {"n": settings.IMPORT_MAX_ROWS})
    return dataset


def write_table(dataset: tablib.Dataset, fmt: str) -> bytes:
    """An export or a blank template as xlsx or csv, through the one formula-guarded writer."""
    return table_bytes(Sheet("", dataset.headers or [], dataset), fmt)


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
    before_commit: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Import every row or none: any bad row, or a dry run, rolls the whole file back.

    ``progress(done, total)`` hears of every row, good or bad, as it is checked; ``before_commit(report)`` runs
    inside the transaction, so what it writes (a job's "committed" mark) is committed with the rows or not at
    all."""
    total = len(dataset)
    report = ImportReport(total=total)
    missing = _missing_columns(resource, dataset)
    if missing:
        report.issues.append(RowIssue(1, "、".join(missing), _("缺少必需的列")))
        return report
    if progress is not None:
        checked = resource.before_import_row  # the resource's own hook still runs

        def before_import_row(row: Any, **kwargs: Any) -> None:
            progress(kwargs.get("row_number", 1) - 1, total)
            checked(row, **kwargs)

        resource.before_import_row = before_import_row  # type: ignore[method-assign]
    try:
        with transaction.atomic(), acting_as(user, channel):
            result = resource.import_data(
                dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True, user=user
            )
            _collect(resource, result, report)
            if dry_run or report.issues:
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

"""The scoped resource: what a user may see and write, the headers it knows, what an empty cell means."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from import_export import resources

from zhaoshang.core.importing.headers import TableLayout, column_key
from zhaoshang.core.importing.report import DuplicateRow, RowWarning
from zhaoshang.core.scope import ensure_allowed, user_scope

# A cell that empties a stored value on purpose (an empty cell never does).
CLEAR_MARK = "<清空>"
CLEAR_MARKS = frozenset({CLEAR_MARK, "<清空>", "〈清空〉", "《清空》", "[清空]", "【清空】"})
CHANGES_KEPT = 200
# The headers officials' tables give the district column (the exported 区县 name column is read only when the
# file has no 区县代码 column).
DISTRICT_SYNONYMS = (
    "区县",
    "所在区县",
    "所在区县(功能区)",
    "区县(功能区)",
    "区县(市、区)",
    "所在区县(市、区)",
    "所在地",
    "所在县区",
    "县区",
    "县(区)",
    "区(县)",
    "所属区县",
    "区县名称",
    "区县及功能区",
    "功能区",
)  # rows whose old → new values the preview lists


def blank_cell(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(instance: Any, attname: str, value: Any) -> str:
    """A stored value as people read it: a choice's label, a related object's name, a date in ISO form."""
    if value is None or value == "":
        return ""
    model_field = next((f for f in instance._meta.concrete_fields if f.attname == attname), None)
    if model_field is not None and model_field.is_relation:
        related = model_field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else str(value)
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    return str(value)


def clear_cell(value: Any) -> bool:
    return isinstance(value, str) and "清空" in value and "".join(value.split()) in CLEAR_MARKS


class ScopedResource(resources.ModelResource):
    """A resource that only sees and writes what its user may; rows outside the scope are row errors.

    Officials' files: ``column_synonyms`` maps a column to the other headers that mean it (所在区县(功能区) for
    区县代码); ``ignored_columns`` names headers known to carry nothing to store (序号), with why. On an update an
    empty cell keeps the stored value; ``<清空>`` (or ``clear_empty=True``, the CLI's ``--clear-empty``) empties it.
    """

    column_synonyms: ClassVar[dict[str, tuple[str, ...]]] = {"区县代码": DISTRICT_SYNONYMS}
    ignored_columns: ClassVar[dict[str, Any]] = {}  # header → why (a lazy translation)

    def __init__(
        self, *, user: Any = None, clear_empty: bool = False, duplicates: str = "stop", **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.user = user
        self.districts_written: set[int] = set()
        self.clear_empty = clear_empty
        self.duplicates_policy = duplicates
        self.layout = TableLayout()
        self.row_index = 0  # the data row being imported (0-based); layout.row_number() gives its sheet row
        self.warnings: list[RowWarning] = []
        self.duplicates: list[DuplicateRow] = []
        self.changes: dict[int, list[tuple[str, str, str]]] = {}

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    # --- headers ---------------------------------------------------------------------------------------------

    @classmethod
    def synonyms(cls) -> dict[str, tuple[str, ...]]:
        """Every synonym table up the class chain, the subclass's first."""
        merged: dict[str, tuple[str, ...]] = {}
        for klass in cls.__mro__:
            for column, words in getattr(klass, "column_synonyms", {}).items():
                merged[column] = (*merged.get(column, ()), *words)
        return merged

    def import_columns(self) -> list[str]:
        return [str(f.column_name) for f in self.fields.values() if not f.readonly or f.attribute is None]

    def header_key(self) -> dict[str, str]:
        """Every spelling of a header (cleaned) → the column it means (see ``headers.column_key``)."""
        columns = self.import_columns()
        synonyms = {column: words for column, words in self.synonyms().items() if column in columns}
        return column_key(columns, synonyms)

    # --- warnings and rows -----------------------------------------------------------------------------------

    @property
    def row_number(self) -> int:
        return self.layout.row_number(self.row_index)

    def warn(self, column: str, message: str, *, row: int | None = None) -> None:
        self.warnings.append(RowWarning(self.row_number if row is None else row, column, message))

    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        self.row_index = kwargs.get("row_number", 1) - 1

    def after_import_row(self, row: Any, row_result: Any, **kwargs: Any) -> None:
        row_result.sheet_row = self.row_number  # the preview names rows as the spreadsheet numbers them

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

    def import_field(self, field: Any, instance: Any, row: Any, is_m2m: bool = False, **kwargs: Any) -> None:
        """An empty cell never erases what an update finds stored; ``<清空>`` does, on purpose."""
        if field.attribute and field.column_name in row:
            value = row[field.column_name]
            if clear_cell(value):
                row = {**row, field.column_name: None}
            elif instance.pk and not self.clear_empty and blank_cell(value):
                return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        before = self._snapshot(instance, row) if instance.pk and len(self.changes) < CHANGES_KEPT else None
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            # Empty cells of text columns are empty strings, as the model stores them, never NULL.
            for model_field in instance._meta.concrete_fields:
                if model_field.get_internal_type() in ("CharField", "TextField") and not model_field.null:
                    if getattr(instance, model_field.attname) is None:
                        setattr(instance, model_field.attname, "")
        if before is not None:
            after = self._snapshot(instance, row)
            changed = [
                (
                    column,
                    _shown(instance, attname, before[column][1]),
                    _shown(instance, attname, after[column][1]),
                )
                for column, (attname, value) in after.items()
                if value != before[column][1]
            ]
            if changed:
                self.changes[self.row_number] = changed

    def _snapshot(self, instance: Any, row: Any) -> dict[str, tuple[str, Any]]:
        """The stored values (a foreign key's id: no query) behind the row's columns, for old → new."""
        values: dict[str, tuple[str, Any]] = {}
        for field in self.get_import_fields():
            if (
                not field.attribute
                or field.readonly
                or field.column_name not in row
                or "__" in field.attribute
            ):
                continue
            try:
                attname = instance._meta.get_field(field.attribute).attname
            except Exception:  # not a model field
                continue
            values[str(field.column_name)] = (attname, getattr(instance, attname))
        return values

    def validate_instance(
        self, instance: Any, import_validation_errors: Any = None, validate_unique: bool = True
    ) -> None:
        errors = dict(import_validation_errors or {})
        action = "add" if instance._state.adding else "change"
        try:
            district_id = instance.scoped_district_id
        except Exception:  # a missing related object is reported by full_clean
            district_id = None
        if district_id is not None and not user_scope(self.user, action, type(instance)).allows(district_id):
            errors.setdefault("district", []).append(ValidationError(_("无权在该区县录入数据")))
        super().validate_instance(instance, errors or None, validate_unique)

    def do_instance_save(self, instance: Any, is_create: bool) -> None:
        # A savepoint per row keeps one bad row (e.g. a unique clash) from breaking PostgreSQL's transaction.
        with transaction.atomic():
            super().do_instance_save(instance, is_create)
            ensure_allowed(self.user, "add" if is_create else "change", instance, itself=True)
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

"""The bulk path of an import: the same checks, messages and report as the row-by-row run, without its queries.

The generic run (``importing.import_run`` over django-import-export) saves every row in a savepoint, inside a
transaction that a preview then rolls back, and asks the database once or more per row: the district of the
row (twice), the existing record to update, the unique constraint, the insert and its history row. This path,
which a resource opts into with ``fast_import = True``, keeps every check of that run and its order:

* the same hooks and widgets parse the same cells (``before_import_row``, ``import_instance``, ``init_instance``),
  so every cell message is the same, in the same column;
* the same scope: a row may update only a record the user may change (the loader's queryset), and may write
  only where the user may add or change (``ScopedResource.validate_instance``), after the save too;
* the same model validation (``full_clean``), with the checks that query the database done in bulk: the
  row's district is asked once per distinct cell (as are the app's pure cell parsers: choices, money, dates),
  and the model's unique constraints are checked against one read of the clashing keys plus the rows of the
  file already accepted; what a save would refuse (a value its column cannot take, NUL on PostgreSQL) is
  refused for the row as the save refuses it;
* the same sequence semantics: a row naming a record an earlier row of the file created or changed updates
  that record, as the generic run finds it saved;
* all or nothing: nothing is written unless every row is good; a preview writes nothing at all;
* on commit, new records are inserted in bulk with their history rows (user and channel as ``acting_as`` says),
  changed ones are saved one by one (edit counter, timestamp and history as every save).

It returns django-import-export's ``Result`` so that ``import_run`` reports it exactly as the generic run's;
``None`` when the resource does not qualify (then the generic run imports it).
"""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connections, router, transaction
from django.db.models import DecimalField, UniqueConstraint
from django.utils.translation import gettext as _
from import_export import widgets
from import_export.results import Result, RowResult
from simple_history.utils import get_history_manager_for_model

from zhaoshang.core import widgets as core_widgets
from zhaoshang.core.audit import AuditError, current_actor, current_channel
from zhaoshang.core.models import District
from zhaoshang.core.scope import ensure_allowed, user_scope
from zhaoshang.core.widgets import DistrictWidget, LookupWidget

# Hooks whose row-by-row behaviour this path reproduces only as the base classes define them: a resource that
# overrides one of them is imported by the generic run.
_FIXED_HOOKS = (
    *("get_instance", "get_or_init_instance", "get_queryset", "for_delete", "skip_row", "validate_instance"),
    *("save_instance", "do_instance_save", "before_save_instance", "after_save_instance", "save_m2m"),
    *("import_row", "import_data", "import_data_inner"),
)
CHUNK = 900  # keys per IN (...) query: under SQLite's and PostgreSQL's parameter limits with room to spare


class _Unsupported(Exception):
    pass


class _Undo(Exception):
    pass


class _Memo(widgets.Widget):  # type: ignore[misc]
    """A cell widget asked once per distinct cell: a file of 100,000 firms names a handful of districts,
    statuses and capital amounts. Only for widgets whose answer (a value, or the widget's own error) depends on
    the cell and the user alone (the district, the app's parsers and choice lists); the districts do not change
    while a file is imported."""

    LIMIT = 20_000  # distinct cells remembered per column

    def __init__(self, original: Any) -> None:
        self.original = original
        self.memo: dict[tuple[Any, ...], tuple[Any, str | None]] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.original, name)

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        key = (type(value), value if isinstance(value, str) else repr(value), kwargs.get("user"))
        answer = self.memo.get(key)
        if answer is None:
            try:
                answer = (self.original.clean(value, row, **kwargs), None)
            except ValueError as error:
                answer = (None, str(error))
            if len(self.memo) < self.LIMIT:
                self.memo[key] = answer
        if answer[1] is not None:
            raise ValueError(answer[1])
        return answer[0]


# Widgets whose clean() is a pure function of the cell (and the language, fixed during a run). Their answers
# are immutable values (text, numbers, dates, booleans), so one answer may serve several rows.
_PURE_WIDGETS = (
    core_widgets.MoneyWidget,
    core_widgets.DateWidget,
    core_widgets.PercentWidget,
    core_widgets.AdcodeWidget,
    core_widgets.IndustryCodeWidget,
    core_widgets.ClassCodeWidget,
    core_widgets.AreaMuWidget,
    core_widgets.YesNoWidget,
    core_widgets.ChoiceWidget,
)


def _overrides(resource: Any, name: str) -> bool:
    """Whether the resource's class (or a class between it and the scoped base) redefines a hook."""
    owner = next((k for k in type(resource).__mro__ if name in vars(k)), None)
    module = getattr(owner, "__module__", "")
    return not (module.startswith("import_export.") or module == "zhaoshang.core.importing.resource")


def _qualifies(resource: Any, model: Any) -> None:
    """Raise _Unsupported unless the bulk path reproduces this resource's run exactly."""
    meta = resource._meta
    if not getattr(resource, "fast_import", False) or meta.use_bulk or meta.skip_unchanged:
        raise _Unsupported
    if not meta.clean_model_instances or meta.force_init_instance:
        raise _Unsupported
    if any(_overrides(resource, name) for name in _FIXED_HOOKS):
        raise _Unsupported
    ids = list(resource.get_import_id_fields())
    if not ids or ids[0] != "district":
        raise _Unsupported
    widget = resource.fields["district"].widget
    # By its code or name (DistrictWidget), or a plain lookup by code: what a cell says depends on the cell alone.
    if not isinstance(widget, DistrictWidget):
        if not isinstance(widget, LookupWidget) or widget.model is not District or widget.scoped:
            raise _Unsupported
        if widget.district_column:
            raise _Unsupported
    for field in resource.fields.values():
        if isinstance(field.widget, widgets.ManyToManyWidget):
            raise _Unsupported
    for name in ids[1:]:
        if isinstance(resource.fields[name].widget, widgets.ForeignKeyWidget):
            raise _Unsupported
    probe = model()
    unique_checks, date_checks = probe._get_unique_checks()
    if date_checks or any(tuple(fields) != (model._meta.pk.name,) for _cls, fields in unique_checks):
        raise _Unsupported
    for _cls, constraints in probe.get_constraints():
        for constraint in constraints:
            if not isinstance(constraint, UniqueConstraint) or not constraint.fields:
                raise _Unsupported
            if constraint.condition is not None or constraint.expressions or constraint.include:
                raise _Unsupported
            if constraint.nulls_distinct is False or constraint.deferrable is not None:
                raise _Unsupported


def fast_import_data(resource: Any, dataset: Any, *, user: Any, dry_run: bool) -> Result | None:
    """Import ``dataset`` through ``resource`` as ``import_run`` does, in bulk; None if it does not qualify."""
    model = resource._meta.model
    try:
        _qualifies(resource, model)
    except _Unsupported:
        return None
    originals = {}
    for name, field in resource.fields.items():
        if name == "district" or type(field.widget) in _PURE_WIDGETS:
            originals[name] = field.widget
            field.widget = _Memo(field.widget)
    try:
        return _FastRun(resource, model, user, dry_run).run(dataset)
    finally:
        for name, widget in originals.items():
            resource.fields[name].widget = widget


class _FastRun:
    def __init__(self, resource: Any, model: Any, user: Any, dry_run: bool) -> None:
        self.resource = resource
        self.model = model
        self.user = user
        self.dry_run = dry_run
        self.using = router.db_for_write(model)
        self.postgres = connections[self.using].vendor == "postgresql"
        self.id_fields = [resource.fields[name] for name in resource.get_import_id_fields()]
        self.key_attnames = [model._meta.get_field(field.attribute).attname for field in self.id_fields]
        # Whom the loader sees (the records the user may change) and where a row may be written.
        self.change_scope = user_scope(user, "change", model)
        self.write_scope = {action: user_scope(user, action) for action in ("add", "change")}
        self.constraints = [
            constraint for _cls, constraints in model().get_constraints() for constraint in constraints
        ]
        self.attnames = {
            constraint.name: tuple(model._meta.get_field(name).attname for name in constraint.fields)
            for constraint in self.constraints
        }
        # The records rows may update, by their import key (existing, then as accepted rows leave them).
        self.index: dict[tuple[Any, ...], tuple[Any, Any]] = {}
        # Who holds each unique key: primary keys of stored rows, ("row", n) of rows this file creates.
        self.holders: dict[tuple[str, tuple[Any, ...]], set[Any]] = defaultdict(set)
        self.held: dict[Any, dict[str, tuple[Any, ...]]] = {}
        self.asked: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
        self.accepted: list[tuple[int, Any, Any, bool]] = []  # (row number, instance, token, new)
        self.prep_fields = [
            f
            for f in model._meta.concrete_fields
            if not f.primary_key
            and not getattr(f, "auto_now", False)
            and not getattr(f, "auto_now_add", False)
        ]
        self.json_fields = [
            f.attname for f in model._meta.concrete_fields if f.get_internal_type() == "JSONField"
        ]
        self.text_fields = [
            f.attname
            for f in model._meta.concrete_fields
            if f.get_internal_type() in ("CharField", "TextField")
        ]

    # --- preparation ---------------------------------------------------------------------------------------

    def _keys(self, rows: list[dict[str, Any]]) -> list[tuple[Any, ...] | None]:
        """Each row's import key as the loader builds it (None when a key cell does not clean)."""
        keys: list[tuple[Any, ...] | None] = []
        for row in rows:
            try:
                values = []
                for field in self.id_fields:
                    if field.column_name not in row:
                        raise ValueError
                    value = field.clean(row)
                    values.append(value.pk if field.attribute == "district" and value is not None else value)
                keys.append(tuple(values) if all(v is not None for v in values) else None)
            except ValueError:
                keys.append(None)
        return keys

    def _load(self, keys: Iterable[tuple[Any, ...] | None]) -> None:
        """The records the file's keys name: those the user may change (to update), and every stored holder
        of a unique key (to check the constraints), a chunk of keys per query."""
        wanted = sorted({key for key in keys if key is not None}, key=repr)
        key_attnames = self.key_attnames  # district → district_id
        changeable = self.model.objects.restrict(self.user, "change")
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            lookup = {f"{attname}__in": {key[i] for key in chunk} for i, attname in enumerate(key_attnames)}
            wanted_here = set(chunk)
            for instance in changeable.filter(**lookup):
                key = tuple(getattr(instance, attname) for attname in key_attnames)
                if key in wanted_here:
                    self.index[key] = (instance, instance.pk)
        for constraint in self.constraints:
            attnames = self.attnames[constraint.name]
            if set(attnames) != set(key_attnames):
                continue  # asked for row by row (below), as the generic run does
            order = [key_attnames.index(attname) for attname in attnames]
            values = {tuple(key[i] for i in order) for key in wanted}
            self._ask(constraint.name, attnames, values)

    def _ask(self, name: str, attnames: tuple[str, ...], values: set[tuple[Any, ...]]) -> None:
        """Record the stored holders of these values of a unique constraint (every record, whatever the scope,
        as the model's validation reads them)."""
        values = values - self.asked[name]
        self.asked[name] |= values
        manager = self.model._default_manager.using(self.using)
        ordered = sorted(values, key=repr)
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start : start + CHUNK]
            lookup = {f"{attname}__in": {value[i] for value in chunk} for i, attname in enumerate(attnames)}
            wanted = set(chunk)
            for pk, *found in manager.filter(**lookup).values_list("pk", *attnames):
                if tuple(found) in wanted:
                    self.holders[(name, tuple(found))].add(pk)
                    self.held.setdefault(pk, {})[name] = tuple(found)

    # --- the run -------------------------------------------------------------------------------------------

    def run(self, dataset: Any) -> Result:
        resource = self.resource
        result = resource.get_result_class()()
        result.diff_headers = resource.get_diff_headers()
        result.total_rows = len(dataset)
        kwargs: dict[str, Any] = {"user": self.user}
        try:
            resource.before_import(dataset, **kwargs)
            resource._check_import_id_fields(dataset.headers)
        except Exception as error:
            resource.handle_import_error(result, error)
        headers = list(dataset.headers or [])
        rows = [dict(zip(headers, data_row, strict=False)) for data_row in dataset]
        keys = self._keys(rows)
        self._load(keys)
        for number, (row, key) in enumerate(zip(rows, keys, strict=True), 1):
            row_kwargs = {**kwargs, "dry_run": False, "using_transactions": True, "row_number": number}
            row_result = self._row(number, row, key, row_kwargs)
            result.increment_row_result_total(row_result)
            if row_result.errors:
                result.append_error_row(number, row, row_result.errors)
            elif row_result.validation_error:
                result.append_invalid_row(number, row, row_result.validation_error)
            result.append_row_result(row_result)
        if not self.dry_run and not result.has_errors() and not result.has_validation_errors():
            self._write(result)
        try:
            resource.after_import(dataset, result, **kwargs)
        except Exception as error:
            resource.handle_import_error(result, error)
        return result

    def _row(self, number: int, row: dict[str, Any], key: Any, kwargs: dict[str, Any]) -> RowResult:
        resource = self.resource
        row_result = resource.get_row_result_class()()
        try:
            resource.before_import_row(row, **kwargs)
            found = self.index.get(key) if key is not None else None
            if found is not None:
                # A copy: the row may turn out bad, and the record must then stay as it was for later rows.
                instance, token = copy.copy(found[0]), found[1]
                instance._state.adding = False  # the generic run finds it saved, whichever row made it
                new = False
            else:
                instance, token = resource.init_instance(row), ("row", number)
                new = True
            resource.after_init_instance(instance, new, row, **kwargs)
            row_result.import_type = RowResult.IMPORT_TYPE_NEW if new else RowResult.IMPORT_TYPE_UPDATE
            errors: dict[str, Any] = {}
            try:
                resource.import_instance(instance, row, **kwargs)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
            self._validate(instance, errors, token)
            self._save(number, instance, token, new)
            row_result.add_instance_info(instance)
            resource.after_import_row(row, row_result, **kwargs)
        except ValidationError as error:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = error
        except Exception as error:
            row_result.import_type = RowResult.IMPORT_TYPE_ERROR
            row_result.errors.append(resource.get_error_result_class()(error, row=row, number=number))
        return row_result

    def _validate(self, instance: Any, errors: dict[str, Any], token: Any) -> None:
        """``ScopedResource.validate_instance`` and ``full_clean``, with the queries answered from memory."""
        errors = dict(errors)
        action = "add" if instance._state.adding else "change"
        try:
            district_id = instance.scoped_district_id
        except Exception:  # a missing related object is reported by full_clean
            district_id = None
        if district_id is not None and not self.write_scope[action].allows(district_id):
            errors.setdefault("district", []).append(ValidationError(_("无权在该区县录入数据")))
        exclude = set(errors)
        # The district came from the table of districts: its existence check would be the row's one query.
        skip = {"district"} if getattr(instance, "district_id", None) is not None else set()
        try:
            instance.full_clean(exclude=exclude | skip, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # Model.full_clean runs the constraint checks on the fields that passed validation only.
        exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
        for constraint in self.constraints:
            if any(name in exclude for name in constraint.fields):
                continue
            attnames = self.attnames[constraint.name]
            values = tuple(getattr(instance, attname) for attname in attnames)
            if any(value is None for value in values):
                continue  # NULL is never equal to NULL: no clash
            if values not in self.asked[constraint.name]:
                self._ask(constraint.name, attnames, {values})
            if self.holders[(constraint.name, values)] - {token}:
                clash = instance.unique_error_message(self.model, constraint.fields)
                if getattr(clash, "code", None) == "unique" and len(constraint.fields) == 1:
                    errors.setdefault(constraint.fields[0], []).append(clash)
                else:
                    errors = clash.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _save(self, number: int, instance: Any, token: Any, new: bool) -> None:
        """What the generic run's save leaves behind, kept in memory: the record as later rows find it."""
        # What the save would refuse before the database sees it: a value its column cannot take ("" for a
        # number), reported for the whole row with Django's message, as the generic run's save reports it.
        connection = connections[self.using]
        for model_field in self.prep_fields:
            model_field.get_db_prep_save(getattr(instance, model_field.attname), connection)
        if self.postgres and self._has_nul(instance):
            self._probe_save(instance, token)
        action = "add" if new else "change"
        ensure_allowed(self.user, action, instance, itself=True)
        if isinstance(token, tuple):
            # A stand-in for the id the generic run's save gives the record: later rows of the file that name
            # it find a stored record (an empty cell then keeps its value). Dropped before the real insert.
            instance.pk = -number
        self.resource.districts_written.add(instance.scoped_district_id)
        key_values = tuple(getattr(instance, attname) for attname in self.key_attnames)
        if self.change_scope.allows(instance.scoped_district_id):
            self.index[key_values] = (self._as_stored(instance), token)
        for name, old in self.held.get(token, {}).items():
            self.holders[(name, old)].discard(token)
        self.held[token] = {}
        for constraint in self.constraints:
            values = tuple(getattr(instance, attname) for attname in self.attnames[constraint.name])
            self.holders[(constraint.name, values)].add(token)
            self.held[token][constraint.name] = values
        if not self.dry_run:  # a preview writes nothing: no need to keep the rows
            self.accepted.append((number, instance, token, new))

    def _as_stored(self, instance: Any) -> Any:
        """The record as a later row of the generic run reads it back from the database: "12" as 12, "118.3"
        as 118.3, 5000 as 5000.0000 (the column's decimal places)."""
        stored = copy.copy(instance)
        for model_field in self.prep_fields:
            value = getattr(stored, model_field.attname)
            if value is None or model_field.get_internal_type() == "JSONField":
                continue
            value = model_field.to_python(value)
            if isinstance(model_field, DecimalField):
                value = value.quantize(
                    Decimal(1).scaleb(-model_field.decimal_places), context=model_field.context
                )
            setattr(stored, model_field.attname, value)
        return stored

    def _has_nul(self, instance: Any) -> bool:
        for attname in self.text_fields:
            value = getattr(instance, attname)
            if isinstance(value, str) and "\x00" in value:
                return True
        for attname in self.json_fields:
            value = getattr(instance, attname)
            if value and "\\u0000" in json.dumps(value):
                return True
        return False

    def _probe_save(self, instance: Any, token: Any) -> None:
        """PostgreSQL refuses NUL characters when the row is saved, an error the generic run reports for the
        row: try that save in a savepoint, always undone, so that the row gets the database's own message."""
        probe = copy.copy(instance)
        if isinstance(token, tuple):
            probe.pk = None
        try:
            with transaction.atomic(using=self.using):
                probe.save(force_insert=probe.pk is None, using=self.using)
                raise _Undo
        except _Undo:
            pass

    # --- commit --------------------------------------------------------------------------------------------

    def _write(self, result: Result) -> None:
        """Every row is good: write them. New records that one row makes are inserted in bulk with their
        history; the rest (changes, and a record several rows of the file touch) are saved in row order."""
        actor = current_actor()
        channel = current_channel()
        if actor is None and channel != "migrate":
            raise AuditError(self.model._meta.label)
        rows_per_token: dict[Any, int] = defaultdict(int)
        for _number, _instance, token, _new in self.accepted:
            rows_per_token[token] += 1
        bulk = [
            instance for _number, instance, token, new in self.accepted if new and rows_per_token[token] == 1
        ]
        for instance in bulk:
            instance.pk = None
        manager = self.model._default_manager.db_manager(self.using)
        created = manager.bulk_create(bulk, batch_size=500) if bulk else []
        if created and any(instance.pk is None for instance in created):
            raise RuntimeError("bulk insert returned no primary keys")  # pragma: no cover - old SQLite only
        if created:
            history = get_history_manager_for_model(self.model)
            history.bulk_history_create(
                created, batch_size=500, default_user=actor, default_change_reason=channel
            )
        saved: dict[Any, Any] = {}
        for _number, instance, token, new in self.accepted:
            if new and rows_per_token[token] == 1:
                continue
            before = saved.get(token)
            if before is not None:  # a record an earlier row of the file created or changed
                instance.pk = before.pk
                instance._state.adding = False
                instance._state.db = before._state.db
                for name in ("created", "updated", "edit_version"):
                    if hasattr(before, name):
                        setattr(instance, name, getattr(before, name))
            elif new:
                instance.pk = None
            instance.save(force_insert=instance._state.adding, using=self.using)
            saved[token] = instance

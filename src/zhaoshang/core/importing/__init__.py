"""The import/export base: scoped resources, file reading and writing, and the all-or-nothing import run.

By subject: ``files`` (reading xlsx/csv below title and unit rows, writing), ``headers`` (header row, units,
synonyms), ``resource`` (``ScopedResource``), ``report`` (what a run reports), ``run`` (``import_run``)."""

from zhaoshang.core.importing.files import (
    FORMATS,
    ImportFileError,
    read_table,
    table_check,
    table_layout,
    table_upload_check,
    template_dataset,
    write_table,
)
from zhaoshang.core.importing.headers import TableLayout
from zhaoshang.core.importing.report import (
    DUPLICATE_POLICIES,
    DuplicateRow,
    ImportReport,
    RowIssue,
    RowWarning,
)
from zhaoshang.core.importing.resource import CLEAR_MARK, ScopedResource
from zhaoshang.core.importing.run import MAX_ISSUES, PREVIEW_ROWS, column_map, import_run, prepare

__all__ = [
    "CLEAR_MARK",
    "DUPLICATE_POLICIES",
    "FORMATS",
    "MAX_ISSUES",
    "PREVIEW_ROWS",
    "DuplicateRow",
    "ImportFileError",
    "ImportReport",
    "RowIssue",
    "RowWarning",
    "ScopedResource",
    "TableLayout",
    "column_map",
    "import_run",
    "prepare",
    "read_table",
    "table_check",
    "table_layout",
    "table_upload_check",
    "template_dataset",
    "write_table",
]

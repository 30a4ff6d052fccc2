"""What an import run reports: counts, row errors, warnings, duplicates, the columns it read and ignored."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

DUPLICATE_POLICIES = ("stop", "update", "new", "skip")


@dataclass
class RowIssue:
    row: int  # the spreadsheet's row number, as Excel shows it (title rows above the header counted)
    column: str
    message: str


@dataclass
class RowWarning:
    """A cell that was not taken (过百亿, a date without a year) or a guess the import made; the row still goes in."""

    row: int
    column: str
    message: str


@dataclass
class DuplicateRow:
    """A new row that looks like a project already recorded (same USCC or 项目代码, or a near name)."""

    row: int
    existing_id: int | None  # None: an earlier row of the same file (``existing_row``)
    existing_name: str
    reason: str
    name: str = ""  # the row's own name, for the preview
    probable: bool = True  # probable ones stop the import until a person decides; possible ones are shown
    existing_row: int | None = None


@dataclass
class ImportReport:
    total: int = 0
    new: int = 0
    update: int = 0
    skip: int = 0
    committed: bool = False
    issues: list[RowIssue] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    columns: dict[str, list[str]] = field(default_factory=lambda: {"used": [], "ignored": []})
    # why each ignored column was not read (header → reason), for the preview page
    ignored_reasons: dict[str, str] = field(default_factory=dict)
    warnings: list[RowWarning] = field(default_factory=list)
    duplicates: list[DuplicateRow] = field(default_factory=list)
    duplicates_policy: str = "stop"
    header_row: int = 1
    table_year: int | None = None

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def bad_rows(self) -> int:
        return len({issue.row for issue in self.issues})

    @property
    def stopped_on_duplicates(self) -> bool:
        """Probable duplicates and no decision what to do with them: nothing is written."""
        return self.duplicates_policy == "stop" and any(d.probable for d in self.duplicates)

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "ok": self.ok,
            "bad_rows": self.bad_rows,
            "stopped_on_duplicates": self.stopped_on_duplicates,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        issues = [RowIssue(**i) for i in data.get("issues", [])]
        warnings = [RowWarning(**w) for w in data.get("warnings", [])]
        duplicates = [DuplicateRow(**d) for d in data.get("duplicates", [])]
        plain = {
            "total",
            "new",
            "update",
            "skip",
            "committed",
            "preview",
            "columns",
            "ignored_reasons",
            "duplicates_policy",
            "header_row",
            "table_year",
        }
        known = {k: v for k, v in data.items() if k in plain}
        return cls(issues=issues, warnings=warnings, duplicates=duplicates, **known)

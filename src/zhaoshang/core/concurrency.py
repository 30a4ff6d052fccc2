"""No lost updates: an edit made on version N of a record is written only while the record is still at N.

The web form carries the version it showed (`_version`); the API carries it as an ETag and takes it back in
If-Match. A stale write raises `StaleEdit`; the form then shows what the other person changed and asks, the API
answers 412. Records without a version in hand (scripts that read nothing first) are written as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _


class StaleEdit(Exception):
    """The record changed after the editor read it."""

    def __init__(self, instance: Any, *, seen: int, current: int) -> None:
        self.instance = instance
        self.seen = seen
        self.current = current
        super().__init__(
            f"{instance._meta.label} {instance.pk}: edited at version {seen}, now at version {current}"
        )


def expect_version(instance: Any, seen: int | None) -> Any:
    """Mark `instance` so that its next save is refused unless the stored record is still at `seen`."""
    if seen is not None and instance.pk is not None:
        instance._seen_version = seen
    return instance


def parse_version(raw: str | None) -> int | None:
    """A version from a form field or an If-Match header (`"7"`, `W/"7"`, `7`); None when absent or unreadable."""
    if not raw:
        return None
    text = raw.strip()
    if text.startswith("W/"):
        text = text[2:]
    text = text.strip('"')
    return int(text) if text.isdigit() else None


def etag(instance: Any) -> str:
    return f'"{instance.edit_version}"'


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    theirs: str
    yours: str


def their_changes(instance: Any, seen: int, submitted: dict[str, Any] | None = None) -> dict[str, Any]:
    """What happened between version `seen` and now: who, when and the fields they changed."""
    history = getattr(instance, "history", None)
    current = type(instance)._base_manager.filter(pk=instance.pk).first()
    if current is None:
        latest = history.order_by("-history_id").first() if history is not None else None
        return {
            "by": getattr(latest, "history_user", None),
            "at": getattr(latest, "history_date", None),
            "changes": [],
            "current_version": 0,  # versions start at 1: every further save of this form is refused too
            "note": _("此记录在您打开后已被删除,无法保存;可在“已删除记录”中恢复。"),
        }
    before = (
        history.filter(edit_version=seen).order_by("-history_id").first() if history is not None else None
    )
    latest = history.order_by("-history_id").first() if history is not None else None
    changes: list[Change] = []
    if before is not None:
        for field in type(instance)._meta.concrete_fields:
            if field.name in ("updated", "edit_version", "created") or not field.editable:
                continue
            old = getattr(before, field.attname, None)
            new = getattr(current, field.attname, None)
            if old != new:
                changes.append(
                    Change(
                        field=field.name,
                        label=str(field.verbose_name),
                        theirs=_display(current, field),
                        yours=_text((submitted or {}).get(field.name)),
                    )
                )
    return {
        "by": getattr(latest, "history_user", None) if latest is not None else None,
        "at": getattr(latest, "history_date", None) if latest is not None else None,
        "changes": changes,
        "current_version": current.edit_version,
        "note": _("此记录在您打开后已被他人修改。") if not changes else "",
    }


def _display(obj: Any, field: Any) -> str:
    if field.choices:
        return str(getattr(obj, f"get_{field.name}_display")())
    return _text(getattr(obj, field.name, None))


def _text(value: Any) -> str:
    """A value as a person reads it: 36500 rather than 36500.0000, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)

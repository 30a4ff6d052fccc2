from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from zhaoshang.enterprises.forms import ContactLogForm
from zhaoshang.enterprises.models import TRACKED_FIELDS, TargetEntry

REMIND_DAYS = 3
OPEN = [s for s in TargetEntry.Status if s not in (TargetEntry.Status.CONVERTED, TargetEntry.Status.DROPPED)]


def due_filter(today: datetime.date | None = None) -> Q:
    today = today or timezone.localdate()
    return Q(status__in=OPEN, next_action_date__lte=today + datetime.timedelta(days=REMIND_DAYS))


def targets_due(user: Any) -> Any:
    """Open targets whose next action is due within three days or overdue, oldest first: the reminders."""
    return (
        TargetEntry.objects.restrict(user, "view")
        .filter(due_filter())
        .select_related("enterprise", "chain", "node")
        .order_by("next_action_date")
    )


def enterprise_detail_context(enterprise: Any, user: Any) -> dict[str, Any]:
    rows = []
    for name in TRACKED_FIELDS:
        field = enterprise._meta.get_field(name)
        rows.append(
            {
                "name": name,
                "label": field.verbose_name,
                "provenance": enterprise.provenance.get(name),
                "override": enterprise.overrides.get(name),
            }
        )
    return {
        "attributes": rows,
        "placements": enterprise.placements.select_related("node__chain").order_by(
            "excluded", "node__chain__name"
        ),
        "targets": enterprise.target_entries.select_related("chain", "node"),
    }


def target_detail_context(entry: Any, user: Any) -> dict[str, Any]:
    form = ContactLogForm(initial={"entry": entry.pk, "date": timezone.localdate()}, user=user)
    return {"contacts": entry.contacts.all(), "contact_form": form}

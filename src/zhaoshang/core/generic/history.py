"""Who changed what and when, per object; deleted records listed and restorable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from zhaoshang.core.actions import action_entries, action_label
from zhaoshang.core.generic.base import ConfigView
from zhaoshang.core.scope import user_scope
from zhaoshang.core.services import object_restore

HISTORY_LIMIT = 200


@dataclass
class Change:
    field: str
    old: Any
    new: Any


def history_entries(obj: Any, limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    """History rows newest first, each with the fields it changed (diffed in memory, no query per row)."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes: list[Change] = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                field = obj._meta.get_field(change.field)
                changes.append(Change(str(field.verbose_name), change.old, change.new))
        entries.append({"record": record, "changes": changes})
    return entries


def history_timeline(obj: Any, limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    """The field diffs and the named actions (阶段核实, 堵点销号…) of an object in one list, newest first."""
    timeline = [{**entry, "at": entry["record"].history_date} for entry in history_entries(obj, limit)]
    for action in action_entries(obj, limit):
        summary = action.data.get("summary", "") if isinstance(action.data, dict) else ""
        timeline.append(
            {"at": action.at, "action": action, "label": action_label(action), "summary": summary}
        )
    # An action is written after the saves it names: at the same instant it comes first (it says what they did).
    timeline.sort(key=lambda entry: (entry["at"], "action" in entry), reverse=True)
    return timeline[:limit]


class ObjectHistoryView(ConfigView):
    def get(self, request: Any, pk: int) -> HttpResponse:
        obj = self.get_object()
        return render(
            request,
            "generic/object_history.html",
            self.base_context(object=obj, entries=history_timeline(obj)),
        )


class DeletedListView(ConfigView):
    """Deleted records of this model that the user may restore (add scope), newest first."""

    def deletions(self) -> Any:
        model = self.config.model
        scope = user_scope(self.request.user, "add", model)
        rows = model.history.filter(history_type="-").select_related("history_user").order_by("-history_date")
        if not scope.all_districts:
            rows = rows.filter(**{f"{model.scope_path}__in": scope.district_ids})
        return rows.exclude(**{f"{model._meta.pk.attname}__in": model.objects.values("pk")})

    def get(self, request: Any) -> HttpResponse:
        return render(request, "generic/deleted_list.html", self.base_context(rows=self.deletions()[:200]))


class RestoreView(DeletedListView):
    def post(self, request: Any, history_id: int) -> HttpResponse:
        record = get_object_or_404(self.deletions(), history_id=history_id)
        try:
            obj = object_restore(historical=record, user=request.user)
        except ValueError as error:
            raise Http404 from error
        messages.success(request, _("已恢复:%(obj)s") % {"obj": obj})
        return redirect(reverse(self.config.url_name("detail"), args=[obj.pk]))

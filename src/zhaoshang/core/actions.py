"""The named actions: one table of codes and labels, `action_log` that the services call, and the reads.

A history row says which fields changed; an action entry says what was done, by whom, through which door:
"阶段核实" on a project, "堵点销号" on a blocker, "月度评分" on a district. Each named action is written by its
service, inside the service's transaction, once per action.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.translation import pgettext_lazy

from zhaoshang.core.audit import CHANNELS, AuditError, current_channel
from zhaoshang.core.models import ActionEntry

NAMED_ACTIONS: dict[str, Any] = {
    "stage_request": pgettext_lazy("named action", "阶段变更申请"),
    "stage_verify": pgettext_lazy("named action", "阶段核实"),
    "stage_reject": pgettext_lazy("named action", "阶段退回"),
    "project_terminate": pgettext_lazy("named action", "项目终止"),
    "blocker_assign": pgettext_lazy("named action", "堵点交办"),
    "blocker_solve": pgettext_lazy("named action", "堵点办结"),
    "blocker_strike_off": pgettext_lazy("named action", "堵点销号"),
    "blocker_reopen": pgettext_lazy("named action", "堵点退回"),
    "blocker_escalate": pgettext_lazy("named action", "堵点升级"),
    "dispatch_build": pgettext_lazy("named action", "调度报告生成"),
    "dispatch_decision": pgettext_lazy("named action", "调度议定事项下发"),
    "site_reserve": pgettext_lazy("named action", "场地预留"),
    "site_release": pgettext_lazy("named action", "场地释放"),
    "import": pgettext_lazy("named action", "导入"),
    "scores_monthly": pgettext_lazy("named action", "月度评分"),
    "completion_report": pgettext_lazy("named action", "完成投资填报"),
    "completion_verify": pgettext_lazy("named action", "完成投资核实"),
    "completion_reject": pgettext_lazy("named action", "完成投资退回"),
    "report_submit": pgettext_lazy("named action", "月报报送"),
    "report_verify": pgettext_lazy("named action", "月报审核通过"),
    "report_return": pgettext_lazy("named action", "月报退回"),
}

ACTION_ENTRIES_LIMIT = 200


def action_label(entry: ActionEntry) -> str:
    """The entry's label in the reader's language (the stored one, Chinese, for a code no longer in the table)."""
    label = NAMED_ACTIONS.get(entry.action)
    return str(label) if label is not None else entry.label


def action_log(
    obj: Any,
    action: str,
    *,
    user: Any,
    channel: str | None = None,
    data: dict[str, Any] | None = None,
    district: Any = None,
) -> ActionEntry:
    """Record that `user` did `action` to `obj` (a model instance, or None for an action on no one object, then
    in `district` or city-wide). The actor is required: an action nobody did is refused (`AuditError`)."""
    if action not in NAMED_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if user is None or not getattr(user, "pk", None):
        raise AuditError(f"action {action}")
    channel = channel or current_channel()
    if channel not in CHANNELS:
        raise ValueError(f"unknown audit channel {channel!r}")
    district_id = getattr(district, "pk", district)
    if district_id is None and obj is not None:
        district_id = getattr(obj, "scoped_district_id", None)
    # Dates, decimals and lazy strings become plain JSON once, here.
    with translation.override("zh-hans"):  # stored in Chinese whatever the actor's language
        label = str(NAMED_ACTIONS[action])
        plain = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    return ActionEntry.objects.create(
        district_id=district_id,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=obj.pk if obj is not None else None,
        object_repr=str(obj)[:200] if obj is not None else "",
        action=action,
        label=label,
        actor=user,
        channel=channel,
        data=plain,
    )


def action_entries(obj: Any, limit: int = ACTION_ENTRIES_LIMIT) -> list[ActionEntry]:
    """The named actions done to one object, newest first."""
    return list(
        ActionEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
        .select_related("actor")
        .order_by("-at", "-pk")[:limit]
    )

"""Reads for the inbox, the header badge and the configuration pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from zhaoshang.core.models import District
from zhaoshang.notifications.models import (
    ChannelConfig,
    Delivery,
    Notification,
    Preference,
    Rule,
    RuleSetting,
)
from zhaoshang.notifications.rules import DEFAULT_LEAD_DAYS


def unread_count(user: Any) -> int:
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def inbox(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    rows = Notification.objects.filter(user=user)
    return rows.filter(read_at__isnull=True) if unread_only else rows


def preference_of(user: Any) -> Preference:
    return Preference.objects.filter(user=user).first() or Preference(user=user)


def channels_for(user: Any) -> QuerySet[ChannelConfig]:
    return ChannelConfig.objects.restrict(user, "change").select_related("district", "department")


def rule_table(district: District) -> list[dict[str, Any]]:
    """Every rule with the district's choice (or the default)."""
    chosen = {s.rule: s for s in RuleSetting.objects.filter(district=district)}
    rows = []
    for value, label in Rule.choices:
        setting = chosen.get(value)
        rows.append(
            {
                "rule": value,
                "label": label,
                "enabled": setting.enabled if setting else True,
                "lead_days": setting.lead_days if setting else DEFAULT_LEAD_DAYS[value],
            }
        )
    return rows


def deliveries_for(user: Any, *, limit: int = 100) -> list[Delivery]:
    """The send log of the districts the user administers (group and person deliveries)."""
    districts = District.objects.restrict(user, "change")
    rows = Delivery.objects.filter(district__in=districts).select_related("config")
    return list(rows.order_by("-created", "-pk")[:limit])

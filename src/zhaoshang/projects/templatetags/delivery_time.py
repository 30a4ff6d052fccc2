"""Template helpers of 审批用时: signed percentages, and the dashboard card "目标 −30% · 实际 −x%"."""

from __future__ import annotations

from typing import Any

from django import template

from zhaoshang.projects.delivery.time import delivery_time_card

register = template.Library()


@register.filter
def signed_pct(value: Any) -> str:
    """−28.0 % for −0.28; "—" when not computed (never a misleading 0)."""
    if value is None or value == "":
        return "—"
    return f"{float(value):+.1%}".replace("-", "−")


@register.inclusion_tag("projects/_delivery_time_card.html", takes_context=True)
def delivery_time_summary(context: Any, district: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"card": delivery_time_card(user, district) if user is not None else None}

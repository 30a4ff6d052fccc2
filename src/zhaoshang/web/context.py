from __future__ import annotations

from typing import Any

from django.conf import settings

from zhaoshang.core.declarations import configs, nav_groups
from zhaoshang.notifications.selectors import unread_count


def navigation(request: Any) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    groups = []
    for code, label in nav_groups():
        items = [c for c in configs() if c.nav_group == code]
        if items:
            groups.append({"label": label, "items": items})
    return {
        "nav_groups": groups,
        "map_tiles": {
            "url": settings.MAP_TILES,
            "attribution": settings.MAP_TILES_ATTRIBUTION,
            "crs": settings.MAP_TILES_CRS,
        },
    }


def notifications(request: Any) -> dict[str, Any]:
    """The header badge: how many of the user's notifications are unread (one count query)."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"notify_unread": unread_count(request.user)}

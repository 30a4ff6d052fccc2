from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from zhaoshang.core.declarations import configs, nav_groups
from zhaoshang.notifications.selectors import unread_count


def map_config() -> dict[str, Any]:
    """What every map draws under its data: the configured basemap, or the shipped county boundaries with a note
    that says why there are no roads. Read by `web/basemap.js` from the page (``json_script``)."""
    return {
        "url": settings.MAP_TILES,
        "labels": settings.MAP_TILES_LABELS,
        "subdomains": settings.MAP_TILES_SUBDOMAINS,
        "attribution": settings.MAP_TILES_ATTRIBUTION,
        "crs": settings.MAP_TILES_CRS,
        "boundaries": "" if settings.MAP_TILES else reverse("map_boundaries"),
        "note": ""
        if settings.MAP_TILES
        else str(
            _(
                "未配置底图,不显示道路和地名:灰线为区县边界(约百米精度,仅供定位)。"
                "管理员设置天地图密钥或内网瓦片服务后即显示底图。"
            )
        ),
    }


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
        "map_tiles": map_config(),
    }


def notifications(request: Any) -> dict[str, Any]:
    """The header badge: how many of the user's notifications are unread (one count query)."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"notify_unread": unread_count(request.user)}

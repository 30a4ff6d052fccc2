from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from zhaoshang.core.registry import configs

NAV_GROUPS = [("chains", _("产业链")), ("targets", _("目标企业")), ("org", _("组织机构"))]


def navigation(request: Any) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    groups = []
    for code, label in NAV_GROUPS:
        items = [c for c in configs() if c.nav_group == code]
        if items:
            groups.append({"label": label, "items": items})
    from django.conf import settings

    return {
        "nav_groups": groups,
        "map_tiles": {
            "url": settings.MAP_TILES,
            "attribution": settings.MAP_TILES_ATTRIBUTION,
            "crs": settings.MAP_TILES_CRS,
        },
    }

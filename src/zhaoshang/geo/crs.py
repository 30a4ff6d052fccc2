"""Coordinate systems by name, the CGCS2000 Gauss-Krüger zones, and the 亩 in m²: what forms, filters, models
and file readers need when they are imported, without numpy, shapely or pyproj.

``parse_crs`` knows wgs84, cgcs2000, gcj02, bd09 and epsg:NNNN (``coords``' module docstring explains the
systems); it asks pyproj only for an EPSG code other than 4326 and 4490. The conversions and measures are in
``coords``, which re-exports every name here. Pure: no Django.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from zhaoshang.geo.earth import CoordError

# The one legal definition of the 市亩 (15 亩 = 1 公顷) lives with the area parser.
from zhaoshang.standards.parsers import M2_PER_MU_EXACT

__all__ = [
    "BD09",
    "CGCS2000",
    "CoordError",
    "CoordSystem",
    "GCJ02",
    "GK_FIRST_ZONE",
    "GK_LAST_ZONE",
    "M2_PER_MU",
    "WGS84",
    "gk_epsg",
    "gk_zone",
    "gk_zone_of_epsg",
    "parse_crs",
]

M2_PER_MU: Final = float(M2_PER_MU_EXACT)  # the exact Fraction is the parsers'

GK_FIRST_ZONE: Final = 25  # CM 75E
GK_LAST_ZONE: Final = 45  # CM 135E
_GK_PREFIXED_BASE: Final = 4513  # EPSG of zone 25 with zone prefix; +1 per zone up to 4533
_GK_CM_BASE: Final = 4534  # EPSG of CM 75E without prefix; +1 per zone up to 4554


@dataclass(frozen=True)
class CoordSystem:
    """A parsed CRS name. ``epsg`` is None for GCJ-02 and BD-09, which have no EPSG code."""

    key: str  # canonical name: wgs84, cgcs2000, gcj02, bd09 or epsg:NNNN
    epsg: int | None
    geographic: bool  # (lng, lat) in degrees; otherwise (x=easting, y=northing) in metres
    name: str

    @property
    def lnglat(self) -> bool:
        """WGS84 or CGCS2000 degrees: the hub every conversion passes through."""
        return self.epsg in (4326, 4490)


WGS84: Final = CoordSystem("wgs84", 4326, True, "WGS 84")
CGCS2000: Final = CoordSystem("cgcs2000", 4490, True, "CGCS2000")
GCJ02: Final = CoordSystem("gcj02", None, True, "GCJ-02 (高德/腾讯)")
BD09: Final = CoordSystem("bd09", None, True, "BD-09 (百度)")

_NAMED: Final[dict[str, CoordSystem]] = {
    "wgs84": WGS84,
    "wgs-84": WGS84,
    "crs84": WGS84,
    "urn:ogc:def:crs:ogc:1.3:crs84": WGS84,
    "epsg:4326": WGS84,
    "cgcs2000": CGCS2000,
    "cgcs-2000": CGCS2000,
    "epsg:4490": CGCS2000,
    "gcj02": GCJ02,
    "gcj-02": GCJ02,
    "bd09": BD09,
    "bd-09": BD09,
    "bd09ll": BD09,
}
_EPSG_NAME = re.compile(r"(?:epsg:|urn:ogc:def:crs:epsg:[0-9.]*:)(\d{4,6})")
_DATUMS_OK: Final = ("World Geodetic System 1984", "China 2000")


def parse_crs(name: str | CoordSystem) -> CoordSystem:
    """wgs84, cgcs2000, gcj02, bd09 or epsg:NNNN (also GeoJSON's urn:ogc:def:crs:EPSG::NNNN), any case."""
    if isinstance(name, CoordSystem):
        return name
    text = name.strip().lower() if isinstance(name, str) else ""
    if text in _NAMED:
        return _NAMED[text]
    match = _EPSG_NAME.fullmatch(text)
    if match is None:
        raise CoordError(
            f"无法识别的坐标系“{name}”，可用：wgs84、cgcs2000、gcj02、bd09 或 epsg:编号（如 epsg:4527）",
            f"Unknown coordinate system '{name}'; use wgs84, cgcs2000, gcj02, bd09 or epsg:NNNN "
            "(e.g. epsg:4527)",
        )
    return _epsg_system(int(match[1]))


@lru_cache(maxsize=256)
def _epsg_system(code: int) -> CoordSystem:
    if code == 4326:
        return WGS84
    if code == 4490:
        return CGCS2000
    # deferred: pyproj and its PROJ database load only when an EPSG code is looked up
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        crs = CRS.from_epsg(code)
    except CRSError:
        raise CoordError(f"EPSG:{code} 不是已知的坐标系", f"EPSG:{code} is not a known CRS") from None
    if not (crs.is_geographic or crs.is_projected) or len(crs.axis_info) != 2:
        raise CoordError(
            f"EPSG:{code}（{crs.name}）不是二维的经纬度或投影坐标系",
            f"EPSG:{code} ({crs.name}) is not a 2D geographic or projected CRS",
        )
    datum = crs.datum.name if crs.datum is not None else ""
    if not datum.startswith(_DATUMS_OK):
        raise CoordError(
            f"EPSG:{code}（{crs.name}）基于 {datum}，与 CGCS2000 之间没有公开的转换参数，"
            "请先由测绘单位转换为 CGCS2000",
            f"EPSG:{code} ({crs.name}) is on the {datum} datum, which has no public transformation to "
            "CGCS2000; have it converted to CGCS2000 first",
        )
    return CoordSystem(f"epsg:{code}", code, crs.is_geographic, crs.name)


# --- Gauss-Krüger zones -------------------------------------------------------------------------------


def gk_zone(lng: float) -> int:
    """The 3-degree zone whose central meridian (3 × zone degrees east) is nearest lng: 118.3E → 39."""
    return math.floor(lng / 3.0 + 0.5)


def gk_epsg(zone: int, *, prefixed: bool = True) -> int:
    """EPSG code of a CGCS2000 3-degree GK zone: prefixed 39 → 4527, CM variant 39 (117E) → 4548."""
    if not GK_FIRST_ZONE <= zone <= GK_LAST_ZONE:
        raise CoordError(
            f"3 度带带号 {zone} 不在中国范围（25–45 带，中央经线 75°E–135°E）",
            f"3-degree zone {zone} is outside China's zones 25–45 (CM 75E–135E)",
        )
    return (_GK_PREFIXED_BASE if prefixed else _GK_CM_BASE) + zone - GK_FIRST_ZONE


def gk_zone_of_epsg(epsg: int) -> tuple[int, bool] | None:
    """(zone, prefixed) for EPSG:4513–4554, None for any other code."""
    if _GK_PREFIXED_BASE <= epsg < _GK_CM_BASE:
        return epsg - _GK_PREFIXED_BASE + GK_FIRST_ZONE, True
    if _GK_CM_BASE <= epsg <= _GK_CM_BASE + GK_LAST_ZONE - GK_FIRST_ZONE:
        return epsg - _GK_CM_BASE + GK_FIRST_ZONE, False
    return None

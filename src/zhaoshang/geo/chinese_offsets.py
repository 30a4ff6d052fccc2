"""GCJ-02 (Amap/高德, Tencent) and BD-09 (Baidu): the published offsets from WGS84, and their inverses.

The forward formulas are the published algorithms; the inverses solve them by fixed-point iteration, to 1 mm
by default (``_invert_offset``). Points outside the published "China" rectangle are left unchanged in both
directions. ``coords``' module docstring explains the systems and that rule; ``coords`` re-exports every public
name here and converts between any two systems. No Django import.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from zhaoshang.geo.earth import EARTH_RADIUS_KM, CoordError

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# The published GCJ-02 algorithm: Krasovsky 1940 ellipsoid and the "outside China" rectangle.
_GCJ_A: Final = 6378245.0
_GCJ_EE: Final = 0.00669342162296594323
CHINA_RECTANGLE: Final = (72.004, 0.8293, 137.8347, 55.8271)  # min lng, min lat, max lng, max lat
_BD_X_PI: Final = math.pi * 3000.0 / 180.0

# A fixed point of the offset is reached in 3 iterations (each gains ~3 orders of magnitude, see
# _invert_offset); the cap only guards against NaN-free but pathological input.
DEFAULT_TOLERANCE_M: Final = 0.001
_MAX_ITERATIONS: Final = 30


def _floats(value: ArrayLike) -> FloatArray:
    return np.asarray(value, dtype=np.float64)


def in_china(lng: ArrayLike, lat: ArrayLike) -> BoolArray:
    """The published algorithm's rectangle test (see ``coords``' module docstring), element-wise."""
    x, y = _floats(lng), _floats(lat)
    west, south, east, north = CHINA_RECTANGLE
    result: BoolArray = (x >= west) & (x <= east) & (y >= south) & (y <= north)
    return result


def _gcj_offset(lng: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The published GCJ-02 offset (degrees) at a WGS84 point, without the outside-China rule."""
    x = lng - 105.0
    y = lat - 35.0
    pi = math.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    d_lat = d_lat + common
    d_lat = d_lat + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    d_lat = d_lat + (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    d_lng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    d_lng = d_lng + common
    d_lng = d_lng + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    d_lng = d_lng + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * pi
    magic = 1.0 - _GCJ_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * pi)
    d_lng = (d_lng * 180.0) / (_GCJ_A / sqrt_magic * np.cos(rad_lat) * pi)
    return d_lng, d_lat


def _gcj_forward(lng: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    d_lng, d_lat = _gcj_offset(lng, lat)
    return lng + d_lng, lat + d_lat


def _bd_forward(lng: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    z = np.sqrt(lng * lng + lat * lat) + 0.00002 * np.sin(lat * _BD_X_PI)
    theta = np.arctan2(lat, lng) + 0.000003 * np.cos(lng * _BD_X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd_inverse_published(lng: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    x = lng - 0.0065
    y = lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _BD_X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _BD_X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def _invert_offset(
    forward: Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]],
    lng: FloatArray,
    lat: FloatArray,
    start: tuple[FloatArray, FloatArray],
    tolerance_m: float,
) -> tuple[FloatArray, FloatArray]:
    """Solve forward(p) = (lng, lat) for p by fixed-point iteration p ← p − (forward(p) − target).

    forward is the identity plus an offset of a few hundred metres that changes by well under a metre per
    kilometre, so the map's Jacobian is within ~10⁻³ of the identity and each step shrinks the error by about
    that factor: 500 m → 0.5 m → 0.5 mm → 0.5 µm. Because the Jacobian is that close to the identity, the
    residual |forward(p) − target|, measured in metres on the sphere, equals the position error to within
    0.1 %. We stop when it is ≤ half of tolerance_m for every point, so that the error is within tolerance_m
    (stopping at tolerance_m itself let a residual of 0.999 mm be an error of 1.002 mm).
    """
    m_per_deg = EARTH_RADIUS_KM * 1000 * math.pi / 180
    p_lng, p_lat = start
    cos_lat = np.cos(np.radians(lat))
    for _ in range(_MAX_ITERATIONS):
        f_lng, f_lat = forward(p_lng, p_lat)
        r_lng, r_lat = f_lng - lng, f_lat - lat
        residual_m = np.hypot(r_lng * cos_lat, r_lat) * m_per_deg
        if not residual_m.size or float(np.max(residual_m)) <= tolerance_m / 2:
            return p_lng, p_lat
        p_lng, p_lat = p_lng - r_lng, p_lat - r_lat
    raise CoordError(
        "坐标反算未收敛，请检查输入坐标", "The inverse offset did not converge; check the coordinates"
    )


def _only_in_china(
    lng: FloatArray,
    lat: FloatArray,
    convert: Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]],
) -> tuple[FloatArray, FloatArray]:
    inside = in_china(lng, lat)
    out_lng, out_lat = lng.copy(), lat.copy()
    if inside.any():
        out_lng[inside], out_lat[inside] = convert(lng[inside], lat[inside])
    return out_lng, out_lat


def wgs84_to_gcj02(lng: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    x, y = np.broadcast_arrays(_floats(lng), _floats(lat))
    return _only_in_china(np.array(x), np.array(y), _gcj_forward)


def gcj02_to_wgs84(
    lng: ArrayLike, lat: ArrayLike, tolerance_m: float = DEFAULT_TOLERANCE_M
) -> tuple[FloatArray, FloatArray]:
    """Iterative inverse of wgs84_to_gcj02, starting from the GCJ-02 point itself (see _invert_offset)."""
    x, y = np.broadcast_arrays(_floats(lng), _floats(lat))
    return _only_in_china(
        np.array(x), np.array(y), lambda a, b: _invert_offset(_gcj_forward, a, b, (a, b), tolerance_m)
    )


def gcj02_to_bd09(lng: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    x, y = np.broadcast_arrays(_floats(lng), _floats(lat))
    return _only_in_china(np.array(x), np.array(y), _bd_forward)


def bd09_to_gcj02(
    lng: ArrayLike, lat: ArrayLike, tolerance_m: float = DEFAULT_TOLERANCE_M
) -> tuple[FloatArray, FloatArray]:
    """The published approximate inverse, refined by iteration so that gcj02_to_bd09 of it closes to 1 mm."""
    x, y = np.broadcast_arrays(_floats(lng), _floats(lat))
    return _only_in_china(
        np.array(x),
        np.array(y),
        lambda a, b: _invert_offset(_bd_forward, a, b, _bd_inverse_published(a, b), tolerance_m),
    )


def wgs84_to_bd09(lng: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lng, lat))


def bd09_to_wgs84(
    lng: ArrayLike, lat: ArrayLike, tolerance_m: float = DEFAULT_TOLERANCE_M
) -> tuple[FloatArray, FloatArray]:
    # Half the tolerance to each step so that the two residuals together stay within it.
    return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat, tolerance_m / 2), tolerance_m=tolerance_m / 2)

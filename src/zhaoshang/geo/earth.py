"""What every conversion of ``geo`` shares: the Earth's radius and the error for coordinates that cannot be used.

Pure: no Django. ``coords`` re-exports both, which is where callers take them from.
"""

from __future__ import annotations

from typing import Final

from zhaoshang.standards.errors import BilingualError

EARTH_RADIUS_KM: Final = 6371.0088  # IUGG mean radius R1


class CoordError(BilingualError):
    """A CRS name, coordinate or geometry that cannot be used; ``zh`` and ``en`` are messages for people."""

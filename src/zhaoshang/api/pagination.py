"""Page size of the API's list endpoints: ``?limit=`` is capped, so one call cannot read a whole table."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination

#: The largest page a list endpoint returns; a larger ``limit`` gets this many rows (not an error).
MAX_LIMIT = 500


class CappedLimitOffsetPagination(LimitOffsetPagination):
    """``?limit=&offset=`` as DRF's, with ``limit`` capped at :data:`MAX_LIMIT` (documented in the user guide)."""

    max_limit = MAX_LIMIT

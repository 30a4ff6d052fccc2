"""Page size of the API's list endpoints: ``?limit=`` is capped, so one call cannot read a whole table."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

#: The largest page a list endpoint returns; a larger ``limit`` gets this many rows (not an error).
MAX_LIMIT = 500


class CappedLimitOffsetPagination(LimitOffsetPagination):
    """``?limit=&offset=`` as DRF's, with ``limit`` capped at :data:`MAX_LIMIT` (documented in the user guide).

    Unlike DRF's, an unreadable ``limit`` or ``offset`` (``abc``, ``-5``, ``1.5``) is a 400 rather than quietly
    the first page: a client that sends one has a bug it should hear about."""

    max_limit = MAX_LIMIT

    def _number(self, request: Any, name: str, minimum: int) -> int | None:
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return None
        if not raw.isascii() or not raw.isdigit() or int(raw) < minimum:
            raise ValidationError({name: [_("须为不小于 %(minimum)s 的整数。") % {"minimum": minimum}]})
        return int(raw)

    def get_limit(self, request: Any) -> int | None:
        limit = self._number(request, self.limit_query_param, 1)
        return self.default_limit if limit is None else min(limit, self.max_limit)

    def get_offset(self, request: Any) -> int:
        return self._number(request, self.offset_query_param, 0) or 0

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1 if parameter["name"] == self.limit_query_param else 0
        return parameters

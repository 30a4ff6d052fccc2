"""Reads for pages and reports; every one starts from `restrict`."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from zhaoshang.core.models import Department, District, Park, Team, Town


def _count(model: Any, **extra: Any) -> Any:
    rows = (
        model.objects.filter(district=OuterRef("pk"), **extra)
        .order_by()
        .values("district")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def district_overview(user: Any) -> QuerySet[District]:
    """Districts the user may see, with the size of their organisation, in one query."""
    return (
        District.objects.restrict(user, "view")
        .select_related("city")
        .annotate(
            towns=_count(Town),
            parks=_count(Park),
            chemical_parks=_count(Park, is_chemical_park=True),
            departments=_count(Department),
            teams=_count(Team),
        )
    )

"""Sites, units, reservations and demands declared for the generic pages, API, import/export and CLI."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from zhaoshang.core.declarations import ModelConfig, register, register_detail_panel, register_nav_group
from zhaoshang.core.services import object_save
from zhaoshang.projects.services import register_on_terminated
from zhaoshang.sites import api, filters, forms, resources
from zhaoshang.sites.models import Demand, Site, SiteReservation, SiteUnit
from zhaoshang.sites.selectors import demand_detail_context, project_sites_context, site_detail_context
from zhaoshang.sites.services import site_reserve, site_unit_delete, site_unit_save, sites_release_for_project
from zhaoshang.sites.transfer import sites_geo_import, sites_geojson

register_nav_group("sites", _("要素保障"), 30)


def _save_reservation(form: Any, user: Any) -> Any:
    if form.instance.pk:
        return object_save(instance=form.save(commit=False), user=user)
    data = form.cleaned_data
    return site_reserve(
        site=data["site"],
        user=user,
        project=data.get("project"),
        demand=data.get("demand"),
        unit=data.get("unit"),
        note=data["note"],
    )


def _save_unit(form: Any, user: Any) -> Any:
    return site_unit_save(instance=form.save(commit=False), user=user)


def _write_unit(unit: SiteUnit, user: Any, channel: str) -> SiteUnit:
    return site_unit_save(instance=unit, user=user, channel=channel)


def _delete_unit(unit: SiteUnit, user: Any, channel: str) -> None:
    site_unit_delete(unit=unit, user=user, channel=channel)


def _write_reservation(reservation: SiteReservation, user: Any, channel: str) -> SiteReservation:
    """A new reservation through the API holds the site as the page does; an edit changes only its fields."""
    if reservation.pk:
        return object_save(instance=reservation, user=user, channel=channel)
    return site_reserve(
        site=reservation.site,
        user=user,
        project=reservation.project,
        demand=reservation.demand,
        unit=reservation.unit,
        note=reservation.note,
        channel=channel,
    )


register(
    ModelConfig(
        key="site",
        model=Site,
        columns=[
            "code",
            "name",
            "kind",
            "availability",
            "area_mu",
            "floor_area_m2",
            "park",
            "town",
            "verified_on",
        ],
        filterset=filters.SiteFilterSet,
        form=forms.SiteForm,
        serializer=api.SiteSerializer,
        resource=resources.SiteResource,
        nav_group="sites",
        select_related=["district", "park", "town"],
        detail_context=site_detail_context,
        json_import=sites_geo_import,
        json_export=sites_geojson,
        json_suffixes=(".json", ".geojson", ".zip"),
    )
)
register(
    ModelConfig(
        key="siteunit",
        model=SiteUnit,
        columns=["name", "site", "floor", "area_m2", "availability"],
        filterset=filters.SiteUnitFilterSet,
        form=forms.SiteUnitForm,
        serializer=api.SiteUnitSerializer,
        resource=resources.SiteUnitResource,
        nav_group="sites",
        select_related=["site"],
        saver=_save_unit,
        writer=_write_unit,
        deleter=_delete_unit,
    )
)
register(
    ModelConfig(
        key="demand",
        model=Demand,
        columns=["name", "project", "kind", "min_area", "max_area", "status", "district"],
        filterset=filters.DemandFilterSet,
        form=forms.DemandForm,
        serializer=api.DemandSerializer,
        resource=resources.DemandResource,
        nav_group="sites",
        select_related=["district", "project", "preferred_park"],
        detail_context=demand_detail_context,
    )
)
register(
    ModelConfig(
        key="sitereservation",
        model=SiteReservation,
        columns=["site", "unit", "project", "demand", "reserved_at", "released_at", "by"],
        filterset=filters.SiteReservationFilterSet,
        form=forms.SiteReservationForm,
        serializer=api.SiteReservationSerializer,
        nav_group="sites",
        select_related=["site", "unit__site", "project", "demand", "by"],
        saver=_save_reservation,
        writer=_write_reservation,
    )
)

# The project page shows the project's demands and the sites held for it.
register_detail_panel("project", template="sites/_project_sites.html", context=project_sites_context)
# A dropped project frees what it held on the map.
register_on_terminated(sites_release_for_project)

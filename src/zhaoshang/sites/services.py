"""Writes on sites: reserve and release (by hand or when a project ends), and "仍然属实" verification.

Every service runs in a transaction, attributed to the user; the channel is the caller's (web, api, cli…)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.audit import acting_as, current_channel
from zhaoshang.core.scope import ensure_allowed
from zhaoshang.sites.models import Demand, Site, SiteReservation


def _channel(channel: str | None) -> str:
    return channel or current_channel()


def site_reserve(
    *,
    site: Site,
    user: Any,
    project: Any = None,
    demand: Demand | None = None,
    note: str = "",
    channel: str | None = None,
) -> SiteReservation:
    """Hold an available site for a project or a demand: the site becomes reserved, the demand matched."""
    if project is None and demand is not None:
        project = demand.project
    with transaction.atomic(), acting_as(user, _channel(channel)):
        site = Site.objects.select_for_update().select_related("district").get(pk=site.pk)
        ensure_allowed(user, "change", site)
        for related in (project, demand):
            if related is not None:
                ensure_allowed(user, "view", related)
        if site.availability != Site.Availability.AVAILABLE:
            raise ValidationError(
                _("%(site)s 当前状态为“%(status)s”,不能预留。")
                % {"site": site, "status": site.get_availability_display()}
            )
        reservation = SiteReservation(
            site=site,
            project=project,
            demand=demand,
            reserved_at=timezone.now(),
            by=user if getattr(user, "pk", None) else None,
            note=note,
        )
        reservation.full_clean()
        reservation.save()
        site.availability = Site.Availability.RESERVED
        site.save(update_fields=["availability", "updated"])
        if demand is not None and demand.status == Demand.Status.OPEN:
            demand.status = Demand.Status.MATCHED
            demand.save(update_fields=["status", "updated"])
    return reservation


def _release(reservation: SiteReservation, reason: str) -> None:
    reservation.released_at = timezone.now()
    reservation.release_reason = reason[:200]
    reservation.save(update_fields=["released_at", "release_reason", "updated"])
    site = reservation.site
    still_held = site.reservations.filter(released_at__isnull=True).exists()
    if not still_held and site.availability == Site.Availability.RESERVED:
        site.availability = Site.Availability.AVAILABLE
        site.save(update_fields=["availability", "updated"])
    demand = reservation.demand
    if (
        demand is not None
        and demand.status == Demand.Status.MATCHED
        and not demand.reservations.filter(released_at__isnull=True).exists()
    ):
        demand.status = Demand.Status.OPEN
        demand.save(update_fields=["status", "updated"])


def site_release(*, site: Site, user: Any, reason: str = "", channel: str | None = None) -> int:
    """Release the site's active reservations; the site is available again. Returns how many were released."""
    with transaction.atomic(), acting_as(user, _channel(channel)):
        site = Site.objects.select_for_update().get(pk=site.pk)
        ensure_allowed(user, "change", site)
        active = list(site.reservations.filter(released_at__isnull=True).select_related("site", "demand"))
        for reservation in active:
            _release(reservation, reason or _("手动释放"))
    return len(active)


def sites_release_for_project(
    *, project: Any, user: Any, reason: str = "", channel: str | None = None
) -> int:
    """Release every site held for the project (call it when a project is terminated). Returns the count."""
    with transaction.atomic(), acting_as(user, _channel(channel)):
        active = list(
            SiteReservation.objects.select_for_update(of=("self",))
            .filter(project=project, released_at__isnull=True)
            .select_related("site", "demand")
        )
        for reservation in active:
            ensure_allowed(user, "change", reservation.site)
            _release(reservation, reason or _("项目终止"))
    return len(active)


def site_verify(
    *, site: Site, user: Any, on: datetime.date | None = None, channel: str | None = None
) -> Site:
    """ "仍然属实": the data owner (or anyone who may change the site) confirms the record as it stands."""
    with transaction.atomic(), acting_as(user, _channel(channel)):
        site = Site.objects.select_for_update().get(pk=site.pk)
        ensure_allowed(user, "change", site)
        site.verified_on = on or timezone.localdate()
        site.save(update_fields=["verified_on", "updated"])
    return site


def demand_for_project(*, project: Any, user: Any, channel: str | None = None, **fields: Any) -> Demand:
    """A demand entered on a project: the district and project come from it."""
    with transaction.atomic(), acting_as(user, _channel(channel)):
        demand = Demand(district_id=project.district_id, project=project, **fields)
        demand.full_clean()
        demand.save()
        ensure_allowed(user, "add", demand)
    return demand

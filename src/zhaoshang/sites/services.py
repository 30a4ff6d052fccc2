"""Writes on sites: reserve and release (by hand or when a project ends), "仍然属实" verification, and the
units of divided buildings, which their building follows (``sites.units``).

Every service runs in a transaction, attributed to the user; the channel is the caller's (web, api, cli…)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.actions import action_log
from zhaoshang.core.audit import acting_as, current_channel
from zhaoshang.core.scope import ensure_allowed
from zhaoshang.core.services import object_restore
from zhaoshang.sites.models import Demand, Site, SiteReservation, SiteUnit
from zhaoshang.sites.units import units_rollup

AVAILABLE = Site.Availability.AVAILABLE
RESERVED = Site.Availability.RESERVED


def _channel(channel: str | None) -> str:
    return channel or current_channel()


def _building_follow_units(site: Site) -> Site:
    """A divided building's status and available area from its units; saved (and so audited, in the caller's
    context) only when they change. A building without units keeps its own status."""
    rolled = units_rollup(site.units.values_list("availability", "area_m2"))
    status, area = rolled if rolled is not None else (site.availability, None)
    changed = [
        name
        for name, value in (("availability", status), ("available_area_m2", area))
        if getattr(site, name) != value
    ]
    if changed:
        site.availability, site.available_area_m2 = status, area
        site.save(update_fields=[*changed, "updated"])
    return site


def _locked(site_id: int) -> Site:
    return Site.objects.select_for_update().select_related("district").get(pk=site_id)


def buildings_follow_units(*, site_ids: Any, user: Any, channel: str | None = None) -> int:
    """Bring these buildings in line with their units (after an import of units or sites). Returns how many
    changed."""
    changed = 0
    with transaction.atomic(), acting_as(user, _channel(channel)):
        for site_id in sorted(set(site_ids)):
            site = _locked(site_id)
            before = (site.availability, site.available_area_m2)
            ensure_allowed(user, "change", site)
            _building_follow_units(site)
            changed += before != (site.availability, site.available_area_m2)
    return changed


def site_unit_save(*, instance: SiteUnit, user: Any, channel: str | None = None) -> SiteUnit:
    """Add or change a unit (a new letting, a tenant moving in or out); its building follows (and the one it
    left, if it moved). Checked against the user's scope after the save, as ``object_save``."""
    action = "add" if instance._state.adding else "change"
    with transaction.atomic(), acting_as(user, _channel(channel)):
        before = None
        if not instance._state.adding:
            before = SiteUnit.objects.filter(pk=instance.pk).values_list("site_id", flat=True).first()
        site = _locked(instance.site_id)
        instance.full_clean()
        instance.save()
        ensure_allowed(user, action, instance, itself=True)
        ensure_allowed(user, "change", site)
        _building_follow_units(site)
        if before is not None and before != site.pk:
            _building_follow_units(_locked(before))
    return instance


def site_unit_delete(*, unit: SiteUnit, user: Any, channel: str | None = None) -> None:
    """Delete a unit (refused while a reservation holds it; its past reservations go to the history with it);
    its building follows."""
    with transaction.atomic(), acting_as(user, _channel(channel)):
        ensure_allowed(user, "delete", unit)
        site = _locked(unit.site_id)
        if unit.reservations.filter(released_at__isnull=True).exists():
            raise ValidationError(_("该单元仍有预留,请用“释放”结束预留。"))
        unit.delete()
        _building_follow_units(site)


def site_unit_restore(*, historical: Any, user: Any, channel: str | None = None) -> SiteUnit:
    """Bring a deleted unit back from its history (``object_restore``); its building follows."""
    with transaction.atomic(), acting_as(user, _channel(channel)):
        unit = object_restore(historical=historical, user=user, channel=_channel(channel))
        _building_follow_units(_locked(unit.site_id))
    return unit  # type: ignore[return-value]


def site_reserve(
    *,
    site: Site,
    user: Any,
    project: Any = None,
    demand: Demand | None = None,
    unit: SiteUnit | None = None,
    note: str = "",
    channel: str | None = None,
) -> SiteReservation:
    """Hold an available site for a project or a demand: the site becomes reserved, the demand matched.

    A building split into units is held unit by unit: ``unit`` holds that one; without it every unit still
    available is held (one reservation each, the first returned) — "reserve the building" means what is free
    of it. The building then follows its units."""
    if project is None and demand is not None:
        project = demand.project
    with transaction.atomic(), acting_as(user, _channel(channel)):
        site = _locked(site.pk)
        ensure_allowed(user, "change", site)
        for related in (project, demand):
            if related is not None:
                ensure_allowed(user, "view", related)
        units = list(SiteUnit.objects.select_for_update().filter(site=site).order_by("name", "pk"))
        targets: list[SiteUnit | None]
        if unit is not None:
            targets = [u for u in units if u.pk == unit.pk]
            if not targets:
                raise ValidationError(_("单元不属于该资源。"))
            _refuse_unless_available(targets[0])
        elif units:
            targets = [u for u in units if u.availability == AVAILABLE]
            if not targets:
                _refuse_unless_available(_building_follow_units(site))
        else:
            _refuse_unless_available(site)
            targets = [None]
        reservations = []
        for target in targets:
            reservation = SiteReservation(
                site=site,
                unit=target,
                project=project,
                demand=demand,
                reserved_at=timezone.now(),
                by=user if getattr(user, "pk", None) else None,
                note=note,
            )
            reservation.full_clean()
            reservation.save()
            reservations.append(reservation)
            if target is not None:
                target.availability = RESERVED
                target.save(update_fields=["availability", "updated"])
        if units:
            _building_follow_units(site)
        else:
            site.availability = RESERVED
            site.save(update_fields=["availability", "updated"])
        if demand is not None and demand.status == Demand.Status.OPEN:
            demand.status = Demand.Status.MATCHED
            demand.save(update_fields=["status", "updated"])
        held = "、".join(str(t) for t in targets if t is not None)
        data = {
            "reservations": [r.pk for r in reservations],
            "project": getattr(project, "pk", None),
            "demand": getattr(demand, "pk", None),
            "summary": " · ".join(str(x) for x in (project or demand, held) if x),
        }
        action_log(site, "site_reserve", user=user, data=data)
    return reservations[0]


def _refuse_unless_available(thing: Site | SiteUnit) -> None:
    if thing.availability != AVAILABLE:
        raise ValidationError(
            _("%(site)s 当前状态为“%(status)s”,不能预留。")
            % {"site": thing, "status": thing.get_availability_display()}
        )


def _release(reservation: SiteReservation, reason: str) -> None:
    """End one reservation: its unit (or its undivided site) is available again unless still held or let
    meanwhile; the demand reopens when nothing holds a site for it. The caller lets divided buildings follow."""
    reservation.released_at = timezone.now()
    reservation.release_reason = reason[:200]
    reservation.save(update_fields=["released_at", "release_reason", "updated"])
    held = reservation.unit if reservation.unit_id else reservation.site
    still_held = held.reservations.filter(released_at__isnull=True).exists()
    if not still_held and held.availability == RESERVED:
        held.availability = AVAILABLE
        held.save(update_fields=["availability", "updated"])
    demand = reservation.demand
    if (
        demand is not None
        and demand.status == Demand.Status.MATCHED
        and not demand.reservations.filter(released_at__isnull=True).exists()
    ):
        demand.status = Demand.Status.OPEN
        demand.save(update_fields=["status", "updated"])


def _release_all(reservations: list[SiteReservation], reason: str, user: Any) -> int:
    for reservation in reservations:
        _release(reservation, reason)
    for site_id in sorted({r.site_id for r in reservations}):
        site = _building_follow_units(_locked(site_id))
        released = [r.pk for r in reservations if r.site_id == site_id]
        data = {"reservations": released, "reason": reason, "summary": str(reason)}
        action_log(site, "site_release", user=user, data=data)
    return len(reservations)


def site_release(
    *,
    site: Site,
    user: Any,
    reason: str = "",
    unit: SiteUnit | None = None,
    channel: str | None = None,
) -> int:
    """Release the site's active reservations (only ``unit``'s, if given); what they held is available again.
    Returns how many were released."""
    with transaction.atomic(), acting_as(user, _channel(channel)):
        site = _locked(site.pk)
        ensure_allowed(user, "change", site)
        active = site.reservations.filter(released_at__isnull=True)
        if unit is not None:
            active = active.filter(unit=unit)
        active = active.select_related("site", "unit", "demand").order_by("pk")
        return _release_all(list(active), reason or _("手动释放"), user)


def sites_release_for_project(
    *, project: Any, user: Any, reason: str = "", channel: str | None = None
) -> int:
    """Release every site held for the project (call it when a project is terminated). Returns the count."""
    with transaction.atomic(), acting_as(user, _channel(channel)):
        active = list(
            SiteReservation.objects.select_for_update(of=("self",))
            .filter(project=project, released_at__isnull=True)
            .select_related("site", "unit", "demand")
            .order_by("pk")
        )
        for reservation in active:
            ensure_allowed(user, "change", reservation.site)
        return _release_all(active, reason or _("项目终止"), user)


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

"""Writes on enterprises: hand overrides that survive re-imports, placement on chain nodes, the target library."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.analytics.classification.nodes import FirmProfile, NodeProfile, place_firm
from zhaoshang.chains.models import Node
from zhaoshang.core.audit import acting_as
from zhaoshang.core.jobs import job_runner
from zhaoshang.core.scope import ensure_allowed
from zhaoshang.enterprises.models import TRACKED_FIELDS, ContactLog, Enterprise, EnterpriseNode, TargetEntry


class EnterpriseError(ValueError):
    pass


def jsonable(value: Any) -> Any:
    """An attribute's value as provenance keeps it in JSON: dates as ISO text, decimals as text."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "as_tuple"):  # Decimal
        return str(value)
    return value


def enterprise_override_set(
    *, enterprise: Enterprise, field: str, value: Any, user: Any, reason: str = ""
) -> Enterprise:
    """Correct one attribute by hand; later imports keep this value and only note what the source said."""
    if field not in TRACKED_FIELDS:
        raise EnterpriseError(_("不能修正字段 %(f)s") % {"f": field})
    with transaction.atomic(), acting_as(user, "web"):
        ensure_allowed(user, "change", enterprise)
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        setattr(enterprise, field, value)
        enterprise.full_clean()
        overrides = dict(enterprise.overrides)
        overrides[field] = {
            "value": jsonable(getattr(enterprise, field)),
            "by": user.get_username(),
            "at": timezone.now().isoformat(timespec="seconds"),
            "reason": reason,
        }
        enterprise.overrides = overrides
        enterprise.save()
    return enterprise


def enterprise_override_clear(*, enterprise: Enterprise, field: str, user: Any) -> Enterprise:
    """Drop a hand correction; the value the source last gave comes back."""
    with transaction.atomic(), acting_as(user, "web"):
        ensure_allowed(user, "change", enterprise)
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        overrides = dict(enterprise.overrides)
        overrides.pop(field, None)
        enterprise.overrides = overrides
        source = enterprise.provenance.get(field, {})
        if "source_value" in source:
            enterprise._meta.get_field(field)
            setattr(enterprise, field, enterprise._meta.get_field(field).to_python(source["source_value"]))
        enterprise.save()
    return enterprise


def node_profiles(district_id: int) -> list[NodeProfile]:
    nodes = Node.objects.filter(chain__district_id=district_id, chain__is_current=True).prefetch_related(
        "industries"
    )
    return [
        NodeProfile(n.pk, n.name, frozenset(i.code for i in n.industries.all()), tuple(n.keywords))
        for n in nodes
    ]


def enterprises_classify(*, enterprises: Any, user: Any, channel: str = "web") -> int:
    """Place firms on the current chains of their district; hand exclusions and hand placements are kept."""
    placed = 0
    profiles: dict[int, list[NodeProfile]] = {}
    with transaction.atomic(), acting_as(user, channel):
        for enterprise in enterprises.prefetch_related("placements"):
            ensure_allowed(user, "change", enterprise)
            nodes = profiles.setdefault(enterprise.district_id, node_profiles(enterprise.district_id))
            existing = {p.node_id: p for p in enterprise.placements.all()}
            found = place_firm(
                FirmProfile(enterprise.industry_code, enterprise.business_scope, enterprise.name), nodes
            )
            found_nodes = {p.node for p in found}
            for placement in found:
                current = existing.get(placement.node)
                if current is None:
                    EnterpriseNode.objects.create(
                        enterprise=enterprise,
                        node_id=placement.node,
                        method=placement.method,
                        reason=placement.reason,
                    )
                    placed += 1
                elif current.method != EnterpriseNode.Method.MANUAL and not current.excluded:
                    if (current.method, current.reason) != (placement.method, placement.reason):
                        current.method, current.reason = placement.method, placement.reason
                        current.save()
            # Automatic placements the data no longer supports go; manual ones and exclusions stay.
            for node_id, current in existing.items():
                if (
                    node_id not in found_nodes
                    and current.method != EnterpriseNode.Method.MANUAL
                    and not current.excluded
                ):
                    current.delete()
    return placed


def placement_set(*, enterprise: Enterprise, node: Node, user: Any, on: bool, reason: str) -> EnterpriseNode:
    """A person puts a firm on a node (on=True) or takes it off (on=False, kept as an exclusion)."""
    if node.chain.district_id != enterprise.district_id:
        raise EnterpriseError(_("环节须属于企业所在的区县。"))
    with transaction.atomic(), acting_as(user, "web"):
        ensure_allowed(user, "change", enterprise)
        placement, _created = EnterpriseNode.objects.get_or_create(
            enterprise=enterprise,
            node=node,
            defaults={"method": EnterpriseNode.Method.MANUAL, "reason": reason},
        )
        placement.method = EnterpriseNode.Method.MANUAL
        placement.excluded = not on
        placement.reason = reason or (_("人工指定") if on else _("人工排除"))
        placement.save()
    return placement


STATUS_AFTER_CONTACT = {
    ContactLog.Kind.CALL: TargetEntry.Status.CONTACTED,
    ContactLog.Kind.VISIT: TargetEntry.Status.VISITED,
    ContactLog.Kind.HOSTED: TargetEntry.Status.VISITED,
    ContactLog.Kind.MEETING: TargetEntry.Status.NEGOTIATING,
}
STATUS_ORDER = [s.value for s in TargetEntry.Status]


def contact_log_add(
    *,
    entry: TargetEntry,
    user: Any,
    date: datetime.date,
    kind: str,
    summary: str,
    participants: str = "",
    next_step: str = "",
    next_action_date: datetime.date | None = None,
) -> ContactLog:
    """Log a contact; the entry moves forward (never back) and its next action follows the log."""
    with transaction.atomic(), acting_as(user, "web"):
        ensure_allowed(user, "change", entry)
        log = ContactLog(
            entry=entry, date=date, kind=kind, summary=summary, participants=participants, next_step=next_step
        )
        log.full_clean()
        log.save()
        target = STATUS_AFTER_CONTACT.get(kind)
        if (
            target is not None
            and entry.status not in (TargetEntry.Status.DROPPED, TargetEntry.Status.CONVERTED)
            and STATUS_ORDER.index(target) > STATUS_ORDER.index(entry.status)
        ):
            entry.status = target
        if next_step:
            entry.next_action = next_step
        if next_action_date:
            entry.next_action_date = next_action_date
        entry.full_clean()
        entry.save()
    return log


@job_runner("enterprises-classify", retry_safe=True)  # placing again adds only what is missing
def run_enterprises_classify(job: Any, progress: Any) -> dict[str, Any]:
    """Place every firm of a district on its current chains again (after a chain revision or an import)."""
    firms = Enterprise.objects.restrict(job.user, "change").filter(district_id=job.params["district"])
    total = firms.count()
    placed = 0
    for start in range(0, total, 200):
        batch = firms.order_by("pk")[start : start + 200]
        placed += enterprises_classify(
            enterprises=Enterprise.objects.filter(pk__in=[f.pk for f in batch]), user=job.user, channel="job"
        )
        progress(min(start + 200, total), total, "")
    return {"firms": total, "new_placements": placed}

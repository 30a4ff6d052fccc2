"""Generic writes: create, edit, delete and restore run here, in a transaction, attributed and re-scoped."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.http import Http404

from zhaoshang.core.audit import acting_as
from zhaoshang.core.scope import ensure_allowed, user_scope


def object_save(
    *, instance: models.Model, user: Any, channel: str = "web", m2m_save: Any = None
) -> models.Model:
    """Validate and save `instance`; the district it lands in must be one the user may write to."""
    action = "add" if instance._state.adding else "change"
    with transaction.atomic(), acting_as(user, channel):
        instance.full_clean()
        instance.save()
        if m2m_save is not None:
            m2m_save()
        # Checked after the save so that a moved object (a new district) is judged where it landed.
        ensure_allowed(user, action, instance, itself=True)
    return instance


def object_delete(*, instance: models.Model, user: Any, channel: str = "web") -> None:
    with transaction.atomic(), acting_as(user, channel):
        ensure_allowed(user, "delete", instance)
        instance.delete()


def object_restore(*, historical: Any, user: Any, channel: str = "web") -> models.Model:
    """Bring a deleted record back from its last history row."""
    if historical.history_type != "-":
        raise ValueError("only a deletion can be restored")
    model = historical.instance_type
    if model._default_manager.filter(pk=historical.instance.pk).exists():
        raise ValueError("the record exists again")
    instance = historical.instance
    with transaction.atomic(), acting_as(user, channel):
        if not user_scope(user, "add", model).allows(instance.scoped_district_id):
            raise Http404
        instance._change_reason = "restore"
        instance.save(force_insert=True)
    return instance

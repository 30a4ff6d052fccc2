"""Enterprises and the target library declared for the generic pages, API, import/export and CLI."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from zhaoshang.core.declarations import ModelConfig, register, register_nav_group
from zhaoshang.core.services import object_save
from zhaoshang.enterprises import api, filters, forms, resources
from zhaoshang.enterprises.models import ContactLog, Enterprise, TargetEntry
from zhaoshang.enterprises.selectors import enterprise_detail_context, target_detail_context
from zhaoshang.enterprises.services import contact_log_add

register_nav_group("targets", _("目标企业"), 20)


def _save_contact(form: Any, user: Any) -> Any:
    if form.instance.pk:
        # Correcting a record only changes the record; logging a new contact also moves the target forward.
        return object_save(instance=form.save(commit=False), user=user)
    data = form.cleaned_data
    return contact_log_add(
        entry=data["entry"],
        user=user,
        date=data["date"],
        kind=data["kind"],
        summary=data["summary"],
        participants=data["participants"],
        next_step=data["next_step"],
        next_action_date=data.get("next_action_date"),
    )


register(
    ModelConfig(
        key="enterprise",
        model=Enterprise,
        columns=[
            "name",
            "uscc",
            "industry_code",
            "registered_capital",
            "insured_employees",
            "status",
            "district",
        ],
        filterset=filters.EnterpriseFilterSet,
        form=forms.EnterpriseForm,
        serializer=api.EnterpriseSerializer,
        resource=resources.EnterpriseResource,
        nav_group="targets",
        select_related=["district"],
        detail_context=enterprise_detail_context,
    )
)
register(
    ModelConfig(
        key="target",
        model=TargetEntry,
        columns=[
            "enterprise",
            "chain",
            "node",
            "status",
            "next_action",
            "next_action_date",
            "score",
            "district",
        ],
        filterset=filters.TargetEntryFilterSet,
        form=forms.TargetEntryForm,
        serializer=api.TargetEntrySerializer,
        resource=resources.TargetEntryResource,
        nav_group="targets",
        select_related=["district", "enterprise", "chain", "node"],
        detail_context=target_detail_context,
    )
)
register(
    ModelConfig(
        key="contact",
        model=ContactLog,
        columns=["date", "kind", "entry", "participants", "next_step"],
        filterset=filters.ContactLogFilterSet,
        form=forms.ContactLogForm,
        serializer=api.ContactLogSerializer,
        nav_group="targets",
        select_related=["entry__enterprise"],
        saver=_save_contact,
    )
)

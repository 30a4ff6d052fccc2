"""What the targeting commands share: the chain they are asked about, found within the actor's scope."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from zhaoshang.chains.models import Chain


def command_chain(user: Any, district: str, code: str) -> Chain:
    """The current version of a district's chain (by adcode and chain code) that ``user`` may see."""
    chain = (
        Chain.objects.restrict(user, "view")
        .filter(district__adcode=district, code=code, is_current=True)
        .select_related("district")
        .first()
    )
    if chain is None:
        raise CommandError(f"没有区县 {district} 的产业链 {code}(或不在权限范围内)")
    return chain

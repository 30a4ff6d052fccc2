"""Commands act as a named user: `--as USERNAME` (that user's scope) or the `system-cli` actor (city-wide)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from zhaoshang.core.audit import acting_as, system_actor


def add_actor_argument(parser: Any) -> None:
    parser.add_argument(
        "--as",
        dest="actor",
        metavar="USERNAME",
        help="act as this user, within their scope (default: system-cli)",
    )


def command_actor(username: str | None) -> Any:
    if not username:
        actor = system_actor("cli")
        if not actor.is_superuser:
            # The operator at the server's shell already holds the database; the CLI actor is city-wide.
            actor.is_superuser = True
            with acting_as(actor, "cli"):
                actor.save(update_fields=["is_superuser"])
        return actor
    try:
        return get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist:
        raise CommandError(f"没有启用的用户 {username}") from None

"""Shared fixtures: the personas of DESIGN.md on a small demo organisation, and test-safe settings."""

from __future__ import annotations

import os
from typing import Any

import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")


@pytest.fixture(autouse=True)
def _isolated_settings(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    # Jobs run inline in tests; the worker process is exercised separately.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org(db: Any) -> dict[str, Any]:
    """The demo organisation (淄博's districts, 临淄 and 桓台 filled) and the five personas."""
    from zhaoshang.core.audit import acting_as, system_actor
    from zhaoshang.core.demo import demo_build

    with acting_as(system_actor("demo"), "demo"):
        state = demo_build(password="secret-password")
    from zhaoshang.core.models import District

    state["linzi_district"] = District.objects.get(adcode="370305")
    state["huantai_district"] = District.objects.get(adcode="370321")
    return state


@pytest.fixture
def users(org: dict[str, Any]) -> dict[str, Any]:
    return org["users"]


@pytest.fixture
def client_for(client: Any, users: dict[str, Any]) -> Any:
    """`client_for("linzi_admin")` gives a Django test client signed in as that persona."""
    from django.test import Client

    def make(username: str) -> Client:
        c = Client()
        c.force_login(users[username])
        return c

    return make

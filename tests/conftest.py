"""Shared fixtures: the personas of DESIGN.md on a small demo organisation, and test-safe settings."""

from __future__ import annotations

import os
from typing import Any

import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")


def _replica_mirror() -> None:
    """A `replica` alias that mirrors the test database, as `DATABASE_REPLICA_URL` adds one in production. It is
    set up with the test databases (so it points at them) and used only where a test turns `REPLICA_ENABLED` on
    (tests/core/test_replica.py); everywhere else the router sends every read to the primary."""
    from django.conf import settings
    from django.db import connections

    if "replica" not in settings.DATABASES:
        settings.DATABASES["replica"] = {**settings.DATABASES["default"], "TEST": {"MIRROR": "default"}}
        # The handler may have read DATABASES already: give it the alias with its defaults filled in.
        filled = connections.configure_settings(
            {"default": dict(settings.DATABASES["default"]), "replica": dict(settings.DATABASES["replica"])}
        )
        connections.settings["replica"] = filled["replica"]


_replica_mirror()


@pytest.fixture(autouse=True)
def _isolated_settings(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    # Jobs run inline in tests; the worker process is exercised separately.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}
    }
    # Each test starts with an empty cache: a cached figure must come from the test's own data.
    from django.core.cache import cache

    from zhaoshang.assessment.facts import forget

    cache.clear()
    forget()


@pytest.fixture(scope="session", autouse=True)
def _session_settings(django_test_environment: Any, tmp_path_factory: Any) -> Any:
    """For the whole session: a fast password hasher (the demo built once and every login must agree on it)
    and a small synthetic national registry, so that nothing touches the real data folder."""
    from django.test import override_settings

    from zhaoshang.analytics.registry.store import registry_generate

    registry = tmp_path_factory.mktemp("registry") / "national.parquet"
    registry_generate(registry, firms=150_000, seed=7)
    _DEMO_MEDIA["root"] = tmp_path_factory.mktemp("demo-media")
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], NATIONAL_REGISTRY=registry
    ):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any, _session_settings: Any) -> None:
    """Build the demo organisation once per test database; each test then runs inside a rolled-back transaction."""
    with django_db_blocker.unblock():
        _demo_ensure()


# Where the demo writes its files (its dispatch reports' Word files) whenever a session builds it: one folder for
# the session, not the data folder and not the media folder of the test that happened to rebuild it.
_DEMO_MEDIA: dict[str, Any] = {}


def _demo_ensure() -> None:
    from django.test import override_settings

    from zhaoshang.core.audit import acting_as, system_actor
    from zhaoshang.core.demo import demo_build, demo_exists

    # Transactional tests flush the database when they finish; the next test that needs the demo rebuilds it.
    if not demo_exists():
        with override_settings(MEDIA_ROOT=_DEMO_MEDIA["root"]), acting_as(system_actor("demo"), "demo"):
            demo_build(password=PASSWORD)


@pytest.fixture
def demo_media(settings: Any) -> Any:
    """For a test that reads the demo's own files: MEDIA_ROOT where the demo wrote them (each test has its own)."""
    settings.MEDIA_ROOT = _DEMO_MEDIA["root"]
    return settings.MEDIA_ROOT


PASSWORD = "secret-password"


@pytest.fixture
def org(db: Any) -> dict[str, Any]:
    """The demo city (淄博's districts; 临淄 and 桓台 filled; Linzi's chains) and the five personas."""
    from zhaoshang.core.demo import demo_state

    _demo_ensure()
    return demo_state()


@pytest.fixture
def org_committed(transactional_db: Any) -> dict[str, Any]:
    """The same demo, committed, for tests whose other threads or processes must see it (live server, worker)."""
    from zhaoshang.core.demo import demo_state

    _demo_ensure()
    return demo_state()


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


@pytest.fixture
def as_test_actor(db: Any) -> Any:
    """For a test that writes its data directly (not through a service or a factory): those writes are made as
    the named system actor `system-test`, as the factories' are. The audit refuses any write without an actor."""
    from zhaoshang.core.audit import acting_as, system_actor

    with acting_as(system_actor("test"), "system"):
        yield

"""With ZHAOSHANG_CACHE_URL every node shares one Redis: a value or a session written by one process is read by
another. The Redis of the machine (127.0.0.1:6379) is used, in a database of its own; under CI=true a missing Redis
fails the test instead of skipping it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REDIS_URL = os.environ.get("ZHAOSHANG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_cache(settings: Any) -> Any:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        message = f"Redis is not reachable at {REDIS_URL}: {error}."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " CI=true: failing instead of skipping.", pytrace=False)
        pytest.skip(message)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "zhaoshang-test",
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()


def _other_node(code: str, tmp_path: Path) -> str:
    """Run `code` in a second Django process configured like another web node."""
    env = {
        **os.environ,
        "ZHAOSHANG_CACHE_URL": REDIS_URL,
        "ZHAOSHANG_CACHE_PREFIX": "zhaoshang-test",
        "ZHAOSHANG_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "zhaoshang.settings",
    }
    script = "import django; django.setup()\n" + code
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return result.stdout.strip()


def test_a_value_cached_by_one_node_is_read_by_another(redis_cache: Any, tmp_path: Path) -> None:
    redis_cache.set("facts-version", 41)
    assert (
        _other_node("from django.core.cache import cache; print(cache.get('facts-version'))", tmp_path)
        == "41"
    )
    _other_node("from django.core.cache import cache; cache.incr('facts-version')", tmp_path)
    assert redis_cache.get("facts-version") == 42


def test_a_session_opened_on_one_node_is_valid_on_another(
    redis_cache: Any, org: Any, client_for: Any, tmp_path: Path
) -> None:
    from django.conf import settings

    client = client_for("linzi_admin")
    assert client.get("/").status_code == 200
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    user_id = _other_node(
        "from django.contrib.sessions.backends.cached_db import SessionStore\n"
        f"print(SessionStore('{key}').load().get('_auth_user_id'))",
        tmp_path,
    )
    assert user_id == str(org["users"]["linzi_admin"].pk)

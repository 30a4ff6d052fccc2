"""The doors: lock-out after repeated failures (web, admin, API token), strong passwords, session and token
lifetimes, token revocation, the API schema behind login, and the admin's 404 outside the user's district."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import F
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from zhaoshang.core.factories import TownFactory

LOCKED = "登录失败次数过多"
PASSWORD = "secret-password"  # the personas' password in the tests (conftest.py)


def _cool_off_passes() -> None:
    """Time travel: every recorded failure happened longer ago than the cool-off."""
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - datetime.timedelta(1)
    )


def _fail(client: Any, url: str, username: str, times: int = 6, **extra: Any) -> None:
    for _ in range(times):
        response = client.post(url, {"username": username, "password": "wrong-password"}, **extra)
        assert response.status_code in (200, 400, 429)


def test_defaults_are_safe() -> None:
    assert settings.AXES_FAILURE_LIMIT == 5 and settings.AXES_COOLOFF_TIME == datetime.timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    assert settings.SESSION_COOKIE_AGE == 8 * 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.TOKEN_TTL_HOURS == 720


def test_web_login_locks_the_account_then_lets_it_in_after_the_cool_off(org: Any) -> None:
    client = Client()
    _fail(client, "/accounts/login/", "linzi_admin")
    response = client.post("/accounts/login/", {"username": "linzi_admin", "password": PASSWORD})
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Locked by account: another address cannot sign in as linzi_admin either …
    other = Client(REMOTE_ADDR="10.9.8.7")
    response = other.post("/accounts/login/", {"username": "linzi_admin", "password": PASSWORD})
    assert response.status_code == 429
    # … and by address: this address cannot sign in as anyone.
    response = client.post("/accounts/login/", {"username": "huantai_admin", "password": PASSWORD})
    assert response.status_code == 429
    _cool_off_passes()
    response = client.post("/accounts/login/", {"username": "linzi_admin", "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(
        org["users"]["linzi_admin"].pk
    )


def test_an_admin_unlocks_at_once(org: Any) -> None:
    client = Client()
    _fail(client, "/admin/login/", "linzi_admin")
    response = client.post("/admin/login/", {"username": "linzi_admin", "password": PASSWORD})
    assert response.status_code == 429 and LOCKED in response.content.decode()
    reset(username="linzi_admin")  # what deleting the access attempts in the admin does
    response = client.post("/admin/login/", {"username": "linzi_admin", "password": PASSWORD})
    assert response.status_code == 302


def test_the_token_endpoint_locks_too_with_a_json_reason(org: Any) -> None:
    api = APIClient()
    _fail(api, "/api/auth/token/", "linzi_admin")
    response = api.post("/api/auth/token/", {"username": "linzi_admin", "password": PASSWORD})
    assert response.status_code == 429 and LOCKED in response.json()["detail"]
    assert not Token.objects.filter(user__username="linzi_admin").exists()
    _cool_off_passes()
    response = api.post("/api/auth/token/", {"username": "linzi_admin", "password": PASSWORD})
    assert response.status_code == 200 and response.json()["token"]


def test_a_success_clears_the_count(org: Any) -> None:
    client = Client()
    _fail(client, "/accounts/login/", "linzi_clerk", times=4)
    assert (
        client.post("/accounts/login/", {"username": "linzi_clerk", "password": PASSWORD}).status_code == 302
    )
    _fail(Client(), "/accounts/login/", "linzi_clerk", times=4)
    assert (
        Client().post("/accounts/login/", {"username": "linzi_clerk", "password": PASSWORD}).status_code
        == 302
    )


def test_passwords_are_long_uncommon_and_not_the_username(users: Any) -> None:
    user = users["linzi_admin"]
    validate_password("zhaoshang-demo", user)  # the demo's password passes
    for weak in ("short-pw", "1234567890123", "password123", "linzi_admin1"):
        with pytest.raises(ValidationError):
            validate_password(weak, user)


def _token(username: str) -> str:
    response = APIClient().post("/api/auth/token/", {"username": username, "password": PASSWORD})
    assert response.status_code == 200
    return response.json()["token"]


def test_an_expired_token_is_refused_and_a_new_one_issued(org: Any) -> None:
    key = _token("linzi_admin")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/park/").status_code == 200
    assert _token("linzi_admin") == key  # the same token while it is valid
    Token.objects.filter(key=key).update(created=timezone.now() - datetime.timedelta(hours=721))
    response = api.get("/api/park/")
    assert response.status_code == 401 and "过期" in response.json()["detail"]
    new = _token("linzi_admin")
    assert new != key and not Token.objects.filter(key=key).exists()
    api.credentials(HTTP_AUTHORIZATION=f"Token {new}")
    assert api.get("/api/park/").status_code == 200


def test_delete_revokes_the_callers_token(org: Any) -> None:
    key = _token("linzi_chief")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.delete("/api/auth/token/").status_code == 204
    assert api.get("/api/park/").status_code == 401
    assert APIClient().delete("/api/auth/token/").status_code == 401


def test_a_signed_in_user_revokes_theirs_on_a_page(org: Any, client_for: Any) -> None:
    _token("linzi_clerk")
    client = client_for("linzi_clerk")
    page = client.get("/accounts/token/").content.decode()
    assert "作废令牌" in page and "到期时间" in page
    response = client.post("/accounts/token/", follow=True)
    assert "API 令牌已作废" in response.content.decode()
    assert not Token.objects.filter(user__username="linzi_clerk").exists()


def test_schema_and_docs_need_a_signed_in_user(org: Any, client_for: Any) -> None:
    for url in ("/api/schema/", "/api/docs/"):
        assert APIClient().get(url).status_code == 401
        assert Client().get(url).status_code in (401, 403)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {_token('linzi_clerk')}")
    assert api.get("/api/schema/").status_code == 200
    assert client_for("linzi_clerk").get("/api/docs/").status_code == 200


@pytest.mark.parametrize("page", ["change", "history", "delete"])
def test_the_admin_answers_404_outside_the_district(org: Any, client_for: Any, page: Any) -> None:
    town = TownFactory(district=org["linzi_district"], name="后台测试镇")
    url = f"/admin/core/town/{town.pk}/{page}/"
    assert client_for("huantai_admin").get(url).status_code == 404
    assert client_for("huantai_admin").get(f"/admin/core/town/999999/{page}/").status_code == 404
    assert client_for("linzi_admin").get(url).status_code == 200


def test_the_admin_history_of_a_version_is_scoped_too(org: Any, client_for: Any) -> None:
    town = TownFactory(district=org["linzi_district"], name="后台版本镇")
    url = f"/admin/core/town/{town.pk}/history/{town.history.get().history_id}/"
    assert client_for("huantai_admin").get(url).status_code == 404
    assert client_for("linzi_admin").get(url).status_code == 200

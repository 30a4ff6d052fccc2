"""The shell: login, home per role with a constant number of queries, admin within scope, settings."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from zhaoshang.core.factories import ParkFactory, TownFactory
from zhaoshang.core.models import Park


def test_login_page_and_redirect(org: Any) -> None:
    client = Client()
    assert client.get("/").status_code == 302
    assert "登录" in client.get(reverse("login")).content.decode()
    response = client.post(reverse("login"), {"username": "linzi_admin", "password": "secret-password"})
    assert response.status_code == 302 and response.url == reverse("home")


def test_home_per_role(org: Any, client_for: Any) -> None:
    city = client_for("city_admin").get("/").content.decode()
    assert "全市概览" in city and 'id="city-districts"' in city and "桓台县" in city and "沂源县" in city
    linzi = client_for("linzi_admin").get("/").content.decode()
    assert "临淄区" in linzi and "桓台县" not in linzi and "city-districts" not in linzi
    clerk = client_for("linzi_clerk").get("/").content.decode()
    assert "自然资源" in clerk


def test_home_and_lists_use_a_constant_number_of_queries(
    org: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for("city_admin")

    def count(url: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    pages = ["/", reverse("park_list"), reverse("town_list"), reverse("team_list")]
    before = [count(url) for url in pages]
    for i in range(30):
        town = TownFactory(district=org["huantai_district"], name=f"加镇{i}")
        ParkFactory(district=org["linzi_district"], name=f"加园{i}", town=org["linzi"]["towns"]["金山镇"])
        assert town
    after = [count(url) for url in pages]
    assert after == before


def test_htmx_filtering_returns_the_table_only(org: Any, client_for: Any) -> None:
    client = client_for("linzi_admin")
    partial = client.get(reverse("park_list") + "?q=化学", HTTP_HX_REQUEST="true").content.decode()
    assert (
        '<nav class="navbar' not in partial
        and "齐鲁化学工业区" in partial
        and "临淄经济开发区" not in partial
    )


def test_paging(org: Any, client_for: Any) -> None:
    for i in range(60):
        TownFactory(district=org["linzi_district"], name=f"页镇{i:02d}")
    page2 = client_for("linzi_admin").get(reverse("town_list") + "?q=页镇&page=2").content.decode()
    assert "共 60 条" in page2 and "2 / 2" in page2


def test_admin_is_scoped_for_staff(org: Any, users: Any) -> None:
    client = Client()
    client.force_login(users["huantai_admin"])
    linzi_park = Park.objects.get(name="齐鲁化学工业区")
    listing = client.get("/admin/core/park/").content.decode()
    assert "东岳氟硅材料产业园" in listing and "齐鲁化学工业区" not in listing
    assert client.get(f"/admin/core/park/{linzi_park.pk}/change/").status_code in (302, 404)
    response = client.post(f"/admin/core/park/{linzi_park.pk}/delete/", {"post": "yes"})
    assert Park.objects.filter(pk=linzi_park.pk).exists() and response.status_code in (302, 403, 404)
    # Role tables are for superusers.
    assert client.get("/admin/core/role/").status_code == 403


def test_language_switch_to_english(org: Any, client_for: Any) -> None:
    client = client_for("linzi_admin")
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="en"' in client.get("/").content.decode()


def test_secret_key_is_generated_once_into_the_data_folder(tmp_path: Any) -> None:
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    env = {
        "ZHAOSHANG_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "zhaoshang.settings",
        "PATH": "/usr/bin",
    }
    run = lambda: subprocess.run(  # noqa: E731
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env=env,
        capture_output=True,
        text=True,
    )
    first, second = run(), run()
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and len(first.stdout.strip()) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert (tmp_path / "zhaoshang.sqlite3").exists() is False  # nothing else is created until migrate

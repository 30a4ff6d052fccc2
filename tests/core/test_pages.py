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
    # The admin answers an object outside the user's district as a missing one: 404 (tests/core/test_doors.py).
    assert client.get(f"/admin/core/park/{linzi_park.pk}/change/").status_code == 404
    response = client.post(f"/admin/core/park/{linzi_park.pk}/delete/", {"post": "yes"})
    assert Park.objects.filter(pk=linzi_park.pk).exists() and response.status_code == 404
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


def test_filters_keep_chinese_labels_and_offer_all_yes_no(org: Any, client_for: Any) -> None:
    import re

    client = client_for("linzi_admin")
    client.get("/api/schema/")  # generating the schema once must not change the pages' filters
    html = client.get(reverse("park_list")).content.decode()
    labels = re.findall(r'<label class="input-group-text"[^>]*>([^<]*)</label>', html)
    assert labels == ["区县", "类型", "所在镇办", "认定化工园区"]
    chemical = html[html.index('name="is_chemical_park"') :].split("</select>")[0]
    assert [o for o in re.findall(r">([^<]+)</option>", chemical)] == ["全部", "是", "否"]
    filtered = client.get(reverse("park_list") + "?is_chemical_park=true").content.decode()
    assert "齐鲁化学工业区" in filtered and "临淄经济开发区" not in filtered


def test_not_found_is_a_page_of_ours(org: Any, client_for: Any) -> None:
    from zhaoshang.core.models import Park

    linzi_park = Park.objects.get(name="齐鲁化学工业区")
    response = client_for("huantai_admin").get(reverse("park_detail", args=[linzi_park.pk]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "不在您的权限范围内" in html and "齐鲁化学工业区" not in html and 'class="navbar' in html


def test_login_keeps_the_username_after_a_wrong_password(org: Any) -> None:
    html = Client().post(reverse("login"), {"username": "linzi_admin", "password": "x"}).content.decode()
    assert "用户名或密码不正确" in html and 'value="linzi_admin"' in html


def test_history_reads_as_people_write(org: Any, users: Any, client_for: Any) -> None:
    from decimal import Decimal

    from zhaoshang.core.services import object_save

    park = Park.objects.get(name="临淄经济开发区")
    park.area_mu = Decimal("18500.5")
    object_save(instance=park, user=users["linzi_admin"])
    html = client_for("linzi_admin").get(reverse("park_history", args=[park.pk])).content.decode()
    assert "18000" in html and "18500.5" in html and "0000" not in html
    assert "网页" in html and "演示数据" in html  # channels named, not coded
    detail = client_for("linzi_admin").get(reverse("park_detail", args=[park.pk])).content.decode()
    assert "GeoJSON 面,4 个顶点" in detail
    form = client_for("linzi_admin").get(reverse("park_edit", args=[park.pk])).content.decode()
    assert 'value="18500.5"' in form


def test_deleting_a_town_that_parks_use_is_refused(org: Any, client_for: Any) -> None:
    town = org["linzi"]["towns"]["金山镇"]
    client = client_for("linzi_admin")
    response = client.post(reverse("town_delete", args=[town.pk]))
    assert response.status_code == 302
    assert Park.objects.get(name="齐鲁化学工业区").town == town
    page = client.get(response.url).content.decode()
    assert "无法删除" in page and "齐鲁化学工业区" in page


def test_home_shows_chain_completeness_and_due_targets(org: Any, client_for: Any) -> None:
    import datetime

    from zhaoshang.enterprises.factories import TargetEntryFactory

    entry = TargetEntryFactory(
        district=org["linzi_district"], next_action="回访", next_action_date=datetime.date.today()
    )
    linzi = client_for("linzi_chief").get("/").content.decode()
    assert 'id="chain-health"' in linzi and "机器人产业链" in linzi
    assert entry.enterprise.name in linzi and "回访" in linzi
    huantai = client_for("huantai_admin").get("/").content.decode()
    assert entry.enterprise.name not in huantai and "机器人产业链" not in huantai

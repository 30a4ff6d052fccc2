"""Global search (issue 17 item 5): one box over projects, enterprises, sites and target firms, within the user's
scope; another district's records never appear; codes match whole; the number of queries does not grow."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhaoshang.enterprises.factories import EnterpriseFactory, TargetEntryFactory
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.sites.factories import SiteFactory
from zhaoshang.web.search import global_search

URL = "/search/"


@pytest.fixture
def both(org: Any, as_test_actor: Any) -> dict[str, Any]:
    """The same words in Linzi and in Huantai, in every group."""
    made: dict[str, Any] = {}
    for key in ("linzi", "huantai"):
        district = org[f"{key}_district"]
        adcode = district.adcode
        made[key] = {
            "project": ProjectFactory(
                district=district,
                name=f"{key}蓝鲸新材料产业园项目",
                project_code=f"2025-{adcode}-26-03-00001{1 if key == 'linzi' else 2}",
            ),
            "enterprise": EnterpriseFactory(district=district, name=f"山东蓝鲸{key}化工有限公司"),
            "site": SiteFactory(district=district, name=f"蓝鲸{key}工业地块", code=f"LJ-{key}-001"),
            "target": TargetEntryFactory(
                district=district,
                enterprise=EnterpriseFactory(district=district, name=f"蓝鲸{key}目标集团股份有限公司"),
            ),
        }
    return made


def _names(groups: list[Any]) -> dict[str, list[str]]:
    return {g.key: [h.name for h in g.hits] for g in groups}


def test_district_user_sees_only_own_district_in_every_group(users: Any, both: Any) -> None:
    found = _names(global_search(users["linzi_admin"], "蓝鲸"))
    assert found["project"] == [both["linzi"]["project"].name]
    assert found["enterprise"] == sorted(
        [both["linzi"]["enterprise"].name, both["linzi"]["target"].enterprise.name]
    )
    assert found["site"] == [str(both["linzi"]["site"])]
    assert found["target"] == [both["linzi"]["target"].enterprise.name]
    everything = " ".join(" ".join(v) for v in found.values())
    assert "huantai" not in everything


def test_other_district_never_appears_on_the_page_or_dropdown(client_for: Any, both: Any) -> None:
    client = client_for("huantai_admin")
    for headers in ({}, {"HX-Request": "true"}):
        page = client.get(URL, {"q": "蓝鲸"}, headers=headers).content.decode()
        assert "huantai蓝鲸新材料产业园项目" in page
        assert "linzi" not in page
        for record in both["linzi"].values():
            assert f"/{record.pk}/" not in page or record.pk in {r.pk for r in both["huantai"].values()}
    # A Linzi project code typed whole finds nothing for Huantai.
    page = client.get(URL, {"q": both["linzi"]["project"].project_code}).content.decode()
    assert both["linzi"]["project"].name not in page


def test_city_sees_both_districts(users: Any, both: Any) -> None:
    found = _names(global_search(users["city_admin"], "蓝鲸"))
    assert set(found["project"]) == {both["linzi"]["project"].name, both["huantai"]["project"].name}
    assert len(found["site"]) == 2


def test_codes_match_whole_and_rank_first(users: Any, both: Any, org: Any, as_test_actor: Any) -> None:
    linzi = both["linzi"]
    user = users["linzi_admin"]
    by_code = {g.key: g.hits for g in global_search(user, linzi["project"].project_code)}
    assert [h.name for h in by_code["project"]] == [linzi["project"].name]
    assert by_code["project"][0].exact
    # Lower case and surrounding spaces: still the same code.
    by_uscc = {g.key: g.hits for g in global_search(user, f"  {linzi['enterprise'].uscc.lower()} ")}
    assert [h.name for h in by_uscc["enterprise"]] == [linzi["enterprise"].name]
    by_target = {g.key: g.hits for g in global_search(user, linzi["target"].enterprise.uscc)}
    assert [h.name for h in by_target["target"]] == [linzi["target"].enterprise.name]
    by_site = {g.key: g.hits for g in global_search(user, "lj-linzi-001")}
    assert [h.name for h in by_site["site"]] == [str(linzi["site"])]
    # A name that contains the code text ranks after the exact code match; a longer code does not match.
    SiteFactory(district=org["linzi_district"], name="LJ-linzi-001北侧配套地块", code="B-77")
    SiteFactory(district=org["linzi_district"], name="阿尔法地块", code="LJ-linzi-0010")
    sites = {g.key: g.hits for g in global_search(user, "LJ-linzi-001")}["site"]
    assert [h.exact for h in sites] == [True, False]
    assert "阿尔法地块" not in " ".join(h.name for h in sites)
    assert sites[0].name == str(linzi["site"])


def test_substring_of_a_chinese_name(users: Any, both: Any) -> None:
    found = _names(global_search(users["linzi_admin"], "新材料产业"))
    assert found["project"] == [both["linzi"]["project"].name]
    assert found["site"] == [] and found["target"] == []


def test_queries_do_not_grow_with_rows(client_for: Any, org: Any, as_test_actor: Any, both: Any) -> None:
    client = client_for("linzi_admin")
    client.get(URL, {"q": "蓝鲸"})  # warm the session and any per-process caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, {"q": "蓝鲸"}).status_code == 200
    district = org["linzi_district"]
    for i in range(12):
        ProjectFactory(district=district, name=f"蓝鲸扩建{i}号项目")
        SiteFactory(district=district, name=f"蓝鲸{i}号地块")
        TargetEntryFactory(
            district=district, enterprise=EnterpriseFactory(district=district, name=f"蓝鲸{i}号集团")
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL, {"q": "蓝鲸"})
    assert response.status_code == 200
    assert "蓝鲸扩建11号项目" in response.content.decode()
    assert len(many) == len(few)


def test_dropdown_is_short_and_links_to_the_full_page(client_for: Any, org: Any, as_test_actor: Any) -> None:
    district = org["linzi_district"]
    for i in range(8):
        ProjectFactory(district=district, name=f"白鹭{i}项目")
    client = client_for("linzi_admin")
    dropdown = client.get(URL, {"q": "白鹭"}, headers={"HX-Request": "true"})
    text = dropdown.content.decode()
    assert "<html" not in text
    assert text.count('data-search-hit="project"') == 5
    assert "/search/?q=%E7%99%BD%E9%B9%AD" in text
    page = client.get(URL, {"q": "白鹭"}).content.decode()
    assert page.count("白鹭") >= 8 + 1
    assert "<html" in page


def test_names_are_escaped(client_for: Any, org: Any, as_test_actor: Any) -> None:
    ProjectFactory(district=org["linzi_district"], name="<script>alert(1)</script>蓝鲸")
    text = client_for("linzi_admin").get(URL, {"q": "蓝鲸"}, headers={"HX-Request": "true"}).content.decode()
    assert "<script>alert" not in text and "&lt;script&gt;" in text


def test_empty_text_and_anonymous(client: Any, client_for: Any, org: Any) -> None:
    assert global_search(None, "  ") == []
    response = client_for("linzi_clerk").get(URL, {"q": " "})
    assert response.status_code == 200 and response.context["groups"] == []
    anonymous = client.get(URL, {"q": "蓝鲸"})
    assert anonymous.status_code == 302 and reverse("login") in anonymous["Location"]


def test_header_has_the_search_box(client_for: Any, org: Any) -> None:
    page = client_for("linzi_clerk").get("/").content.decode()
    assert 'id="global-search"' in page and 'hx-get="/search/"' in page
    # The header box is named `search` (a list page's own filter box is `q`); both are understood.
    assert 'name="search"' in page
    header = client_for("linzi_clerk").get(URL, {"search": "临淄"})
    assert header.context["q"] == "临淄"

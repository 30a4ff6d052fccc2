"""Duplicates on every path: the index the importer asks, the web form, the API, and the demo's own books."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework.test import APIClient

from zhaoshang.projects.duplicates import DuplicateIndex, duplicate_matches
from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.models import Project
from zhaoshang.projects.services import project_duplicates

OFFICIAL = "中国石化齐鲁石化鲁油鲁炼转型升级技术改造项目"
CODE = "2024-370321-26-03-012345"
UNIT = "91370300MA3C12345K"


def _luyou(org: Any) -> Project:
    return Project.objects.get(district=org["linzi_district"], name="鲁油鲁炼转型升级项目")


def test_the_index_finds_official_names_codes_elsewhere_and_earlier_rows(org: Any) -> None:
    linzi, huantai = org["linzi_district"], org["huantai_district"]
    luyou = _luyou(org)
    ProjectFactory(district=linzi, name="废弃的氢能装备产业园项目", status="terminated", status_reason="撤回")
    elsewhere = ProjectFactory(district=huantai, name="桓台某某项目", project_code=CODE)
    index = DuplicateIndex.for_districts([linzi.pk])

    (match,) = index.matches(district_id=linzi.pk, name=OFFICIAL)
    assert (match.project_id, match.kind, match.probable, match.row) == (luyou.pk, "contained", True, None)
    assert match.project_name == luyou.name and "包含" in match.reason
    assert index.matches(district_id=linzi.pk, name=OFFICIAL, exclude=luyou.pk) == []
    # A terminated project is no longer on the books; another district's by its code only.
    assert index.matches(district_id=linzi.pk, name="氢能装备产业园") == []
    (by_code,) = index.matches(district_id=linzi.pk, name="一个全新的名称", project_code=CODE)
    assert (by_code.project_id, by_code.kind, by_code.district_id) == (elsewhere.pk, "code", huantai.pk)
    assert by_code.reason == "项目代码相同"
    assert index.matches(district_id=linzi.pk, name="桓台某某项目") == []

    # Rows earlier in the same file are candidates for later rows.
    index.add(district_id=linzi.pk, name="智慧冷链物流园一期项目", investor_uscc=UNIT, row=7)
    (earlier,) = index.matches(district_id=linzi.pk, name="智慧冷链物流园（一期）")
    assert (earlier.project_id, earlier.row, earlier.probable) == (None, 7, True)
    assert index.matches(district_id=linzi.pk, name="智慧冷链物流园二期") == []
    (investor,) = index.matches(district_id=linzi.pk, name="高端轴承生产线", investor_uscc=UNIT)
    assert (investor.row, investor.kind, investor.level) == (7, "uscc", "possible")


def test_the_service_gives_the_projects_strongest_first(org: Any) -> None:
    linzi = org["linzi_district"]
    luyou = _luyou(org)
    same_code = ProjectFactory(district=linzi, name="另一个名字的项目", project_code=CODE)
    found = project_duplicates(district_id=linzi.pk, name=OFFICIAL, project_code=CODE)
    assert found == [same_code, luyou]
    assert [m.kind for m in duplicate_matches(district_id=linzi.pk, name=OFFICIAL, project_code=CODE)] == [
        "code",
        "contained",
    ]


def test_the_form_names_the_existing_record_with_a_link_and_the_reason(org: Any, client_for: Any) -> None:
    linzi, huantai = org["linzi_district"], org["huantai_district"]
    luyou = _luyou(org)
    client = client_for("linzi_admin")
    data = {"district": linzi.pk, "name": OFFICIAL, "stage": "lead", "tier": "general"}
    response = client.post(reverse("project_add"), data)
    page = response.content.decode()
    assert response.status_code == 400 and "疑似重复项目" in page
    assert f'href="{reverse("project_detail", args=[luyou.pk])}"' in page
    assert "很可能重复" in page and "一个名称包含另一个" in page
    assert not Project.objects.filter(name=OFFICIAL).exists()

    # A project of another district found by its code is neither named nor linked.
    other = ProjectFactory(district=huantai, name="桓台保密名称项目", project_code=CODE)
    response = client.post(reverse("project_add"), {**data, "name": "全新的名称", "project_code": CODE})
    page = response.content.decode()
    assert response.status_code == 400 and "其他区县的项目" in page and "项目代码相同" in page
    assert other.name not in page and reverse("project_detail", args=[other.pk]) not in page

    assert client.post(reverse("project_add"), {**data, "not_a_duplicate": "on"}).status_code == 302
    assert Project.objects.filter(name=OFFICIAL).exists()


def test_the_api_refuses_a_probable_duplicate_unless_told(org: Any, users: Any) -> None:
    linzi = org["linzi_district"]
    luyou = _luyou(org)
    api = APIClient()
    api.force_authenticate(users["linzi_admin"])
    body = {"district": linzi.pk, "name": OFFICIAL}
    refused = api.post("/api/project/", body, format="json")
    assert refused.status_code == 400, refused.content
    (shown,) = refused.json()["duplicates"]
    assert shown["id"] == str(luyou.pk) and shown["name"] == luyou.name
    assert (shown["kind"], shown["level"]) == ("contained", "probable")
    assert shown["url"] == f"/api/project/{luyou.pk}/"
    assert "not_a_duplicate" in refused.json()
    assert not Project.objects.filter(name=OFFICIAL).exists()

    created = api.post("/api/project/", {**body, "not_a_duplicate": True}, format="json")
    assert created.status_code == 201, created.content
    assert "not_a_duplicate" not in created.json()

    # Only possible (the same investor, another name): taken, as one investor may have two projects.
    ProjectFactory(district=linzi, name="高端精密轴承生产线", investor_uscc=UNIT)
    other = api.post(
        "/api/project/",
        {"district": linzi.pk, "name": "冷链物流仓储中心", "investor_uscc": UNIT},
        format="json",
    )
    assert other.status_code == 201, other.content

    # A change that makes a project another one's twin is refused too; a change elsewhere is not checked.
    pk = other.json()["id"]
    renamed = api.patch(f"/api/project/{pk}/", {"name": "鲁油鲁炼转型升级"}, format="json")
    assert renamed.status_code == 400
    # Both the demo's record and the one created above (confirmed as no duplicate), in the order they were added.
    assert [d.get("id") for d in renamed.json()["duplicates"]] == [str(luyou.pk), str(created.json()["id"])]
    assert api.patch(f"/api/project/{pk}/", {"tier": "municipal"}, format="json").status_code == 200


def test_the_schema_says_how_to_confirm(users: Any) -> None:
    api = APIClient()
    api.force_authenticate(users["linzi_admin"])
    schemas = api.get("/api/schema/?format=json").json()["components"]["schemas"]
    field = schemas["ProjectRequest"]["properties"]["not_a_duplicate"]
    assert field["type"] == "boolean" and "400" in field["description"]
    assert "not_a_duplicate" not in schemas["Project"]["properties"]  # write-only: never in an answer


def test_the_demo_books_hold_no_probable_duplicate(org: Any) -> None:
    """Every live demo project against the others of its district: a person editing one is never stopped."""
    live = Project.objects.exclude(status=Project.Status.TERMINATED)
    districts = sorted(set(live.values_list("district_id", flat=True)))
    index = DuplicateIndex.for_districts(districts)
    twins = []
    for project in live.only("pk", "district_id", "name", "investor_uscc", "project_code"):
        for match in index.matches(
            district_id=project.district_id,
            name=project.name,
            investor_uscc=project.investor_uscc,
            project_code=project.project_code,
            exclude=project.pk,
        ):
            if match.probable:
                twins.append((project.name, match.project_name, match.kind))
    assert twins == []

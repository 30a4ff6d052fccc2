"""Forms for people (issue 17 item 5): people by full name and only the district's staff, pickers instead of raw
JSON (投资方500强, 评分权重), nodes of the chosen chain only, and the single district preselected."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from zhaoshang.chains.factories import ChainFactory, NodeFactory
from zhaoshang.chains.models import Chain, Node
from zhaoshang.core.audit import system_actor
from zhaoshang.core.pickers import person_label, staff_queryset
from zhaoshang.enterprises.forms import TargetEntryForm
from zhaoshang.projects.forms import ProjectForm
from zhaoshang.projects.models import Project
from zhaoshang.sites.forms import DemandForm


def _linzi_chain(org: Any) -> Chain:
    chain = Chain.objects.filter(district=org["linzi_district"], is_current=True, nodes__isnull=False).first()
    assert chain is not None
    return chain


def _project_data(org: Any, **extra: Any) -> dict[str, Any]:
    data = {
        "district": org["linzi_district"].pk,
        "name": "拣选器测试项目",
        "stage": "lead",
        "tier": "general",
    }
    data.update(extra)
    return data


def test_officer_choices_are_the_districts_staff_by_full_name(users: Any, org: Any) -> None:
    system_actor("demo")  # a system account exists and must never be offered
    form = ProjectForm(user=users["linzi_admin"])
    field = form.fields["officer"]
    offered = set(field.queryset.values_list("username", flat=True))
    assert {"linzi_admin", "linzi_chief", "linzi_clerk"} <= offered
    assert "huantai_admin" not in offered  # another district's admin
    assert "city_admin" not in offered  # a city account is not the district's staff
    assert not any(name.startswith("system-") for name in offered)
    labels = [label for value, label in field.choices if value]
    assert "临淄区自然资源经办人 · 自然资源局临淄分局" in labels
    assert not any(label in ("linzi_admin", "linzi_clerk") for label in labels)


def test_other_districts_person_is_refused(users: Any, org: Any) -> None:
    form = ProjectForm(_project_data(org, officer=users["huantai_admin"].pk), user=users["linzi_admin"])
    assert not form.is_valid()
    assert "officer" in form.errors
    ok = ProjectForm(_project_data(org, officer=users["linzi_clerk"].pk), user=users["linzi_admin"])
    ok.is_valid()
    assert "officer" not in ok.errors


def test_city_user_gets_the_chosen_districts_staff(users: Any, org: Any) -> None:
    huantai = org["huantai_district"]
    form = ProjectForm({"district": huantai.pk}, user=users["city_admin"])
    offered = set(form.fields["officer"].queryset.values_list("username", flat=True))
    assert "huantai_admin" in offered and "linzi_admin" not in offered


def test_inactive_people_are_not_offered(users: Any, org: Any) -> None:
    clerk = users["linzi_clerk"]
    get_user_model().objects.filter(pk=clerk.pk).update(is_active=False)
    assert not staff_queryset([org["linzi_district"].pk]).filter(pk=clerk.pk).exists()
    assert person_label(users["linzi_chief"]) == "临淄区机器人产业链链长 · 区委常委"


def test_target_owner_is_a_person_picker_too(users: Any, org: Any) -> None:
    form = TargetEntryForm(user=users["linzi_chief"])
    offered = set(form.fields["owner"].queryset.values_list("username", flat=True))
    assert "linzi_chief" in offered and "huantai_admin" not in offered


def test_single_district_user_has_the_district_preselected(users: Any, org: Any) -> None:
    assert ProjectForm(user=users["linzi_admin"]).initial.get("district") == org["linzi_district"].pk
    assert ProjectForm(user=users["huantai_admin"]).initial.get("district") == org["huantai_district"].pk
    assert not ProjectForm(user=users["city_admin"]).initial.get("district")


def test_nodes_follow_the_chosen_chain(users: Any, org: Any) -> None:
    chain = _linzi_chain(org)
    before = ProjectForm(user=users["linzi_admin"])
    assert before.fields["node"].queryset.count() == 0
    chosen = ProjectForm(_project_data(org, chain=chain.pk), user=users["linzi_admin"])
    nodes = set(chosen.fields["node"].queryset.values_list("pk", flat=True))
    assert nodes == set(Node.objects.filter(chain=chain).values_list("pk", flat=True))
    other = Node.objects.filter(chain__district=org["linzi_district"]).exclude(chain=chain).first()
    if other is None:
        other = NodeFactory(chain=ChainFactory(district=org["linzi_district"]))
    wrong = ProjectForm(_project_data(org, chain=chain.pk, node=other.pk), user=users["linzi_admin"])
    assert not wrong.is_valid() and "node" in wrong.errors
    # The chain select asks for the nodes over HTMX.
    html = str(before["chain"])
    assert 'hx-get="/pickers/chain-nodes/"' in html and 'hx-target="#id_node"' in html


def test_chain_nodes_endpoint_stays_in_scope(client_for: Any, org: Any, as_test_actor: Any) -> None:
    chain = _linzi_chain(org)
    linzi = client_for("linzi_admin").get("/pickers/chain-nodes/", {"chain": chain.pk}).content.decode()
    assert linzi.count("<option") == 1 + Node.objects.filter(chain=chain).count()
    first = Node.objects.filter(chain=chain).first()
    assert f'value="{first.pk}"' in linzi
    outsider = client_for("huantai_admin").get("/pickers/chain-nodes/", {"chain": chain.pk}).content.decode()
    assert outsider.count("<option") == 1  # the blank only
    assert client_for("linzi_admin").get("/pickers/chain-nodes/", {"chain": "x"}).status_code == 200


def test_top500_picker_stores_lists_with_years(users: Any, org: Any) -> None:
    data = _project_data(
        org,
        investor_top500_0_list="世界500强",
        investor_top500_0="1",
        investor_top500_0_year="2024",
        investor_top500_1_list="中国企业500强",
        investor_top500_1_year="2024",  # not ticked: not stored
        investor_top500_2_list="中国民营企业500强",
        investor_top500_2="1",
        investor_top500_2_year="2023",
    )
    form = ProjectForm(data, user=users["linzi_admin"])
    form.is_valid()
    assert "investor_top500" not in form.errors
    assert form.cleaned_data["investor_top500"] == [
        {"list": "世界500强", "year": 2024},
        {"list": "中国民营企业500强", "year": 2023},
    ]
    missing = ProjectForm(
        _project_data(
            org, investor_top500_0_list="世界500强", investor_top500_0="1", investor_top500_0_year=""
        ),
        user=users["linzi_admin"],
    )
    assert not missing.is_valid() and "investor_top500" in missing.errors


def test_top500_picker_shows_stored_lists_including_unknown(users: Any, org: Any, as_test_actor: Any) -> None:
    project = Project.objects.filter(district=org["linzi_district"]).first()
    project.investor_top500 = [{"list": "世界500强", "year": 2022}, {"list": "某省百强", "year": 2021}]
    form = ProjectForm(instance=project, user=users["linzi_admin"])
    html = str(form["investor_top500"])
    assert "某省百强" in html and 'value="2022"' in html and 'value="2021"' in html
    assert html.count("checked") == 2
    assert "[{" not in html  # no raw JSON


def test_weights_picker(users: Any, org: Any) -> None:
    form = DemandForm(user=users["linzi_admin"])
    html = str(form["weights"])
    assert 'name="weights_area"' in html and 'name="weights_price"' in html and "面积" in html
    field = form.fields["weights"]
    assert field.clean({"area": "40", "price": "", "power": "12.5"}) == {"area": 40, "power": 12.5}
    assert field.clean({"area": "", "price": ""}) == {}
    with pytest.raises(ValidationError):
        field.clean({"area": "150"})
    with pytest.raises(ValidationError):
        field.clean({"area": "很多"})
    shown = str(DemandForm(user=users["linzi_admin"], initial={"weights": {"area": 30}})["weights"])
    assert 'name="weights_area" id="id_weights_area" value="30"' in shown


def test_add_page_renders_the_pickers(client_for: Any, org: Any) -> None:
    page = client_for("linzi_admin").get("/project/add/").content.decode()
    assert 'name="investor_top500_0"' in page
    assert 'hx-get="/pickers/chain-nodes/"' in page
    assert "临淄区机器人产业链链长" in page
    assert "桓台县管理员" not in page


def test_task_owner_is_shown_by_full_name(users: Any, org: Any) -> None:
    from zhaoshang.projects.delivery.forms import TaskForm

    field = TaskForm(user=users["linzi_admin"]).fields["owner"]
    labels = [str(label) for value, label in field.choices if value]
    assert "临淄区自然资源经办人 · 自然资源局临淄分局" in labels
    assert "linzi_clerk" not in labels and not any(label.startswith("system-") for label in labels)

"""Chains: industry codes with shares, revisions, JSON bundles, node/edge sheets, the panorama page."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from zhaoshang.chains.factories import ChainFactory, EdgeFactory, NodeFactory, NodeIndustryFactory
from zhaoshang.chains.models import Chain, ChainGroup, Edge, Node
from zhaoshang.chains.services import ChainDataError, chain_revise, parse_industry_shares
from zhaoshang.chains.transfer import bundle_export, bundle_import
from zhaoshang.core.importing import import_run, read_table
from zhaoshang.core.models import Job

BUNDLE = {
    "groups": [
        {
            "name": "新兴产业链群",
            "kind": "emerging",
            "strategy": "做大做强",
            "order": 2,
            "chains": [
                {
                    "code": "robot-test",
                    "name": "测试机器人产业链",
                    "lead": True,
                    "lead_department": "工信",
                    "nodes": [
                        {
                            "code": "parts",
                            "name": "核心零部件",
                            "segment": "up",
                            "weight": 2,
                            "industries": {"3484": 0.5, "3812": 0.5},
                            "keywords": ["减速器", "伺服电机", "控制器"],
                        },
                        {
                            "code": "body",
                            "name": "本体制造",
                            "segment": "mid",
                            "weight": 3,
                            "industries": {"3491": 1.0},
                            "keywords": ["工业机器人"],
                        },
                        {
                            "code": "apps",
                            "name": "系统集成",
                            "segment": "down",
                            "weight": 1,
                            "industries": {"3499": 1.0},
                            "keywords": ["系统集成"],
                        },
                    ],
                    "edges": [["parts", "body", 0.6], ["body", "apps", None]],
                }
            ],
        }
    ]
}


def test_industry_shares_are_parsed_and_checked() -> None:
    assert parse_industry_shares("3491:0.7; 3484") == [("3491", 0.7), ("3484", 0.3)]
    assert parse_industry_shares("2511\u30012614") == [("2511", 0.5), ("2614", 0.5)]
    assert parse_industry_shares("3491\uff1a1") == [("3491", 1.0)]
    assert parse_industry_shares("") == []
    with pytest.raises(ChainDataError, match="9999"):
        parse_industry_shares("9999")
    with pytest.raises(ChainDataError, match="0 到 1"):
        parse_industry_shares("3491:1.5")
    with pytest.raises(ChainDataError, match="小类"):
        parse_industry_shares("349")  # a group, not a class
    with pytest.raises(ChainDataError, match="重复"):
        parse_industry_shares("3491; 3491")


def test_node_form_sets_and_changes_industry_codes(org: Any, client_for: Any, users: Any) -> None:
    chain = ChainFactory(district=org["linzi_district"])
    client = client_for("linzi_admin")
    data = {
        "chain": chain.pk,
        "code": "rv",
        "name": "RV减速器",
        "segment": "up",
        "weight": "1",
        "order": 0,
        "keywords": "RV减速器, 谐波减速器",
        "industry_codes": "3484:0.6; 3491",
    }
    assert client.post(reverse("node_add"), data).status_code == 302
    node = Node.objects.get(chain=chain, code="rv")
    assert node.keywords == ["RV减速器", "谐波减速器"]
    assert sorted((i.code, i.share) for i in node.industries.all()) == [("3484", 0.6), ("3491", 0.4)]
    data["industry_codes"] = "3484"
    assert client.post(reverse("node_edit", args=[node.pk]), data).status_code == 302
    assert [(i.code, i.share) for i in node.industries.all()] == [("3484", 1.0)]
    assert node.industries.get().history.first().history_user == users["linzi_admin"]
    data["industry_codes"] = "1234x"
    response = client.post(reverse("node_edit", args=[node.pk]), data)
    assert response.status_code == 400 and "industry_codes" in response.context["form"].errors
    assert [(i.code, i.share) for i in node.industries.all()] == [("3484", 1.0)]


def test_edge_form_offers_only_the_chains_nodes(org: Any, users: Any) -> None:
    from zhaoshang.chains.forms import EdgeForm

    chain, other = ChainFactory(district=org["linzi_district"]), ChainFactory(district=org["linzi_district"])
    mine, theirs = NodeFactory(chain=chain), NodeFactory(chain=other)
    form = EdgeForm(initial={"chain": chain.pk}, user=users["linzi_admin"])
    assert list(form.fields["source"].queryset) == [mine]
    form = EdgeForm({"chain": chain.pk, "source": mine.pk, "target": theirs.pk}, user=users["linzi_admin"])
    assert not form.is_valid() and "target" in form.errors


def test_revision_copies_the_chain_and_keeps_the_old_version(org: Any, users: Any) -> None:
    edge = EdgeFactory(chain=ChainFactory(district=org["linzi_district"]), weight=0.5)
    NodeIndustryFactory(node=edge.source, code="3484", share=1.0)
    old = edge.chain
    new = chain_revise(chain=old, user=users["linzi_admin"])
    old.refresh_from_db()
    assert (old.version, old.is_current, new.version, new.is_current) == (1, False, 2, True)
    assert new.nodes.count() == 2 and new.edges.get().weight == 0.5
    assert new.nodes.get(code=edge.source.code).industries.get().code == "3484"
    assert Node.objects.filter(chain=old).count() == 2  # untouched
    with pytest.raises(ChainDataError):
        chain_revise(chain=old, user=users["linzi_admin"])


def test_revision_is_scoped(org: Any, client_for: Any) -> None:
    chain = ChainFactory(district=org["linzi_district"])
    assert client_for("huantai_admin").post(reverse("chain_revise", args=[chain.pk])).status_code == 404
    assert client_for("linzi_clerk").post(reverse("chain_revise", args=[chain.pk])).status_code == 302
    assert Chain.objects.filter(code=chain.code).count() == 2


def test_bundle_import_and_export_round_trip(org: Any, users: Any) -> None:
    district = org["linzi_district"]
    [chain] = bundle_import(bundle=BUNDLE, district=district, user=users["linzi_admin"])
    assert chain.team.name == "测试机器人产业链专班" and chain.lead_department.short_name == "工信"
    assert chain.nodes.count() == 3 and chain.edges.count() == 2
    exported = bundle_export(Chain.objects.filter(pk=chain.pk))
    assert exported["groups"][0]["chains"][0]["nodes"][0]["industries"] == {"3484": 0.5, "3812": 0.5}
    assert exported["groups"][0]["chains"][0]["edges"] == [["parts", "body", 0.6], ["body", "apps", None]]
    # Importing it again revises: a second version, one current.
    bundle_import(bundle=exported, district=district, user=users["linzi_admin"])
    assert list(
        Chain.objects.filter(code="robot-test").values_list("version", "is_current").order_by("version")
    ) == [
        (1, False),
        (2, True),
    ]
    assert ChainGroup.objects.filter(district=district, name="新兴产业链群").count() == 1


def test_bad_bundle_writes_nothing_and_names_every_problem(org: Any, users: Any) -> None:
    bad = json.loads(json.dumps(BUNDLE))
    chain = bad["groups"][0]["chains"][0]
    chain["nodes"][0]["industries"] = {"9999": 1.0}
    chain["edges"].append(["body", "ghost", None])
    before = (Chain.objects.count(), Node.objects.count(), Edge.objects.count())
    with pytest.raises(ChainDataError) as error:
        bundle_import(bundle=bad, district=org["linzi_district"], user=users["linzi_admin"])
    assert "9999" in str(error.value) and "ghost" in str(error.value)
    assert (Chain.objects.count(), Node.objects.count(), Edge.objects.count()) == before


def test_bundle_import_is_scoped(org: Any, users: Any) -> None:
    from django.http import Http404

    with pytest.raises(Http404):
        bundle_import(bundle=BUNDLE, district=org["linzi_district"], user=users["huantai_admin"])
    assert not Chain.objects.filter(code="robot-test").exists()


def test_json_bundle_through_the_web_import_flow(org: Any, client_for: Any) -> None:
    client = client_for("linzi_admin")
    upload = io.BytesIO(json.dumps({**BUNDLE, "district": "370305"}).encode())
    upload.name = "chains.json"
    response = client.post(reverse("chain_import"), {"file": upload})
    preview = Job.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert (
        preview.result["ok"]
        and preview.result["new"] == 1
        and not Chain.objects.filter(code="robot-test").exists()
    )
    confirmed = client.post(reverse("import_confirm", args=[preview.pk]))
    assert Job.objects.get(pk=int(confirmed.url.rstrip("/").split("/")[-1])).result["committed"]
    assert Chain.objects.get(code="robot-test").district.adcode == "370305"
    exported = json.loads(client.get(reverse("chain_export") + "?format=json").content)
    assert "robot-test" in {c["code"] for g in exported["groups"] for c in g["chains"]}


def test_json_bundle_for_a_foreign_district_is_refused(org: Any, client_for: Any) -> None:
    upload = io.BytesIO(json.dumps({**BUNDLE, "district": "370321"}).encode())
    upload.name = "chains.json"
    response = client_for("linzi_admin").post(reverse("chain_import"), {"file": upload})
    job = Job.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert not job.result["ok"] and not Chain.objects.filter(code="robot-test").exists()


def test_cli_bundle_import_and_export(org: Any, tmp_path: Any) -> None:
    path = tmp_path / "chains.json"
    path.write_text(json.dumps(BUNDLE), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import", "chain", str(path), "--district", "370399")
    call_command("import", "chain", str(path), "--district", "370321")
    assert Chain.objects.get(code="robot-test").district.adcode == "370321"
    out = tmp_path / "out.json"
    call_command("export", "chain", "-o", str(out), "--district", "370321")
    exported = json.loads(out.read_text())  # Huantai's demo chains and the imported one
    assert "robot-test" in {c["code"] for g in exported["groups"] for c in g["chains"]}


def _xlsx(headers: list[str], rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_node_and_edge_sheets_import(org: Any, users: Any) -> None:
    from zhaoshang.chains.resources import EdgeResource, NodeResource

    user = users["linzi_admin"]
    chain = ChainFactory(district=org["linzi_district"], code="sheet")
    headers = ["区县代码", "产业链代码", "环节代码", "名称", "链段", "权重", "行业代码及占比", "关键词"]
    rows = [
        ["370305", "sheet", "a", "原料", "上游", 1, "2614", "乙烯、丙烯"],
        ["370305", "sheet", "b", "材料", "中游", 2, "2651:0.5; 2652:0.5", "聚丙烯"],
        ["370305", "sheet", "c", "坏环节", "中游", 1, "9999", ""],
        ["370305", "nochain", "d", "无链", "中游", 1, "", ""],
    ]
    report = import_run(
        resource=NodeResource(user=user),
        dataset=read_table("n.xlsx", _xlsx(headers, rows)),
        user=user,
        dry_run=False,
    )
    assert not report.committed and not chain.nodes.exists()
    assert {(i.row, i.column) for i in report.issues} == {(4, "行业代码及占比"), (5, "产业链代码")}
    report = import_run(
        resource=NodeResource(user=user),
        dataset=read_table("n.xlsx", _xlsx(headers, rows[:2])),
        user=user,
        dry_run=False,
    )
    assert report.committed and chain.nodes.get(code="b").industries.count() == 2
    edges = _xlsx(
        ["区县代码", "产业链代码", "供给环节代码", "需求环节代码", "成本占比"],
        [["370305", "sheet", "a", "b", 0.4]],
    )
    report = import_run(
        resource=EdgeResource(user=user), dataset=read_table("e.xlsx", edges), user=user, dry_run=False
    )
    assert report.committed and chain.edges.get().weight == 0.4


def test_chain_page_draws_the_panorama_in_constant_queries(org: Any, client_for: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    chain = ChainFactory(district=org["linzi_district"])
    client = client_for("linzi_admin")

    def render() -> tuple[int, dict[str, Any]]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("chain_detail", args=[chain.pk]))
        assert response.status_code == 200
        return len(queries), response.context["graph"]

    for segment in ("up", "mid", "down"):
        NodeIndustryFactory(node=NodeFactory(chain=chain, segment=segment))
    small, graph = render()
    ups = [n for n in graph["nodes"] if n["segment"] == "上游"]
    downs = [n for n in graph["nodes"] if n["segment"] == "下游"]
    assert ups[0]["x"] < downs[0]["x"]
    for _ in range(20):
        NodeIndustryFactory(node=NodeFactory(chain=chain, segment="mid"))
    nodes = list(chain.nodes.all())
    for a, b in zip(nodes, nodes[1:], strict=False):
        EdgeFactory(chain=chain, source=a, target=b)
    large, graph = render()
    assert len(graph["nodes"]) == 23 and len(graph["links"]) == 22
    assert large == small
    assert client_for("huantai_admin").get(reverse("chain_detail", args=[chain.pk])).status_code == 404


def test_bundle_refuses_self_and_duplicate_links(org: Any, users: Any) -> None:
    bad = json.loads(json.dumps(BUNDLE))
    bad["groups"][0]["chains"][0]["edges"] += [["parts", "parts", None], ["parts", "body", 0.2]]
    with pytest.raises(ChainDataError) as error:
        bundle_import(bundle=bad, district=org["linzi_district"], user=users["linzi_admin"])
    assert "不能供给自身" in str(error.value) and "重复" in str(error.value)


@pytest.mark.usefixtures("as_test_actor")
def test_reimport_keeps_the_chains_people(org: Any, users: Any) -> None:
    [chain] = bundle_import(bundle=BUNDLE, district=org["linzi_district"], user=users["linzi_admin"])
    chain.chief, chain.leading_cadre = users["linzi_chief"], "副区长"
    chain.save()
    chain.towns.add(org["linzi"]["towns"]["辛店街道"])
    [again] = bundle_import(bundle=BUNDLE, district=org["linzi_district"], user=users["linzi_admin"])
    assert again.version == 2 and again.chief == users["linzi_chief"] and again.leading_cadre == "副区长"
    assert list(again.towns.values_list("name", flat=True)) == ["辛店街道"]

"""Enterprise registry: provenance, hand corrections that survive re-import, placement on chains, the target library."""

from __future__ import annotations

import datetime
import io
from typing import Any

import openpyxl
from django.urls import reverse

from zhaoshang.analytics.classification.nodes import FirmProfile, NodeProfile, place_firm
from zhaoshang.chains.models import Chain, Node
from zhaoshang.core.importing import import_run, read_table
from zhaoshang.enterprises.factories import EnterpriseFactory, TargetEntryFactory, make_uscc
from zhaoshang.enterprises.models import ContactLog, Enterprise, EnterpriseNode, TargetEntry
from zhaoshang.enterprises.resources import EnterpriseResource
from zhaoshang.enterprises.selectors import targets_due
from zhaoshang.enterprises.services import (
    contact_log_add,
    enterprise_override_clear,
    enterprise_override_set,
    enterprises_classify,
    placement_set,
)

HEADERS = [
    "区县代码",
    "统一社会信用代码",
    "企业名称",
    "注册资本",
    "参保人数",
    "行业代码",
    "经营范围",
    "成立日期",
    "标签",
    "500强",
    "数据来源",
    "数据日期",
]


def sheet(rows: list[list[Any]]) -> Any:
    book = openpyxl.Workbook()
    book.active.append(HEADERS)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return read_table("firms.xlsx", buffer.getvalue())


def test_place_firm_by_code_then_keyword() -> None:
    nodes = [
        NodeProfile(1, "本体制造", frozenset({"3491"}), ("工业机器人",)),
        NodeProfile(2, "核心零部件", frozenset({"3484"}), ("减速器", "伺服电机")),
    ]
    placed = place_firm(FirmProfile("3491", "研发生产减速器及工业机器人"), nodes)
    assert [(p.node, p.method) for p in placed] == [(1, "code"), (2, "keyword")]
    assert "3491" in placed[0].reason and "减速器" in placed[1].reason
    assert place_firm(FirmProfile("1311", "粮食收购"), nodes) == []


def test_import_records_provenance_and_hand_corrections_survive(org: Any, users: Any) -> None:
    user = users["linzi_admin"]
    uscc = make_uscc(777)
    first = sheet(
        [
            [
                "370305",
                uscc,
                "齐都机器人有限公司",
                "5000万元",
                0,
                3491,
                "工业机器人研发制造",
                "2019年5月",
                "专精特新",
                "中国民营企业500强:2023",
                "市场监管局",
                "2024年1月",
            ]
        ]
    )
    report = import_run(resource=EnterpriseResource(user=user), dataset=first, user=user, dry_run=False)
    assert report.committed, report.issues
    firm = Enterprise.objects.get(district__adcode="370305", uscc=uscc)
    assert firm.registered_capital == 5000 and firm.founded == datetime.date(2019, 5, 1)
    assert firm.tags == ["专精特新"] and firm.top500 == [{"list": "中国民营企业500强", "year": 2023}]
    assert firm.provenance["insured_employees"] == {
        "source": "市场监管局",
        "date": "2024-01-01",
        "source_value": 0,
    }

    # The registry shows 0 insured employees; the officer knows better.
    enterprise_override_set(
        enterprise=firm, field="insured_employees", value=180, user=user, reason="实地核实"
    )
    second = sheet(
        [
            [
                "370305",
                uscc,
                "齐都机器人有限公司",
                "0.6亿元",
                0,
                3491,
                "工业机器人研发制造",
                "2019年5月",
                "专精特新",
                "",
                "企查查",
                "2024年6月",
            ]
        ]
    )
    report = import_run(resource=EnterpriseResource(user=user), dataset=second, user=user, dry_run=False)
    assert report.committed and report.update == 1 and report.new == 0
    firm.refresh_from_db()
    assert firm.insured_employees == 180  # the correction wins
    assert firm.provenance["insured_employees"]["source"] == "企查查"
    assert firm.provenance["insured_employees"]["source_value"] == 0
    assert firm.registered_capital == 6000  # not corrected: follows the source
    assert firm.overrides["insured_employees"]["by"] == "linzi_admin"

    enterprise_override_clear(enterprise=firm, field="insured_employees", user=user)
    firm.refresh_from_db()
    assert firm.insured_employees == 0 and "insured_employees" not in firm.overrides


def test_import_deduplicates_by_uscc_and_refuses_bad_codes(org: Any, users: Any) -> None:
    user = users["linzi_admin"]
    uscc = make_uscc(888)
    rows = [
        ["370305", uscc, "甲公司", "100", 10, "3491", "", "", "", "", "", ""],
        [
            "370305",
            uscc[:-1] + ("0" if uscc[-1] != "0" else "1"),
            "乙公司",
            "100",
            10,
            "3491",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        ["370305", make_uscc(889), "丙公司", "很多钱", 10, "9999", "", "", "", "", "", ""],
    ]
    report = import_run(resource=EnterpriseResource(user=user), dataset=sheet(rows), user=user, dry_run=False)
    columns = {(i.row, i.column) for i in report.issues}
    assert columns == {(3, "统一社会信用代码"), (4, "注册资本"), (4, "行业代码")}
    assert not Enterprise.objects.filter(name__in=["甲公司", "乙公司", "丙公司"]).exists()
    # The same firm twice in one file is one record, updated by the later row.
    twice = [rows[0], ["370305", uscc, "甲公司(更名)", "100", 10, "3491", "", "", "", "", "", ""]]
    report = import_run(
        resource=EnterpriseResource(user=user), dataset=sheet(twice), user=user, dry_run=False
    )
    assert report.committed and Enterprise.objects.filter(uscc=uscc).count() == 1
    assert Enterprise.objects.get(uscc=uscc).name == "甲公司(更名)"


def test_classification_places_on_demo_chains_and_keeps_hand_choices(org: Any, users: Any) -> None:
    user = users["linzi_admin"]
    firm = EnterpriseFactory(
        district=org["linzi_district"], industry_code="3491", business_scope="工业机器人、减速器"
    )
    enterprises_classify(enterprises=Enterprise.objects.filter(pk=firm.pk), user=user)
    placements = {p.node.name: p for p in firm.placements.select_related("node")}
    robot_nodes = set(
        Node.objects.filter(chain__code="robotics", industries__code="3491").values_list("name", flat=True)
    )
    assert robot_nodes and robot_nodes <= set(placements)
    some = next(iter(placements.values()))
    placement_set(enterprise=firm, node=some.node, user=user, on=False, reason="只做贸易")
    enterprises_classify(enterprises=Enterprise.objects.filter(pk=firm.pk), user=user)
    assert EnterpriseNode.objects.get(pk=some.pk).excluded  # classification does not undo a person's call
    # A firm of another district cannot be placed on Linzi's nodes.
    outsider = EnterpriseFactory(district=org["huantai_district"])
    import pytest

    from zhaoshang.enterprises.services import EnterpriseError

    with pytest.raises(EnterpriseError):
        placement_set(enterprise=outsider, node=some.node, user=users["city_admin"], on=True, reason="")


def test_enterprise_page_shows_sources_and_corrects_through_the_form(org: Any, client_for: Any) -> None:
    firm = EnterpriseFactory(
        district=org["linzi_district"], provenance={"name": {"source": "市场监管局", "date": "2024-01-01"}}
    )
    client = client_for("linzi_admin")
    page = client.get(reverse("enterprise_detail", args=[firm.pk])).content.decode()
    assert "市场监管局 · 2024-01-01" in page and "手工录入" in page
    url = reverse("enterprise_override", args=[firm.pk, "insured_employees"])
    assert client.post(url, {"value": "66", "reason": "走访核实"}).status_code == 302
    firm.refresh_from_db()
    assert firm.insured_employees == 66 and firm.overrides["insured_employees"]["reason"] == "走访核实"
    assert client.post(url, {"value": "很多"}).status_code == 302
    firm.refresh_from_db()
    assert firm.insured_employees == 66  # a bad value changes nothing
    assert client_for("huantai_admin").post(url, {"value": "1"}).status_code == 404
    assert client_for("linzi_clerk").post(reverse("enterprise_classify", args=[firm.pk])).status_code == 302


def test_contacts_move_the_target_forward_never_back(org: Any, users: Any) -> None:
    user = users["linzi_chief"]
    entry = TargetEntryFactory(district=org["linzi_district"])
    contact_log_add(entry=entry, user=user, date=datetime.date(2026, 11, 1), kind="call", summary="电话联系")
    assert TargetEntry.objects.get(pk=entry.pk).status == "contacted"
    contact_log_add(
        entry=entry,
        user=user,
        date=datetime.date(2026, 11, 5),
        kind="visit",
        summary="拜访总部",
        next_step="邀请来临淄考察",
        next_action_date=datetime.date(2026, 11, 20),
    )
    entry.refresh_from_db()
    assert (entry.status, entry.next_action, entry.next_action_date) == (
        "visited",
        "邀请来临淄考察",
        datetime.date(2026, 11, 20),
    )
    contact_log_add(entry=entry, user=user, date=datetime.date(2026, 11, 6), kind="call", summary="补充材料")
    entry.refresh_from_db()
    assert entry.status == "visited" and ContactLog.objects.filter(entry=entry).count() == 3


def test_contact_through_the_target_page(org: Any, client_for: Any) -> None:
    entry = TargetEntryFactory(district=org["linzi_district"])
    client = client_for("linzi_chief")
    page = client.get(reverse("target_detail", args=[entry.pk])).content.decode()
    assert "记一次联系" in page
    data = {
        "entry": entry.pk,
        "date": "2026-11-21",
        "kind": "meeting",
        "summary": "项目洽谈",
        "participants": "链长",
        "next_step": "报价",
        "next_action_date": "2026-11-30",
    }
    assert client.post(reverse("contact_add"), data).status_code == 302
    entry.refresh_from_db()
    assert entry.status == "negotiating" and entry.next_action_date == datetime.date(2026, 11, 30)


def test_dropping_needs_a_reason_and_reminders_list_due_targets(
    org: Any, users: Any, client_for: Any
) -> None:
    from django.core.exceptions import ValidationError

    today = datetime.date.today()
    TargetEntry.objects.update(next_action_date=None)  # a clean slate: the demo library's own follow-ups
    due = TargetEntryFactory(
        district=org["linzi_district"], next_action_date=today + datetime.timedelta(days=2)
    )
    TargetEntryFactory(district=org["linzi_district"], next_action_date=today + datetime.timedelta(days=10))
    TargetEntryFactory(district=org["huantai_district"], next_action_date=today)
    assert list(targets_due(users["linzi_admin"])) == [due]
    due.status = "dropped"
    try:
        due.full_clean()
    except ValidationError as error:
        assert "drop_reason" in error.message_dict
    else:
        raise AssertionError("dropping without a reason must be refused")
    listing = client_for("linzi_admin").get(reverse("target_list") + "?due=true").content.decode()
    assert due.enterprise.name in listing


def test_chain_nodes_link_back_to_their_firms(org: Any, client_for: Any, users: Any) -> None:
    firm = EnterpriseFactory(district=org["linzi_district"], industry_code="3491", name="链上企业有限公司")
    enterprises_classify(enterprises=Enterprise.objects.filter(pk=firm.pk), user=users["linzi_admin"])
    node = firm.placements.first().node
    listing = client_for("linzi_admin").get(reverse("enterprise_list") + f"?node={node.pk}").content.decode()
    assert "链上企业有限公司" in listing
    assert Chain.objects.filter(pk=node.chain_id, district=org["linzi_district"]).exists()


def test_node_page_lists_its_local_firms(org: Any, client_for: Any, users: Any) -> None:
    firm = EnterpriseFactory(district=org["linzi_district"], industry_code="3491", name="节点企业有限公司")
    enterprises_classify(enterprises=Enterprise.objects.filter(pk=firm.pk), user=users["linzi_admin"])
    node = firm.placements.first().node
    count = EnterpriseNode.objects.filter(node=node, excluded=False).count()
    page = client_for("linzi_admin").get(reverse("node_detail", args=[node.pk])).content.decode()
    assert "节点企业有限公司" in page and f"本环节企业 {count} 家" in page and "3491" in page

"""The bulk import path (core/fast_import.py) reports and writes exactly what the row-by-row run does.

Each test runs the same file through both (``fast_import`` switched off on one resource) from the same database
state and compares the whole report: counts, every issue with its row, column and message, the warnings, the
preview; on commit, the rows written, their history (user, channel, kind) and the named action."""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from zhaoshang.core.actions import ActionEntry
from zhaoshang.core.audit import acting_as, system_actor
from zhaoshang.core.fast_import import fast_import_data
from zhaoshang.core.importing import ImportReport, import_run, read_table
from zhaoshang.core.models import District, Role, RoleAssignment
from zhaoshang.core.resources import TownResource
from zhaoshang.enterprises.factories import make_uscc
from zhaoshang.enterprises.models import Enterprise
from zhaoshang.enterprises.resources import EnterpriseResource

HEADERS = [
    "区县代码",
    "统一社会信用代码",
    "企业名称",
    "成立日期",
    "注册资本",
    "参保人数",
    "行业代码",
    "地址",
    "所在区划代码",
    "经度",
    "纬度",
    "登记状态",
    "上市",
    "标签",
    "数据来源",
    "数据日期",
]
LINZI, HUANTAI = "370305", "370321"


def row(adcode: str, uscc: str, name: str, **cells: Any) -> list[Any]:
    values = {
        "成立日期": "2019年5月",
        "注册资本": "5000万元",
        "参保人数": "12",
        "行业代码": "3491",
        "地址": "临淄区齐都路1号",
        "所在区划代码": adcode,
        "经度": "118.3",
        "纬度": "36.8",
        "登记状态": "存续",
        "上市": "否",
        "标签": "专精特新、高新技术企业",
        "数据来源": "市场监管局",
        "数据日期": "2024年6月",
        **cells,
    }
    return [adcode, uscc, name, *(values[h] for h in HEADERS[3:])]


def table(rows: list[list[Any]]) -> Any:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return read_table("firms.csv", buffer.getvalue().encode("utf-8"))


def run(user: Any, rows: list[list[Any]], *, fast: bool, dry_run: bool) -> ImportReport:
    resource = EnterpriseResource(user=user)
    resource.fast_import = fast
    return import_run(resource=resource, dataset=table(rows), user=user, dry_run=dry_run)


def seen(report: ImportReport) -> dict[str, Any]:
    """Everything a report says, except the flag that a commit happened."""
    data = report.as_dict()
    data.pop("committed")
    return data


class _Undo(Exception):
    pass


def existing(district: str, uscc: str, name: str, **fields: Any) -> Enterprise:
    with acting_as(system_actor("test"), "cli"):
        return Enterprise.objects.create(
            district=District.objects.get(adcode=district), uscc=uscc, name=name, **fields
        )


def mixed_rows() -> list[list[Any]]:
    """Good rows, every kind of bad row, rows outside the scope, updates and a firm named twice."""
    bad_check = make_uscc(503)[:-1] + ("0" if make_uscc(503)[-1] != "0" else "1")
    return [
        row(LINZI, make_uscc(501), "齐都新材料有限公司"),  # 2: new
        row(LINZI, make_uscc(502), "稷下机器人有限公司", 参保人数="", 经度="", 纬度=""),  # 3: new, blanks
        row(LINZI, bad_check, "校验位错误公司"),  # 4: USCC check character
        row(LINZI, make_uscc(504), "金额错误公司", 注册资本="很多钱", 行业代码="9999"),  # 5: two cells
        row(HUANTAI, make_uscc(505), "桓台公司"),  # 6: another district: no right to write there
        row("379999", make_uscc(506), "无此区县公司"),  # 7: no such district
        row(LINZI, make_uscc(507), "", 登记状态="破产中"),  # 8: name missing, bad choice
        row(LINZI, make_uscc(508), "未来公司", 成立日期="2999-01-01"),  # 9: model validator (past date)
        row(LINZI, make_uscc(509), "名" * 201),  # 10: too long for the column
        row(LINZI, make_uscc(510), "已有企业(新名)", 参保人数="", 注册资本=""),  # 11: update, blanks keep
        row(LINZI, make_uscc(501), "齐都新材料股份有限公司", 参保人数=""),  # 12: the firm of row 2 again
        row(LINZI, make_uscc(511), "负数公司", 参保人数="-3"),  # 13: a negative count
        row(LINZI, make_uscc(512), "坐标错误公司", 经度="东经118度"),  # 14: not a number
        row(LINZI, make_uscc(513), "上市错误公司", 上市="X", 标签="链主;规上企业"),  # 15: 是/否 refused
    ]


def test_preview_reports_exactly_what_the_row_by_row_run_reports(org: Any, users: Any) -> None:
    user = users["linzi_admin"]
    existing(LINZI, make_uscc(510), "已有企业", insured_employees=40, registered_capital=Decimal(800))
    existing(HUANTAI, make_uscc(501), "桓台的同一家企业")  # the same USCC kept by another district
    rows = mixed_rows()
    before = Enterprise.objects.count()
    generic = run(user, rows, fast=False, dry_run=True)
    fast = run(user, rows, fast=True, dry_run=True)
    assert Enterprise.objects.count() == before
    assert seen(fast) == seen(generic)
    # The comparison is about something: the report names each bad row and cell as officials see them.
    by_cell = {(i.row, i.column): i.message for i in fast.issues}
    assert {r for r, _c in by_cell} == {4, 5, 6, 7, 8, 9, 10, 13, 14, 15}
    assert "校验位不符" in by_cell[(4, "统一社会信用代码")]
    assert (5, "注册资本") in by_cell and (5, "行业代码") in by_cell
    assert by_cell[(6, "区县代码")] == "无权在该区县录入数据"
    assert by_cell[(7, "区县代码")] == "找不到区县代码“379999”"
    assert (8, "企业名称") in by_cell and "破产中" in by_cell[(8, "登记状态")]
    assert (9, "成立日期") in by_cell and (10, "企业名称") in by_cell
    assert (13, "参保人数") in by_cell and (14, "经度") in by_cell and (15, "上市") in by_cell
    # rows 2, 3 new; 11 updates the stored firm, 12 the firm row 2 made
    assert (fast.new, fast.update, fast.skip) == (2, 2, 0)
    assert [(p["row"], p["type"]) for p in fast.preview] == [
        (2, "new"),
        (3, "new"),
        (11, "update"),
        (12, "update"),
    ]


def test_rows_outside_the_changeable_scope_and_unique_clashes(org: Any, users: Any) -> None:
    """A clerk may change but not add: updates pass, new firms are refused. A user who may add but not change
    finds no record to update, so a firm already kept there clashes with the unique constraint."""
    clerk = users["linzi_clerk"]
    existing(LINZI, make_uscc(601), "已有企业甲")
    rows = [row(LINZI, make_uscc(601), "已有企业甲(更新)"), row(LINZI, make_uscc(602), "新企业乙")]
    generic = run(clerk, rows, fast=False, dry_run=True)
    fast = run(clerk, rows, fast=True, dry_run=True)
    assert seen(fast) == seen(generic)
    assert (fast.update, [(i.row, i.column) for i in fast.issues]) == (1, [(3, "区县代码")])

    with acting_as(system_actor("test"), "cli"):
        adder = get_user_model().objects.create(username="linzi_adder")
        role = Role.objects.create(code="adder", name="只录入", actions=["view", "add"])
        RoleAssignment.objects.create(user=adder, role=role).districts.add(District.objects.get(adcode=LINZI))
    generic = run(adder, rows, fast=False, dry_run=True)
    fast = run(adder, rows, fast=True, dry_run=True)
    assert seen(fast) == seen(generic)
    assert [(i.row, i.column) for i in fast.issues] == [(2, "整行")]
    assert fast.new == 1


def committed(user: Any, rows: list[list[Any]], *, fast: bool) -> tuple[ImportReport, dict[str, Any]]:
    """Commit the file, note what it left in the database, then undo it all."""
    usccs = {r[1] for r in rows}
    state: dict[str, Any] = {}
    with contextlib.suppress(_Undo), transaction.atomic():
        report = run(user, rows, fast=fast, dry_run=False)
        firms = Enterprise.objects.filter(uscc__in=usccs).order_by("district__adcode", "uscc")
        skip = {"id", "created", "updated"}
        state["firms"] = [
            {
                f.attname: getattr(firm, f.attname)
                for f in Enterprise._meta.concrete_fields
                if f.attname not in skip
            }
            for firm in firms
        ]
        history = Enterprise.history.filter(uscc__in=usccs).order_by("uscc", "history_date", "history_id")
        state["history"] = [
            (h.uscc, h.name, h.history_type, h.history_user_id, h.history_change_reason, h.edit_version)
            for h in history
        ]
        state["actions"] = [
            (a.action, a.district_id, a.actor_id, a.channel, a.data)
            for a in ActionEntry.objects.filter(action="import").order_by("pk")
        ]
        raise _Undo
    return report, state


def test_commit_writes_the_same_rows_history_and_action(org: Any, users: Any) -> None:
    user = users["linzi_admin"]
    existing(LINZI, make_uscc(510), "已有企业", insured_employees=40, registered_capital=Decimal(800))
    good = [r for i, r in enumerate(mixed_rows(), 2) if i in (2, 3, 11, 12)]
    good.append(row(LINZI, make_uscc(701), "第三家公司", 上市="是", 标签="链主;规上企业"))
    generic_report, generic_state = committed(user, good, fast=False)
    fast_report, fast_state = committed(user, good, fast=True)
    assert generic_report.committed and fast_report.committed
    assert seen(fast_report) == seen(generic_report)
    assert fast_state == generic_state
    # What was compared: 3 new firms (one of them named twice), the stored one changed with its blanks kept.
    firms = {f["uscc"]: f for f in fast_state["firms"]}
    assert firms[make_uscc(501)]["name"] == "齐都新材料股份有限公司"
    assert firms[make_uscc(501)]["edit_version"] == 2 and firms[make_uscc(501)]["insured_employees"] == 12
    assert firms[make_uscc(510)]["insured_employees"] == 40
    assert firms[make_uscc(510)]["registered_capital"] == Decimal(800)
    assert firms[make_uscc(502)]["insured_employees"] is None
    assert firms[make_uscc(701)]["listed"] is True and firms[make_uscc(701)]["tags"] == ["链主", "规上企业"]
    assert firms[make_uscc(701)]["founded"] == datetime.date(2019, 5, 1)
    kinds = [(h[0], h[2], h[3], h[4]) for h in fast_state["history"]]
    assert (make_uscc(501), "+", user.pk, "import") in kinds and (
        make_uscc(501),
        "~",
        user.pk,
        "import",
    ) in kinds
    assert len(fast_state["actions"]) == 1 and fast_state["actions"][0][4]["new"] == 3


def test_a_bad_row_writes_nothing_on_commit(org: Any, users: Any) -> None:
    user = users["linzi_admin"]
    before = (Enterprise.objects.count(), Enterprise.history.count())
    report = run(user, mixed_rows(), fast=True, dry_run=False)
    assert not report.committed and report.issues
    assert (Enterprise.objects.count(), Enterprise.history.count()) == before


def test_text_that_the_database_refuses_is_reported_alike(org: Any, users: Any) -> None:
    """A NUL character: SQLite stores it, PostgreSQL refuses it on the save; both paths say the same."""
    user = users["linzi_admin"]
    rows = [
        row(LINZI, make_uscc(801), "空字符公司", 地址="齐都路\x001号"),
        row(LINZI, make_uscc(802), "好公司"),
    ]
    generic = run(user, rows, fast=False, dry_run=True)
    fast = run(user, rows, fast=True, dry_run=True)
    assert seen(fast) == seen(generic)
    assert bool(fast.issues) == (connection.vendor == "postgresql")


def test_the_preview_asks_the_database_a_fixed_number_of_times(org: Any, users: Any) -> None:
    user = users["linzi_admin"]

    def queries(count: int) -> int:
        rows = [row(LINZI, make_uscc(900 + i), f"企业{i:03d}有限公司") for i in range(count)]
        with CaptureQueriesContext(connection) as captured:
            report = run(user, rows, fast=True, dry_run=True)
        assert report.ok and report.new == count
        return len(captured)

    queries(3)  # the user's scopes are read once and kept on the user
    assert queries(40) == queries(5)


def test_resources_that_do_not_opt_in_take_the_generic_run(org: Any, users: Any) -> None:
    user = users["linzi_admin"]
    dataset = read_table("towns.csv", "区县代码,名称,类型,乡镇代码\n370305,新镇,镇,\n".encode())
    with transaction.atomic():
        assert fast_import_data(TownResource(user=user), dataset, user=user, dry_run=True) is None
    resource = EnterpriseResource(user=user)
    resource.fast_import = False  # the switch on an instance is honoured
    with transaction.atomic():
        assert fast_import_data(resource, table([]), user=user, dry_run=True) is None

"""The content of a dispatch report in order: what the page shows and what the Word file holds.

`dispatch_sections` turns the frozen JSON of ``dispatch_summary`` into headings, lines and tables, so that the
page and the Word file (``core.word.sections_document``) always carry the same numbers. No database access.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from zhaoshang.core.word import Section, SectionTable
from zhaoshang.standards.money import format_wan

# Up to 13 sections (with 完成投资, minutes and decisions).
CN_NUMBERS = [*"一二三四五六七八九十", "十一", "十二", "十三"]


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _amount(value: Any) -> str:
    """A frozen amount ("123456.00") under a header naming its unit (万元 or 亿元): grouped, two decimals —
    "123,456.00" — never a raw number. Text that is already formatted stays as it is."""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return _cell(value)


def _table(headers: list[str], items: list[dict[str, Any]], keys: list[str], **extra: Any) -> SectionTable:
    return SectionTable(
        headers=headers,
        rows=[[_cell(item.get(k)) for k in keys] for item in items],
        links=[item.get("project_id") for item in items],
        **extra,
    )


def dispatch_sections(summary: dict[str, Any], minutes: str = "") -> list[Section]:
    """The report's content in order: what the page shows and what the Word file holds."""
    if not summary.get("stages"):
        return []
    t, s = summary["thresholds"], summary["sanwei"]
    sections = []
    overview = _table(
        ["阶段", "项目数(个)", "总投资(亿元)"], summary["stages"], ["label", "count", "investment_yi"]
    )
    for row in overview.rows:
        row[2] = _amount(row[2])
    overview.rows.append(
        ["合计", _cell(summary["totals"]["count"]), _amount(summary["totals"]["investment_yi"])]
    )
    overview.links.append(None)
    sections.append(
        Section(
            "overview",
            "项目总体情况",
            [
                f"在库项目 {summary['totals']['count']} 个(不含已终止),"
                f"总投资 {_amount(summary['totals']['investment_yi'])} 亿元。"
            ],
            [overview],
        )
    )
    moves = summary["moves"]
    sections.append(
        Section(
            "moves",
            "本期阶段变更(已审核)",
            [f"本期共有 {len(moves)} 项阶段变更经审核确认。"],
            [
                _table(
                    ["项目", "原阶段", "新阶段", "日期", "审核人"],
                    moves,
                    ["project", "from", "to", "date", "verified_by"],
                )
            ],
        )
    )
    delayed = summary["delayed"]
    sections.append(
        Section(
            "delayed",
            "滞后、停滞项目",
            [f"滞后、停滞项目 {len(delayed)} 个。"],
            [_table(["项目", "阶段", "状态", "原因"], delayed, ["project", "stage", "status", "reason"])],
        )
    )
    signed_table = _table(
        ["项目", "阶段", "签约日期", "已签约(天)", "承诺开工", "超期未开工"],
        s["signed_not_started"],
        ["project", "stage", "signed_date", "days", "promised_start", "past_promised_start"],
        caption=f"(一)签约未开工 {len(s['signed_not_started'])} 个",
    )
    signed_table.strong = [bool(i["past_promised_start"]) for i in s["signed_not_started"]]
    sections.append(
        Section(
            "sanwei",
            "“三未”项目",
            [
                f"签约未开工:处于签约、注册、供地阶段,签约满 {t['signed_not_started_days']} 天;"
                f"开工未推进:开工阶段且超过 {t['stalled_days']} 天无审核通过的阶段变更;"
                f"竣工未投产:竣工超过 {t['built_not_completed_days']} 天仍未投产。天数计至 {summary['period']['end']}。"
            ],
            [
                signed_table,
                _table(
                    ["项目", "开工日期", "最近审核变更", "未推进(天)"],
                    s["started_not_progressing"],
                    ["project", "started_date", "last_move", "days"],
                    caption=f"(二)开工未推进 {len(s['started_not_progressing'])} 个",
                ),
                _table(
                    ["项目", "竣工日期", "竣工已(天)"],
                    s["built_not_completed"],
                    ["project", "completed_date", "days"],
                    caption=f"(三)竣工未投产 {len(s['built_not_completed'])} 个",
                ),
            ],
        )
    )
    tasks = summary["tasks"]
    sections.append(
        Section(
            "tasks",
            "逾期任务",
            [f"截至 {summary['period']['as_of']},逾期未完成的周任务 {tasks['overdue_total']} 项。"],
            [_table(["责任部门", "逾期任务(项)"], tasks["by_department"], ["department", "overdue"])],
        )
    )
    blockers = summary["blockers"]
    sections.append(
        Section(
            "blockers",
            "未销号堵点",
            [f"未解决堵点 {blockers['open_total']} 个,其中超过办结时限 {blockers['overdue_total']} 个。"],
            [
                _table(
                    ["责任部门", "未解决(个)", "逾期(个)", "最高督办层级"],
                    blockers["by_department"],
                    ["department", "open", "overdue", "level"],
                ),
                _table(
                    ["项目", "堵点", "责任部门", "办结时限", "状态", "督办层级"],
                    blockers["items"],
                    ["project", "title", "department", "deadline", "status", "level_label"],
                    strong=[bool(i["overdue"]) for i in blockers["items"]],
                ),
            ],
        )
    )
    funds = summary["funds"]
    funds_table = _table(["资金来源地", "到位资金(万元)"], funds["by_origin"], ["label", "amount_wan"])
    for row in funds_table.rows:
        row[1] = _amount(row[1])
    funds_table.strong = [bool(i["highlight"]) for i in funds["by_origin"]]
    funds_table.rows.append(["合计", _amount(funds["total_wan"])])
    funds_table.links.append(None)
    funds_table.strong.append(False)
    sections.append(
        Section(
            "funds",
            "资金到位情况",
            # In 亿元 from 1 亿 up, else grouped 万元, with the unit (format_wan).
            [
                f"本期到位资金 {format_wan(funds['total_wan'])},"
                f"其中省外资金 {format_wan(funds['out_of_province_wan'])}。"
            ],
            [funds_table],
        )
    )
    reserve = summary["reserve"]
    verdict = "达到要求" if reserve["met"] else f"尚差 {reserve['gap']} 个"
    sections.append(
        Section(
            "reserve",
            "项目储备",
            [f"储备项目 {reserve['count']} 个,要求滚动保持不少于 {reserve['minimum']} 个,{verdict}。"],
        )
    )
    completions = summary.get("completions") or {}
    if completions.get("lines"):  # 发改: the month's verified 完成投资, where a project has one
        month = f"{completions['year']}年{completions['month']}月"
        sections.append(
            Section(
                "completions",
                "重大项目完成投资",
                [f"{month}已核实完成投资的项目 {len(completions['lines'])} 个。"],
                [
                    _table(
                        [
                            "项目",
                            f"{month}完成投资(万元)",
                            f"1—{completions['month']}月完成投资(万元)",
                            "年度计划投资(万元)",
                            "投资完成率",
                        ],
                        completions["lines"],
                        ["project", "amount_wan", "ytd_wan", "plan_wan", "rate"],
                    )
                ],
            )
        )
    if minutes.strip():
        sections.append(
            Section("minutes", "会议纪要", [line for line in minutes.splitlines() if line.strip()])
        )
    decisions = summary.get("decisions") or []
    if decisions:
        sections.append(
            Section(
                "decisions",
                "议定事项",
                [f"会议议定事项 {len(decisions)} 项,已转为周任务或堵点跟踪办理。"],
                [
                    _table(
                        ["项目", "类型", "事项", "责任部门", "时限"],
                        decisions,
                        ["project", "kind_label", "text", "department", "due_date"],
                    )
                ],
            )
        )
    for index, section in enumerate(sections):
        section.heading = f"{CN_NUMBERS[index]}、{section.heading}"
        for number, table in enumerate(section.tables):
            table.key = f"{section.key}-{number}"
    return sections


def dispatch_period_label(summary: dict[str, Any]) -> str:
    start = datetime.date.fromisoformat(summary["period"]["start"])
    end = datetime.date.fromisoformat(summary["period"]["end"])
    return f"{start.year}年{start.month}月{start.day}日—{end.year}年{end.month}月{end.day}日"

"""The monthly assessment report as Word: rankings of districts and chain teams, targets, rates."""

from __future__ import annotations

import datetime
from typing import Any

from zhaoshang.analytics.rates.engine import Period
from zhaoshang.assessment.scoring import month_end, rankings
from zhaoshang.assessment.selectors import RATE_LABELS, rate_table, target_progress
from zhaoshang.core.word import sections_document
from zhaoshang.projects.delivery.dispatch.sections import Section, SectionTable
from zhaoshang.standards.money import format_wan

# Targets kept in 万元 (the metric's label says so); shown in 亿元 from one 亿 up, always with the unit.
_MONEY_METRICS = {"signed_investment", "funds_in_place", "funds_outside_province"}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _change(value: int | None) -> str:
    if value is None:
        return "新"
    return f"↑{value}" if value > 0 else (f"↓{-value}" if value < 0 else "—")


def _amount(target: Any, value: Any) -> str:
    if target.metric in _MONEY_METRICS:
        return format_wan(value)
    return f"{float(value):g}"


def report_end(month: datetime.date, today: datetime.date | None = None) -> datetime.date:
    """The last day the report covers: the month's end, or today while the month is still running."""
    return min(month_end(month), today or datetime.date.today())


def assessment_sections(user: Any, month: datetime.date) -> list[Section]:
    month = month.replace(day=1)
    period = Period(month.replace(month=1), report_end(month))
    sections = []
    districts = rankings(user, month, "district")
    sections.append(
        Section(
            key="districts",
            heading="一、各区县得分排名",
            tables=[
                SectionTable(
                    headers=["名次", "区县", "得分", "较上月"],
                    rows=[
                        [
                            str(r["snapshot"].rank),
                            str(r["snapshot"].district),
                            f"{r['snapshot'].score:.1f}",
                            _change(r["change"]),
                        ]
                        for r in districts
                    ],
                )
            ],
        )
    )
    teams = rankings(user, month, "team")
    sections.append(
        Section(
            key="teams",
            heading="二、产业链专班得分排名",
            tables=[
                SectionTable(
                    headers=["名次", "专班", "区县", "得分", "较上月"],
                    rows=[
                        [
                            str(r["snapshot"].rank),
                            str(r["snapshot"].team),
                            str(r["snapshot"].district),
                            f"{r['snapshot'].score:.1f}",
                            _change(r["change"]),
                        ]
                        for r in teams
                    ],
                )
            ],
        )
    )
    progress = target_progress(user, month.year)
    sections.append(
        Section(
            key="targets",
            heading="三、年度目标完成情况",
            tables=[
                SectionTable(
                    headers=["目标", "目标值", "完成", "完成率"],
                    rows=[
                        [
                            str(r["target"]),
                            _amount(r["target"], r["target"].value),
                            _amount(r["target"], r["actual"]),
                            _pct(r["completion"]),
                        ]
                        for r in progress
                    ],
                )
            ],
        )
    )
    table = rate_table(user, "district", period)
    sections.append(
        Section(
            key="rates",
            heading="四、考核指标",
            lines=[f"统计期间:{period.start:%Y年%m月%d日}至{period.end:%Y年%m月%d日}。"],
            tables=[
                SectionTable(
                    headers=["区县", *RATE_LABELS.values()],
                    rows=[
                        [name, *[_pct(rates[k].value) for k in RATE_LABELS]] for name, rates in table.items()
                    ],
                )
            ],
        )
    )
    return sections


def assessment_document(user: Any, month: datetime.date) -> bytes:
    title = f"招商引资和项目建设考核月报({month:%Y年%m月})"
    return sections_document(
        title, f"(截至{report_end(month):%Y年%m月%d日})", assessment_sections(user, month)
    )

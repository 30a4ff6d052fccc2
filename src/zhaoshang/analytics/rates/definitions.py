"""The one table of what each assessment rate means (DOMAIN.md §9): label, numerator, denominator and how to
read it. Pages (tooltips, the definitions page), the CLI's JSON and the explanations of the engine all take
their words from here, so a rate is defined once. Pure: no Django; the texts are Chinese msgids that the web
layer translates.

The keys are those of `engine.RATE_NAMES`. Two rates that the seed's word 贡献率 used to mix up are kept apart
and named as Chinese statistics name them: **达效率** (attainment: actual output / committed output of the
projects in production) and **贡献率** (contribution: a part's share of the growth of the whole)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFINITIONS", "RateDefinition", "definition"]


@dataclass(frozen=True)
class RateDefinition:
    key: str
    label: str  # 签约率
    english: str  # for the English UI and the CLI's JSON readers
    numerator: str
    denominator: str
    definition: str  # one sentence: what is counted, over which cohort
    reading: str  # what the figure is not, or how to read it
    bounded: bool  # always in [0, 1] (counted rates); money rates may exceed 100 %


DEFINITIONS: tuple[RateDefinition, ...] = (
    RateDefinition(
        "signing",
        "签约率",
        "signing rate",
        "期内进入洽谈、期末前已签约的项目数",
        "期内进入洽谈、期末前已有结果的项目数（已签约、已终止或洽谈已满期限）",
        "期内进入洽谈的项目中，到期末已签约的比例；仍在洽谈且未满期限的项目另列，不计入分母。",
        "直接以签约阶段登记、没有洽谈记录的项目另列为“直接签约”，不算作洽谈成功；增资不是新项目。",
        True,
    ),
    RateDefinition(
        "landing",
        "落地率",
        "landing rate",
        "签约后规定月数内落地（默认开工）的项目数",
        "签约已满规定月数（默认 12 个月）的签约项目数",
        "签约满规定月数的项目中，在期限内落地的比例。",
        "签约未满期限的项目尚未到考核时点，不计入；终止的项目默认仍计入分母。",
        True,
    ),
    RateDefinition(
        "start",
        "开工率",
        "start rate",
        "已开工的签约项目数",
        "签约项目数（增资不另计）",
        "截至期末已签约项目中已开工的比例。",
        "开工以审核通过的开工阶段为准。",
        True,
    ),
    RateDefinition(
        "funds_in_place",
        "资金到位率",
        "funds-in-place rate",
        "签约项目截至期末的到位资金（万元）",
        "签约项目的签约金额（万元，含增资）",
        "签约项目实际到位资金占签约金额的比例。",
        "按金额计算，增资计入金额；可超过 100%。",
        False,
    ),
    RateDefinition(
        "completion",
        "建成率",
        "completion rate",
        "已竣工的签约项目数",
        "签约项目数（增资不另计）",
        "截至期末已签约项目中已竣工的比例。",
        "竣工以审核通过的竣工阶段为准。",
        True,
    ),
    RateDefinition(
        "attainment",
        "达效率",
        "attainment rate",
        "投产项目各年度实际产值（或税收）",
        "同一年度的承诺产值（或税收，按达产设计值）",
        "投产项目实际产值（或税收）与承诺值之比，逐年比较。",
        "这是达效（兑现承诺）的程度，不是贡献率；可超过 100%。",
        False,
    ),
    RateDefinition(
        "contribution",
        "贡献率",
        "contribution rate",
        "本组项目实际产值（或税收）的增量",
        "全区规上工业总产值（或规上工业税收）的增量，按统计部门数据逐年录入",
        "本组项目对全区规上工业增长的贡献：项目实际产值增量 ÷ 全区规上工业总产值增量（末年比期初前一年）。",
        "按统计口径，贡献率是部分占整体增长的份额；未录入全区规上工业总产值的年度显示“—”，全区没有增长时不计算。",
        False,
    ),
    RateDefinition(
        "investment_completion",
        "投资完成率",
        "investment completion rate",
        "列入当年名单项目 1–N 月已核实的月度完成投资（万元）",
        "这些项目的年度计划投资（万元）",
        "发改口径：当年有年度计划投资的项目，截至期末已过完的月份累计完成投资占年度计划投资的比例。",
        "月度完成投资经填报人以外的审核人核实后才计入；没有年度计划投资的项目不计入；可超过 100%。",
        False,
    ),
)

_BY_KEY = {d.key: d for d in DEFINITIONS}


def definition(key: str) -> RateDefinition:
    return _BY_KEY[key]

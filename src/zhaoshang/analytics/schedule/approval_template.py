"""The default approval template: 6 modules, 14 steps (DOMAIN.md §8), as plain data. Pure: no Django.

Limits are in **working days** (行政许可法 §82 counts licence periods in working days, holidays excluded).
Where a statute fixes the period, ``legal_limit`` is that period; the ``basis`` of each step says where the
figure comes from and when it is only a default. ``promised_limit`` is what a reformed city typically commits
to (承诺时限); both are defaults for a city to edit.

Decisions:

* **Construction is not an approval step.** S12 (joint completion acceptance) follows construction, whose
  length depends on the project, not on the departments. The 14 steps keep S12 directly after S11 — which is
  how the national target of ≤120 working days for approvals (国办发〔2019〕11号) is measured — and
  :meth:`ApprovalTemplate.to_steps` inserts a step ``S11b 施工建设`` of ``construction_days`` between S11 and
  S12 when a planner wants the calendar of the whole project.
* **Milestones** are the steps whose completion moves the project's stage (DOMAIN.md §8): S4 land supplied
  (供地), S11 started (开工), S13 completed (竣工), S14 in production (投产).
* **Commitment system** (告知承诺): S2 energy review and S7 safety evaluations, which national and
  provincial rules let a firm settle by a written commitment where a regional evaluation (区域评估) exists;
  their promised limit is then one day.

Compression (``1 - parallel / serial``) of this template, from ``tests/analytics/test_schedule.py``:
legal limits 315 → 215 working days (−31.7 %, the seed's "−30 %"); promised limits 115 → 93 (−19.1 %), since
the steps that run in parallel (S2, S6, S7) are the ones the promised limits already shorten most.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from zhaoshang.analytics.schedule.cpm import Step

__all__ = [
    "CONSTRUCTION_STEP_ID",
    "waiting_for_construction",
    "DEFAULT_APPROVAL_TEMPLATE",
    "ApprovalModule",
    "ApprovalStep",
    "ApprovalTemplate",
]

CONSTRUCTION_STEP_ID = "S11b"

Limit = Literal["promised", "legal"]


@dataclass(frozen=True, slots=True)
class ApprovalModule:
    number: int
    name: str
    name_en: str


@dataclass(frozen=True, slots=True)
class ApprovalStep:
    id: str
    module: int
    name: str
    name_en: str
    department: str  # lead department (牵头部门), short form as offices write it
    legal_limit: int  # working days
    promised_limit: int  # working days
    predecessors: tuple[str, ...]
    milestone: bool = False
    commitment: bool = False  # 告知承诺制 available
    after_construction: bool = False  # construction (S11b) goes in front of this step when modelled
    basis: str = ""  # where the limits come from


@dataclass(frozen=True, slots=True)
class ApprovalTemplate:
    name: str
    modules: tuple[ApprovalModule, ...]
    steps: tuple[ApprovalStep, ...]

    def to_steps(self, *, limit: Limit = "promised", construction_days: int = 0) -> list[Step]:
        """Schedule steps with the legal or the promised limit as duration; ``construction_days > 0`` inserts
        the construction step S11b before every step marked ``after_construction``."""
        steps: list[Step] = []
        for s in self.steps:
            duration = s.legal_limit if limit == "legal" else s.promised_limit
            preds = s.predecessors
            if s.after_construction and construction_days > 0:
                steps.append(Step(CONSTRUCTION_STEP_ID, "施工建设", construction_days, preds))
                preds = (CONSTRUCTION_STEP_ID,)
            steps.append(Step(s.id, s.name, duration, preds))
        return steps

    def to_json(self, *, limit: Limit = "promised") -> dict[str, Any]:
        """The template as the JSON the ``schedule`` command reads; ``duration`` carries the chosen limit and
        the other keys ride along for the planner (the command ignores them)."""
        return {
            "template": self.name,
            "duration_basis": limit,
            "modules": [{"number": m.number, "name": m.name, "name_en": m.name_en} for m in self.modules],
            "steps": [
                {
                    "id": s.id,
                    "name": s.name,
                    "name_en": s.name_en,
                    "module": s.module,
                    "department": s.department,
                    "duration": s.legal_limit if limit == "legal" else s.promised_limit,
                    "legal_limit": s.legal_limit,
                    "promised_limit": s.promised_limit,
                    "predecessors": list(s.predecessors),
                    "milestone": s.milestone,
                    "commitment": s.commitment,
                    "basis": s.basis,
                }
                for s in self.steps
            ],
        }


def waiting_for_construction(steps: Iterable[tuple[str, int, Sequence[str]]]) -> tuple[set[str], set[str]]:
    """Of a project's steps as (code, module, predecessors): the ones construction goes in front of (the
    steps of the last module — 竣工验收 — whose predecessors all lie in earlier modules: S12 by default), and
    every step that waits for the building (those and the last module's steps after them: S12–S14). A
    district's own template carries modules, not the ``after_construction`` flag, hence the rule."""
    rows = list(steps)
    if not rows:
        return set(), set()
    last = max(module for _code, module, _preds in rows)
    module = {code: m for code, m, _preds in rows}
    tail = [(code, tuple(preds)) for code, m, preds in rows if m == last]
    front = {code for code, preds in tail if preds and all(module.get(p, last) < last for p in preds)}
    waiting = set(front)
    grew = True
    while grew:
        grew = False
        for code, preds in tail:
            if code not in waiting and any(p in waiting for p in preds):
                waiting.add(code)
                grew = True
    return front, waiting


_GENERAL = "《行政许可法》§42：20 个工作日，可延长 10 日"

DEFAULT_APPROVAL_TEMPLATE = ApprovalTemplate(
    name="工程建设项目审批默认模板（6 模块 14 步）",
    modules=(
        ApprovalModule(1, "立项", "Project approval"),
        ApprovalModule(2, "用地", "Land"),
        ApprovalModule(3, "评价", "Evaluations (parallel)"),
        ApprovalModule(4, "规划设计", "Planning and design"),
        ApprovalModule(5, "施工许可", "Construction permit"),
        ApprovalModule(6, "竣工验收", "Completion acceptance"),
    ),
    steps=(
        ApprovalStep(
            "S1", 1, "项目备案/核准", "Project filing / approval", "发改", 3, 1, (),
            basis="《企业投资项目核准和备案管理条例》：核准 20 个工作日（可延 10 日）；默认按备案（告知性，"
            "收齐信息即办），法定列 3 日为默认值",
        ),
        ApprovalStep(
            "S2", 1, "节能审查", "Energy-saving review", "发改", 20, 1, ("S1",), commitment=True,
            basis="《固定资产投资项目节能审查办法》：20 个工作日（不含评审时间）；"
            "区域评估区域内可告知承诺，当日办结",
        ),
        ApprovalStep(
            "S3", 2, "用地预审与选址意见", "Land pre-review and site selection", "自然资源", 20, 10, ("S1",),
            basis=_GENERAL + "；多审合一，合并办理",
        ),
        ApprovalStep(
            "S4", 2, "土地供应/出让合同", "Land supply / transfer contract", "自然资源", 30, 25, ("S3",),
            milestone=True,
            basis="非行政许可：招拍挂公告不少于 20 日、挂牌不少于 10 日，再签出让合同；"
            "法定列为程序最短时间的约数",
        ),
        ApprovalStep(
            "S5", 2, "建设用地规划许可", "Land-use planning permit", "自然资源", 20, 3, ("S4",),
            basis=_GENERAL + "；签订出让合同后即可核发",
        ),
        ApprovalStep(
            "S6", 3, "环评审批", "Environmental impact approval", "生态环境", 60, 20, ("S1",),
            basis="《环境影响评价法》§22：报告书 60 日，报告表 30 日；默认按报告书",
        ),
        ApprovalStep(
            "S7", 3, "安全/职业卫生等评价", "Safety and occupational-health evaluations", "应急", 20, 1,
            ("S1",), commitment=True,
            basis=_GENERAL + "；区域评估区域内可告知承诺，当日办结",
        ),
        ApprovalStep(
            "S8", 4, "设计方案审查", "Design scheme review", "自然资源", 20, 10, ("S5",),
            basis=_GENERAL + "（建设工程规划许可的前置审查）",
        ),
        ApprovalStep(
            "S9", 4, "建设工程规划许可", "Construction-project planning permit", "自然资源", 20, 5, ("S8",),
            basis=_GENERAL,
        ),
        ApprovalStep(
            "S10", 5, "施工图联合审查", "Joint construction-drawing review", "住建", 15, 10, ("S9",),
            basis="《房屋建筑和市政基础设施工程施工图设计文件审查管理办法》：大型工程 15 个工作日，"
            "中型及以下 10 个工作日",
        ),
        ApprovalStep(
            "S11", 5, "施工许可", "Construction permit", "住建", 7, 3, ("S10", "S6", "S7", "S2"),
            milestone=True,
            basis="《建筑法》§8：收到申请之日起 7 日内",
        ),
        ApprovalStep(
            "S12", 6, "竣工联合验收（规划/消防/人防/档案）", "Joint completion acceptance", "住建", 45, 20,
            ("S11",), after_construction=True,
            basis="《行政许可法》§42：联合办理 45 日，可延长 15 日；在施工建设之后",
        ),
        ApprovalStep(
            "S13", 6, "竣工验收备案", "Completion filing", "住建", 5, 1, ("S12",), milestone=True,
            basis="备案类，收齐材料即签收；法规未设统一时限，法定列 5 日为默认值",
        ),
        ApprovalStep(
            "S14", 6, "投产/不动产登记", "Production start / real-estate registration", "自然资源", 30, 5,
            ("S13",), milestone=True,
            basis="《不动产登记暂行条例》§20：30 个工作日；国务院要求一般登记压缩至 5 个工作日内",
        ),
    ),
)  # fmt: skip

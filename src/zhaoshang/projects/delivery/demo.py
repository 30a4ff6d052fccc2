"""The demo's delivery records beyond the stage history (called once from ``projects/demo.py``):

- approval steps as they were handled: actual dates that agree with each project's verified stage history (S4
  供地 done on the land date, S11 施工许可 on the start date, S13 竣工验收备案 on completion, S14 on
  production), so that 审批用时 measures something;
- each major project placed on the node of its chain that makes its product, so that the chain map counts
  the producing ones (a project named 精密减速器产业化项目 is on 精密减速器)."""

from __future__ import annotations

import datetime
import random
import statistics
from typing import Any

from django.utils.translation import gettext as _

from zhaoshang.analytics.schedule.cpm import CnWorkdaysProvisional, Step, schedule_compute
from zhaoshang.chains.models import Node
from zhaoshang.core.audit import acting_as
from zhaoshang.core.demo import demo_step
from zhaoshang.projects.delivery.approvals import project_schedule, project_steps_create
from zhaoshang.projects.models import Project, ProjectStep
from zhaoshang.projects.stages import STAGE_CODES

SEED = 20_190_326
TODAY = datetime.date.today()  # the demo's "now" (as in projects/demo.py): the real date
# How many steps (in template order) a project at each stage has through: the 11 before construction once
# started, S12–S13 once completed, S14 once producing.
DONE_AT = {"registered": 2, "land": 5, "started": 11, "completed": 13, "production": 14, "capacity": 14}
# The milestone each stage's verified move marks.
ANCHORS = {"land": "S4", "started": "S11", "completed": "S13", "production": "S14"}


# The demo's products (projects/demo.py PRODUCTS) → the node of the chain that makes them.
PRODUCT_NODES = {
    "工业机器人整机": "工业与协作机器人本体", "精密减速器": "精密减速器", "伺服电机": "伺服电机与驱动器",
    "机器人系统集成": "系统集成与智能产线", "高端润滑油基础油": "润滑油基础油与特种油品",
    "特种石蜡": "润滑油基础油与特种油品", "石油焦深加工": "石油焦、沥青与硫磺", "芳烃抽提": "催化重整与芳烃",
    "甲乙酮": "甲乙酮", "MTBE": "MTBE与异丁烯", "己二腈": "己二腈", "尼龙66切片": "尼龙66盐与切片",
    "己二胺": "己二胺", "工程塑料改性": "尼龙工程塑料改性", "茂金属聚乙烯": "聚乙烯", "超高分子量聚乙烯": "聚乙烯",
    "POE弹性体": "聚烯烃弹性体与高端专用料", "聚丙烯专用料": "聚丙烯",
}  # fmt: skip


def delivery_demo(projects: list[Project], user: Any) -> None:
    with acting_as(user, "demo"):
        _nodes_link(projects)
    approval_history(projects, user)


def _nodes_link(projects: list[Project]) -> None:
    nodes = {(n.chain_id, n.name): n for n in Node.objects.filter(chain__in={p.chain_id for p in projects})}
    for project in projects:
        product = next((k for k in PRODUCT_NODES if k in project.name), None)
        node = nodes.get((project.chain_id, PRODUCT_NODES.get(product or "", "")))
        if node is not None:
            project.node = node
            project.save(update_fields=["node", "updated"])


def approval_history(projects: list[Project], user: Any) -> None:
    """Give every signed major project steps with dated history, and the district its reform baseline: the
    median signing date of the projects that have started, so that the page compares two halves."""
    rng = random.Random(SEED)  # its own generator: the rest of the demo draws the same numbers as before
    calendar = CnWorkdaysProvisional()
    ahead = [p for p in projects if p.stage in DONE_AT]
    with acting_as(user, "demo"):
        for project in ahead:
            if not project.steps.exists():
                project_steps_create(project=project, user=user)
                # The plan made at the signing, that the steps are then done against.
                project_schedule(project=project, user=user, start=project.signed_date or TODAY)
            _dates(project, rng, calendar)
            # The steps still to do are planned again (the done steps keep the plan they had): most teams at one
            # of the last two half-monthly dispatch meetings, the others last when a step was through, so that
            # the slow ones show overdue steps; with none done the signing's plan stays.
            finishes = [s.actual_finish for s in project.steps.all() if s.actual_finish]
            if finishes:
                after = max(finishes) + datetime.timedelta(days=1)
                if rng.random() < 0.75:
                    after = max(after, TODAY - datetime.timedelta(days=rng.choice((0, 15))))
                project_schedule(project=project, user=user, start=min(after, TODAY))
        started = sorted(
            p.signed_date
            for p in ahead
            if p.signed_date and STAGE_CODES.index(p.stage) >= STAGE_CODES.index("started")
        )
        if started and ahead:
            district = ahead[0].district
            baseline = started[len(started) // 2] if len(started) % 2 else statistics.median_low(started)
            district.settings = {**district.settings, "delivery_baseline": baseline.isoformat()}
            district.save()


def _workdays_from(start: datetime.date, calendar: Any, count: int) -> list[datetime.date]:
    days: list[datetime.date] = []
    day = start
    while len(days) < count:
        if calendar.is_workday(day):
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def _index(days: list[datetime.date], day: datetime.date) -> int:
    """The working-day number of ``day`` (the last working day on or before it)."""
    lo = 0
    for i, d in enumerate(days):
        if d > day:
            break
        lo = i
    return lo


def _dates(project: Project, rng: random.Random, calendar: Any) -> None:
    steps = list(project.steps.order_by("module", "code"))
    done = steps[: DONE_AT[project.stage]]
    moves = {m.to_stage: m.date for m in project.moves.filter(verified_at__isnull=False)}
    signed = project.signed_date or moves.get("signed")
    if signed is None or not done:
        return
    days = _workdays_from(signed, calendar, 1200)
    anchor = {code: _index(days, moves[stage]) for stage, code in ANCHORS.items() if stage in moves}
    # Before construction: a CPM forward pass over drawn durations (the departments take from half to twice
    # their promised limit), stretched or shrunk so that the last milestone reached falls on its move date.
    before = [s for s in done if s.module <= 5]
    drawn = {s.code: max(1, round(s.duration * rng.uniform(0.5, 2.2))) for s in before}
    plan = schedule_compute([Step(s.code, s.name, drawn[s.code], tuple(s.predecessors)) for s in before])
    target = next((c for c in ("S11", "S4") if c in anchor and c in drawn), None)
    scale = (anchor[target] + 1) / plan[target].ef if target else 1.0
    when: dict[str, tuple[int, int]] = {}
    for s in before:
        timing = plan[s.code]
        first = round(timing.es * scale)
        last = max(first, round(timing.ef * scale) - 1)
        when[s.code] = (first, last)
    # After construction: S12–S13 end on completion, S14 on production, each placed backwards from its date.
    previous_end = max((e for _s, e in when.values()), default=0)
    for s in done:
        if s.module <= 5:
            continue
        length = max(1, round(s.duration * rng.uniform(0.5, 1.8)))
        end = anchor.get(s.code)
        if end is None and s.code == "S12" and "S13" in anchor:
            end = anchor["S13"] - 1
        if end is None:
            end = previous_end + length
        first = max(previous_end + 1, end - length + 1)
        when[s.code] = (min(first, end), max(end, first))
        previous_end = when[s.code][1]
    for s in done:
        first, last = when[s.code]
        s.status = ProjectStep.Status.DONE
        s.actual_start = min(days[first], TODAY)
        s.actual_finish = min(days[last], TODAY)
        s.save(update_fields=["status", "actual_start", "actual_finish", "updated"])


# --- a year of half-monthly dispatch meetings -----------------------------------------------------------------

MEETING_CHAIRS = ["区委副书记、区长", "常务副区长", "分管副区长"]
MEETING_POINTS = [
    "对开工滞后项目逐一明确责任领导和完成时限",
    "自然资源、生态环境部门对用地和环评卡点限期办结",
    "重点项目专班每周现场督导一次,问题当周上报",
    "对连续两期无进展的项目约谈投资方",
    "发改部门牵头梳理下月拟开工项目要素需求",
    "住建、行政审批部门推行并联审批,压缩施工许可时限",
    "供电、供水单位对接新开工项目配套需求",
]


def _half_months(today: datetime.date, count: int) -> list[tuple[datetime.date, datetime.date]]:
    """The last ``count`` complete half months before ``today`` (1st–15th, 16th–month end), oldest first."""
    from zhaoshang.projects.delivery.dispatch.services import dispatch_period_default

    periods = []
    day = today
    for _step in range(count):
        start, end = dispatch_period_default(day)
        periods.append((start, end))
        day = start
    return periods[::-1]


@demo_step(99, "半月调度会(近一年)")
def dispatch_meetings(state: dict[str, Any]) -> None:
    """Linzi's dispatch meetings of the last year: each half month's numbers frozen as of the day after it, with
    its Word file and minutes, as the 发改 office would have built them."""
    from zhaoshang.core.models import District
    from zhaoshang.projects.delivery.dispatch.services import dispatch_build

    rng = random.Random(SEED + 7)
    linzi = District.objects.get(adcode="370305")
    admin = state["users"]["linzi_admin"]
    for start, end in _half_months(TODAY, 24):
        held = end + datetime.timedelta(days=rng.randint(1, 4))
        points = rng.sample(MEETING_POINTS, 3)
        minutes = _("{date},{chair}主持召开重点项目推进调度会。会议要求:").format(
            date=f"{held:%Y-%m-%d}", chair=rng.choice(MEETING_CHAIRS)
        ) + "".join(f"\n{i}. {p}" for i, p in enumerate(points, 1))
        dispatch_build(
            district=linzi,
            period_start=start,
            period_end=end,
            user=admin,
            minutes=minutes,
            today=min(held, TODAY),
            channel="demo",
        )
    # Each report keeps the Word file dispatch_build made for it (as the 发改 office would have filed it), so the
    # demo's meetings open with their document, not only after 重新生成.

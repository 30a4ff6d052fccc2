"""Linzi's project book in the demo: 58 provincial/municipal major projects totalling 1,033 亿元 (6 provincial;
鲁油鲁炼, 天辰二期 and 鑫泰延链聚合 over 100 亿, together 570 亿), a reserve pool of over 100, a year of stage
history with evidence and verification, funds in place, approval steps, tasks and blockers; Huantai with 21
projects in negotiation. Figures other than those the seed states are invented for the demo."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from zhaoshang.chains.models import Chain
from zhaoshang.core.audit import acting_as
from zhaoshang.core.demo import demo_step
from zhaoshang.core.models import Department, District, Park
from zhaoshang.projects.delivery.approvals import project_schedule, project_steps_create
from zhaoshang.projects.delivery.demo import delivery_demo
from zhaoshang.projects.demo_fagai import fagai_demo
from zhaoshang.projects.models import (
    Blocker,
    FundsEntry,
    Project,
    ProjectOutput,
    ProjectStep,
    StageMove,
    WeeklyTask,
)
from zhaoshang.projects.stages import STAGE_CODES

SEED = 58_1033
TODAY = datetime.date.today()  # the demo's "now": the real date, so the year of history ends today
# Invented firm names (brand + kind), drawn by their own generator so that the other draws stay the same.
BRANDS = ["齐润", "鲁晟", "瑞泽", "华拓", "恒昇", "博远", "中瑞", "稷丰", "泰和", "金鼎", "宏瑞", "天岳",
          "海诺", "蓝帆", "新元", "永利", "东晟", "卓越", "汇通", "嘉禾", "盛通", "正和", "睿科", "凯瑞"]  # fmt: skip
FIRM_KINDS = {
    True: ["新材料有限公司", "化工股份有限公司", "石化有限公司", "控股集团有限公司"],
    False: ["科技有限公司", "智能装备有限公司", "精密机械有限公司", "控股集团有限公司"],
}
DELAY_REASONS = [
    "土地报批进度慢于计划", "环评批复尚未取得", "投资方内部决策延后", "施工图审查意见未闭合",
    "规划方案调整", "能耗指标未落实", "电力接入方案未批复", "设备采购周期延长",
]  # fmt: skip
STALL_REASONS = [
    "投资方资金未到位", "供地条件未成熟(拆迁未完成)", "合作方股权调整", "产品市场行情下行,投资方暂缓",
    "安全条件论证未通过,方案重做",
]  # fmt: skip
_names = random.Random(SEED + 3)


def _brand() -> str:
    return _names.choice(BRANDS)


BIG = [("鲁油鲁炼转型升级项目", 3_000_000, "refining"), ("天辰二期尼龙新材料项目", 1_500_000, "nylon"),
       ("鑫泰延链聚合项目", 1_200_000, "polyolefin")]  # fmt: skip
PRODUCTS = {
    "refining": ["高端润滑油基础油", "特种石蜡", "石油焦深加工", "芳烃抽提"],
    "c3-c4": ["甲乙酮", "顺丁橡胶", "MTBE", "丙烯酸酯"],
    "nylon": ["己二腈", "尼龙66切片", "己二胺", "工程塑料改性"],
    "polyolefin": ["茂金属聚乙烯", "超高分子量聚乙烯", "POE弹性体", "聚丙烯专用料"],
    "robotics": ["工业机器人整机", "精密减速器", "伺服电机", "机器人系统集成"],
    "hydrogen": ["工业副产氢提纯", "加氢站", "燃料电池膜电极"],
    "medicine": ["原料药", "医药中间体", "高端制剂"],
    "rare-earth": ["稀土永磁材料", "稀土抛光粉", "稀土催化材料"],
    "nev-parts": ["动力电池材料", "汽车轻量化部件"],
    "biodegradable": ["PBAT", "PBS可降解塑料"],
}
ORIGINS = ["outside_province"] * 5 + ["outside_city"] * 2 + ["local"] * 2 + ["abroad"]


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    weights = [rng.lognormvariate(0, 0.9) for _ in range(parts)]
    scale = total / sum(weights)
    amounts = [max(5_000, round(w * scale / 1000) * 1000) for w in weights]
    amounts[-1] += total - sum(amounts)  # exact total, as the seed states it
    return amounts


def _date_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max((end - start).days, 0)))


@demo_step(97, "项目库:临淄 58 个省市重大项目、储备项目;桓台在谈项目")
def projects(state: dict[str, Any]) -> None:
    rng = random.Random(SEED)
    _names.seed(SEED + 3)
    users = state["users"]
    linzi = District.objects.get(adcode="370305")
    with acting_as(users["linzi_chief"], "demo"):
        majors = _majors(linzi, rng, users)
        _reserve(linzi, rng)
        _huantai(rng)
    _history(majors, rng, users)
    delivery_demo(majors, users["linzi_admin"])  # projects on chain nodes, actual approval dates
    _top500(majors, rng)
    fagai_demo(majors, users)  # 发改: codes, yearly lists, verified monthly 完成投资 (its own generator)


def _majors(linzi: District, rng: random.Random, users: dict[str, Any]) -> list[Project]:
    chains = {c.code: c for c in Chain.objects.filter(district=linzi, is_current=True)}
    parks = {p.name: p for p in Park.objects.filter(district=linzi)}
    rest = _split(10_330_000 - sum(b[1] for b in BIG), 55, rng)
    plan = [(name, amount, code) for name, amount, code in BIG]
    codes = list(PRODUCTS)
    for index, amount in enumerate(rest):
        code = codes[index % len(codes)]
        product = rng.choice(PRODUCTS[code])
        plan.append(
            (
                f"年产{rng.choice([1, 2, 3, 5, 10, 20, 30])}万吨{product}项目"
                if code not in ("robotics", "nev-parts")
                else f"{_brand()}集团{product}产业化项目",
                amount,
                code,
            )
        )
    # A name drawn twice is that product's next phase: no project is on the books twice (projects/duplicates.py).
    drawn: dict[str, int] = {}
    for index, (name, amount, code) in enumerate(plan):
        drawn[name] = drawn.get(name, 0) + 1
        if drawn[name] > 1:
            plan[index] = (name.replace("项目", f"{'二三四五六七八九'[drawn[name] - 2]}期项目"), amount, code)
    projects = []
    natures = _natures(len(plan))
    for index, (name, amount, code) in enumerate(plan):
        chain = chains.get(code)
        chemical = code in ("refining", "c3-c4", "nylon", "polyolefin", "biodegradable")
        park = (
            parks["齐鲁化学工业区"]
            if chemical
            else rng.choice([parks["临淄经济开发区"], parks["临淄机器人产业园"]])
        )
        projects.append(
            Project.objects.create(
                district=linzi,
                name=name,
                content=f"{name}:{Project.Nature(natures[index]).label}生产装置及配套设施(演示数据)",
                construction_nature=natures[index],
                stage="negotiation",
                tier=Project.Tier.PROVINCIAL if index < 6 else Project.Tier.MUNICIPAL,
                investor_name=f"{_brand()}{_names.choice(FIRM_KINDS[chemical])}(示例)",
                investor_origin=rng.choice(ORIGINS),
                total_investment=Decimal(amount),
                first_phase_investment=Decimal(amount) * Decimal("0.6"),
                chain=chain,
                park=park,
                town=park.town,
                team=chain.team if chain else None,
                officer=users["linzi_chief"],
                land_mu=Decimal(max(20, amount // 5000)),
                # Refining and chemicals turn over far more than they invest; equipment and materials less.
                designed_output=Decimal(amount) * (Decimal("3.2") if chemical else Decimal("1.4")),
                designed_tax=Decimal(amount) * Decimal("0.08"),
                designed_jobs=max(30, amount // 2000),
                promised_start_date=_date_between(
                    rng, TODAY - datetime.timedelta(days=310), TODAY - datetime.timedelta(days=20)
                ),
                expected_production_date=_date_between(
                    rng, TODAY - datetime.timedelta(days=80), TODAY + datetime.timedelta(days=770)
                ),
            )
        )
    return projects


def _natures(count: int) -> list[str]:
    """建设性质: 鲁油鲁炼 is a 技术改造 of the existing refinery, 天辰二期 an expansion (its second phase),
    鑫泰延链聚合 new; of the rest most are new plants (its own generator: the demo's other draws stay as they
    were)."""
    rng = random.Random(SEED + 2)
    N = Project.Nature
    rest = rng.choices([N.NEW, N.EXPANSION, N.RETROFIT, N.RENOVATION], [70, 15, 10, 5], k=count - 3)
    return [N.RETROFIT, N.EXPANSION, N.NEW, *rest]


def _reserve(linzi: District, rng: random.Random) -> None:
    sources = ["企业走访", "链主企业规划", "园区储备", "招商推介会"]
    used: set[tuple[str, int]] = set()
    for _index in range(112):
        code = rng.choice(list(PRODUCTS))
        product = rng.choice(PRODUCTS[code])
        name = _reserve_name(code, product, used)
        Project.objects.create(
            district=linzi,
            name=name,
            stage="reserve",
            reserve_source=rng.choice(sources),
            expected_timing=f"{TODAY.year + rng.choice([0, 1, 1, 2])}年{rng.randint(1, 4)}季度",
            total_investment=Decimal(rng.choice([5000, 10000, 20000, 50000, 100000])),
        )


# Figures the major projects' names never use (年产 1–30 万吨), so that no reserve name reads as a major's.
RESERVE_FIGURES = [4, 6, 8, 12, 15, 25, 40, 60, 80, 100, 120, 150]


def _reserve_name(code: str, product: str, used: set[tuple[str, int]]) -> str:
    """A firm's name and a figure as officials write them: 某某集团年产8万吨某产品项目, never twice the same."""
    figure = _names.choice([f for f in RESERVE_FIGURES if (product, f) not in used] or [200])
    used.add((product, figure))
    if product == "加氢站":
        return f"{_brand()}集团{figure // 4 or 1}座加氢站项目"
    unit = {"robotics": "万台", "nev-parts": "万套"}.get(code, "万吨")
    return f"{_brand()}集团年产{figure}{unit}{product}项目"


def _huantai(rng: random.Random) -> None:
    huantai = District.objects.get(adcode="370321")
    products = {
        "氟硅新材料": ["含氟精细化学品", "氟橡胶", "六氟磷酸锂", "PVDF树脂"],
        "聚氨酯": ["聚醚多元醇", "TPU弹性体", "聚氨酯胶黏剂"],
        "高端造纸": ["特种纸", "食品级白卡纸", "生活用纸"],
        "有机硅下游": ["硅橡胶制品", "有机硅密封胶", "硅油及乳液"],
    }
    used: set[tuple[str, int]] = set()
    for index in range(21):
        topic = rng.choice(["氟硅新材料", "聚氨酯", "高端造纸", "有机硅下游"])
        name = _reserve_name(topic, _names.choice(products[topic]), used)
        Project.objects.create(
            district=huantai,
            name=name,
            stage="negotiation",
            tier=Project.Tier.MUNICIPAL if index < 8 else Project.Tier.GENERAL,
            investor_origin=rng.choice(ORIGINS),
            total_investment=Decimal(rng.choice([30000, 50000, 80000, 120000, 200000])),
        )


# Where each major project stands now: most signed in the last year, a good share started, a few producing.
TARGET_STAGES = (
    ["signed"] * 10
    + ["registered"] * 6
    + ["land"] * 8
    + ["started"] * 18
    + ["completed"] * 8
    + ["production"] * 6
    + ["capacity"] * 2
)


# Months of each step (median, σ of the log), as the demo's history is drawn: the forecast's documented
# defaults (analytics/forecast/engine.py), construction 18 months for a project of 10 亿元 or more and 12 for a
# smaller one, a year and a half from production to full capacity.
DEMO_MONTHS = {
    ("signed", "registered"): (2, 0.6),
    ("registered", "land"): (4, 0.6),
    ("land", "started"): (3, 0.6),
    ("started", "completed"): (18, 0.5),
    ("completed", "production"): (3, 0.5),
    ("production", "capacity"): (18, 0.5),
}
SMALL_CONSTRUCTION = (12, 0.5)


def _months(pair: tuple[str, str], large: bool, rng: random.Random) -> float:
    median, sigma = DEMO_MONTHS[pair] if large or pair != ("started", "completed") else SMALL_CONSTRUCTION
    return median * rng.lognormvariate(0, sigma)


def _dates(path: list[str], large: bool, rng: random.Random) -> list[datetime.date]:
    """The dates each stage of ``path`` was reached, ending in its last stage today: the completed steps drawn
    from DEMO_MONTHS, the time already spent in the current stage a uniform share of a drawn duration (as for a
    project caught at a random moment of its stage), so that the history reads like a steady flow of projects."""
    steps = [_months(pair, large, rng) for pair in zip(path, path[1:], strict=False)]
    following = STAGE_CODES[STAGE_CODES.index(path[-1]) + 1] if path[-1] != "capacity" else None
    elapsed = _months((path[-1], following), large, rng) * rng.random() if following else rng.uniform(1, 12)
    day = TODAY - datetime.timedelta(days=round((sum(steps) + elapsed) * 30.44))
    dates = [day]
    for months in steps:
        day += datetime.timedelta(days=max(1, round(months * 30.44)))
        dates.append(day)
    return dates


def _history(majors: list[Project], rng: random.Random, users: dict[str, Any]) -> None:
    """Stage moves from realistic durations (DEMO_MONTHS), each verified by the district admin on the day, with
    funds, steps, tasks and blockers; plans (promised start, expected production) as made at the signing."""
    chief, admin = users["linzi_chief"], users["linzi_admin"]
    departments = {d.short_name: d for d in Department.objects.filter(district__adcode="370305")}
    targets = TARGET_STAGES[:]
    rng.shuffle(targets)
    start = TODAY - datetime.timedelta(days=355)
    durations = random.Random(SEED + 1)  # its own generator: the demo's other draws stay as they were
    for project, target in zip(majors, targets, strict=True):
        path = STAGE_CODES[STAGE_CODES.index("signed") : STAGE_CODES.index(target) + 1]
        large = (project.total_investment or 0) >= 100_000
        dates = _dates(path, large, durations)
        # The draws the earlier, evenly spaced history made, so that funds, tasks and blockers stay the same.
        _date_between(rng, start, start + datetime.timedelta(days=120))
        for _stage in path:
            rng.randint(20, 60)
        previous = "negotiation"
        with acting_as(admin, "demo"):
            for stage, day in zip(path, dates, strict=True):
                StageMove.objects.create(
                    project=project,
                    from_stage=previous,
                    to_stage=stage,
                    date=day,
                    evidence_note="演示佐证材料",
                    requested_by=chief,
                    verified_by=admin,
                    verified_at=datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC),
                )
                previous = stage
            signed = dates[0]
            # Plans made at the signing, a little optimistic: the typical months, less a tenth.
            to_start = sum(
                DEMO_MONTHS[p][0]
                for p in (("signed", "registered"), ("registered", "land"), ("land", "started"))
            )
            building = DEMO_MONTHS[("started", "completed")][0] if large else SMALL_CONSTRUCTION[0]
            project.promised_start_date = signed + datetime.timedelta(days=round(0.9 * to_start * 30.44))
            project.expected_production_date = signed + datetime.timedelta(
                days=round(0.9 * (to_start + building + 3) * 30.44)
            )
            project.stage = target
            project.signed_date = signed
            if STAGE_CODES.index(target) >= STAGE_CODES.index("started"):
                project.started_date = project.moves.get(to_stage="started").date
            if target in ("signed", "registered") and rng.random() < 0.4:
                project.status, project.status_reason = Project.Status.DELAYED, _names.choice(DELAY_REASONS)
            if target == "land" and rng.random() < 0.25:
                project.status, project.status_reason = Project.Status.STALLED, _names.choice(STALL_REASONS)
            project.save()
            _funds(project, rng)
            if target in ("production", "capacity"):
                _outputs(project, target, dates[path.index("production")])
            if target in ("land", "started", "registered"):
                project_steps_create(project=project, user=admin)
                # Planned at the signing, before any step was done: the Gantt's plan is what the steps were
                # done against (a done step keeps its plan when the rest is planned again).
                project_schedule(project=project, user=admin, start=project.signed_date)
                _progress_steps(project, rng)
        with acting_as(chief, "demo"):
            _tasks_and_blockers(project, rng, departments, chief)


def _outputs(project: Project, target: str, producing: datetime.date) -> None:
    """Actual output and tax per year since production began: a ramp up to capacity (the part of the first year
    in production, then 60 %, 80 %, 95 %, never above this year's), this year's at the stage's share (45 % in
    production, 95 % at capacity), so that 贡献率 has years to compare with the district's 规上工业总产值."""
    now = Decimal("0.45") if target == "production" else Decimal("0.95")
    ramp = (Decimal("0.6"), Decimal("0.8"), Decimal("0.95"))
    shares: dict[int, Decimal] = {}
    for year in range(producing.year, TODAY.year):
        if year == producing.year:
            share = (Decimal("0.45") * Decimal(13 - producing.month) / 12).quantize(Decimal("0.01"))
        else:
            share = ramp[min(year - producing.year - 1, 2)]
        shares[year] = min(share, now)  # a project not at capacity yet was never above this year's share
    shares[TODAY.year] = now
    for year, share in shares.items():
        ProjectOutput.objects.create(
            project=project,
            year=year,
            output=(project.designed_output * share).quantize(Decimal(1)),
            tax=(project.designed_tax * share).quantize(Decimal(1)),
        )


def _funds(project: Project, rng: random.Random) -> None:
    if STAGE_CODES.index(project.stage) < STAGE_CODES.index("registered"):
        return
    share = {
        "registered": 0.05,
        "land": 0.15,
        "started": 0.35,
        "completed": 0.7,
        "production": 0.9,
        "capacity": 1.0,
    }
    in_place = project.total_investment * Decimal(str(share[project.stage]))
    months = rng.randint(2, 6)
    for month in range(months):
        FundsEntry.objects.create(
            project=project,
            date=min(project.signed_date + datetime.timedelta(days=30 * (month + 1)), TODAY),
            amount=(in_place / months).quantize(Decimal("0.01")),
            origin=project.investor_origin or "local",
            kind=FundsEntry.Kind.FIXED if month else FundsEntry.Kind.WORKING,
            evidence_note="银行进账单(演示)",
        )


def _progress_steps(project: Project, rng: random.Random) -> None:
    done = {"registered": 2, "land": 5, "started": 11}[project.stage]
    for step in project.steps.order_by("module", "code")[:done]:
        step.status = ProjectStep.Status.DONE
        step.actual_start = project.signed_date
        step.actual_finish = min(project.signed_date + datetime.timedelta(days=rng.randint(5, 60)), TODAY)
        step.save()


BLOCKERS = [
    ("用地指标未落实", "自然资源"), ("环评批复进度慢", "生态环境"), ("施工用电增容未完成", "发改"),
    ("配套道路未贯通", "住建"), ("安全评价专家评审排期", "应急"), ("能耗指标缺口", "发改"),
]  # fmt: skip


def _tasks_and_blockers(
    project: Project, rng: random.Random, departments: dict[str, Any], chief: Any
) -> None:
    if project.stage not in ("signed", "registered", "land", "started"):
        return
    monday = TODAY - datetime.timedelta(days=TODAY.weekday())
    for offset, title in ((-1, "对接投资方确认开工计划"), (0, "协调办理前置审批"), (1, "现场督导施工进度")):
        week = monday + datetime.timedelta(weeks=offset)
        task = WeeklyTask.objects.create(
            project=project,
            week=week,
            title=title,
            owner=chief,
            department=departments.get("发改"),
            due_date=week + datetime.timedelta(days=4),
            status=WeeklyTask.Status.DONE if offset < 0 and rng.random() < 0.7 else WeeklyTask.Status.TODO,
        )
        if task.status == WeeklyTask.Status.DONE:
            task.done_date = min(task.due_date, TODAY)  # as the task service stamps a task done
            task.save(update_fields=["done_date", "updated"])
    if rng.random() < 0.35:
        title, short = rng.choice(BLOCKERS)
        status = rng.choice(["raised", "assigned", "in_progress", "solved", "struck_off"])
        Blocker.objects.create(
            project=project,
            title=title,
            description=f"{project.name}:{title}(演示)",
            department=departments.get(short),
            deadline=TODAY + datetime.timedelta(days=rng.randint(-20, 30)),
            status=status,
            raised_by=chief,
            solution="已协调解决(演示)" if status in ("solved", "struck_off") else "",
            solved_date=TODAY - datetime.timedelta(days=3) if status in ("solved", "struck_off") else None,
        )


TOP500 = [
    {"list": "世界500强", "year": 2025}, {"list": "中国企业500强", "year": 2025},
    {"list": "中国民营企业500强", "year": 2025}, {"list": "中国制造业企业500强", "year": 2025},
]  # fmt: skip


def _top500(majors: list[Project], rng: random.Random) -> None:
    """Some investors are on the top-500 lists; those whose projects started in the year count as landed."""
    started = [p for p in majors if p.started_date]
    for project in rng.sample(started, k=min(8, len(started))):
        project.investor_top500 = [rng.choice(TOP500)]
        project.investor_uscc = ""
        project.save(update_fields=["investor_top500", "updated"])

"""Chain gap analysis for one district (DOMAIN.md §5 "Chain gap"; the four maps' "local status" map).

Pure: numpy, scipy. Inputs are plain dataclasses and a ``PlaceIndustryMatrix`` (places × GB/T 4754 classes,
firm counts or insured employees, national, county level). For district r and node n with class shares α:

- strength X_rn = Σ_i α_ni X_ri; firms F_rn = Σ_{i: α_ni > 0} F_ri (every firm of one of the node's classes,
  unweighted: "本区县该环节企业 12 家");
- LQ_rn = (X_rn / X_r) / (X_Bn / X_B) against the province (B = places whose ``adcode[:2] + "0000"`` is the
  district's province) and the nation (B = every place); the status uses ``settings.base``; LQ = 0 when the
  district has none of the node;
- **projects on the node** (``projects``, DOMAIN.md §8): a project in production or at capacity (投产/达产, its
  move verified) is a firm working on the node even when the registry does not list it yet. Each such project's
  firm that the registry row does not already count (``NodeProject.counted`` false; one firm per ``firm``
  key, however many projects it has) adds 1 to F_rn and, with a firm-count matrix, 1 to X_rn and to X_r.
  Projects under construction (开工/竣工) are listed with the node but do not count;
- status: **strong** if LQ ≥ θ (``lq_threshold``, 1) and F_rn ≥ F_min (``f_min``, 3); **missing** if F_rn = 0;
  else **weak**;
- shortfall = 1 − min(LQ/θ, F_rn/F_min, 1): with θ = 1 and F_rn ≥ F_min this is DOMAIN's 1 − min(LQ, 1); it is
  exactly 0 for strong nodes and 1 for missing ones, and a weak node short only of firms keeps a gap;
- **need** (how much the chain's present nodes need node n). Edges u → v mean u supplies v, with weight e
  (cost share; 1 when not given or None). A neighbour's local presence p is 1 if strong, ``presence_weak``
  (0.5) if weak, 0 if missing. Then
    pull_n = Σ_{v: n→v} e_nv p_v / Σ_{v: n→v} e_nv  — local downstream demand for n's output, which is
             served from outside while n is not strong;
    push_n = Σ_{u: u→n} e_un p_u / Σ_{u: u→n} e_un  — local upstream output that has no local processing;
    link_n = mean of pull_n and push_n over the sides n has (a node with no edges: 0 — no present node
             needs it);
    need_n = floor + (1 − floor) · link_n, floor = ``need_floor`` (0.2), so need ∈ [floor, 1] and a node whose
             neighbours are all missing still has a (small) gap;
- gap score = node weight × shortfall × need (0 for strong nodes);
- feasibility = Σ_i α_ni ω_ri / Σ_i α_ni with ω the district's relatedness density (missing or NaN → 0);
  NaN when no density is given;
- chain completeness = Σ_{strong} weight / Σ weight.

Every node result carries ``explain``: Chinese sentences with the numbers. The density comes from
``district_relatedness`` (module ``relatedness``, re-exported here): the district's row of the national
complexity results.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from zhaoshang.analytics.complexity.relatedness import DistrictRelatedness, district_relatedness
from zhaoshang.analytics.registry.store import PlaceIndustryMatrix
from zhaoshang.standards.errors import BilingualError

__all__ = [
    "ChainGapResult",
    "DistrictRelatedness",
    "GapError",
    "GapNode",
    "GapNodeResult",
    "NodeProject",
    "GapSettings",
    "chain_gaps",
    "district_relatedness",
    "province_of",
]

FloatArray = npt.NDArray[np.float64]
Status = Literal["strong", "weak", "missing"]
Edge = tuple[str, str] | tuple[str, str, float | None]
STATUS_ZH = {"strong": "强项", "weak": "弱项", "missing": "缺失"}
BASE_ZH = {"province": "全省", "nation": "全国"}


class GapError(BilingualError):
    """Bad input. ``str()`` is ``zh``; ``en`` is the English message."""


@dataclass(frozen=True)
class GapNode:
    key: str
    name: str
    segment: str  # up | mid | down
    weight: float
    shares: Mapping[str, float]  # GB/T 4754 class → α


@dataclass(frozen=True)
class NodeProject:
    """A project placed on a node (see the module docstring)."""

    key: str  # the project's id
    name: str
    stage: str  # its stage's label (投产, 达产, 开工 …)
    firm: str  # the firm it makes count: enterprise id, USCC or the investor's name
    firm_name: str
    producing: bool  # 投产/达产 with the move verified: it counts
    counted: bool  # the registry row already counts this firm on the node


@dataclass(frozen=True)
class GapSettings:
    f_min: int = 3
    lq_threshold: float = 1.0
    base: Literal["province", "nation"] = "province"
    presence_weak: float = 0.5
    need_floor: float = 0.2


@dataclass(frozen=True)
class GapNodeResult:
    key: str
    name: str
    segment: str
    weight: float
    strength: float
    firms: int
    lq_province: float
    lq_nation: float
    lq: float  # against settings.base
    status: Status
    pull: float  # NaN when the node has no downstream edge
    push: float  # NaN when the node has no upstream edge
    need: float
    shortfall: float
    gap_score: float
    feasibility: float  # NaN when no density was given
    explain: list[str] = field(default_factory=list)
    project_firms: int = 0  # firms added by producing projects (not in the registry's count)
    projects: list[dict[str, Any]] = field(default_factory=list)  # the projects on the node, as NodeProject


@dataclass(frozen=True)
class ChainGapResult:
    district: str
    province: str
    nodes: list[GapNodeResult]
    completeness: float
    settings: GapSettings
    explain: list[str]

    def node(self, key: str) -> GapNodeResult:
        for result in self.nodes:
            if result.key == key:
                return result
        raise KeyError(key)

    def ranked(self) -> list[GapNodeResult]:
        """Nodes with a gap, largest gap score first."""
        gaps = [n for n in self.nodes if n.gap_score > 0]
        return sorted(gaps, key=lambda n: (-n.gap_score, n.key))


def province_of(adcode: str) -> str:
    return adcode[:2] + "0000"


def _num(x: float) -> str:
    if not math.isfinite(x):
        return "—"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def _column_sums(values: Any, rows: npt.NDArray[np.bool_] | None) -> FloatArray:
    block = values if rows is None else values[np.flatnonzero(rows)]
    sums: FloatArray = np.asarray(block.sum(axis=0), dtype=np.float64).ravel()
    return sums


@dataclass(frozen=True)
class _Base:
    column: FloatArray  # Σ over the base's places, per industry
    total: float


def _lq(local: float, local_total: float, base_node: float, base_total: float) -> float:
    if local <= 0 or local_total <= 0 or base_node <= 0 or base_total <= 0:
        return 0.0
    return (local / local_total) / (base_node / base_total)


def _firm_matrix(matrix: PlaceIndustryMatrix, firms: PlaceIndustryMatrix | None) -> PlaceIndustryMatrix:
    if firms is not None:
        return firms
    if matrix.value != "firms":
        raise GapError(
            "矩阵为参保人数时须另给企业数矩阵", "a firm-count matrix is needed when the values are employees"
        )
    return matrix


def chain_gaps(
    nodes: Sequence[GapNode],
    edges: Sequence[Edge],
    *,
    matrix: PlaceIndustryMatrix,
    district: str,
    firms: PlaceIndustryMatrix | None = None,
    provinces: Mapping[str, str] | None = None,
    density: Mapping[str, float] | None = None,
    settings: GapSettings = GapSettings(),  # noqa: B008 - frozen dataclass
    projects: Mapping[str, Sequence[NodeProject]] | None = None,
) -> ChainGapResult:
    """Strength, LQ, status, need, gap score and feasibility of every node (see the module docstring).

    ``provinces`` maps a place to its province (default ``adcode[:2] + "0000"``); ``firms`` is the firm-count
    matrix when ``matrix`` holds employees (same places and industries not required)."""
    if settings.f_min < 1 or settings.lq_threshold <= 0:
        raise GapError("f_min 须 ≥ 1, 区位熵阈值须 > 0", "f_min must be >= 1 and lq_threshold > 0")
    keys = [n.key for n in nodes]
    if len(set(keys)) != len(keys):
        raise GapError("环节编码重复", "duplicate node keys")
    firm_matrix = _firm_matrix(matrix, firms)
    province = (provinces or {}).get(district, province_of(district))
    in_province = np.array([(provinces or {}).get(p, province_of(p)) == province for p in matrix.places])
    if district not in matrix.places:
        raise GapError(f"矩阵中没有区县 {district}", f"district {district} is not in the matrix")
    local = matrix.row(district)
    local_firms = firm_matrix.row(district)
    province_sums = _column_sums(matrix.values, in_province)
    bases = {
        "province": _Base(province_sums, float(province_sums.sum())),
        "nation": _Base(_column_sums(matrix.values, None), float(matrix.values.sum())),
    }
    column = {code: j for j, code in enumerate(matrix.industries)}
    firm_column = {code: j for j, code in enumerate(firm_matrix.industries)}
    added = {
        key: sorted({p.firm for p in (projects or {}).get(key, ()) if p.producing and not p.counted})
        for key in keys
    }
    add_to_strength = matrix.value == "firms"  # with employees as values a firm's size is not known here
    local_total = float(local.sum()) + (
        len({f for firms_of in added.values() for f in firms_of}) if add_to_strength else 0
    )

    measured: dict[str, tuple[float, int, float, float]] = {}
    for node in nodes:
        extra = len(added[node.key])
        strength = sum(a * local[column[c]] for c, a in node.shares.items() if c in column)
        strength += extra if add_to_strength else 0
        n_firms = extra + int(
            sum(local_firms[firm_column[c]] for c, a in node.shares.items() if a > 0 and c in firm_column)
        )
        lqs = [
            _lq(strength, local_total, _node_sum(node, b.column, column), b.total)
            for b in (bases["province"], bases["nation"])
        ]
        measured[node.key] = (float(strength), n_firms, lqs[0], lqs[1])

    status: dict[str, Status] = {}
    for node in nodes:
        strength, n_firms, lq_p, lq_n = measured[node.key]
        lq = lq_p if settings.base == "province" else lq_n
        status[node.key] = (
            "missing" if n_firms == 0
            else "strong" if lq >= settings.lq_threshold and n_firms >= settings.f_min
            else "weak"
        )  # fmt: skip

    downstream, upstream = _neighbours(keys, edges)
    presence = {"strong": 1.0, "weak": settings.presence_weak, "missing": 0.0}
    by_key = {n.key: n for n in nodes}
    results = []
    for node in nodes:
        strength, n_firms, lq_p, lq_n = measured[node.key]
        lq = lq_p if settings.base == "province" else lq_n
        pull = _side(downstream[node.key], status, presence)
        push = _side(upstream[node.key], status, presence)
        sides = [s for s in (pull, push) if not math.isnan(s)]
        link = sum(sides) / len(sides) if sides else 0.0
        need = settings.need_floor + (1.0 - settings.need_floor) * link
        shortfall = 1.0 - min(lq / settings.lq_threshold, n_firms / settings.f_min, 1.0)
        gap = node.weight * shortfall * need if status[node.key] != "strong" else 0.0
        feasibility = _feasibility(node, density)
        result = GapNodeResult(
            key=node.key,
            name=node.name,
            segment=node.segment,
            weight=node.weight,
            strength=strength,
            firms=n_firms,
            lq_province=lq_p,
            lq_nation=lq_n,
            lq=lq,
            status=status[node.key],
            pull=pull,
            push=push,
            need=need,
            shortfall=shortfall,
            gap_score=gap,
            feasibility=feasibility,
            project_firms=len(added[node.key]),
            projects=[dict(vars(p)) for p in (projects or {}).get(node.key, ())],
        )
        result.explain.extend(
            _explain(result, node, settings, matrix.value, downstream[node.key], upstream[node.key], status,
                     by_key, link)
        )  # fmt: skip
        results.append(result)

    total_weight = sum(n.weight for n in nodes)
    strong_weight = sum(n.weight for n in nodes if status[n.key] == "strong")
    completeness = strong_weight / total_weight if total_weight > 0 else 0.0
    counts = {s: sum(1 for v in status.values() if v == s) for s in STATUS_ZH}
    summary = [
        f"链条完整度 {completeness:.0%}：{len(nodes)} 个环节中强项 {counts['strong']} 个、"
        f"弱项 {counts['weak']} 个、缺失 {counts['missing']} 个（按环节权重计强项占 {_num(strong_weight)}/"
        f"{_num(total_weight)}）。",
        f"判定标准：{BASE_ZH[settings.base]}区位熵 ≥ {settings.lq_threshold:.2f} "
        f"且企业 ≥ {settings.f_min} 家为强项，无企业为缺失，其余为弱项。",
    ]
    return ChainGapResult(district, province, results, completeness, settings, summary)


def _node_sum(node: GapNode, values: FloatArray, column: Mapping[str, int]) -> float:
    return float(sum(a * values[column[c]] for c, a in node.shares.items() if c in column))


def _neighbours(
    keys: Sequence[str], edges: Sequence[Edge]
) -> tuple[dict[str, list[tuple[str, float]]], dict[str, list[tuple[str, float]]]]:
    known = set(keys)
    down: dict[str, list[tuple[str, float]]] = {k: [] for k in keys}
    up: dict[str, list[tuple[str, float]]] = {k: [] for k in keys}
    for edge in edges:
        source, target = edge[0], edge[1]
        given = edge[2] if len(edge) > 2 else None
        weight = 1.0 if given is None else float(given)
        if source not in known or target not in known:
            raise GapError(
                f"边 {source}→{target} 指向未知环节", f"edge {source}->{target} names an unknown node"
            )
        if weight < 0 or not math.isfinite(weight):
            raise GapError(
                f"边 {source}→{target} 的权重无效", f"edge {source}->{target} has an invalid weight"
            )
        if source == target:
            continue
        down[source].append((target, weight))
        up[target].append((source, weight))
    return down, up


def _side(
    neighbours: list[tuple[str, float]], status: Mapping[str, Status], presence: Mapping[str, float]
) -> float:
    total = sum(w for _, w in neighbours)
    if not neighbours:
        return math.nan
    if total <= 0:  # all weights 0: count the neighbours equally
        return sum(presence[status[k]] for k, _ in neighbours) / len(neighbours)
    return sum(w * presence[status[k]] for k, w in neighbours) / total


def _feasibility(node: GapNode, density: Mapping[str, float] | None) -> float:
    if density is None:
        return math.nan
    total = sum(a for a in node.shares.values() if a > 0)
    if total <= 0:
        return 0.0
    acc = 0.0
    for code, a in node.shares.items():
        d = density.get(code, 0.0)
        acc += a * (d if d is not None and math.isfinite(d) else 0.0)
    return acc / total


def _project_lines(r: GapNodeResult) -> list[str]:
    if not r.projects:
        return []
    producing = [p for p in r.projects if p["producing"]]
    building = [p for p in r.projects if not p["producing"]]
    lines = []
    if producing:
        named = "、".join(
            f"{p['name']}（{p['stage']}，{p['firm_name']}{'，已在企业库计数中' if p['counted'] else ''}）"
            for p in producing
        )
        lines.append(f"含投产/达产项目 {len(producing)} 个：{named}；计入企业数 {r.project_firms} 家。")
    if building:
        named = "、".join(f"{p['name']}（{p['stage']}）" for p in building)
        lines.append(f"含在建项目 {len(building)} 个：{named}（投产前不计入企业数）。")
    return lines


def _explain(
    r: GapNodeResult,
    node: GapNode,
    settings: GapSettings,
    value: str,
    down: list[tuple[str, float]],
    up: list[tuple[str, float]],
    status: Mapping[str, Status],
    by_key: Mapping[str, GapNode],
    link: float,
) -> list[str]:
    codes = "、".join(f"{c}×{_num(a)}" for c, a in node.shares.items())
    unit = "企业数" if value == "firms" else "参保人数"
    lines = [
        f"本区县该环节企业 {r.firms} 家（行业代码 {codes}），环节规模 {_num(r.strength)}（按{unit}加权）。",
        *_project_lines(r),
        f"全省区位熵 {r.lq_province:.2f}，全国区位熵 {r.lq_nation:.2f}"
        f"（判定以{BASE_ZH[settings.base]}为基准）。",
    ]
    if r.status == "missing":
        lines.append("判定为缺失：本区县没有该环节的企业。")
    elif r.status == "strong":
        lines.append(
            f"判定为强项：区位熵 {r.lq:.2f} ≥ {settings.lq_threshold:.2f} "
            f"且企业 {r.firms} 家 ≥ {settings.f_min} 家。"
        )
    else:
        reasons = []
        if r.lq < settings.lq_threshold:
            reasons.append(f"区位熵 {r.lq:.2f} < {settings.lq_threshold:.2f}")
        if r.firms < settings.f_min:
            reasons.append(f"企业 {r.firms} 家 < {settings.f_min} 家")
        lines.append("判定为弱项：" + "，".join(reasons) + "。")

    def side(label: str, items: list[tuple[str, float]], share: float) -> str:
        if not items:
            return f"无{label}环节"
        named = "、".join(f"{by_key[k].name}（{STATUS_ZH[status[k]]}）" for k, _ in items)
        return f"{label}环节 {named}，本地配套度 {share:.2f}"

    lines.append(
        f"链上需求：{side('下游', down, r.pull)}；{side('上游', up, r.push)}；"
        f"需求度 = {settings.need_floor:.2f} + {1 - settings.need_floor:.2f} × {link:.2f} = {r.need:.2f}。"
    )
    if r.status == "strong":
        lines.append("缺口分 0（强项）。")
    else:
        lines.append(
            f"缺口分 = 权重 {_num(r.weight)} × 短板程度 {r.shortfall:.2f} × 需求度 {r.need:.2f}"
            f" = {r.gap_score:.2f}"
            f"（短板程度 = 1 − min(区位熵/{settings.lq_threshold:.2f}, 企业数/{settings.f_min}, 1)）。"
        )
    if math.isnan(r.feasibility):
        lines.append("未提供关联密度，可行性未计算。")
    else:
        lines.append(f"可行性（本区县对该环节行业的关联密度，按份额加权）{r.feasibility:.2f}。")
    return lines

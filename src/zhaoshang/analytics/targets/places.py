"""Investment targets for one weak or missing chain node: industries and cities (DOMAIN.md §2.3, §4 map 3).

Pure: numpy, scipy. Target enterprises are in ``firms``.

**Target industries.** The node's classes (optionally with the other classes of their GB/T 4754 中类), each
scored score_i = feasibility_i × value_i × g, where feasibility_i = ω_ri (the district's relatedness density;
NaN → 0), g = the node's gap score (or its weight when not given), and
value_i = (w_pci · rank(PCI_i) + w_cog · rank(COG_ri) + w_node · fit_i) / (w_pci + w_cog + w_node),
rank = percentile rank in [0, 1] among the classes with a finite value (NaN → 0), fit_i = α_i / max α for
the node's classes and ``sibling_share`` (0.3) for the added group classes. Defaults: w = 1, 1, 1.

**Target cities.** Prefecture cities (the matrix at level "city", or a county matrix summed to cities through
GB/T 2260 parents). For city c: node strength X_cn = Σ_i α_i X_ci, firms F_cn, national share
s_c = X_cn / Σ_c X_cn, LQ_cn = (X_cn / X_c) / (Σ_c X_cn / X), distance d_c in km (haversine between the
district's and the city's centres; a city without coordinates takes the mean of its counties'). Then
    concentration_c = (s_c / max s)^β · (min(LQ_cn, cap) / cap)^(1 − β)
    decay(d) = floor + (1 − floor) · 0.5^(d / d½)
    score_c = concentration_c · decay(d_c)
with ``CityParams`` defaults β = 0.5 (geometric mean of scale and specialisation), cap = 3, d½ = 500 km,
floor = 0.2 (a far-away leading cluster still ranks), cities with fewer than 3 firms of the node left out, and
the district's own city left out (cities discourage poaching between their own districts).

Both results carry ``terms``: each term's name, raw value, transform, weight, value and how it combines
("+": a weighted part of the value; "×": a factor of the score), so that a page shows what a score weighs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse

from zhaoshang.analytics.chains.gaps import GapError, GapNode
from zhaoshang.analytics.complexity.relatedness import DistrictRelatedness
from zhaoshang.analytics.registry.store import PlaceIndustryMatrix
from zhaoshang.geo.coords import haversine_km_many
from zhaoshang.standards.divisions import children, division
from zhaoshang.standards.industries import industries, industry

__all__ = [
    "CityParams",
    "CityTarget",
    "IndustryTarget",
    "IndustryWeights",
    "distance_decay",
    "division_centre",
    "matrix_to_cities",
    "target_cities",
    "target_industries",
]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class IndustryWeights:
    pci: float = 1.0
    cog: float = 1.0
    node: float = 1.0
    sibling_share: float = 0.3


@dataclass(frozen=True)
class IndustryTarget:
    code: str
    name: str
    share: float  # α in the node; 0 for an added group class
    in_node: bool
    density: float
    pci: float
    cog: float
    pci_rank: float
    cog_rank: float
    value: float
    score: float
    explain: list[str] = field(default_factory=list)
    terms: list[dict[str, object]] = field(default_factory=list)


def _term(
    name: str, raw: float, transform: str, value: float, weight: float, combine: str
) -> dict[str, object]:
    finite = raw if raw is not None and math.isfinite(raw) else None
    contribution = weight * value if combine == "+" else value
    return {
        "name": name, "raw": finite, "transform": transform, "value": value, "weight": weight,
        "combine": combine, "contribution": contribution,
    }  # fmt: skip


def _percentile_ranks(values: Mapping[str, float]) -> dict[str, float]:
    """Rank in [0, 1] among finite values (ties share the mean rank); NaN → 0."""
    finite = {k: v for k, v in values.items() if v is not None and math.isfinite(v)}
    if not finite:
        return {}
    keys = list(finite)
    arr = np.array([finite[k] for k in keys])
    order = np.argsort(arr, kind="stable")
    ranks = np.empty(arr.size)
    ranks[order] = np.arange(arr.size, dtype=np.float64)
    # average ties
    _, inverse = np.unique(arr, return_inverse=True)
    mean_rank = np.bincount(inverse, weights=ranks) / np.bincount(inverse)
    scaled = mean_rank[inverse] / max(arr.size - 1, 1)
    return dict(zip(keys, scaled.tolist(), strict=True))


def finite_or_zero(x: float | None) -> float:
    return float(x) if x is not None and math.isfinite(x) else 0.0


def target_industries(
    node: GapNode,
    relatedness: DistrictRelatedness,
    *,
    gap: float | None = None,
    include_group: bool = False,
    weights: IndustryWeights = IndustryWeights(),  # noqa: B008 - frozen dataclass
) -> list[IndustryTarget]:
    """The node's classes (and optionally their group siblings) ranked by feasibility × value × g."""
    shares = {c: a for c, a in node.shares.items() if a > 0}
    if not shares:
        return []
    top_share = max(shares.values())
    candidates: dict[str, float] = {c: a / top_share for c, a in shares.items()}
    if include_group:
        groups = {c[:3] for c in shares}
        for entry in industries().values():
            if entry.level == "class" and entry.code[:3] in groups and entry.code not in candidates:
                candidates[entry.code] = weights.sibling_share
    pci_rank = _percentile_ranks(relatedness.pci)
    cog_rank = _percentile_ranks(relatedness.cog)
    g = node.weight if gap is None else gap
    total_w = weights.pci + weights.cog + weights.node
    out = []
    for code, fit in candidates.items():
        density = finite_or_zero(relatedness.density.get(code))
        pr, cr = pci_rank.get(code, 0.0), cog_rank.get(code, 0.0)
        value = (weights.pci * pr + weights.cog * cr + weights.node * fit) / total_w if total_w > 0 else 0.0
        score = density * value * g
        catalog_entry = industry(code)
        name = catalog_entry.name if catalog_entry is not None else code
        pci = relatedness.pci.get(code, math.nan)
        cog = relatedness.cog.get(code, math.nan)
        share = shares.get(code, 0.0)
        explain = [
            f"{code} {name}：{'环节份额 ' + format(share, '.2f') if code in shares else '同中类相关行业'}。",
            f"关联密度（可行性）{density:.3f}；产品复杂度 PCI {_fmt(pci)}（百分位 {pr:.0%}）；"
            f"机会增益 COG {_fmt(cog)}（百分位 {cr:.0%}）。",
            f"价值 = ({_w(weights.pci)}×{pr:.2f} + {_w(weights.cog)}×{cr:.2f} + {_w(weights.node)}×{fit:.2f})"
            f" / {_w(total_w)} = {value:.2f}；"
            f"得分 = 可行性 {density:.3f} × 价值 {value:.2f} × 环节缺口 {g:.2f} = {score:.3f}。",
        ]
        if relatedness.present.get(code):
            explain.append("本区县该行业已有显性比较优势（RCA ≥ 1），宜强链而非补链。")
        part = 1 / total_w if total_w > 0 else 0.0
        terms = [
            _term("可行性·关联密度", density, "x（缺失为 0）", density, 1.0, "×"),
            _term("价值·产品复杂度 PCI", pci, "百分位排名", pr, weights.pci * part, "+"),
            _term("价值·机会增益 COG", cog, "百分位排名", cr, weights.cog * part, "+"),
            _term(
                "价值·环节契合",
                share if code in shares else weights.sibling_share,
                "份额 / 最大份额" if code in shares else "同中类行业取定值",
                fit,
                weights.node * part,
                "+",
            ),
            _term("环节缺口", g, "缺口分（未计算时取环节权重）", g, 1.0, "×"),
        ]
        out.append(
            IndustryTarget(
                code, name, share, code in shares, density, pci, cog, pr, cr, value, score, explain, terms
            )
        )
    out.sort(key=lambda t: (-t.score, -t.share, t.code))
    return out


def _fmt(x: float) -> str:
    return f"{x:.2f}" if x is not None and math.isfinite(x) else "—"


def _w(x: float) -> str:
    return f"{x:g}"


@dataclass(frozen=True)
class CityParams:
    scale_exponent: float = 0.5
    lq_cap: float = 3.0
    half_distance_km: float = 500.0
    decay_floor: float = 0.2
    min_firms: int = 3
    exclude_own_city: bool = True


@dataclass(frozen=True)
class CityTarget:
    code: str
    name: str
    province: str
    strength: float
    firms: int
    share: float  # of the national node strength
    lq: float
    distance_km: float
    concentration: float
    decay: float
    score: float
    explain: list[str] = field(default_factory=list)
    terms: list[dict[str, object]] = field(default_factory=list)


def distance_decay(distance_km: npt.ArrayLike, half_distance_km: float, floor: float = 0.0) -> FloatArray:
    """floor + (1 − floor) · 0.5^(d / d½); NaN distances get the floor."""
    d = np.asarray(distance_km, dtype=np.float64)
    decay: FloatArray = floor + (1.0 - floor) * np.power(0.5, d / half_distance_km)
    return np.where(np.isnan(d), floor, decay)


def division_centre(code: str) -> tuple[float, float]:
    """(lng, lat) of a division; the mean of its children's when it has none; NaN when unknown."""
    d = division(code)
    if d is not None and d.lng is not None and d.lat is not None:
        return d.lng, d.lat
    points = [(c.lng, c.lat) for c in children(code) if c.lng is not None and c.lat is not None]
    if not points:
        return math.nan, math.nan
    return float(np.mean([p[0] for p in points])), float(np.mean([p[1] for p in points]))


def matrix_to_cities(matrix: PlaceIndustryMatrix) -> PlaceIndustryMatrix:
    """Sum a county matrix into prefecture cities (GB/T 2260 parent; ``code[:4] + "00"`` when unknown)."""
    if matrix.level == "city":
        return matrix
    if matrix.level != "county":
        raise GapError("需要区县或地市级矩阵", "a county or city matrix is needed")
    parents = []
    for place in matrix.places:
        d = division(place)
        parents.append(d.parent if d is not None and d.parent else place[:4] + "00")
    cities, index = np.unique(np.array(parents), return_inverse=True)
    aggregate = scipy.sparse.csr_matrix(
        (np.ones(len(parents)), (index, np.arange(len(parents)))), shape=(cities.size, len(parents))
    )
    values = scipy.sparse.csr_matrix(aggregate @ matrix.values)
    return PlaceIndustryMatrix([str(c) for c in cities], matrix.industries, values, "city", matrix.value)


def _city_name(code: str) -> str:
    """The city's name; a municipality's 市辖区/县 rows are named after the municipality."""
    d = division(code)
    if d is None:
        return code
    if d.name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
        parent = division(d.parent) if d.parent else None
        return parent.name if parent is not None else d.name
    return d.name


def _node_column(node: GapNode, matrix: PlaceIndustryMatrix, weighted: bool) -> FloatArray:
    weights = np.zeros(len(matrix.industries))
    column = {code: j for j, code in enumerate(matrix.industries)}
    for code, a in node.shares.items():
        if a > 0 and code in column:
            weights[column[code]] = a if weighted else 1.0
    out: FloatArray = np.asarray(matrix.values @ weights, dtype=np.float64).ravel()
    return out


def target_cities(
    node: GapNode,
    matrix: PlaceIndustryMatrix,
    *,
    district: str,
    firms: PlaceIndustryMatrix | None = None,
    params: CityParams = CityParams(),  # noqa: B008 - frozen dataclass
    top: int | None = 20,
) -> list[CityTarget]:
    """Cities where the node's classes concentrate, best first, nearest first on ties (module docstring)."""
    cities = matrix_to_cities(matrix)
    if firms is None and matrix.value != "firms":
        raise GapError("矩阵为参保人数时须另给企业数矩阵", "a firm-count matrix is needed for employees")
    firm_cities = matrix_to_cities(firms) if firms is not None else cities
    strength = _node_column(node, cities, weighted=True)
    firm_counts = dict(
        zip(firm_cities.places, _node_column(node, firm_cities, weighted=False).tolist(), strict=True)
    )
    totals = np.asarray(cities.values.sum(axis=1), dtype=np.float64).ravel()
    node_total, grand_total = float(strength.sum()), float(totals.sum())
    origin = division_centre(district)
    if math.isnan(origin[0]):
        raise GapError(f"区县 {district} 没有坐标", f"district {district} has no coordinates")
    own = division(district)
    own_city = own.parent if own is not None and own.parent else district[:4] + "00"
    if node_total <= 0:
        return []
    share = strength / node_total
    with np.errstate(divide="ignore", invalid="ignore"):
        lq = np.where(totals > 0, (strength / totals) / (node_total / grand_total), 0.0)
    centres = np.array([division_centre(c) for c in cities.places])
    distance = haversine_km_many(origin[0], origin[1], centres[:, 0], centres[:, 1])
    decay = distance_decay(distance, params.half_distance_km, params.decay_floor)
    beta = params.scale_exponent
    scale = share / share.max()
    special = np.minimum(lq, params.lq_cap) / params.lq_cap
    concentration = np.power(scale, beta) * np.power(special, 1.0 - beta)
    score = concentration * decay
    out = []
    for i in np.lexsort((distance, -score)):
        code = cities.places[i]
        n_firms = int(firm_counts.get(code, 0))
        if n_firms < params.min_firms or (params.exclude_own_city and code == own_city):
            continue
        name = _city_name(code)
        explain = [
            f"{name}：该环节企业 {n_firms} 家，规模 {strength[i]:,.0f}，占全国 {share[i]:.1%}，"
            f"区位熵 {lq[i]:.2f}。",
            f"集中度 = (占比/最大占比 {scale[i]:.2f})^{beta:g} × "
            f"(min(区位熵, {params.lq_cap:g})/{params.lq_cap:g} = {special[i]:.2f})^{1 - beta:g}"
            f" = {concentration[i]:.2f}。",
            f"距本区县 {distance[i]:,.0f} km，距离衰减 {decay[i]:.2f}（{params.half_distance_km:g} km 减半，"
            f"下限 {params.decay_floor:g}）；"
            f"得分 = {concentration[i]:.2f} × {decay[i]:.2f} = {score[i]:.3f}。",
        ]
        out.append(
            CityTarget(
                code=code,
                name=name,
                province=code[:2] + "0000",
                strength=float(strength[i]),
                firms=n_firms,
                share=float(share[i]),
                lq=float(lq[i]),
                distance_km=float(distance[i]),
                concentration=float(concentration[i]),
                decay=float(decay[i]),
                score=float(score[i]),
                explain=explain,
                terms=[
                    _term(
                        "规模·占全国比重",
                        float(share[i]),
                        f"(x / 最大占比)^{beta:g}",
                        float(scale[i] ** beta),
                        1.0,
                        "×",
                    ),
                    _term(
                        "专业化·区位熵",
                        float(lq[i]),
                        f"(min(x, {params.lq_cap:g}) / {params.lq_cap:g})^{1 - beta:g}",
                        float(special[i] ** (1 - beta)),
                        1.0,
                        "×",
                    ),
                    _term(
                        "距离（km）",
                        float(distance[i]),
                        f"{params.decay_floor:g} + {1 - params.decay_floor:g} × 0.5^(x / "
                        f"{params.half_distance_km:g})",
                        float(decay[i]),
                        1.0,
                        "×",
                    ),
                ],  # fmt: skip
            )
        )
        if top is not None and len(out) >= top:
            break
    return out

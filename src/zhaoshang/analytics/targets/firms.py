"""Target enterprises for one chain node, scored term by term (DOMAIN.md §5 "Target enterprises").

Pure: numpy, pandas, pyarrow (DuckDB through ``registry.firms_query``). Candidates are firms outside the
district in the node's classes or matching its keywords; 注销/吊销 firms and firms of the district itself are
excluded. Each term t_k lies in [0, 1] (growth in [−1, 1]) and the score is Σ_k w_k t_k:

| term | t_k | default w_k |
|---|---|---|
| employees | log(1 + 参保人数) / log(1 + 10,000), ≤ 1 | 1.0 |
| capital | log(1 + 注册资本万元) / log(1 + 100,000), ≤ 1 | 0.5 |
| growth | clip(yoy employee growth / 0.3, −1, 1) | 0.5 |
| expansion | 1 − exp(−(branches + investments in 24 months) / 2) | 0.75 |
| fit | ω_r,industry / max ω_r (relatedness density of the firm's class in the district) | 1.0 |
| ties | 1 − exp(−ties[industry] / 10) (e.g. local chain firms in neighbouring nodes) | 0.5 |
| distance | 0.5^(km from the district centre / 500) | 0.75 |
| listed, specialised (专精特新), high_tech (高新), top500 | 1 if tagged | 0.6, 0.5, 0.3, 1.0 |
| abnormal (经营异常), dishonest (失信), shell (参保 0 人) | 1 if so | −1.0, −2.0, −1.5 |

Weights and scales are a ``TargetWeights`` (editable per district). ``target_enterprises`` scores a
candidate table (pyarrow or pandas, registry columns) with numpy and returns the top N with a per-term
breakdown, a ``terms`` list (each term's name, raw value, transform with its scale, t_k, weight and
contribution w_k·t_k: what a page shows so that the score says what it weighs) and a Chinese explanation;
``registry_targets`` pre-filters the Parquet registry with DuckDB first.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from zhaoshang.analytics.chains.gaps import GapError, GapNode
from zhaoshang.analytics.registry.store import ACTIVE_STATUSES, firms_query
from zhaoshang.analytics.targets.places import distance_decay, division_centre, finite_or_zero
from zhaoshang.geo.coords import haversine_km_many

__all__ = [
    "SCORING_COLUMNS",
    "TERMS",
    "TargetWeights",
    "registry_targets",
    "target_enterprises",
    "term_specs",
]

FloatArray = npt.NDArray[np.float64]
TERMS = (
    "employees", "capital", "growth", "expansion", "fit", "ties", "distance",
    "listed", "specialised", "high_tech", "top500", "abnormal", "dishonest", "shell",
)  # fmt: skip
SCORING_COLUMNS = (
    "uscc", "name", "adcode", "city", "industry", "registered_capital", "insured_employees", "status",
    "listed", "specialised", "high_tech", "top500", "abnormal", "dishonest", "branches_24m",
    "investments_24m", "employee_growth", "lng", "lat",
)  # fmt: skip
_TAGS = {"listed": "上市", "specialised": "专精特新", "high_tech": "高新技术企业", "top500": "500强"}
_PENALTIES = {"abnormal": "经营异常", "dishonest": "失信被执行人", "shell": "参保 0 人（疑似空壳）"}


@dataclass(frozen=True)
class TargetWeights:
    employees: float = 1.0
    capital: float = 0.5
    growth: float = 0.5
    expansion: float = 0.75
    fit: float = 1.0
    ties: float = 0.5
    distance: float = 0.75
    listed: float = 0.6
    specialised: float = 0.5
    high_tech: float = 0.3
    top500: float = 1.0
    abnormal: float = -1.0
    dishonest: float = -2.0
    shell: float = -1.5
    employees_ref: float = 10_000.0
    capital_ref: float = 100_000.0  # 万元 (10 亿元)
    growth_ref: float = 0.3
    expansion_ref: float = 2.0
    ties_ref: float = 10.0
    half_distance_km: float = 500.0


def term_specs(w: TargetWeights, top_density: float) -> dict[str, tuple[str, str, str]]:
    """Per term: (name, what the raw value is, the transform to t_k with this district's scales)."""
    flag = "是 = 1，否 = 0"
    return {
        "employees": ("规模·参保人数", "人", f"min(log(1 + x) / log(1 + {w.employees_ref:,.0f}), 1)"),
        "capital": ("规模·注册资本", "万元", f"min(log(1 + x) / log(1 + {w.capital_ref:,.0f}), 1)"),
        "growth": ("成长·参保人数同比", "比例", f"clip(x / {w.growth_ref:g}, −1, 1)"),
        "expansion": ("扩张·近24个月分支与对外投资", "家/笔", f"1 − exp(−x / {w.expansion_ref:g})"),
        "fit": (
            "契合·本区县该行业关联密度",
            "关联密度",
            f"x / {top_density:.3f}（本区县最高关联密度）" if top_density > 0 else "0（无关联密度）",
        ),
        "ties": ("关联·本区县同中类企业", "家", f"1 − exp(−x / {w.ties_ref:g})"),
        "distance": ("距离", "km", f"0.5^(x / {w.half_distance_km:g})（未知为 0）"),
        "listed": ("标签·上市", "", flag),
        "specialised": ("标签·专精特新", "", flag),
        "high_tech": ("标签·高新技术企业", "", flag),
        "top500": ("标签·500强", "", flag),
        "abnormal": ("扣分·经营异常", "", flag),
        "dishonest": ("扣分·失信被执行人", "", flag),
        "shell": ("扣分·参保 0 人（疑似空壳）", "人", "参保 ≤ 0 为 1，否则 0"),
    }


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


class _Columns:
    """Uniform numpy access to a pyarrow Table or a pandas DataFrame."""

    def __init__(self, data: Any) -> None:
        self.data = data
        self.arrow = isinstance(data, pa.Table)
        self.rows = data.num_rows if self.arrow else len(data)

    def has(self, name: str) -> bool:
        return name in (self.data.column_names if self.arrow else self.data.columns)

    def numbers(self, name: str, fill: float = 0.0) -> FloatArray:
        if not self.has(name):
            return np.full(self.rows, fill)
        if self.arrow:
            col = self.data.column(name)
            values = col.to_numpy(zero_copy_only=False) if col.null_count == 0 else col.to_pandas().to_numpy()
        else:
            values = self.data[name].to_numpy()
        out = np.asarray(values, dtype=np.float64)
        return np.where(np.isnan(out), fill, out)

    def flags(self, name: str) -> npt.NDArray[np.bool_]:
        out: npt.NDArray[np.bool_] = self.numbers(name) != 0
        return out

    def codes(self, name: str) -> tuple[npt.NDArray[np.int64], list[str]]:
        """Dictionary codes of a string column and the distinct values."""
        if self.arrow:
            encoded = self.data.column(name).combine_chunks().dictionary_encode()
            idx = encoded.indices.to_numpy(zero_copy_only=False)
            return np.asarray(idx, dtype=np.int64), [str(v) for v in encoded.dictionary.to_pylist()]
        codes, uniques = pd.factorize(self.data[name])
        return codes.astype(np.int64), [str(v) for v in uniques]

    def strings(self, name: str, rows: npt.NDArray[np.int64]) -> list[str]:
        if not self.has(name):
            return [""] * rows.size
        if self.arrow:
            return [str(v) for v in self.data.column(name).take(pa.array(rows)).to_pylist()]
        return [str(v) for v in self.data[name].to_numpy()[rows]]


def _lookup(col: _Columns, name: str, table: Mapping[str, float] | None) -> FloatArray:
    if table is None or not col.has(name) or col.rows == 0:
        return np.zeros(col.rows)
    codes, uniques = col.codes(name)
    values = np.array([finite_or_zero(table.get(u)) for u in uniques] + [0.0])
    out: FloatArray = values[np.where(codes < 0, len(uniques), codes)]
    return out


def target_enterprises(
    candidates: Any,
    *,
    district: str,
    density: Mapping[str, float] | None = None,
    ties: Mapping[str, float] | None = None,
    weights: TargetWeights = TargetWeights(),  # noqa: B008 - frozen dataclass
    top: int = 50,
    origin: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """Score ``candidates`` (pyarrow Table or DataFrame with registry columns) and return the top ``top``.

    Columns: rank, uscc, name, adcode, industry, insured_employees, registered_capital, distance_km, score,
    one ``t_<term>`` column per weighted term contribution, ``breakdown`` (term → contribution) and
    ``explain``; ties are broken by USCC. Firms of ``district``, and firms whose status is not 存续/在业, are
    left out."""
    col = _Columns(candidates)
    centre = origin if origin is not None else division_centre(district)
    if math.isnan(centre[0]):
        raise GapError(f"区县 {district} 没有坐标", f"district {district} has no coordinates")
    w = weights
    employees = col.numbers("insured_employees")
    capital = col.numbers("registered_capital")
    growth = col.numbers("employee_growth")
    expansion = col.numbers("branches_24m") + col.numbers("investments_24m")
    distance = haversine_km_many(centre[0], centre[1], col.numbers("lng", np.nan), col.numbers("lat", np.nan))
    fit = _lookup(col, "industry", density)
    top_density = max((finite_or_zero(v) for v in (density or {}).values()), default=0.0)
    fit = fit / top_density if top_density > 0 else np.zeros(col.rows)
    terms: dict[str, FloatArray] = {
        "employees": np.minimum(np.log1p(np.maximum(employees, 0)) / math.log1p(w.employees_ref), 1.0),
        "capital": np.minimum(np.log1p(np.maximum(capital, 0)) / math.log1p(w.capital_ref), 1.0),
        "growth": np.clip(growth / w.growth_ref, -1.0, 1.0),
        "expansion": 1.0 - np.exp(-np.maximum(expansion, 0) / w.expansion_ref),
        "fit": fit,
        "ties": 1.0 - np.exp(-np.maximum(_lookup(col, "industry", ties), 0) / w.ties_ref),
        "distance": distance_decay(distance, w.half_distance_km),
        "shell": (employees <= 0).astype(np.float64),
    }
    for name in ("listed", "specialised", "high_tech", "top500", "abnormal", "dishonest"):
        terms[name] = col.flags(name).astype(np.float64)
    weight_of = asdict(w)
    score = np.zeros(col.rows)
    for name in TERMS:
        score += weight_of[name] * terms[name]

    keep = np.ones(col.rows, dtype=bool)
    if col.has("adcode"):
        codes, uniques = col.codes("adcode")
        keep &= codes != (uniques.index(district) if district in uniques else -2)
    if col.has("status"):
        codes, uniques = col.codes("status")
        active = np.array([u in ACTIVE_STATUSES for u in uniques] + [False])
        keep &= active[np.where(codes < 0, len(uniques), codes)]
    order = _top(col, np.flatnonzero(keep), score, top)

    names = col.strings("name", order)
    rows: dict[str, Any] = {
        "rank": np.arange(1, order.size + 1),
        "uscc": col.strings("uscc", order),
        "name": names,
        "adcode": col.strings("adcode", order),
        "industry": col.strings("industry", order),
        "insured_employees": employees[order].astype(np.int64),
        "registered_capital": capital[order],
        "distance_km": distance[order],
        "score": score[order],
    }
    contributions = {name: weight_of[name] * terms[name][order] for name in TERMS}
    for name in TERMS:
        rows[f"t_{name}"] = contributions[name]
    breakdown = [{name: float(contributions[name][k]) for name in TERMS} for k in range(order.size)]
    rows["breakdown"] = breakdown
    specs = term_specs(w, top_density)
    term_raw = {
        "employees": employees, "capital": capital, "growth": growth, "expansion": expansion,
        "fit": _lookup(col, "industry", density), "ties": _lookup(col, "industry", ties), "distance": distance,
        "shell": employees,
    }  # fmt: skip
    rows["terms"] = [
        [
            {
                "key": name,
                "name": specs[name][0],
                "unit": specs[name][1],
                "raw": _finite(float(term_raw[name][i])) if name in term_raw else float(terms[name][i]),
                "transform": specs[name][2],
                "value": float(terms[name][i]),
                "weight": float(weight_of[name]),
                "contribution": float(contributions[name][k]),
            }
            for name in TERMS
        ]
        for k, i in enumerate(order.tolist())
    ]
    raw = {
        "employees": employees[order], "capital": capital[order], "growth": growth[order],
        "branches": col.numbers("branches_24m")[order], "investments": col.numbers("investments_24m")[order],
        "density": _lookup(col, "industry", density)[order], "ties": _lookup(col, "industry", ties)[order],
        "distance": distance[order],
    }  # fmt: skip
    rows["explain"] = [
        _explain(
            names[k], float(score[order[k]]), breakdown[k], {key: float(v[k]) for key, v in raw.items()}, w
        )
        for k in range(order.size)
    ]
    return pd.DataFrame(rows)


def _top(
    col: _Columns, eligible: npt.NDArray[np.int64], score: FloatArray, top: int
) -> npt.NDArray[np.int64]:
    """The ``top`` best rows by score, then by USCC (so that the input's row order does not matter)."""
    if top <= 0 or eligible.size == 0:
        return np.zeros(0, dtype=np.int64)
    negative = -score[eligible]
    if eligible.size > top:
        kth = np.partition(negative, top - 1)[top - 1]
        eligible = eligible[negative <= kth]  # every row tied with the last place stays in
    keys = np.array(col.strings("uscc", eligible)) if col.has("uscc") else eligible
    chosen: npt.NDArray[np.int64] = eligible[np.lexsort((keys, -score[eligible]))][:top]
    return chosen


def _money(wan: float) -> str:
    return f"{wan / 10_000:,.2f} 亿元" if wan >= 10_000 else f"{wan:,.0f} 万元"


def _signed(x: float) -> str:
    return f"{x:+.2f}".replace("-", "−")


def _explain(
    name: str, score: float, b: Mapping[str, float], raw: Mapping[str, float], w: TargetWeights
) -> str:
    parts = [
        f"规模：参保 {raw['employees']:,.0f} 人 {_signed(b['employees'])}，注册资本 {_money(raw['capital'])} "
        f"{_signed(b['capital'])}",
        f"成长：参保人数同比 {raw['growth']:+.0%} {_signed(b['growth'])}".replace("-", "−"),
        f"扩张：近24个月新设分支 {raw['branches']:.0f} 家、对外投资 {raw['investments']:.0f} 笔 "
        f"{_signed(b['expansion'])}",
        f"契合：本区县该行业关联密度 {raw['density']:.3f} {_signed(b['fit'])}",
    ]
    if w.ties and raw["ties"] > 0:
        parts.append(f"关联：本区县链上相关企业 {raw['ties']:g} 家 {_signed(b['ties'])}")
    distance = raw["distance"]
    parts.append(
        f"距离：{distance:,.0f} km {_signed(b['distance'])}" if math.isfinite(distance) else "距离：未知"
    )
    tags = [label for key, label in _TAGS.items() if b[key] != 0]
    if tags:
        parts.append(f"标签：{'、'.join(tags)} {_signed(sum(b[k] for k in _TAGS))}")
    penalties = [label for key, label in _PENALTIES.items() if b[key] != 0]
    if penalties:
        parts.append(f"扣分：{'、'.join(penalties)} {_signed(sum(b[k] for k in _PENALTIES))}")
    return f"{name} 总分 {score:.2f}：" + "；".join(parts) + "。"


def registry_targets(
    path: str | os.PathLike[str],
    node: GapNode,
    *,
    district: str,
    keywords: Sequence[str] | None = None,
    density: Mapping[str, float] | None = None,
    ties: Mapping[str, float] | None = None,
    weights: TargetWeights = TargetWeights(),  # noqa: B008 - frozen dataclass
    top: int = 50,
) -> pd.DataFrame:
    """Target enterprises of ``node`` from the Parquet registry: DuckDB selects the active firms outside the
    district in the node's classes or with one of ``keywords`` in scope/name, numpy scores them."""
    codes = [c for c, a in node.shares.items() if a > 0]
    table = firms_query(
        path, codes=codes, keywords=keywords, exclude_adcode=district, limit=None, columns=SCORING_COLUMNS
    )
    return target_enterprises(table, district=district, density=density, ties=ties, weights=weights, top=top)

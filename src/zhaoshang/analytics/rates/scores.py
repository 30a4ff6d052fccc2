"""Assessment scores and rankings of chain teams, towns, parks or districts (DOMAIN.md §9).

Pure: no Django. A group's score is a weighted sum of its rates and target completions minus deductions:

    score = max(floor, k · (Σ_r w_r · min(rate_r, rate_cap) + Σ_t w_t · min(actual_t / target_t, target_cap))
                       − overdue · d_overdue − falsified · d_falsified)

``k`` is 1 under ``missing="zero"`` (a rate without a denominator, or a weighted target the group was not
given, scores 0). Under ``missing="reweight"`` (default) those items leave the sum and ``k`` = total weight /
weight of the items present, so that a small team with no negotiations this month is neither punished nor
rewarded for it, and every group is scored out of the same maximum.

Defaults (`ScoringScheme`) — this project's own, to be set per district: the seed's three rates, assessed
"together", carry 65 of 100 points (signing 20, landing 25, and the seed's 贡献率 20, split between what the
seed's definition computes, 达效率 10, and the statistical 贡献率 10), the sourced follow-up rates 25
(funds in place 10, start 10, completion 5) and the seed's two targets 10 (``top500`` landed ≥ 10 enterprises
of the four top-500 lists, ``outside_province_funds`` ≥ 105 亿元). Completions and rates are capped at 1.2 (over-
performance counts, up to 20 %). Each project past its promised start (超时限未开工) costs 2 points, each
falsified record 10 (a falsified record is worse than a late one); the score does not go below 0.

A group with nothing to assess (no rate with a denominator, no weighted target, no deduction) is **未参评**:
it gets no score and no rank (``rank`` None, listed after the ranked ones), never a 0 that ranks it last.

Ranks are 1..n without gaps; equal scores (to 1e-9) are broken by the smaller total deduction, then by the
group's key, so a ranking never depends on input order. `rank_change` compares two snapshots: positive = moved up.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from zhaoshang.analytics.rates.engine import RATE_LABELS, Rate

__all__ = ["DEFAULT_SCHEME", "GroupScore", "ScoringScheme", "Target", "rank_change", "score_groups"]


class Target(NamedTuple):
    actual: float
    target: float


def _default_rate_weights() -> dict[str, float]:
    return {
        "signing": 20.0,
        "landing": 25.0,
        "attainment": 10.0,
        "contribution": 10.0,
        "funds_in_place": 10.0,
        "start": 10.0,
        "completion": 5.0,
        # 投资完成率 (发改) is shown beside the rates; a district that scores it gives it a weight.
        "investment_completion": 0.0,
    }


def _default_target_weights() -> dict[str, float]:
    return {"top500": 5.0, "outside_province_funds": 5.0}


TARGET_LABELS = {"top500": "四类 500 强企业落地", "outside_province_funds": "省外到位资金"}


@dataclass(frozen=True)
class ScoringScheme:
    rate_weights: Mapping[str, float] = field(default_factory=_default_rate_weights)
    target_weights: Mapping[str, float] = field(default_factory=_default_target_weights)
    rate_cap: float = 1.2
    target_cap: float = 1.2
    overdue_deduction: float = 2.0  # points per project past its promised start
    falsified_deduction: float = 10.0  # points per falsified record
    floor: float = 0.0
    missing: Literal["reweight", "zero"] = "reweight"

    def __post_init__(self) -> None:
        weights = [*self.rate_weights.values(), *self.target_weights.values()]
        if any(w < 0 for w in weights) or self.rate_cap <= 0 or self.target_cap <= 0:
            raise ValueError("weights must be ≥ 0 and caps > 0")
        if self.overdue_deduction < 0 or self.falsified_deduction < 0:
            raise ValueError("deductions must be ≥ 0")


DEFAULT_SCHEME = ScoringScheme()


@dataclass(frozen=True)
class GroupScore:
    group: str
    score: float
    terms: dict[str, float]  # "rate:<name>", "target:<name>", "deduction:overdue", "deduction:falsified"
    rank: int | None  # None: 未参评 (nothing to assess)
    explain: str

    @property
    def assessed(self) -> bool:
        return self.rank is not None


def _value(rate: Rate | float | None) -> float | None:
    return rate.value if isinstance(rate, Rate) else rate


def _count(x: int | Collection[str]) -> int:
    return x if isinstance(x, int) else len(x)


def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _score_one(
    rates: Mapping[str, Rate | float | None],
    targets: Mapping[str, Target | tuple[float, float]],
    overdue: int,
    falsified: int,
    scheme: ScoringScheme,
) -> tuple[float, float, dict[str, float], list[str], bool]:
    items: list[tuple[str, str, float, float]] = []  # (term key, label, weight, capped value or NaN)
    for name, weight in scheme.rate_weights.items():
        value = _value(rates.get(name))
        capped = math.nan if value is None else min(max(value, 0.0), scheme.rate_cap)
        items.append((f"rate:{name}", RATE_LABELS.get(name, name), weight, capped))
    for name, weight in scheme.target_weights.items():
        pair = targets.get(name)
        if pair is None or pair[1] <= 0:
            capped = math.nan
        else:
            capped = min(max(pair[0] / pair[1], 0.0), scheme.target_cap)
        items.append((f"target:{name}", TARGET_LABELS.get(name, name) + "完成率", weight, capped))
    total_weight = sum(w for _k, _l, w, _v in items)
    present_weight = sum(w for _k, _l, w, v in items if not math.isnan(v))
    k = 1.0
    if scheme.missing == "reweight" and present_weight > 0:
        k = total_weight / present_weight
    terms: dict[str, float] = {}
    parts: list[str] = []
    for key, label, weight, value in items:
        if math.isnan(value):
            terms[key] = 0.0
            parts.append(f"{label} 无数据（{'按权重折算' if scheme.missing == 'reweight' else '计 0'}）")
            continue
        terms[key] = k * weight * value
        parts.append(f"{label} {value:.1%}×{_fmt(weight)}" + (f"×{k:.3f}" if k != 1.0 else ""))
    terms["deduction:overdue"] = -overdue * scheme.overdue_deduction
    terms["deduction:falsified"] = -falsified * scheme.falsified_deduction
    if overdue:
        parts.append(f"− 超时限未开工 {overdue} 个×{_fmt(scheme.overdue_deduction)}")
    if falsified:
        parts.append(f"− 弄虚作假 {falsified} 条×{_fmt(scheme.falsified_deduction)}")
    raw = sum(terms.values())
    deductions = overdue * scheme.overdue_deduction + falsified * scheme.falsified_deduction
    assessed = any(not math.isnan(v) for _k, _l, _w, v in items) or overdue > 0 or falsified > 0
    return max(scheme.floor, raw), deductions, terms, parts, assessed


def score_groups(
    rates_by_group: Mapping[str, Mapping[str, Rate | float | None]],
    targets_by_group: Mapping[str, Mapping[str, Target | tuple[float, float]]] | None = None,
    overdue_by_group: Mapping[str, int | Collection[str]] | None = None,
    falsified_by_group: Mapping[str, int | Collection[str]] | None = None,
    scheme: ScoringScheme = DEFAULT_SCHEME,
) -> list[GroupScore]:
    """Score and rank every group named in any of the inputs, best first. Rates may be `Rate` objects or plain
    values; overdue and falsified may be counts or the keys of the projects/records (their number counts)."""
    targets_by_group = targets_by_group or {}
    overdue_by_group = overdue_by_group or {}
    falsified_by_group = falsified_by_group or {}
    groups = set(rates_by_group) | set(targets_by_group) | set(overdue_by_group) | set(falsified_by_group)
    scored = []
    unassessed = []
    for group in groups:
        score, deductions, terms, parts, assessed = _score_one(
            rates_by_group.get(group, {}),
            targets_by_group.get(group, {}),
            _count(overdue_by_group.get(group, 0)),
            _count(falsified_by_group.get(group, 0)),
            scheme,
        )
        if not assessed:
            unassessed.append(GroupScore(group, 0.0, terms, None, f"{group}：未参评（本期没有可考核的数据）"))
            continue
        scored.append((round(score, 9), deductions, group, score, terms, parts))
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    result = []
    for rank, (_r, _d, group, score, terms, parts) in enumerate(scored, start=1):
        floor_note = (
            f"（不低于 {_fmt(scheme.floor)}）"
            if score == scheme.floor and sum(terms.values()) < score
            else ""
        )
        explain = (
            f"{group}：得分 {score:.2f}{floor_note} = "
            + " ".join(p if p.startswith("−") else "+ " + p for p in parts).removeprefix("+ ")
            + f"；第 {rank} 名"
        )
        result.append(GroupScore(group, score, terms, rank, explain))
    return result + sorted(unassessed, key=lambda s: s.group)


def _ranks(snapshot: Sequence[GroupScore] | Mapping[str, int]) -> Mapping[str, int]:
    if isinstance(snapshot, Mapping):
        return snapshot
    return {s.group: s.rank for s in snapshot if s.rank is not None}


def rank_change(
    current: Sequence[GroupScore] | Mapping[str, int], previous: Sequence[GroupScore] | Mapping[str, int]
) -> dict[str, int | None]:
    """Per group of ``current``: previous rank − current rank (3 = up three places), None when the group was not
    ranked last time. Snapshots may be score lists or stored {group: rank} maps."""
    now, before = _ranks(current), _ranks(previous)
    return {g: (before[g] - r if g in before else None) for g, r in sorted(now.items(), key=lambda kv: kv[1])}

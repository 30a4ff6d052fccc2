"""Assessment scores: hand-computed scores, missing data, caps, deductions, ties, rank changes, monotonicity."""

from __future__ import annotations

from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoshang.analytics.rates.engine import RATE_NAMES, Rate
from zhaoshang.analytics.rates.scores import (
    DEFAULT_SCHEME,
    GroupScore,
    ScoringScheme,
    Target,
    rank_change,
    score_groups,
)

TWO = {"signing": 50.0, "landing": 50.0}


def by_group(scores: list[GroupScore]) -> dict[str, GroupScore]:
    return {s.group: s for s in scores}


def test_default_scheme_totals_100() -> None:
    total = sum(DEFAULT_SCHEME.rate_weights.values()) + sum(DEFAULT_SCHEME.target_weights.values())
    assert total == 100
    assert set(DEFAULT_SCHEME.rate_weights) == set(RATE_NAMES)
    perfect = {name: 1.0 for name in RATE_NAMES}
    targets = {"top500": Target(10, 10), "outside_province_funds": Target(1_050_000, 1_050_000)}
    assert score_groups({"g": perfect}, {"g": targets})[0].score == pytest.approx(100)


def test_hand_computed_with_zero_for_missing() -> None:
    scheme = ScoringScheme(rate_weights=TWO, target_weights={}, missing="zero")
    rate = Rate(1, 2, 0.5, ["p1"], ["p1", "p2"], "")
    scores = by_group(
        score_groups(
            {"a": {"signing": rate, "landing": 1.0}, "b": {"signing": 1.5, "landing": None}},
            overdue_by_group={"a": ["p7", "p9"]},
            scheme=scheme,
        )
    )
    a, b = scores["a"], scores["b"]
    assert a.score == pytest.approx(0.5 * 50 + 50 - 2 * 2)  # 71
    assert a.terms == {
        "rate:signing": 25,
        "rate:landing": 50,
        "deduction:overdue": -4,
        "deduction:falsified": 0,
    }
    assert b.score == pytest.approx(1.2 * 50)  # capped at 1.2; the missing landing rate scores 0
    assert (a.rank, b.rank) == (1, 2)
    assert "超时限未开工 2 个" in a.explain and "第 1 名" in a.explain
    assert "无数据" in b.explain


def test_reweighting_missing_items() -> None:
    scheme = ScoringScheme(rate_weights=TWO, target_weights={"top500": 20.0})
    # Landing and the target missing: signing 0.6 × 50 scaled by 120 / 50.
    s = score_groups({"a": {"signing": 0.6, "landing": None}}, scheme=scheme)[0]
    assert s.score == pytest.approx(0.6 * 50 * 120 / 50)
    assert sum(s.terms.values()) == pytest.approx(s.score)
    # Nothing present at all scores 0, not a division by zero.
    assert score_groups({"a": {}}, scheme=scheme)[0].score == 0


def test_target_completion_capped_and_zero_target_missing() -> None:
    scheme = ScoringScheme(rate_weights={}, target_weights={"top500": 10.0}, missing="zero")
    scores = by_group(
        score_groups(
            {},
            {"a": {"top500": Target(15, 10)}, "b": {"top500": (6, 10)}, "c": {"top500": Target(3, 0)}},
            scheme=scheme,
        )
    )
    assert scores["a"].score == pytest.approx(12)
    assert scores["b"].score == pytest.approx(6)
    assert scores["c"].score == 0
    assert ScoringScheme(target_cap=1.5, rate_weights={}, target_weights={"top500": 10.0}).target_cap == 1.5


def test_falsified_and_floor() -> None:
    scheme = ScoringScheme(rate_weights=TWO, target_weights={}, floor=5.0)
    scores = by_group(
        score_groups(
            {"a": {"signing": 0.2, "landing": 0.2}, "b": {"signing": 0.2, "landing": 0.2}},
            falsified_by_group={"a": 3},
            scheme=scheme,
        )
    )
    assert scores["a"].score == 5.0  # 20 − 30 → floor
    assert scores["a"].terms["deduction:falsified"] == -30
    assert "弄虚作假 3 条" in scores["a"].explain and "不低于 5" in scores["a"].explain
    assert scores["b"].score == pytest.approx(20)


def test_ties_broken_by_deductions_then_key() -> None:
    scheme = ScoringScheme(rate_weights=TWO, target_weights={}, overdue_deduction=10)
    rates = {
        "z": {"signing": 0.5, "landing": 0.5},
        "m": {"signing": 0.7, "landing": 0.5},
        "a": {"signing": 0.5},
    }
    rates["a"]["landing"] = 0.5
    # m: 60 − 10 = 50; z and a: 50 without deductions → ahead of m, a before z by key.
    scores = score_groups(rates, overdue_by_group={"m": 1}, scheme=scheme)
    assert [(s.group, s.rank) for s in scores] == [("a", 1), ("z", 2), ("m", 3)]
    shuffled = score_groups(dict(reversed(list(rates.items()))), overdue_by_group={"m": 1}, scheme=scheme)
    assert shuffled == scores


def test_groups_only_in_deductions_are_ranked() -> None:
    scores = score_groups({"a": {"signing": 1.0}}, overdue_by_group={"b": 1})
    assert [s.group for s in scores] == ["a", "b"]


def test_rank_change() -> None:
    scheme = ScoringScheme(rate_weights={"signing": 1.0}, target_weights={})
    now = score_groups({"a": {"signing": 0.9}, "b": {"signing": 0.5}, "c": {"signing": 0.1}}, scheme=scheme)
    before = {"b": 1, "a": 2}
    assert rank_change(now, before) == {"a": 1, "b": -1, "c": None}
    assert rank_change(now, now) == {"a": 0, "b": 0, "c": 0}


def test_scheme_validation() -> None:
    with pytest.raises(ValueError):
        ScoringScheme(rate_weights={"signing": -1.0})
    with pytest.raises(ValueError):
        ScoringScheme(overdue_deduction=-1)


# --- properties -------------------------------------------------------------------------------------------

values = st.one_of(st.none(), st.floats(min_value=0, max_value=2))
rate_maps = st.fixed_dictionaries({name: values for name in RATE_NAMES})
weight = st.one_of(st.just(0.0), st.floats(min_value=0.01, max_value=50))
weights = st.fixed_dictionaries({name: weight for name in RATE_NAMES})


@settings(max_examples=200, deadline=None)
@given(
    rate_maps,
    weights,
    st.sampled_from(RATE_NAMES),
    st.floats(min_value=0, max_value=2),
    st.floats(min_value=0, max_value=1),
    st.sampled_from(["zero", "reweight"]),
    st.integers(0, 5),
    st.integers(0, 2),
)
def test_score_monotone_in_each_rate(
    rates: dict[str, float | None],
    rate_weights: dict[str, float],
    name: str,
    low: float,
    step: float,
    missing: Literal["zero", "reweight"],
    overdue: int,
    falsified: int,
) -> None:
    scheme = ScoringScheme(rate_weights=rate_weights, missing=missing)
    targets = {"top500": Target(4, 10)}

    def score(value: float) -> float:
        scores = score_groups(
            {"g": {**rates, name: value}}, {"g": targets}, {"g": overdue}, {"g": falsified}, scheme
        )
        return scores[0].score

    assert score(low + step) >= score(low) - 1e-9
    if rate_weights[name] > 0 and low + step <= scheme.rate_cap and step > 1e-3 and overdue + falsified == 0:
        assert score(low + step) > score(low)


def test_a_group_without_data_is_not_ranked() -> None:
    scores = score_groups({"a": {"signing": 0.5}, "b": {"signing": None, "landing": None}})
    assert [(s.group, s.rank) for s in scores] == [("a", 1), ("b", None)]
    assert not scores[1].assessed and "未参评" in scores[1].explain
    # A deduction is data: a group with only a late project is assessed (and ranked).
    assert score_groups({"c": {}}, overdue_by_group={"c": 1})[0].rank == 1


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=3), rate_maps, max_size=8))
def test_ranks_are_a_permutation_ordered_by_score(groups: dict[str, dict[str, float | None]]) -> None:
    scores = score_groups(groups)
    ranked = [s for s in scores if s.rank is not None]
    assert sorted(s.rank for s in ranked) == list(range(1, len(ranked) + 1))
    assert scores[: len(ranked)] == ranked  # the 未参评 come after the ranked
    # 未参评 exactly when nothing could be assessed: never ranked at 0.
    for s in scores:
        assert (s.rank is None) == all(v is None for v in groups[s.group].values())
    assert all(a.score >= b.score - 1e-9 for a, b in zip(ranked, ranked[1:], strict=False))
    assert all(s.score >= DEFAULT_SCHEME.floor for s in scores)

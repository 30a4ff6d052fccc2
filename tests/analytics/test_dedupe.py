"""The pure project-name matcher: official versus short names, phases, investors, codes, and its speed."""

from __future__ import annotations

import random
import time

import pytest

from zhaoshang.analytics.dedupe import NameIndex, dice, normalise

UNIT_A = "91370300MA3C12345X"
UNIT_B = "91370305MA3D54321Y"


@pytest.mark.parametrize(
    ("name", "core", "phase"),
    [
        ("中国石化齐鲁石化鲁油鲁炼转型升级技术改造项目", "鲁油鲁炼转型升级", None),
        ("鲁油鲁炼转型升级项目", "鲁油鲁炼转型升级", None),
        ("淄博华光陶瓷有限公司年产100万件日用陶瓷项目（一期）", "日用陶瓷", 1),
        ("山东某某集团新材料产业园二期工程", "新材料产业园", 2),
        ("ＡＢＣ新材料（二期）项目", "abc新材料", 2),
        ("万华化学集团股份有限公司淄博分公司 聚氨酯 3 期", "聚氨酯", 3),
        ("项目", "项目", None),  # nothing but a generic word: kept whole, never empty
    ],
)
def test_normalise_drops_owners_generic_words_and_the_phase(name: str, core: str, phase: int | None) -> None:
    got = normalise(name)
    assert (got.core, got.phase) == (core, phase)


def test_place_prefixes_are_dropped_only_when_given() -> None:
    assert normalise("淄博市临淄区智慧物流园项目", prefixes=("淄博市", "临淄区")).core == "智慧物流园"
    assert normalise("淄博市临淄区智慧物流园项目").core == "淄博市临淄区智慧物流园"


def test_official_and_short_names_are_the_same_project() -> None:
    index = NameIndex()
    index.add(1, group="linzi", name="中国石化齐鲁石化鲁油鲁炼转型升级技术改造项目")
    index.add(2, group="linzi", name="齐鲁石化乙烯装置检修项目")
    (hit,) = index.matches(group="linzi", name="鲁油鲁炼转型升级项目")
    assert (hit.key, hit.kind, hit.probable) == (1, "contained", True)
    # Another district's books are not searched by name.
    assert index.matches(group="huantai", name="鲁油鲁炼转型升级项目") == []


def test_a_short_name_inside_a_much_longer_one_is_only_possible() -> None:
    index = NameIndex()
    index.add(1, group=1, name="高端聚烯烃新材料及配套储运设施一体化产业园项目")
    (hit,) = index.matches(group=1, name="聚烯烃新材料")
    assert (hit.kind, hit.probable) == ("contained", False)
    # Three characters are not enough to say anything.
    assert index.matches(group=1, name="聚烯烃") == []


def test_phases_one_and_two_are_different_projects_but_no_phase_matches_either() -> None:
    index = NameIndex()
    index.add("one", group=1, name="天辰尼龙新材料一期项目")
    assert index.matches(group=1, name="天辰尼龙新材料二期项目") == []
    assert index.matches(group=1, name="天辰尼龙新材料（Ⅱ期）") == []
    assert [h.key for h in index.matches(group=1, name="天辰尼龙新材料项目")] == ["one"]
    assert [h.key for h in index.matches(group=1, name="天辰尼龙新材料（1期）")] == ["one"]
    # A later phase against a name without one: only possibly the same project; the same phase: probably.
    index.add("two", group=1, name="智能工厂二期")
    (hit,) = index.matches(group=1, name="智能工厂项目")
    assert (hit.key, hit.probable) == ("two", False)
    (hit,) = index.matches(group=1, name="智能工厂（二期）项目")
    assert (hit.key, hit.probable) == ("two", True)
    # A figure is not split: 产业化(1) is not inside 产业化(11).
    index.add("eleven", group=1, name="工业机器人整机产业化项目(11)")
    assert index.matches(group=1, name="工业机器人整机产业化项目(1)") == []


def test_different_figures_are_different_projects() -> None:
    index = NameIndex()
    index.add(1, group=1, name="年产10万吨高性能树脂项目")
    assert index.matches(group=1, name="年产20万吨高性能树脂项目") == []
    (hit,) = index.matches(group=1, name="年产10万吨高性能树脂项目")
    assert hit.probable and hit.score == 1.0
    # The capacity is compared by its figure, not as words: 己二腈 and 己二胺 are two products.
    index.add(2, group=1, name="年产5万吨己二腈项目")
    assert index.matches(group=1, name="年产5万吨己二胺项目") == []
    # A name without the capacity may be either.
    assert [h.key for h in index.matches(group=1, name="己二腈项目")] == [2]


def test_near_same_names_by_score() -> None:
    index = NameIndex()
    index.add(1, group=1, name="新一代智能装备制造产业基地")
    (hit,) = index.matches(group=1, name="新一代智能装备制造业基地")
    assert hit.kind == "similar" and hit.probable and hit.score >= 0.85
    # One character apart in a short name: alike, but only possibly the same project.
    index.add(2, group=1, name="绿色智能铸造产业园")
    (hit,) = index.matches(group=1, name="绿色智能铸锻产业园")
    assert (hit.key, hit.kind, hit.probable) == (2, "similar", False)
    assert index.matches(group=1, name="生物医药研发中心") == []


def test_the_same_investor_alone_is_possible_with_a_similar_name_probable() -> None:
    index = NameIndex()
    index.add(1, group=1, name="高端精密轴承生产线", uscc=UNIT_A)
    (alone,) = index.matches(group=1, name="物流仓储中心", uscc=UNIT_A)
    assert (alone.kind, alone.probable) == ("uscc", False)
    (near,) = index.matches(group=1, name="精密轴承生产线改扩建", uscc=UNIT_A.lower())
    assert (near.kind, near.probable) == ("uscc", True)
    # Without the investor the same pair is similar, but less so: possible.
    (plain,) = index.matches(group=1, name="精密轴承生产线改扩建", uscc=UNIT_B)
    assert (plain.kind, plain.probable) == ("similar", False)
    # Another phase of the same investor is still listed, as possible.
    index.add(2, group=1, name="智能工厂一期", uscc=UNIT_B)
    (phase,) = index.matches(group=1, name="智能工厂二期", uscc=UNIT_B)
    assert (phase.key, phase.kind, phase.probable) == (2, "uscc", False)


def test_a_code_matches_across_groups_and_comes_first() -> None:
    index = NameIndex()
    index.add(1, group=1, name="甲项目", code="2024-370305-26-03-012345")
    index.add(2, group=2, name="完全另一个名称的项目")
    hits = index.matches(group=2, name="完全另一个名称的项目", code=" 2024-370305-26-03-012345 ")
    assert [(h.key, h.kind, h.probable) for h in hits] == [(1, "code", True), (2, "contained", True)]


def test_exclude_leaves_the_record_itself_out() -> None:
    index = NameIndex()
    index.add(7, group=1, name="氢能装备产业园")
    assert index.matches(group=1, name="氢能装备产业园", exclude=[7]) == []


def test_dice() -> None:
    assert dice("abcd", "abcd") == 1.0
    assert dice("abcd", "wxyz") == 0.0
    assert dice("", "abcd") == 0.0


PARTS = list("新材料装备智能制造高端化工医药物流产业园基地中心精细电子信息汽车零部件氢能储能光伏纺织陶瓷")


def _names(rng: random.Random, n: int) -> list[str]:
    return [
        "".join(rng.choice(PARTS) for _ in range(rng.randint(6, 12))) + rng.choice(["项目", "工程", ""])
        for _ in range(n)
    ]


def test_matching_is_by_index_not_by_scan() -> None:
    """1,000 rows against 6,000 stored names well under a second; the same answers as checking every pair."""
    rng = random.Random(14)
    stored, rows = _names(rng, 6_000), _names(rng, 1_000)
    rows[:50] = [stored[i] + "二期" for i in range(50)]  # some real matches (a phase on one side only)
    index = NameIndex()
    for i, name in enumerate(stored):
        index.add(i, group=1, name=name)
    start = time.perf_counter()
    found = [index.matches(group=1, name=name) for name in rows]
    elapsed = time.perf_counter() - start
    assert elapsed < 3.0, elapsed  # the difflib loop it replaces took minutes (bench/duplicates.py)
    assert all(any(h.key == i for h in found[i]) for i in range(50))
    # The prefix filter loses nothing: every pair at or above the threshold, found by brute force, is found.
    cores = [normalise(name) for name in stored]
    for row, hits in list(zip(rows, found, strict=True))[50:150]:
        mine = normalise(row)
        brute = {
            i
            for i, other in enumerate(cores)
            if dice(mine.core, other.core) >= index.possible
            and other.numbers == mine.numbers
            and (mine.phase is None or other.phase is None or mine.phase == other.phase)
        }
        assert brute <= {h.key for h in hits}


def test_owners_named_apart_make_alike_names_only_possible() -> None:
    index = NameIndex()
    index.add(1, group=1, name="东岳集团氢能装备产业园项目")
    (hit,) = index.matches(group=1, name="中国石化氢能装备产业园")
    assert (hit.kind, hit.probable) == ("contained", False)
    # One group under two of its brands is one owner: 齐鲁石化 is 中国石化's.
    (hit,) = index.matches(group=1, name="东岳集团有限公司氢能装备产业园")
    assert hit.probable
    index.add(2, group=1, name="齐鲁石化乙烯装置技术改造项目")
    (hit,) = index.matches(group=1, name="中国石化乙烯装置技术改造")
    assert (hit.key, hit.probable) == (2, True)

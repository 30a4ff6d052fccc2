"""Duplicate check: matching 1,000 new rows against 6,000 stored project names, the index against the old loop.

    .venv/bin/python bench/duplicates.py [--stored 6000] [--rows 1000] [--loop-sample 100] [--seed 14]

The names are synthetic but shaped like a county's books: an owner (a group or a company, or none), a place
(or none), often a figure (年产N万吨), a product, a kind of works (产业园, 生产线 …), a generic ending (项目,
工程, 技术改造项目) and sometimes a phase. A tenth of the new rows are stored names written another way: the
short name of an official one, another ending, full-width brackets around the phase.

- **index**: ``analytics.dedupe.NameIndex`` — loading the stored names, then ``matches`` for every row;
- **loop**: what ``projects.services.project_duplicates`` did before (difflib ``SequenceMatcher.ratio`` ≥ 0.85 of
  the crudely cleaned names, every stored name for every row), timed on ``--loop-sample`` rows and scaled to all
  rows (it is linear in the rows); it is also asked how many of the rewritten rows it finds.

Prints one line per method and the ratio. No database: the cost of loading the names (one query) is not here.
"""

from __future__ import annotations

import argparse
import difflib
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from zhaoshang.analytics.dedupe import NameIndex  # noqa: E402

OWNERS = [
    "中国石化",
    "齐鲁石化",
    "山东能源",
    "万华化学集团股份有限公司",
    "淄博鑫泰石化有限公司",
    "东岳集团",
    "",
]
PLACES = ["淄博", "临淄", "齐鲁化工区", "桓台", "", "", ""]
PRODUCTS = [
    "聚烯烃",
    "尼龙66",
    "己二腈",
    "高性能树脂",
    "碳纤维",
    "锂电池隔膜",
    "电解液",
    "氢燃料电池",
    "光伏组件",
    "陶瓷基复合材料",
    "医药中间体",
    "精细化学品",
    "特种橡胶",
    "聚氨酯",
    "乙烯",
    "丙烯酸",
    "新能源汽车零部件",
    "智能装备",
    "工业机器人",
    "半导体材料",
    "生物降解塑料",
    "环氧树脂",
    "有机硅",
    "氟化工",
    "储能电站",
]
WORKS = [
    "产业园",
    "生产线",
    "生产装置",
    "基地",
    "一体化",
    "研发中心",
    "技术升级",
    "扩能",
    "综合利用",
    "转型升级",
]
ENDINGS = ["项目", "工程", "技术改造项目", "建设项目", ""]
PHASES = ["", "", "", "一期", "二期"]


BRAND = "天辰鑫泰金诚华齐鲁宏信海正恒远博汇润丰瑞达新星宇晨峰源盛昌隆德凯明建安利通泽广元"


def name(rng: random.Random) -> str:
    """A project name: most carry a word of their own (a brand: 天辰, 鑫泰), as real ones do."""
    figure = f"年产{rng.choice([5, 10, 20, 30, 50, 100])}万吨" if rng.random() < 0.4 else ""
    brand = "".join(rng.sample(BRAND, 2)) if rng.random() < 0.9 else ""
    words = rng.sample(PRODUCTS, rng.choice([1, 1, 2]))
    return "".join(
        [
            rng.choice(OWNERS),
            rng.choice(PLACES),
            brand,
            figure,
            *words,
            rng.choice(WORKS),
            rng.choice(ENDINGS),
        ]
    ) + rng.choice(PHASES)


def rewritten(stored: str, rng: random.Random) -> str:
    """The same project as another book writes it."""
    text = stored
    for owner in OWNERS:
        if owner and text.startswith(owner):
            text = text[len(owner) :]
    for ending in ("技术改造项目", "建设项目", "项目", "工程"):
        text = text.replace(ending, "")
    if text.endswith("期"):
        text = text[:-2] + "（" + text[-2:] + "）"
    return text + rng.choice(["项目", "工程", ""])


def _normal(name: str) -> str:  # the old loop's cleaning (projects/services.py before this change)
    for noise in ("项目", "有限公司", "股份", "(", ")", "\uff08", "\uff09", " "):
        name = name.replace(noise, "")
    return name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stored", type=int, default=6_000)
    parser.add_argument("--rows", type=int, default=1_000)
    parser.add_argument("--loop-sample", type=int, default=100)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    stored = [name(rng) for _ in range(args.stored)]
    same = args.rows // 10
    rows = [rewritten(stored[i], rng) for i in range(same)] + [name(rng) for _ in range(args.rows - same)]

    start, cpu = time.perf_counter(), time.process_time()
    index = NameIndex()
    for i, text in enumerate(stored):
        index.add(i, group=1, name=text)
    loaded = time.perf_counter() - start
    found = [index.matches(group=1, name=text) for text in rows]
    indexed, indexed_cpu = time.perf_counter() - start, time.process_time() - cpu
    recall = sum(any(h.key == i for h in found[i]) for i in range(same)) / same
    probable = sum(any(h.probable for h in hits) for hits in found[same:]) / (args.rows - same)

    sample = rows[: min(args.loop_sample, len(rows))]
    start, cpu = time.perf_counter(), time.process_time()
    cleaned = [_normal(s) for s in stored]
    loop_hits = []
    for text in sample:
        mine = _normal(text)
        loop_hits.append(
            {i for i, c in enumerate(cleaned) if difflib.SequenceMatcher(None, mine, c).ratio() >= 0.85}
        )
    scale = len(rows) / len(sample)
    loop, loop_cpu = (time.perf_counter() - start) * scale, (time.process_time() - cpu) * scale
    loop_recall = sum(i in loop_hits[i] for i in range(min(same, len(sample)))) / min(same, len(sample))

    print(f"stored {args.stored:,} names, {args.rows:,} new rows ({same:,} of them stored names rewritten)")
    print(
        f"index: {indexed:.2f} s, CPU {indexed_cpu:.2f} s ({loaded:.2f} s loading), {args.rows / indexed:,.0f} rows/s; "
        f"rewritten names found {recall:.0%}; other rows with a probable match {probable:.1%}"
    )
    print(
        f"loop:  {loop:.1f} s, CPU {loop_cpu:.1f} s (timed on {len(sample)} rows, scaled), "
        f"{args.rows / loop:,.1f} rows/s; "
        f"rewritten names found {loop_recall:.0%}"
    )
    print(f"ratio: index {loop / indexed:,.0f}x faster (CPU time {loop_cpu / indexed_cpu:,.0f}x)")


if __name__ == "__main__":
    main()

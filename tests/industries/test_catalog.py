"""The shipped GB/T 4754-2017 table, lookups and search."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from zhaoshang.standards import industries as module
from zhaoshang.standards.industries import IndustryCode, ancestors, industries, industry, search

SHARED = Path("/work/shared/data/gbt4754_2017.csv")
SHIPPED = Path(module.__file__).parent / "data" / "gbt4754_2017.csv"
WIDTH = {"section": 1, "division": 2, "group": 3, "class": 4}
ABOVE = {"division": "section", "group": "division", "class": "group"}


def test_table_is_shipped_inside_the_package() -> None:
    assert SHIPPED.is_file()
    if SHARED.is_file():
        assert SHIPPED.read_bytes() == SHARED.read_bytes()


def test_level_counts() -> None:
    assert Counter(item.level for item in industries().values()) == {
        "section": 20,
        "division": 97,
        "group": 473,
        "class": 1381,
    }


def test_structure_is_consistent() -> None:
    for code, item in industries().items():
        assert code == item.code and len(code) == WIDTH[item.level]
        if item.level == "section":
            assert item.parent is None and code.isalpha()
        else:
            parent = industry(item.parent or "")
            assert parent is not None and parent.level == ABOVE[item.level]
            assert parent.level == "section" or code.startswith(parent.code)


def test_lookup() -> None:
    assert industry("2511") == IndustryCode("2511", "原油加工及石油制品制造", "class", "251")
    assert industry("C") == IndustryCode("C", "制造业", "section", None)
    assert industry("0111") is not None and industry("0111").name == "稻谷种植"  # type: ignore[union-attr]
    assert industry("111") is not None and industry("111").level == "group"  # type: ignore[union-attr]
    assert industry("9999") is None
    assert industry("c") is None


def test_ancestors_run_from_section_and_exclude_the_code() -> None:
    assert [item.code for item in ancestors("2511")] == ["C", "25", "251"]
    assert [item.code for item in ancestors("0111")] == ["A", "01", "011"]
    assert [item.code for item in ancestors("25")] == ["C"]
    assert ancestors("C") == []
    assert ancestors("9999") == []


def test_search_by_code_prefix() -> None:
    results = search("25", limit=100)
    assert results[0].code == "25"
    assert all(item.code.startswith("25") for item in results)
    levels = [item.level for item in results[1:]]
    assert levels == sorted(levels, key=["class", "group", "division", "section"].index)
    assert search("2511")[0].code == "2511"
    assert search("c")[0].code == "C"


def test_search_by_name_puts_classes_first_on_ties() -> None:
    results = search("汽车", limit=50)
    assert results and all("汽车" in item.name for item in results)
    starting = [item for item in results if item.name.startswith("汽车")]
    assert starting == results[: len(starting)]
    levels = [item.level for item in starting]
    assert levels == sorted(levels, key=["class", "group", "division", "section"].index)


def test_search_exact_name_first() -> None:
    assert search("制造业")[0].code == "C"
    assert search("稻谷种植")[0].code == "0111"


@pytest.mark.parametrize("query", ["", "   ", "不存在的行业xyz"])
def test_search_finds_nothing(query: str) -> None:
    assert search(query) == []


def test_search_limit() -> None:
    assert len(search("制造")) == 20
    assert len(search("制造", limit=5)) == 5
    assert search("制造", limit=0) == []
    assert len(search("制造", limit=10_000)) > 100

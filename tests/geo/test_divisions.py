"""The shipped GB/T 2260 table and its lookups."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from zhaoshang.standards import divisions as module
from zhaoshang.standards.divisions import Division, children, division, divisions, path

SHARED = Path("/work/shared/data/adcodes_gbt2260.csv")
SHIPPED = Path(module.__file__).parent / "data" / "adcodes_gbt2260.csv"


def test_table_is_shipped_inside_the_package() -> None:
    assert SHIPPED.is_file()
    if SHARED.is_file():
        assert SHIPPED.read_bytes() == SHARED.read_bytes()


def test_every_row_is_loaded() -> None:
    with SHIPPED.open(encoding="utf-8", newline="") as table:
        codes = [row["code"] for row in csv.DictReader(table)]
    assert sorted(divisions()) == sorted(codes)
    assert Counter(item.level for item in divisions().values()) == {
        "province": 34,
        "city": 344,
        "county": 3133,
    }


def test_linzi() -> None:
    linzi = division("370305")
    assert linzi is not None
    assert (linzi.name, linzi.level, linzi.parent) == ("临淄区", "county", "370300")
    assert linzi.lng == pytest.approx(118.309118) and linzi.lat == pytest.approx(36.826981)


def test_unknown_code() -> None:
    assert division("370399") is None
    assert division("") is None
    assert children("370399") == []
    assert path("370399") == []


def test_missing_coordinates_are_none() -> None:
    placeholder = division("370301")
    assert placeholder is not None and placeholder.name == "市辖区"
    assert placeholder.lng is None and placeholder.lat is None


def test_path_runs_province_city_county() -> None:
    chain = path("370321")
    assert [(item.code, item.name) for item in chain] == [
        ("370000", "山东省"),
        ("370300", "淄博市"),
        ("370321", "桓台县"),
    ]
    assert [item.level for item in path("370300")] == ["province", "city"]
    assert [item.name for item in path("370000")] == ["山东省"]


def test_children_are_direct_and_ordered() -> None:
    zibo = children("370300")
    names = [item.name for item in zibo]
    assert {"张店区", "临淄区", "桓台县", "沂源县"} <= set(names)
    assert [item.code for item in zibo] == sorted(item.code for item in zibo)
    assert all(item.parent == "370300" and item.level == "county" for item in zibo)
    assert children("370305") == []
    assert "370300" in {item.code for item in children("370000")}


def test_structure_is_consistent() -> None:
    above = {"city": "province", "county": "city"}
    for item in divisions().values():
        assert len(item.code) == 6 and item.code.isdigit()
        if item.level == "province":
            assert item.parent is None and item.code.endswith("0000")
        else:
            parent = division(item.parent or "")
            assert parent is not None and parent.level == above[item.level]
            assert item.code[:2] == parent.code[:2]
        assert path(item.code)[0].level == "province"


def test_table_is_read_only_and_cached() -> None:
    table = divisions()
    assert table is divisions()
    with pytest.raises(TypeError):
        table["000000"] = Division("000000", "x", "county", None, None, None)  # type: ignore[index]
    result = children("370300")
    result.clear()
    assert children("370300")

"""The one bilingual error class: every pure core's error is a thin subclass that keeps both messages."""

from __future__ import annotations

import pickle

import pytest

from zhaoshang.analytics.chains.gaps import GapError
from zhaoshang.analytics.complexity.engine import ComplexityError
from zhaoshang.analytics.matching.model import MatchError
from zhaoshang.analytics.schedule.cpm import ScheduleError
from zhaoshang.geo.coords import CoordError
from zhaoshang.geo.geojson import GeometryError
from zhaoshang.sites.geometry import SiteGeometryError
from zhaoshang.sites.shapefile import ShapefileError
from zhaoshang.standards.errors import BilingualError, in_language
from zhaoshang.standards.parsers import ParseError

PLAIN = [ParseError, CoordError, GeometryError, SiteGeometryError, ShapefileError, ComplexityError, GapError]


@pytest.mark.parametrize("cls", PLAIN)
def test_each_error_is_a_bilingual_value_error(cls: type[BilingualError]) -> None:
    error = cls("中文", "English")
    assert isinstance(error, BilingualError) and isinstance(error, ValueError)
    assert (str(error), error.zh, error.en, error.args) == ("中文", "中文", "English", ("中文", "English"))
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), copy.zh, copy.en, str(copy)) == (cls, "中文", "English", "中文")


def test_extra_fields_survive_pickling_even_keyword_only_ones() -> None:
    match = pickle.loads(pickle.dumps(MatchError("面积", "area", "area")))
    assert (match.zh, match.en, match.field) == ("面积", "area", "area")
    schedule = pickle.loads(pickle.dumps(ScheduleError("环", "cycle", kind="cycle", steps=["a", "b", "a"])))
    assert (schedule.zh, schedule.kind, schedule.steps) == ("环", "cycle", ("a", "b", "a"))


def test_site_geometry_error_without_english_says_chinese_in_both() -> None:
    assert SiteGeometryError("坏").en == "坏"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (None, "中文"),
        ("", "中文"),
        ("zh-hans", "中文"),
        ("zh-CN", "中文"),
        ("en", "English"),
        ("en-us", "English"),
    ],
)
def test_message_picks_by_language(language: str | None, expected: str) -> None:
    assert BilingualError("中文", "English").message(language) == expected
    assert in_language("中文", "English", language) == expected

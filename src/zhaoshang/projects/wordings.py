"""The list wordings of officials' tables: 省重大项目(2025年), 市重大项目, 省市重大项目 (both), 省重大工程, 省重点 …
read as (list level, year, wording), and the project tier they imply (省… → 省重点, 市… → 市重点)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from import_export import widgets

from zhaoshang.core.importing.resource import blank_cell, clear_cell
from zhaoshang.core.widgets import ChoiceWidget, ListWidget
from zhaoshang.projects.models import ListLevel, Project
from zhaoshang.standards import parsers

_LEVEL_WORDS: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (re.compile(r"省市重大"), (ListLevel.PROVINCIAL_MAJOR, ListLevel.MUNICIPAL_MAJOR)),
    (re.compile(r"省市重点"), (ListLevel.PROVINCIAL_KEY, ListLevel.MUNICIPAL_KEY)),
    (re.compile(r"省重大工程|省级重大工程"), (ListLevel.PROVINCIAL_PROGRAMME,)),
    (re.compile(r"省重大|省级重大"), (ListLevel.PROVINCIAL_MAJOR,)),
    (re.compile(r"省重点|省级重点"), (ListLevel.PROVINCIAL_KEY,)),
    (re.compile(r"市重大|市级重大"), (ListLevel.MUNICIPAL_MAJOR,)),
    (re.compile(r"市重点|市级重点"), (ListLevel.MUNICIPAL_KEY,)),
    (re.compile(r"(?:区县|区|县|县区|区县级)重点"), (ListLevel.DISTRICT_KEY,)),
]
_WORDING_YEAR = re.compile(r"(20\d{2})\s*年?")
_NOT_LISTED = {"一般", "一般项目", "无", "否", "-", "—", "/"}
TIER_OF_LEVEL = {
    ListLevel.PROVINCIAL_MAJOR: Project.Tier.PROVINCIAL,
    ListLevel.PROVINCIAL_KEY: Project.Tier.PROVINCIAL,
    ListLevel.PROVINCIAL_PROGRAMME: Project.Tier.PROVINCIAL,
    ListLevel.MUNICIPAL_MAJOR: Project.Tier.MUNICIPAL,
    ListLevel.MUNICIPAL_KEY: Project.Tier.MUNICIPAL,
    ListLevel.DISTRICT_KEY: Project.Tier.DISTRICT,
}
_TIER_RANK = [Project.Tier.PROVINCIAL, Project.Tier.MUNICIPAL, Project.Tier.DISTRICT, Project.Tier.GENERAL]


def list_wordings(value: Any) -> list[tuple[str, int | None, str]]:
    """(level, year or None, the wording as written) for each list a cell names: "省重大项目(2025年)" →
    [(provincial_major, 2025, …)]; "省市重大项目" → both 省重大 and 市重大; ValueError for a wording of no list."""
    found: list[tuple[str, int | None, str]] = []
    for item in ListWidget().clean(value):
        text = parsers.normalise_text(item).replace(" ", "")
        if text in _NOT_LISTED:
            continue
        year_match = _WORDING_YEAR.search(text)
        year = int(year_match.group(1)) if year_match else None
        for pattern, levels in _LEVEL_WORDS:
            if pattern.search(text):
                found.extend((str(level), year, item.strip()) for level in levels)
                break
        else:
            allowed = "、".join(str(label) for _code, label in ListLevel.choices)
            raise ValueError(
                _("“%(value)s”不是已知的名单,可写:%(allowed)s") % {"value": item, "allowed": allowed}
            )
    return found


def tier_of(levels: list[str]) -> str | None:
    tiers = [TIER_OF_LEVEL[ListLevel(level)] for level in levels]
    return min(tiers, key=_TIER_RANK.index) if tiers else None


class TierWidget(ChoiceWidget):
    """项目层级: the tier's label, or a list wording that implies it (省重大项目 → 省重点, 市重大项目 → 市重点)."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            try:
                tier = tier_of([level for level, _year, _text in list_wordings(value)])
            except ValueError:
                tier = None
            if tier is None:
                raise
            return tier


class ListingWidget(widgets.Widget):
    """项目类别 / 名单: checked here (an unknown wording is the cell's error), written after the row is saved."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        return None if blank_cell(value) or clear_cell(value) else list_wordings(value)

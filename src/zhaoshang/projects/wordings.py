"""The list wordings of officials' tables: 省重大项目(2025年), 市重大项目, 省市重大项目 (both), 省重大工程, 省重点 …
read as (list level, year, wording), and the project tier they imply (省… → 省重点, 市… → 市重点); and the year
classes they carry (项目类别/建设类别: 新开工, 续建, 竣工, 预备, 储备), read as the table's claim for that year."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from import_export import widgets

from zhaoshang.core.importing.resource import blank_cell, clear_cell
from zhaoshang.core.widgets import ChoiceWidget, ListWidget
from zhaoshang.projects.models import ListLevel, Project, YearClass
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


# 项目类别/建设类别 as officials write them. 预备 and 储备 (not yet started, on the list to be prepared or kept in
# reserve) are the list's 准备 class: the class computed from the dates cannot tell them apart either.
_CLASS_WORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"新开工|新建开工"), YearClass.NEW_START),
    (re.compile(r"续建"), YearClass.CONTINUING),
    (re.compile(r"竣工|完工"), YearClass.COMPLETING),
    (re.compile(r"预备|储备|准备|前期"), YearClass.PREPARING),
]
_EMPTY_BRACKETS = re.compile(r"[(（\[【][)）\]】]")
_CLASS_LEFTOVER = re.compile(r"[()\[\]（）【】、,，;；/\s]|项目|类")


def year_class_of(value: Any) -> str | None:
    """新开工 → new_start, 续建 → continuing, 竣工 → completing, 预备/储备/准备 → preparing; None for a blank cell;
    ValueError naming the allowed wordings for anything else."""
    if blank_cell(value) or clear_cell(value):
        return None
    text = parsers.normalise_text(value).replace(" ", "")
    for pattern, code in _CLASS_WORDS:
        if pattern.search(text):
            return str(code)
    for code, label in YearClass.choices:
        if text in (code, str(label)):
            return str(code)
    raise ValueError(
        _("“%(value)s”不是年度类别,可写:新开工、续建、竣工、预备(储备)") % {"value": str(value).strip()}
    )


def split_class(value: Any) -> tuple[str, str | None]:
    """A 项目类别 cell that carries a year class beside its list, "省重大项目(续建)" or "续建": (the list part, the
    class or None). A cell of one class and no list gives ("", class)."""
    if blank_cell(value) or clear_cell(value):
        return "", None
    found: str | None = None
    kept = []
    for item in ListWidget().clean(value):
        text = parsers.normalise_text(item).replace(" ", "")
        for pattern, code in _CLASS_WORDS:
            if pattern.search(text):
                found = str(code)
                text = _EMPTY_BRACKETS.sub("", pattern.sub("", text))
                break
        else:
            kept.append(item.strip())  # no class in it: the wording as written (原表写法)
            continue
        if _CLASS_LEFTOVER.sub("", text) and not _WORDING_YEAR.fullmatch(_CLASS_LEFTOVER.sub("", text)):
            kept.append(text)
    return "、".join(kept), found


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
    """项目类别 / 名单: checked here (an unknown wording is the cell's error), written after the row is saved. A
    year class in the cell ("省重大项目(续建)") is left to ``split_class``."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if blank_cell(value) or clear_cell(value):
            return None
        lists, _year_class = split_class(value)
        return list_wordings(lists) if lists else []


class YearClassWidget(ChoiceWidget):
    """年度类别 / 建设类别: 新开工, 续建, 竣工, 预备 (储备) as the table's class for the year (blank: ""); exports
    the label. On a project row it is written on the row's lists of that year after the row is saved."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(YearClass.choices, "", **kwargs)

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if blank_cell(value) or clear_cell(value):
            return self.default
        try:
            return super().clean(value, row, **kwargs)  # a label in any language, or the stored code
        except ValueError:
            return year_class_of(value)

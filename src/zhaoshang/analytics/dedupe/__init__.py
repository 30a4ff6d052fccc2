"""Is this project already on the books? A pure matcher of project names, investor USCCs and 项目代码.

``normalise`` turns an official or a short project name into its *core* (width folded, brackets and punctuation
gone, owner prefixes such as "中国石化" or "XX有限公司" and generic words such as 项目/工程/技术改造 removed) and its
*phase* (一期, 二期 …: different phases are different projects). ``NameIndex`` holds stored names by group (a
district) with a bigram index, so that matching N rows against M stored names costs about N·k, not N·M."""

from zhaoshang.analytics.dedupe.index import Hit, Kind, NameIndex
from zhaoshang.analytics.dedupe.normalise import Normalised, dice, normalise

__all__ = ["Hit", "Kind", "NameIndex", "Normalised", "dice", "normalise"]

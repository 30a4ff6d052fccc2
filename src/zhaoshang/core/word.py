"""The one Word renderer of the reports (python-docx, offline): a title, a period, then sections of lines and tables.

Every report the application writes as Word (the half-monthly dispatch, the monthly assessment report) builds
``Section`` objects and hands them to ``sections_document``; the web page of a report shows the same sections.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

_NUMBER = re.compile(r"-?\d+(\.\d+)?")

BODY_FONT, HEADING_FONT, LATIN_FONT = "仿宋", "黑体", "Times New Roman"


@dataclass
class SectionTable:
    headers: list[str]
    rows: list[list[str]]
    links: list[int | None] = field(default_factory=list)  # project id of each row, for the page
    strong: list[bool] = field(default_factory=list)  # rows to highlight
    caption: str = ""
    key: str = ""  # "<section key>-<index>": how the page asks for more of its rows
    page: Any = None  # the rows the web page shows (a Django Page of `entries()`), set by the page

    def numeric_columns(self) -> list[int]:
        """Columns holding only numbers (right-aligned on the page)."""
        return [
            i
            for i in range(len(self.headers))
            if self.rows and all(_NUMBER.fullmatch(row[i]) or row[i] == "—" for row in self.rows)
        ]

    def entries(self) -> list[tuple[list[str], int | None, bool]]:
        """(cells, project id, highlighted) per row, for the page."""
        return [
            (
                row,
                self.links[i] if i < len(self.links) else None,
                bool(self.strong[i]) if i < len(self.strong) else False,
            )
            for i, row in enumerate(self.rows)
        ]


@dataclass
class Section:
    key: str
    heading: str
    lines: list[str] = field(default_factory=list)
    tables: list[SectionTable] = field(default_factory=list)


def _font(target: Any, east_asian: str, size: float | None = None, bold: bool | None = None) -> None:
    """Set the font of a run or style, East Asian glyphs included (w:eastAsia), overriding theme fonts."""
    # deferred: python-docx (and lxml) load only when a Word file is written
    from docx.oxml.ns import qn
    from docx.shared import Pt

    target.font.name = LATIN_FONT
    if size is not None:
        target.font.size = Pt(size)
    if bold is not None:
        target.font.bold = bold
    fonts = target._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def sections_document(title_text: str, subtitle: str, sections: Any) -> bytes:
    """Any report made of sections (heading, lines, tables) as a Word file in the style offices use."""
    # deferred: python-docx (and lxml) load only when a Word file is written
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = Document()
    _page_setup(document)
    _font(document.styles["Normal"], BODY_FONT, 14)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(title_text), HEADING_FONT, 20, bold=True)
    if subtitle:
        period = document.add_paragraph()
        period.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(period.add_run(subtitle), BODY_FONT, 14)
    for section in sections:
        heading = document.add_paragraph()
        _font(heading.add_run(section.heading), HEADING_FONT, 16)
        for line in section.lines:
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.first_line_indent = _pt(28)
            _font(paragraph.add_run(line), BODY_FONT, 14)
        for table_data in section.tables:
            if table_data.caption:
                _font(document.add_paragraph().add_run(table_data.caption), BODY_FONT, 14, bold=True)
            if not table_data.rows:
                _font(document.add_paragraph().add_run("无。"), BODY_FONT, 14)
                continue
            table = document.add_table(rows=1, cols=len(table_data.headers))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for cell, text in zip(table.rows[0].cells, table_data.headers, strict=True):
                _font(cell.paragraphs[0].add_run(text), HEADING_FONT, 10.5)
            for index, row in enumerate(table_data.rows):
                strong = index < len(table_data.strong) and table_data.strong[index]
                for cell, text in zip(table.add_row().cells, row, strict=True):
                    _font(cell.paragraphs[0].add_run(text), BODY_FONT, 10.5, bold=strong)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _page_setup(document: Any) -> None:
    """A4 with the margins of GB/T 9704-2012 (党政机关公文格式: 天头 37 mm, 订口 28 mm) and the page number
    centred in the footer as offices print it, "— 1 —" (python-docx starts from US Letter with no number)."""
    # deferred: python-docx (and lxml) load only when a Word file is written
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(footer.add_run("— "), "宋体", 14)
        field_run = footer.add_run()
        _font(field_run, "宋体", 14)
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
            if kind is not None:
                element = OxmlElement("w:fldChar")
                element.set(qn("w:fldCharType"), kind)
            elif text == " PAGE ":
                element = OxmlElement("w:instrText")
                element.set(qn("xml:space"), "preserve")
                element.text = text
            else:
                element = OxmlElement("w:t")
                element.text = text
            field_run._r.append(element)
        _font(footer.add_run(" —"), "宋体", 14)


def _pt(value: float) -> Any:
    from docx.shared import Pt  # deferred: python-docx loads only when a Word file is written

    return Pt(value)

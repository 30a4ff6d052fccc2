"""The Word renderer: A4 pages with official margins and a page number, whatever report it writes."""

from __future__ import annotations

import io

from docx import Document
from docx.shared import Mm

from zhaoshang.core.word import Section, SectionTable, sections_document


def test_reports_are_a4_with_page_numbers() -> None:
    data = sections_document(
        "临淄区项目调度报告",
        "2026年11月",
        [
            Section(
                "a",
                "一、总体情况",
                ["签约项目 3 个。"],
                [SectionTable(["项目", "总投资(亿元)"], [["甲", "13.00"]])],
            )
        ],
    )
    document = Document(io.BytesIO(data))
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(0.5)
    assert abs(section.top_margin - Mm(37)) < Mm(0.5) and abs(section.left_margin - Mm(28)) < Mm(0.5)
    footer_xml = section.footer.paragraphs[0]._p.xml
    assert 'w:fldCharType="begin"' in footer_xml and "PAGE" in footer_xml
    assert section.footer.paragraphs[0].text.startswith("— ") and section.footer.paragraphs[0].text.endswith(
        " —"
    )
    assert document.paragraphs[0].text == "临淄区项目调度报告"

"""Build the Word templates shipped in cchc_analysis/templates/: the letter (cong-van.docx), the semi-annual
report (bao-cao.docx) and the appendix (phu-luc.docx), in the layout of Nghị định 30/2020/NĐ-CP, Phụ lục I.

The templates are data: an office restyles them in Word (cchc init copies them into the workspace) and the
package fills them — the letter and the report with docxtpl (Jinja tags in the text), the appendix with
python-docx over the template's styles and page setup. Run once after changing the layout here:

    .venv/bin/python scripts/build_docx_templates.py
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

OUT = Path(__file__).resolve().parent.parent / "cchc_analysis" / "templates"
FONT = "Times New Roman"


def _page(doc) -> None:
    s = doc.sections[0]
    s.page_width, s.page_height = Mm(210), Mm(297)
    s.top_margin, s.bottom_margin, s.left_margin, s.right_margin = Mm(20), Mm(20), Mm(30), Mm(15)
    s.header_distance, s.footer_distance = Mm(10), Mm(10)
    s.different_first_page_header_footer = True  # no page number on the first page
    p = s.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(p, "PAGE")
    for run in p.runs:
        run.font.size = Pt(13)


def _field(paragraph, code: str) -> None:
    run = paragraph.add_run()
    begin, text, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    text.set(qn("xml:space"), "preserve")
    text.text = code
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(text)
    run._r.append(end)


def _styles(doc, body_pt: float = 14) -> None:
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(body_pt)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    pf = normal.paragraph_format
    pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(6), 1.1
    body = doc.styles.add_style("Body Text Letter", 1)
    body.base_style = normal
    body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    body.paragraph_format.first_line_indent = Mm(10)


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{edge}")
        e.set(qn("w:val"), "nil")
        borders.append(e)
    tbl_pr.append(borders)


def _line(
    cell_or_doc,
    text: str,
    size: float,
    bold=False,
    italic=False,
    underline=False,
    align="center",
    space_after: float = 0,
):
    p = cell_or_doc.add_paragraph()
    p.alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[align]
    p.paragraph_format.space_after = Pt(space_after)
    p.paragraph_format.first_line_indent = Mm(0)
    run = p.add_run(text)
    run.font.size, run.bold, run.italic, run.underline = Pt(size), bold, italic, underline
    return p


def _widths(table, *mm: float) -> None:
    for column, w in zip(table.columns, mm, strict=True):
        column.width = Mm(w)
        for cell in column.cells:
            cell.width = Mm(w)


def _keep_together(table) -> None:
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


# the elements a paragraph's properties hold after its borders, in the schema's order (Word refuses others)
_AFTER_BORDERS = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def _rule(cell, width_mm: float, cell_mm: float) -> None:
    """A drawn rule (a paragraph's bottom border, not typed characters) ``width_mm`` long, centred in its cell:
    under the issuer's name and under the national motto (Nghị định 30, Phụ lục I, mục II)."""
    _rule_paragraph(cell.add_paragraph(), width_mm, cell_mm)


def _rule_paragraph(p, width_mm: float, line_mm: float) -> None:
    pf = p.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    pf.left_indent = pf.right_indent = Mm((line_mm - width_mm) / 2)
    pf.first_line_indent = Mm(0)
    pf.line_spacing = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
        bottom.set(qn(f"w:{name}"), value)
    borders.append(bottom)
    p._p.get_or_add_pPr().insert_element_before(borders, *_AFTER_BORDERS)


def _header_block(doc, subject: bool) -> None:
    """Issuer and motto on the first row, each with its drawn rule; the number (and the subject) and the place
    and date on the second, so "Số:" and the date share a line (Nghị định 30, mẫu 1.1 and 1.4)."""
    t = doc.add_table(rows=2, cols=2)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    _no_borders(t)
    _widths(t, 62, 108)
    (left, right), (number, date) = t.rows[0].cells, t.rows[1].cells
    _line(left, "{{ heading.authority }}", 13, bold=True)
    _line(left, "{{ heading.issuer }}", 13, bold=True)
    _rule(left, 22, 62)
    _line(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, bold=True)
    _line(right, "Độc lập - Tự do - Hạnh phúc", 13.5, bold=True)
    _rule(right, 58, 108)
    _line(number, "{{ heading.number }}", 13).paragraph_format.space_before = Pt(6)
    if subject:
        _line(number, "{{ heading.subject }}", 12)
    _line(date, "{{ heading.place_date }}", 14, italic=True).paragraph_format.space_before = Pt(6)
    for cell in (left, right, number, date):
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)


def _signature_block(doc) -> None:
    doc.add_paragraph()
    t = doc.add_table(rows=1, cols=2)
    t.autofit = False
    _no_borders(t)
    _widths(t, 85, 80)
    _keep_together(t)
    left, right = t.rows[0].cells
    left.paragraphs[0].text = ""
    _line(left, "Nơi nhận:", 12, bold=True, italic=True, align="left")
    _line(left, "{%p for c in copies %}", 11, align="left")
    _line(left, "- {{ c }}{{ '.' if loop.last else ';' }}", 11, align="left")
    _line(left, "{%p endfor %}", 11, align="left")
    right.paragraphs[0].text = ""
    _line(right, "{%p if signer.on_behalf %}", 14)
    _line(right, "{{ signer.on_behalf }}", 14, bold=True)
    _line(right, "{%p endif %}", 14)
    _line(right, "{{ signer.title }}", 14, bold=True, space_after=72)
    _line(right, "{{ signer.name }}", 14, bold=True)
    left.paragraphs[0]._p.getparent().remove(left.paragraphs[0]._p)
    right.paragraphs[0]._p.getparent().remove(right.paragraphs[0]._p)


def _body(doc, text: str, bold=False, italic=False, indent=True):
    p = doc.add_paragraph(style="Body Text Letter")
    if not indent:
        p.paragraph_format.first_line_indent = Mm(0)
    run = p.add_run(text)
    run.bold, run.italic = bold, italic
    return p


def letter() -> None:
    doc = Document()
    _styles(doc)
    _page(doc)
    _header_block(doc, subject=True)
    p = _body(doc, "", indent=False)
    p.paragraph_format.space_before = Pt(12)
    _body(doc, "Kính gửi:", indent=False).paragraph_format.left_indent = Mm(30)
    _body(doc, "{%p for r in recipients %}", indent=False)
    q = _body(doc, "- {{ r }}{{ '.' if loop.last else ';' }}", indent=False)
    q.paragraph_format.left_indent = Mm(55)
    _body(doc, "{%p endfor %}", indent=False)
    _body(doc, "{%p if notice %}", indent=False)
    _body(doc, "{{ notice }}", italic=True)
    _body(doc, "{%p endif %}", indent=False)
    _body(doc, "{%p for o in opening %}", indent=False)
    _body(doc, "{{ o }}")
    _body(doc, "{%p endfor %}", indent=False)
    _body(doc, "{%p for part in parts %}", indent=False)
    _body(doc, "{{ part.heading }}", bold=True)
    _body(doc, "{%p for line in part.lines %}", indent=False)
    _body(doc, "{{ line.mark }}{{ ' ' if line.mark else '' }}{{ line.text }}")
    _body(doc, "{%p endfor %}", indent=False)
    _body(doc, "{%p endfor %}", indent=False)
    _body(doc, "{{ closing }}")
    _signature_block(doc)
    doc.core_properties.title = "Công văn biểu dương, nhắc nhở"
    doc.core_properties.author = "cchc-workbook"
    doc.save(OUT / "cong-van.docx")


def report() -> None:
    doc = Document()
    _styles(doc)
    _page(doc)
    _header_block(doc, subject=False)
    _line(doc, "BÁO CÁO", 14, bold=True).paragraph_format.space_before = Pt(18)
    _line(doc, "{{ title }}", 14, bold=True)
    rule = doc.add_paragraph()
    _rule_paragraph(rule, 40, 165)
    rule.paragraph_format.space_after = Pt(12)
    _body(doc, "{%p for s in sections %}", indent=False)
    _body(doc, "{%p if s.heading %}", indent=False)
    _body(doc, "{{ s.heading }}", bold=True)
    _body(doc, "{%p endif %}", indent=False)
    _body(doc, "{%p for t in s.paragraphs %}", indent=False)
    _body(doc, "{{ t }}")
    _body(doc, "{%p endfor %}", indent=False)
    _body(doc, "{%p if s.placeholder %}", indent=False)
    _body(doc, "[{{ s.placeholder }}]", italic=True)
    _body(doc, "{%p endif %}", indent=False)
    _body(doc, "{%p for t in s.ending %}", indent=False)
    _body(doc, "{{ t }}")
    _body(doc, "{%p endfor %}", indent=False)
    _body(doc, "{%p endfor %}", indent=False)
    _body(doc, "{{ closing }}")
    _signature_block(doc)
    doc.core_properties.title = "Báo cáo cải cách hành chính"
    doc.core_properties.author = "cchc-workbook"
    doc.save(OUT / "bao-cao.docx")


def appendix() -> None:
    doc = Document()
    _styles(doc, body_pt=13)
    _page(doc)
    doc.sections[0].different_first_page_header_footer = False
    for name, size, bold, italic in (
        ("Appendix Label", 14, True, False),
        ("Appendix Title", 14, True, False),
        ("Appendix Reference", 13, False, True),
        ("Table Text", 11, False, False),
        ("Table Head", 11, True, False),
        ("Table Title", 13, True, False),
        ("Table Note", 11, False, True),
    ):
        style = doc.styles.add_style(name, 1)
        style.base_style = doc.styles["Normal"]
        style.font.size, style.font.bold, style.font.italic = Pt(size), bold, italic
        pf = style.paragraph_format
        pf.alignment = (
            WD_ALIGN_PARAGRAPH.CENTER
            if name.startswith(("Appendix", "Table Head", "Table Title"))
            else WD_ALIGN_PARAGRAPH.LEFT
        )
        pf.space_after = Pt(6 if name.startswith("Appendix") or name == "Table Title" else 0)
        pf.line_spacing = 1.0
    doc.core_properties.title = "Phụ lục"
    doc.core_properties.author = "cchc-workbook"
    doc.save(OUT / "phu-luc.docx")


if __name__ == "__main__":
    letter()
    report()
    appendix()
    print(f"wrote {OUT}/cong-van.docx, bao-cao.docx, phu-luc.docx")

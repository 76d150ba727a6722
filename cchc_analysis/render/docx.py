"""Word: the letter and the report through their docxtpl templates, the appendix as Word tables over the
appendix template's styles and page setup (Nghị định 30/2020/NĐ-CP: A4, Times New Roman, page numbers centred at
the top from page 2, each appendix numbering its own pages, wide tables on landscape pages)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cchc_analysis.core import workspace
from cchc_analysis.core.exceptions import CchcError
from cchc_analysis.documents.document import Document
from cchc_analysis.documents.tables import NUMERIC, Table


def write_template(template: str, context: dict[str, Any], path: Path, must_show: list[str] | None = None) -> None:
    """Fill a Word template (``templates/NAME`` of the workspace, else the package's) with ``context``. The
    template is a file an office edits, so it renders in Jinja's sandbox with no globals: a tag reaches only the
    document's own fields (no attribute beginning with "_", no function of Python). Data is escaped as XML text:
    a unit name never becomes markup, a field or a Jinja tag. Each text of ``must_show`` must be in the filled
    document: a template restyled from an older version that drops a part of the draft stops, naming it."""
    from docxtpl import DocxTemplate
    from jinja2 import StrictUndefined, TemplateError

    source = workspace.word_template(template)
    tpl = DocxTemplate(str(source))
    tpl.docx = _open(source)
    env = _sandbox_class()(autoescape=True, undefined=StrictUndefined)  # a wrong name is an error
    env.globals.clear()  # no range, cycler, joiner, namespace, lipsum, dict: the tags need none of them
    try:
        tpl.render(context, jinja_env=env)
    except (TemplateError, RecursionError, MemoryError, TypeError) as exc:  # include without loader: TypeError
        raise CchcError(
            f"mẫu Word «{source.name}» ({source.parent}) có chỗ điền sai {_tag(exc, tpl, context)}: {_why(exc)} — sửa "
            "chỗ đó trong Word (chỉ dùng các chỗ {{ … }} có sẵn), hoặc xoá tệp để dùng mẫu có sẵn của chương trình"
        ) from None
    if must_show:
        _refuse_dropped(tpl, source, must_show)
    tpl.save(str(path))


def _refuse_dropped(tpl: Any, source: Path, must_show: list[str]) -> None:
    from docx.oxml.ns import qn

    def flat(text: str) -> str:
        return " ".join(text.split())

    body = tpl.docx.element.body
    shown = flat(" ".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))))
    missing = next((t for t in must_show if flat(t) not in shown), None)
    if missing is not None:
        cut = missing if len(missing) <= 70 else missing[:70] + "…"
        raise CchcError(
            f"mẫu Word «{source.name}» ({source.parent}) không in phần «{cut}» của bản dự thảo (mẫu của phiên bản "
            f"trước?) — xoá tệp đó rồi chạy cchc init trong thư mục làm việc để chép mẫu mới, rồi sửa lại kiểu chữ "
            "nếu cần"
        )


_TAG = r"\{[{%].{0,200}?[%}]\}"


def _sandbox_class() -> type:
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Sandbox(ImmutableSandboxedEnvironment):
        """No arithmetic that builds a huge value from a small tag ('a' * 10**9, a list times 600 million)."""

        intercepted_binops = frozenset({"*", "**", "+"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            sized = isinstance(left, (str, list, tuple)) or isinstance(right, (str, list, tuple))
            if operator == "**" or (operator == "*" and sized and max(_num(left), _num(right)) > 1_000):
                raise SecurityError("phép tính quá lớn")
            result = super().call_binop(context, operator, left, right)
            if isinstance(result, (str, list, tuple)) and len(result) > 1_000_000:
                raise SecurityError("kết quả quá lớn")
            return result

    return Sandbox


def _num(value: Any) -> int:
    return abs(value) if isinstance(value, int) else 0


def _tag(exc: Exception, tpl: Any, context: dict[str, Any]) -> str:
    """The tag a template error comes from, as the template's text shows it: from Jinja's line when it gives
    one, else the first tag that reaches past the document's fields (a name it does not have, "_" or a call)."""
    import re

    lines = " ".join(getattr(exc, "docx_context", None) or [])
    found = re.search(_TAG, lines)
    if found:
        return f"«{' '.join(found.group(0).split())[:120]}»"
    try:
        text = re.sub(r"<[^>]+>", "", tpl.patch_xml(tpl.get_xml()))
    except Exception:  # the template's XML is what failed: nothing more precise to say
        return "(không rõ vị trí)"
    tags = re.findall(_TAG, text)
    known = set(context) | {"loop"} | {m for t in tags for m in re.findall(r"\bfor\s+(\w+)\s+in\b", t)}
    words = {"if", "else", "endif", "for", "in", "endfor", "not", "and", "or", "is"}
    for tag in tags:
        inner = re.sub(r"^\{[{%][a-z]?\s|\s[%}]\}$", "", tag)
        inner = re.sub(r"'[^']*'|\"[^\"]*\"", "''", inner)  # literals are not names
        names = re.findall(r"(?<![.\w])([A-Za-z_]\w*)", inner)
        if re.search(r"(?<!\w)_|\._|\(|\*", inner) or any(n not in known and n not in words for n in names):
            return f"«{' '.join(tag.split())[:120]}»"
    return "(không rõ vị trí)"


def _why(exc: Exception) -> str:
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    if isinstance(exc, SecurityError):
        return "không được phép (mẫu chỉ được dùng các trường của văn bản)"
    if isinstance(exc, UndefinedError):
        return "không có trường này trong dữ liệu của văn bản"
    if isinstance(exc, TemplateSyntaxError):
        return "viết sai cú pháp"
    if isinstance(exc, (RecursionError, MemoryError)):
        return "lặp vô hạn hoặc quá lớn"
    if isinstance(exc, TypeError):
        return "không được phép (mẫu không được chèn tệp khác)"
    return "không điền được"


def _open(source: Path) -> Any:
    """A Word template as python-docx reads it; a file that is not a Word document is one line, not a traceback."""
    from docx import Document as Word

    from cchc_analysis.inputs.readers import Unreadable, check_zip

    try:
        check_zip(source.name, source)
    except Unreadable as exc:
        raise CchcError(f"mẫu Word «{source}» không mở được: {exc.problem.message}") from None
    try:
        return Word(str(source))
    except Exception as exc:  # python-docx raises several kinds (not a zip, no document part, bad XML)
        raise CchcError(
            f"mẫu Word «{source}» không mở được ({type(exc).__name__}) — lưu lại tệp bằng Word dạng .docx, "
            "hoặc xoá tệp để dùng mẫu có sẵn của chương trình"
        ) from None


def write_docx(doc: Document, path: Path) -> None:
    """The appendices as Word tables, one section each (landscape where a table is wide), under the appendix
    template's styles."""
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Mm

    word = _open(workspace.word_template("phu-luc.docx"))
    body = word.element.body
    for p in list(word.paragraphs):  # the template's own text, if an office left any, is not the appendix's
        body.remove(p._p)
    first = word.sections[0]
    margins = (first.top_margin, first.bottom_margin, first.left_margin, first.right_margin)
    width, height = first.page_width or Mm(210), first.page_height or Mm(297)  # A4 where the template says nothing
    portrait = (min(width, height), max(width, height))
    styles = {s.name for s in word.styles}
    for i, appendix in enumerate(doc.appendices):
        section = first if i == 0 else word.add_section(WD_SECTION.NEW_PAGE)
        wide = appendix.wide
        section.orientation = WD_ORIENT.LANDSCAPE if wide else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (portrait[1], portrait[0]) if wide else portrait
        section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = margins
        section.different_first_page_header_footer = True
        if i:
            section.header.is_linked_to_previous = True
        _restart_numbering(section)
        word.add_paragraph(doc.label(i), style="Appendix Label")
        word.add_paragraph(appendix.title.upper(), style="Appendix Title")
        word.add_paragraph(doc.reference, style="Appendix Reference")
        if i == 0 and doc.notice:
            word.add_paragraph(doc.notice, style="Table Note").runs[0].bold = True
        usable = (portrait[1] if wide else portrait[0]) - (margins[2] or Mm(30)) - (margins[3] or Mm(15))
        for table in appendix.tables:
            if len(appendix.tables) > 1:
                word.add_paragraph(table.title, style="Table Title")
            _table(word, table, usable, small=wide)
            for note in table.notes():
                word.add_paragraph(note, style="Table Note")
        if appendix.paragraphs and wide:  # a wide table's sentences read on a portrait page, as in the PDF
            text_section = word.add_section(WD_SECTION.NEW_PAGE)
            text_section.orientation = WD_ORIENT.PORTRAIT
            text_section.page_width, text_section.page_height = portrait
            text_section.top_margin, text_section.bottom_margin = margins[0], margins[1]
            text_section.left_margin, text_section.right_margin = margins[2], margins[3]
            text_section.different_first_page_header_footer = False
            _continue_numbering(text_section)  # the appendix's page numbers go on
        for text in appendix.paragraphs:
            word.add_paragraph(text, style="Body Text Letter" if "Body Text Letter" in styles else None)
    word.core_properties.title = doc.title
    word.save(str(path))


def _continue_numbering(section) -> None:
    from docx.oxml.ns import qn

    sect_pr = section._sectPr
    for old in sect_pr.findall(qn("w:pgNumType")):  # copied from the section before, with its restart at 1
        sect_pr.remove(old)


def _restart_numbering(section) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    sect_pr = section._sectPr
    for old in sect_pr.findall(qn("w:pgNumType")):
        sect_pr.remove(old)
    num = OxmlElement("w:pgNumType")
    num.set(qn("w:start"), "1")
    sect_pr.append(num)


def _shares(table: Table, usable: int) -> list[int]:
    """Each column's share of the usable width, none narrower than 10 mm ("STT" on one line)."""
    from docx.shared import Mm

    least = Mm(10)
    total = sum(c.width for c in table.columns) or 1
    shares = [max(least, int(usable * c.width / total)) for c in table.columns]
    over = sum(shares) - usable
    wide = [j for j, w in enumerate(shares) if w > least]
    for j in wide:
        shares[j] -= int(over * shares[j] / sum(shares[k] for k in wide)) if over > 0 else 0
    return shares


def _head(grid: Any, head: list[list[dict]], style_id: str, size: Any) -> None:
    """The header rows, merged as the table's header grid says, repeated on every page."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for r_off, heads in enumerate(head):
        repeat = OxmlElement("w:tblHeader")  # the header rows repeat on every page
        repeat.set(qn("w:val"), "true")
        grid.rows[r_off]._tr.get_or_add_trPr().append(repeat)
        col = 0
        for h in heads:
            while r_off and grid.cell(r_off - 1, col)._tc is grid.cell(r_off, col)._tc:  # spanned from above
                col += 1
            cell = grid.cell(r_off, col)
            if h["rowspan"] > 1 or h["colspan"] > 1:
                cell = cell.merge(grid.cell(r_off + h["rowspan"] - 1, col + h["colspan"] - 1))
            _text(cell, h["text"], style_id, WD_ALIGN_PARAGRAPH.CENTER, size=size)
            col += h["colspan"]


def _table(word, table: Table, usable: int, small: bool = False) -> None:
    """``small``: a wide table on a landscape page, in 10 pt as the PDF prints it (11 pt otherwise)."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    styles = {name: word.styles[name].style_id for name in ("Table Head", "Table Text")}
    head = table.head_rows()
    ncol = len(table.columns)
    # the header is built and merged while the table is small: python-docx's Table.cell() walks every row
    grid = word.add_table(rows=len(head), cols=ncol)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    margins = OxmlElement("w:tblCellMar")  # 3 pt each side, as the PDF's cells
    for side in ("left", "right"):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), "60")
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    grid._tbl.tblPr.append(margins)
    size = Pt(10) if small else None
    shares = _shares(table, usable)
    for j in range(ncol):
        grid.columns[j].width = shares[j]
        for row in grid.rows:
            row.cells[j].width = grid.columns[j].width
    _head(grid, head, styles["Table Head"], size)
    aligns = [
        WD_ALIGN_PARAGRAPH.CENTER
        if c.key == "stt"
        else WD_ALIGN_PARAGRAPH.RIGHT
        if c.fmt in NUMERIC
        else WD_ALIGN_PARAGRAPH.LEFT
        for c in table.columns
    ]
    for r in table.rows:
        cells = grid.add_row().cells
        if r.style == "group":
            merged = cells[0].merge(cells[-1])
            _text(merged, str(r.values.get("text", "")), styles["Table Text"], WD_ALIGN_PARAGRAPH.LEFT, True, size)
            continue
        for j, c in enumerate(table.columns):
            text = table.shown(r, c)
            _text(cells[j], text, styles["Table Text"], aligns[j], r.style == "total", size)


def _text(cell, text: str, style_id: str, align, bold: bool = False, size=None) -> None:
    p = cell.paragraphs[0]
    p._p.get_or_add_pPr().style = style_id  # by id: setting a style by name searches every style each time
    p.alignment = align
    run = p.add_run(text)
    if bold:
        run.bold = True
    if size is not None:
        run.font.size = size

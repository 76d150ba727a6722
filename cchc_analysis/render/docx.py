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


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_ALIGN = {"c": "center", "r": "right", "l": "left"}
_XML_UNSAFE = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))  # not allowed in XML 1.0 text


def _table(word, table: Table, usable: int, small: bool = False) -> None:
    """The table as one piece of WordprocessingML built from strings and parsed once: a python-docx object per
    cell took 48 s for a national appendix (3.351 rows), this takes about a second. The header rows repeat on
    every page and are merged as the table's header grid says; ``small``: a wide table on a landscape page, in
    10 pt as the PDF prints it (11 pt otherwise). Every text is escaped: a unit name never becomes markup."""
    from docx.oxml import parse_xml

    styles = {name: word.styles[name].style_id for name in ("Table Grid", "Table Head", "Table Text")}
    twips = [max(1, int(w / 635)) for w in _shares(table, usable)]  # EMU to twentieths of a point
    size = '<w:sz w:val="20"/>' if small else ""
    aligns = ["c" if c.key == "stt" else "r" if c.fmt in NUMERIC else "l" for c in table.columns]
    head_style, text_style = styles["Table Head"], styles["Table Text"]

    def cell(text: str, col: int, style: str, align: str, bold: bool = False, span: int = 1, merge: str = "") -> str:
        width = sum(twips[col : col + span])
        props = f'<w:tcW w:w="{width}" w:type="dxa"/>' + (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "")
        props += merge + ("<w:noWrap/>" if align != "l" and style == text_style else "")  # a figure on one line
        run = f"<w:rPr>{'<w:b/>' if bold else ''}{size}</w:rPr>" if bold or size else ""
        body = f'<w:r>{run}<w:t xml:space="preserve">{_xml(text)}</w:t></w:r>' if text else ""
        return (
            f'<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:pPr><w:pStyle w:val="{style}"/><w:jc w:val="{_ALIGN[align]}"/>'
            f"</w:pPr>{body}</w:p></w:tc>"
        )

    rows = []
    head = table.head_rows()
    below: dict[int, int] = {}  # grid column -> rows still covered by a header cell spanning down
    for heads in head:
        cells, col = [], 0
        for h in heads:
            while below.get(col, 0):  # the continuation of a cell merged down from the row above
                cells.append(cell("", col, head_style, "c", merge="<w:vMerge/>"))
                below[col] -= 1
                col += 1
            merge = '<w:vMerge w:val="restart"/>' if h["rowspan"] > 1 else ""
            if h["rowspan"] > 1:
                below[col] = h["rowspan"] - 1
            cells.append(cell(h["text"], col, head_style, "c", span=h["colspan"], merge=merge))
            col += h["colspan"]
        while below.get(col, 0):
            cells.append(cell("", col, head_style, "c", merge="<w:vMerge/>"))
            below[col] -= 1
            col += 1
        rows.append(f'<w:tr><w:trPr><w:tblHeader w:val="true"/></w:trPr>{"".join(cells)}</w:tr>')
    for r in table.rows:
        if r.style == "group":
            text = str(r.values.get("text", ""))
            rows.append(f"<w:tr>{cell(text, 0, text_style, 'l', True, len(twips))}</w:tr>")
            continue
        bold = r.style == "total"
        cells = [cell(table.shown(r, c), j, text_style, aligns[j], bold) for j, c in enumerate(table.columns)]
        rows.append(f"<w:tr>{''.join(cells)}</w:tr>")
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in twips)
    xml = (
        f'<w:tbl xmlns:w="{_W}"><w:tblPr><w:tblStyle w:val="{styles["Table Grid"]}"/><w:tblW w:w="0" w:type="auto"/>'
        '<w:jc w:val="center"/><w:tblCellMar><w:left w:w="60" w:type="dxa"/><w:right w:w="60" w:type="dxa"/>'
        f'</w:tblCellMar><w:tblLook w:val="04A0"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{"".join(rows)}</w:tbl>'
    )
    word.element.body._insert_tbl(parse_xml(xml))


def _xml(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(text.translate(_XML_UNSAFE))

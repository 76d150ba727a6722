"""Rendered appendices read back as a reader would: PDF text and fonts, HTML with the network off, XLSX cells."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from cchc_analysis.core.periods import Month
from cchc_analysis.documents.tables import Col, Row, Table
from cchc_analysis.render import Appendix, Document, document_html, write_html, write_pdf, write_xlsx

from conftest import EXTERNAL, sample_params


def big_table(n: int = 300) -> Table:
    cols = [
        Col("stt", "STT", "int", width=0.5),
        Col("unit", "Đơn vị", width=3),
        Col("num", "Đã số hóa", "int", "Tiếp nhận"),
        Col("den", "Phải số hóa", "int", "Tiếp nhận"),
        Col("rate", "Tỷ lệ", "pct", "Tiếp nhận"),
    ]
    rows = [
        Row(
            {
                "stt": i,
                "unit": f"UBND xã Thử Nghiệm {i}",
                "num": 1000 + i,
                "den": 1700 + i,
                "rate": (1000 + i) / (1700 + i),
            }
        )
        for i in range(1, n + 1)
    ]
    return Table("Thu nghiem", "Bảng thử nghiệm", cols, rows)


def doc_of(*tables: Table) -> Document:
    return Document(
        "Thử nghiệm",
        "(Kèm theo văn bản số 12/UBND-NV ngày 15 tháng 9 năm 2023 của UBND huyện Tứ Kỳ)",
        [Appendix(f"Phụ lục thử {i}", [t]) for i, t in enumerate(tables, start=1)],
    )


def page_texts(pdf) -> list[str]:
    return [p.extract_text() for p in PdfReader(str(pdf)).pages]


@pytest.fixture(scope="module")
def long_pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "long.pdf"
    pages = write_pdf(doc_of(big_table(300), big_table(120), big_table(3)), path)
    return path, pages


def test_a_300_row_table_repeats_its_header_on_every_page(long_pdf):
    path, pages = long_pdf
    texts = page_texts(path)
    assert pages == len(texts) and pages >= 5
    assert all("Phải số hóa" in t and "Đơn vị" in t for t in texts)
    # every row is there once, in Vietnamese number format: 1.300 / 2.000 = 65,00%
    joined = "\n".join(texts)
    assert "UBND xã Thử Nghiệm 300" in joined and "1.300" in joined and "65,00%" in joined


def test_the_pdf_is_archival_and_tagged(long_pdf):
    """PDF/A-3u with its XMP identification, a title and the language vi, a structure tree with a heading per
    appendix and tables whose header rows are tagged as such, and every font embedded (read back with pikepdf,
    independently of the writer)."""
    import pikepdf

    path, _ = long_pdf
    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("3", "U")
        assert meta.get("dc:title") == "Thử nghiệm" and str(pdf.Root.Lang) == "vi"
        assert pdf.Root.MarkInfo.Marked
        roots = pdf.Root.StructTreeRoot.K
        top = roots[0] if isinstance(roots, pikepdf.Array) else roots
        assert top.S == "/Document"
        headings = [str(k.get("/T", "")) for k in top.K if k.S == "/H1"]
        assert len(headings) == 3 and headings[1].startswith("Phụ lục II"), headings
        tables = [k for k in top.K if k.S == "/Table"]
        assert len(tables) == 3 and all(t.K[0].S == "/THead" for t in tables)
        fonts = [font for page in pdf.pages for font in page.Resources.Font.values()]
        assert fonts
        for font in fonts:
            for part in font.get("/DescendantFonts", [font]):
                descriptor = part.FontDescriptor
                assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), part.BaseFont


def test_each_appendix_numbers_its_own_pages_with_none_on_its_first(long_pdf):
    path, _ = long_pdf
    assert shutil.which("pdftotext"), "poppler-utils is missing: make test installs it (scripts/sysdeps.sh)"
    firsts = []
    reader = PdfReader(str(path))
    for n in range(1, len(reader.pages) + 1):
        text = (
            subprocess.run(
                ["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(path), "-"], capture_output=True, text=True
            )
            .stdout.strip()
            .splitlines()
        )
        firsts.append(text[0].strip())
    two, three = firsts.index("Phụ lục II"), firsts.index("Phụ lục III")
    assert firsts[0].startswith("Phụ lục I")
    assert firsts[1:two] == [str(k) for k in range(2, two + 1)]
    assert three - two >= 3  # the 120-row second appendix: its own 2, 3, … from its second page
    assert firsts[two + 1 : three] == [str(k) for k in range(2, three - two + 1)]
    assert firsts[-1] == "Phụ lục III"  # the 3-row third appendix: one page, no number


def test_the_pdf_embeds_only_the_shipped_font(long_pdf):
    path, _ = long_pdf
    assert shutil.which("pdffonts"), "poppler-utils is missing: make test installs it (scripts/sysdeps.sh)"
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout.splitlines()[2:]
    names = {ln.split()[0].split("+", 1)[-1] for ln in lines}
    assert names and all(n.replace("-", "").startswith("LiberationSerif") for n in names), names
    assert all(" yes yes " in ln for ln in lines)  # embedded and subset


def test_html_is_self_contained_and_escapes_data(tmp_path):
    t = big_table(2)
    t.rows.append(Row({"stt": 3, "unit": '<script>alert("x")</script><img src="http://evil/x.png">', "num": 1}))
    path = tmp_path / "a.html"
    write_html(doc_of(t), path)
    html = path.read_text(encoding="utf-8")
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "@font-face" in html and "data:font/ttf;base64," in html


def test_pdf_with_hostile_text_shows_it_as_text(tmp_path):
    t = big_table(1)
    t.rows.append(Row({"unit": '<b>UBND xã "Độc"</b> & <i>Đạo</i>'}))
    # Typst's own markup and code: shown as typed, never run (no page resize, no file read)
    typst = '#set page(width: 5pt) #read("/etc/passwd") $x^2$ *Đậm* _nghiêng_ @nhan <nhan> // chú thích'
    t.rows.append(Row({"unit": typst}))
    path = tmp_path / "a.pdf"
    write_pdf(doc_of(t), path)
    text = " ".join(page_texts(path)[0].split())
    assert '<b>UBND xã "Độc"</b> & <i>Đạo</i>' in text
    assert " ".join(typst.split()) in text and "root:" not in text
    assert PdfReader(str(path)).pages[0].mediabox.width > 500  # still A4


def test_a_word_longer_than_its_cell_wraps_inside_it(tmp_path):
    """A 60-letter token (a pasted formula, an address) in a narrow column: broken into lines within its cell, every
    letter kept, instead of running over the figures beside it."""
    t = big_table(1)
    token = '=HYPERLINK("BamVaoDayDeXemHetChuKhongCoDauCachNaoCaChuoiRatDai")'
    t.rows.append(Row({"stt": 2, "unit": token, "num": 76, "den": 80, "rate": 0.95}))
    path = tmp_path / "a.pdf"
    write_pdf(doc_of(t), path)
    words = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True).stdout
    boxes = [
        (float(m[0]), float(m[1]), m[2])
        for m in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', words)
    ]
    figure = next(x0 for x0, _, w in boxes if w == "76")
    pieces = [
        (x1, w)
        for x0, x1, w in boxes
        if w and w not in ("76", "80") and x0 < figure and any(k in w for k in ("HYPER", "Bam", "Chu", "Dai", "Cach"))
    ]
    assert pieces and all(x1 < figure for x1, _ in pieces), pieces  # no piece reaches the figure's column
    text = "".join(page_texts(path)[0].split()).replace("\u200b", "")
    assert token.replace(" ", "") in text.replace("&quot;", '"')


def test_xlsx_reads_back_with_numbers_formats_and_a_frozen_header(tmp_path):
    t = big_table(3)
    t.rows.append(Row({"unit": '=HYPERLINK("http://x")', "num": 5}, "total"))
    t.rows.insert(0, Row({"text": "I. Các cơ quan chuyên môn"}, "group"))
    t.rows.append(Row({"stt": 4, "unit": "UBND xã Không Hồ Sơ", "num": 0, "den": 0, "rate": None}))
    path = tmp_path / "a.xlsx"
    write_xlsx(doc_of(t, big_table(1)), path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Ghi chú", "Thu nghiem", "Thu nghiem (2)"]
    ws = wb["Thu nghiem"]
    assert [ws["A1"].value, ws["A2"].value] == ["Phụ lục I", "PHỤ LỤC THỬ 1"]
    assert ws["A3"].value.startswith("(Kèm theo văn bản số 12/UBND-NV") and ws["A3"].font.i
    # two header rows: the group heading centred across its columns, the column names below, nothing merged
    assert ws["C5"].value == "Tiếp nhận" and ws["C5"].alignment.horizontal == "centerContinuous"
    assert ws["B6"].value == "Đơn vị" and ws["C6"].value == "Đã số hóa" and ws["E6"].value == "Tỷ lệ"
    assert not [r for r in ws.merged_cells.ranges if r.min_row >= 5]
    assert ws.freeze_panes == "C7" and ws.print_title_rows == "$5:$6"
    assert ws["A7"].value == "I. Các cơ quan chuyên môn"
    assert ws["C8"].value == 1001 and isinstance(ws["C8"].value, int) and ws["C8"].number_format == "#,##0"
    assert ws["E8"].value == pytest.approx(1001 / 1701) and ws["E8"].number_format == "0.00%"
    formula = ws["B11"]
    assert formula.value == '=HYPERLINK("http://x")' and formula.data_type == "s"
    # a rate that cannot be computed is a dash, and the note under the table says why
    assert ws["E12"].value == "—"
    assert any(str(c.value).startswith('"—": không tính được') for row in ws.iter_rows(min_row=13) for c in row)
    # the page: A4 portrait (the table is not wide), fitted to one page wide, margins of Nghị định 30
    setup = ws.page_setup
    assert int(setup.paperSize) == 9 and setup.orientation == "portrait" and setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToHeight == 0
    assert round(ws.page_margins.left * 25.4) == 30 and round(ws.page_margins.top * 25.4) == 20
    assert ws.oddHeader.center.text == "&P" and ws.HeaderFooter.differentFirst


@pytest.mark.e2e
def test_monthly_appendix_pdf_reads_as_a_vietnamese_annex(runs):
    out, _ = runs
    texts = page_texts(out / "2023-05" / "phu-luc-2023-05.pdf")
    joined = "\n".join(texts)
    assert texts[0].lstrip().startswith("Phụ lục I")
    assert "DANH SÁCH BIỂU DƯƠNG, NHẮC NHỞ, PHÊ BÌNH" in joined
    assert "(Kèm theo văn bản số …/UBND-NV ngày … tháng … năm … của UBND huyện Tứ Kỳ)" in joined.replace("\n", " ")
    # seed 000's figures, written the Vietnamese way
    for text in (
        "UBND xã Tái Sơn",
        "88,31%",
        "96,65%",
        "96,28%",
        "UBND xã Hưng Đạo",
        "Phòng Tài chính - Kế hoạch",
        "Nhắc nhở lần thứ nhất",
        "Toàn huyện",
    ):
        assert text in joined, text
    html = (out / "2023-05" / "phu-luc-2023-05.html").read_text(encoding="utf-8")
    assert not EXTERNAL.search(html)
    # the font is inlined, cut down to the glyphs the page uses (the four full faces weigh 1,5 MB)
    assert html.count("@font-face") == 4 and len(html.encode("utf-8")) < 600_000


@pytest.mark.e2e
def test_monthly_appendix_xlsx_has_the_area_totals(runs):
    out, _ = runs
    wb = load_workbook(out / "2023-08" / "phu-luc-2023-08.xlsx")
    assert wb.sheetnames == ["Ghi chú", "Danh sách 2023-08", "Số hóa 2023-08", "Thanh toán 2023-08"]
    ws = wb["Số hóa 2023-08"]
    total = [r for r in ws.iter_rows(values_only=True) if r[1] == "Toàn huyện"][0]
    # August 2023, seed 002: 97,67% input, 99,05% output (rates stored as fractions)
    rates = [v for v in total if isinstance(v, float)]
    assert [round(v * 100, 2) for v in rates[:1]] == [97.67]
    assert any(round(v * 100, 2) == 99.05 for v in rates)


def test_reference_line_has_the_letter_number_and_date():
    from cchc_analysis.render import reference_line

    assert (
        reference_line(sample_params(Month(2023, 8)))
        == "(Kèm theo văn bản số 1220/UBND-NV ngày 15 tháng 9 năm 2023 của UBND huyện Tứ Kỳ)"
    )


def test_document_labels_use_roman_numerals_only_when_several():
    one = document_html(doc_of(big_table(1)))
    assert ">Phụ lục<" in one
    three = document_html(doc_of(big_table(1), big_table(1), big_table(1)))
    assert ">Phụ lục III<" in three


@pytest.mark.e2e
def test_the_monthly_workbook_prints_as_the_pdf_does(runs, tmp_path):
    """Printed through LibreOffice Calc: every table on pages of its own orientation, the header rows on every
    page, no column pushed onto a page of its own, the sentences wrapped inside their cells."""
    out, _ = runs
    book = out / "2023-08" / "phu-luc-2023-08.xlsx"
    res = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf"]
        + ["--outdir", str(tmp_path), str(book)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    pages = PdfReader(tmp_path / "phu-luc-2023-08.pdf").pages
    # (a word only that table's header has, its first and last column names, landscape?)
    tables = {
        "Nội dung": ("STT", "Nội dung", False),
        "Phải số hóa": ("STT", "Đánh giá", True),
        "Đã thanh toán trực tuyến": ("STT", "Đánh giá", True),
    }
    seen = dict.fromkeys(tables, 0)
    for page in pages[1:]:  # the cover sheet first
        text = " ".join(page.extract_text().split())
        mine = [k for k in tables if k in text]
        assert len(mine) == 1, text[:200]
        first, last, landscape = tables[mine[0]]
        seen[mine[0]] += 1
        assert first in text and last in text, text[:200]  # every column on every page, the header repeated
        assert (page.mediabox.width > page.mediabox.height) == landscape
    assert all(seen.values()) and len(pages) <= 12, seen
    # the sentences: wrapped, in rows tall enough for them (a 13-pt line holds at most ~1,4 letters per width unit)
    ws = load_workbook(book)["Danh sách 2023-08"]
    width = ws.column_dimensions["D"].width
    sentences = [c for c in ws["D"] if isinstance(c.value, str) and len(c.value) > 100]
    assert len(sentences) > 10
    for cell in sentences:
        assert cell.alignment.wrap_text
        lines = len(cell.value) / (width * 1.4)
        assert ws.row_dimensions[cell.row].height >= lines * 11, (cell.value, ws.row_dimensions[cell.row].height)


@pytest.mark.parametrize("per_group", [8, 9, 10])
def test_a_group_heading_never_ends_a_page(tmp_path, per_group):
    cols = [Col("stt", "STT", "int", width=0.5), Col("unit", "Đơn vị", width=3), Col("n", "Số", "int")]
    rows = []
    for g in range(40):
        rows.append(Row({"text": f"NHÓM {g}"}, "group"))
        rows += [Row({"stt": i + 1, "unit": f"UBND xã {g}-{i}", "n": i}) for i in range(per_group + g % 5)]
    path = tmp_path / "g.pdf"
    write_pdf(doc_of(Table("t", "T", cols, rows)), path)
    for text in page_texts(path):
        lines = [ln for ln in text.splitlines() if ln.strip()]
        assert not lines[-1].startswith("NHÓM"), lines[-3:]


def test_the_issuer_in_the_reference_line_is_never_broken(tmp_path):
    t = big_table(2)
    doc = Document(
        "Thử",
        "(Kèm theo văn bản số 1234/UBND-VP-NV-KSTTHC ngày 15 tháng 9 năm 2023 của Ủy ban nhân dân huyện Tứ Kỳ)",
        [Appendix("Phụ lục thử có tên khá dài để dòng tham chiếu phải xuống dòng", [t])],
    )
    path = tmp_path / "r.pdf"
    write_pdf(doc, path)
    lines = [" ".join(ln.split()) for ln in page_texts(path)[0].splitlines()]
    assert "của Ủy ban nhân dân huyện Tứ Kỳ)" in " ".join(lines)
    assert any("Ủy ban nhân dân huyện Tứ Kỳ)" in ln for ln in lines), lines[:6]  # on one line

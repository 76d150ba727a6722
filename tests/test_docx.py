"""The letter, the report and the appendices as Word documents (issue 15), read back with python-docx and, where
LibreOffice is installed, converted to PDF as an office would print them."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile

import docx
import pytest
from docx.shared import Mm, Pt
from pypdf import PdfReader

from conftest import run_cli

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def paragraphs(document) -> list:
    """Body paragraphs, then the paragraphs of every table cell (the header and signature blocks are tables)."""
    out = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                out += [p for p in cell.paragraphs if p not in out]
    return out


def texts(document) -> list[str]:
    return [p.text for p in paragraphs(document)]


def find(document, text: str):
    found = [p for p in paragraphs(document) if p.text == text]
    assert found, f"no paragraph «{text}»"
    return found[0]


def run_style(paragraph, attr: str):
    """A run attribute as Word shows it: the run's own, else the paragraph style's."""
    run = paragraph.runs[0]
    value = getattr(run.font, attr)
    return value if value is not None else getattr(paragraph.style.font, attr)


def letter(runs, month: str):
    out, _ = runs
    return docx.Document(str(out / month / f"cong-van-{month}.docx"))


@pytest.mark.e2e
def test_the_letter_is_a4_with_the_margins_and_font_of_decree_30(runs):
    d = letter(runs, "2023-08")
    s = d.sections[0]

    def mm(length) -> float:  # Word stores twentieths of a point: 15 mm reads back as 14,99
        return round(length / Mm(1), 1)

    assert (mm(s.page_width), mm(s.page_height)) == (210, 297)
    assert 20 <= mm(s.top_margin) <= 25 and 20 <= mm(s.bottom_margin) <= 25
    assert 30 <= mm(s.left_margin) <= 35 and 15 <= mm(s.right_margin) <= 20
    normal = d.styles["Normal"]
    assert normal.font.name == "Times New Roman" and Pt(13) <= normal.font.size <= Pt(14)
    fonts = normal.element.rPr.find(f"{W}rFonts")
    assert {fonts.get(f"{W}{a}") for a in ("ascii", "hAnsi", "cs")} == {"Times New Roman"}
    # page numbers centred at the top, from page 2: a PAGE field in the header, none on the first page
    assert s.different_first_page_header_footer
    assert "PAGE" in s.header._element.xml and "PAGE" not in s.first_page_header._element.xml


@pytest.mark.e2e
def test_the_letter_header_block(runs):
    d = letter(runs, "2023-08")
    # Nghị định 30: the issuer's name bold in full, a drawn rule (a border, not typed dashes) under it and under
    # the motto, each no longer than its text
    authority, issuer = find(d, "ỦY BAN NHÂN DÂN"), find(d, "HUYỆN TỨ KỲ")
    assert run_style(issuer, "bold") and run_style(authority, "bold")
    motto = find(d, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert run_style(motto, "bold") and Pt(12) <= run_style(motto, "size") <= Pt(13)
    slogan = find(d, "Độc lập - Tự do - Hạnh phúc")
    assert run_style(slogan, "bold") and Pt(13) <= run_style(slogan, "size") <= Pt(14)
    assert not any("――" in t or "___" in t for t in texts(d))
    head = d.tables[0]
    for cell, width in ((head.cell(0, 0), 62), (head.cell(0, 1), 108)):
        rule = cell.paragraphs[-1]
        bottom = rule._p.find(f"{W}pPr/{W}pBdr/{W}bottom")
        assert rule.text == "" and bottom is not None and bottom.get(f"{W}val") == "single"
        ind = rule._p.find(f"{W}pPr/{W}ind")
        drawn = width - 2 * int(ind.get(f"{W}left")) / 56.7  # twentieths of a point to mm
        assert 15 <= drawn <= 0.6 * width  # a short rule, centred under the text
    # the number and the place and date on one line: the same row of the header table
    assert head.cell(1, 0).paragraphs[0].text == "Số: 1220/UBND-NV"  # the sample's August parameters (seed 002)
    date = head.cell(1, 1).paragraphs[0]
    assert date.text == "Tứ Kỳ, ngày 15 tháng 9 năm 2023" and run_style(date, "italic")
    subject = next(t for t in texts(d) if t.startswith("V/v "))
    assert subject.startswith("V/v biểu dương, nhắc nhở") and subject.endswith("tháng 8/2023")
    body = texts(d)
    at = body.index("Kính gửi:")
    assert body[at + 1 : at + 3] == [
        "- Thủ trưởng các cơ quan chuyên môn thuộc UBND huyện;",
        "- Chủ tịch UBND các xã, thị trấn.",
    ]  # seed 002


@pytest.mark.e2e
def test_the_august_letter_says_what_seed_002_says(runs):
    body = "\n".join(texts(letter(runs, "2023-08")))
    # the area's rates and changes (seed 002's opening)
    for figure in ("97,67%, tăng 0,54%", "99,05%, tăng 0,24%", "80,2%, tăng 29,86%"):
        assert figure in body
    # the sections in the letter's order, the ladder of seed 002 (2, 2, 3, 3) with each reason
    heads = [t for t in body.split("\n") if t[:2] in {f"{n}." for n in range(1, 10)}]
    assert heads[0] == "1. Biểu dương các cơ quan, đơn vị"
    assert "3. Phê bình lần thứ hai đối với UBND các xã Hưng Đạo và Phượng Kỳ" in heads
    assert "4. Phê bình lần thứ ba đối với UBND các xã Dân Chủ và Tiên Động" in heads
    web = "việc đăng tải tin bài, văn bản trên Trang thông tin điện tử chưa cao, chưa đầy đủ, kịp thời"
    for reason in (
        "- UBND xã Hưng Đạo có tỷ lệ hồ sơ thanh toán trực tuyến trong tháng 8/2023 đạt 24,27%; từ ngày "
        f"01/4/2023-31/8/2023 đạt 16,05%, chưa đảm bảo tỷ lệ do UBND tỉnh giao; {web}.",  # the sample's note
        "- UBND xã Phượng Kỳ có tỷ lệ hồ sơ thanh toán trực tuyến trong tháng 8/2023 đạt 13,33%; từ ngày "
        "01/4/2023-31/8/2023 đạt 8,97%, chưa đảm bảo tỷ lệ do UBND tỉnh giao.",
        "- UBND xã Dân Chủ có tỷ lệ hồ sơ thanh toán trực tuyến trong tháng 8/2023 đạt 19,51%; từ ngày "
        f"01/4/2023-31/8/2023 đạt 12,5%, chưa đảm bảo tỷ lệ do UBND tỉnh giao; {web}.",
    ):
        assert reason in body
    assert body.count("Lý do:") == 2
    # the payment window figures of the reminders (seed 002, 2.3) and the request closing that section
    assert "kết quả này tính từ ngày 01/4/2023-31/8/2023 chỉ đạt 28,16%" in body
    assert (
        "Yêu cầu Trưởng phòng Tài chính - Kế hoạch, Chủ tịch UBND các xã Cộng Lạc, Hà Kỳ, Tái Sơn và Tân Kỳ tăng "
        "cường chỉ đạo, xác định giải pháp để triển khai thực hiện trong những tháng còn lại của năm 2023"
    ) in body
    # seed 002's §5, the area's standing requirements, in a letter that criticises
    assert "5. Chủ tịch UBND huyện giao Chủ tịch UBND các xã, thị trấn thực hiện đảm bảo" in heads
    assert "Yêu cầu các cơ quan, đơn vị, UBND các xã, thị trấn nghiêm túc thực hiện./." in body
    # Văn hóa và Thông tin's 50%, as seed 002 says it: low, with its own request
    assert (
        "- Phòng Văn hóa và Thông tin có tỷ lệ số hóa kết quả giải quyết TTHC trong tháng 8/2023 đạt tỷ lệ thấp (50%)"
    ) in body
    # Hà Kỳ is reminded about payment (96,77% in August, 28,3% since April): commended on digitization only
    assert (
        "- UBND xã Hà Kỳ có tỷ lệ số hóa đầy đủ thành phần hồ sơ khi tiếp nhận và số hóa kết quả giải quyết TTHC "
        "trong tháng 8/2023 đạt tỷ lệ cao (tiếp nhận đạt 99,68%; giải quyết đạt 100%)."
    ) in body


@pytest.mark.e2e
def test_the_may_letter_says_what_seed_000_says(runs):
    body = "\n".join(texts(letter(runs, "2023-05")))
    # seed 000 writes "so với cùng kỳ tháng 4/2023"; the package says "so với tháng 4/2023"
    assert (
        "UBND xã Tái Sơn (88,31%), tăng 5,51% so với tháng 4/2023, nhưng vẫn thấp hơn 8,34% mức bình quân "
        "chung của huyện."
    ) in body
    assert "UBND xã Hà Kỳ (85,81%), giảm 11,26% so với tháng 4/2023 và thấp hơn 10,47% mức bình quân chung" in body
    assert "Thực hiện Thông báo số 70/TB-VP ngày 22/5/2023 của Văn phòng UBND tỉnh Hải Dương" in body
    assert "Nhắc nhở lần thứ nhất đối với UBND các xã Ngọc Kỳ và Tiên Động" in body
    # seed 000's groups: the count in two digits, the members after "gồm:"
    assert (
        "- 06 UBND xã có tỷ lệ số hóa kết quả giải quyết TTHC trong tháng 5/2023 đạt tỷ lệ 100%; gồm: UBND các xã "
        "Bình Lãng, Cộng Lạc, Dân Chủ, Ngọc Kỳ, Phượng Kỳ và Quảng Nghiệp."
    ) in body
    assert "- 04 cơ quan có tỷ lệ số hóa đầy đủ thành phần hồ sơ khi tiếp nhận và số hóa kết quả" in body
    assert "Phòng Tài chính - Kế hoạch (tiếp nhận 76/76 hồ sơ, số hóa 77/77 hồ sơ)" in body
    assert (
        "- Có 02 địa phương mặc dù kết quả tăng so với tháng 4/2023, nhưng vẫn thấp hơn mức bình quân chung của "
        "huyện, gồm:"
    ) in body
    assert "Đề nghị Chủ tịch UBND các xã Hưng Đạo và Tái Sơn cần tiếp tục quan tâm chỉ đạo" in body
    # Văn Tố, falling for the second month running, singled out with its own, stronger request
    assert "- Riêng UBND xã Văn Tố (87,06%) tiếp tục có kết quả giảm so với tháng 4/2023 (giảm 1,23%)" in body
    assert "Đề nghị Chủ tịch UBND xã Văn Tố có giải pháp chỉ đạo quyết liệt" in body
    assert body.count("tháng thứ 2 liên tiếp") == 1
    # the e-certification reason said once for both units, and §2.4's standing requests on online payment
    reason = "Tính đến hết ngày 31/5/2023, UBND các xã Ngọc Kỳ và Tiên Động chưa thực hiện chứng thực bản sao"
    assert body.count(reason) == 1
    assert "Đề nghị các cơ quan, đơn vị có phát sinh phí, lệ phí trong thực hiện TTHC" in body
    assert "- Bí thư Đảng ủy các xã, thị trấn;" in body  # seed 000's Nơi nhận (the sample's May parameters)
    flat = " ".join(body.split())
    # not numbered yet: left to fill, never guessed
    assert "Số: …/UBND-NV" in flat and "Tứ Kỳ, ngày … tháng … năm …" in flat


@pytest.mark.e2e
def test_noi_nhan_and_signer(runs):
    d = letter(runs, "2023-08")
    head = find(d, "Nơi nhận:")
    assert run_style(head, "bold") and run_style(head, "italic") and run_style(head, "size") == Pt(12)
    lines = [
        p
        for p in paragraphs(d)
        if p.text.startswith("- ") and p.text.endswith((";", ".")) and p._p.getparent().tag == f"{W}tc"
    ]
    assert lines[0].text == "- Như trên;" and lines[-1].text == "- Lưu: VT, NV."
    assert all(run_style(p, "size") == Pt(11) for p in lines)
    assert run_style(find(d, "CHỦ TỊCH"), "bold") and find(d, "Vũ Thị Hà")


@pytest.mark.e2e
def test_the_appendix_in_word(runs):
    out, _ = runs
    d = docx.Document(str(out / "2023-08" / "phu-luc-2023-08.docx"))
    body = texts(d)
    assert body[0] == "Phụ lục I" and body[1].startswith("DANH SÁCH BIỂU DƯƠNG, NHẮC NHỞ, PHÊ BÌNH")
    assert body[1].endswith("THÁNG 8/2023") and "Phụ lục II" in body
    ref = find(d, "(Kèm theo văn bản số 1220/UBND-NV ngày 15 tháng 9 năm 2023 của UBND huyện Tứ Kỳ)")
    assert run_style(ref, "italic")
    assert run_style(find(d, "Phụ lục I"), "bold") and run_style(find(d, "Phụ lục I"), "size") == Pt(14)
    assert len(d.tables) >= 3
    for table in d.tables:
        assert table.rows[0]._tr.trPr.find(f"{W}tblHeader") is not None  # header repeats on every page
    # a wide appendix on a landscape page; each appendix numbers its own pages
    orientations = [s.page_width > s.page_height for s in d.sections]
    assert True in orientations and len(d.sections) >= 2
    assert all(s._sectPr.find(f"{W}pgNumType").get(f"{W}start") == "1" for s in d.sections)
    cells = {c.text for t in d.tables for r in t.rows for c in r.cells}
    assert {"UBND xã Hưng Đạo", "24,27%"} <= cells  # the same figures, the Vietnamese way


@pytest.mark.e2e
def test_number_date_and_signer_from_the_command_line(runs, tmp_path):
    out, _ = runs
    db = tmp_path / "s.duckdb"
    shutil.copy(out.parent / "cchc.duckdb", db)
    res = run_cli(
        "run",
        "monthly",
        "2023-06",
        "--store",
        str(db),
        "--out",
        str(tmp_path / "o"),
        "--quiet",
        "--number",
        "901/UBND-NV",
        "--date",
        "14/7/2023",
        "--signer",
        "Nguyễn Văn A",
    )
    assert res.returncode == 0, res.stderr
    folder = tmp_path / "o" / "2023-06"
    d = docx.Document(str(folder / "cong-van-2023-06.docx"))
    assert find(d, "Số: 901/UBND-NV") and find(d, "Tứ Kỳ, ngày 14 tháng 7 năm 2023") and find(d, "Nguyễn Văn A")
    line = "(Kèm theo văn bản số 901/UBND-NV ngày 14 tháng 7 năm 2023 của UBND huyện Tứ Kỳ)"
    assert find(docx.Document(str(folder / "phu-luc-2023-06.docx")), line)
    html = (folder / "phu-luc-2023-06.html").read_text(encoding="utf-8")
    assert line in re.sub(r"<[^>]+>", "", html)  # as the reader sees it (the issuer's name is kept on one line)
    pdf = " ".join(p.extract_text() for p in PdfReader(folder / "phu-luc-2023-06.pdf").pages)
    assert line in " ".join(pdf.split())
    bad = run_cli("run", "monthly", "2023-06", "--store", str(db), "--out", str(tmp_path / "o2"), "--date", "31/2/2023")
    assert bad.returncode == 2 and "ngày «31/2/2023» không hợp lệ" in bad.stderr and len(bad.stderr.splitlines()) == 1


def _units_in(sentence: str) -> set[str]:
    """The commune names a report sentence lists in parentheses or after "gồm", without "UBND", "xã", "các"."""
    inside = re.findall(r"\(([^()]*)\)|gồm:? ([^.]*)", sentence)
    names = set()
    for a, b in inside:
        for part in re.split(r",| và ", a or b):
            name = re.sub(r"^(trừ )?(UBND )?(các )?(xã |thị trấn )?", "", part.strip())
            if name and not re.search(r"\d", name):
                names.add("TT Tứ Kỳ" if part.strip().endswith("thị trấn Tứ Kỳ") else name)
    return names


@pytest.mark.e2e
def test_the_report_follows_seed_003(semiannual_run):
    folder, _ = semiannual_run
    d = docx.Document(str(folder / "bao-cao-2023-H1.docx"))
    body = texts(d)
    flat = "\n".join(body)
    # title and opening reference from the sample's params (seed 003)
    assert (
        "Sơ kết công tác Cải cách hành chính 6 tháng đầu năm 2023 và phương hướng, nhiệm vụ Cải cách hành chính 6 "
        "tháng cuối năm 2023"
    ) in body
    assert next(t for t in body if t.startswith("Thực hiện Kế hoạch số 116/KH-UBND ngày 16/6/2023"))
    # a drawn rule under the title
    title = find(d, "BÁO CÁO")
    after = title._p.getnext().getnext()
    assert after.find(f"{W}pPr/{W}pBdr/{W}bottom") is not None
    # each field closes with its score estimate, naming the communes seed 003 names for each band
    heads = [i for i, t in enumerate(body) if re.match(r"^[1-7]\. ", t)][:7]
    estimates = [t for t in body if t.startswith("* Về ước chấm điểm chỉ số CCHC trong lĩnh vực")]
    assert len(estimates) == 7
    for n, (start, estimate) in enumerate(zip(heads, estimates, strict=True)):
        end = heads[n + 1] if n + 1 < len(heads) else body.index("II. ĐÁNH GIÁ CHUNG")
        assert body.index(estimate, start) == end - 1  # the last paragraph of its field
    direction = estimates[0]
    eighty = direction[direction.index("từ 80% đến dưới 90%") :].split(".")[0]
    assert _units_in(eighty) == {
        "Quang Trung", "Chí Minh", "Quang Khải", "Tái Sơn", "Đại Hợp", "Đại Sơn", "Hưng Đạo", "Tân Kỳ",
        "Quảng Nghiệp", "Hà Kỳ",
    }  # fmt: skip
    procedures = estimates[2]
    ninety = procedures[procedures.index("từ 90% đến 100%") :].split(".")[0]
    assert _units_in(ninety) == {
        "Phượng Kỳ", "Ngọc Kỳ", "Quang Trung", "Chí Minh", "Quang Khải", "An Thanh", "Tái Sơn", "Đại Hợp",
        "Đại Sơn", "Nguyên Giáp", "Hà Thanh", "Quang Phục", "Cộng Lạc", "Bình Lãng", "Văn Tố", "Tiên Động",
    }  # fmt: skip
    finance = estimates[5]
    low = finance[finance.index("từ 80% đến dưới 90%") :].split(".")[0]
    assert _units_in(low) == {"Đại Hợp", "Quảng Nghiệp", "Hà Kỳ", "Tiên Động", "TT Tứ Kỳ"}
    # the procedures field: the district desk's online dossiers by department (seed 003)
    for figure in ("462/462 hồ sơ", "124/124 hồ sơ", "523/523 hồ sơ", "496/496 hồ sơ", "49/53 hồ sơ (tỷ lệ 92,45%)"):
        assert figure in flat
    assert "UBND xã Quảng Nghiệp (99,19%)" in flat
    assert "số hóa đầy đủ thành phần hồ sơ là 98%, số hóa kết quả giải quyết là 98,89%" in flat
    assert "như UBND các xã Chí Minh, Hà Thanh, Minh Đức, Ngọc Kỳ, Phượng Kỳ, Quang Khải" in flat
    # online payment 01/4–30/6 split by desk; e-certification; reuse
    assert "Ở cấp huyện đạt 25,6%, chưa đạt chỉ tiêu do UBND tỉnh giao (30%)." in body
    payment = next(t for t in body if t.startswith("Đối với cấp xã: Có 09 UBND"))
    assert "13 UBND" in payment and "01 UBND xã chưa thực hiện thanh toán trực tuyến (UBND xã Tân Kỳ)" in payment
    assert "có 23/23 UBND xã, thị trấn triển khai thực hiện chứng thực bản sao điện tử" in flat
    reuse = next(t for t in body if "chưa khai thác, sử dụng lại" in t)
    assert "còn 19 UBND" in reuse and _units_in(reuse) == {"An Thanh", "Hưng Đạo", "Văn Tố", "TT Tứ Kỳ"}
    # the general assessment: the area's score against its maximum, the communes' ranks and bands
    assert "đạt được là 62,12 điểm, đạt 85,68% (điểm tối đa là 72,5 điểm)" in flat
    for rank in ("Tiên Động xếp thứ 23 (năm 2022 xếp thứ 20)", "Quang Phục xếp thứ 17 (năm 2022 xếp thứ 15)"):
        assert rank in flat
    good = next(t for t in body if "dự kiến xếp loại ở mức Hoàn thành tốt nhiệm vụ" in t)
    assert good.startswith("Có 14 UBND xã") and "(điểm tối đa là 74 điểm)" in good
    # signed on the committee's behalf, with the report's own recipients
    assert find(d, "TM. ỦY BAN NHÂN DÂN") and "- Sở Nội vụ tỉnh Hải Dương;" in body
    assert "- Bí thư Đảng ủy các xã, thị trấn;" not in body and "- Như trên;" not in body
    assert (
        "Trên đây là Báo cáo sơ kết công tác Cải cách hành chính 6 tháng đầu năm 2023 và phương hướng, nhiệm vụ Cải "
        "cách hành chính 6 tháng cuối năm 2023 của Ủy ban nhân dân huyện Tứ Kỳ./."
    ) in body


@pytest.mark.e2e
def test_the_semiannual_report_in_word(semiannual_run):
    folder, _ = semiannual_run
    d = docx.Document(str(folder / "bao-cao-2023-H1.docx"))
    body = "\n".join(texts(d))
    assert "BÁO CÁO" in body and "Số: …/BC-UBND" in " ".join(body.split())
    # seed 003's figures for the two desks
    for figure in (
        "Tiếp nhận 1.698 hồ sơ",
        "kỳ trước chuyển sang giải quyết: 28 hồ sơ",
        "1.641/1.642 hồ sơ đạt tỷ lệ 99,94%",
        "Tiếp nhận 23.664 hồ sơ",
        "23.359/23.378 hồ sơ đạt tỷ lệ 99,92%",
        "19 hồ sơ giải quyết quá hạn",
        "1.666/1.670 hồ sơ đạt tỷ lệ 99,76%",
        "22.816/22.903 hồ sơ đạt tỷ lệ 99,62%",
        "22.506/23.521 hồ sơ đạt tỷ lệ 95,68%",
    ):
        assert figure in body
    assert "UBND xã Hà Kỳ (04)" in body and "(chiếm tỷ lệ 0,06%)" in body  # late dossiers, as seed 003
    assert "[Phần này do cán bộ phụ trách viết]" in body  # narrative left to the analyst, marked
    assert "Vũ Thị Hà" in body
    # in the annexes, the score sentences follow their landscape table on a portrait page, as in the PDF
    annex = docx.Document(str(folder / "phu-luc-2023-H1.docx"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    orient, seen = [], False
    for el in annex.element.body:  # a section's properties close it: the first after the sentence is its own
        seen = seen or "dự kiến xếp loại" in "".join(t.text or "" for t in el.iter(f"{w}t"))
        sect = el if el.tag == f"{w}sectPr" else el.find(f"{w}pPr/{w}sectPr")
        if seen and sect is not None:
            size = sect.find(f"{w}pgSz")
            orient.append(int(size.get(f"{w}w")) < int(size.get(f"{w}h")))
            break
    assert orient == [True]


@pytest.mark.e2e
def test_libreoffice_prints_the_letter_and_the_appendix(runs, tmp_path):
    assert shutil.which("soffice"), "LibreOffice is missing: make test installs it (scripts/sysdeps.sh --test)"
    out, _ = runs
    for name in ("cong-van-2023-08.docx", "phu-luc-2023-08.docx"):
        res = subprocess.run(
            [
                "soffice",
                "--headless",
                f"-env:UserInstallation=file://{tmp_path}/lo",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path),
                str(out / "2023-08" / name),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert res.returncode == 0, res.stderr
        pdf = PdfReader(tmp_path / name.replace(".docx", ".pdf"))
        text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
        box = pdf.pages[0].mediabox
        assert abs(float(box.width) - 595.3) < 2 and abs(float(box.height) - 841.9) < 2  # A4 portrait
        if name.startswith("cong-van"):
            assert "Phê bình lần thứ ba đối với UBND các xã Dân Chủ và Tiên Động" in text and "Vũ Thị Hà" in text
            assert len(pdf.pages) >= 2 and "2" in pdf.pages[1].extract_text().split()[:3]  # numbered from page 2
        else:
            assert "UBND xã Hưng Đạo" in text and "24,27%" in text


def test_an_office_restyles_the_letter_in_its_workspace(tmp_path, monkeypatch):
    from cchc_analysis.render import write_template

    res = run_cli("init", str(tmp_path / "ws"))
    assert res.returncode == 0, res.stderr
    template = tmp_path / "ws" / "templates" / "cong-van.docx"
    assert template.is_file() and (tmp_path / "ws" / "templates" / "phu-luc.docx").is_file()
    d = docx.Document(str(template))
    d.styles["Normal"].font.size = Pt(13)
    d.add_paragraph("Bản của văn phòng: {{ heading.issuer }}")
    d.save(str(template))
    monkeypatch.chdir(tmp_path / "ws")
    context = {
        "heading": {"authority": "A", "issuer": "HUYỆN X", "number": "", "place_date": "", "subject": ""},
        "recipients": [],
        "opening": [],
        "parts": [],
        "closing": "",
        "copies": [],
        "signer": {"on_behalf": None, "title": "", "name": ""},
        "notice": None,
    }
    write_template("cong-van.docx", context, tmp_path / "made.docx")
    made = docx.Document(str(tmp_path / "made.docx"))
    assert made.styles["Normal"].font.size == Pt(13) and "Bản của văn phòng: HUYỆN X" in texts(made)


def test_hostile_names_stay_text_in_word(tmp_path):
    from cchc_analysis.render import write_template

    evil = 'UBND xã <w:p>{{ x }}{%p if 1 %}& "Tân" </w:t>'
    write_template(
        "cong-van.docx",
        {
            "heading": {"authority": evil, "issuer": "X", "number": "Số: 1", "place_date": "", "subject": ""},
            "recipients": [evil],
            "opening": [evil],
            "parts": [],
            "closing": "",
            "copies": [evil],
            "signer": {"on_behalf": None, "title": "", "name": evil},
            "notice": None,
        },
        tmp_path / "x.docx",
    )
    d = docx.Document(str(tmp_path / "x.docx"))
    assert f"- {evil}." in texts(d) and evil in texts(d)
    with zipfile.ZipFile(tmp_path / "x.docx") as z:
        assert "<w:p>{{" not in z.read("word/document.xml").decode()


def test_the_letter_names_units_as_letters_do():
    from cchc_analysis.core.params import load_params
    from cchc_analysis.documents.letter import area_words
    from cchc_analysis.documents.situations import addressees
    from cchc_analysis.documents.situations import names as units_phrase
    from cchc_analysis.inputs.units import Unit

    def row(uid, name, short, kind):
        return {"unit_id": uid, "unit": name, "short_name": short, "unit_kind": kind}

    rows = [
        row("a", "Phòng Tài chính - Kế hoạch", "Tài chính - Kế hoạch", "phong_ban"),
        row("b", "UBND phường Hòa Bình", "Hòa Bình", "phuong"),
        row("c", "UBND xã Yên Lạc", "Yên Lạc", "xa"),
        row("d", "UBND phường Tân An", "Tân An", "phuong"),
        row("b", "UBND phường Hòa Bình", "Hòa Bình", "phuong"),
        row("e", "Thanh tra thành phố", "Thanh tra", "co_quan"),
    ]
    assert units_phrase(rows) == (
        "Phòng Tài chính - Kế hoạch, Thanh tra thành phố, UBND các phường Hòa Bình và Tân An, UBND xã Yên Lạc"
    )
    assert addressees(rows) == (
        "Trưởng phòng Tài chính - Kế hoạch, Thủ trưởng Thanh tra thành phố, Chủ tịch UBND các "
        "phường Hòa Bình và Tân An, Chủ tịch UBND xã Yên Lạc"
    )
    params = load_params()
    province = Unit("t", "UBND tỉnh Bắc Ninh", "tỉnh Bắc Ninh", "tinh", "", None, None, ())
    assert area_words(params, province) == ("tỉnh Bắc Ninh", "Bắc Ninh")
    bare = Unit("h", "UBND huyện Gia Lâm", "Gia Lâm", "huyen", "", None, None, ())
    assert area_words(params, bare) == ("huyện Gia Lâm", "Gia Lâm")


def test_a_letter_template_with_a_broken_field_is_one_line(tmp_path, monkeypatch):
    from cchc_analysis.core.exceptions import CchcError
    from cchc_analysis.render import write_template

    assert run_cli("init", str(tmp_path / "ws")).returncode == 0
    template = tmp_path / "ws" / "templates" / "cong-van.docx"
    d = docx.Document(str(template))
    d.add_paragraph("Kính gửi: {{ heading.issuer ")  # an office typed a field and did not close it
    d.save(str(template))
    monkeypatch.chdir(tmp_path / "ws")
    with pytest.raises(CchcError) as caught:
        write_template("cong-van.docx", {}, tmp_path / "made.docx")
    message = str(caught.value)
    assert "\n" not in message and "cong-van.docx" in message and "có chỗ điền sai" in message
    assert not (tmp_path / "made.docx").exists()

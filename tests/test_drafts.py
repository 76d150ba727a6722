"""check-report reads what a reader sees (issue 27, item 6): no deleted, moved-away, hidden or field-code text,
each text box once, a table row as one line; bidirectional controls and files that are not drafts are refused,
never read as an empty draft that "adds up"."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest

from cchc_analysis.core.exceptions import CchcError
from cchc_analysis.inputs.drafts import read_text

from conftest import run_cli

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(tmp_path: Path, body_xml: str, name: str = "du-thao.docx") -> Path:
    """A Word file whose body is ``body_xml`` (WordprocessingML), built on python-docx's blank document."""
    base = tmp_path / "base.docx"
    docx.Document().save(str(base))
    target = tmp_path / name
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(target, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                start = text.index("<w:body>") + len("<w:body>")
                end = text.index("<w:sectPr")
                data = (text[:start] + body_xml + text[end:]).encode("utf-8")
            out.writestr(item, data)
    return target


def _p(*runs: str) -> str:
    return "<w:p>" + "".join(runs) + "</w:p>"


def _r(text: str, props: str = "") -> str:
    return f'<w:r>{f"<w:rPr>{props}</w:rPr>" if props else ""}<w:t xml:space="preserve">{text}</w:t></w:r>'


def test_only_the_visible_text_is_read(tmp_path):
    textbox = (
        '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        '<mc:Choice Requires="wps"><w:drawing><w:txbxContent>'
        + _p(_r("Trong hộp: 3/4 đạt 75%"))
        + "</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>"
        + _p(_r("Trong hộp: 3/4 đạt 75%"))
        + "</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent>"
    )
    body = (
        _p(
            _r("Số hóa 90/100 đạt "),
            '<w:del w:id="1" w:author="A"><w:r><w:delText>80%</w:delText></w:r></w:del>',
            '<w:ins w:id="2" w:author="A">' + _r("90%") + "</w:ins>",
        )
        + _p(_r("Ẩn: 1/2 đạt 70%", "<w:vanish/>"), _r("Hiện"))
        + _p('<w:moveFrom w:id="3" w:author="A">' + _r("Đã chuyển đi 5/5") + "</w:moveFrom>")
        + _p("<w:r>" + textbox + "</w:r>")
        + "<w:tbl><w:tr><w:tc>"
        + _p(_r("1"))
        + "</w:tc><w:tc>"
        + _p(_r("UBND xã Hà Kỳ"))
        + "</w:tc><w:tc>"
        + _p(_r("85,81%"))
        + "</w:tc></w:tr></w:tbl>"
    )
    text = read_text(_docx(tmp_path, body))
    lines = text.splitlines()
    assert lines[0] == "Số hóa 90/100 đạt 90%"  # the tracked insertion, not the deleted 80%
    assert "Ẩn" not in text and "Hiện" in text and "Đã chuyển đi" not in text
    assert text.count("Trong hộp: 3/4 đạt 75%") == 1  # a text box once, not once per copy Word keeps
    assert "1 | UBND xã Hà Kỳ | 85,81%" in lines
    res = run_cli("check-report", str(tmp_path / "du-thao.docx"))
    assert res.returncode == 0, res.stdout  # 90/100 = 90% and 3/4 = 75%: the hidden 1/2 ≠ 70% is not the reader's


@pytest.mark.parametrize("control", ["\u202e", "\u2067", "\u202a"])
def test_bidirectional_controls_are_refused(tmp_path, control):
    path = _docx(tmp_path, _p(_r(f"Tỷ lệ đạt {control}%58,29")))
    with pytest.raises(CchcError, match=f"U\\+{ord(control):04X}"):
        read_text(path)
    text = tmp_path / "x.txt"
    text.write_text(f"dòng một\nTỷ lệ {control}đạt 92,85%\n", encoding="utf-8")
    res = run_cli("check-report", str(text))
    assert res.returncode == 1 and "dòng 2" in res.stderr and "0 chỗ" not in res.stdout


def test_files_that_are_not_drafts_are_refused_never_zero(tmp_path):
    rtf = tmp_path / "du-thao.rtf"
    rtf.write_text("{\\rtf1\\ansi 1.640/1.670 đạt 98,23%}", encoding="utf-8")
    renamed_rtf = tmp_path / "du-thao.txt"
    renamed_rtf.write_bytes(rtf.read_bytes())
    odt = tmp_path / "du-thao.odt"
    odt.write_bytes(b"PK\x03\x04not really")
    from openpyxl import Workbook

    book = tmp_path / "bang.xlsx"
    Workbook().save(book)
    workbook_as_docx = tmp_path / "bang.docx"
    workbook_as_docx.write_bytes(book.read_bytes())
    zipped_txt = tmp_path / "nen.txt"
    zipped_txt.write_bytes(book.read_bytes())
    for path in (rtf, renamed_rtf, odt, workbook_as_docx, zipped_txt):
        res = run_cli("check-report", str(path))
        assert res.returncode in (1, 2) and res.stderr.startswith("lỗi:"), (path.name, res.stdout, res.stderr)
        assert "0 chỗ không khớp" not in res.stdout


def test_a_docx_that_inflates_past_the_limits_is_refused(tmp_path):
    bomb = tmp_path / "bom.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", f"<w:document {W}><w:body>" + " " * (80 << 20) + "</w:body></w:document>")
    assert bomb.stat().st_size < 1 << 20
    res = run_cli("check-report", str(bomb))
    assert res.returncode == 1 and "giải nén ra quá lớn" in res.stderr

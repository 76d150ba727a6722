"""What a reader sees in a draft: the text of a .txt or .docx file, as ``cchc check-report`` checks it.

A draft is a file from outside. Only what a reader of the printed document sees is read: no deleted or moved-from
text of tracked changes, no hidden text, no field codes, each text box once (Word stores a drawing and its
fallback copy), a table row as one line ("1 | UBND xã Hà Kỳ | 85,81%") so its figures stay with their unit.
Bidirectional controls, which make the text displayed differ from the text stored, are refused; so is a file
that is neither (an .rtf, an .odt, a workbook renamed .docx), never read as an empty draft.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from cchc_analysis.core.exceptions import CchcError, UsageError
from cchc_analysis.core.textnorm import nfc

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# subtrees a reader never sees: deleted and moved-away text, field instructions, the fallback copy of a drawing
_UNSEEN = {f"{_W}del", f"{_W}moveFrom", f"{_W}delText", f"{_W}instrText", f"{_MC}Fallback", f"{_W}rPr", f"{_W}pPr"}
_CONTAINERS = {f"{_W}ins", f"{_W}moveTo", f"{_W}customXml", f"{_W}smartTag", f"{_W}sdtContent"}
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_TEXT_SUFFIXES = {".txt", ".text", ".md", ""}


def read_text(path: Path) -> str:
    """The draft's visible text, NFC, one line per paragraph or table row."""
    if not path.is_file():
        raise UsageError(f"không tìm thấy tệp {path}")
    suffix = path.suffix.lower()
    if suffix in (".docx", ".docm"):
        text = _docx_text(path)
    elif suffix in _TEXT_SUFFIXES:
        text = _plain_text(path)
    else:
        raise CchcError(
            f"{path.name}: chưa đọc được tệp dạng «{suffix}» — mở bằng Word và lưu lại dạng .docx (hoặc .txt UTF-8)"
        )
    _refuse_bidi(path.name, text)
    return text


def _plain_text(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith(b"{\\rtf"):
        raise CchcError(f"{path.name}: là tệp RTF đổi tên — mở bằng Word và lưu lại dạng .docx")
    if data.startswith(b"PK\x03\x04") or b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CchcError(
            f"{path.name}: không phải tệp văn bản (tệp nén hay nhị phân đổi tên) — lưu lại dạng .docx hoặc .txt UTF-8"
        )
    for encoding in ("utf-8-sig", "utf-16", "cp1258"):
        if encoding == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            return nfc(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise CchcError(f"{path.name}: không đọc được văn bản (cần UTF-8) — lưu lại tệp dạng .txt UTF-8 hoặc .docx")


def _docx_text(path: Path) -> str:
    from cchc_analysis.inputs.readers import Unreadable, check_zip

    try:
        if not zipfile.is_zipfile(path):
            raise zipfile.BadZipFile
        check_zip(path.name, path)
        with zipfile.ZipFile(path) as z:
            xml = z.read("word/document.xml")
    except Unreadable as exc:
        raise CchcError(str(exc.problem)) from None
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise CchcError(
            f"{path.name}: không phải tệp Word .docx hợp lệ ({type(exc).__name__}) — mở bằng Word và lưu lại dạng .docx"
        ) from None
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise CchcError(
            f"{path.name}: nội dung Word bị hỏng (XML dòng {exc.position[0]}) — mở bằng Word và lưu lại dạng .docx"
        ) from None
    body = root.find(f"{_W}body")
    return nfc("\n".join(_blocks(body) if body is not None else []))


def _blocks(container: ElementTree.Element) -> list[str]:
    """Lines of a body, cell, text box or content control: a paragraph each, a table row each."""
    lines: list[str] = []
    for child in container:
        if child.tag == f"{_W}p":
            text: list[str] = []
            boxes: list[str] = []
            _visible(child, text, boxes)
            lines.append("".join(text))
            lines += boxes
        elif child.tag == f"{_W}tbl":
            for row in child.findall(f"{_W}tr"):
                cells = [" ".join(_blocks(cell)).strip() for cell in row.findall(f"{_W}tc")]
                lines.append(" | ".join(cells))
        elif child.tag in _CONTAINERS or child.tag == f"{_W}sdt":
            lines += _blocks(child)
    return lines


def _visible(elem: ElementTree.Element, text: list[str], boxes: list[str]) -> None:
    """The visible text of a paragraph's subtree into ``text``; its text boxes' lines into ``boxes``."""
    if elem.tag in _UNSEEN or (elem.tag == f"{_W}r" and _hidden(elem)):
        return
    if elem.tag == f"{_W}txbxContent":
        boxes += _blocks(elem)
        return
    if elem.tag == f"{_W}t":
        text.append(elem.text or "")
    elif elem.tag == f"{_W}tab":
        text.append("\t")
    elif elem.tag in (f"{_W}br", f"{_W}cr"):
        text.append(" ")
    for child in elem:
        _visible(child, text, boxes)


def _hidden(run: ElementTree.Element) -> bool:
    """A run formatted as hidden text (w:vanish), which Word neither shows nor prints."""
    props = run.find(f"{_W}rPr")
    vanish = props.find(f"{_W}vanish") if props is not None else None
    return vanish is not None and vanish.get(f"{_W}val", "true").lower() not in ("0", "false", "off")


def _refuse_bidi(name: str, text: str) -> None:
    found = _BIDI.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise CchcError(
            f"{name}, dòng {line}: có ký tự điều khiển hướng chữ (U+{ord(found.group(0)):04X}) làm chữ hiển thị khác "
            "với nội dung thật — xóa ký tự đó (gõ lại đoạn văn) rồi kiểm tra lại"
        )

"""Compare two output folders as a reader would: the text of every HTML, Word, PDF and CSV file, every cell of
every workbook, the notebooks' outputs and the manifests, times and durations aside.

    python scripts/compare_outputs.py BEFORE AFTER

Used to show that a change which should not change behaviour (a refactoring) leaves `make demo`'s documents as
they were. Exits 1 and prints the first differing lines of each file that differs.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
from pypdf import PdfReader

# what changes from one run to the next by design: clocks, durations, versions of the run's own environment
_VOLATILE = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)?"  # timestamps
    r"|\b\d+[,.]\d+ ?(giây|s)\b"  # durations
    r"|/tmp/[^\s\"']+"  # temporary paths
    r"|\b[0-9a-f]{64}\b"  # a file's hash: the files themselves are compared by their text
)
_VOLATILE_KEYS = {"created", "started", "finished", "duration", "seconds", "elapsed", "start_time", "end_time"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:  # noqa: ARG002 - HTMLParser's signature
        if tag in {"script", "style"}:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def _html(path: Path) -> list[str]:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.parts


def _docx(path: Path) -> list[str]:
    lines = []
    with zipfile.ZipFile(path) as z:
        for name in sorted(n for n in z.namelist() if n.startswith("word/") and n.endswith(".xml")):
            xml = z.read(name).decode("utf-8")
            for para in re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S):
                text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", para))
                if text.strip():
                    lines.append(f"{name}: {text}")
    return lines


def _xlsx(path: Path) -> list[str]:
    book = openpyxl.load_workbook(path)
    lines = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    lines.append(f"{sheet.title}!{cell.coordinate}={cell.value!r} [{cell.number_format}]")
    return lines


def _pdf(path: Path) -> list[str]:
    return [line for page in PdfReader(path).pages for line in (page.extract_text() or "").splitlines()]


def _csv(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [" | ".join(row) for row in csv.reader(f)]


def _json_lines(value: object, where: str = "") -> list[str]:
    if isinstance(value, dict):
        return [
            line for k, v in sorted(value.items()) if k not in _VOLATILE_KEYS for line in _json_lines(v, f"{where}.{k}")
        ]
    if isinstance(value, list):
        return [line for i, v in enumerate(value) for line in _json_lines(v, f"{where}[{i}]")]
    return [f"{where}={value!r}"]


def _ipynb(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    lines = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown":  # the code is not what a reader sees; the notebook's HTML has none
            lines.append(f"[{i}] markdown: {''.join(cell['source'])}")
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            text = out.get("text") or data.get("text/plain") or data.get("text/markdown") or data.get("text/html") or ""
            lines.append(f"[{i}] {out.get('output_type')}: {''.join(text) if isinstance(text, list) else text}")
    return lines


_READERS = {".html": _html, ".docx": _docx, ".xlsx": _xlsx, ".pdf": _pdf, ".csv": _csv, ".ipynb": _ipynb}


def text_of(path: Path) -> list[str]:
    if path.suffix == ".json":
        lines = _json_lines(json.loads(path.read_text(encoding="utf-8")))
    elif path.suffix in _READERS:
        lines = _READERS[path.suffix](path)
    else:
        lines = [path.read_bytes().hex()]
    return [_VOLATILE.sub("…", line) for line in lines]


def compare(before: Path, after: Path) -> int:
    names = sorted({p.relative_to(before) for p in before.rglob("*") if p.is_file()})
    names_after = sorted({p.relative_to(after) for p in after.rglob("*") if p.is_file()})
    differ = 0
    for name in sorted(set(names) ^ set(names_after)):
        print(f"only in {'before' if name in names else 'after'}: {name}")
        differ += 1
    for name in names:
        if name not in names_after:
            continue
        a, b = text_of(before / name), text_of(after / name)
        if a != b:
            differ += 1
            print(f"differs: {name}")
            for line in list(difflib.unified_diff(a, b, lineterm="", n=0))[2:12]:
                print("   ", line[:200])
    print(f"{len(names)} files compared, {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(compare(Path(sys.argv[1]), Path(sys.argv[2])))

"""Read an input file (CSV or XLSX) into header cells and data rows, keeping spreadsheet positions."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cchc_analysis.core.exceptions import Problem, row_runs
from cchc_analysis.core.textnorm import NOT_TEXT_HELP, clean, nfc, not_text

DATA_SHEET = "so_lieu"
MAX_HEADER_SCAN = 25  # rows searched for the header (titles, signatures of the issuer … come above it)


def cell_text(value: Any) -> str:
    """A cell as text: NFC, white space folded; "" when empty."""
    return "" if value is None else clean(str(value))


@dataclass
class InputTable:
    """A table read from a file: its header cells and its rows, each with the number a spreadsheet shows. Every
    parser of the package reads its input through this: where the header is, the rows under it, and where a
    problem is (file, sheet, row, column letter and the header written above it)."""

    file: str  # the name shown in messages
    sheet: str | None
    header: list[str]  # header text per column (index 0 = column A); a two-row header as "Group / Leaf"
    rows: list[tuple[int, list[Any]]]  # (spreadsheet row number, cell values)
    header_row: int = 1  # where the header is, as the spreadsheet numbers rows
    read_as: str = ""  # how the file was read, for a message when its header is not recognised

    def describe(self) -> str:
        """What the reader took the file for and what its header row holds, for a one-line message."""
        shown = ", ".join(f"«{h[:30]}»" for h in self.header[:4] if h)
        more = f" … ({len(self.header)} cột)" if len(self.header) > 4 else ""
        return f"{self.read_as}; dòng tiêu đề: {shown or '(trống)'}{more}"

    def numbered(self) -> list[tuple[int, list[Any]]]:
        """Every row, the header's included, with its number: what a report's layout is searched in."""
        return [(self.header_row, list(self.header)), *self.rows]

    def first(self, count: int) -> list[tuple[int, list[Any]]]:
        """The first ``count`` rows of ``numbered()`` (the title rows above a report's header), without copying
        the rest."""
        return [(self.header_row, list(self.header)), *self.rows[: max(count - 1, 0)]][:count]

    def number_of(self, index: int) -> int:
        """The spreadsheet number of ``numbered()[index]``."""
        return self.header_row if index == 0 else self.rows[index - 1][0]

    def with_header_at(self, index: int) -> InputTable:
        """The same table read with ``rows[index]`` as its header (a title was typed above the header)."""
        row_no, values = self.rows[index]
        header = ["" if v is None else str(v).strip() for v in values]
        return InputTable(self.file, self.sheet, header, self.rows[index + 1 :], row_no, self.read_as)

    def below(self, index: int, header: list[str], header_row: int) -> InputTable:
        """The rows from ``rows[index]`` on, under a header found elsewhere (a report's header block)."""
        return InputTable(self.file, self.sheet, header, self.rows[index:], header_row, self.read_as)

    def find_header(self, fits: Callable[[InputTable], bool]) -> InputTable | None:
        """The table read from the header that ``fits``: the first row, else the first of the next rows."""
        return self if fits(self) else self.header_below(fits)

    def header_below(self, fits: Callable[[InputTable], bool], scan: int = MAX_HEADER_SCAN) -> InputTable | None:
        """The table read from the first of the next ``scan`` rows that ``fits`` as its header: titles typed above
        the header are skipped the same way in every file the package reads."""
        for k in range(min(scan, len(self.rows))):
            trial = self.with_header_at(k)
            if fits(trial):
                return trial
        return None

    def skipped(self, rows: list[int]) -> str:
        """The notice for rows with no figure at all: their units have not reported."""
        return (
            f"{self.file}: bỏ qua {len(rows)} dòng không có số liệu (dòng {row_runs(rows)}) "
            "— các đơn vị đó coi như chưa báo cáo"
        )

    def problem(self, message: str, row: int | None = None, index: int | None = None) -> Problem:
        """A problem located in this table: the file, a row, a cell (``index``: its column, 0 = A)."""
        if index is None:
            return Problem(self.file, message, self.sheet, row)
        header = self.header[index] if index < len(self.header) else None
        return Problem(self.file, message, self.sheet, row, column_letter(index), header or None)

    def located(self, columns: Mapping[str, int] | None = None) -> Iterator[InputRow]:
        """The rows under the header, each reading its cells by column name (``columns``) or index."""
        names = dict(columns or {})
        for row_no, values in self.rows:
            yield InputRow(self, row_no, values, names)


@dataclass(frozen=True)
class InputRow:
    """One row of a table: its cells by column name or index, and its problems located in its cells."""

    table: InputTable
    number: int
    values: list[Any]
    columns: Mapping[str, int]

    def index(self, key: str | int) -> int | None:
        return key if isinstance(key, int) else self.columns.get(key)

    def __getitem__(self, key: str | int) -> Any:
        """The cell's value; None past the row's end or for a column the table does not have."""
        i = self.index(key)
        return self.values[i] if i is not None and i < len(self.values) else None

    def text(self, key: str | int) -> str:
        """The cell as text: NFC, white space folded; "" when empty."""
        return cell_text(self[key])

    def problem(self, key: str | int | None, message: str) -> Problem:
        """A problem in this row, in the cell of column ``key`` when given."""
        return self.table.problem(message, self.number, None if key is None else self.index(key))


class Unreadable(Exception):
    """The file cannot be read at all; ``problem`` says why and what to do."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


def sha256_file(path: Path) -> str:
    """A file's SHA-256, read in 1 MiB chunks: what identifies an input in the store and a run's manifest."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# Limits on a zip-based file (.xlsx, .docx) checked before any parser opens it: far above any real export or
# draft (a national month's workbook is a few MB), far below what would exhaust memory.
ZIP_MAX_PARTS = 10_000
ZIP_MAX_PART = 64 << 20  # bytes, one part uncompressed
ZIP_MAX_TOTAL = 256 << 20  # bytes, all parts uncompressed
ZIP_MAX_RATIO = 100  # uncompressed / compressed, for a part over 1 MB
EXCEL_MAX_CELL = 32_767  # characters: Excel's own limit for a cell
# rows of one unit-month table: a national year is 3.351 units × 12 months, about 40.000; a file past this is not
# an export of statistics (a dossier list goes through cchc ingest-dossiers, which streams)
MAX_TABLE_ROWS = 500_000


def _too_many_rows(name: str, rows: int, sheet: str | None = None) -> Unreadable:
    return Unreadable(
        Problem(
            name,
            f"có hơn {MAX_TABLE_ROWS:,} dòng".replace(",", ".")
            + " — quá nhiều cho một tệp số liệu đơn vị – tháng; danh sách từng hồ sơ thì nhập bằng cchc ingest-dossiers",
            sheet=sheet,
            row=rows,
        )
    )


def check_zip(name: str, data: bytes | Path) -> None:
    """Refuse, in one line, a zip-based file whose parts would inflate past the limits (a zip bomb), before it
    is parsed. The sizes are the archive's own: zipfile never reads a part past its declared size."""
    try:
        with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        excel = Path(name).suffix.lower() in (".xlsx", ".xlsm")
        what, app = ("tệp Excel", "Excel") if excel else ("tệp Word", "Word")
        raise Unreadable(
            Problem(name, f"{what} bị hỏng hoặc không đọc được ({type(exc).__name__}) — mở và lưu lại bằng {app}")
        ) from None
    if len(parts) > ZIP_MAX_PARTS:
        raise Unreadable(Problem(name, f"có {len(parts)} phần bên trong, quá nhiều cho một tệp số liệu hay văn bản"))
    total = 0
    for part in parts:
        total += part.file_size
        big = part.file_size > ZIP_MAX_PART
        packed = part.file_size > (1 << 20) and part.file_size > ZIP_MAX_RATIO * max(part.compress_size, 1)
        if big or packed or total > ZIP_MAX_TOTAL:
            raise Unreadable(
                Problem(
                    name,
                    f"giải nén ra quá lớn (phần «{part.filename[:60]}» {part.file_size >> 20} MB từ "
                    f"{max(part.compress_size >> 10, 1)} KB) — không phải tệp số liệu hay văn bản bình thường; xuất "
                    "hoặc lưu lại tệp từ hệ thống, từ Excel hay Word",
                )
            )


def column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter  # openpyxl loads with the first spreadsheet, not on import

    return get_column_letter(index + 1)


def read_table(path: Path, sheet: str = DATA_SHEET) -> InputTable:
    """The table in a CSV file, or in an XLSX file's sheet ``sheet`` (else its first sheet); a cell holding a
    character that is not text (a control, bidirectional or zero-width character) is refused with its place."""
    table = _read_table(path, sheet)
    cells = [(1, list(table.header))] if table.header_row == 1 else []
    for row_no, values in [*cells, *table.rows]:
        for j, v in enumerate(values):
            code = not_text(v) if isinstance(v, str) else None
            if code:
                raise Unreadable(
                    Problem(table.file, f"ô có {code}: {NOT_TEXT_HELP}", table.sheet, row_no, column_letter(j))
                )
    return table


def _read_table(path: Path, sheet: str) -> InputTable:
    name = path.name or str(path)
    if path.is_dir():
        raise Unreadable(Problem(name, "là một thư mục, không phải tệp số liệu — chỉ định tệp .csv hoặc .xlsx"))
    if not path.is_file():
        raise Unreadable(Problem(name, "không tìm thấy tệp — kiểm tra đường dẫn"))
    data = path.read_bytes()
    if not data.strip():
        raise Unreadable(Problem(name, "tệp rỗng — xuất lại số liệu từ hệ thống một cửa"))
    suffix = path.suffix.lower()
    if data[:5] == b"%PDF-":
        raise Unreadable(Problem(name, "là tệp PDF, không phải bảng số liệu — dùng tệp .csv hoặc .xlsx"))
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<") and (b"<table" in head or b"<html" in head or b"<!doctype html" in head):
        # portals often export an HTML table under an .xls name
        raise Unreadable(
            Problem(
                name,
                "là trang HTML (bảng xuất từ trang web), không phải tệp Excel hay CSV — mở "
                "bằng Excel rồi lưu lại dạng .xlsx",
            )
        )
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        what = "tệp Excel có mật khẩu" if suffix in (".xlsx", ".xlsm") else "tệp Excel cũ (.xls)"
        raise Unreadable(Problem(name, f"là {what} — mở bằng Excel, bỏ mật khẩu nếu có và lưu lại dạng .xlsx"))
    if suffix in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        return _read_xlsx(name, data, sheet)
    if suffix == ".xls":
        raise Unreadable(Problem(name, "là tệp Excel cũ (.xls) — mở bằng Excel và lưu lại dạng .xlsx"))
    if suffix not in (".csv", ".tsv", ".txt", ""):
        raise Unreadable(Problem(name, f"định dạng «{suffix}» không được hỗ trợ — dùng tệp .csv hoặc .xlsx"))
    return _read_csv(name, data)


_BOMS = [(b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"), (b"\xff\xfe", "utf-16", "UTF-16"), (b"\xfe\xff", "utf-16", "UTF-16")]
_DELIMITERS = {",": "dấu phẩy", ";": "dấu chấm phẩy", "\t": "tab"}


def _decode(name: str, data: bytes) -> tuple[str, str]:
    """The text of a CSV/TXT export and the encoding it was in: UTF-8, UTF-16 with BOM (Excel's "Unicode text"),
    UTF-16 without BOM when every other byte is zero, else Windows-1258 (Excel on Vietnamese Windows)."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), label
            except UnicodeDecodeError:
                raise Unreadable(
                    Problem(
                        name,
                        f"tệp bắt đầu như văn bản {label} nhưng bị hỏng ở giữa — xuất lại "
                        "tệp từ hệ thống hoặc lưu lại bằng Excel dạng CSV UTF-8",
                    )
                ) from None
    head = data[:4000]
    if len(head) >= 4 and head[1::2].count(0) > 0.9 * len(head[1::2]):
        codec = "utf-16-le"
    elif len(head) >= 4 and head[0::2].count(0) > 0.9 * len(head[0::2]):
        codec = "utf-16-be"
    else:
        codec = ""
    if codec:
        try:
            return data.decode(codec), "UTF-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as exc:
        try:
            return data.decode("cp1258"), "Windows-1258"  # tone marks come as combining characters: NFC later
        except UnicodeDecodeError:
            line = data[: exc.start].count(b"\n") + 1
            raise Unreadable(
                Problem(name, "không phải văn bản UTF-8 — lưu lại tệp CSV với mã hóa UTF-8", row=line)
            ) from None


def delimiter(text: str) -> str:
    """The delimiter, among comma, semicolon and tab, that splits a line of the first ten into the most fields
    (quotes respected; a report's title line splits into nothing); comma when none splits any."""
    lines = [ln for ln in text.splitlines()[:40] if ln.strip()][:10]
    best, fields = ",", 1
    for d in _DELIMITERS:
        n = max((_fields(ln, d) for ln in lines), default=1)
        if n > fields:
            best, fields = d, n
    return best


def _fields(line: str, sep: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=sep), []))
    except csv.Error:  # a field past the csv module's limit: the reader names it with its row
        return 1


def _read_csv(name: str, data: bytes) -> InputTable:
    text, encoding = _decode(name, data)
    text = nfc(text)
    if text.count("\n") > MAX_TABLE_ROWS + 1:
        raise _too_many_rows(name, MAX_TABLE_ROWS + 2)
    sep = delimiter(text)
    if "\x00" in text:
        at = text.index("\x00")
        if text.count("\x00") > 8:
            raise Unreadable(Problem(name, "không phải tệp văn bản CSV (có ký tự nhị phân) — dùng tệp .csv hoặc .xlsx"))
        line_start = text.rfind("\n", 0, at) + 1
        raise Unreadable(
            Problem(
                name,
                f"ô có U+0000: {NOT_TEXT_HELP}",
                row=text.count("\n", 0, at) + 1,
                column=column_letter(text.count(sep, line_start, at)),
            )
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:  # a field past the csv module's limit (128 KB), or a quote never closed
        raise Unreadable(
            Problem(
                name,
                f"không đọc được như bảng CSV ({'ô quá dài' if 'larger than' in str(exc) else 'dấu ngoặc kép không đóng'})"
                " — kiểm tra lại tệp, hoặc mở bằng Excel và lưu lại",
                row=reader.line_num,
            )
        ) from None
    for i, row in enumerate(rows, start=1):
        for j, cell in enumerate(row):
            if len(cell) > EXCEL_MAX_CELL:
                raise Unreadable(
                    Problem(
                        name,
                        f"ô dài {len(cell)} ký tự, quá giới hạn {EXCEL_MAX_CELL} ký tự của Excel — kiểm tra lại tệp",
                        row=i,
                        column=column_letter(j),
                    )
                )
    if not rows:
        raise Unreadable(Problem(name, "tệp rỗng — xuất lại số liệu từ hệ thống một cửa"))
    header = [h.strip() for h in rows[0]]
    body = [(i, list(r)) for i, r in enumerate(rows[1:], start=2) if any(c.strip() for c in r)]
    return InputTable(
        name, None, header, body, read_as=f"đọc như tệp CSV mã hóa {encoding}, phân cách bằng {_DELIMITERS[sep]}"
    )


def _read_xlsx(name: str, data: bytes, sheet: str) -> InputTable:
    from openpyxl import load_workbook

    check_zip(name, data)
    _refuse_far_columns(name, data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a damaged workbook fails in many ways (zip, XML, missing parts, bad values)
        raise Unreadable(
            Problem(name, f"tệp Excel bị hỏng hoặc không đọc được ({type(exc).__name__}) — mở và lưu lại bằng Excel")
        ) from None
    try:
        ws = wb[sheet] if sheet in wb.sheetnames else wb.worksheets[0]
        if ws.sheet_state != "visible":
            raise Unreadable(
                Problem(name, "trang số liệu đang bị ẩn — bỏ ẩn (hoặc xóa) trang này rồi lưu lại", sheet=ws.title)
            )
        ws.reset_dimensions()  # the sheet's declared size never drives the loop: only the cells present
        rows, filled = [], 0
        for row in ws.iter_rows(values_only=True):  # empty rows between cells cost a tuple each, nothing more
            rows.append(row)
            filled += any(v is not None for v in row)
            if filled > MAX_TABLE_ROWS + 1:
                raise _too_many_rows(name, len(rows), ws.title)
    except Unreadable:
        raise
    except Exception as exc:  # the sheet's XML is damaged past its first rows
        raise Unreadable(
            Problem(name, f"tệp Excel bị hỏng ({type(exc).__name__}) — mở và lưu lại bằng Excel", sheet=sheet)
        ) from None
    finally:
        wb.close()
    _refuse_long_cells(name, ws.title, rows)
    formulas = _uncomputed_formulas(data, ws.title, rows)
    if formulas:
        row, col = formulas[0]
        more = f" (và {len(formulas) - 1} ô khác)" if len(formulas) > 1 else ""
        raise Unreadable(
            Problem(
                name,
                f"ô có công thức chưa được tính{more} — mở bằng Excel, lưu lại (hoặc dán giá trị)",
                sheet=ws.title,
                row=row,
                column=column_letter(col),
            )
        )
    if not rows:
        raise Unreadable(Problem(name, "trang tính rỗng — điền số liệu từ dòng 2, tiêu đề ở dòng 1", sheet=ws.title))
    header = ["" if h is None else str(h).strip() for h in rows[0]]
    body = []
    # rows[0] is the header; data rows keep their spreadsheet numbers
    for i, r in enumerate(rows[1:], start=2):
        values = list(r)
        if any(v is not None and str(v).strip() != "" for v in values):
            body.append((i, values))
    return InputTable(name, ws.title, header, body, read_as=f"đọc như bảng Excel, trang «{ws.title}»")


MAX_COLUMNS = 1_024  # a statistics sheet has a few dozen columns; openpyxl pads every row to its last cell


def _refuse_far_columns(name: str, data: bytes) -> None:
    """A cell far to the right (column XFD) makes every row of its sheet 16.384 cells wide when read: refused,
    with its reference, after one pass over the sheets' bytes (already bounded by ``check_zip``)."""
    import re

    from openpyxl.utils import column_index_from_string

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for part in (p for p in z.namelist() if p.startswith("xl/worksheets/") and p.endswith(".xml")):
            xml = z.read(part)
            for m in re.finditer(rb'<c[^>]*\sr="([A-Z]{2,3})(\d+)"', xml):
                letters = m.group(1).decode()
                if column_index_from_string(letters) > MAX_COLUMNS:
                    raise Unreadable(
                        Problem(
                            name,
                            f"có ô ở {letters}{m.group(2).decode()}, quá xa so với một bảng số liệu (tối đa "
                            f"{MAX_COLUMNS} cột) — xóa các ô đó trong Excel rồi lưu lại",
                        )
                    )


def _refuse_long_cells(name: str, sheet: str, rows: list[tuple]) -> None:
    """A cell longer than Excel allows did not come from Excel or the one-stop system."""
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row):
            if isinstance(v, str) and len(v) > EXCEL_MAX_CELL:
                raise Unreadable(
                    Problem(
                        name,
                        f"ô dài {len(v)} ký tự, quá giới hạn {EXCEL_MAX_CELL} ký tự của Excel — kiểm tra lại tệp",
                        sheet=sheet,
                        row=i,
                        column=column_letter(j),
                    )
                )


def _uncomputed_formulas(data: bytes, title: str, values: list[tuple]) -> list[tuple[int, int]]:
    """Cells holding a formula that was never computed (no cached value): read as empty, they would pass
    for "not reported". Only looked for where a cell reads as empty."""
    if not any(v is None for r in values for v in r):
        return []
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        found = []
        ws = wb[title]
        ws.reset_dimensions()  # type: ignore[union-attr]  # read-only sheets have it
        for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
            for j, v in enumerate(row):
                cached = values[i - 1][j] if i - 1 < len(values) and j < len(values[i - 1]) else None
                if cached is None and isinstance(v, str) and v.startswith("="):
                    found.append((i, j))
        return found
    finally:
        wb.close()

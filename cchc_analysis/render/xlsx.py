"""XLSX: a workbook an office prints as it is, and reads as data.

One table per sheet (after a cover sheet of notes and contents, as the UK Analysis Function's spreadsheet
guidance asks): above each table the appendix's number, its title in capitals and the italic reference line;
the header rows repeat on every printed page; A4 in the orientation the PDF gives the table, fitted to the page
width, the margins of Nghị định 30/2020/NĐ-CP, page numbers centred at the top from page 2; text wrapped inside
its cells with row heights that hold it; no merged cell inside the table (a group heading is centred across its
columns; only the headings above the table are merged, so that they wrap);
numbers as numbers with Vietnamese-readable formats; text never a formula.
"""

from __future__ import annotations

import datetime as dt
import math
from copy import copy
from pathlib import Path
from typing import Any

from cchc_analysis.documents.document import Document
from cchc_analysis.documents.tables import NUMERIC, Table
from cchc_analysis.render.fonts import FONT_FAMILY

_XLSX_FORMATS = {"int": "#,##0", "pct": "0.00%", "pp": "+0.00;-0.00;0.00", "num": "#,##0.00"}
_MM = 1 / 25.4  # openpyxl takes margins in inches
# usable width of an A4 page within the margins, in Excel's width unit (about 2 mm of the default font)
_PAGE_UNITS = {False: (210 - 30 - 15) / 2.0, True: (297 - 30 - 20) / 2.0}
COVER = "Ghi chú"
_COVER_WIDTH = 70.0  # one column of text, well inside a portrait page


def write_xlsx(doc: Document, path: Path, created: dt.datetime | None = None) -> None:
    """The document's tables, one per sheet after the cover sheet."""
    from openpyxl import Workbook

    wb = Workbook()
    cover = wb.worksheets[0]
    cover.title = COVER
    if created:
        wb.properties.created = created
    used = {COVER.lower()}
    contents = []
    for i, appendix in enumerate(doc.appendices):
        for table in appendix.tables:
            ws = wb.create_sheet(_sheet_name(table.name, used))
            notice = doc.notice if not contents else None
            _table_sheet(ws, table, doc.label(i), appendix.title, doc.reference, notice)
            contents.append((ws.title, doc.label(i), table.title))
    _cover(cover, doc, contents)
    wb.save(path)


def _cover(ws, doc: Document, contents: list[tuple[str, str, str]]) -> None:
    from openpyxl.styles import Alignment, Font

    lines: list[tuple[str, Font]] = [
        (doc.title, Font(name=FONT_FAMILY, bold=True, size=14)),
        (doc.reference, Font(name=FONT_FAMILY, italic=True, size=12)),
    ]
    if doc.notice:
        lines.append((doc.notice, Font(name=FONT_FAMILY, bold=True, italic=True, size=12)))
    lines += [("", Font(name=FONT_FAMILY)), ("Các trang của tệp", Font(name=FONT_FAMILY, bold=True, size=12))]
    lines += [(f"{sheet}: {label} – {title}", Font(name=FONT_FAMILY, size=12)) for sheet, label, title in contents]
    lines += [
        ("", Font(name=FONT_FAMILY)),
        ("Cách đọc", Font(name=FONT_FAMILY, bold=True, size=12)),
        (
            "Mỗi trang là một bảng; số là số (tỷ lệ lưu dạng phân số, hiển thị dạng phần trăm), có thể tính "
            'tiếp. Ô "—" là tỷ lệ không tính được; ghi chú dưới mỗi bảng nói lý do.',
            Font(name=FONT_FAMILY, size=12),
        ),
    ]
    ws.column_dimensions["A"].width = _COVER_WIDTH
    for r, (text, font) in enumerate(lines, start=1):
        cell = ws.cell(r, 1, _as_text(text))
        cell.data_type, cell.font = "s", font
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[r].height = _height([(text, _COVER_WIDTH)], font.sz or 12)
    _page_setup(ws, landscape=False)


class _Sheet:
    """One table on its own sheet: the headings merged across it, its header rows repeated on every printed page,
    its rows (group rows boxed across, totals in bold), its notes; numbers as numbers, text never a formula."""

    def __init__(self, ws: Any, table: Table):
        from openpyxl.styles import Border, Font, Side

        self.ws, self.table = ws, table
        self.size = 10 if table.landscape else 11
        self.thin = Side(style="thin")
        self.border = Border(left=self.thin, right=self.thin, top=self.thin, bottom=self.thin)
        self.bold = Font(name=FONT_FAMILY, bold=True, size=self.size)
        self.plain = Font(name=FONT_FAMILY, size=self.size)
        self.ncol = len(table.columns)
        self.widths = _widths(table)
        self.page = sum(self.widths)
        self._styles: dict[tuple[int, bool, bool], Any] = {}

    def heading(self, row: int, text: str, font: Any) -> None:
        from openpyxl.styles import Alignment

        # above the table, a heading is merged across it so that it wraps and centres on the page; the table
        # itself has no merged cell
        cell = self.ws.cell(row, 1, _as_text(text))
        cell.data_type, cell.font = "s", font
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.ws.merge_cells(start_row=row, end_row=row, start_column=1, end_column=self.ncol)
        self.ws.row_dimensions[row].height = _height([(text, self.page)], font.sz or 13)

    def notice(self, row: int, text: str) -> None:
        from openpyxl.styles import Alignment, Font

        cell = self.ws.cell(row, 1, _as_text(text))
        cell.data_type, cell.font = "s", Font(name=FONT_FAMILY, bold=True, italic=True, size=self.size)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        self.ws.row_dimensions[row].height = _height([(text, self.widths[0])], self.size)

    def header(self, row: int) -> int:
        """The header rows from ``row``; returns the row after them."""
        from openpyxl.styles import Alignment

        first = row
        for cells in _header_grid(self.table):
            texts = []
            for j, (text, across) in enumerate(cells, start=1):
                cell = self.ws.cell(row, j, text or None)
                cell.font, cell.border = self.bold, self.border
                horizontal = "centerContinuous" if across else "center"
                cell.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=not across)
                if text and not across:
                    texts.append((text, self.widths[j - 1]))
            self.ws.row_dimensions[row].height = _height(texts, self.size)
            row += 1
        self.ws.print_title_rows = f"{first}:{row - 1}"
        self.ws.freeze_panes = self.ws.cell(row, 3 if self.ncol > 2 else 1)
        return row

    def group(self, row: int, r: Any) -> None:
        from openpyxl.styles import Border

        cell = self.ws.cell(row, 1, _as_text(str(r.values.get("text", ""))))
        cell.data_type, cell.font = "s", self.bold
        for j in range(1, self.ncol + 1):  # one box around the row: its text runs across the empty cells
            self.ws.cell(row, j).border = Border(
                left=self.thin if j == 1 else None,
                right=self.thin if j == self.ncol else None,
                top=self.thin,
                bottom=self.thin,
            )

    def values(self, row: int, r: Any) -> None:
        from openpyxl.styles import Alignment

        texts = []
        total = r.style == "total"
        for j, c in enumerate(self.table.columns, start=1):
            value = r.values.get(c.key)
            cell = self.ws.cell(row, j)
            numeric = c.fmt in NUMERIC
            formatted = numeric and value is not None
            if value is not None and numeric:
                cell.value = int(value) if c.fmt == "int" else float(value)
            elif text := self.table.shown(r, c):
                cell.value = _as_text(text)
                cell.data_type = "s"  # a name that begins with "=" stays a name
                texts.append((text, self.widths[j - 1]))
            # a cell's style is set once per column and kind of row, then copied: openpyxl looks each style
            # object up by hashing it, which took most of a national workbook's time
            key = (j, total, formatted)
            if (style := self._styles.get(key)) is not None:
                cell._style = copy(style)
                continue
            horizontal = "center" if c.key == "stt" else ("right" if numeric else "left")
            cell.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=not numeric)
            if formatted:
                cell.number_format = _XLSX_FORMATS[c.fmt]
            cell.font = self.bold if total else self.plain
            cell.border = self.border
            self._styles[key] = copy(cell._style)
        self.ws.row_dimensions[row].height = _height(texts, self.size)

    def note(self, row: int, text: str) -> None:
        from openpyxl.styles import Alignment, Font

        cell = self.ws.cell(row, 1, _as_text(text))
        cell.data_type, cell.font = "s", Font(name=FONT_FAMILY, italic=True, size=self.size)
        self.ws.row_dimensions[row].height = _height([(text, self.page)], self.size)
        for j in range(1, self.ncol + 1):
            self.ws.cell(row, j).alignment = Alignment(wrap_text=False, vertical="top")


def _table_sheet(ws: Any, table: Table, label: str, title: str, reference: str, notice: str | None) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = _Sheet(ws, table)
    for j, w in enumerate(sheet.widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    sheet.heading(1, label, Font(name=FONT_FAMILY, bold=True, size=13))
    sheet.heading(2, title.upper(), Font(name=FONT_FAMILY, bold=True, size=13))
    sheet.heading(3, reference, Font(name=FONT_FAMILY, italic=True, size=12))
    row = 4
    if notice:
        sheet.notice(row, notice)
        row += 1
    row = sheet.header(row + 1)  # a blank line between the headings and the table
    for r in table.rows:
        (sheet.group if r.style == "group" else sheet.values)(row, r)
        row += 1
    for note in table.notes():
        row += 1
        sheet.note(row, note)
    _page_setup(ws, table.landscape)


def _header_grid(table: Table) -> list[list[tuple[str, bool]]]:
    """The header as a plain grid of (text, centred across the next empty cells): a group heading sits in the
    first column of its group; a column without a group has its name in the last header row, where a program
    reading the sheet looks for column names."""
    if not any(c.group for c in table.columns):
        return [[(c.label, False) for c in table.columns]]
    top: list[tuple[str, bool]] = []
    for i, c in enumerate(table.columns):
        if c.group is None:
            top.append(("", False))
        elif i and table.columns[i - 1].group == c.group:
            top.append(("", True))
        else:
            top.append((c.group, True))
    return [top, [(c.label, False) for c in table.columns]]


def _widths(table: Table) -> list[float]:
    """Column widths in proportion to the columns' relative widths, filling the page's width."""
    total = sum(c.width for c in table.columns) or 1
    page = _PAGE_UNITS[table.landscape]
    return [max(4.0, round(page * c.width / total, 1)) for c in table.columns]


def _height(texts: list[tuple[str, float]], size: float) -> float:
    """Row height in points for wrapped text: the most lines any cell needs at its width (at 11 pt a serif letter
    takes about one width unit; a line is cut at a space, which wastes part of one), at 1,3 line spacing for the
    stacked diacritics of Vietnamese."""
    per_unit = 1.05 * 11 / size
    lines = 1
    for text, width in texts:
        chars = max(1.0, width * per_unit - 2)
        lines = max(lines, sum(math.ceil(max(1, len(part)) / chars) for part in text.split("\n")))
    return round(lines * size * 1.3 + 4, 1)


def _page_setup(ws, landscape: bool) -> None:
    from openpyxl.worksheet.page import PageMargins

    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the table needs
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    right = 20 if landscape else 15
    ws.page_margins = PageMargins(
        left=30 * _MM, right=right * _MM, top=20 * _MM, bottom=20 * _MM, header=10 * _MM, footer=10 * _MM
    )
    ws.print_options.horizontalCentered = True
    ws.page_setup.firstPageNumber = 1  # each appendix numbers its own pages, as in the PDF
    ws.page_setup.useFirstPageNumber = True
    # page numbers centred at the top, none on the first page
    ws.HeaderFooter.differentFirst = True
    ws.oddHeader.center.text = "&P"
    ws.oddHeader.center.font = FONT_FAMILY
    ws.oddHeader.center.size = 13


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'")[:31] or "Bảng"
    candidate, n = clean, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def _as_text(text: str) -> str:
    # control characters other than tab/newline are invalid in XLSX XML
    return "".join(ch for ch in text if ch in "\t\n" or ord(ch) >= 32)

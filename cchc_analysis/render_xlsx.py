"""XLSX: one sheet per table, numbers as numbers with Vietnamese-readable formats, text never a formula."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .escaping import FORMULA_START
from .fonts import FONT_FAMILY
from .tables import Table, cell_text

_NUMERIC = {"int", "pct", "pp", "num"}
_XLSX_FORMATS = {"int": "#,##0", "pct": "0.00%", "pp": "+0.00;-0.00;0.00", "num": "#,##0.00"}


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "Bang"
    candidate, n = clean, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def write_xlsx(tables: list[Table], path: Path, created: dt.datetime | None = None, notice: str | None = None) -> None:
    """One sheet per table: title, headers, numbers as numbers with Vietnamese-readable formats, frozen
    header, fitted widths. Text that Excel would run as a formula is written as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.worksheets[0])
    if created:
        wb.properties.created = created
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(name=FONT_FAMILY, bold=True)
    plain = Font(name=FONT_FAMILY)
    used: set[str] = set()
    for table in tables:
        ws = wb.create_sheet(_sheet_name(table.name, used))
        ncol = len(table.columns)
        ws.cell(1, 1, table.title).font = Font(name=FONT_FAMILY, bold=True, size=13)
        ws.merge_cells(start_row=1, end_row=1, start_column=1, end_column=ncol)
        if notice:
            cell = ws.cell(2, 1, _as_text(notice))
            cell.data_type, cell.font = "s", Font(name=FONT_FAMILY, bold=True, italic=True)
        head = table.head_rows()
        row0 = 3
        for r_off, heads in enumerate(head):
            col = 1
            for h in heads:
                while any(_covered(ws, row0 + r_off, col)):
                    col += 1
                cell = ws.cell(row0 + r_off, col, h["text"])
                cell.font, cell.border = bold, border
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
                if h["rowspan"] > 1 or h["colspan"] > 1:
                    ws.merge_cells(
                        start_row=row0 + r_off,
                        end_row=row0 + r_off + h["rowspan"] - 1,
                        start_column=col,
                        end_column=col + h["colspan"] - 1,
                    )
                col += h["colspan"]
        first = row0 + len(head)
        ws.freeze_panes = ws.cell(first, 3 if ncol > 2 else 1)
        widths = [max(8, min(40, len(c.label) * 0.6 + 2)) for c in table.columns]
        for i, r in enumerate(table.rows):
            rr = first + i
            if r.style == "group":
                cell = ws.cell(rr, 1, _as_text(r.values.get("text", "")))
                cell.font = bold
                ws.merge_cells(start_row=rr, end_row=rr, start_column=1, end_column=ncol)
                continue
            for j, c in enumerate(table.columns, start=1):
                value = r.values.get(c.key)
                cell = ws.cell(rr, j)
                if c.fmt in _NUMERIC and value is not None:
                    cell.value = int(value) if c.fmt == "int" else float(value)
                    cell.number_format = _XLSX_FORMATS[c.fmt]
                elif value is None and c.empty and r.style == "data":
                    cell.value = c.empty
                elif value is not None:
                    cell.value = _as_text(str(value))
                    if str(value).startswith(FORMULA_START):
                        cell.data_type = "s"
                cell.font = bold if r.style == "total" else plain
                cell.border = border
                widths[j - 1] = max(widths[j - 1], min(60, len(cell_text(value, c.fmt)) + 2))
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = w
    wb.save(path)


def _covered(ws, row: int, col: int):
    for rng in ws.merged_cells.ranges:
        yield rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col


def _as_text(text: str) -> str:
    # control characters other than tab/newline are invalid in XLSX XML
    return "".join(ch for ch in text if ch in "\t\n" or ord(ch) >= 32)

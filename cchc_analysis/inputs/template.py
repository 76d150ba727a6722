"""The blank input template: one row per registered unit, Vietnamese headers, an instruction sheet."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cchc_analysis.core.exceptions import UsageError
from cchc_analysis.core.glossary import AREA_KINDS, COLUMNS, LABELS, UNIT_KINDS
from cchc_analysis.core.periods import Month
from cchc_analysis.inputs.units import Registry


def write_entry_form(month: Month, registry: Registry, out: Path) -> int:
    """Write the template for ``month``; returns the number of units pre-filled."""
    units = [u for u in registry.valid_units(month.first_day, month.last_day) if u.kind not in AREA_KINDS]
    if not units:
        raise UsageError(f"danh mục {registry.area} không có đơn vị nào còn hiệu lực trong tháng {month}")
    units = sorted(units, key=lambda u: (not u.is_commune_level, u.name))
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = LABELS["data_sheet"]
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for j, col in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=j, value=col.header)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        if col.required:
            cell.fill = required_fill
        ws.column_dimensions[get_column_letter(j)].width = (
            34 if col.name == "don_vi" else max(12, min(24, len(col.header) + 2))
        )
    for i, unit in enumerate(units, start=2):
        ws.cell(row=i, column=1, value=str(month))
        ws.cell(row=i, column=2, value=unit.name)
        for j in range(3, len(COLUMNS) + 1):
            ws.cell(row=i, column=j).number_format = "#,##0"
    ws.freeze_panes = "C2"
    ws.row_dimensions[1].height = 45

    guide = wb.create_sheet(LABELS["instructions_sheet"])
    heads = (LABELS["column"], LABELS["header"], LABELS["required"], LABELS["meaning"])
    for j, text in enumerate(heads, start=1):
        guide.cell(row=1, column=j, value=text).font = bold
    for i, col in enumerate(COLUMNS, start=2):
        guide.cell(row=i, column=1, value=col.name)
        guide.cell(row=i, column=2, value=col.header)
        guide.cell(row=i, column=3, value=LABELS["yes"] if col.required else LABELS["no"])
        guide.cell(row=i, column=4, value=col.meaning)
    notes = [
        "Mỗi dòng là một đơn vị trong một tháng. Ô để trống nghĩa là chưa có số liệu, không phải số 0.",
        "Số hồ sơ là số nguyên không âm; có thể viết 1.698 (dấu chấm phân cách hàng nghìn).",
        "Tiêu đề cột có thể viết theo tên cột (cột A của trang này) hoặc theo tiêu đề tiếng Việt.",
        f"Loại đơn vị trong danh mục: {', '.join(UNIT_KINDS.values())}.",
    ]
    for k, note in enumerate(notes, start=len(COLUMNS) + 3):
        guide.cell(row=k, column=1, value=note)
    for letter, width in zip("ABCD", (26, 34, 10, 80), strict=False):
        guide.column_dimensions[letter].width = width
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return len(units)

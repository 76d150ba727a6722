"""A table as the appendices print it: grouped headers, group and total rows, Vietnamese number formats.

One ``Table`` feeds the HTML/PDF appendix (``render``), the XLSX workbook and the notebook display, so the
three never disagree. Values stay numbers (rates as fractions, changes in points) until formatted here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cchc_analysis.core import formatting

FORMATS = ("text", "int", "pct", "pp", "num")
NUMERIC = frozenset({"int", "pct", "pp", "num"})  # right-aligned, and numbers in the workbook
# A rate or a change that cannot be computed prints as a dash, and the table says why below it.
NOT_COMPUTED = "—"
NOT_COMPUTED_NOTE = (
    '"—": không tính được (không có hồ sơ làm mẫu số của tỷ lệ, hoặc chưa có số liệu của kỳ để so sánh).'
)


@dataclass(frozen=True)
class Col:
    key: str
    label: str
    fmt: str = "text"  # one of FORMATS
    group: str | None = None  # a header spanning adjacent columns of the same group
    width: float = 1.0  # relative width (HTML) and Excel width factor
    empty: str = ""  # shown where there is no value ("chưa tính" where a figure cannot be computed)

    def __post_init__(self) -> None:
        if self.fmt not in FORMATS:
            raise ValueError(f"unknown format {self.fmt!r}")

    @property
    def missing(self) -> str:
        """What a data row shows where this column has no value."""
        return self.empty or (NOT_COMPUTED if self.fmt in ("pct", "pp") else "")


@dataclass(frozen=True)
class Row:
    values: dict[str, Any]
    style: str = "data"  # "data", "group" (a heading row spanning the table) or "total"


@dataclass
class Table:
    name: str  # sheet name in the workbook (≤ 31 characters)
    title: str
    columns: list[Col]
    rows: list[Row] = field(default_factory=list)
    note: str | None = None
    landscape: bool = False

    def notes(self) -> list[str]:
        """The lines printed under the table: its own note, and what a dash means when one is printed."""
        dashed = any(
            r.style == "data" and r.values.get(c.key) is None and c.missing == NOT_COMPUTED
            for r in self.rows
            for c in self.columns
        )
        return [n for n in (self.note, NOT_COMPUTED_NOTE if dashed else None) if n]

    def shown(self, row: Row, col: Col) -> str:
        """A cell as the appendix prints it (the dash only in data rows: a total without a value stays blank)."""
        return cell_text(row.values.get(col.key), col.fmt, col.missing if row.style == "data" else "")

    def head_rows(self) -> list[list[dict]]:
        """The header as rows of cells with their spans: one row, or two when columns share a group heading."""
        columns = self.columns
        if not any(c.group for c in columns):
            return [[{"text": c.label, "rowspan": 1, "colspan": 1} for c in columns]]
        top: list[dict] = []
        for i, c in enumerate(columns):
            if c.group is None:
                top.append({"text": c.label, "rowspan": 2, "colspan": 1})
            elif i and columns[i - 1].group == c.group:
                top[-1]["colspan"] += 1
            else:
                top.append({"text": c.group, "rowspan": 1, "colspan": 1})
        return [top, [{"text": c.label, "rowspan": 1, "colspan": 1} for c in columns if c.group is not None]]


def cell_text(value: Any, fmt: str, empty: str = "") -> str:
    """A value as the appendix prints it: 1.698; 99,94%; +5,51; ``empty`` for no value."""
    if value is None or value == "":
        return empty
    if fmt == "int":
        return formatting.integer(int(value))
    if fmt == "pct":
        return formatting.percent(float(value))
    if fmt == "pp":
        return formatting.signed_pp(float(value))
    if fmt == "num":
        return formatting.number(float(value))
    return str(value)

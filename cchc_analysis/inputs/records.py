"""What an input file becomes once read: counts parsed the Vietnamese way, the unit-month rows of one file
(``ParsedFile``) and a batch of files checked together (``Batch``) — shared by every input layout."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from cchc_analysis.core.exceptions import Problem
from cchc_analysis.core.glossary import COUNT_COLUMNS
from cchc_analysis.core.periods import Month

_INT = re.compile(r"^-?\d+$")
# Thousands groups as Vietnamese write them: 1.698, 12.345.678, or spaces (normal, no-break, narrow no-break,
# thin) between groups of exactly three digits. One separator per number; anything else is not a count.
_GROUP_SPACES = " \u00a0\u202f\u2009"
_GROUPED = re.compile(r"^-?\d{1,3}(?:(?P<sep>[." + _GROUP_SPACES + r"])\d{3})(?:(?P=sep)\d{3})*$")
_LOOSE_GROUPS = re.compile(r"^-?\d+(?:[.," + _GROUP_SPACES + r"]+\d+)+$")
_DECIMAL = re.compile(r"^-?\d+[.,]\d+$")  # 1,5 or 1.23: a fraction, not a count

STAT_SCHEMA = pl.Schema(
    {
        "unit_id": pl.String,
        "month": pl.Date,
        **{c: pl.Int64 for c in COUNT_COLUMNS},
        "unit_raw": pl.String,
        "source_row": pl.Int32,
    }
)

MAX_COUNT = 1_000_000_000  # far above any unit-month; larger values are typing errors


@dataclass
class ParsedFile:
    path: Path
    name: str
    sha256: str
    sheet: str | None
    columns: frozenset[str]  # count columns the file carries (absent ones are unknown, not null)
    frame: pl.DataFrame
    format: str = "Mẫu số liệu chuẩn (cchc template)"  # the layout it was read in, as cchc check names it
    cells: dict[str, str] = field(default_factory=dict)  # column → the file's column letters it came from ("C+D")
    kind: str = "unit_month"  # "fields": form II.06a by field, which gives only late dossiers by field
    late_by_field: pl.DataFrame | None = None  # unit_id, month, field, late


@dataclass
class Batch:
    files: list[ParsedFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def _count_text(value: Any) -> int | None:
    """A count written as text: "1234", "1.234" or "1,234" (groups of three), "" for none."""
    text = str(value).strip()
    if text == "":
        return None
    if _INT.match(text):
        return int(text)
    if _GROUPED.match(text):
        return int(re.sub(r"\D", "", text)) * (-1 if text.startswith("-") else 1)
    if _DECIMAL.match(text):
        raise ValueError(f"«{value}» không phải số nguyên")
    if _LOOSE_GROUPS.match(text):
        raise ValueError(
            f"«{value}» không phải cách viết số hợp lệ (sau nhóm đầu, mỗi nhóm hàng nghìn phải đủ "
            "3 chữ số, cùng một dấu phân cách)"
        )
    raise ValueError(f"«{value}» không phải số")


def _count_cell(value: Any) -> int | None:
    if isinstance(value, bool):
        raise ValueError(f"«{value}» không phải số")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or not value.is_integer():
            raise ValueError(f"«{str(value).replace('.', ',')}» không phải số nguyên")
        return int(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        raise ValueError("ô chứa ngày tháng, không phải số hồ sơ")
    return _count_text(value)


def parse_count(value: Any) -> int | None:
    """A count cell as an int; None for an empty cell. Raises ValueError with the reason."""
    n = None if value is None else _count_cell(value)
    if n is not None and n < 0:
        raise ValueError(f"số âm ({n})")
    if n is not None and n > MAX_COUNT:
        raise ValueError(f"giá trị quá lớn ({n})")
    return n


def parse_month(value: Any) -> Month:
    if isinstance(value, (dt.date, dt.datetime)):
        return Month(value.year, value.month)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("thiếu kỳ báo cáo")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f"«{value}» là một con số, không phải tháng (viết dạng 2023-08 hoặc 08/2023)")
    return Month.parse(str(value))

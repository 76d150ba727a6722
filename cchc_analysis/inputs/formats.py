"""Export formats as data: each ``params/formats/*.yaml`` says how to recognise a report the one-stop systems
export (the statutory form II.06a, the digitization and online-payment reports, the package's own template) and
which of its header cells give which column of the canonical unit-month row.

A header is read as a path of texts from its top row to its bottom row ("Số hồ sơ nhận giải quyết / Trực
tuyến"), merged cells included; a spec "GROUP / LEAF" matches a column whose bottom text is LEAF and whose upper
texts contain GROUP, and a spec without "/" matches the bottom text alone. Texts match ignoring case, spacing,
punctuation, diacritics and a leading "Trong đó:".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from cchc_analysis.core import workspace
from cchc_analysis.core.exceptions import UsageError
from cchc_analysis.core.glossary import COUNT_COLUMNS
from cchc_analysis.core.textnorm import header_key
from cchc_analysis.inputs.readers import MAX_HEADER_SCAN, cell_text


class Rate(BaseModel):
    """A rate the report prints, recomputed from the counts it sits beside."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    rate: str  # the rate column's header ("Tỷ lệ (%)"): the first such column right of the numerator
    numerator: str
    denominator: str


class Sum(BaseModel):
    """A total inside the form: the ``total`` column must equal the sum of the ``parts``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    total: str
    parts: tuple[str, ...]


class Format(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = ""  # the file's stem, set when loaded
    title: str
    recognise: tuple[str, ...] = ()  # phrases every header of this format holds
    unit: tuple[str, ...]  # headers of the unit column
    month: tuple[str, ...] = ()  # headers of a month column, when the format has one
    month_required: bool = False  # the month must be a column (the template), not a title or --month
    columns: dict[str, tuple[str, ...]]  # canonical column ← header specs; several specs are summed
    alternatives: bool = False  # the specs of a column are other names for one header (the template), not a sum
    required: tuple[str, ...] | None = None  # columns that must be found (default: all of ``columns``)
    fill: dict[str, str] = {}  # a column not in the file taken from another ("phai_so_hoa_tiep_nhan": "tiep_nhan")
    sums: tuple[Sum, ...] = ()
    rates: tuple[Rate, ...] = ()
    total_rows: tuple[str, ...] = ("Tổng cộng", "Tổng số", "Cộng", "Tổng", "Toàn huyện", "Toàn tỉnh")
    ignored: tuple[str, ...] = ("STT", "Số TT", "TT", "Ghi chú", "Mã đơn vị")
    # "fields": one row per field of one unit (form II.06a by field), whose ``unit`` headers name the field
    # column; ``late`` is the header of the late dossiers it gives for the late-by-field table
    rows: Literal["units", "fields"] = "units"
    late: str | None = None

    @field_validator("columns", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: (v,) if isinstance(v, str) else tuple(v) for k, v in value.items()}
        return value

    @field_validator("columns")
    @classmethod
    def _known(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        unknown = [k for k in value if k not in COUNT_COLUMNS]
        if unknown:
            raise ValueError(
                f"cột không có trong mẫu chuẩn: {', '.join(unknown)} (các cột: {', '.join(COUNT_COLUMNS)})"
            )
        return value

    @property
    def needed(self) -> tuple[str, ...]:
        return tuple(self.columns) if self.required is None else self.required

    @property
    def canonical(self) -> bool:
        return self.month_required


def _strip(key: str) -> str:
    return key.removeprefix("trongdo")


@dataclass(frozen=True)
class Header:
    """A column's header as a path of texts, top row first."""

    index: int
    path: tuple[str, ...]

    @property
    def leaf(self) -> str:
        return _strip(header_key(self.path[-1])) if self.path else ""

    @property
    def group(self) -> str:
        return header_key(" ".join(self.path[:-1]))

    @property
    def text(self) -> str:
        return " / ".join(self.path)

    def matches(self, spec: str) -> bool:
        if not self.path:
            return False
        *group, leaf = [p.strip() for p in spec.split(" / ")]
        if _strip(header_key(leaf)) != self.leaf:
            return False
        return all(header_key(g) in self.group for g in group)


@dataclass(frozen=True)
class Layout:
    """Where a format's header is in a table and which columns it found."""

    format: Format
    header_rows: tuple[int, ...]  # indices into the table's rows
    headers: tuple[Header, ...]
    unit: int
    month: int | None
    columns: dict[str, tuple[int, ...]]  # canonical column → the file's columns summed into it
    missing: tuple[str, ...]  # needed columns not found

    def find(self, spec: str) -> int | None:
        found = [h.index for h in self.headers if h.matches(spec)]
        return found[0] if found else None


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return bool(re.fullmatch(r"-?[\d.,\s\u00a0]+%?", cell_text(value))) and any(ch.isdigit() for ch in cell_text(value))


def header_paths(rows: list[list[Any]], start: int, unit: int) -> tuple[tuple[int, ...], list[tuple[str, ...]]]:
    """The header block from ``rows[start]`` down: the rows under it whose unit cell is empty (the unit header
    spans them) and that hold two or more texts and no number; then each column's path of texts, a cell merged
    across columns (left empty after its first) read as its first cell's text where a text sits under it."""
    block = [start]
    for k in range(start + 1, min(start + 4, len(rows))):
        row = rows[k]
        texts = [v for v in row if cell_text(v)]
        if cell_text(row[unit] if unit < len(row) else None) or len(texts) < 2 or any(_is_number(v) for v in texts):
            break
        if is_column_numbers(row):
            break
        block.append(k)
    width = max(len(rows[k]) for k in block)
    grid = [[cell_text(rows[k][j]) if j < len(rows[k]) else "" for j in range(width)] for k in block]
    for level in range(len(grid) - 1):
        for j in range(1, width):
            if not grid[level][j] and any(grid[lower][j] for lower in range(level + 1, len(grid))):
                grid[level][j] = grid[level][j - 1]
    paths = [tuple(grid[level][j] for level in range(len(grid)) if grid[level][j]) for j in range(width)]
    # a text repeated down a column (a merged cell some writers fill in every row) is one text
    paths = [tuple(t for i, t in enumerate(p) if i == 0 or t != p[i - 1]) for p in paths]
    return tuple(block), paths


def is_column_numbers(row: list[Any]) -> bool:
    """The row of column numbers under a form's header: "(1) (2) (3) …" or "1 2 3 …"."""
    cells = [cell_text(v) for v in row if cell_text(v)]
    if len(cells) < 3 or not all(re.fullmatch(r"\(?\d{1,3}\)?|[A-Z]", c) for c in cells):
        return False
    numbers = [int(re.sub(r"\D", "", c)) for c in cells if re.search(r"\d", c)]
    return len(numbers) >= 3 and numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


def find_layout(fmt: Format, rows: list[list[Any]]) -> Layout | None:
    """The format's header in ``rows``, if its unit header is in the first rows and its phrases are all in it."""
    units = {_strip(header_key(u)) for u in fmt.unit}
    for start in range(min(MAX_HEADER_SCAN, len(rows))):
        row = rows[start]
        at = [j for j, v in enumerate(row) if cell_text(v) and _strip(header_key(cell_text(v))) in units]
        if not at:
            continue
        block, paths = header_paths(rows, start, at[0])
        headers = tuple(Header(j, p) for j, p in enumerate(paths))
        joined = header_key(" ".join(h.text for h in headers))
        if not all(header_key(phrase) in joined for phrase in fmt.recognise):
            continue
        months = {_strip(header_key(m)) for m in fmt.month}
        month = next((h.index for h in headers if h.path and h.leaf in months), None)
        columns: dict[str, tuple[int, ...]] = {}
        for name, specs in fmt.columns.items():
            found = [next((h.index for h in headers if h.matches(s)), None) for s in specs]
            if fmt.alternatives:
                hit = next((i for i in found if i is not None), None)
                if hit is not None:
                    columns[name] = (hit,)
            elif all(i is not None for i in found):
                columns[name] = tuple(i for i in found if i is not None)
        missing = tuple(c for c in fmt.needed if c not in columns)
        return Layout(fmt, block, headers, at[0], month, columns, missing)
    return None


def recognise(rows: list[list[Any]], formats: list[Format] | None = None) -> Layout | None:
    """The format a table is in: of the formats whose header is found, the one with no needed column missing
    and the most columns mapped (the package's template when it fits as well as any)."""
    found = [layout for fmt in (formats or load_formats()) if (layout := find_layout(fmt, rows)) is not None]
    complete = [f for f in found if not f.missing and (f.columns or f.format.late)]
    if not complete:
        return None
    return max(complete, key=lambda f: (len(f.columns), f.format.canonical))


def canonical() -> Format:
    return next(f for f in load_formats() if f.canonical)


def format_files() -> list[Path]:
    """Every format file in lookup order (workspace, CCHC_HOME, packaged); a name found first wins."""
    seen: dict[str, Path] = {}
    for source in workspace.sources():
        folder = source.root / "params" / "formats"
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            seen.setdefault(path.stem, path)
    return [seen[k] for k in sorted(seen)]


def load_formats() -> list[Format]:
    return list(_load(tuple(format_files())))


@lru_cache(maxsize=8)
def _load(paths: tuple[Path, ...]) -> tuple[Format, ...]:
    out = []
    for path in paths:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            out.append(Format.model_validate({**data, "name": path.stem}))
        except (yaml.YAMLError, OSError) as exc:
            raise UsageError(f"{path}: không đọc được mẫu báo cáo ({type(exc).__name__}) — kiểm tra tệp YAML") from None
        except ValidationError as exc:
            where = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
            raise UsageError(f"{path}: mẫu báo cáo không hợp lệ ({where})") from None
    if not any(f.canonical for f in out):
        raise UsageError("không tìm thấy mẫu số liệu chuẩn (params/formats/mau-chuan.yaml) — cài lại chương trình")
    return tuple(out)


def suppliers(column: str) -> list[str]:
    """The titles of the formats that carry ``column``: what to ingest when a month lacks it."""
    return [f.title for f in load_formats() if column in f.columns and not f.canonical]

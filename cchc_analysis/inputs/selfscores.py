"""Self-assessed CCHC scores: the canonical input file (unit, criterion id, score, evidence note), its
template, and validation to the same standard as the monthly statistics (every problem located, the batch
rejected whole)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import polars as pl

from cchc_analysis.core.exceptions import Problem, UsageError
from cchc_analysis.core.periods import ReportPeriod, report_period
from cchc_analysis.core.textnorm import header_key
from cchc_analysis.inputs.criteria import CriteriaSet, Criterion, criteria_sets, set_for_kind
from cchc_analysis.inputs.readers import InputRow, InputTable, Unreadable, read_table, sha256_file
from cchc_analysis.inputs.units import MatchError, Registry, Unit

SHEET = "tu_cham"
# name → (Vietnamese header, aliases, required)
SCORE_COLUMNS: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "ky": ("Kỳ đánh giá", ("Kỳ", "Kỳ báo cáo"), True),
    "don_vi": ("Đơn vị", ("Tên đơn vị",), True),
    "tieu_chi": ("Mã tiêu chí", ("Tiêu chí", "Mã"), True),
    "ten_tieu_chi": ("Tên tiêu chí", (), False),
    "diem_toi_da": ("Điểm tối đa", (), False),
    "diem": ("Điểm tự chấm", ("Điểm", "Điểm tự đánh giá"), True),
    "ghi_chu": ("Tài liệu kiểm chứng, ghi chú", ("Ghi chú", "Tài liệu kiểm chứng"), False),
}
_INDEX = {header_key(h): name for name, (head, aliases, _) in SCORE_COLUMNS.items() for h in (name, head, *aliases)}
SCORE_SCHEMA = {
    "period": pl.String,
    "unit_id": pl.String,
    "criterion_id": pl.String,
    "score": pl.String,
    "note": pl.String,
    "source_row": pl.Int32,
}


@dataclass
class ParsedScores:
    path: Path
    name: str
    sha256: str
    sheet: str | None
    frame: pl.DataFrame  # SCORE_SCHEMA; score as a decimal string, exact


@dataclass
class ScoresBatch:
    files: list[ParsedScores] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def parse_score(value: Any) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("thiếu điểm tự chấm")
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime)):
        raise ValueError(f"«{value}» không phải điểm số")
    text = str(value).strip().replace(",", ".") if isinstance(value, str) else repr(value)
    try:
        score = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"«{value}» không phải điểm số") from None
    if not score.is_finite():
        raise ValueError(f"«{value}» không phải điểm số")
    return score.normalize() if score != 0 else Decimal(0)


def _columns(raw: InputTable) -> tuple[dict[str, int], list[Problem]]:
    """The template's columns in ``raw``'s header (the first of a repeated one), and those required but missing."""
    colmap: dict[str, int] = {}
    for idx, text in enumerate(raw.header):
        name = _INDEX.get(header_key(text)) if text else None
        if name is not None and name not in colmap:
            colmap[name] = idx
    missing = [
        raw.problem(f"thiếu cột bắt buộc «{head}» — xem mẫu: cchc template-scores KỲ", raw.header_row)
        for name, (head, _, required) in SCORE_COLUMNS.items()
        if required and name not in colmap
    ]
    return colmap, missing


class _ScoreRows:
    """The rows of a scores file, checked one by one: the period, the unit, the criterion of the unit's set (one
    the unit scores itself), the score within the criterion's range."""

    def __init__(self, registry: Registry, sets_by_year: dict[int, list[CriteriaSet]], criteria_dir: Path | None):
        self.registry, self.sets_by_year, self.criteria_dir = registry, sets_by_year, criteria_dir
        self.problems: list[Problem] = []

    def _sets(self, row: InputRow, year: int) -> list[CriteriaSet]:
        if year not in self.sets_by_year:
            try:
                self.sets_by_year[year] = criteria_sets(self.registry.area, year, self.criteria_dir)
            except UsageError as exc:
                self.problems.append(row.problem("ky", str(exc)))
                self.sets_by_year[year] = []
        return self.sets_by_year[year]

    def _criterion(self, row: InputRow, unit: Unit, year: int, sets: list[CriteriaSet]) -> Criterion | None:
        cset = set_for_kind(sets, unit.kind)
        criterion_id = row.text("tieu_chi")
        if cset is None:
            if sets:
                message = f"không có bộ tiêu chí năm {year} cho loại đơn vị của «{unit.name}»"
                self.problems.append(row.problem("don_vi", message))
            return None
        criterion = cset.criteria.get(criterion_id)
        if criterion is None:
            message = f"không có tiêu chí «{criterion_id}» trong {cset.title.lower()}"
            self.problems.append(row.problem("tieu_chi", message))
            return None
        if criterion.method != "self":
            how = "tính từ số liệu" if criterion.method == "computed" else "chỉ đánh giá cuối năm"
            self.problems.append(
                row.problem("tieu_chi", f"tiêu chí {criterion_id} {how}, không tự chấm — xóa dòng này")
            )
            return None
        return criterion

    def _score(self, row: InputRow, criterion: Criterion | None) -> Decimal | None:
        try:
            score = parse_score(row["diem"])
        except ValueError as exc:
            self.problems.append(row.problem("diem", str(exc)))
            return None
        if criterion is not None and not 0 <= score <= criterion.max:
            message = f"điểm {score} ngoài khoảng 0–{criterion.max} của tiêu chí {row.text('tieu_chi')}"
            self.problems.append(row.problem("diem", message))
            return None
        return score

    def record(self, row: InputRow) -> dict[str, Any] | None:
        try:
            period = report_period(row["ky"])
        except ValueError as exc:
            self.problems.append(row.problem("ky", str(exc)))
            return None
        window = period.window
        try:
            unit = self.registry.match(row.text("don_vi"), window.start.first_day, window.end.last_day, area_level=True)
        except MatchError as exc:
            self.problems.append(row.problem("don_vi", str(exc)))
            unit = None
        year = window.start.year
        sets = self._sets(row, year)
        criterion = None if unit is None else self._criterion(row, unit, year, sets)
        score = self._score(row, criterion)
        if unit is None or criterion is None or score is None:
            return None
        note = row.text("ghi_chu")
        return {
            "period": str(period),
            "unit_id": unit.id,
            "criterion_id": row.text("tieu_chi"),
            "score": str(score),
            "note": note or None,
            "source_row": row.number,
        }


def _parse_file(
    path: Path, registry: Registry, sets_by_year: dict[int, list[CriteriaSet]], criteria_dir: Path | None
) -> tuple[ParsedScores | None, list[Problem]]:
    try:
        raw = read_table(path, sheet=SHEET)
    except Unreadable as exc:
        return None, [exc.problem]
    found = raw.find_header(lambda t: not _columns(t)[1])
    if found is None:
        return None, _columns(raw)[1]
    raw = found
    colmap, _ = _columns(raw)
    if not raw.rows:
        return None, [raw.problem("chỉ có dòng tiêu đề, chưa có điểm nào")]
    check = _ScoreRows(registry, sets_by_year, criteria_dir)
    records = [r for row in raw.located(colmap) if (r := check.record(row)) is not None]
    if check.problems:
        return None, check.problems
    frame = pl.DataFrame(records, schema=SCORE_SCHEMA)
    return ParsedScores(path, raw.file, sha256_file(path), raw.sheet, frame), []


def check_scores(
    paths: list[Path],
    registry: Registry,
    stored: set[tuple[str, str, str]] | None = None,
    criteria_dir: Path | None = None,
) -> ScoresBatch:
    """Validate self-assessment files together: each row, duplicates across the batch, and that every unit
    with a criteria set has a score for every self-assessed criterion (counting ``stored`` ones)."""
    batch = ScoresBatch()
    sets_by_year: dict[int, list[CriteriaSet]] = {}
    seen: dict[tuple[str, str, str], tuple[str, int]] = {}
    for path in paths:
        parsed, problems = _parse_file(path, registry, sets_by_year, criteria_dir)
        batch.problems.extend(problems)
        if parsed is None:
            continue
        for period, unit_id, crit, row in parsed.frame.select(
            "period", "unit_id", "criterion_id", "source_row"
        ).iter_rows():
            key = (period, unit_id, crit)
            if key in seen:
                other, other_row = seen[key]
                batch.problems.append(
                    Problem(
                        parsed.name,
                        f"«{registry.by_id[unit_id].name}» tiêu chí {crit} kỳ {period} "
                        f"đã có ở {other} dòng {other_row} — mỗi tiêu chí chỉ một điểm",
                        parsed.sheet,
                        row,
                    )
                )
            else:
                seen[key] = (parsed.name, row)
        batch.files.append(parsed)
    if batch.problems:
        return batch
    have = set(seen) | (stored or set())
    for period in sorted({k[0] for k in seen}):
        window = report_period(period).window
        sets = sets_by_year.get(window.start.year, [])
        for unit in registry.valid_units(window.start.first_day, window.end.last_day):
            cset = set_for_kind(sets, unit.kind)
            if cset is None:
                continue
            missing = [
                c.id for c in cset.criteria.values() if c.method == "self" and (period, unit.id, c.id) not in have
            ]
            if missing:
                shown = ", ".join(missing[:6]) + (f" (và {len(missing) - 6} tiêu chí khác)" if len(missing) > 6 else "")
                batch.problems.append(
                    Problem(
                        batch.files[0].name,
                        f"thiếu điểm tự chấm kỳ {period} của «{unit.name}»: "
                        f"tiêu chí {shown} — bổ sung các dòng này (mẫu: cchc template-scores {period})",
                    )
                )
    return batch


def write_scores_template(period: ReportPeriod, registry: Registry, out: Path, criteria_dir: Path | None = None) -> int:
    """One row per unit and self-assessed criterion, pre-filled; returns the number of rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    window = period.window
    sets = criteria_sets(registry.area, window.start.year, criteria_dir)
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = SHEET
    heads = [
        SCORE_COLUMNS[c][0] for c in ("ky", "don_vi", "tieu_chi", "ten_tieu_chi", "diem_toi_da", "diem", "ghi_chu")
    ]
    for j, text in enumerate(heads, start=1):
        c = ws.cell(1, j, text)
        c.font, c.alignment = Font(bold=True), Alignment(horizontal="center", vertical="center", wrap_text=True)
    row = 2
    units = sorted(
        registry.valid_units(window.start.first_day, window.end.last_day),
        key=lambda u: (u.kind != "huyen", not u.is_commune_level, u.name),
    )
    for unit in units:
        cset = set_for_kind(sets, unit.kind)
        if cset is None:
            continue
        for crit in cset.criteria.values():
            if crit.method != "self":
                continue
            for j, value in enumerate((str(period), unit.name, crit.id, crit.name, float(crit.max)), start=1):
                ws.cell(row, j, value)
            row += 1
    for letter, width in zip("ABCDEFG", (12, 30, 12, 60, 12, 14, 50), strict=False):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "D2"
    guide = wb.create_sheet("huong_dan")
    notes = [
        "Mỗi dòng là điểm tự chấm của một đơn vị cho một tiêu chí; ghi điểm vào cột «Điểm tự chấm».",
        "Điểm là số thập phân từ 0 đến điểm tối đa của tiêu chí (có thể viết 4,5 hoặc 4.5).",
        "Các tiêu chí tính từ số liệu (tỷ lệ đúng hạn, số hóa, thanh toán trực tuyến, chứng thực điện tử) và "
        "tiêu chí chỉ đánh giá cuối năm không có trong mẫu này.",
        "Cột «Tài liệu kiểm chứng, ghi chú» ghi số, ngày văn bản làm căn cứ chấm điểm.",
    ]
    for i, note in enumerate(notes, start=1):
        guide.cell(i, 1, note)
    guide.column_dimensions["A"].width = 120
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return row - 2

"""Validate unit-month statistics files and turn them into store rows.

Every problem in every file is collected before anything is written, each located by file, sheet,
row and column; a batch with any problem is rejected whole.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

from cchc_analysis.core.exceptions import Problem, row_runs
from cchc_analysis.core.glossary import COLUMNS_BY_NAME, COUNT_COLUMNS, RATIO_PAIRS, REQUIRED_COLUMNS
from cchc_analysis.core.periods import Month
from cchc_analysis.core.textnorm import header_key
from cchc_analysis.inputs import formats
from cchc_analysis.inputs.exports import parse_report
from cchc_analysis.inputs.formats import Format
from cchc_analysis.inputs.readers import InputRow, InputTable, Unreadable, column_letter, read_table, sha256_file
from cchc_analysis.inputs.records import STAT_SCHEMA, Batch, ParsedFile, parse_count, parse_month
from cchc_analysis.inputs.units import MatchError, Registry, Unit


def _header_index(fmt: Format) -> tuple[dict[str, str], set[str]]:
    """The template's accepted headers (params/formats/mau-chuan.yaml) → column names, and the ignored ones."""
    index = {header_key(h): "don_vi" for h in fmt.unit} | {header_key(h): "ky" for h in fmt.month}
    for name, specs in fmt.columns.items():
        index |= {header_key(h): name for h in specs}
    return index, {header_key(h) for h in fmt.ignored}


def _map_headers(raw: InputTable, notices: list[str]) -> tuple[dict[str, int], list[Problem]]:
    problems: list[Problem] = []
    colmap: dict[str, int] = {}
    index, ignored = _header_index(formats.canonical())
    for idx, text in enumerate(raw.header):
        key = header_key(text) if text else ""
        name = index.get(key)
        if name is None:
            if key and key not in ignored:
                notices.append(f"{raw.file}: bỏ qua cột {column_letter(idx)} «{text}» (không thuộc mẫu số liệu)")
        elif name in colmap:
            first = colmap[name]
            message = f"cột này trùng ý nghĩa với cột {column_letter(first)} «{raw.header[first]}» — xóa một trong hai"
            problems.append(raw.problem(message, raw.header_row, idx))
        else:
            colmap[name] = idx
    missing = [COLUMNS_BY_NAME[name] for name in REQUIRED_COLUMNS if name not in colmap]
    if missing and not colmap:
        message = (
            f"không nhận ra cột nào của mẫu số liệu ({raw.describe()}) — xuất lại tệp dạng .xlsx hoặc CSV (UTF-8 "
            "hoặc UTF-16, phân cách bằng dấu phẩy, chấm phẩy hoặc tab) có dòng tiêu đề như mẫu: cchc template"
        )
        problems.append(raw.problem(message, raw.header_row))
    elif missing:
        names = ", ".join(f"«{col.header}» ({col.name})" for col in missing)
        message = f"thiếu cột bắt buộc {names} — thêm vào dòng tiêu đề (xem mẫu: cchc template)"
        problems.append(raw.problem(message, raw.header_row))
    return colmap, problems


def parse_file(
    path: Path,
    registry: Registry,
    today: dt.date | None = None,
    display_name: str | None = None,
    month: Month | None = None,
    unit_name: str | None = None,
) -> tuple[ParsedFile | None, list[Problem], list[str]]:
    """Read and validate one file, in the package's template or any ``params/formats`` layout (``month``: the
    month of a report whose title does not say it). Returns the parsed file (None if it has problems), problems,
    notices."""
    today = today or dt.date.today()
    try:
        raw = read_table(path)
    except Unreadable as exc:
        return None, [exc.problem], []
    if display_name:
        raw.file = display_name
    layout = formats.recognise([values for _, values in raw.numbered()])
    if layout is not None and not layout.format.canonical:
        return parse_report(path, raw, sha256_file(path), layout, registry, today, month, unit_name)
    notices: list[str] = []
    found = raw.find_header(lambda t: not _map_headers(t, [])[1])
    if found is None:
        return None, _map_headers(raw, notices)[1], notices
    if found is not raw:
        notices.append(f"{raw.file}: dòng tiêu đề ở dòng {found.header_row}, bỏ qua các dòng phía trên")
    raw = found
    colmap, _ = _map_headers(raw, notices)
    if not raw.rows:
        message = "chỉ có dòng tiêu đề, không có dòng số liệu nào — điền số liệu từ dòng 2"
        return None, [raw.problem(message)], notices
    return _template_rows(path, raw, colmap, registry, today, notices)


class _TemplateRows:
    """The rows of a file in the package's template, checked one by one: the month, the unit, the counts,
    counts that cannot exceed their totals, one row per unit and month."""

    def __init__(self, colmap: dict[str, int], registry: Registry, today: dt.date):
        self.colmap, self.registry, self.today = colmap, registry, today
        self.counts = [c for c in COUNT_COLUMNS if c in colmap]
        self.problems: list[Problem] = []
        self.seen: dict[tuple[str, Month], int] = {}

    def month(self, row: InputRow) -> tuple[Month | None, bool]:
        """The row's month, and whether it can be stored (a month still to come is read, and refused)."""
        try:
            month = parse_month(row["ky"])
        except ValueError as exc:
            self.problems.append(row.problem("ky", str(exc)))
            return None, False
        if month > Month.of(self.today):
            message = f"tháng {month} chưa đến (hôm nay {self.today:%d/%m/%Y}) — kiểm tra kỳ báo cáo"
            self.problems.append(row.problem("ky", message))
            return month, False
        return month, True

    def unit(self, row: InputRow, month: Month | None) -> Unit | None:
        try:
            return self.registry.match(
                row.text("don_vi"), month.first_day if month else None, month.last_day if month else None
            )
        except MatchError as exc:
            self.problems.append(row.problem("don_vi", str(exc)))
            return None

    def counts_of(self, row: InputRow) -> dict[str, Any] | None:
        record: dict[str, Any] = {}
        before = len(self.problems)
        for name in self.counts:
            try:
                record[name] = parse_count(row[name])
            except ValueError as exc:
                hint = " — ghi số hồ sơ là số nguyên không âm, để trống nếu không có số liệu"
                self.problems.append(row.problem(name, f"{exc}{hint}"))
                record[name] = None
        if "phai_so_hoa_tiep_nhan" not in self.colmap:
            record["phai_so_hoa_tiep_nhan"] = record.get("tiep_nhan")
        for num, den in RATIO_PAIRS:
            n, d = record.get(num), record.get(den)
            if n is not None and d is not None and n > d and num in self.colmap:
                total = den if den in self.colmap else "tiep_nhan"
                label = f"«{row.table.header[self.colmap[total]]}»" + (
                    "" if den in self.colmap else f" (dùng thay cho {den})"
                )
                message = f"{n} lớn hơn {label} ({d}) — số hồ sơ đạt không thể vượt tổng số"
                self.problems.append(row.problem(num, message))
        return None if len(self.problems) > before else record

    def once(self, row: InputRow, unit: Unit, month: Month) -> bool:
        key = (unit.id, month)
        if key in self.seen:
            message = f"«{unit.name}» tháng {month} đã có ở dòng {self.seen[key]} — mỗi đơn vị chỉ một dòng mỗi tháng"
            self.problems.append(row.problem("don_vi", message))
            return False
        self.seen[key] = row.number
        return True

    def record(self, row: InputRow) -> dict[str, Any] | None:
        month, ok = self.month(row)
        unit = self.unit(row, month)
        counts = self.counts_of(row)
        if unit is None or month is None or not self.once(row, unit, month) or counts is None or not ok:
            return None
        return {
            "source_row": row.number,
            **counts,
            "unit_id": unit.id,
            "month": month.first_day,
            "unit_raw": row.text("don_vi"),
        }

    def empty(self, row: InputRow) -> bool:
        """A template row left unfilled: the unit has not reported."""
        return bool(self.counts) and all(row[c] is None or str(row[c]).strip() == "" for c in self.counts)


def _template_rows(
    path: Path, raw: InputTable, colmap: dict[str, int], registry: Registry, today: dt.date, notices: list[str]
) -> tuple[ParsedFile | None, list[Problem], list[str]]:
    check = _TemplateRows(colmap, registry, today)
    records: list[dict[str, Any]] = []
    empty_rows: list[int] = []
    for row in raw.located(colmap):
        if check.empty(row):
            empty_rows.append(row.number)
        elif (record := check.record(row)) is not None:
            records.append(record)
    problems = check.problems
    if empty_rows and not records and not problems:
        message = (
            f"chưa điền số liệu: dòng {row_runs(empty_rows)} để trống mọi cột số liệu — điền số liệu của các "
            "đơn vị rồi nhập lại"
        )
        problems.append(raw.problem(message))
    elif empty_rows:
        notices.append(raw.skipped(empty_rows))
    if problems:
        return None, problems, notices
    frame = pl.DataFrame(records, schema=STAT_SCHEMA) if records else pl.DataFrame(schema=STAT_SCHEMA)
    present = set(check.counts) | {"phai_so_hoa_tiep_nhan"}
    cells = {c: column_letter(colmap[c]) for c in check.counts}
    return ParsedFile(path, raw.file, sha256_file(path), raw.sheet, frozenset(present), frame, cells=cells), [], notices


def check(
    paths: list[Path],
    registry: Registry,
    today: dt.date | None = None,
    month: Month | None = None,
    unit_name: str | None = None,
) -> Batch:
    """Validate a batch of files together: each file, then units and months repeated across files. Reports of
    different layouts for the same unit and month (form II.06a, the digitization report …) combine into one row;
    a column two of them give with different values is an error naming both cells. ``month``: ``--month``."""
    batch = Batch()
    seen_sha: dict[str, str] = {}
    first_seen: dict[tuple[str, dt.date], tuple[ParsedFile, dict[str, Any]]] = {}
    names = _display_names(paths)
    for path in paths:
        parsed, problems, notices = parse_file(path, registry, today, names[path], month, unit_name)
        batch.problems.extend(problems)
        batch.notices.extend(notices)
        if parsed is None:
            continue
        if parsed.sha256 in seen_sha:
            batch.notices.append(f"{parsed.name}: giống hệt tệp {seen_sha[parsed.sha256]} trong cùng lần nhập, bỏ qua")
            continue
        seen_sha[parsed.sha256] = parsed.name
        for r in parsed.frame.iter_rows(named=True):
            key = (r["unit_id"], r["month"])
            if key not in first_seen:
                first_seen[key] = (parsed, r)
                continue
            other, other_r = first_seen[key]
            unit = registry.by_id[r["unit_id"]]
            if other.format == parsed.format:
                batch.problems.append(
                    Problem(
                        parsed.name,
                        f"«{unit.name}» tháng {Month.of(r['month'])} đã có trong tệp {other.name} dòng "
                        f"{other_r['source_row']} — nhập mỗi đơn vị, mỗi tháng một lần (tệp sửa số liệu thì nhập "
                        "riêng sau)",
                        parsed.sheet,
                        r["source_row"],
                    )
                )
                continue
            for c in sorted(set(parsed.cells) & set(other.cells)):
                if r[c] != other_r[c]:
                    batch.problems.append(
                        Problem(
                            parsed.name,
                            f"«{unit.name}» {Month.of(r['month']).label()}: «{COLUMNS_BY_NAME[c].header}» là {r[c]} ở "
                            f"đây nhưng {other_r[c]} ở tệp {other.name} (ô {other.cells[c]}{other_r['source_row']}) "
                            "— hai báo cáo của cùng tháng phải cùng số liệu; sửa tệp sai rồi nhập lại",
                            parsed.sheet,
                            r["source_row"],
                            parsed.cells[c].split("+")[0],
                        )
                    )
        batch.files.append(parsed)
    if not batch.problems:
        _combine(batch, registry)
    return batch


def _combine(batch: Batch, registry: Registry) -> None:
    """One row per unit and month across the batch's reports: the first file's row takes the columns the others
    give (a column given beats one filled by default), the others' rows for it go, and each row lists the
    columns it was given (``given``) so that the store keeps what it knew of the rest."""
    owner: dict[tuple[str, dt.date], tuple[int, dict[str, Any], set[str], set[str]]] = {}
    rows: list[list[dict[str, Any]]] = []
    for i, parsed in enumerate(batch.files):
        kept = []
        for r in parsed.frame.iter_rows(named=True):
            key = (r["unit_id"], r["month"])
            if key not in owner:
                owner[key] = (i, r, set(parsed.columns), set(parsed.cells))
                kept.append(r)
                continue
            _, first, columns, given = owner[key]
            for c in parsed.columns:
                if c in parsed.cells or c not in given:
                    first[c] = r[c]
            columns |= set(parsed.columns)
            given |= set(parsed.cells)
        rows.append(kept)
    if len(owner) == sum(f.frame.height for f in batch.files):
        return  # nothing shared: every file is written as it is
    for (unit_id, month), (_, r, columns, _) in owner.items():
        r["given"] = sorted(columns)
        batch.problems += _combined_ratios(batch, registry.by_id[unit_id], Month.of(month), r)
    for parsed, kept in zip(batch.files, rows, strict=True):
        if len(kept) < parsed.frame.height:
            batch.notices.append(
                f"{parsed.name}: {parsed.frame.height - len(kept)} dòng ghép với dòng cùng đơn vị, "
                "cùng tháng của báo cáo khác trong lần nhập này (mỗi đơn vị – tháng một dòng)"
            )
    schema = pl.Schema({**STAT_SCHEMA, "given": pl.List(pl.String)})
    for parsed, kept in zip(batch.files, rows, strict=True):
        parsed.frame = pl.DataFrame(kept, schema=schema) if kept else pl.DataFrame(schema=schema)
        parsed.columns = frozenset(c for r in kept for c in r["given"]) or parsed.columns


def _combined_ratios(batch: Batch, unit: Unit, month: Month, row: dict[str, Any]) -> list[Problem]:
    """A count above its total in a row combined from several reports (each report alone was right)."""
    return [
        Problem(
            ", ".join(f.name for f in batch.files),
            f"«{unit.name}» {month.label()}: «{COLUMNS_BY_NAME[num].header}» ({row[num]}) lớn hơn "
            f"«{COLUMNS_BY_NAME[den].header}» ({row[den]}) khi ghép các báo cáo — kiểm tra lại các tệp",
        )
        for num, den in RATIO_PAIRS
        if row.get(num) is not None and row.get(den) is not None and row[num] > row[den]
    ]


def _display_names(paths: list[Path]) -> dict[Path, str]:
    """File names as shown in messages: the bare name, or the path where two names collide."""
    counts: dict[str, int] = {}
    for p in paths:
        counts[p.name] = counts.get(p.name, 0) + 1
    return {p: (p.name if counts[p.name] == 1 else str(p)) for p in paths}

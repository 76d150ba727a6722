"""Reports as the one-stop systems export them (form II.06a, the digitization and online-payment reports, or any
``params/formats`` layout): title rows naming the month, a header of one to three rows with merged cells, a row of
column numbers, group rows, units, a total row. Read into the canonical unit-month rows, with every check the
report allows: its internal sums, its printed rates, its total row against the units."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import polars as pl

from cchc_analysis.core.exceptions import Problem
from cchc_analysis.core.formatting import integer, number
from cchc_analysis.core.glossary import RATIO_PAIRS
from cchc_analysis.core.periods import Month
from cchc_analysis.core.textnorm import header_key, plain
from cchc_analysis.inputs.formats import Format, Layout, is_column_numbers
from cchc_analysis.inputs.readers import InputRow, InputTable, cell_text, column_letter
from cchc_analysis.inputs.records import STAT_SCHEMA, ParsedFile, parse_count, parse_month
from cchc_analysis.inputs.units import MatchError, Registry, Unit

_GROUP = re.compile(r"^(?:[IVXLC]+|[A-Z])(?:[.)]|\s*[-–:])?(?:\s+\S.*)?$")
_DATES = re.compile(r"tu ngay (\d{1,2})[/.-](\d{1,2})[/.-](\d{4}) den ngay (\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_MONTH = re.compile(r"thang (\d{1,2})\s*(?:[/.-]|nam)\s*(\d{4})")
_NOT_A_MONTH = re.compile(r"\b(quy [ivx\d]+|\d+ thang (?:dau|cuoi) nam|6 thang|9 thang|nam \d{4})\b")


def title_month(rows: list[tuple[int, list[Any]]]) -> tuple[Month | None, Problem | None, int | None]:
    """The month the title rows name ("Kỳ báo cáo: Tháng 8/2023", "Từ ngày 01/8/2023 đến ngày 31/8/2023"),
    or why they name no single month; with the row that says so."""
    found: list[tuple[Month, int]] = []
    for row_no, values in rows:
        text = plain(" ".join(str(v) for v in values if v is not None))
        for m in _DATES.finditer(text):
            d1, m1, y1, d2, m2, y2 = (int(x) for x in m.groups())
            try:
                first, last = dt.date(y1, m1, d1), dt.date(y2, m2, d2)
            except ValueError:
                continue
            month = Month(first.year, first.month)
            if first != month.first_day or last != month.last_day:
                return (
                    None,
                    Problem(
                        "",
                        f"kỳ báo cáo từ {first:%d/%m/%Y} đến {last:%d/%m/%Y} không phải một tháng "
                        "trọn — xuất lại báo cáo theo từng tháng",
                    ),
                    row_no,
                )
            found.append((month, row_no))
        if not found:
            for m in _MONTH.finditer(text):
                try:
                    found.append((Month(int(m.group(2)), int(m.group(1))), row_no))
                except ValueError:
                    continue
        if not found and (bad := _NOT_A_MONTH.search(text)):
            return (
                None,
                Problem(
                    "",
                    f"kỳ báo cáo «{bad.group(0)}» không phải một tháng — xuất lại báo cáo theo "
                    "từng tháng (mỗi tệp một tháng)",
                ),
                row_no,
            )
    months = sorted({m for m, _ in found})
    if len(months) > 1:
        shown = ", ".join(m.label() for m in months)
        return None, Problem("", f"dòng tiêu đề ghi nhiều tháng ({shown}) — mỗi tệp một tháng"), found[0][1]
    return (months[0], None, found[0][1]) if months else (None, None, None)


def _label_key(row: list[Any], unit: int) -> str:
    """The text a total or group row is labelled with: its unit cell, else its first text."""
    text = cell_text(row[unit]) if unit < len(row) else ""
    if not text:
        text = next((cell_text(v) for v in row if cell_text(v)), "")
    return text


def _printed_rate(value: Any) -> tuple[Decimal, int] | None:
    """A printed rate as percent and its decimals: 98,83 · "98,83%" · 0.9883 (a percentage cell)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        d = Decimal(repr(value))
        exponent = d.as_tuple().exponent
        return d, max(-exponent, 0) if isinstance(exponent, int) else 0
    text = str(value).strip().rstrip("%").strip().replace(",", ".")
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"«{value}» không phải tỷ lệ") from None
    exponent = d.as_tuple().exponent
    return d, max(-exponent, 0) if isinstance(exponent, int) else 0


_UNIT_TITLE = re.compile(r"(?:đơn vị|cơ quan)(?: báo cáo| thực hiện)?\s*:\s*(.+)$", re.IGNORECASE)


def title_unit(rows: list[tuple[int, list[Any]]]) -> tuple[str, int] | None:
    """The unit a by-field form is about, as its title says: "Đơn vị: UBND xã Hà Kỳ"."""
    for row_no, values in rows:
        for v in values:
            m = _UNIT_TITLE.search(cell_text(v))
            if m:
                return m.group(1).strip(), row_no
    return None


def _counts(row: InputRow, used: list[int], problems: list[Problem]) -> tuple[dict[int, int | None], list[int]]:
    """The row's counts in the columns ``used``, and the columns whose cell is not a count (each a problem)."""
    cells: dict[int, int | None] = {}
    bad = []
    for i in used:
        try:
            cells[i] = parse_count(row[i])
        except ValueError as exc:
            problems.append(row.problem(i, f"{exc} — ghi số hồ sơ là số nguyên không âm"))
            bad.append(i)
    return cells, bad


def _is_total(label: str, totals: set[str]) -> bool:
    key = header_key(label)
    return key in totals or any(key.startswith(t) for t in totals if len(t) >= 6)


def _sum_columns(fmt: Format, layout: Layout, more: set[int]) -> list[int]:
    """The columns a form's rows are read in: ``more`` and every column of its internal sums."""
    sums = {i for s in fmt.sums for i in (layout.find(s.total), *map(layout.find, s.parts)) if i is not None}
    return sorted(more | sums)


def _body(raw: InputTable, layout: Layout) -> InputTable:
    """The rows under a report's header block, each problem quoting its column's header path."""
    head_no = raw.number_of(layout.header_rows[0])
    return raw.below(layout.header_rows[-1], [h.text for h in layout.headers], head_no)


def _fields_unit(
    raw: InputTable, layout: Layout, registry: Registry, month: Month, unit_given: str | None
) -> Unit | Problem:
    """The unit a by-field form is about: ``--unit``, else its title ("Đơn vị: UBND xã Hà Kỳ")."""
    head_no = raw.number_of(layout.header_rows[0])
    titled = title_unit(raw.first(layout.header_rows[0]))
    text, where = (unit_given, head_no) if unit_given else titled or ("", head_no)
    if not text:
        message = "biểu theo lĩnh vực không ghi đơn vị (dòng «Đơn vị: …» trên tiêu đề) — thêm --unit «tên đơn vị»"
        return raw.problem(message, head_no)
    try:
        return registry.match(text, month.first_day, month.last_day)
    except MatchError as exc:
        return raw.problem(str(exc), where)


def _totals_agree(
    total_rows: list[tuple[InputRow, str, dict[int, int | None]]], used: list[int], added: dict[int, int], what: str
) -> list[Problem]:
    """Each total row against the sum of the rows above it (``what``: "các lĩnh vực")."""
    return [
        row.problem(
            i,
            f"dòng tổng «{label}» ghi {integer(cells[i] or 0)}, cộng {what} được {integer(added.get(i, 0))} — sửa cho khớp",
        )
        for row, label, cells in total_rows
        for i in used
        if cells.get(i) is not None and cells[i] != added.get(i, 0)
    ]


def parse_fields(
    path: Path, raw: InputTable, sha256: str, layout: Layout, registry: Registry, month: Month, unit_given: str | None
) -> tuple[ParsedFile | None, list[Problem], list[str]]:
    """Form II.06a by field for one unit: its late dossiers per field, the form's sums and total row checked."""
    fmt = layout.format
    unit = _fields_unit(raw, layout, registry, month, unit_given)
    if isinstance(unit, Problem):
        return None, [unit], []
    body = _body(raw, layout)
    late_at = layout.find(fmt.late) if fmt.late else None
    if late_at is None:
        return None, [body.problem(f"không thấy cột «{fmt.late}» của mẫu «{fmt.title}»", body.header_row)], []
    used = _sum_columns(fmt, layout, {late_at})
    totals = {header_key(t) for t in fmt.total_rows}
    problems: list[Problem] = []
    fields: dict[str, tuple[int, int]] = {}
    summed: dict[int, int] = {}
    total_rows: list[tuple[InputRow, str, dict[int, int | None]]] = []
    for row in body.located():
        if is_column_numbers(row.values):
            continue
        label = _label_key(row.values, layout.unit)
        cells, _ = _counts(row, used, problems)
        field_name = row.text(layout.unit)
        if _is_total(label, totals):
            total_rows.append((row, label, cells))
        elif not field_name or _GROUP.match(label) and all(v is None for v in cells.values()):
            continue
        elif field_name in fields:
            problems.append(row.problem(layout.unit, f"lĩnh vực «{field_name}» đã có ở dòng {fields[field_name][0]}"))
        else:
            problems += _sums(fmt, layout, cells, row)
            fields[field_name] = (row.number, cells.get(late_at) or 0)
            for i, v in cells.items():
                summed[i] = summed.get(i, 0) + (v or 0)
    problems += _totals_agree(total_rows, used, summed, "các lĩnh vực")
    if problems:
        return None, problems, []
    late = pl.DataFrame(
        [{"unit_id": unit.id, "month": month.first_day, "field": f, "late": n} for f, (_, n) in fields.items() if n],
        schema={"unit_id": pl.String, "month": pl.Date, "field": pl.String, "late": pl.Int64},
    )
    notice = (
        f"{raw.file}: đọc theo mẫu «{fmt.title}», {unit.name}, {month.label()}: {late.height} lĩnh vực có hồ sơ quá hạn"
    )
    empty = pl.DataFrame(schema=STAT_SCHEMA)
    return (
        ParsedFile(path, raw.file, sha256, raw.sheet, frozenset(), empty, fmt.title, {}, "fields", late),
        [],
        [notice],
    )


def _report_month(raw: InputTable, layout: Layout, given: Month | None, today: dt.date) -> Month | Problem | None:
    """A report's month when it has no month column: its title rows, else ``--month`` (the two must agree)."""
    head_no = raw.number_of(layout.header_rows[0])
    titled, why, title_row = title_month(raw.first(layout.header_rows[0]))
    if why is not None:
        return raw.problem(why.message, title_row)
    if titled and given and titled != given:
        message = f"dòng tiêu đề ghi {titled.label()}, lệnh ghi --month {given} — kiểm tra lại tệp hoặc tháng"
        return raw.problem(message, title_row)
    month = titled or given
    if month is None:
        message = (
            "không rõ tháng của báo cáo: không có cột «Kỳ báo cáo» và dòng tiêu đề không ghi tháng — thêm "
            "--month 2023-08"
        )
        return raw.problem(message, head_no)
    if month > Month.of(today):
        message = f"{month.label()} chưa đến (hôm nay {today:%d/%m/%Y}) — kiểm tra kỳ báo cáo"
        return raw.problem(message, title_row or head_no)
    return month


def parse_report(
    path: Path,
    raw: InputTable,
    sha256: str,
    layout: Layout,
    registry: Registry,
    today: dt.date,
    month_given: Month | None,
    unit_given: str | None = None,
) -> tuple[ParsedFile | None, list[Problem], list[str]]:
    """One report in ``layout``: its header block found in ``raw``'s rows, its units' rows read under it."""
    fmt = layout.format
    month: Month | None = None
    if layout.month is None:
        found = _report_month(raw, layout, month_given, today)
        if isinstance(found, Problem):
            return None, [found], []
        month = found
    if fmt.rows == "fields":
        if month is None:
            head_no = raw.number_of(layout.header_rows[0])
            return None, [raw.problem("biểu theo lĩnh vực cần tháng ở dòng tiêu đề hoặc --month", head_no)], []
        return parse_fields(path, raw, sha256, layout, registry, month, unit_given)
    reading = _ReportRows(_body(raw, layout), layout, registry, month)
    reading.read()
    problems, notices, records = reading.problems, reading.notices, reading.records
    if not records and not problems:
        problems.append(raw.problem("không có dòng số liệu của đơn vị nào dưới dòng tiêu đề", reading.body.header_row))
    if problems:
        return None, problems, notices
    frame = pl.DataFrame(records, schema=STAT_SCHEMA, strict=False)
    present = frozenset(layout.columns) | frozenset(t for t in fmt.fill if t not in layout.columns)
    letters = {c: "+".join(column_letter(i) for i in idx) for c, idx in layout.columns.items()}
    notices.append(f"{raw.file}: đọc theo mẫu «{fmt.title}»" + (f", {month.label()}" if month else ""))
    return ParsedFile(path, raw.file, sha256, raw.sheet, present, frame, fmt.title, letters), [], notices


class _ReportRows:
    """A report's rows under its header: group and total rows told from units' rows, each unit's counts checked
    against the form's sums, printed rates and totals, one row per unit (per month when months are a column)."""

    def __init__(self, body: InputTable, layout: Layout, registry: Registry, month: Month | None):
        self.body, self.layout, self.fmt, self.registry, self.month = body, layout, layout.format, registry, month
        self.used = _sum_columns(self.fmt, layout, {i for idx in layout.columns.values() for i in idx})
        self.totals = {header_key(t) for t in self.fmt.total_rows}
        self.problems: list[Problem] = []
        self.notices: list[str] = []
        self.records: list[dict[str, Any]] = []
        self.seen: dict[str, int] = {}
        self.data_rows: list[dict[int, int | None]] = []
        self.unreadable: set[int] = set()  # columns with a cell that is not a count: their total is not checked

    def read(self) -> None:
        total_rows: list[tuple[InputRow, str, dict[int, int | None]]] = []
        empty: list[int] = []
        for row in self.body.located():
            if is_column_numbers(row.values):
                continue
            label = _label_key(row.values, self.layout.unit)
            cells, bad = _counts(row, self.used, self.problems)
            self.unreadable.update(bad)
            if _is_total(label, self.totals):
                total_rows.append((row, label, cells))
            elif not self._is_group(row, label):
                if all(v is None for v in cells.values()) and not bad:
                    empty.append(row.number)
                else:
                    # the form's total adds up its rows as written: a row refused below (a name not in the
                    # registry) still counts in it, so one unknown unit is one error, not one more per column
                    self.data_rows.append(cells)
                    self._unit_row(row, cells, bool(bad))
        self._check_totals(total_rows)
        if empty:
            self.notices.append(self.body.skipped(empty))

    def _is_group(self, row: InputRow, label: str) -> bool:
        """A group row ("I. Cấp huyện"), or a row with no unit: nothing to store."""
        unit_text = row.text(self.layout.unit)
        lead = next((cell_text(v) for v in row.values if cell_text(v)), "")
        grouped = _GROUP.match(label) or re.fullmatch(r"(?:[IVXLC]+|[A-Z])[.)]?", lead)
        return not unit_text or bool(grouped) and not _is_unit(self.registry, unit_text, self.month)

    def _row_month(self, row: InputRow) -> Month | None | Problem:
        if self.layout.month is None:
            return self.month
        try:
            return parse_month(row[self.layout.month])
        except ValueError as exc:
            return row.problem(self.layout.month, str(exc))

    def _unit_row(self, row: InputRow, cells: dict[int, int | None], bad: bool) -> None:
        layout = self.layout
        row_month = self._row_month(row)
        if isinstance(row_month, Problem):
            self.problems.append(row_month)
            return
        unit_text = row.text(layout.unit)
        try:
            unit = self.registry.match(
                unit_text, row_month.first_day if row_month else None, row_month.last_day if row_month else None
            )
        except MatchError as exc:
            self.problems.append(row.problem(layout.unit, str(exc)))
            return
        if bad:
            return
        if unit.id in self.seen and layout.month is None:
            message = f"«{unit.name}» đã có ở dòng {self.seen[unit.id]} — mỗi đơn vị một dòng"
            self.problems.append(row.problem(layout.unit, message))
            return
        self.seen[unit.id] = row.number
        self.problems += _sums(self.fmt, layout, cells, row)
        self.problems += _rates(self.fmt, layout, cells, row)
        if row_month is not None:
            self.records.append(self._record(row, unit, unit_text, row_month, cells))

    def _record(self, row: InputRow, unit: Unit, unit_text: str, month: Month, cells: dict[int, int | None]) -> dict:
        layout = self.layout
        record: dict[str, Any] = {"source_row": row.number, "unit_id": unit.id, "unit_raw": unit_text}
        record["month"] = month.first_day
        for column, sources in layout.columns.items():
            parts = [cells.get(i) for i in sources]
            record[column] = None if all(p is None for p in parts) else sum(p or 0 for p in parts)
        for target, source in self.fmt.fill.items():
            if target not in layout.columns:
                record[target] = record.get(source)
        for num, den in RATIO_PAIRS:
            n, d = record.get(num), record.get(den)
            if num in layout.columns and n is not None and d is not None and n > d:
                total = layout.headers[layout.columns[den][0]].text if den in layout.columns else den
                message = f"{n} lớn hơn «{total}» ({d}) — số hồ sơ đạt không thể vượt tổng số"
                self.problems.append(row.problem(layout.columns[num][0], message))
        return record

    def _check_totals(self, total_rows: list[tuple[InputRow, str, dict[int, int | None]]]) -> None:
        for row, label, cells in total_rows:
            for i in self.used:
                stated = cells.get(i)
                if stated is None or i in self.unreadable:
                    continue
                added = sum(c.get(i) or 0 for c in self.data_rows)
                if stated != added:
                    sign = "+" if stated > added else "-"
                    self.problems.append(
                        row.problem(
                            i,
                            f"dòng tổng «{label}» ghi {integer(stated)}, cộng các đơn vị được {integer(added)} (lệch "
                            f"{sign}{integer(abs(stated - added))}) — sửa dòng tổng hoặc số liệu các đơn vị cho khớp",
                        )
                    )


def _is_unit(registry: Registry, text: str, month: Month | None) -> bool:
    try:
        registry.match(text, month.first_day if month else None, month.last_day if month else None)
        return True
    except MatchError:
        return False


def _sums(fmt: Format, layout: Layout, cells: dict[int, int | None], row: InputRow) -> list[Problem]:
    out = []
    for s in fmt.sums:
        total, parts = layout.find(s.total), [layout.find(p) for p in s.parts]
        if total is None or any(p is None for p in parts) or cells.get(total) is None:
            continue
        added = sum(cells.get(p) or 0 for p in parts if p is not None)
        if cells[total] != added:
            names = ", ".join(f"«{layout.headers[p].path[-1]}»" for p in parts if p is not None)
            out.append(
                row.problem(
                    total,
                    f"«{layout.headers[total].text}» ghi {integer(cells[total])}, cộng các cột {names} "
                    f"được {integer(added)} — sửa cho khớp",
                )
            )
    return out


def _rates(fmt: Format, layout: Layout, cells: dict[int, int | None], row: InputRow) -> list[Problem]:
    out = []
    values = row.values
    for r in fmt.rates:
        num, den = layout.find(r.numerator), layout.find(r.denominator)
        if num is None or den is None:
            continue
        rate = next((h.index for h in layout.headers if h.index > num and h.matches(r.rate)), None)
        if rate is None or rate >= len(values):
            continue
        try:
            printed = _printed_rate(values[rate])
        except ValueError as exc:
            out.append(row.problem(rate, str(exc)))
            continue
        n, d = cells.get(num), cells.get(den)
        if printed is None or n is None or not d:
            continue
        value, places = printed
        computed = Decimal(n) * 100 / Decimal(d)
        if value <= 1 and computed > 1 + Decimal("1e-9") and not isinstance(values[rate], str):
            value, places = value * 100, max(places - 2, 0)  # a percentage cell holds the fraction
        slack = Decimal(5) / Decimal(10) ** (places + 1) + Decimal("1e-9")
        if abs(computed - value) > slack:
            out.append(
                row.problem(
                    rate,
                    f"tỷ lệ in {number(float(value), places)}% nhưng {integer(n)}/{integer(d)} = "
                    f"{number(float(computed), 2)}% — kiểm tra lại số hồ sơ hoặc tỷ lệ",
                )
            )
    return out

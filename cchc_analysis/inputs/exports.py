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

from cchc_analysis.core.exceptions import Problem, row_runs
from cchc_analysis.core.formatting import integer, number
from cchc_analysis.core.glossary import RATIO_PAIRS
from cchc_analysis.core.periods import Month
from cchc_analysis.core.textnorm import clean, header_key, plain
from cchc_analysis.inputs.formats import Layout, is_column_numbers
from cchc_analysis.inputs.readers import column_letter
from cchc_analysis.inputs.records import STAT_SCHEMA, ParsedFile, parse_count, parse_month
from cchc_analysis.inputs.units import MatchError, Registry

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


def _text(value: Any) -> str:
    return "" if value is None else clean(str(value))


def _label_key(row: list[Any], unit: int) -> str:
    """The text a total or group row is labelled with: its unit cell, else its first text."""
    text = _text(row[unit]) if unit < len(row) else ""
    if not text:
        text = next((_text(v) for v in row if _text(v)), "")
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
            m = _UNIT_TITLE.search(_text(v))
            if m:
                return m.group(1).strip(), row_no
    return None


def parse_fields(
    path: Path,
    name: str,
    sheet: str | None,
    sha256: str,
    numbered: list[tuple[int, list[Any]]],
    layout: Layout,
    registry: Registry,
    month: Month,
    unit_given: str | None,
) -> tuple[ParsedFile | None, list[Problem], list[str]]:
    """Form II.06a by field for one unit: its late dossiers per field, the form's sums and total row checked."""
    fmt = layout.format
    head_no = numbered[layout.header_rows[0]][0]
    titled = title_unit(numbered[: layout.header_rows[0]])
    text, where = (unit_given, head_no) if unit_given else titled or ("", head_no)
    if not text:
        return (
            None,
            [
                Problem(
                    name,
                    "biểu theo lĩnh vực không ghi đơn vị (dòng «Đơn vị: …» trên tiêu đề) — thêm --unit «tên đơn vị»",
                    sheet,
                    head_no,
                )
            ],
            [],
        )
    try:
        unit = registry.match(text, month.first_day, month.last_day)
    except MatchError as exc:
        return None, [Problem(name, str(exc), sheet, where)], []
    late_at = layout.find(fmt.late) if fmt.late else None
    if late_at is None:
        return None, [Problem(name, f"không thấy cột «{fmt.late}» của mẫu «{fmt.title}»", sheet, head_no)], []

    def at(row_no: int, index: int, message: str) -> Problem:
        return Problem(name, message, sheet, row_no, column_letter(index), layout.headers[index].text)

    used = sorted(
        {late_at} | {i for s in fmt.sums for i in (layout.find(s.total), *map(layout.find, s.parts)) if i is not None}
    )
    totals = {header_key(t) for t in fmt.total_rows}
    problems: list[Problem] = []
    fields: dict[str, tuple[int, int]] = {}
    summed: dict[int, int] = {}
    total_rows: list[tuple[int, str, dict[int, int | None]]] = []
    for row_no, values in numbered[layout.header_rows[-1] + 1 :]:
        if is_column_numbers(values):
            continue
        label = _label_key(values, layout.unit)
        cells: dict[int, int | None] = {}
        for i in used:
            try:
                cells[i] = parse_count(values[i] if i < len(values) else None)
            except ValueError as exc:
                problems.append(at(row_no, i, f"{exc} — ghi số hồ sơ là số nguyên không âm"))
        key = header_key(label)
        if key in totals or any(key.startswith(t) for t in totals if len(t) >= 6):
            total_rows.append((row_no, label, cells))
            continue
        field_name = _text(values[layout.unit]) if layout.unit < len(values) else ""
        if not field_name or _GROUP.match(label) and all(v is None for v in cells.values()):
            continue
        if field_name in fields:
            problems.append(at(row_no, layout.unit, f"lĩnh vực «{field_name}» đã có ở dòng {fields[field_name][0]}"))
            continue
        problems += _sums(fmt, layout, cells, row_no, at)
        fields[field_name] = (row_no, cells.get(late_at) or 0)
        for i, v in cells.items():
            summed[i] = summed.get(i, 0) + (v or 0)
    for row_no, label, cells in total_rows:
        for i in used:
            if cells.get(i) is not None and cells[i] != summed.get(i, 0):
                problems.append(
                    at(
                        row_no,
                        i,
                        f"dòng tổng «{label}» ghi {integer(cells[i] or 0)}, cộng các lĩnh vực "
                        f"được {integer(summed.get(i, 0))} — sửa cho khớp",
                    )
                )
    if problems:
        return None, problems, []
    late = pl.DataFrame(
        [{"unit_id": unit.id, "month": month.first_day, "field": f, "late": n} for f, (_, n) in fields.items() if n],
        schema={"unit_id": pl.String, "month": pl.Date, "field": pl.String, "late": pl.Int64},
    )
    notice = (
        f"{name}: đọc theo mẫu «{fmt.title}», {unit.name}, {month.label()}: {late.height} lĩnh vực có hồ sơ quá hạn"
    )
    return (
        ParsedFile(
            path, name, sha256, sheet, frozenset(), pl.DataFrame(schema=STAT_SCHEMA), fmt.title, {}, "fields", late
        ),
        [],
        [notice],
    )


def parse_report(
    path: Path,
    name: str,
    sheet: str | None,
    sha256: str,
    numbered: list[tuple[int, list[Any]]],
    layout: Layout,
    registry: Registry,
    today: dt.date,
    month_given: Month | None,
    unit_given: str | None = None,
) -> tuple[ParsedFile | None, list[Problem], list[str]]:
    """One report in ``layout``: ``numbered`` holds every non-empty row with its spreadsheet number."""
    fmt = layout.format
    problems: list[Problem] = []
    notices: list[str] = []
    head_no = numbered[layout.header_rows[0]][0]

    def at(row_no: int, index: int, message: str) -> Problem:
        header = layout.headers[index].text if index < len(layout.headers) else None
        return Problem(name, message, sheet, row_no, column_letter(index), header)

    # the month: a column, else the title rows, else --month (the two must agree)
    month: Month | None = None
    if layout.month is None:
        titled, why, title_row = title_month(numbered[: layout.header_rows[0]])
        if why is not None:
            return None, [Problem(name, why.message, sheet, title_row)], notices
        if titled and month_given and titled != month_given:
            return (
                None,
                [
                    Problem(
                        name,
                        f"dòng tiêu đề ghi {titled.label()}, lệnh ghi --month {month_given} — "
                        "kiểm tra lại tệp hoặc tháng",
                        sheet,
                        title_row,
                    )
                ],
                notices,
            )
        month = titled or month_given
        if month is None:
            return (
                None,
                [
                    Problem(
                        name,
                        "không rõ tháng của báo cáo: không có cột «Kỳ báo cáo» và dòng tiêu đề "
                        "không ghi tháng — thêm --month 2023-08",
                        sheet,
                        head_no,
                    )
                ],
                notices,
            )
        if month > Month.of(today):
            return (
                None,
                [
                    Problem(
                        name,
                        f"{month.label()} chưa đến (hôm nay {today:%d/%m/%Y}) — kiểm tra kỳ báo cáo",
                        sheet,
                        title_row or head_no,
                    )
                ],
                notices,
            )

    if fmt.rows == "fields":
        if month is None:
            return None, [Problem(name, "biểu theo lĩnh vực cần tháng ở dòng tiêu đề hoặc --month", sheet, head_no)], []
        return parse_fields(path, name, sheet, sha256, numbered, layout, registry, month, unit_given)
    used = sorted(
        {i for idx in layout.columns.values() for i in idx}
        | {i for s in fmt.sums for i in (layout.find(s.total), *map(layout.find, s.parts)) if i is not None}
    )
    totals = {header_key(t) for t in fmt.total_rows}
    records: list[dict[str, Any]] = []
    total_rows: list[tuple[int, str, dict[int, int | None]]] = []
    seen: dict[str, int] = {}
    empty: list[int] = []
    data_rows: list[dict[int, int | None]] = []
    unreadable: set[int] = set()  # columns with a cell that is not a count: their total is not checked
    first = layout.header_rows[-1] + 1
    for row_no, values in numbered[first:]:
        if is_column_numbers(values):
            continue
        label = _label_key(values, layout.unit)
        cells: dict[int, int | None] = {}
        bad = False
        for i in used:
            try:
                cells[i] = parse_count(values[i] if i < len(values) else None)
            except ValueError as exc:
                problems.append(at(row_no, i, f"{exc} — ghi số hồ sơ là số nguyên không âm"))
                unreadable.add(i)
                bad = True
        key = header_key(label)
        if key in totals or any(key.startswith(t) for t in totals if len(t) >= 6):
            total_rows.append((row_no, label, cells))
            continue
        unit_text = _text(values[layout.unit]) if layout.unit < len(values) else ""
        lead = next((_text(v) for v in values if _text(v)), "")
        grouped = _GROUP.match(label) or re.fullmatch(r"(?:[IVXLC]+|[A-Z])[.)]?", lead)
        if not unit_text or grouped and not _is_unit(registry, unit_text, month):
            continue  # a group row ("I. Cấp huyện"), or a row with no unit: nothing to store
        if all(v is None for v in cells.values()) and not bad:
            empty.append(row_no)
            continue
        # the form's total adds up its rows as written: a row refused below (a name not in the registry) still
        # counts in it, so one unknown unit is one error, not one more per column of the total row
        data_rows.append(cells)
        row_month = month
        if layout.month is not None:
            try:
                row_month = parse_month(values[layout.month] if layout.month < len(values) else None)
            except ValueError as exc:
                problems.append(at(row_no, layout.month, str(exc)))
                continue
        try:
            unit = registry.match(
                unit_text, row_month.first_day if row_month else None, row_month.last_day if row_month else None
            )
        except MatchError as exc:
            problems.append(at(row_no, layout.unit, str(exc)))
            continue
        if bad:
            continue
        if unit.id in seen and layout.month is None:
            problems.append(
                at(row_no, layout.unit, f"«{unit.name}» đã có ở dòng {seen[unit.id]} — mỗi đơn vị một dòng")
            )
            continue
        seen[unit.id] = row_no
        problems += _sums(fmt, layout, cells, row_no, at)
        problems += _rates(fmt, layout, values, cells, row_no, at)
        when = row_month or month
        if when is None:
            continue
        record: dict[str, Any] = {
            "source_row": row_no,
            "unit_id": unit.id,
            "unit_raw": unit_text,
            "month": when.first_day,
        }
        for column, sources in layout.columns.items():
            parts = [cells.get(i) for i in sources]
            record[column] = None if all(p is None for p in parts) else sum(p or 0 for p in parts)
        for target, source in fmt.fill.items():
            if target not in layout.columns:
                record[target] = record.get(source)
        for num, den in RATIO_PAIRS:
            n, d = record.get(num), record.get(den)
            if num in layout.columns and n is not None and d is not None and n > d:
                problems.append(
                    at(
                        row_no,
                        layout.columns[num][0],
                        f"{n} lớn hơn «{layout.headers[layout.columns[den][0]].text if den in layout.columns else den}» "
                        f"({d}) — số hồ sơ đạt không thể vượt tổng số",
                    )
                )
        records.append(record)
    for row_no, label, cells in total_rows:
        for i in used:
            stated = cells.get(i)
            if stated is None or i in unreadable:
                continue
            added = sum(c.get(i) or 0 for c in data_rows)
            if stated != added:
                problems.append(
                    at(
                        row_no,
                        i,
                        f"dòng tổng «{label}» ghi {integer(stated)}, cộng các đơn vị được {integer(added)} (lệch "
                        f"{'+' if stated > added else '-'}{integer(abs(stated - added))}) — sửa dòng tổng hoặc số "
                        "liệu các đơn vị cho khớp",
                    )
                )
    if empty:
        notices.append(
            f"{name}: bỏ qua {len(empty)} dòng không có số liệu (dòng {row_runs(empty)}) "
            "— các đơn vị đó coi như chưa báo cáo"
        )
    if not records and not problems:
        problems.append(Problem(name, "không có dòng số liệu của đơn vị nào dưới dòng tiêu đề", sheet, head_no))
    if problems:
        return None, problems, notices
    frame = pl.DataFrame(records, schema=STAT_SCHEMA, strict=False)
    present = frozenset(layout.columns) | frozenset(t for t in fmt.fill if t not in layout.columns)
    letters = {c: "+".join(column_letter(i) for i in idx) for c, idx in layout.columns.items()}
    notices.append(f"{name}: đọc theo mẫu «{fmt.title}»" + (f", {month.label()}" if month else ""))
    return ParsedFile(path, name, sha256, sheet, present, frame, fmt.title, letters), [], notices


def _is_unit(registry: Registry, text: str, month: Month | None) -> bool:
    try:
        registry.match(text, month.first_day if month else None, month.last_day if month else None)
        return True
    except MatchError:
        return False


def _sums(fmt, layout: Layout, cells: dict[int, int | None], row_no: int, at) -> list[Problem]:
    out = []
    for s in fmt.sums:
        total, parts = layout.find(s.total), [layout.find(p) for p in s.parts]
        if total is None or any(p is None for p in parts) or cells.get(total) is None:
            continue
        added = sum(cells.get(p) or 0 for p in parts if p is not None)
        if cells[total] != added:
            names = ", ".join(f"«{layout.headers[p].path[-1]}»" for p in parts if p is not None)
            out.append(
                at(
                    row_no,
                    total,
                    f"«{layout.headers[total].text}» ghi {integer(cells[total])}, cộng các cột {names} "
                    f"được {integer(added)} — sửa cho khớp",
                )
            )
    return out


def _rates(fmt, layout: Layout, values: list[Any], cells: dict[int, int | None], row_no: int, at) -> list[Problem]:
    out = []
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
            out.append(at(row_no, rate, str(exc)))
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
                at(
                    row_no,
                    rate,
                    f"tỷ lệ in {number(float(value), places)}% nhưng {integer(n)}/{integer(d)} = "
                    f"{number(float(computed), 2)}% — kiểm tra lại số hồ sơ hoặc tỷ lệ",
                )
            )
    return out

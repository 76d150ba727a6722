"""Dossier-level input: one row per dossier (Parquet or CSV), validated and aggregated into the unit-month
statistics the store holds, plus late dossiers by field.

Everything runs on polars lazy frames with the streaming engine, so memory stays bounded whatever the
number of dossiers: one pass counts problems, one pass aggregates (a third, only on failure, fetches the first
rows of each problem to name them).

How a dossier counts, per unit and month:
- by the month it was received: received (tiep_nhan, phai_so_hoa_tiep_nhan), digitized at reception,
  required online / online, with a fee / paid online, e-certification, reuse;
- by the month it closed (``resolved_at``): resolved on time (resolved_at ≤ due_at) or late, results to
  digitize and digitized (results required), returned, cancelled;
- stocks at each month's end, by cumulating received minus closed: still open (dang_giai_quyet) and, of those,
  paused now (tam_dung: a dossier's pause date is not exported, so a paused dossier counts as paused from the
  month it was received); carried over = the previous month's open stock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import polars as pl

from cchc_analysis.core.exceptions import Problem
from cchc_analysis.core.glossary import COUNT_COLUMNS
from cchc_analysis.core.textnorm import NOT_TEXT_HELP, NOT_TEXT_PATTERN, clean, header_key
from cchc_analysis.inputs.readers import Unreadable, delimiter, sha256_file
from cchc_analysis.inputs.records import STAT_SCHEMA
from cchc_analysis.inputs.units import MatchError, Registry

STATUSES = {
    "da_giai_quyet": "resolved",
    "dang_giai_quyet": "in_progress",
    "tam_dung": "paused",
    "tra_lai": "returned",
    "huy": "cancelled",
    "resolved": "resolved",
    "in_progress": "in_progress",
    "paused": "paused",
    "returned": "returned",
    "cancelled": "cancelled",
}
CHANNELS = {
    "truc_tuyen": "online",
    "truc_tiep": "direct",
    "buu_chinh": "postal",
    "online": "online",
    "direct": "direct",
    "postal": "postal",
}
BOOLS = (
    "online_required",
    "digitized_input",
    "result_required",
    "digitized_output",
    "paid_online",
    "reused_data",
    "e_cert",
)
DATES = ("received_at", "due_at", "resolved_at")
TEXTS = ("unit", "field", "procedure_code", "status", "channel")
EARLIEST = dt.date(2000, 1, 1)  # no one-stop system has records before; a date before is a typo (203 for 2023)
OFFICE_TIME_ZONE = "Asia/Ho_Chi_Minh"
# canonical name → (Vietnamese header, required)
DOSSIER_COLUMNS: dict[str, tuple[str, bool]] = {
    "unit": ("Đơn vị", True),
    "field": ("Lĩnh vực", True),
    "procedure_code": ("Mã thủ tục", False),
    "received_at": ("Ngày tiếp nhận", True),
    "due_at": ("Hạn giải quyết", True),
    "resolved_at": ("Ngày có kết quả", False),
    "status": ("Trạng thái", True),
    "channel": ("Hình thức nộp", True),
    "online_required": ("Phải xử lý trực tuyến", True),
    "digitized_input": ("Số hóa khi tiếp nhận", True),
    "result_required": ("Kết quả phải số hóa", True),
    "digitized_output": ("Số hóa kết quả", True),
    "fee": ("Phí, lệ phí (đồng)", True),
    "paid_online": ("Thanh toán trực tuyến", True),
    "reused_data": ("Sử dụng lại dữ liệu", True),
    "e_cert": ("Chứng thực điện tử", True),
}
_HEADERS = {header_key(h): name for name, (head, _) in DOSSIER_COLUMNS.items() for h in (name, head)}
MAX_SHOWN = 3  # rows named per problem; the count says how many more


@dataclass
class DossierFile:
    path: Path
    name: str
    sha256: str
    months: pl.DataFrame  # unit-month statistics, STAT_SCHEMA
    late_by_field: pl.DataFrame  # unit_id, month, field, late
    dossiers: int
    sheet: None = None
    columns: frozenset[str] = frozenset(COUNT_COLUMNS)  # a dossier list gives every statistic

    @property
    def frame(self) -> pl.DataFrame:
        """The rows stored: one per unit and month."""
        return self.months


@dataclass
class DossierBatch:
    files: list[DossierFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def scan(path: Path) -> pl.LazyFrame:
    """The file as a lazy frame with canonical column names (CSV: every column read as text)."""
    if path.suffix.lower() == ".parquet" or path.is_dir():
        lf = pl.scan_parquet(path if path.is_file() else path / "*.parquet")
    else:
        lf = pl.scan_csv(path, infer_schema=False, encoding="utf8-lossy", separator=_csv_separator(path))
    names = lf.collect_schema().names()
    return lf.rename({n: _HEADERS[header_key(n)] for n in names if header_key(n) in _HEADERS})


def _csv_separator(path: Path) -> str:
    """Comma, semicolon or tab, from the header line. A UTF-16 export (Excel's "Unicode text") cannot be
    streamed at this size: it is named, with what to do."""
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[1:200:2].count(0) > 50:
        raise Unreadable(
            Problem(
                path.name,
                "là văn bản UTF-16 (Excel «Unicode Text») — danh sách hồ sơ cần CSV "
                "UTF-8: mở bằng Excel, lưu lại dạng «CSV UTF-8», hoặc dùng tệp Parquet",
            )
        )
    return delimiter(head.decode("utf-8", errors="replace"))


def _as_bool(col: str) -> pl.Expr:
    c = pl.col(col)
    text = c.cast(pl.String).str.strip_chars().str.to_lowercase()
    return (
        pl.when(text.is_in(["1", "true", "có", "co", "x", "yes"]))
        .then(True)
        .when(text.is_in(["0", "false", "không", "khong", "", "no"]))
        .then(False)
        .otherwise(None)
    )


def _as_date(col: str, dtype: pl.DataType) -> pl.Expr:
    """A date column as dates in the office's calendar: a timestamp with a time zone is taken in
    Asia/Ho_Chi_Minh before its day is (2023-05-31T20:00Z is 1 June there); one without is local already."""
    c = pl.col(col)
    if isinstance(dtype, pl.Datetime) and dtype.time_zone:
        return c.dt.convert_time_zone(OFFICE_TIME_ZONE).dt.date()
    if dtype in (pl.Date,) or isinstance(dtype, pl.Datetime):
        return c.cast(pl.Date)
    text = c.cast(pl.String).str.strip_chars()
    return pl.coalesce(
        text.str.to_date("%Y-%m-%d", strict=False),
        text.str.to_date("%d/%m/%Y", strict=False),
        text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
    )


@dataclass(frozen=True)
class Spellings:
    """Every status and channel as the file writes them, with the canonical value of each (None: not a valid
    one). One streamed group-by over the two columns (a handful of groups), so that validation and aggregation
    compare raw values instead of normalising every row — ``replace_strict`` over 100 million strings would not
    even stream."""

    status: dict[str, str | None]
    channel: dict[str, str | None]

    @classmethod
    def of(cls, lf: pl.LazyFrame) -> Spellings:
        groups = (
            lf.group_by(pl.col("status").cast(pl.String), pl.col("channel").cast(pl.String))
            .len()
            .collect(engine="streaming")
        )
        status = {r: STATUSES.get(r.strip().lower()) for r in groups["status"].unique().to_list() if r is not None}
        channel = {r: CHANNELS.get(r.strip().lower()) for r in groups["channel"].unique().to_list() if r is not None}
        return cls(status, channel)

    def status_is(self, *values: str) -> pl.Expr:
        """True where the dossier's status is one of ``values`` (canonical), however the file spells it."""
        return _one_of("status", [raw for raw, v in self.status.items() if v in values])

    def channel_is(self, *values: str) -> pl.Expr:
        return _one_of("channel", [raw for raw, v in self.channel.items() if v in values])


def _one_of(col: str, values: list[str]) -> pl.Expr:
    # a plain comparison is markedly faster than is_in over 100 million strings, and the usual case
    if not values:
        return pl.lit(False)
    column = pl.col(col).cast(pl.String)
    return (column == values[0] if len(values) == 1 else column.is_in(values)).fill_null(False)


def typed(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Dates, flags and the fee converted to their types (``<column>_v``); a value that does not convert becomes
    null (and is reported by ``checks`` because the raw value was not)."""
    schema = lf.collect_schema()
    exprs = [
        pl.col("unit").cast(pl.String).alias("unit"),
        pl.col("field").cast(pl.String).alias("field"),
        _as_fee(schema["fee"]).alias("fee_v"),
    ]
    exprs += [_as_date(c, schema[c]).alias(f"{c}_v") for c in DATES]
    exprs += [(pl.col(c) if schema[c] == pl.Boolean else _as_bool(c)).alias(f"{c}_v") for c in BOOLS]
    return lf.with_columns(exprs)


def _as_fee(dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.String:
        return pl.col("fee").str.strip_chars().str.replace_all(r"\.", "").cast(pl.Float64, strict=False)
    return pl.col("fee").cast(pl.Float64)


# one list of every rule a dossier row is held to, each a (column, message, expression): read as a table, and
# evaluated in one pass over the file; split up, the rules would no longer be seen together
def checks(today: dt.date, spellings: Spellings, schema: pl.Schema) -> list[tuple[str, str, pl.Expr]]:
    """(column, message, expression true on a bad row) over ``typed`` columns; rows are numbered from 1 as
    records of the file. A column the file already types as dates cannot hold an unreadable date."""
    raw_bad = [
        (
            c,
            f"«{DOSSIER_COLUMNS[c][0]}» không đọc được — ghi ngày dạng 2023-05-03 hoặc 03/05/2023",
            pl.col(c).is_not_null() & (pl.col(c).cast(pl.String).str.strip_chars() != "") & pl.col(f"{c}_v").is_null(),
        )
        for c in DATES
        if not (schema[c] == pl.Date or isinstance(schema[c], pl.Datetime))
    ]
    raw_bad += [(c, f"«{DOSSIER_COLUMNS[c][0]}» phải là có/không (1/0)", pl.col(f"{c}_v").is_null()) for c in BOOLS]
    closed, still_open = (
        spellings.status_is("resolved", "returned", "cancelled"),
        spellings.status_is("in_progress", "paused"),
    )
    return [
        ("unit", "thiếu tên đơn vị", pl.col("unit").is_null() | (pl.col("unit").str.strip_chars() == "")),
        ("field", "thiếu lĩnh vực", pl.col("field").is_null() | (pl.col("field").str.strip_chars() == "")),
        ("received_at", "thiếu ngày tiếp nhận", pl.col("received_at_v").is_null() & pl.col("received_at").is_null()),
        ("due_at", "thiếu hạn giải quyết", pl.col("due_at_v").is_null() & pl.col("due_at").is_null()),
        *raw_bad,
        ("received_at", f"ngày tiếp nhận sau hôm nay ({today:%d/%m/%Y})", pl.col("received_at_v") > today),
        ("resolved_at", f"ngày có kết quả sau hôm nay ({today:%d/%m/%Y})", pl.col("resolved_at_v") > today),
        *(
            (
                c,
                f"«{DOSSIER_COLUMNS[c][0]}» trước năm {EARLIEST.year} — kiểm tra năm (gõ nhầm?)",
                pl.col(f"{c}_v") < EARLIEST,
            )
            for c in DATES
        ),
        *(
            (c, f"«{DOSSIER_COLUMNS[c][0]}» có {NOT_TEXT_HELP}", pl.col(c).str.contains(NOT_TEXT_PATTERN))
            for c in TEXTS
            if c in schema and schema[c] == pl.String
        ),
        ("due_at", "hạn giải quyết trước ngày tiếp nhận", pl.col("due_at_v") < pl.col("received_at_v")),
        ("resolved_at", "ngày có kết quả trước ngày tiếp nhận", pl.col("resolved_at_v") < pl.col("received_at_v")),
        (
            "status",
            "trạng thái không hợp lệ (da_giai_quyet, dang_giai_quyet, tam_dung, tra_lai, huy)",
            ~(closed | still_open),
        ),
        (
            "channel",
            "hình thức nộp không hợp lệ (truc_tuyen, truc_tiep, buu_chinh)",
            ~spellings.channel_is(*set(CHANNELS.values())),
        ),
        (
            "resolved_at",
            "hồ sơ đã có kết quả, trả lại hoặc hủy nhưng thiếu ngày",
            closed & pl.col("resolved_at_v").is_null(),
        ),
        (
            "resolved_at",
            "hồ sơ đang giải quyết hoặc tạm dừng nhưng đã có ngày kết quả",
            still_open & pl.col("resolved_at_v").is_not_null(),
        ),
        ("fee", "phí, lệ phí không đọc được hoặc âm", pl.col("fee_v").is_null() | (pl.col("fee_v") < 0)),
        (
            "paid_online",
            "thanh toán trực tuyến nhưng không có phí, lệ phí",
            pl.col("paid_online_v") & (pl.col("fee_v") <= 0),
        ),
        (
            "digitized_output",
            "số hóa kết quả nhưng kết quả không thuộc diện phải số hóa",
            pl.col("digitized_output_v") & ~pl.col("result_required_v"),
        ),
    ]


def _missing_columns(name: str, lf: pl.LazyFrame) -> list[Problem]:
    names = lf.collect_schema().names()
    missing = [DOSSIER_COLUMNS[c][0] for c, (_, req) in DOSSIER_COLUMNS.items() if req and c not in names]
    if missing:
        return [Problem(name, f"thiếu cột bắt buộc: {', '.join(missing)} — xem README, mục danh sách hồ sơ")]
    return []


def _first_line(path: Path) -> int:
    return 1 if path.suffix.lower() == ".csv" else 0  # a CSV's records start on line 2, after the header


def _problems(path: Path, name: str, lf: pl.LazyFrame, spellings: Spellings, today: dt.date) -> list[Problem]:
    """Located problems of the rows (the first rows of each, and how many more): one streamed pass counts every
    rule, and only a failed rule is looked up again for its rows."""
    t = typed(lf)
    rules = checks(today, spellings, lf.collect_schema())
    counts = (
        t.select([rule.fill_null(False).sum().alias(str(i)) for i, (_, _, rule) in enumerate(rules)])
        .collect(engine="streaming")
        .row(0)
    )
    problems = []
    numbered = t.with_row_index("record", offset=1)
    line = _first_line(path)
    for (col, message, rule), n in zip(rules, counts, strict=False):
        if not n:
            continue
        rows = numbered.filter(rule.fill_null(False)).select("record").head(MAX_SHOWN).collect()["record"].to_list()
        also = f"; cũng ở dòng {', '.join(str(r + line) for r in rows[1:])}" if len(rows) > 1 else ""
        more = f" và {n - len(rows)} dòng khác" if n > len(rows) else ""
        problems.append(
            Problem(name, f"{message}{also}{more}", row=rows[0] + line, column=col, header=DOSSIER_COLUMNS[col][0])
        )
    return problems


def _unit_problems(
    path: Path, name: str, lf: pl.LazyFrame, units: list[str], registry: Registry
) -> tuple[list[Problem], dict[str, str]]:
    """Each unit as written matched to the registry; the names that do not match are located at their first
    rows, in one pass whatever their number."""
    mapping, refused = {}, {}
    for written in units:
        try:
            mapping[written] = registry.match(clean(written)).id
        except MatchError as exc:
            refused[written] = str(exc)
    if not refused:
        return [], mapping
    first = dict(
        lf.with_row_index("record", offset=1)
        .filter(pl.col("unit").cast(pl.String).is_in(list(refused)))
        .group_by(pl.col("unit").cast(pl.String))
        .agg(pl.col("record").min())
        .collect(engine="streaming")
        .iter_rows()
    )
    line, header = _first_line(path), DOSSIER_COLUMNS["unit"][0]
    problems = [
        Problem(name, message, row=first[written] + line, column="unit", header=header)
        for written, message in refused.items()
    ]
    return sorted(problems, key=lambda p: p.row or 0), mapping


@dataclass(frozen=True)
class Flows:
    """The heavy pass's result, by unit as written: what was received per month, what closed per month, and the
    late dossiers per month and field. A few thousand rows per unit at most, whatever the number of dossiers."""

    received: pl.DataFrame
    closed: pl.DataFrame
    late: pl.DataFrame

    @property
    def units(self) -> list[str]:
        """Every unit as written (each dossier has a reception month, so ``received`` names them all)."""
        return self.received["unit"].drop_nulls().unique().sort().to_list()

    def statistics(self, mapping: dict[str, str]) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Unit-month statistics (STAT_SCHEMA) and late dossiers by field, per unit id: the spellings of one unit
        merge here, after the heavy pass."""
        r, c, late = (
            f.with_columns(unit_id=pl.col("unit").replace_strict(mapping, default=None))
            .filter(pl.col("unit_id").is_not_null())
            .drop("unit")
            for f in (self.received, self.closed, self.late)
        )
        r = r.group_by("unit_id", "month").agg(pl.all().sum())
        c = c.group_by("unit_id", "month").agg(pl.all().sum())
        late = late.group_by("unit_id", "month", "field").agg(pl.col("late").sum())
        months = _with_stocks(r.join(c, on=["unit_id", "month"], how="full", coalesce=True))
        return months, late.with_columns(pl.col("late").cast(pl.Int64)).sort("unit_id", "month", "field")


# one lazy query whose group-bys polars collects together in a single streamed pass (100 million rows): its
# parts only make sense side by side, and the checks of its two shortcuts sit next to the shortcuts
def flows(lf: pl.LazyFrame, spellings: Spellings, *, plain: bool = False) -> Flows:
    """Streamed group-bys on the unit as written and the month received, the month closed, and (for the few
    late dossiers) the field, collected together.

    Two shortcuts make the large group-bys a third faster at 100 million rows, each checked in the same pass:
    the unit is keyed on a 64-bit hash of its text, the name coming back as each group's first, and a second
    hash with another seed and one name per key show that no group holds two names; the month is looked up in
    a table of days (``_month_key``), a date outside the table showing as month -1. If either check fails, the
    pass is done again the plain way, on the names and the calendar: a rare file costs time, never a count."""
    schema = lf.collect_schema()
    typed_cols = [_as_date(c, schema[c]).alias(c) for c in DATES if schema[c] != pl.Date]
    typed_cols += [_as_bool(c).alias(c) for c in BOOLS if schema[c] != pl.Boolean]
    if schema["fee"] not in (pl.Float64, pl.Int64):
        typed_cols.append(_as_fee(schema["fee"]).alias("fee"))
    base = lf.with_columns(typed_cols) if typed_cols else lf
    unit = pl.col("unit").cast(pl.String)
    if plain:
        key, names = unit.alias("key"), []
    else:
        key, second = _unit_key(unit).alias("key"), _unit_key(unit, _SECOND_SEED)
        names = [unit.first().alias("unit"), second.min().alias("lo"), second.max().alias("hi")]
    fee = pl.col("fee") > 0
    resolved, late = spellings.status_is("resolved"), pl.col("resolved_at") > pl.col("due_at")
    cm = _month_key("resolved_at", plain)
    received_q = base.group_by(key, month=_month_key("received_at", plain)).agg(
        *names,
        tiep_nhan=pl.len(),
        so_hoa_tiep_nhan=pl.col("digitized_input").sum(),
        phai_truc_tuyen=pl.col("online_required").sum(),
        truc_tuyen=(pl.col("online_required") & spellings.channel_is("online")).sum(),
        co_phi=fee.sum(),
        thanh_toan_truc_tuyen=(fee & pl.col("paid_online")).sum(),
        chung_thuc_dien_tu=pl.col("e_cert").sum(),
        tai_su_dung=pl.col("reused_data").sum(),
        paused_in=spellings.status_is("paused").sum(),
    )
    closed_q = (
        base.filter(pl.col("resolved_at").is_not_null())
        .group_by(key, month=cm)
        .agg(
            dung_han=(resolved & ~late).sum(),
            qua_han=(resolved & late).sum(),
            ket_qua=(resolved & pl.col("result_required")).sum(),
            so_hoa_ket_qua=(resolved & pl.col("result_required") & pl.col("digitized_output")).sum(),
            tra_lai=spellings.status_is("returned").sum(),
            huy=spellings.status_is("cancelled").sum(),
            closed=pl.len(),
        )
    )
    late_q = (
        base.filter(resolved & late).group_by(unit.alias("unit"), month=cm, field=pl.col("field")).agg(late=pl.len())
    )
    received, closed, late_df = pl.collect_all([received_q, closed_q, late_q], engine="streaming")
    if plain:
        received, closed = (f.rename({"key": "unit"}) for f in (received, closed))
    else:
        named = received.group_by("key").agg(pl.col("unit").first(), names=pl.col("unit").n_unique())
        outside = any((f["month"] == _OUTSIDE).any() for f in (received, closed, late_df))
        if outside or (received["lo"] != received["hi"]).any() or (named["names"] > 1).any():
            return flows(lf, spellings, plain=True)
        received = received.drop("key", "lo", "hi")
        closed = closed.join(named.drop("names"), on="key", how="left").drop("key")
    return Flows(*(f.select("unit", _month_of_key(), pl.exclude("unit", "month")) for f in (received, closed, late_df)))


_SECOND_SEED = 7  # any seed other than the default: an independent hash of the same name


def _unit_key(unit: pl.Expr, seed: int = 0) -> pl.Expr:
    return unit.hash(seed=seed)


_TABLE_FROM, _TABLE_TO = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
_OUTSIDE = -1  # the month key of a date outside the table


def _month_key(col: str, plain: bool) -> pl.Expr:
    """year × 12 + month of a date. Read from the calendar, or (not ``plain``) looked up in a table of every
    day from 1900 to 2199, a third of the cost per row; the table's two ends hold ``_OUTSIDE``, where dates
    before or after it land."""
    if plain:
        return _calendar_month(pl.col(col))
    table, first = _month_table(), (_TABLE_FROM - dt.date(1970, 1, 1)).days - 1  # the table's row 0 is _OUTSIDE
    return pl.lit(table).gather((pl.col(col).cast(pl.Int32) - first).clip(0, table.len() - 1))


def _calendar_month(date: pl.Expr) -> pl.Expr:
    return date.dt.year().cast(pl.Int32) * 12 + date.dt.month().cast(pl.Int32)


@cache
def _month_table() -> pl.Series:
    keys = pl.select(_calendar_month(pl.date_range(_TABLE_FROM, _TABLE_TO))).to_series()
    return pl.concat([pl.Series([_OUTSIDE], dtype=pl.Int32), keys, pl.Series([_OUTSIDE], dtype=pl.Int32)])


def _month_of_key() -> pl.Expr:
    """The first day of the month a ``_month_key`` stands for."""
    k = pl.col("month") - 1
    return pl.date(k // 12, k % 12 + 1, 1).alias("month")


def aggregate(lf: pl.LazyFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Unit-month statistics and late dossiers by field of a dossier list already checked, each unit as written:
    the spellings pass, the heavy pass and the stocks (what ``check_dossiers`` does after its checks, and what the
    benchmark measures)."""
    found = flows(lf, Spellings.of(lf))
    return found.statistics({u: u for u in found.units})


def _with_stocks(flows: pl.DataFrame) -> pl.DataFrame:
    """Every month from a unit's first to its last, with stocks cumulated from the flows."""
    counts = [c for c in flows.columns if c not in ("unit_id", "month")]
    flows = flows.with_columns([pl.col(c).fill_null(0).cast(pl.Int64) for c in counts])
    grid = (
        flows.group_by("unit_id")
        .agg(pl.date_ranges(pl.col("month").min(), pl.col("month").max(), "1mo").alias("month"))
        .explode("month")
    )
    full = (
        grid.join(flows, on=["unit_id", "month"], how="left")
        .with_columns([pl.col(c).fill_null(0) for c in counts])
        .sort("unit_id", "month")
    )
    full = full.with_columns(
        open_end=(pl.col("tiep_nhan") - pl.col("closed")).cum_sum().over("unit_id"),
        paused_end=pl.col("paused_in").cum_sum().over("unit_id"),
    )
    full = full.with_columns(
        ky_truoc_chuyen_sang=pl.col("open_end").shift(1, fill_value=0).over("unit_id"),
        tam_dung=pl.col("paused_end"),
        dang_giai_quyet=pl.col("open_end") - pl.col("paused_end"),
        phai_so_hoa_tiep_nhan=pl.col("tiep_nhan"),
        unit_raw=pl.lit(None, dtype=pl.String),
        source_row=pl.lit(None, dtype=pl.Int32),
    )
    return full.select(list(STAT_SCHEMA)).cast(STAT_SCHEMA)


def check_dossiers(paths: list[Path], registry: Registry, today: dt.date | None = None) -> DossierBatch:
    """Validate and aggregate dossier files; any problem and the batch carries no file."""
    today = today or dt.date.today()
    batch = DossierBatch()
    seen: dict[tuple[str, dt.date], str] = {}
    for path in paths:
        name = path.name
        if not path.exists():
            batch.problems.append(Problem(name, "không tìm thấy tệp — kiểm tra đường dẫn"))
            continue
        try:
            lf = scan(path)
            problems = _missing_columns(name, lf)
            if problems:
                batch.problems.extend(problems)
                continue
            spellings = Spellings.of(lf)
            problems = _problems(path, name, lf, spellings, today)
            # a list with bad rows is not aggregated; its units are still named, so one run says everything
            found = None if problems else flows(lf, spellings)
            units = found.units if found else _written_units(lf)
            unit_problems, mapping = _unit_problems(path, name, lf, units, registry)
        except Unreadable as exc:
            batch.problems.append(exc.problem)
            continue
        except (pl.exceptions.PolarsError, OSError) as exc:
            batch.problems.append(
                Problem(
                    name,
                    f"không đọc được danh sách hồ sơ ({type(exc).__name__}) — dùng Parquet hoặc CSV UTF-8 theo mẫu",
                )
            )
            continue
        problems += unit_problems
        if problems or found is None:
            batch.problems.extend(problems)
            continue
        months, late = found.statistics(mapping)
        for unit_id, month in months.select("unit_id", "month").iter_rows():
            if (unit_id, month) in seen:
                batch.problems.append(
                    Problem(
                        name,
                        f"«{registry.by_id[unit_id].name}» tháng {month:%m/%Y} đã có trong "
                        f"{seen[(unit_id, month)]} — mỗi hồ sơ chỉ ở một tệp",
                    )
                )
                break
            seen[(unit_id, month)] = name
        dossiers = int(months["tiep_nhan"].sum())
        batch.files.append(
            DossierFile(path, name, sha256_file(path) if path.is_file() else _dir_hash(path), months, late, dossiers)
        )
    if batch.problems:
        batch.files = []
    return batch


def _written_units(lf: pl.LazyFrame) -> list[str]:
    units = lf.group_by(pl.col("unit").cast(pl.String)).len().collect(engine="streaming")["unit"]
    return units.drop_nulls().unique().sort().to_list()


def _dir_hash(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    for part in sorted(path.glob("*.parquet")):
        h.update(part.name.encode())
        h.update(sha256_file(part).encode())
    return h.hexdigest()

"""The ``cchc`` command. Exit codes: 0 ok, 1 data rejected or store problem, 2 usage error."""

from __future__ import annotations

import functools
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console, JustifyMethod
from rich.markup import escape
from rich.table import Table

import cchc_analysis.core.iri  # noqa: F401 - for its effect, see there
from cchc_analysis.cli import text as clitext
from cchc_analysis.core import formatting, workspace
from cchc_analysis.core.exceptions import CchcError, DataRejected, StoreError, UsageError, cut, os_reason, problem_lines
from cchc_analysis.core.glossary import LABELS
from cchc_analysis.core.periods import Month, ReportPeriod, date_arg, month_arg, period_arg
from cchc_analysis.core.workspace import area_id
from cchc_analysis.inputs.units import Registry
from cchc_analysis.runs.sample import SAMPLE_AREA, SAMPLE_COMMANDS, sample_files, sample_score_files

if TYPE_CHECKING:
    from cchc_analysis.inputs.records import Batch
    from cchc_analysis.runs.inputs import RunInputs
    from cchc_analysis.store.database import IngestReport

EXIT_CODES = (
    "Mã thoát: 0 — xong; 1 — số liệu hay kho cần sửa (lỗi ghi rõ tệp, dòng, cột); 2 — gọi lệnh sai (xem "
    "cchc LỆNH --help)."
)
app = typer.Typer(
    cls=clitext.CommandGroup,
    name="cchc",
    help="Số liệu một cửa hằng tháng → kho dữ liệu, văn bản biểu dương – nhắc nhở, phụ lục báo cáo CCHC.",
    epilog=EXIT_CODES,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from cchc_analysis import __version__

        out.print(f"cchc-workbook {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="In phiên bản chương trình rồi thoát."),
    ] = None,
) -> None:
    """Số liệu một cửa hằng tháng → kho dữ liệu, văn bản biểu dương – nhắc nhở, phụ lục báo cáo CCHC."""


# Markup off by default: file names, unit names and messages carry data, and "[…]" in data must print as
# written. The few styled prints say markup=True and escape their data.
out = Console(highlight=False, soft_wrap=True, markup=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)

StoreOpt = Annotated[
    Path | None, typer.Option("--store", help="Kho DuckDB (mặc định $CCHC_STORE hoặc data/cchc.duckdb).")
]
AreaOpt = Annotated[
    str | None,
    typer.Option(
        "--area",
        help="Danh mục đơn vị: tên (params/units/<tên>.csv) hoặc đường dẫn tới tệp .csv; mặc định theo "
        "params/defaults.yaml.",
    ),
]
# read by _one_line_errors, not by the command (hence the leading underscore of the parameter)
DebugOpt = Annotated[bool, typer.Option("--debug", help="In đầy đủ lỗi kỹ thuật.")]


def _fail(exc: Exception, debug: bool) -> None:
    if debug:
        raise exc

    if isinstance(exc, OSError) and not isinstance(exc, CchcError):
        # a file the command had to read or write: say which and why, as for any other refusal
        where = f" «{exc.filename}»" if exc.filename else ""
        err.print(
            f"[bold red]lỗi:[/] không đọc hoặc ghi được{escape(where)} ({escape(os_reason(exc))})"
            " — kiểm tra đường dẫn, quyền ghi và chỗ trống trên ổ đĩa rồi chạy lại",
            markup=True,
        )
        raise typer.Exit(1)
    from cchc_analysis.store.database import damaged, is_damage

    if not isinstance(exc, CchcError) and is_damage(exc):  # a store that opened but cannot be read through
        exc = damaged(exc)
    if not isinstance(exc, CchcError):
        log = _log_traceback(exc)
        where = f"chi tiết đã ghi vào {log}" if log else "chạy lại với --debug để xem chi tiết"
        what = " ".join(str(exc).split())[:200]
        err.print(
            f"[bold red]lỗi:[/] chương trình gặp lỗi chưa lường trước ({type(exc).__name__}: {escape(what)}) — "
            f"{escape(where)}; gửi tệp đó cho người phụ trách phần mềm, số liệu và kho không bị thay đổi",
            markup=True,
        )
        raise typer.Exit(1)
    if isinstance(exc, DataRejected):
        for line in problem_lines(exc.problems):
            err.print(f"[bold red]lỗi:[/] {escape(line)}", soft_wrap=True, markup=True, highlight=False)
        files = len({p.file for p in exc.problems})
        err.print(
            f"Không nhập gì: {len(exc.problems)} lỗi trong {files} tệp; kho dữ liệu giữ nguyên. "
            "Sửa các lỗi trên rồi chạy lại."
        )
    else:
        err.print(f"[bold red]lỗi:[/] {escape(cut(str(exc)))}", markup=True)
    raise typer.Exit(exc.exit_code)


def _log_traceback(exc: BaseException) -> Path | None:
    """The whole traceback of an unexpected failure, in a log file the analyst can send; None if none can be
    written."""
    import datetime as dt
    import os
    import traceback

    name = f"cchc-loi-{dt.datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.log"
    root = workspace.find_workspace() or workspace.home()
    for folder in ([root / "data"] if root else []) + [Path(tempfile.gettempdir())]:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            path.write_text(
                f"cchc {' '.join(sys.argv[1:])}\n\n" + "".join(traceback.format_exception(exc)), encoding="utf-8"
            )
            return path
        except OSError:
            continue
    return None


def _one_line_errors(command: Callable[..., None]) -> Callable[..., None]:
    """Every failure of a command as the one-line message and exit code of ``_fail`` (``--debug``: the traceback)."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            command(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as exc:
            _fail(exc, bool(kwargs.get("_debug")))

    return run


MonthOpt = Annotated[
    str | None, typer.Option("--month", help="Tháng của các báo cáo không ghi tháng ở dòng tiêu đề, ví dụ 2023-08.")
]


UnitOpt = Annotated[
    str | None,
    typer.Option(
        "--unit", help="Đơn vị của biểu II.06a theo lĩnh vực khi dòng tiêu đề không ghi (tên như thường viết)."
    ),
]


QuietRowsOpt = Annotated[
    bool, typer.Option("--quiet", help="Không in từng tệp, từng tên đơn vị; chỉ in lỗi và dòng tổng kết.")
]


def _detail(quiet: bool) -> Console:
    """Where the lines about each file and each name go: nowhere with ``--quiet``."""
    return Console(quiet=True) if quiet else out


def say_understood(registry: Registry, to: Console | None = None) -> None:
    """Every unit name the files wrote other than as the registry does, once, with the unit it was read as."""
    to = to or out
    if not registry.understood:
        return
    to.print(f"Tên đơn vị không ghi đúng như danh mục, đã hiểu là ({len(registry.understood)}):")
    for written, (name, how) in sorted(registry.understood.items()):
        to.print(f"  {written} → {name} ({how})")


def _validate(
    files: list[Path], area: str | None, month: str | None = None, unit: str | None = None, quiet: bool = False
) -> tuple[Registry, Batch]:
    registry = Registry.load(area)
    from cchc_analysis.inputs.ingest import (
        check as check_batch,  # polars, openpyxl and the formats load here, not for --help
    )

    batch = check_batch(files, registry, month=month_arg(month) if month else None, unit_name=unit)
    say_understood(registry, _detail(quiet))
    for notice in [] if quiet else batch.notices:
        err.print(f"[yellow]lưu ý:[/] {escape(notice)}", markup=True)
    if batch.problems:
        raise DataRejected(batch.problems)
    return registry, batch


@app.command(cls=clitext.Command)
@_one_line_errors
def ingest(
    files: Annotated[
        list[Path] | None, typer.Argument(metavar="TỆP", help="Tệp .csv/.xlsx số liệu đơn vị – tháng.")
    ] = None,
    sample: Annotated[bool, typer.Option("--sample", help="Nhập bộ số liệu mẫu Tứ Kỳ 2023 kèm theo phần mềm.")] = False,
    store: StoreOpt = None,
    area: AreaOpt = None,
    prefer: Annotated[
        str | None,
        typer.Option(
            "--prefer",
            metavar="statistics",
            help="«statistics»: thay số liệu đã tính từ danh sách hồ sơ cho cùng tháng.",
        ),
    ] = None,
    month: MonthOpt = None,
    unit: UnitOpt = None,
    quiet: QuietRowsOpt = False,
    _debug: DebugOpt = False,
) -> None:
    """Kiểm tra và nhập số liệu vào kho: mẫu chuẩn, Biểu II.06a, báo cáo số hóa, thanh toán trực tuyến (params/formats);
    tất cả tệp được nhập, hoặc không tệp nào. Nhập lại cùng tệp không thay đổi gì."""
    from cchc_analysis.store.database import Store, refuse_given_both_ways

    paths = list(files or [])
    if sample:
        paths += sample_files()
        area = SAMPLE_AREA
    if not paths:
        raise UsageError("chưa chỉ định tệp nào — cchc ingest TỆP… hoặc cchc ingest --sample")
    if prefer not in (None, "statistics"):
        raise UsageError("--prefer chỉ nhận «statistics»")
    target = workspace.store_path(store)
    if target.exists() and not sample:
        with Store.open(target, read_only=True) as st:
            same = st.holds_all(paths)
        if same is not None:
            for p in paths:
                _detail(quiet).print(f"{p.name}: đã nhập trước đó (cùng nội dung), bỏ qua")
            out.print(f"Kho {target}: thêm 0 dòng, thay thế 0, không đổi {same}.")
            return
    registry, batch = _validate(paths, area, month, unit, quiet)
    refuse_given_both_ways(workspace.store_path(store), batch.files, registry, "dossiers", prefer)
    scores = None
    if sample:
        from cchc_analysis.inputs.selfscores import check_scores

        scores = check_scores(sample_score_files(), registry)
        if scores.problems:
            raise DataRejected(scores.problems)
    with Store.open(workspace.store_path(store)) as st:
        report = st.ingest(batch, registry, command=SAMPLE_COMMANDS[0] if sample else "ingest")
        if scores is not None:
            report.files += st.ingest_scores(scores, registry).files
    _print_ingested(report, workspace.store_path(store), quiet)


def _print_ingested(report: IngestReport, target: Path, quiet: bool) -> None:
    for f in report.files:
        if f.status == "already":
            _detail(quiet).print(f"{f.name}: đã nhập trước đó (cùng nội dung), bỏ qua")
        else:
            _detail(quiet).print(
                f"{f.name}: {f.inserted} dòng mới, {f.superseded} dòng thay thế số liệu cũ, "
                f"{f.unchanged} dòng không đổi"
            )
    out.print(f"Kho {target}: thêm {report.inserted} dòng, thay thế {report.superseded}, không đổi {report.unchanged}.")


@app.command(cls=clitext.Command)
@_one_line_errors
def check(
    files: Annotated[list[Path], typer.Argument(metavar="TỆP", help="Tệp .csv/.xlsx cần kiểm tra.")],
    store: StoreOpt = None,
    area: AreaOpt = None,
    month: MonthOpt = None,
    unit: UnitOpt = None,
    quiet: QuietRowsOpt = False,
    _debug: DebugOpt = False,
) -> None:
    """Kiểm tra tệp số liệu mà không ghi gì vào kho: mẫu nào, bao nhiêu dòng; có kho thì cho biết bao nhiêu dòng đã
    có trong kho."""
    from cchc_analysis.store.database import Store

    _, batch = _validate(files, area, month, unit, quiet)
    for f in batch.files:
        _detail(quiet).print(f"{f.name}: mẫu «{f.format}»")
    rows = sum(f.frame.height for f in batch.files)
    out.print(f"Hợp lệ: {len(batch.files)} tệp, {formatting.integer(rows)} dòng số liệu.")
    path = workspace.store_path(store)
    if store is not None and not path.exists():
        raise UsageError(f"chưa có kho dữ liệu {path} — kiểm tra đường dẫn --store")
    if path.exists() and rows:
        with Store.open(path, read_only=True) as st:
            again = st.rows_held(key for f in batch.files for key in f.frame.select("unit_id", "month").iter_rows())
        out.print(
            f"Đối chiếu kho {path}: {formatting.integer(rows - again)} dòng mới, "
            f"{formatting.integer(again)} dòng đơn vị – tháng đã có (nhập sẽ thay thế nếu số liệu khác)."
        )


@app.command("store", cls=clitext.Command)
@_one_line_errors
def store_cmd(
    store: StoreOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="In dạng JSON.")] = False,
    history: Annotated[bool, typer.Option("--history", help="Liệt kê các dòng số liệu đã được thay thế.")] = False,
    area: Annotated[
        str | None,
        typer.Option("--area", help="Chỉ các tháng và đơn vị của địa bàn này (mặc định: mọi địa bàn trong kho)."),
    ] = None,
    month: Annotated[
        str | None,
        typer.Option(
            "--month",
            help="Một tháng (2023-08): đơn vị đã có số liệu (tệp, dòng, tên như tệp ghi) và đơn vị còn thiếu.",
        ),
    ] = None,
    _debug: DebugOpt = False,
) -> None:
    """Tóm tắt kho dữ liệu: tháng × đơn vị, số dòng, dòng đã thay thế, tệp đã nhập."""
    from cchc_analysis.store.database import Store

    if month is not None:
        _print_month(workspace.store_path(store), month_arg(month), area)
        return
    with Store.open(workspace.store_path(store), read_only=True) as st:
        summary = st.summary(area_id(area) if area else None)
        hist = st.history() if history else None
    if as_json:
        if hist is not None:
            summary["history"] = hist.with_columns(hist["superseded_at"].cast(str)).to_dicts()
        out.print_json(json.dumps(summary, ensure_ascii=False))
        return
    _print_summary(summary)
    if hist is not None:
        _print_history(hist)


def _print_month(path: Path, month: Month, area: str | None) -> None:
    """One month of the store: the units present with the file, row and spelling each came from; the units of the
    registry valid that month that are missing, those that reported before said apart from those that never did."""
    import polars as pl
    from rich.text import Text

    from cchc_analysis.compute.completeness import presence
    from cchc_analysis.store.database import Store

    registry = Registry.load(area)
    with Store.open(path, read_only=True) as st:
        rows = st.month_sources(month.first_day)
        earlier = st.earlier(month.first_day)
    rows = rows.filter(pl.col("unit_id").is_in(list(registry.by_id)))
    found = presence(registry, month, set(rows["unit_id"].to_list()), earlier)
    where = registry.words().name or registry.area
    out.print(f"{month.label().capitalize()}, {where}: {len(found.present)}/{len(found.expected)} đơn vị có số liệu.")
    table = Table(show_lines=False)
    for head in (LABELS["unit"], "Tệp", "Dòng", "Tên như tệp ghi"):
        table.add_column(head)
    for r in rows.iter_rows(named=True):
        written = r["unit_raw"] if r["unit_raw"] and r["unit_raw"] != r["unit"] else "(như danh mục)"
        row = "" if r["source_row"] is None else str(r["source_row"])
        table.add_row(*(Text(str(v)) for v in (r["unit"], r["file_name"] or "", row, written)))
    out.print(table)
    before, never = [u.name for u in found.before], [u.name for u in found.never]
    out.print(f"Thiếu, đã có số liệu các tháng trước ({len(before)}): {', '.join(before) or 'không'}")
    out.print(f"Thiếu, chưa từng có số liệu ({len(never)}): {', '.join(never) or 'không'}")


def _print_summary(s: dict) -> None:
    out.print(f"[bold]{LABELS['store']}[/] {escape(str(s['store']))}", markup=True)
    out.print(
        f"{LABELS['files']}: {formatting.integer(s['files'])} · {LABELS['rows']}: {formatting.integer(s['rows'])} "
        f"· {LABELS['current_rows']}: {formatting.integer(s['current_rows'])} "
        f"· {LABELS['superseded_rows']}: {formatting.integer(s['superseded_rows'])} "
        f"· {LABELS['units']}: {s['units']}"
    )
    table = Table(show_lines=False)
    heads: tuple[tuple[str, JustifyMethod], ...] = (
        (LABELS["month"], "left"),
        (LABELS["units"], "right"),
        (LABELS["commune_level"], "right"),
        (LABELS["departments"], "right"),
        ("Hồ sơ tiếp nhận", "right"),
        ("Đơn vị thiếu số liệu", "left"),
    )
    for head, justify in heads:
        table.add_column(head, justify=justify)
    for m in s["months"]:
        missing = ", ".join(m["missing"][:4]) + (f" (+{len(m['missing']) - 4})" if len(m["missing"]) > 4 else "")
        table.add_row(
            m["month"],
            str(m["units"]),
            str(m["commune_level"]),
            str(m["departments"]),
            formatting.integer(m["received"]),
            missing or "—",
        )
    out.print(table)


def _print_history(hist) -> None:
    if hist.is_empty():
        out.print("Chưa có dòng số liệu nào bị thay thế.")
        return
    table = Table(title="Lịch sử thay thế số liệu")
    for head in (
        LABELS["unit"],
        LABELS["month"],
        LABELS["superseded_at"],
        LABELS["source_file"],
        LABELS["replaced_by_file"],
        "Thay đổi",
    ):
        table.add_column(head)
    for r in hist.iter_rows(named=True):
        table.add_row(
            r["unit"] or "",
            r["month"],
            str(r["superseded_at"]),
            f"{r['old_file']} (dòng {r['old_row']})",
            f"{r['new_file']} (dòng {r['new_row']})",
            r["changes"],
        )
    out.print(table)


ForceFileOpt = Annotated[bool, typer.Option("--force", help="Ghi đè tệp đã có.")]


@app.command(cls=clitext.Command)
@_one_line_errors
def template(
    period: Annotated[str, typer.Argument(metavar="THÁNG", help="Tháng, ví dụ 2023-08.")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Tệp .xlsx cần ghi.")] = None,
    area: AreaOpt = None,
    force: ForceFileOpt = False,
    _debug: DebugOpt = False,
) -> None:
    """Ghi mẫu biểu nhập số liệu (.xlsx) với danh sách đơn vị điền sẵn."""
    from cchc_analysis.inputs.template import write_entry_form

    month = month_arg(period)
    registry = Registry.load(area)
    if output is None and not sys.stdout.isatty():
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "template.xlsx"
            n = write_entry_form(month, registry, target)
            sys.stdout.buffer.write(target.read_bytes())
            sys.stdout.flush()
        err.print(f"Mẫu biểu tháng {month}: {n} đơn vị.")
        return
    target = output or Path(f"mau-bieu-{month}.xlsx")
    n = _write_new(target, force, lambda path: write_entry_form(month, registry, path))
    out.print(f"Đã ghi {target}: mẫu biểu tháng {month}, {n} đơn vị.")


def _write_new(target: Path, force: bool, write: Callable[[Path], int]) -> int:
    """``write`` a file the command makes: never over an existing one without ``force``, and whole or not at all
    (written beside it, then moved into place)."""
    import os

    if target.exists() and not force:
        raise UsageError(f"đã có tệp {target} — chọn tên khác (-o TỆP) hoặc thêm --force để ghi đè")
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        n = write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return n


@app.command("ingest-dossiers", cls=clitext.Command)
@_one_line_errors
def ingest_dossiers(
    files: Annotated[
        list[Path], typer.Argument(metavar="TỆP", help="Danh sách hồ sơ (.parquet, thư mục .parquet hoặc .csv).")
    ],
    store: StoreOpt = None,
    area: AreaOpt = None,
    units_file: Annotated[
        Path | None, typer.Option("--units-file", help="Danh mục đơn vị thay cho params/units/<area>.csv.")
    ] = None,
    prefer: Annotated[
        str | None,
        typer.Option("--prefer", metavar="dossiers", help="«dossiers»: thay số liệu tổng hợp đã nhập cho cùng tháng."),
    ] = None,
    quiet: QuietRowsOpt = False,
    _debug: DebugOpt = False,
) -> None:
    """Kiểm tra danh sách hồ sơ, tổng hợp thành số liệu đơn vị – tháng (và hồ sơ quá hạn theo lĩnh vực), lưu vào kho."""
    import time as _time

    from cchc_analysis.inputs.dossiers import check_dossiers
    from cchc_analysis.store.database import Store, refuse_given_both_ways

    if prefer not in (None, "dossiers"):
        raise UsageError("--prefer chỉ nhận «dossiers»")
    registry = Registry.load(area, units_file)
    started = _time.perf_counter()
    batch = check_dossiers(files, registry)
    say_understood(registry, _detail(quiet))
    if batch.problems:
        raise DataRejected(batch.problems)
    path = workspace.store_path(store)
    refuse_given_both_ways(path, batch.files, registry, "unit_month", prefer)
    with Store.open(path) as st:
        report = st.ingest_dossiers(batch, registry)
    for f, r in zip(batch.files, report.files, strict=False):
        if r.status == "already":
            _detail(quiet).print(f"{f.name}: đã nhập trước đó (cùng nội dung), bỏ qua")
        else:
            _detail(quiet).print(
                f"{f.name}: {formatting.integer(f.dossiers)} hồ sơ → {formatting.integer(f.months.height)} "
                f"dòng đơn vị – tháng ({formatting.integer(r.inserted)} mới, {formatting.integer(r.superseded)} "
                f"thay thế, {formatting.integer(r.unchanged)} không đổi); "
                f"{formatting.integer(int(f.late_by_field['late'].sum()) if f.late_by_field.height else 0)} "
                "hồ sơ quá hạn theo lĩnh vực"
            )
    out.print(f"Xong trong {formatting.number(_time.perf_counter() - started, 1)} giây.")


@app.command(cls=clitext.Command)
@_one_line_errors
def synth(
    dossiers: Annotated[int, typer.Option("--dossiers", help="Số hồ sơ cần tạo.")] = 100_000,
    units: Annotated[int, typer.Option("--units", help="Số đơn vị (23 là một huyện; 3.321 là cả nước).")] = 23,
    seed: Annotated[int, typer.Option("--seed", help="Hạt giống: cùng hạt giống cho cùng tệp.")] = 1,
    year: Annotated[int, typer.Option("--year", help="Năm của hồ sơ.")] = 2023,
    output: Annotated[Path, typer.Option("-o", "--output", help="Tệp .parquet cần ghi.")] = Path("ho-so-mau.parquet"),
    area: AreaOpt = None,
    _debug: DebugOpt = False,
) -> None:
    """Tạo danh sách hồ sơ giả lập (Parquet) để thử và đo hiệu năng; kèm danh mục đơn vị khi cần."""
    from cchc_analysis.inputs.synth import synthesize, write_registry

    if dossiers < 1 or units < 1:
        raise UsageError("--dossiers và --units phải lớn hơn 0")
    if not 2000 <= year <= 2100:
        raise UsageError("--year phải trong khoảng 2000–2100")
    registry = Registry.load(area)
    names = synthesize(output, dossiers, units, seed, year, registry=registry)
    out.print(f"Đã ghi {output}: {formatting.integer(dossiers)} hồ sơ, {len(names)} đơn vị.")
    if names[0] not in {u.name for u in registry.units}:
        reg = output.with_suffix(".units.csv")
        write_registry(names, reg)
        out.print(f"Danh mục đơn vị: {reg} (dùng với cchc ingest-dossiers --units-file {reg})")


@app.command("template-scores", cls=clitext.Command)
@_one_line_errors
def template_scores(
    period: Annotated[str, typer.Argument(metavar="KỲ", help="Kỳ đánh giá: 2023-H1, 2023-H2 hoặc 2023.")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Tệp .xlsx cần ghi.")] = None,
    area: AreaOpt = None,
    force: ForceFileOpt = False,
    _debug: DebugOpt = False,
) -> None:
    """Ghi mẫu nhập điểm tự chấm Chỉ số CCHC (.xlsx): mỗi đơn vị, mỗi tiêu chí tự chấm một dòng."""
    from cchc_analysis.inputs.selfscores import write_scores_template

    kind = period_arg(period)
    target = output or Path(f"tu-cham-{kind}.xlsx")
    registry = Registry.load(area)
    n = _write_new(target, force, lambda path: write_scores_template(kind, registry, path))
    out.print(f"Đã ghi {target}: {n} dòng tiêu chí cần tự chấm.")


@app.command("ingest-scores", cls=clitext.Command)
@_one_line_errors
def ingest_scores(
    files: Annotated[
        list[Path], typer.Argument(metavar="TỆP", help="Tệp .xlsx/.csv điểm tự chấm (mẫu: cchc template-scores).")
    ],
    store: StoreOpt = None,
    area: AreaOpt = None,
    quiet: QuietRowsOpt = False,
    _debug: DebugOpt = False,
) -> None:
    """Kiểm tra và nhập điểm tự chấm Chỉ số CCHC; tất cả tệp được nhập, hoặc không tệp nào."""
    from cchc_analysis.inputs.selfscores import check_scores
    from cchc_analysis.store.database import Store

    registry = Registry.load(area)
    path = workspace.store_path(store)
    stored: set[tuple[str, str, str]] = set()
    if path.exists():
        with Store.open(path, read_only=True) as st:
            stored = set(st.scores().select("period", "unit_id", "criterion_id").iter_rows())
    batch = check_scores(files, registry, stored)
    if batch.problems:
        raise DataRejected(batch.problems)
    with Store.open(path) as st:
        report = st.ingest_scores(batch, registry)
    for f in report.files:
        if f.status == "already":
            _detail(quiet).print(f"{f.name}: đã nhập trước đó (cùng nội dung), bỏ qua")
        else:
            _detail(quiet).print(
                f"{f.name}: {f.inserted} điểm mới, {f.superseded} điểm thay thế, {f.unchanged} không đổi"
            )


@app.command("issue", cls=clitext.Command)
@_one_line_errors
def issue_cmd(
    period: Annotated[str, typer.Argument(metavar="THÁNG", help="Tháng của văn bản, ví dụ 2023-08.")],
    store: StoreOpt = None,
    params_file: Annotated[Path | None, typer.Option("--params", help="Tệp tham số thay cho params/<kỳ>.yaml.")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Ghi phiên bản mới khi kỳ này đã ban hành với nội dung khác.")
    ] = False,
    allow_partial: PartialOpt = False,
    area: AreaOpt = None,
    _debug: DebugOpt = False,
) -> None:
    """Ghi nhận văn bản biểu dương – nhắc nhở của tháng là đã ban hành (căn cứ để nâng mức phê bình)."""
    from cchc_analysis.documents.monthly import record_letter
    from cchc_analysis.runs.inputs import resolve

    month = month_arg(period)
    path = workspace.store_path(store)
    if not path.is_file():  # a letter is recorded in a store that holds its month, never in a new one
        raise StoreError(f"chưa có kho dữ liệu {path} — nhập số liệu tháng {month} trước: cchc ingest TỆP…")
    inputs = resolve(month, path, area, params_file)
    status, findings = record_letter(month, inputs.params, inputs.registry, path, force, allow_partial)
    sanctions = findings.filter(findings["kind"] == "escalate").height if findings.height else 0
    text = {
        "new": "đã ghi nhận",
        "same": "đã ghi nhận trước đó với cùng nội dung, không thay đổi",
        "replaced": "đã ghi phiên bản mới (phiên bản cũ vẫn được lưu)",
    }[status]
    out.print(f"Văn bản {month.label()}: {text} — {findings.height} nội dung, {sanctions} hình thức nhắc nhở/phê bình.")


@app.command("anomalies", cls=clitext.Command)
@_one_line_errors
def anomalies_cmd(
    period: Annotated[str, typer.Argument(metavar="THÁNG", help="Tháng, ví dụ 2023-05.")],
    store: StoreOpt = None,
    params_file: Annotated[Path | None, typer.Option("--params", help="Tệp tham số thay cho params/<kỳ>.yaml.")] = None,
    unit: Annotated[
        list[str] | None, typer.Option("--unit", help="Chỉ xem đơn vị này (tên hoặc mã; lặp lại được).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In dạng JSON.")] = False,
    area: AreaOpt = None,
    _debug: DebugOpt = False,
) -> None:
    """Kiểm tra bất thường trong số liệu đã lưu: thay đổi đột ngột, 100% trên ít hồ sơ, thiếu tháng, số liệu
    không cân đối, không có hồ sơ, số liệu tháng trước bị sửa."""
    from cchc_analysis.compute.anomalies import load_anomalies
    from cchc_analysis.core.glossary import CHECK_LABELS
    from cchc_analysis.runs.inputs import resolve
    from cchc_analysis.runs.run import Progress, store_or_sample

    inputs = resolve(month_arg(period), store, area, params_file)
    month = inputs.period
    assert isinstance(month, Month)
    with tempfile.TemporaryDirectory() as tmp:
        if inputs.store is None:  # no store at all: the embedded sample, as cchc run does
            err.print("[yellow]lưu ý:[/] chưa có kho dữ liệu — dùng số liệu mẫu Tứ Kỳ 2023", markup=True)
        path = store_or_sample(inputs.store, Path(tmp), Progress(quiet=True))
        found, _ = load_anomalies(month, inputs.params, inputs.registry, path, unit)
    if as_json:
        out.print_json(json.dumps(found.to_dicts(), ensure_ascii=False))
        return
    table = Table(title=f"Bất thường trong số liệu {month.label()}: {found.height}")
    for head in (LABELS[k] for k in ("severity", "check", "unit", "evidence")):
        table.add_column(head, overflow="fold")
    for r in found.iter_rows(named=True):
        table.add_row(r["severity"], CHECK_LABELS[r["check"]], r["unit"], r["evidence"])
    out.print(table)


@app.command(cls=clitext.Command)
@_one_line_errors
def doctor(store: StoreOpt = None, area: AreaOpt = None) -> None:
    """Kiểm tra máy, thư mục làm việc và kho: thư viện, Typst, phông chữ, nhân Jupyter, JupyterLab, tham số,
    danh mục đơn vị, bộ tiêu chí, notebook (và lấy từ đâu), cấu trúc và toàn vẹn kho."""
    from cchc_analysis.runs.doctor import run_checks

    checks = run_checks(store, area)
    for c in checks:
        mark = "[green]✓[/]" if c.ok else "[bold red]✗[/]"
        out.print(
            f"{mark} {escape(c.name)}: {escape(c.detail)}" + ("" if c.ok else f" — cách xử lý: {escape(c.fix)}"),
            markup=True,
        )
    bad = [c for c in checks if not c.ok]
    out.print(f"{len(checks) - len(bad)}/{len(checks)} mục đạt.")
    if bad:
        raise typer.Exit(1)


@app.command("init", cls=clitext.Command)
@_one_line_errors
def init_cmd(
    folder: Annotated[
        Path, typer.Argument(metavar="THƯ_MỤC", help="Thư mục làm việc cần tạo (mặc định: thư mục hiện tại).")
    ] = Path("."),
    area: Annotated[
        Path | None,
        typer.Option(
            "--area",
            help="Danh mục đơn vị (.csv) của địa bàn mình: được kiểm tra, chép vào params/units/ và dùng làm địa bàn "
            "mặc định của thư mục làm việc.",
        ),
    ] = None,
    _debug: DebugOpt = False,
) -> None:
    """Tạo thư mục làm việc: params/ (tham số, danh mục đơn vị, bộ tiêu chí, mẫu báo cáo), notebooks/, templates/,
    data/, outputs/ và HUONG-DAN.md. Tệp đã có được giữ nguyên."""
    import re

    from cchc_analysis.core.workspace import create

    words = None
    if area is not None:
        if not area.is_file():
            raise UsageError(f"không có tệp danh mục đơn vị {area} — kiểm tra đường dẫn cho --area")
        if not re.fullmatch(r"[\w-]+", area.stem) or area.suffix.lower() != ".csv":
            raise UsageError(
                f"tên tệp danh mục «{area.name}» phải là chữ, số, dấu gạch ngang và đuôi .csv (ví dụ kinh-bac.csv) "
                "— đổi tên tệp rồi chạy lại"
            )
        registry = Registry.load(str(area))  # checked before anything is made
        words = registry.words()
    made = create(folder, area)
    out.print(
        f"Thư mục làm việc {made.root.resolve()}: tạo {len(made.made)} tệp"
        + (f", giữ nguyên {len(made.kept)} tệp đã có" if made.kept else "")
        + "."
    )
    if area is None or words is None:
        out.print(f"Tiếp theo: cd {made.root} rồi xem HUONG-DAN.md; thử ngay: cchc run monthly 2023-05 (số liệu mẫu).")
        return
    name = area.stem
    out.print(
        f"Địa bàn «{name}»: {words.name or 'danh mục không có đơn vị của chính địa bàn'}; nhóm đơn vị: "
        f"{words.communes}; {words.departments}."
    )
    out.print("Còn cần điền:")
    for item in (
        f"params/areas/{name}.yaml — nơi nhận, người ký",
        "params/defaults.yaml — chỉ tiêu của tỉnh (targets), ngày bắt đầu tính thanh toán trực tuyến "
        "(payment_window_start), ký hiệu văn bản (document.code, đang là UBND-NV)",
        "mỗi kỳ: cchc params KỲ — số, ngày văn bản, văn bản cấp trên",
        f"báo cáo 6 tháng, năm: bộ tiêu chí Chỉ số CCHC params/criteria/{name}-NĂM-xa.yaml "
        "(mẫu trong params/criteria/examples/)",
    ):
        out.print(f"  - {item}")
    out.print(f"Tiếp theo: cd {made.root}, nhập số liệu (cchc ingest TỆP…), rồi cchc run monthly KỲ.")


@app.command("params", cls=clitext.Command)
@_one_line_errors
def params_cmd(
    period: Annotated[str, typer.Argument(metavar="KỲ", help="Kỳ: tháng (2023-08) hoặc kỳ báo cáo (2023-H1, 2023).")],
    area: AreaOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Ghi lại tệp trống khi đã có tệp của kỳ này.")] = False,
    _debug: DebugOpt = False,
) -> None:
    """Tạo tệp tham số của kỳ (params/KỲ.yaml) với các trường văn bản cần điền: số, ngày, văn bản cấp trên, người
    ký."""
    from cchc_analysis.core.params import write_period_file

    try:
        kind: Month | ReportPeriod = month_arg(period)
    except UsageError:
        try:
            kind = period_arg(period)
        except UsageError:
            raise UsageError(
                f"«{period}» không phải tháng hay kỳ báo cáo — viết 2023-08, 2023-H1, 2023-H2 hoặc 2023"
            ) from None
    target = write_period_file(kind, area, force)
    out.print(f"Đã ghi {target}: điền số, ngày văn bản và người ký rồi chạy lại lệnh cchc run của kỳ {period}.")


@app.command(
    "lab",
    cls=clitext.Command,
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": ["--help"]},
)
@_one_line_errors
def lab_cmd(ctx: typer.Context, _debug: DebugOpt = False) -> None:
    """Mở JupyterLab ở thư mục làm việc (notebooks/, outputs/ cùng thấy), đọc cùng kho dữ liệu với lệnh cchc. Các
    tùy chọn của JupyterLab được chuyển nguyên: cchc lab --port 8890 --no-browser --ip 127.0.0.1. Ctrl-C dừng
    máy chủ."""
    from cchc_analysis.runs.lab import run_lab

    raise typer.Exit(
        run_lab(list(ctx.args), say=lambda text: err.print(f"[yellow]lưu ý:[/] {escape(text)}", markup=True))
    )


@app.command("check-report", cls=clitext.Command)
@_one_line_errors
def check_report(
    file: Annotated[Path, typer.Argument(metavar="TỆP", help="Dự thảo báo cáo, văn bản (.txt hoặc .docx).")],
    store: Annotated[
        Path | None,
        typer.Option(
            "--store", help="Đối chiếu thêm với kho này (mặc định: kho của thư mục làm việc khi có --period)."
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            help="Kỳ của văn bản khi đối chiếu với kho: 2023-05, 2023-H1, 2023-04..2023-06 (mặc định: kỳ ghi ở tên "
            "văn bản).",
        ),
    ] = None,
    area: AreaOpt = None,
    allow_partial: Annotated[
        bool, typer.Option("--allow-partial", help="Đối chiếu dù kho còn thiếu tháng của kỳ (nói rõ tháng thiếu).")
    ] = False,
    _debug: DebugOpt = False,
) -> None:
    """Kiểm tra số liệu trong dự thảo báo cáo: phân số và tỷ lệ, chênh lệch, tổng, số liệu nêu lại khác nhau; với kho:
    tỷ lệ của từng đơn vị và của toàn địa bàn so với số liệu đã nhập."""
    from cchc_analysis.compute.reconcile import held_against, read_text, reconcile
    from cchc_analysis.core.periods import window_arg

    registry = Registry.load(area)
    text = read_text(file)
    stored = window = None
    asked = window_arg(period) if period else None
    place = registry.area
    if store is not None or period is not None:
        window, stored, note = held_against(text, registry, workspace.store_path(store), asked, place, allow_partial)
        if note:
            err.print(f"[yellow]lưu ý:[/] {escape(note)}", markup=True)
    elif workspace.store_path(None).exists():  # the workspace's store, for the period the title names, when it can
        try:
            window, stored, _ = held_against(text, registry, workspace.store_path(None), None, place, False)
        except CchcError as exc:
            err.print(f"[yellow]lưu ý:[/] chưa đối chiếu với kho: {escape(str(exc))}", markup=True)
    result = reconcile(text, registry, stored, window)
    for m in result.mismatches:
        out.print(f"[bold]{escape(file.name)}[/], {escape(str(m))}", markup=True)
    out.print(f"{result.summary()} {len(result.mismatches)} chỗ không khớp.")
    if result.mismatches:
        raise typer.Exit(1)


run_app = typer.Typer(
    cls=clitext.CommandGroup,
    help="Chạy notebook và kết xuất kết quả (notebook, HTML, phụ lục PDF/XLSX, CSV) vào OUT/KỲ/.",
    no_args_is_help=True,
)
app.add_typer(run_app, name="run")
OutOpt = Annotated[Path | None, typer.Option("--out", help="Thư mục kết quả (mặc định outputs/).")]
ParamsOpt = Annotated[Path | None, typer.Option("--params", help="Tệp tham số thay cho params/<kỳ>.yaml.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", help="Không in tiến trình (cho CI).")]


NumberOpt = Annotated[
    str | None,
    typer.Option("--number", help="Số văn bản, ví dụ 1220/UBND-NV (thay cho document.number trong tham số)."),
]
DateOpt = Annotated[
    str | None, typer.Option("--date", help="Ngày văn bản, ví dụ 2023-09-15 hoặc 15/9/2023 (document.date).")
]
SignerOpt = Annotated[str | None, typer.Option("--signer", help="Họ tên người ký (document.signer.name).")]


def _document(number: str | None, date: str | None, signer: str | None) -> dict[str, Any] | None:
    """The document's number, date and signer given on the command line, as params' ``document`` keys."""
    given: dict[str, Any] = {}
    if number is not None:
        given["number"] = " ".join(number.split()) or None
    if date is not None:
        given["date"] = date_arg(date)
    if signer is not None:
        given["signer"] = {"name": " ".join(signer.split())}
    return given or None


PartialOpt = Annotated[
    bool,
    typer.Option(
        "--allow-partial",
        help="Vẫn lập văn bản khi kho còn thiếu đơn vị (đã báo cáo các tháng trước) hoặc thiếu tháng của kỳ lũy kế; "
        "văn bản nói rõ phần còn thiếu và không nêu nội dung dựa trên phần đó.",
    ),
]


def _run_command(runner: Callable[..., Path], inputs: RunInputs, quiet: bool, **options: Any) -> None:
    folder = runner(inputs, quiet, **options)
    if not quiet:
        out.print(f"Kết quả: {folder}")


@run_app.command("monthly", cls=clitext.Command)
@_one_line_errors
def run_monthly_cmd(
    periods: Annotated[
        list[str],
        typer.Argument(
            metavar="THÁNG...",
            help="Tháng, ví dụ 2023-08; nhiều tháng (2023-05 2023-06 2023-07) chạy lần lượt trong cùng một nhân Jupyter.",
        ),
    ],
    store: StoreOpt = None,
    out_dir: OutOpt = None,
    params_file: ParamsOpt = None,
    area: AreaOpt = None,
    allow_partial: PartialOpt = False,
    number: NumberOpt = None,
    date: DateOpt = None,
    signer: SignerOpt = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Ghi đè kết quả của tháng đã ban hành văn bản (mặc định: ghi vào thư mục chạy lại mới)."
        ),
    ] = False,
    quiet: QuietOpt = False,
    _debug: DebugOpt = False,
) -> None:
    """Rà soát tháng: dự thảo công văn biểu dương, nhắc nhở, phê bình (Word); findings.csv, indicators.csv; phụ lục
    HTML, PDF, XLSX, Word. Nhiều tháng: mỗi tháng một thư mục kết quả đầy đủ, notebook chạy chung một nhân."""
    from cchc_analysis.runs.inputs import resolve
    from cchc_analysis.runs.kernel import warm_kernel
    from cchc_analysis.runs.run import run_monthly

    months = [month_arg(p) for p in periods]
    if len(set(months)) < len(months):
        raise UsageError("một tháng được nêu hai lần — mỗi tháng chỉ ghi một lần")
    document = _document(number, date, signer)
    if document and len(months) > 1:
        raise UsageError("--number, --date, --signer là của một văn bản — chỉ dùng khi chạy một tháng")
    with warm_kernel() as kernel:
        for month in months:
            inputs = resolve(month, store, area, params_file, document, out_dir)
            _run_command(run_monthly, inputs, quiet, allow_partial=allow_partial, force=force, kernel=kernel)


@run_app.command("semiannual", cls=clitext.Command)
@_one_line_errors
def run_semiannual_cmd(
    period: Annotated[str, typer.Argument(metavar="KỲ", help="Kỳ: 2023-H1, 2023-H2 hoặc 2023.")],
    store: StoreOpt = None,
    out_dir: OutOpt = None,
    params_file: ParamsOpt = None,
    area: AreaOpt = None,
    number: NumberOpt = None,
    date: DateOpt = None,
    signer: SignerOpt = None,
    allow_partial: PartialOpt = False,
    quiet: QuietOpt = False,
    _debug: DebugOpt = False,
) -> None:
    """Báo cáo 6 tháng, năm (Word): giải quyết hồ sơ, số hóa, thanh toán, chứng thực, quá hạn, ước tính Chỉ số CCHC;
    phụ lục HTML, PDF, XLSX, Word; Chỉ số 766."""
    from cchc_analysis.runs.inputs import resolve
    from cchc_analysis.runs.run import run_semiannual

    inputs = resolve(period_arg(period), store, area, params_file, _document(number, date, signer), out_dir)
    _run_command(run_semiannual, inputs, quiet, allow_partial=allow_partial)


@run_app.command("anomalies", cls=clitext.Command)
@_one_line_errors
def run_anomalies_cmd(
    period: Annotated[str, typer.Argument(metavar="THÁNG", help="Tháng, ví dụ 2023-05.")],
    store: StoreOpt = None,
    out_dir: OutOpt = None,
    params_file: ParamsOpt = None,
    area: AreaOpt = None,
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit", help="Một đơn vị (viết như thường viết: «Hà Kỳ»): trang chỉ về đơn vị đó, để gửi đơn vị."
        ),
    ] = None,
    quiet: QuietOpt = False,
    _debug: DebugOpt = False,
) -> None:
    """Trang khám phá bất thường (HTML không cần mạng): chọn đơn vị, chỉ tiêu; bản đồ nhiệt đơn vị × tháng; báo
    cáo còn thiếu; bảng sắp xếp, tìm kiếm được; anomalies.csv."""
    from cchc_analysis.runs.inputs import resolve
    from cchc_analysis.runs.run import run_anomalies

    inputs = resolve(month_arg(period), store, area, params_file, out=out_dir)
    _run_command(run_anomalies, inputs, quiet, unit=unit)

"""Crash safety, concurrent writers, property tests, and outputs that stay data."""

from __future__ import annotations

import csv
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_analysis.compute.indicators import area_rates, window_rates
from cchc_analysis.core.periods import Month, parse_period
from cchc_analysis.inputs.ingest import parse_count

from conftest import run_cli

CCHC = str(Path(sys.executable).with_name("cchc"))


def current_rows(db: Path) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM unit_month_current").fetchone()[0]
    finally:
        con.close()


def store_state(db: Path) -> str | int:
    """What a reader finds in ``db``: no store, a store refused with a message, or its current rows."""
    if not db.exists():
        return "absent"
    res = run_cli("store", "--store", str(db), "--json")
    assert res.returncode in (0, 1), res.stderr
    if res.returncode == 1:  # killed while the file was being made a store: refused with a message, never misread
        assert "lỗi" in res.stderr
        return "refused"
    return current_rows(db)


@pytest.mark.e2e
def test_sigkill_mid_ingest_leaves_all_or_nothing(tmp_path):
    """Kill `cchc ingest --sample` at a spread of moments. After each kill the store is as before the command
    (no store, or a store with no rows) or as after it (all 280 rows), and the same command run again completes
    it."""
    killed_while_running = 0
    for k in range(6):
        db = tmp_path / f"s{k}.duckdb"
        proc = subprocess.Popen(
            [CCHC, "ingest", "--sample", "--store", str(db)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(0.15 + 0.22 * k)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode in (0, -signal.SIGKILL), proc.returncode  # killed, or done just before
        killed_while_running += proc.returncode == -signal.SIGKILL
        state = store_state(db)
        assert state in ("absent", 0, 280), f"killed at {0.15 + 0.22 * k:.2f} s: {state}"
        again = run_cli("ingest", "--sample", "--store", str(db))
        assert again.returncode == 0, again.stderr
        assert current_rows(db) == 280
    assert killed_while_running >= 3  # the kills fell while the command was working, not after it had finished


def test_a_command_dying_while_it_makes_the_store_leaves_no_half_made_store(tmp_path):
    """The moment a SIGKILL rarely hits: the process dies after the database file exists and before its schema
    does. Nothing is left where the store goes, and the next command makes it whole."""
    db = tmp_path / "s.duckdb"
    die = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from cchc_analysis.store.database import Store\n"
        "Store._check_schema = lambda self: os._exit(9)  # dies as a SIGKILL would, mid-creation\n"
        "with Store.open(Path(sys.argv[1])):\n"
        "    pass\n"
    )
    res = subprocess.run([sys.executable, "-c", die, str(db)], capture_output=True, text=True)
    assert res.returncode == 9, res.stderr
    assert not db.exists()
    again = run_cli("ingest", "--sample", "--store", str(db))
    assert again.returncode == 0, again.stderr
    assert current_rows(db) == 280
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []  # the dead one's file is gone


def test_two_ingests_at_once_never_corrupt(tmp_path):
    db = tmp_path / "s.duckdb"
    procs = [
        subprocess.Popen(
            [CCHC, "ingest", "--sample", "--store", str(db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "CCHC_LOCK_WAIT": "30"},
        )
        for _ in range(2)
    ]
    results = [(p.wait(), p.stderr.read()) for p in procs]
    # the second waits for the first; the same files again change nothing
    assert [rc for rc, _ in results] == [0, 0], results
    assert current_rows(db) == 280
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM unit_month").fetchone()[0] == 280
    con.close()


def test_a_writer_that_cannot_wait_fails_with_a_clear_message(tmp_path):
    db = tmp_path / "s.duckdb"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    holder = duckdb.connect(str(db))  # another program holds the store
    try:
        res = run_cli("ingest", "--sample", "--store", str(db), env={"CCHC_LOCK_WAIT": "0.5"})
    finally:
        holder.close()
    assert res.returncode == 1
    assert "đang được một chương trình khác mở" in res.stderr and len(res.stderr.strip().splitlines()) == 1


# -- properties --------------------------------------------------------------------------------------------
@given(st.integers(min_value=0, max_value=999_999_999))
def test_counts_round_trip_in_every_spelling(n):
    grouped = f"{n:,}".replace(",", ".")
    assert parse_count(n) == parse_count(str(n)) == parse_count(grouped) == parse_count(float(n)) == n
    assert parse_count(f" {grouped}\u00a0") == n


@given(st.integers(min_value=1900, max_value=9998), st.integers(min_value=1, max_value=12))
def test_months_round_trip(year, month):
    m = Month(year, month)
    assert Month.parse(str(m)) == Month.parse(f"{month:02d}/{year}") == Month.parse(f"tháng {month}/{year}") == m
    assert parse_period(f"{m}..{m + 5}").months()[-1] == m + 5


pairs = st.lists(
    st.tuples(st.integers(0, 5000), st.integers(0, 5000)).map(lambda t: (min(t), max(t))), min_size=1, max_size=30
)


def frame_of(values: list[tuple[int, int]]) -> pl.DataFrame:
    from conftest import frame

    return frame(
        [
            {"unit_id": f"u{i}", "month": dt.date(2023, 5, 1), "so_hoa_tiep_nhan": n, "phai_so_hoa_tiep_nhan": d}
            for i, (n, d) in enumerate(values)
        ]
    )


@given(pairs)
def test_a_pooled_rate_lies_between_the_unit_rates(values):
    rates = window_rates(frame_of(values), parse_period("2023-05")).filter(pl.col("indicator") == "digitized_input")
    unit = [r for r in rates["rate"].to_list() if r is not None]
    pooled = area_rates(rates).filter(pl.col("scope") == "all")["rate"][0]
    assert all(0 <= r <= 1 for r in unit)
    if unit:
        assert min(unit) - 1e-12 <= pooled <= max(unit) + 1e-12
    else:
        assert pooled is None


HEADER = [
    "ky",
    "don_vi",
    "tiep_nhan",
    "so_hoa_tiep_nhan",
    "ket_qua",
    "so_hoa_ket_qua",
    "co_phi",
    "thanh_toan_truc_tuyen",
]
UNITS = ["UBND xã Hưng Đạo", "UBND xã Tân Kỳ", "Phòng Tư pháp", "UBND thị trấn Tứ Kỳ"]
unit_month = st.tuples(
    st.sampled_from(UNITS), st.integers(1, 8), st.integers(0, 300), st.integers(0, 300), st.integers(0, 300)
)


def rows_of(draw_rows) -> list[list]:
    out, seen = [], set()
    for unit, month, a, b, c in draw_rows:
        if (unit, month) in seen:
            continue
        seen.add((unit, month))
        out.append([f"2023-{month:02d}", unit, max(a, b), min(a, b), max(b, c), min(b, c), c, c // 2])
    return out


def store_content(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT unit_id, month, tiep_nhan, so_hoa_tiep_nhan, ket_qua, so_hoa_ket_qua, co_phi, "
            "thanh_toan_truc_tuyen FROM unit_month_current ORDER BY 1, 2"
        ).fetchall()
    finally:
        con.close()


def ingest_in_process(paths: list[Path], db: Path) -> None:
    from cchc_analysis.inputs.ingest import check
    from cchc_analysis.inputs.units import Registry
    from cchc_analysis.store.database import Store

    registry = Registry.load("tu-ky")
    batch = check(paths, registry)
    assert not batch.problems, batch.problems[:2]
    with Store.open(db) as st_:
        st_.ingest(batch, registry)


@pytest.mark.e2e
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(unit_month, min_size=2, max_size=12))
def test_order_and_format_do_not_change_the_store(tmp_path_factory, drawn):
    from openpyxl import Workbook

    rows = rows_of(drawn)
    base = tmp_path_factory.mktemp("prop")
    half = len(rows) // 2 or 1
    parts = []
    for k, chunk in enumerate((rows[:half], rows[half:])):
        if not chunk:
            continue
        p = base / f"part{k}.csv"
        with p.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([HEADER, *chunk])
        parts.append(p)
    a, b, c = base / "a.duckdb", base / "b.duckdb", base / "c.duckdb"
    for p in parts:
        ingest_in_process([p], a)
    for p in reversed(parts):
        ingest_in_process([p], b)
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    xlsx = base / "all.xlsx"
    wb.save(xlsx)
    ingest_in_process([xlsx], c)
    assert store_content(a) == store_content(b) == store_content(c)


# -- outputs stay data ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_xlsx_text_that_looks_like_a_formula_stays_text(tmp_path, prefix):
    from openpyxl import load_workbook

    from cchc_analysis.documents.tables import Col, Row, Table
    from cchc_analysis.render import Appendix, Document, write_xlsx

    text = f"{prefix}cmd|'/c calc'!A1"
    table = Table("t", "T", [Col("unit", "Đơn vị")], [Row({"unit": text})])
    write_xlsx(Document(text, text, [Appendix(text, [table])], notice=text), tmp_path / "a.xlsx")
    wb = load_workbook(tmp_path / "a.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value and "calc" in str(c.value)]
    assert len(cells) >= 4  # the cover's title and notice, the heading, the row
    assert all(c.data_type == "s" for c in cells)


@pytest.fixture(scope="module")
def some_store(tmp_path_factory):
    """A store that exists (empty), so that a refusal below is the period's, not the missing store's."""
    from cchc_analysis.store.database import Store

    db = tmp_path_factory.mktemp("store") / "s.duckdb"
    with Store.open(db):
        pass
    return db


@pytest.mark.parametrize("period", ["../../x", "/etc", "2023-05/../../x", "..", "2023-05;rm"])
def test_periods_that_are_paths_are_refused(tmp_path, period, some_store):
    res = run_cli("run", "monthly", period, "--store", str(some_store), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert res.returncode == 2 and f"kỳ «{period}» không hợp lệ" in res.stderr, res.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "x").exists()


def test_output_folder_names_are_plain_names(tmp_path):
    from cchc_analysis.core.exceptions import UsageError
    from cchc_analysis.runs.run import RunFolder

    for name in ("../x", "/tmp/x", "a/b", "..", ""):
        with pytest.raises(UsageError):
            RunFolder.create(tmp_path, name)


def test_notebook_parameters_are_data_not_code(tmp_path):
    """Papermill writes parameters as Python literals: quotes and newlines cannot run anything."""
    from papermill.translators import PythonTranslator

    marker = tmp_path / "PWNED"
    evil = f'x"\nimport pathlib; pathlib.Path({str(marker)!r}).touch()\n"'
    code = PythonTranslator.codify({"params_file": evil, "period": "2023-05'; import os; '"})
    namespace: dict = {}
    exec(compile(code, "<parameters>", "exec"), namespace)  # what the kernel runs
    assert namespace["params_file"] == evil and namespace["period"].startswith("2023-05'")
    assert not marker.exists()


@pytest.mark.e2e
def test_doctor_passes_here_and_names_a_damaged_store(tmp_path):
    db = tmp_path / "s.duckdb"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    ok = run_cli("doctor", "--store", str(db))
    assert ok.returncode == 0, ok.stdout
    assert "Typst và chữ tiếng Việt trong PDF: PDF thử đọc lại đúng dấu" in ok.stdout
    assert "nhân Jupyter python3" in ok.stdout and "toàn vẹn kho: 280 dòng" in ok.stdout
    con = duckdb.connect(str(db))  # a hand edit: a second current row for one unit-month
    con.execute("CREATE TEMP TABLE dup AS SELECT * FROM unit_month WHERE row_id = 1")
    con.execute("UPDATE dup SET row_id = row_id + 100000")
    con.execute("INSERT INTO unit_month SELECT * FROM dup")
    con.close()
    bad = run_cli("doctor", "--store", str(db))
    assert bad.returncode == 1
    line = [ln for ln in bad.stdout.splitlines() if "toàn vẹn kho" in ln][0]
    assert "trùng đơn vị – tháng: 1" in line and "cách xử lý" in line


def test_a_missing_store_leaves_no_output_folder(tmp_path):
    res = run_cli("run", "monthly", "2023-05", "--store", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "out"))
    assert res.returncode == 2 and "chưa có kho dữ liệu" in res.stderr
    assert not (tmp_path / "out").exists()

"""A month some units have not reported, escalation that cannot see its history, and failures that are one
line: as an analyst meets them, through the command line."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook

from cchc_analysis.compute.completeness import month_coverage
from cchc_analysis.core.periods import Month
from cchc_analysis.inputs.units import Registry

from conftest import review_of, run_cli, store_rows

# real runs of the command end to end (see conftest: `pytest -m "not e2e"` is the fast loop)
pytestmark = pytest.mark.e2e

SAMPLE = Path(__file__).resolve().parents[1] / "cchc_analysis" / "data" / "sample"
REGISTRY = Path(__file__).resolve().parents[1] / "params" / "units" / "tu-ky.csv"
FILLED = 3


@pytest.fixture(scope="module")
def partial_store(tmp_path_factory):
    """January–July of the sample, then August from the template with only the first three units filled."""
    base = tmp_path_factory.mktemp("partial")
    db = base / "s.duckdb"
    months = sorted(SAMPLE.glob("so-lieu-2023-0[1-7].csv"))
    assert len(months) == 7
    res = run_cli("ingest", *map(str, months), "--store", str(db))
    assert res.returncode == 0, res.stderr
    template = base / "mau-2023-08.xlsx"
    assert run_cli("template", "2023-08", "-o", str(template)).returncode == 0
    wb = load_workbook(template)
    ws = wb["so_lieu"] if "so_lieu" in wb.sheetnames else wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    filled = []
    for r in range(2, 2 + FILLED):
        filled.append(ws.cell(r, headers.index("Đơn vị") + 1).value)
        for c in range(headers.index("Tiếp nhận trong kỳ") + 1, headers.index("Thanh toán trực tuyến") + 2):
            ws.cell(r, c).value = 10
    blank_rows = ws.max_row - 1 - FILLED
    wb.save(template)
    res = run_cli("ingest", str(template), "--store", str(db))
    return db, base, filled, blank_rows, res


def _registry_names() -> list[str]:
    with REGISTRY.open(encoding="utf-8") as fh:
        return [r["name"] for r in csv.DictReader(fh) if r["kind"] not in ("huyen", "tinh")]


def test_a_filled_template_with_unused_rows_is_read(partial_store):
    db, _, filled, blank_rows, res = partial_store
    assert res.returncode == 0, res.stderr
    notices = [ln for ln in res.stderr.splitlines() if ln.startswith("lưu ý:")]
    assert len(notices) == 1 and f"bỏ qua {blank_rows} dòng không có số liệu" in notices[0], res.stderr
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    n = con.execute("SELECT count(*) FROM unit_month_current WHERE month = DATE '2023-08-01'").fetchone()[0]
    con.close()
    assert n == FILLED


def test_a_month_with_units_missing_stops_in_one_line(partial_store):
    db, base, filled, _, _ = partial_store
    out = base / "out-stop"
    before = store_rows(db)
    res = run_cli("run", "monthly", "2023-08", "--store", str(db), "--out", str(out))
    assert res.returncode == 1
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("lỗi")]
    assert len(errors) == 1, res.stderr
    expected_missing = [n for n in _registry_names() if n not in filled]
    assert f"{len(expected_missing)}/{len(expected_missing) + FILLED}" in errors[0]
    assert all(name in errors[0] for name in expected_missing), errors[0]
    assert "--allow-partial" in errors[0]
    assert not out.exists(), list(out.iterdir())  # nothing made, no .failed folder either
    assert store_rows(db) == before


def _pdf_first_page(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-l", "1", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_allow_partial_states_the_coverage_on_every_first_page(partial_store):
    db, base, _, _, _ = partial_store
    out = base / "out-partial"
    res = run_cli("run", "monthly", "2023-08", "--store", str(db), "--out", str(out), "--allow-partial", "--quiet")
    assert res.returncode == 0, res.stderr
    folder = out / "2023-08"
    coverage = f"{FILLED}/35"
    assert coverage in res.stderr and "FFTM" not in res.stderr and "Traceback" not in res.stderr
    html = (folder / "01_monthly_review.html").read_text(encoding="utf-8")
    assert f"mới có {coverage} đơn vị" in html
    first = " ".join(_pdf_first_page(folder / "phu-luc-2023-08.pdf").split())
    assert f"mới có {coverage} đơn vị" in first
    wb = load_workbook(folder / "phu-luc-2023-08.xlsx")
    for ws in wb.worksheets[:2]:  # the cover sheet, and the first table above its header
        assert any(f"mới có {coverage} đơn vị" in str(c.value) for row in ws.iter_rows(max_row=5) for c in row)
    appendix = (folder / "phu-luc-2023-08.html").read_text(encoding="utf-8")
    assert appendix.count(f"mới có {coverage} đơn vị") == 1


def test_a_unit_that_never_reports_is_not_missing():
    registry = Registry.load("tu-ky")
    ids = [u.id for u in registry.units if u.kind == "xa"][:3]
    rows = [{"unit_id": ids[0], "month": dt.date(2023, m, 1)} for m in range(1, 9)]  # reports every month
    rows += [{"unit_id": ids[1], "month": dt.date(2023, m, 1)} for m in range(1, 8)]  # silent in August
    # ids[2] never reports (a department without dossiers, say)
    frame = pl.DataFrame(rows)
    cov = month_coverage(frame, Month(2023, 8), registry)
    assert cov.missing == (registry.by_id[ids[1]].name,)
    assert (cov.reported, cov.expected) == (1, 2)
    # a unit that reported only last year is not expected this year
    last_year = pl.DataFrame(
        [{"unit_id": ids[1], "month": dt.date(2022, 12, 1)}, {"unit_id": ids[0], "month": dt.date(2023, 1, 1)}]
    )
    assert month_coverage(last_year, Month(2023, 1), registry).missing == ()
    # a unit no longer valid in the month (merged in the 2025 reform) is not missing
    merged = pl.DataFrame(
        [{"unit_id": ids[1], "month": dt.date(2025, 6, 1)}, {"unit_id": ids[0], "month": dt.date(2025, 7, 1)}]
    )
    assert month_coverage(merged, Month(2025, 7), registry).missing == ()


def test_escalation_without_history_warns_with_the_months(runs):
    _, results = runs  # letters of May, June and July were issued; January to April were not
    res = results["2023-05"]  # one command ran May and August: one warning for each
    warnings = [ln for ln in res.stderr.splitlines() if ln.startswith("cảnh báo: chưa ghi nhận văn bản")]
    assert len(warnings) == 2, res.stderr
    for warning in warnings:
        assert "1/2023, 2/2023, 3/2023, 4/2023" in warning and "5/2023" not in warning
        assert "cchc issue" in warning


def test_no_warning_when_every_earlier_month_was_issued(tmp_path):
    db = tmp_path / "s.duckdb"
    assert (
        run_cli("ingest", *map(str, sorted(SAMPLE.glob("so-lieu-2023-0[1-3].csv"))), "--store", str(db)).returncode == 0
    )
    assert [m.label() for m in review_of(Month(2023, 3), db).unissued] == ["tháng 1/2023", "tháng 2/2023"]
    for month in ("2023-01", "2023-02"):
        assert run_cli("issue", month, "--store", str(db)).returncode == 0
    review = review_of(Month(2023, 3), db)
    assert review.unissued == () and review.warnings() == []


@pytest.mark.parametrize(
    "case", ["damaged-store", "truncated-store", "out-is-a-file", "out-not-writable", "out-under-a-file"]
)
def test_failures_are_one_line(tmp_path, case):
    db = tmp_path / "s.duckdb"
    out = tmp_path / "out"
    if case == "damaged-store":
        db.write_bytes(b"DUCK" + bytes(range(256)) * 40)
    elif case == "truncated-store":  # opens, then fails part-way through reading
        assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
        data = db.read_bytes()
        db.write_bytes(data[: len(data) // 10])
    else:
        assert run_cli("ingest", str(SAMPLE / "so-lieu-2023-01.csv"), "--store", str(db)).returncode == 0
        if case == "out-is-a-file":
            out.write_text("không phải thư mục", encoding="utf-8")
        elif case == "out-not-writable":
            out = Path("/proc/cchc-outputs")  # no one, root included, can create a folder there
        else:
            (tmp_path / "f.txt").write_text("x", encoding="utf-8")
            out = tmp_path / "f.txt" / "out"
    res = run_cli("run", "monthly", "2023-01", "--store", str(db), "--out", str(out), "--quiet")
    assert res.returncode in (1, 2)
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("lỗi: "), res.stderr
    assert "không lường trước" not in lines[0] and "Traceback" not in res.stderr
    assert " — " in lines[0]  # what to do
    if case.endswith("-store"):
        assert not out.exists()

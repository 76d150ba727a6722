"""End-to-end: the `cchc` command in a subprocess on a temporary store, as an analyst runs it."""

from __future__ import annotations

import json

from openpyxl import load_workbook

from conftest import run_cli, store_rows, write_csv


def test_must_show_rejected_numerator_names_file_row_column_and_leaves_store(tmp_path):
    db = tmp_path / "s.duckdb"
    ok = write_csv(tmp_path / "thang-4.csv", [["2023-04", "Tái Sơn", 100, 90, 80, 70, 10, 3]])
    assert run_cli("ingest", str(ok), "--store", str(db)).returncode == 0
    before = store_rows(db)
    bad = write_csv(
        tmp_path / "thang-5.csv",
        [["2023-05", "Tái Sơn", 100, 90, 80, 70, 10, 3], ["2023-05", "Hà Kỳ", 100, 120, 80, 70, 10, 3]],
    )
    res = run_cli("ingest", str(bad), "--store", str(db))
    assert res.returncode == 1
    assert "thang-5.csv, dòng 3, cột D «so_hoa_tiep_nhan»" in res.stderr
    assert "Traceback" not in res.stderr
    assert store_rows(db) == before


def test_must_show_same_file_twice_stored_once_and_correction_supersedes(tmp_path):
    db = tmp_path / "s.duckdb"
    f = write_csv(tmp_path / "a.csv", [["2023-05", "Tái Sơn", 100, 90, 80, 70, 10, 3]])
    assert run_cli("ingest", str(f), "--store", str(db)).returncode == 0
    again = run_cli("ingest", str(f), "--store", str(db))
    assert again.returncode == 0 and "đã nhập trước đó" in again.stdout
    fixed = write_csv(tmp_path / "a-sua.csv", [["2023-05", "Tái Sơn", 100, 92, 80, 70, 10, 3]])
    assert run_cli("ingest", str(fixed), "--store", str(db)).returncode == 0
    summary = json.loads(run_cli("store", "--json", "--history", "--store", str(db)).stdout)
    assert (summary["rows"], summary["current_rows"], summary["superseded_rows"], summary["files"]) == (2, 1, 1, 2)
    assert summary["history"][0]["old_file"] == "a.csv" and "90 → 92" in summary["history"][0]["changes"]
    text = run_cli("store", "--history", "--store", str(db)).stdout
    assert "a-sua.csv" in text


def test_must_show_names_map_to_the_right_units(tmp_path):
    db = tmp_path / "s.duckdb"
    f = write_csv(
        tmp_path / "ten.csv",
        [
            ["2023-05", "Hung Pao", 10, 9, 8, 7, 6, 5],
            ["2023-05", "UBND xã Quảng Nghiệp", 10, 9, 8, 7, 6, 5],
            ["2023-05", "Quang Khải", 10, 9, 8, 7, 6, 5],
        ],
    )
    assert run_cli("ingest", str(f), "--store", str(db)).returncode == 0
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    got = dict(con.execute("SELECT m.unit_raw, u.name FROM unit_month m JOIN units u ON u.id = m.unit_id").fetchall())
    con.close()
    assert got == {
        "Hung Pao": "UBND xã Hưng Đạo",
        "UBND xã Quảng Nghiệp": "UBND xã Quảng Nghiệp",
        "Quang Khải": "UBND xã Quang Khải",
    }


def test_env_store_and_check_writes_nothing(tmp_path):
    db = tmp_path / "env.duckdb"
    f = write_csv(tmp_path / "a.csv", [["2023-05", "Tái Sơn", 100, 90, 80, 70, 10, 3]])
    res = run_cli("check", str(f), env={"CCHC_STORE": str(db)})
    assert res.returncode == 0 and "Hợp lệ" in res.stdout and not db.exists()
    assert run_cli("ingest", str(f), env={"CCHC_STORE": str(db)}).returncode == 0 and db.exists()


def test_usage_errors_exit_2(tmp_path):
    assert run_cli("ingest", "--store", str(tmp_path / "s.duckdb")).returncode == 2
    assert run_cli("template", "2023-13", "-o", str(tmp_path / "t.xlsx")).returncode == 2
    assert run_cli("nosuchcommand").returncode == 2


def test_unreadable_file_exit_1_one_line(tmp_path):
    (tmp_path / "rong.csv").write_bytes(b"")
    res = run_cli("ingest", str(tmp_path / "rong.csv"), "--store", str(tmp_path / "s.duckdb"))
    assert res.returncode == 1 and "rong.csv" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "s.duckdb").exists()


def test_store_summary_without_store_says_what_to_do(tmp_path):
    res = run_cli("store", "--store", str(tmp_path / "none.duckdb"))
    assert res.returncode == 1 and "cchc ingest" in res.stderr


def test_template_round_trips_through_ingest(tmp_path):
    out = tmp_path / "mau.xlsx"
    res = run_cli("template", "2023-08", "-o", str(out))
    assert res.returncode == 0
    wb = load_workbook(out)
    ws = wb["so_lieu"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["Kỳ báo cáo", "Đơn vị", "Tiếp nhận trong kỳ"]
    units = [ws.cell(row=r, column=2).value for r in range(2, ws.max_row + 1)]
    assert len(units) == 35 and "UBND xã Hưng Đạo" in units and "Phòng Nội vụ" in units
    assert wb.sheetnames == ["so_lieu", "huong_dan"]
    # an analyst fills in the template: every count column of every unit
    for r in range(2, ws.max_row + 1):
        for c in range(3, len(header) + 1):
            ws.cell(row=r, column=c, value=5)
    wb.save(out)
    res = run_cli("ingest", str(out), "--store", str(tmp_path / "s.duckdb"))
    assert res.returncode == 0, res.stderr
    assert "35 dòng mới" in res.stdout


def test_template_to_stdout(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    res = subprocess.run([str(Path(sys.executable).with_name("cchc")), "template", "2023-08"], capture_output=True)
    assert res.returncode == 0 and res.stdout.startswith(b"PK\x03\x04")

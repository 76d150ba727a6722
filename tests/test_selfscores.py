"""The self-assessment input: template, validation with located errors, storage with history, and the
store's upgrade from the version before self-assessments."""

from __future__ import annotations

import csv
import shutil

import duckdb
from openpyxl import load_workbook

from cchc_analysis.runs.sample import sample_score_files

from conftest import run_cli, store_rows

HEADER = ["Kỳ đánh giá", "Đơn vị", "Mã tiêu chí", "Điểm tự chấm", "Tài liệu kiểm chứng, ghi chú"]


def sample_rows() -> list[list[str]]:
    with sample_score_files()[0].open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows


def write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_template_lists_every_self_assessed_criterion_of_every_unit(tmp_path):
    out = tmp_path / "t.xlsx"
    res = run_cli("template-scores", "2023-H1", "-o", str(out))
    assert res.returncode == 0, res.stderr
    ws = load_workbook(out)["tu_cham"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("Kỳ đánh giá", "Đơn vị", "Mã tiêu chí")
    # 23 commune-level units × 27 self-assessed criteria + the district's 10
    assert len(rows) - 1 == 23 * 27 + 10
    assert ("2023-H1", "UBND xã Hưng Đạo", "5.4") in {r[:3] for r in rows}
    assert not any(r[2] in ("3.5", "5.5", "7.7") for r in rows[1:])  # computed and deferred criteria


def test_filled_template_ingests(tmp_path):
    """The analyst's path: write the template, fill the scores in Excel, ingest."""
    out = tmp_path / "t.xlsx"
    assert run_cli("template-scores", "2023-H1", "-o", str(out)).returncode == 0
    wb = load_workbook(out)
    ws = wb["tu_cham"]
    for row in ws.iter_rows(min_row=2):
        row[5].value = float(row[4].value) / 2
    wb.save(out)
    db = tmp_path / "s.duckdb"
    res = run_cli("ingest-scores", str(out), "--store", str(db))
    assert res.returncode == 0, res.stderr
    assert "631 điểm mới" in res.stdout


def test_errors_are_located_and_nothing_is_written(tmp_path):
    db = tmp_path / "s.duckdb"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    before = store_rows(db)
    rows = sample_rows()
    header, body = rows[0], rows[1:]
    bad = [list(r) for r in body]
    bad[0][5] = "6"  # district 1.1: max 5
    bad[1][2] = "9.9"  # unknown criterion
    bad[2][1] = "Xã Ma"  # unknown unit
    bad[3][1], bad[3][2] = "UBND xã An Thanh", "3.5"  # a computed criterion
    bad[4][5] = "bốn"  # not a number
    path = write(tmp_path / "tu-cham.csv", [header, *bad])
    res = run_cli("ingest-scores", str(path), "--store", str(db))
    assert res.returncode == 1
    err = res.stderr
    assert "tu-cham.csv, dòng 2, cột F «Điểm tự chấm»: điểm 6 ngoài khoảng 0–5 của tiêu chí 1.1" in err
    assert "dòng 3, cột C «Mã tiêu chí»: không có tiêu chí «9.9»" in err
    assert "dòng 4, cột B «Đơn vị»: không có đơn vị «Xã Ma»" in err
    assert "dòng 5, cột C «Mã tiêu chí»: tiêu chí 3.5 tính từ số liệu" in err
    assert "dòng 6, cột F «Điểm tự chấm»: «bốn» không phải điểm số" in err
    assert store_rows(db) == before


def test_a_unit_without_scores_is_reported(tmp_path):
    rows = sample_rows()
    without = [rows[0]] + [r for r in rows[1:] if r[1] != "UBND xã Văn Tố"]
    path = write(tmp_path / "thieu.csv", without)
    res = run_cli("ingest-scores", str(path), "--store", str(tmp_path / "s.duckdb"))
    assert res.returncode == 1
    assert "thiếu điểm tự chấm kỳ 2023-H1 của «UBND xã Văn Tố»: tiêu chí 1.1, 1.2" in res.stderr
    assert not (tmp_path / "s.duckdb").exists()


def test_duplicates_across_files_are_rejected(tmp_path):
    rows = sample_rows()
    a = write(tmp_path / "a.csv", rows)
    b = write(tmp_path / "b.csv", [rows[0], rows[1]])
    res = run_cli("ingest-scores", str(a), str(b), "--store", str(tmp_path / "s.duckdb"))
    assert res.returncode == 1 and "đã có ở a.csv dòng 2" in res.stderr


def test_a_correction_supersedes_and_keeps_history(tmp_path):
    db = tmp_path / "s.duckdb"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    rows = sample_rows()
    van_to = [r for r in rows[1:] if r[1] == "UBND xã Văn Tố" and r[2] == "1.1"][0]
    fixed = list(van_to)
    fixed[5] = "1.5"
    # a correction file carries only what changes: the rest is already stored
    res = run_cli("ingest-scores", str(write(tmp_path / "sua.csv", [rows[0], fixed])), "--store", str(db))
    assert res.returncode == 0, res.stderr
    assert "0 điểm mới, 1 điểm thay thế" in res.stdout
    con = duckdb.connect(str(db), read_only=True)
    got = con.execute("""SELECT CAST(score AS VARCHAR), superseded_by IS NULL FROM self_scores
                         WHERE unit_id = 'van-to' AND criterion_id = '1.1' ORDER BY row_id""").fetchall()
    con.close()
    assert [(float(s), cur) for s, cur in got] == [(float(van_to[5]), False), (1.5, True)]


def test_a_store_from_before_self_assessments_is_upgraded(tmp_path):
    db = tmp_path / "old.duckdb"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    con = duckdb.connect(str(db))
    con.execute(
        "DROP VIEW self_scores_current; DROP TABLE self_scores; DELETE FROM files WHERE kind = 'self_scores'; "
        "DROP VIEW late_by_field_current; DROP TABLE late_by_field"
    )
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.close()
    before = [t for t in store_rows(db) if t[0] != "meta"]
    # reading an old store works, with no self-assessment
    res = run_cli("store", "--store", str(db), "--json")
    assert res.returncode == 0, res.stderr
    # writing upgrades it and keeps every row
    res = run_cli("ingest-scores", str(sample_score_files()[0]), "--store", str(db))
    assert res.returncode == 0, res.stderr
    con = duckdb.connect(str(db), read_only=True)
    from cchc_analysis.store.database import SCHEMA_VERSION

    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(SCHEMA_VERSION),)
    assert con.execute("SELECT count(*) FROM late_by_field").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM self_scores").fetchone() == (631,)
    con.close()
    after = {t[0]: t[1] for t in store_rows(db)}
    for table, rows in before:
        if table in ("files", "batches"):
            assert set(rows) <= set(after[table])
        else:
            assert after[table] == rows, table


def test_a_store_from_a_newer_version_is_refused(tmp_path):
    db = tmp_path / "new.duckdb"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    con = duckdb.connect(str(db))
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    res = run_cli("ingest-scores", str(sample_score_files()[0]), "--store", str(db))
    assert res.returncode == 1 and "phiên bản cấu trúc 99" in res.stderr
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_a_title_above_the_header_is_skipped_as_in_the_statistics(tmp_path):
    """The same reader as the statistics' template: a title row or two typed above the header are skipped, and
    a problem is located at the file's own row."""
    rows = sample_rows()
    titled = [["Điểm tự chấm Chỉ số CCHC 6 tháng đầu năm 2023"], [], *rows]
    path = write(tmp_path / "tu-cham-co-tieu-de.csv", titled)
    db = tmp_path / "s.duckdb"
    res = run_cli("ingest-scores", str(path), "--store", str(db))
    assert res.returncode == 0, res.stderr
    assert f"{len(rows) - 1} điểm mới" in res.stdout
    bad = [*titled[:4], [titled[3][0], titled[3][1], "99.99", *titled[3][3:]], *titled[4:]]
    res = run_cli("ingest-scores", str(write(tmp_path / "sai.csv", bad)), "--store", str(tmp_path / "t.duckdb"))
    assert res.returncode == 1 and "dòng 5" in res.stderr and "99.99" in res.stderr, res.stderr

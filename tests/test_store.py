"""The store keeps every month, never counts a unit-month twice, and changes all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from cchc_analysis.core.exceptions import StoreError
from cchc_analysis.inputs.ingest import check
from cchc_analysis.store.database import Store

from conftest import HEADER, review_of, store_rows, write_csv

TODAY = dt.date(2023, 9, 1)


def ingest(store_path, registry, *paths):
    batch = check(list(paths), registry, today=TODAY)
    assert batch.problems == []
    with Store.open(store_path) as st:
        return st.ingest(batch, registry)


def current(store_path):
    with Store.open(store_path, read_only=True) as st:
        return st.current()


def test_same_file_twice_is_stored_once(tmp_path, registry):
    f = write_csv(tmp_path / "a.csv", [["2023-05", "Tái Sơn", 100, 90, 80, 70, 10, 3]])
    db = tmp_path / "s.duckdb"
    first = ingest(db, registry, f)
    before = store_rows(db)
    second = ingest(db, registry, f)
    assert (first.inserted, second.inserted, second.files[0].status) == (1, 0, "already")
    assert store_rows(db) == before


def test_correction_supersedes_and_keeps_history(tmp_path, registry):
    db = tmp_path / "s.duckdb"
    ingest(
        db,
        registry,
        write_csv(
            tmp_path / "a.csv",
            [["2023-05", "Tái Sơn", 100, 90, 80, 70, 10, 3], ["2023-05", "Hà Kỳ", 50, 40, 30, 20, 5, 1]],
        ),
    )
    report = ingest(
        db,
        registry,
        write_csv(
            tmp_path / "a-sua.csv",
            [["2023-05", "Tái Sơn", 100, 95, 80, 70, 10, 3], ["2023-05", "Hà Kỳ", 50, 40, 30, 20, 5, 1]],
        ),
    )
    assert (report.inserted, report.superseded, report.unchanged) == (0, 1, 1)
    rows = current(db)
    assert rows.height == 2 and rows.filter(rows["unit_id"] == "tai-son")["so_hoa_tiep_nhan"].to_list() == [95]
    with Store.open(db, read_only=True) as st:
        summary, hist = st.summary(), st.history()
    assert (summary["rows"], summary["current_rows"], summary["superseded_rows"]) == (3, 2, 1)
    assert hist.height == 1 and hist["old_file"][0] == "a.csv" and hist["new_file"][0] == "a-sua.csv"
    assert "so_hoa_tiep_nhan: 90 → 95" in hist["changes"][0]


def test_windows_longer_than_one_export_add_up(tmp_path, registry):
    db = tmp_path / "s.duckdb"
    for m, n in ((4, 10), (5, 20), (6, 30)):
        ingest(db, registry, write_csv(tmp_path / f"{m}.csv", [[f"2023-0{m}", "Tân Kỳ", n, n, n, n, n, 1]]))
    assert current(db)["tiep_nhan"].sum() == 60


def test_columns_absent_from_a_correction_keep_what_was_known(tmp_path, registry):
    db = tmp_path / "s.duckdb"
    header = HEADER + ["chung_thuc_dien_tu"]
    ingest(db, registry, write_csv(tmp_path / "a.csv", [["2023-05", "Tái Sơn", 100, 90, 80, 70, 10, 3, 7]], header))
    ingest(db, registry, write_csv(tmp_path / "b.csv", [["2023-05", "Tái Sơn", 100, 91, 80, 70, 10, 3]]))
    row = current(db).row(0, named=True)
    assert (row["so_hoa_tiep_nhan"], row["chung_thuc_dien_tu"]) == (91, 7)


def test_a_batch_with_one_bad_file_writes_nothing(tmp_path, registry):
    db = tmp_path / "s.duckdb"
    ingest(db, registry, write_csv(tmp_path / "a.csv", [["2023-04", "Tái Sơn", 100, 90, 80, 70, 10, 3]]))
    before = store_rows(db)
    good = write_csv(tmp_path / "good.csv", [["2023-05", "Tái Sơn", 100, 90, 80, 70, 10, 3]])
    bad = write_csv(tmp_path / "bad.csv", [["2023-05", "Hà Kỳ", 100, 101, 80, 70, 10, 3]])
    batch = check([good, bad], registry, today=TODAY)
    assert len(batch.problems) == 1
    assert store_rows(db) == before


def test_a_failure_inside_the_transaction_rolls_back(tmp_path, registry, monkeypatch):
    db = tmp_path / "s.duckdb"
    ingest(db, registry, write_csv(tmp_path / "a.csv", [["2023-04", "Tái Sơn", 100, 90, 80, 70, 10, 3]]))
    before = store_rows(db)
    batch = check(
        [
            write_csv(tmp_path / "b.csv", [["2023-05", "Tái Sơn", 1, 1, 1, 1, 1, 1]]),
            write_csv(tmp_path / "c.csv", [["2023-06", "Tái Sơn", 1, 1, 1, 1, 1, 1]]),
        ],
        registry,
        today=TODAY,
    )
    calls = []

    def boom(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)

    original = Store._write_rows
    monkeypatch.setattr(Store, "_write_rows", boom)
    with Store.open(db) as st, pytest.raises(RuntimeError):
        st.ingest(batch, registry)
    assert store_rows(db) == before


def test_read_only_open_of_a_missing_store_says_what_to_do(tmp_path):
    with pytest.raises(StoreError, match="cchc ingest"):
        with Store.open(tmp_path / "none.duckdb", read_only=True):
            pass


def test_newer_schema_is_refused(tmp_path, registry):
    db = tmp_path / "s.duckdb"
    with Store.open(db) as st:
        st.con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="phiên bản cấu trúc 99"):
        with Store.open(db, read_only=True):
            pass


def test_a_store_of_the_previous_version_is_read_as_it_is(tmp_path):
    """A version-4 store (letters without an area) is read without writing: the review still finds which months
    lack an issued letter; the first write then upgrades it."""
    from cchc_analysis.core.config import SAMPLE_DIR
    from cchc_analysis.core.periods import Month

    from conftest import run_cli

    db = tmp_path / "s.duckdb"
    files = sorted(SAMPLE_DIR.glob("so-lieu-2023-0[1-3].csv"))
    assert run_cli("ingest", *map(str, files), "--store", str(db)).returncode == 0
    assert run_cli("issue", "2023-01", "--store", str(db)).returncode == 0
    with Store.open(db) as st:
        st.con.execute("ALTER TABLE letters DROP COLUMN area")
        st.con.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    before = db.read_bytes()
    assert [m.label() for m in review_of(Month(2023, 3), db).unissued] == ["tháng 2/2023"]
    assert db.read_bytes() == before
    assert run_cli("issue", "2023-02", "--store", str(db)).returncode == 0
    with Store.open(db, read_only=True) as st:
        assert st.version == 5 and st.con.execute("SELECT count(*) FROM letters WHERE area = 'tu-ky'").fetchone() == (
            1,
        )

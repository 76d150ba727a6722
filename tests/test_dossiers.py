"""Dossier-level input: aggregation against a hand count in plain Python, the same data given as dossiers and
as unit-month statistics, located validation errors, and the rule against giving a month both ways."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict

import duckdb
import pyarrow.parquet as pq
import pytest

from cchc_analysis.core.glossary import COUNT_COLUMNS
from cchc_analysis.core.periods import Month

from conftest import review_of, run_cli, store_rows


def month_of(d: dt.date) -> dt.date:
    return d.replace(day=1)


def hand_count(rows: list[dict]) -> dict[tuple[str, dt.date], dict[str, int]]:
    """Unit-month statistics from dossier rows, counted one dossier at a time (README: how a dossier counts)."""
    out: dict = defaultdict(lambda: defaultdict(int))
    open_delta: dict = defaultdict(lambda: defaultdict(int))
    paused: dict = defaultdict(lambda: defaultdict(int))
    for r in rows:
        u, rm = r["unit"], month_of(r["received_at"])
        s = out[(u, rm)]
        s["tiep_nhan"] += 1
        s["phai_so_hoa_tiep_nhan"] += 1
        s["so_hoa_tiep_nhan"] += r["digitized_input"]
        s["phai_truc_tuyen"] += r["online_required"]
        s["truc_tuyen"] += r["online_required"] and r["channel"] == "truc_tuyen"
        s["co_phi"] += r["fee"] > 0
        s["thanh_toan_truc_tuyen"] += r["fee"] > 0 and r["paid_online"]
        s["chung_thuc_dien_tu"] += r["e_cert"]
        s["tai_su_dung"] += r["reused_data"]
        open_delta[u][rm] += 1
        if r["status"] == "tam_dung":
            paused[u][rm] += 1
        if r["resolved_at"] is not None:
            cm = month_of(r["resolved_at"])
            c = out[(u, cm)]
            open_delta[u][cm] -= 1
            if r["status"] == "da_giai_quyet":
                c["dung_han" if r["resolved_at"] <= r["due_at"] else "qua_han"] += 1
                c["ket_qua"] += r["result_required"]
                c["so_hoa_ket_qua"] += r["result_required"] and r["digitized_output"]
            elif r["status"] == "tra_lai":
                c["tra_lai"] += 1
            elif r["status"] == "huy":
                c["huy"] += 1
    for u in {k[0] for k in out}:
        months = sorted(m for (x, m) in out if x == u)
        m, last, stock, held = months[0], months[-1], 0, 0
        while m <= last:
            s = out[(u, m)]
            s["ky_truoc_chuyen_sang"] = stock
            stock += open_delta[u][m]
            held += paused[u][m]
            s["tam_dung"], s["dang_giai_quyet"] = held, stock - held
            m = (m + dt.timedelta(days=32)).replace(day=1)
    return {k: {c: int(v.get(c, 0)) for c in COUNT_COLUMNS} for k, v in out.items()}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    base = tmp_path_factory.mktemp("dossiers")
    path = base / "ho-so.parquet"
    res = run_cli("synth", "--dossiers", "20000", "--units", "35", "--seed", "7", "-o", str(path))
    assert res.returncode == 0, res.stderr
    rows = pq.read_table(path).to_pylist()
    return base, path, rows


def stored(db) -> dict[tuple[str, dt.date], dict[str, int]]:
    con = duckdb.connect(str(db), read_only=True)
    cols = ", ".join(COUNT_COLUMNS)
    data = con.execute(
        f"SELECT u.name, c.month, {cols} FROM unit_month_current c JOIN units u ON u.id = c.unit_id"
    ).fetchall()
    con.close()
    return {(r[0], r[1]): dict(zip(COUNT_COLUMNS, r[2:], strict=False)) for r in data}


def test_generator_is_deterministic(generated, tmp_path):
    _, path, rows = generated
    again = tmp_path / "again.parquet"
    assert run_cli("synth", "--dossiers", "20000", "--units", "35", "--seed", "7", "-o", str(again)).returncode == 0
    assert pq.read_table(again).equals(pq.read_table(path))
    assert len(rows) == 20000 and len({r["unit"] for r in rows}) == 35


def test_aggregation_matches_a_hand_count(generated):
    base, path, rows = generated
    db = base / "a.duckdb"
    res = run_cli("ingest-dossiers", str(path), "--store", str(db))
    assert res.returncode == 0, res.stderr
    assert stored(db) == hand_count(rows)
    # late dossiers by field, counted by hand
    late = defaultdict(int)
    for r in rows:
        if r["status"] == "da_giai_quyet" and r["resolved_at"] > r["due_at"]:
            late[(r["unit"], r["field"])] += 1
    con = duckdb.connect(str(db), read_only=True)
    got = dict(
        ((u, f), n)
        for u, f, n in con.execute(
            "SELECT u.name, l.field, sum(l.late) FROM late_by_field_current l JOIN units u ON u.id = l.unit_id GROUP BY 1, 2"
        ).fetchall()
    )
    con.close()
    assert got == dict(late) and sum(got.values()) > 0


def test_dossiers_and_unit_month_statistics_give_the_same_indicators(generated):
    base, path, rows = generated
    counted = hand_count(rows)
    csv_path = base / "so-lieu.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["ky", "don_vi", *COUNT_COLUMNS])
        for (unit, month), v in sorted(counted.items()):
            w.writerow([f"{month:%Y-%m}", unit, *[v[c] for c in COUNT_COLUMNS]])
    a, b = base / "dossiers.duckdb", base / "stats.duckdb"
    assert run_cli("ingest-dossiers", str(path), "--store", str(a)).returncode == 0
    res = run_cli("ingest", str(csv_path), "--store", str(b))
    assert res.returncode == 0, res.stderr
    from cchc_analysis.documents.monthly import indicators_csv

    for month in (Month(2023, 3), Month(2023, 12)):
        ia = indicators_csv(review_of(month, a)).sort("window", "unit", "indicator")
        ib = indicators_csv(review_of(month, b)).sort("window", "unit", "indicator")
        assert ia.equals(ib), month


def test_located_errors_and_nothing_written(tmp_path):
    header = [
        "unit",
        "field",
        "procedure_code",
        "received_at",
        "due_at",
        "resolved_at",
        "status",
        "channel",
        "online_required",
        "digitized_input",
        "result_required",
        "digitized_output",
        "fee",
        "paid_online",
        "reused_data",
        "e_cert",
    ]
    good = [
        "UBND xã Hưng Đạo",
        "Hộ tịch",
        "TT-1",
        "2023-05-03",
        "2023-05-05",
        "2023-05-04",
        "da_giai_quyet",
        "truc_tuyen",
        "1",
        "1",
        "1",
        "1",
        "0",
        "0",
        "0",
        "0",
    ]
    bad = [list(good) for _ in range(5)]
    bad[1][3] = "32/05/2023"  # line 3: not a date
    bad[2][0] = "Xã Ma"  # line 4: unknown unit
    bad[3][6] = "xong"  # line 5: unknown status
    bad[4][12], bad[4][13] = "0", "1"  # line 6: paid online without a fee
    path = tmp_path / "ho-so.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *bad])
    db = tmp_path / "s.duckdb"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    before = store_rows(db)
    res = run_cli("ingest-dossiers", str(path), "--store", str(db))
    assert res.returncode == 1
    err = res.stderr
    assert "ho-so.csv, dòng 3, cột received_at «Ngày tiếp nhận»: «Ngày tiếp nhận» không đọc được" in err
    assert "ho-so.csv, dòng 4, cột unit «Đơn vị»: không có đơn vị «Xã Ma»" in err
    assert "dòng 5, cột status «Trạng thái»: trạng thái không hợp lệ" in err
    assert "dòng 6, cột paid_online «Thanh toán trực tuyến»: thanh toán trực tuyến nhưng không có phí" in err
    assert store_rows(db) == before


def test_a_month_given_both_ways_needs_prefer(tmp_path):
    db = tmp_path / "s.duckdb"
    assert run_cli("ingest", "--sample", "--store", str(db)).returncode == 0
    path = tmp_path / "ho-so.parquet"
    assert run_cli("synth", "--dossiers", "3000", "--units", "35", "-o", str(path)).returncode == 0
    before = store_rows(db)
    res = run_cli("ingest-dossiers", str(path), "--store", str(db))
    assert res.returncode == 1 and "đã có số liệu tổng hợp từ so-lieu-2023-01.csv" in res.stderr
    assert "--prefer dossiers" in res.stderr and store_rows(db) == before
    res = run_cli("ingest-dossiers", str(path), "--store", str(db), "--prefer", "dossiers")
    assert res.returncode == 0, res.stderr
    con = duckdb.connect(str(db), read_only=True)
    kinds = dict(
        con.execute("""SELECT f.kind, count(*) FROM unit_month_current c JOIN files f
                                ON f.sha256 = c.source_sha256 GROUP BY 1""").fetchall()
    )
    superseded = con.execute("SELECT count(*) FROM unit_month WHERE superseded_by IS NOT NULL").fetchone()[0]
    con.close()
    # every sample unit-month (January–August) the dossiers cover now comes from them
    covered = {k for k in hand_count(pq.read_table(path).to_pylist()) if k[1] <= dt.date(2023, 8, 1)}
    assert kinds["dossiers"] > 0 and superseded == len(covered) > 200


def test_statistics_over_months_from_dossiers_need_prefer_too(tmp_path):
    db = tmp_path / "s.duckdb"
    path = tmp_path / "ho-so.parquet"
    assert run_cli("synth", "--dossiers", "3000", "--units", "35", "-o", str(path)).returncode == 0
    assert run_cli("ingest-dossiers", str(path), "--store", str(db)).returncode == 0
    before = store_rows(db)
    res = run_cli("ingest", "--sample", "--store", str(db))
    assert res.returncode == 1 and "đã có số liệu tính từ danh sách hồ sơ từ ho-so.parquet" in res.stderr
    assert "--prefer statistics" in res.stderr and store_rows(db) == before
    assert run_cli("ingest", "--sample", "--store", str(db), "--prefer", "statistics").returncode == 0


def test_dossier_lists_separated_by_semicolon_or_tab_are_read_and_utf16_is_named(generated, tmp_path):
    _, _, rows = generated
    header = list(rows[0])
    sample = rows[:300]

    def write(path, delimiter, encoding="utf-8"):
        with path.open("w", encoding=encoding, newline="") as fh:
            w = csv.writer(fh, delimiter=delimiter)
            w.writerow(header)
            for r in sample:
                w.writerow(["" if r[h] is None else (int(r[h]) if isinstance(r[h], bool) else r[h]) for h in header])
        return path

    expected = hand_count(sample)
    for name, delimiter in (("cham-phay.csv", ";"), ("tab.csv", "\t")):
        db = tmp_path / f"{name}.duckdb"
        res = run_cli("ingest-dossiers", str(write(tmp_path / name, delimiter)), "--store", str(db))
        assert res.returncode == 0, res.stderr
        assert stored(db) == expected, name
    db = tmp_path / "u16.duckdb"
    res = run_cli("ingest-dossiers", str(write(tmp_path / "unicode.txt", "\t", "utf-16")), "--store", str(db))
    assert res.returncode == 1
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("lỗi")]
    assert len(errors) == 1 and "UTF-16" in errors[0] and "CSV UTF-8" in errors[0], res.stderr
    assert not db.exists()


def test_a_list_in_every_accepted_spelling_counts_like_the_canonical_one(generated, tmp_path):
    """Vietnamese headers, statuses and channels in either language, any case and stray spaces, flags as
    có/không, dates as dd/mm/yyyy: the same dossiers give the same statistics as the canonical list."""
    _, _, rows = generated
    sample = rows[:3000]
    status_words = {
        "da_giai_quyet": ("DA_GIAI_QUYET", " resolved", "Da_giai_quyet "),
        "dang_giai_quyet": ("in_progress", "Dang_Giai_Quyet"),
        "tam_dung": ("PAUSED ", "tam_dung"),
        "tra_lai": ("Returned", " tra_lai"),
        "huy": ("HUY", "cancelled "),
    }
    channel_words = {
        "truc_tuyen": ("Online", "TRUC_TUYEN "),
        "truc_tiep": ("direct", "Truc_tiep"),
        "buu_chinh": ("postal",),
    }
    from cchc_analysis.inputs.dossiers import DOSSIER_COLUMNS

    header = [DOSSIER_COLUMNS[c][0] for c in rows[0]]
    path = tmp_path / "ho-so-viet.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for i, r in enumerate(sample):
            out = []
            for c, v in r.items():
                if c == "status":
                    words = status_words[v]
                    v = words[i % len(words)]
                elif c == "channel":
                    words = channel_words[v]
                    v = words[i % len(words)]
                elif isinstance(v, bool):
                    v = ("có" if v else "không") if i % 2 else ("1" if v else "0")
                elif isinstance(v, dt.date):
                    v = f"{v:%d/%m/%Y}" if i % 3 else v.isoformat()
                elif v is None:
                    v = ""
                out.append(v)
            w.writerow(out)
    db = tmp_path / "viet.duckdb"
    res = run_cli("ingest-dossiers", str(path), "--store", str(db))
    assert res.returncode == 0, res.stderr
    assert stored(db) == hand_count(sample)


def _dossier(unit: str, received: dt.date, resolved: dt.date | None, status: str = "da_giai_quyet") -> dict:
    return {
        "unit": unit,
        "field": "Hộ tịch",
        "procedure_code": "1.000",
        "received_at": received,
        "due_at": received + dt.timedelta(days=5),
        "resolved_at": resolved,
        "status": status if resolved else "dang_giai_quyet",
        "channel": "truc_tuyen",
        "online_required": True,
        "digitized_input": True,
        "result_required": True,
        "digitized_output": True,
        "fee": 0,
        "paid_online": False,
        "reused_data": False,
        "e_cert": False,
    }


def _aggregated(rows: list[dict], path) -> dict[tuple[str, dt.date], dict[str, int]]:
    import pyarrow as pa

    from cchc_analysis.inputs.dossiers import aggregate, scan

    pq.write_table(pa.Table.from_pylist(rows), path)
    months, _ = aggregate(scan(path))
    return {(r["unit_id"], r["month"]): {c: r[c] for c in COUNT_COLUMNS} for r in months.iter_rows(named=True)}


def test_units_whose_keys_collide_are_still_counted_apart(generated, tmp_path, monkeypatch):
    """The aggregation groups on a hash of the unit's name; names that share it (forced here: the key is the
    name's length) must not merge, whether they meet in one month or never do."""
    import polars as pl

    from cchc_analysis.inputs import dossiers

    def by_length(unit: pl.Expr, seed: int = 0) -> pl.Expr:
        return unit.str.len_bytes().cast(pl.UInt64) if seed == 0 else unit.hash(seed=seed)

    monkeypatch.setattr(dossiers, "_unit_key", by_length)
    _, _, rows = generated
    assert _aggregated(rows[:4000], tmp_path / "a.parquet") == hand_count(rows[:4000])
    # same length, never in the same month received, both closed in June
    apart = [
        _dossier("UBND xã An Lạc", dt.date(2023, 4, 10), dt.date(2023, 6, 2)),
        _dossier("UBND xã An Lập", dt.date(2023, 5, 10), dt.date(2023, 6, 3), status="tra_lai"),
        _dossier("UBND xã An Lập", dt.date(2023, 5, 11), None),
    ]
    assert len(apart[0]["unit"].encode()) == len(apart[1]["unit"].encode())
    assert _aggregated(apart, tmp_path / "b.parquet") == hand_count(apart)
    # same length, always together: one group holds both names
    together = [
        _dossier("UBND xã An Lạc", dt.date(2023, 5, 10), dt.date(2023, 5, 12)),
        _dossier("UBND xã An Lập", dt.date(2023, 5, 11), None),
    ]
    assert _aggregated(together, tmp_path / "c.parquet") == hand_count(together)


def test_dates_far_in_the_past_or_future_keep_their_month(tmp_path):
    """Months are looked up in a table of days; dates beyond either end of it are counted in their own month."""
    rows = [
        _dossier("UBND xã An Bình", dt.date(1850, 3, 4), dt.date(1850, 4, 1)),
        _dossier("UBND xã An Bình", dt.date(1899, 12, 31), dt.date(1900, 1, 1)),
        _dossier("UBND xã An Bình", dt.date(2199, 12, 30), dt.date(2200, 1, 2)),
        _dossier("UBND xã Bình Minh", dt.date(2023, 5, 31), dt.date(2023, 6, 1)),
    ]
    got = _aggregated(rows, tmp_path / "far.parquet")
    assert got == hand_count(rows)
    assert {m for _, m in got} >= {dt.date(1850, 3, 1), dt.date(1899, 12, 1), dt.date(2200, 1, 1)}

"""The embedded sample carries the seeds' published figures. Expectations are quoted from the seeds
(see DOMAIN.md) and computed here in SQL on the store, independently of the package's code."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pytest

from conftest import run_cli


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    db = tmp_path_factory.mktemp("sample") / "cchc.duckdb"
    res = run_cli("ingest", "--sample", "--store", str(db))
    assert res.returncode == 0, res.stderr
    again = run_cli("ingest", "--sample", "--store", str(db))
    con = duckdb.connect(str(db), read_only=True)
    yield db, con, again
    con.close()


def pct(x: float) -> str:
    """Rounded as the seeds print it: 2 decimals, comma."""
    return str(Decimal(repr(x * 100)).quantize(Decimal("0.01"), ROUND_HALF_UP)).replace(".", ",")


def pooled(con, num, den, where):
    n, d = con.execute(
        f"SELECT sum({num}), sum({den}) FROM unit_month_current m JOIN units u ON u.id = m.unit_id WHERE {where}"
    ).fetchone()
    return n / d


def unit_rate(con, name, num, den, months):
    return pooled(con, num, den, f"u.name = '{name}' AND strftime(month, '%Y-%m') IN ({months})")


DEPT = "u.kind = 'phong_ban'"
COMM = "u.kind IN ('xa', 'thi_tran')"
H1 = "month BETWEEN DATE '2023-01-01' AND DATE '2023-06-30'"


def test_summary_after_sample_ingest(sample_store):
    db, _, _ = sample_store
    s = json.loads(run_cli("store", "--json", "--store", str(db)).stdout)
    # 8 monthly files and the H1 2023 self-assessment
    assert (s["files"], s["rows"], s["units"], len(s["months"])) == (9, 280, 35, 8)
    assert all(m["missing"] == [] for m in s["months"])


def test_sample_ingest_twice_changes_nothing(sample_store):
    _, _, res = sample_store
    assert res.returncode == 0 and res.stdout.count("đã nhập trước đó") == 9


def test_may_2023_letter(sample_store):  # seed 000
    _, con, _ = sample_store
    may, apr = "'2023-05'", "'2023-04'"
    area_in = pooled(con, "so_hoa_tiep_nhan", "phai_so_hoa_tiep_nhan", "month = DATE '2023-05-01'")
    area_out = pooled(con, "so_hoa_ket_qua", "ket_qua", "month = DATE '2023-05-01'")
    assert (pct(area_in), pct(area_out)) == ("96,65", "96,28")
    for name, rate, change, gap in (
        ("UBND xã Tái Sơn", "88,31", "5,51", "8,34"),
        ("UBND xã Hưng Đạo", "86,77", "2,94", "9,88"),
        ("UBND xã Văn Tố", "87,06", "-1,23", "9,59"),
    ):
        r5 = unit_rate(con, name, "so_hoa_tiep_nhan", "phai_so_hoa_tiep_nhan", may)
        r4 = unit_rate(con, name, "so_hoa_tiep_nhan", "phai_so_hoa_tiep_nhan", apr)
        assert (pct(r5), pct(r5 - r4), pct(area_in - r5)) == (rate, change, gap), name
    for name, rate, change, gap in (
        ("UBND xã Minh Đức", "87,54", "-5,24", "8,74"),
        ("UBND xã Hà Kỳ", "85,81", "-11,26", "10,47"),
    ):
        r5 = unit_rate(con, name, "so_hoa_ket_qua", "ket_qua", may)
        r4 = unit_rate(con, name, "so_hoa_ket_qua", "ket_qua", apr)
        assert (pct(r5), pct(r5 - r4), pct(area_out - r5)) == (rate, change, gap), name
    both = con.execute("""SELECT u.name, so_hoa_tiep_nhan, phai_so_hoa_tiep_nhan, so_hoa_ket_qua, ket_qua
        FROM unit_month_current m JOIN units u ON u.id = m.unit_id WHERE month = DATE '2023-05-01'
        AND phai_so_hoa_tiep_nhan > 0 AND so_hoa_tiep_nhan = phai_so_hoa_tiep_nhan AND so_hoa_ket_qua = ket_qua
        AND ket_qua > 0 ORDER BY 1""").fetchall()
    assert both == [
        ("Phòng Kinh tế và Hạ tầng", 14, 14, 9, 9),
        ("Phòng Nội vụ", 2, 2, 2, 2),
        ("Phòng Tài chính - Kế hoạch", 76, 76, 77, 77),
        ("Phòng Văn hóa và Thông tin", 3, 3, 3, 3),
    ]
    out100 = {
        r[0]
        for r in con.execute("""SELECT u.short_name FROM unit_month_current m JOIN units u ON u.id = m.unit_id
        WHERE month = DATE '2023-05-01' AND ket_qua > 0 AND so_hoa_ket_qua = ket_qua AND u.kind <> 'phong_ban'""").fetchall()
    }
    assert out100 == {"Dân Chủ", "Phượng Kỳ", "Bình Lãng", "Cộng Lạc", "Quảng Nghiệp", "Ngọc Kỳ"}
    no_ecert = {
        r[0]
        for r in con.execute("""SELECT u.short_name FROM unit_month_current m JOIN units u ON u.id = m.unit_id
        WHERE month <= DATE '2023-05-01' AND u.kind <> 'phong_ban' GROUP BY 1 HAVING sum(chung_thuc_dien_tu) = 0""").fetchall()
    }
    assert no_ecert == {"Tiên Động", "Ngọc Kỳ"}


def test_august_2023_letter(sample_store):  # seed 002
    _, con, _ = sample_store
    aug = "month = DATE '2023-08-01'"
    assert pct(pooled(con, "so_hoa_tiep_nhan", "phai_so_hoa_tiep_nhan", aug)) == "97,67"
    assert pct(pooled(con, "so_hoa_ket_qua", "ket_qua", aug)) == "99,05"
    assert pct(pooled(con, "thanh_toan_truc_tuyen", "co_phi", aug)) == "80,20"
    window = "'2023-04','2023-05','2023-06','2023-07','2023-08'"
    for name, month, win in (
        ("Phòng Tài chính - Kế hoạch", "67,27", "28,16"),
        ("UBND xã Cộng Lạc", "61,88", "13,15"),
        ("UBND xã Hà Kỳ", "96,77", "28,30"),
        ("UBND xã Tái Sơn", "44,33", "12,32"),
        ("UBND xã Tân Kỳ", "78,18", "19,52"),
        ("UBND xã Hưng Đạo", "24,27", "16,05"),
        ("UBND xã Phượng Kỳ", "13,33", "8,97"),
        ("UBND xã Dân Chủ", "19,51", "12,50"),
        ("UBND xã Tiên Động", "4,11", "1,45"),
    ):
        assert pct(unit_rate(con, name, "thanh_toan_truc_tuyen", "co_phi", "'2023-08'")) == month, name
        assert pct(unit_rate(con, name, "thanh_toan_truc_tuyen", "co_phi", window)) == win, name
    eight = ",".join(f"'2023-0{m}'" for m in range(1, 9))
    assert pct(unit_rate(con, "UBND xã Tiên Động", "so_hoa_ket_qua", "ket_qua", "'2023-08'")) == "96,15"
    assert pct(unit_rate(con, "UBND xã Tiên Động", "so_hoa_ket_qua", "ket_qua", eight)) == "86,93"
    assert pct(unit_rate(con, "UBND xã Hưng Đạo", "so_hoa_tiep_nhan", "phai_so_hoa_tiep_nhan", eight)) == "85,89"


# every figure of seed 003 the report states, one assertion after another in the order the report gives them
def test_h1_2023_report(sample_store):  # seed 003
    _, con, _ = sample_store
    flows = (
        """SELECT sum(tiep_nhan), sum(dung_han), sum(qua_han), sum(tra_lai), sum(huy), sum(truc_tuyen),
                      sum(phai_truc_tuyen), sum(so_hoa_tiep_nhan), sum(phai_so_hoa_tiep_nhan), sum(so_hoa_ket_qua),
                      sum(ket_qua)
               FROM unit_month_current m JOIN units u ON u.id = m.unit_id WHERE {kind} AND """
        + H1
    )
    stocks = """SELECT sum(ky_truoc_chuyen_sang) FILTER (WHERE month = DATE '2023-01-01'),
                       sum(dang_giai_quyet) FILTER (WHERE month = DATE '2023-06-01'),
                       sum(tam_dung) FILTER (WHERE month = DATE '2023-06-01')
                FROM unit_month_current m JOIN units u ON u.id = m.unit_id WHERE {kind}"""
    assert con.execute(flows.format(kind=DEPT)).fetchone() == (1670, 1641, 1, 18, 1, 1666, 1670, 1640, 1670, 1635, 1665)
    assert con.execute(stocks.format(kind=DEPT)).fetchone() == (28, 37, 0)
    assert con.execute(flows.format(kind=COMM)).fetchone() == (
        23515,
        23359,
        19,
        148,
        0,
        22816,
        22903,
        22506,
        23521,
        22453,
        23441,
    )
    assert con.execute(stocks.format(kind=COMM)).fetchone() == (149, 114, 24)
    assert pct(pooled(con, "dung_han", "dung_han + qua_han", f"{DEPT} AND {H1}")) == "99,94"
    assert pct(pooled(con, "dung_han", "dung_han + qua_han", f"{COMM} AND {H1}")) == "99,92"
    assert pct(pooled(con, "truc_tuyen", "phai_truc_tuyen", H1)) == "99,63"
    assert pct(pooled(con, "so_hoa_tiep_nhan", "phai_so_hoa_tiep_nhan", H1)) == "95,85"
    assert pct(pooled(con, "so_hoa_ket_qua", "ket_qua", H1)) == "95,95"
    assert (
        pct(
            unit_rate(
                con,
                "Phòng Kinh tế và Hạ tầng",
                "truc_tuyen",
                "phai_truc_tuyen",
                ",".join(f"'2023-0{m}'" for m in range(1, 7)),
            )
        )
        == "92,45"
    )
    late = dict(
        con.execute(f"""SELECT u.short_name, sum(qua_han) FROM unit_month_current m JOIN units u
        ON u.id = m.unit_id WHERE {COMM} AND {H1} GROUP BY 1 HAVING sum(qua_han) > 0""").fetchall()
    )
    assert late == {
        "Hà Kỳ": 4,
        "Tái Sơn": 1,
        "Đại Sơn": 6,
        "TT Tứ Kỳ": 1,
        "Hưng Đạo": 1,
        "An Thanh": 2,
        "Bình Lãng": 1,
        "Văn Tố": 1,
        "Tân Kỳ": 2,
    }
    aprjun = "month BETWEEN DATE '2023-04-01' AND DATE '2023-06-30'"
    assert pct(pooled(con, "thanh_toan_truc_tuyen", "co_phi", f"{DEPT} AND {aprjun}")) == "25,60"
    assert pct(pooled(con, "thanh_toan_truc_tuyen", "co_phi", aprjun)) == "38,18"
    per = con.execute(f"""SELECT u.short_name, sum(thanh_toan_truc_tuyen), sum(co_phi) FROM unit_month_current m
        JOIN units u ON u.id = m.unit_id WHERE {COMM} AND {aprjun} GROUP BY 1""").fetchall()
    assert sum(n / d >= 0.3 for _, n, d in per) == 9
    assert sorted(name for name, n, _ in per if n == 0) == ["Tân Kỳ"]


def test_monthly_flows_balance(sample_store):
    _, con, _ = sample_store
    bad = con.execute("""SELECT count(*) FROM unit_month_current WHERE ky_truoc_chuyen_sang + tiep_nhan <>
        dung_han + qua_han + dang_giai_quyet + tam_dung + tra_lai + huy""").fetchone()[0]
    assert bad == 0


def test_payment_not_reported_before_april_is_null(sample_store):
    _, con, _ = sample_store
    assert con.execute(
        "SELECT count(*), count(co_phi) FROM unit_month_current WHERE month < DATE '2023-04-01'"
    ).fetchone() == (105, 0)


def test_van_to_may_is_the_second_month_of_decline(sample_store):  # seed 000
    _, con, _ = sample_store
    rates = [
        r
        for (r,) in con.execute("""SELECT so_hoa_tiep_nhan / phai_so_hoa_tiep_nhan FROM unit_month_current
        WHERE unit_id = 'van-to' AND month BETWEEN DATE '2023-02-01' AND DATE '2023-05-01' ORDER BY month""").fetchall()
    ]
    feb, mar, apr, may = rates
    assert mar >= feb and apr < mar and may < apr

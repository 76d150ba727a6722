"""Reports as the one-stop systems export them (issue 16): form II.06a, the digitization report and the online
payment report, built here the way the systems lay them out (titles, merged two-row headers, column numbers,
group rows, a total row, a CSV with a title line and semicolons), against the canonical file of the same figures."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook, load_workbook

from cchc_analysis.core.config import SAMPLE_DIR

from conftest import run_cli

COLUMNS = (
    "tiep_nhan",
    "phai_so_hoa_tiep_nhan",
    "so_hoa_tiep_nhan",
    "ket_qua",
    "so_hoa_ket_qua",
    "co_phi",
    "thanh_toan_truc_tuyen",
    "ky_truoc_chuyen_sang",
    "truc_tuyen",
    "dung_han",
    "qua_han",
    "dang_giai_quyet",
)


def sample(month: str = "2023-08") -> list[dict]:
    with (SAMPLE_DIR / f"so-lieu-{month}.csv").open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def form_header(ws, top: int, key: str, online: str) -> None:
    """The two-row merged header of form II.06a at row ``top``: STT and ``key`` down both rows, three groups."""
    for col, text in ((1, "STT"), (2, key)):
        ws.cell(top, col, text)
        ws.merge_cells(start_row=top, end_row=top + 1, start_column=col, end_column=col)
    for start, end, text in (
        (3, 6, "Số hồ sơ nhận giải quyết"),
        (7, 10, "Số hồ sơ đã giải quyết"),
        (11, 13, "Số hồ sơ đang giải quyết"),
    ):
        ws.cell(top, start, text)
        ws.merge_cells(start_row=top, end_row=top, start_column=start, end_column=end)
    leaves = (
        "Tổng số",
        online,
        "Trực tiếp, dịch vụ bưu chính",
        "Từ kỳ trước",
        "Tổng số",
        "Trước hạn",
        "Đúng hạn",
        "Quá hạn",
        "Tổng số",
        "Trong hạn",
        "Quá hạn",
    )
    for j, text in enumerate(leaves, start=3):
        ws.cell(top + 1, j, text)


def ii06a(
    rows: list[dict],
    path: Path,
    title: str = "Kỳ báo cáo: Tháng 8/2023 (từ ngày 01/8/2023 đến ngày 31/8/2023)",
    total_off: int = 0,
) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Biểu II.06a"
    ws["A1"], ws["H1"] = "ỦY BAN NHÂN DÂN HUYỆN TỨ KỲ", "Biểu số II.06a/VPCP/KSTT"
    ws["A2"] = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT TTHC"
    ws["A3"], ws["A4"] = title, "Đơn vị tính: Số hồ sơ TTHC"
    form_header(ws, 6, "Tên đơn vị", "Trong đó: Trực tuyến")
    for j in range(1, 14):
        ws.cell(8, j, f"({j})")
    at, totals = 9, [0] * 11
    groups = (
        ("I", "Cấp huyện", [r for r in rows if not r["don_vi"].startswith("UBND")]),
        ("II", "Cấp xã", [r for r in rows if r["don_vi"].startswith("UBND")]),
    )
    for numeral, name, members in groups:
        ws.cell(at, 1, numeral)
        ws.cell(at, 2, name)
        at += 1
        for k, r in enumerate(members, start=1):
            n = {c: int(r[c]) for c in COLUMNS}
            values = [
                n["tiep_nhan"] + n["ky_truoc_chuyen_sang"],
                n["truc_tuyen"],
                n["tiep_nhan"] - n["truc_tuyen"],
                n["ky_truoc_chuyen_sang"],
                n["dung_han"] + n["qua_han"],
                n["dung_han"] // 3,
                n["dung_han"] - n["dung_han"] // 3,
                n["qua_han"],
                n["dang_giai_quyet"],
                n["dang_giai_quyet"],
                0,
            ]
            ws.cell(at, 1, k)
            ws.cell(at, 2, r["don_vi"])
            for j, v in enumerate(values):
                ws.cell(at, 3 + j, v)
                totals[j] += v
            at += 1
    ws.cell(at, 1, "Tổng cộng")
    ws.merge_cells(start_row=at, end_row=at, start_column=1, end_column=2)
    for j, v in enumerate(totals):
        ws.cell(at, 3 + j, v + (total_off if j == 7 else 0))
    wb.save(path)
    return path


def digitization(rows: list[dict], path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws["A1"], ws["A2"] = "BÁO CÁO KẾT QUẢ SỐ HÓA HỒ SƠ, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH", "Tháng 8 năm 2023"
    heads = (
        "STT",
        "Đơn vị",
        "Tổng số hồ sơ tiếp nhận",
        "Số hồ sơ số hóa đầy đủ thành phần",
        "Tỷ lệ (%)",
        "Tổng số hồ sơ có kết quả",
        "Số kết quả được số hóa",
        "Tỷ lệ (%)",
    )
    for j, text in enumerate(heads, start=1):
        ws.cell(4, j, text)
    for k, r in enumerate(rows, start=1):
        a, b, c, d = (int(r[x]) for x in ("phai_so_hoa_tiep_nhan", "so_hoa_tiep_nhan", "ket_qua", "so_hoa_ket_qua"))
        values = (
            k,
            r["don_vi"],
            a,
            b,
            round(b / a * 100, 2) if a else None,
            c,
            d,
            f"{d / c * 100:.2f}".replace(".", ",") if c else "",
        )  # a number and a text rate, as exports mix
        for j, v in enumerate(values, start=1):
            ws.cell(4 + k, j, v)
    wb.save(path)
    return path


def payment(rows: list[dict], path: Path, title: str = "Từ ngày 01/8/2023 đến ngày 31/8/2023") -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        fh.write(f"BÁO CÁO THANH TOÁN TRỰC TUYẾN NGHĨA VỤ TÀI CHÍNH\n{title}\n")
        w = csv.writer(fh, delimiter=";")
        w.writerow(["STT", "Đơn vị", "Số hồ sơ có phí, lệ phí", "Số hồ sơ đã thanh toán trực tuyến", "Tỷ lệ (%)"])
        fee = paid = 0
        for k, r in enumerate(rows, start=1):
            a, b = int(r["co_phi"]), int(r["thanh_toan_truc_tuyen"])
            fee, paid = fee + a, paid + b
            w.writerow(
                [k, r["don_vi"], f"{a:,}".replace(",", "."), b, f"{b / a * 100:.2f}".replace(".", ",") if a else ""]
            )
        w.writerow(["", "Tổng cộng", f"{fee:,}".replace(",", "."), paid, ""])
    return path


def canonical(rows: list[dict], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["ky", "don_vi", *COLUMNS])
        w.writerows([r["ky"], r["don_vi"], *(r[c] for c in COLUMNS)] for r in rows)
    return path


def current(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cols = ", ".join(("unit_id", "month", *COLUMNS, "phai_truc_tuyen", "tam_dung", "chung_thuc_dien_tu"))
        return con.execute(f"SELECT {cols} FROM unit_month_current ORDER BY unit_id, month").fetchall()
    finally:
        con.close()


def test_three_reports_store_what_the_canonical_file_stores(tmp_path):
    rows = sample()
    files = [
        ii06a(rows, tmp_path / "II06a.xlsx"),
        digitization(rows, tmp_path / "so-hoa.xlsx"),
        payment(rows, tmp_path / "thanh-toan.csv"),
    ]
    res = run_cli("ingest", *map(str, files), "--store", str(tmp_path / "a.duckdb"))
    assert res.returncode == 0, res.stderr
    assert (
        run_cli("ingest", str(canonical(rows, tmp_path / "c.csv")), "--store", str(tmp_path / "b.duckdb")).returncode
        == 0
    )
    got, want = current(tmp_path / "a.duckdb"), current(tmp_path / "b.duckdb")
    assert len(got) == 35 and got == want
    con = duckdb.connect(str(tmp_path / "a.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM unit_month").fetchone() == (35,)  # one row per unit and month
    assert con.execute("SELECT count(*) FROM files").fetchone() == (3,)  # every source file kept
    con.close()
    check = run_cli("check", *map(str, files))
    assert check.returncode == 0
    assert "II06a.xlsx: mẫu «Biểu số II.06a/VPCP/KSTT" in check.stdout
    assert "thanh-toan.csv: mẫu «Báo cáo thanh toán trực tuyến»" in check.stdout


def test_a_total_row_off_by_a_few_dossiers_is_rejected_naming_it(tmp_path):
    db = tmp_path / "s.duckdb"
    res = run_cli("ingest", str(ii06a(sample(), tmp_path / "b.xlsx", total_off=3)), "--store", str(db))
    assert res.returncode == 1 and not db.exists()
    line = next(ln for ln in res.stderr.splitlines() if "dòng tổng" in ln)
    # header 6-7, numbers 8, group I 9, 12 departments, group II 22, 23 communes: the total is row 46, column J
    assert "b.xlsx, trang «Biểu II.06a», dòng 46, cột J «Số hồ sơ đã giải quyết / Quá hạn»" in line
    assert "lệch +3" in line


def test_one_unknown_unit_is_one_error_not_a_cascade_of_totals(tmp_path):
    rows = sample()
    rows[3]["don_vi"] = "UBND xã Không Có"  # a name the registry does not hold; the total row still adds it
    res = run_cli("check", str(ii06a(rows, tmp_path / "b.xlsx")))
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("lỗi:")]
    assert res.returncode == 1 and len(errors) == 1, res.stderr
    assert "«UBND xã Không Có»" in errors[0] and "gần nhất:" in errors[0]


def test_a_total_inside_the_form_must_equal_its_parts(tmp_path):
    path = ii06a(sample(), tmp_path / "b.xlsx")
    wb = load_workbook(path)
    ws = wb.active
    ws["G12"] = ws["G12"].value + 2  # "Số hồ sơ đã giải quyết / Tổng số" of the third department
    wb.save(path)
    res = run_cli("check", str(path))
    assert res.returncode == 1
    assert (
        "dòng 12, cột G «Số hồ sơ đã giải quyết / Tổng số»" in res.stderr
        and "«Trước hạn», «Đúng hạn», «Quá hạn»" in res.stderr
    )


def test_printed_rates_are_recomputed(tmp_path):
    path = digitization(sample(), tmp_path / "so-hoa.xlsx")
    wb = load_workbook(path)
    wb.active["E6"] = 90.1  # Bình Lãng: 164/169 is 97,04%
    wb.save(path)
    res = run_cli("check", str(path))
    assert res.returncode == 1 and "dòng 6, cột E «Tỷ lệ (%)»: tỷ lệ in 90,1% nhưng 164/169 = 97,04%" in res.stderr


@pytest.mark.parametrize("title", ["Quý III/2023", "Từ ngày 01/7/2023 đến ngày 30/9/2023", "6 tháng đầu năm 2023"])
def test_a_period_that_is_not_a_month_is_refused(tmp_path, title):
    res = run_cli("check", str(payment(sample(), tmp_path / "tt.csv", title=title)))
    assert res.returncode == 1 and "không phải một tháng" in res.stderr and "tt.csv, dòng 2" in res.stderr


def test_the_month_from_the_command_line(tmp_path):
    path = payment(sample(), tmp_path / "tt.csv", title="(xuất từ Hệ thống thông tin giải quyết TTHC)")
    res = run_cli("check", str(path))
    assert res.returncode == 1 and "thêm --month 2023-08" in res.stderr
    assert run_cli("check", str(path), "--month", "2023-08").returncode == 0
    other = run_cli("check", str(payment(sample(), tmp_path / "t2.csv")), "--month", "2023-07")
    assert other.returncode == 1 and "tháng 8/2023" in other.stderr and "--month 2023-07" in other.stderr


def test_a_column_two_reports_give_differently_names_both(tmp_path):
    rows = sample()
    changed = [dict(r) for r in rows]
    changed[3]["co_phi"] = str(int(changed[3]["co_phi"]) + 5)
    first = payment(rows, tmp_path / "tt-a.csv")
    second = payment(changed, tmp_path / "tt-b.csv", title="Tháng 8/2023")
    res = run_cli("check", str(first), str(canonical(changed, tmp_path / "c.csv")))
    assert res.returncode == 1
    line = next(ln for ln in res.stderr.splitlines() if "cùng tháng phải cùng số liệu" in ln)
    assert line.startswith("lỗi: c.csv, dòng 5, cột H") and "tt-a.csv (ô C7)" in line
    assert run_cli("check", str(first), str(second)).returncode == 1  # two files of one layout: one month once


def two_reports(rows: list[dict], folder: Path, db: Path) -> None:
    """Form II.06a and the digitization report of a month, ingested; the payment report not yet."""
    files = [ii06a(rows, folder / "b.xlsx"), digitization(rows, folder / "d.xlsx")]
    assert run_cli("ingest", *map(str, files), "--store", str(db)).returncode == 0


def test_a_report_completed_a_week_later(tmp_path):
    rows = sample()
    db = tmp_path / "s.duckdb"
    two_reports(rows, tmp_path, db)
    res = run_cli("ingest", str(payment(rows, tmp_path / "tt.csv")), "--store", str(db))
    assert res.returncode == 0, res.stderr
    assert (
        run_cli("ingest", str(canonical(rows, tmp_path / "c.csv")), "--store", str(tmp_path / "c.duckdb")).returncode
        == 0
    )
    assert current(db) == current(tmp_path / "c.duckdb")


def test_a_province_adds_a_format_as_yaml(tmp_path):
    ws_dir = tmp_path / "ws"
    assert run_cli("init", str(ws_dir)).returncode == 0
    assert (ws_dir / "params" / "formats" / "bieu-ii06a.yaml").is_file()
    (ws_dir / "params" / "formats" / "cong-tinh.yaml").write_text(
        "title: Báo cáo của Cổng dịch vụ công tỉnh\n"
        "recognise: [Hồ sơ có phát sinh phí]\n"
        "unit: [Cơ quan thực hiện]\n"
        "columns:\n"
        "  co_phi: Hồ sơ có phát sinh phí\n"
        "  thanh_toan_truc_tuyen: Đã thanh toán qua cổng\n",
        encoding="utf-8",
    )
    path = ws_dir / "cong.csv"
    path.write_text(
        "Tháng 8/2023\nCơ quan thực hiện,Hồ sơ có phát sinh phí,Đã thanh toán qua cổng\nUBND xã An Thanh,161,150\n",
        encoding="utf-8",
    )
    res = run_cli("check", str(path), cwd=ws_dir)
    assert res.returncode == 0, res.stderr
    assert "mẫu «Báo cáo của Cổng dịch vụ công tỉnh»" in res.stdout


def test_a_run_names_the_report_a_month_still_lacks(tmp_path):
    rows = sample()
    db = tmp_path / "s.duckdb"
    two_reports(rows, tmp_path, db)
    res = run_cli("issue", "2023-08", "--store", str(db))
    assert res.returncode == 2 and len(res.stderr.splitlines()) == 1
    assert "tháng 8/2023: chưa có số liệu «Hồ sơ có phí, lệ phí» của Phòng Giáo dục và Đào tạo" in res.stderr
    assert "nhập «Báo cáo thanh toán trực tuyến» của tháng này" in res.stderr


def ii06a_by_field(path: Path, unit_line: str | None = "Đơn vị: UBND xã Hà Kỳ", total_off: int = 0) -> Path:
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC THEO LĨNH VỰC"
    if unit_line:
        ws["A2"] = unit_line
    ws["A3"] = "Kỳ báo cáo: Tháng 8/2023"
    form_header(ws, 5, "Lĩnh vực, công việc giải quyết theo cấp", "Trực tuyến")
    fields = (
        ("Hộ tịch", [40, 30, 10, 0, 40, 10, 28, 2, 0, 0, 0]),
        ("Chứng thực", [25, 20, 5, 0, 25, 5, 20, 0, 0, 0, 0]),
        ("Đất đai", [12, 2, 8, 2, 10, 2, 6, 2, 2, 1, 1]),
    )
    total = [0] * 11
    for k, (name, values) in enumerate(fields, start=1):
        ws.cell(6 + k, 1, k)
        ws.cell(6 + k, 2, name)
        for j, v in enumerate(values):
            ws.cell(6 + k, 3 + j, v)
            total[j] += v
    ws.cell(10, 2, "Tổng số")
    for j, v in enumerate(total):
        ws.cell(10, 3 + j, v + (total_off if j == 7 else 0))
    wb.save(path)
    return path


def test_form_ii06a_by_field_gives_late_dossiers_by_field(tmp_path):
    from cchc_analysis.store.database import Store

    rows = sample()
    db = tmp_path / "s.duckdb"
    files = [
        ii06a(rows, tmp_path / "b.xlsx"),
        digitization(rows, tmp_path / "d.xlsx"),
        payment(rows, tmp_path / "t.csv"),
        ii06a_by_field(tmp_path / "ha-ky.xlsx"),
    ]
    res = run_cli("ingest", *map(str, files), "--store", str(db))
    assert res.returncode == 0, res.stderr
    with Store.open(db, read_only=True) as st:
        late = st.late_by_field()
    assert sorted(late.select("unit_id", "field", "late").iter_rows()) == [
        ("ha-ky", "Hộ tịch", 2),
        ("ha-ky", "Đất đai", 2),
    ]
    no_unit = run_cli("check", str(ii06a_by_field(tmp_path / "x.xlsx", unit_line=None)))
    assert no_unit.returncode == 1 and "--unit" in no_unit.stderr
    given = run_cli("check", str(tmp_path / "x.xlsx"), "--unit", "Hà Kỳ")
    assert given.returncode == 0, given.stderr
    off = run_cli("check", str(ii06a_by_field(tmp_path / "y.xlsx", total_off=1)))
    assert off.returncode == 1 and "dòng 10, cột J" in off.stderr and "dòng tổng «Tổng số» ghi 5" in off.stderr

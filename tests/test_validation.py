"""Each validation error names file, row and column; a batch with any problem is rejected whole."""

from __future__ import annotations

import datetime as dt

from openpyxl import Workbook

from cchc_analysis.inputs.ingest import check, parse_file

from conftest import HEADER, write_csv

GOOD = ["2023-05", "Tái Sơn", 100, 90, 80, 70, 10, 3]


def problems(tmp_path, registry, rows, header=HEADER, name="t.csv", delimiter=","):
    path = write_csv(tmp_path / name, rows, header, delimiter)
    return [str(p) for p in check([path], registry, today=dt.date(2023, 9, 1)).problems]


def test_good_file_parses(tmp_path, registry):
    path = write_csv(tmp_path / "ok.csv", [GOOD])
    parsed, probs, _ = parse_file(path, registry, dt.date(2023, 9, 1))
    assert probs == []
    row = parsed.frame.row(0, named=True)
    assert (row["unit_id"], row["month"], row["phai_so_hoa_tiep_nhan"]) == ("tai-son", dt.date(2023, 5, 1), 100)


def test_numerator_above_denominator(tmp_path, registry):
    out = problems(tmp_path, registry, [GOOD, ["2023-05", "Hà Kỳ", 100, 120, 80, 70, 10, 3]])
    assert out == [out[0]] and "t.csv, dòng 3, cột D «so_hoa_tiep_nhan»" in out[0] and "120" in out[0]


def test_explicit_denominator_column(tmp_path, registry):
    header = HEADER + ["phai_so_hoa_tiep_nhan"]
    out = problems(tmp_path, registry, [["2023-05", "Hà Kỳ", 100, 95, 80, 70, 10, 3, 90]], header)
    assert len(out) == 1 and "cột D" in out[0] and "«phai_so_hoa_tiep_nhan» (90)" in out[0]


def test_every_pair_checked(tmp_path, registry):
    header = HEADER + ["phai_truc_tuyen", "truc_tuyen"]
    out = problems(tmp_path, registry, [["2023-05", "Hà Kỳ", 100, 90, 80, 81, 10, 11, 50, 51]], header)
    assert sorted(o.split("cột ")[1][0] for o in out) == ["F", "H", "J"]


def test_all_problems_reported_not_only_the_first(tmp_path, registry):
    out = problems(
        tmp_path,
        registry,
        [
            ["2023-05", "Xã Không Có", 1, 1, 1, 1, 1, 1],
            ["2023-5x", "Hà Kỳ", 1, 1, 1, 1, 1, 1],
            ["2023-05", "Hà Kỳ", "1,5", -2, 1, 1, 1, 1],
        ],
    )
    assert len(out) == 4
    assert "dòng 2, cột B" in out[0] and "không có đơn vị" in out[0]
    assert "dòng 3, cột A" in out[1]
    assert "dòng 4, cột C" in out[2] and "dòng 4, cột D" in out[3] and "số âm" in out[3]


def test_missing_required_column(tmp_path, registry):
    out = problems(tmp_path, registry, [GOOD[:-1]], HEADER[:-1])
    assert len(out) == 1 and "thiếu cột bắt buộc «Thanh toán trực tuyến»" in out[0] and "dòng 1" in out[0]


def test_ambiguous_or_unknown_unit_lists_closest(tmp_path, registry):
    out = problems(tmp_path, registry, [["2023-05", "Quảng Khải", 1, 1, 1, 1, 1, 1]])
    assert "cột B «don_vi»" in out[0] and "UBND xã Quang Khải" in out[0]


def test_same_unit_and_month_twice_in_a_file(tmp_path, registry):
    out = problems(tmp_path, registry, [GOOD, ["05/2023", "UBND xã Tái Sơn", 1, 1, 1, 1, 1, 1]])
    assert len(out) == 1 and "dòng 3" in out[0] and "đã có ở dòng 2" in out[0]


def test_same_unit_and_month_twice_in_a_batch(tmp_path, registry):
    a = write_csv(tmp_path / "a.csv", [GOOD])
    b = write_csv(tmp_path / "b.csv", [["2023-05", "Tai Son", 1, 1, 1, 1, 1, 1]])
    out = [str(p) for p in check([a, b], registry, today=dt.date(2023, 9, 1)).problems]
    assert len(out) == 1 and out[0].startswith("b.csv, dòng 2") and "a.csv dòng 2" in out[0]


def test_future_month(tmp_path, registry):
    out = problems(tmp_path, registry, [["2023-10", "Tái Sơn", 1, 1, 1, 1, 1, 1]])
    assert "cột A" in out[0] and "chưa đến" in out[0]


def test_row_without_any_figure(tmp_path, registry):
    out = problems(tmp_path, registry, [["2023-05", "Tái Sơn", "", "", "", "", "", ""]])
    assert "dòng 2" in out[0] and "chưa điền số liệu" in out[0]


def test_empty_cell_is_null_not_zero(tmp_path, registry):
    path = write_csv(tmp_path / "n.csv", [["2023-05", "Tái Sơn", 100, 90, 80, 70, "", ""]])
    parsed, probs, _ = parse_file(path, registry, dt.date(2023, 9, 1))
    assert probs == [] and parsed.frame["co_phi"][0] is None and parsed.frame["thanh_toan_truc_tuyen"][0] is None


def test_semicolon_csv_with_vietnamese_headers_and_grouped_numbers(tmp_path, registry):
    header = [
        "Kỳ báo cáo",
        "Đơn vị",
        "Tiếp nhận trong kỳ",
        "Số hóa đầy đủ thành phần hồ sơ",
        "Kết quả phải số hóa",
        "Số hóa kết quả",
        "Hồ sơ có phí, lệ phí",
        "Thanh toán trực tuyến",
    ]
    path = write_csv(
        tmp_path / "vn.csv", [["08/2023", "Hung Pao", "1.698", "1.640", "1.665", "1.635", "12", "4"]], header, ";"
    )
    parsed, probs, _ = parse_file(path, registry, dt.date(2023, 9, 1))
    assert probs == []
    assert parsed.frame.select("unit_id", "tiep_nhan", "so_hoa_tiep_nhan").row(0) == ("hung-dao", 1698, 1640)


def test_utf8_bom_is_read(tmp_path, registry):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (",".join(HEADER) + "\n2023-05,Tái Sơn,1,1,1,1,1,1\n").encode("utf-8"))
    assert parse_file(path, registry, dt.date(2023, 9, 1))[1] == []


def test_xlsx_rows_are_numbered_as_the_spreadsheet_shows(tmp_path, registry):
    wb = Workbook()
    ws = wb.active
    ws.title = "so_lieu"
    ws.append(HEADER)
    ws.append(GOOD)
    ws.append([])  # a blank row keeps its number
    ws.append(["2023-05", "Hà Kỳ", 10, 11, 1, 1, 1, 1])
    wb.save(tmp_path / "x.xlsx")
    out = [str(p) for p in check([tmp_path / "x.xlsx"], registry, today=dt.date(2023, 9, 1)).problems]
    assert out == [out[0]] and out[0].startswith("x.xlsx, trang «so_lieu», dòng 4, cột D")


def test_unreadable_files_are_one_line_errors(tmp_path, registry):
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "fake.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "doc.pdf").write_bytes(b"%PDF-1.4 ...")
    (tmp_path / "dir").mkdir()
    (tmp_path / "latin.csv").write_bytes(",".join(HEADER).encode() + b"\n2023-05,T\xe1i,1,1,1,1,1,1\n")
    paths = [tmp_path / n for n in ("empty.csv", "fake.xlsx", "doc.pdf", "dir", "latin.csv", "missing.csv")]
    out = [str(p) for p in check(paths, registry).problems]
    assert len(out) == 6 and all("\n" not in o for o in out)
    assert [o.split(":")[0].split(",")[0] for o in out] == [
        "empty.csv",
        "fake.xlsx",
        "doc.pdf",
        "dir",
        "latin.csv",
        "missing.csv",
    ]


def test_the_same_problem_on_many_rows_is_one_line(tmp_path, registry):
    from cchc_analysis.core.exceptions import Problem, problem_lines

    same = [Problem("a.csv", "ô trống — điền số liệu", None, r, "D", "so_hoa_ket_qua") for r in range(12, 643)]
    other = [Problem("a.csv", "«x» không phải số", None, 7, "C")]
    lines = problem_lines(same + other)
    assert lines == [
        "a.csv, dòng 12–642, cột D «so_hoa_ket_qua»: ô trống — điền số liệu (631 dòng)",
        "a.csv, dòng 7, cột C: «x» không phải số",
    ]
    # the same check failing with other values on each row is one kind, shown with one example
    alike = [Problem("a.csv", f"{i + 5} lớn hơn «co_phi» ({i})", None, i + 2, "H") for i in range(600)]
    (line,) = problem_lines(alike)
    assert line == "a.csv, dòng 2–601, cột H; ví dụ dòng 2: 5 lớn hơn «co_phi» (0) (600 dòng cùng loại)"
    columns = [Problem("a.csv", "ô trống", None, 2, f"C{i}") for i in range(50)]
    shown = problem_lines(columns, limit=20)
    assert len(shown) == 21 and shown[-1].startswith("… và 30 lỗi khác")


def test_a_blank_template_says_it_is_not_filled(tmp_path):
    from conftest import run_cli

    template = tmp_path / "mau.xlsx"
    assert run_cli("template", "2023-08", "-o", str(template)).returncode == 0
    res = run_cli("check", str(template))
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("lỗi:")]
    assert res.returncode == 1 and len(errors) == 1 and "chưa điền số liệu" in errors[0], res.stderr


def test_a_huge_value_makes_a_short_line_and_a_million_rows_one_line():
    from cchc_analysis.core.exceptions import Problem, problem_lines

    huge = Problem("a.csv", f"không có đơn vị «{'X' * 20_000_000}» trong danh mục", None, 2, "B")
    line = str(huge)
    assert len(line) <= 600 and "(20000000 ký tự)" in line and "\n" not in line  # the value cut, not the line
    many = [Problem("a.csv", "«UBND xã A» tháng 2023-08 đã có ở dòng 2", None, r, "B") for r in range(3, 200_003)]
    (grouped,) = problem_lines(many)
    assert "dòng 3–200002" in grouped and "(200000 dòng)" in grouped

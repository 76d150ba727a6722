"""Rebuild the input corpus: tests/data/bad/ (files that must be rejected, with the message each must give,
in expected.tsv) and tests/data/readable/ (awkward files that must be read, with the unit-month rows each
gives). Run: .venv/bin/python tests/data/build_corpus.py"""

from __future__ import annotations

import csv
import shutil
import unicodedata
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
BAD, READABLE = HERE / "bad", HERE / "readable"
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
GOOD = ["2023-05", "UBND xã Hưng Đạo", "120", "110", "100", "95", "40", "12"]
OTHER = ["2023-05", "UBND xã Tân Kỳ", "80", "80", "70", "70", "20", "10"]


def to_cp1258(text: str) -> str:
    """Text as Windows-1258 writes Vietnamese: letters with their vowel marks precomposed (ư, â, đ …), tone
    marks as combining characters."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            ch.encode("cp1258")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        joined = unicodedata.normalize("NFC", base + marks[0]) if marks else base
        try:
            joined.encode("cp1258")
            out.append(joined + "".join(marks[1:]))
        except UnicodeEncodeError:
            out.append(base + "".join(marks))
    return "".join(out)


def row(**change) -> list[str]:
    r = dict(zip(HEADER, GOOD, strict=False))
    r.update(change)
    return [r[h] for h in HEADER]


def write_csv(
    path: Path, rows: list[list], header: list[str] = HEADER, encoding: str = "utf-8", delimiter: str = ","
) -> None:
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        if header:
            w.writerow(header)
        w.writerows(rows)


def write_xlsx(path: Path, rows: list[list], header: list | None = HEADER, edit=None) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "so_lieu"
    if header:
        ws.append(header)
    for r in rows:
        ws.append(r)
    if edit:
        edit(wb, ws)
    wb.save(path)


# one flat list of cases, each a few lines: read top to bottom like a table, split it would scatter them
def bad_cases() -> list[tuple[str, str]]:  # noqa: PLR0915
    """Write every bad file; return (file, the message it must give)."""
    cases: list[tuple[str, str]] = []

    def csv_case(name: str, rows, expected: str, **kw) -> None:
        write_csv(BAD / name, rows, **kw)
        cases.append((name, expected))

    def xlsx_case(name: str, rows, expected: str, **kw) -> None:
        write_xlsx(BAD / name, rows, **kw)
        cases.append((name, expected))

    csv_case("sai-tieu-de.csv", [GOOD], "thiếu cột bắt buộc «Kỳ báo cáo»", header=["thoi_diem", *HEADER[1:]])
    csv_case(
        "thieu-cot.csv",
        [[v for h, v in zip(HEADER, GOOD, strict=False) if h != "so_hoa_ket_qua"]],
        "thiếu cột bắt buộc «Số hóa kết quả» (so_hoa_ket_qua)",
        header=[h for h in HEADER if h != "so_hoa_ket_qua"],
    )
    csv_case("cot-trung.csv", [GOOD + ["5"]], "cột này trùng ý nghĩa với cột C", header=HEADER + ["Tiếp nhận trong kỳ"])
    csv_case("chu-trong-o-so.csv", [row(tiep_nhan="một trăm")], "dòng 2, cột C «tiep_nhan»: «một trăm» không phải số")
    csv_case("so-thap-phan.csv", [row(tiep_nhan="12,5")], "«12,5» không phải số nguyên")
    csv_case("dau-phay-nghin.csv", [row(tiep_nhan="1,698")], "«1,698» không phải số nguyên")
    csv_case("so-am.csv", [row(ket_qua="-5")], "cột E «ket_qua»: số âm (-5)")
    csv_case("so-qua-lon.csv", [row(tiep_nhan="2000000000")], "giá trị quá lớn (2000000000)")
    csv_case("ke-toan-ngoac.csv", [row(co_phi="(5)")], "«(5)» không phải số")
    csv_case("so-mu.csv", [row(co_phi="1e3")], "«1e3» không phải số")
    csv_case("loi-excel.csv", [row(co_phi="#DIV/0!")], "«#DIV/0!» không phải số")
    csv_case(
        "tu-vuot-mau.csv",
        [row(so_hoa_tiep_nhan="130")],
        "130 lớn hơn «tiep_nhan» (dùng thay cho phai_so_hoa_tiep_nhan) (120)",
    )
    csv_case("thanh-toan-vuot.csv", [row(thanh_toan_truc_tuyen="41")], "41 lớn hơn «co_phi» (40)")
    csv_case("don-vi-la.csv", [row(don_vi="UBND xã Hòa Bình")], "không có đơn vị «UBND xã Hòa Bình»")
    csv_case(
        "don-vi-mo-ho.csv",
        [row(don_vi="Quang")],
        "không có đơn vị «Quang» trong danh mục tu-ky — gần nhất: UBND xã Quang",
    )
    csv_case("don-vi-ocr.csv", [row(don_vi="UBND x4 Xyz")], "không có đơn vị «UBND x4 Xyz»")
    csv_case("don-vi-trong.csv", [row(don_vi="")], "thiếu tên đơn vị")
    csv_case("don-vi-cap-huyen.csv", [row(don_vi="UBND huyện Tứ Kỳ")], "là chính quyền cấp huyện")
    csv_case("don-vi-het-hieu-luc.csv", [row(ky="2025-08")], "không còn hiệu lực trong kỳ này")
    csv_case("don-vi-trung.csv", [GOOD, row(tiep_nhan="121")], "đã có ở dòng 2 — mỗi đơn vị chỉ một dòng mỗi tháng")
    csv_case("thang-tuong-lai.csv", [row(ky="2099-01")], "tháng 2099-01 chưa đến")
    csv_case("thang-13.csv", [row(ky="2023-13")], "tháng không hợp lệ: 13/2023")
    csv_case("thang-chu.csv", [row(ky="tháng tám")], "không đọc được tháng «tháng tám»")
    csv_case("thieu-thang.csv", [row(ky="")], "thiếu kỳ báo cáo")
    csv_case("dong-khong-so-lieu.csv", [[GOOD[0], GOOD[1], "", "", "", "", "", ""]], "chưa điền số liệu")
    csv_case("chi-tieu-de.csv", [], "chỉ có dòng tiêu đề, không có dòng số liệu nào")
    csv_case(
        "ho-so-thay-vi-so-lieu.csv",
        [["UBND xã Hưng Đạo", "Hộ tịch", "2023-05-03"]],
        "không nhận ra cột nào của mẫu số liệu",
        header=["unit", "field", "received_at"],
    )
    csv_case(
        "diem-thay-vi-so-lieu.csv",
        [["2023-H1", "UBND xã Hưng Đạo", "1.1", "1"]],
        "«Tiếp nhận trong kỳ» (tiep_nhan)",
        header=["Kỳ đánh giá", "Đơn vị", "Mã tiêu chí", "Điểm tự chấm"],
    )
    # digits split by spaces or dots that are not thousands groups: never joined into one number
    csv_case("nhom-so-hai-chu-so.csv", [row(tiep_nhan="23 45")], "«23 45» không phải cách viết số hợp lệ")
    csv_case("nhom-so-mot-chu-so.csv", [row(ket_qua="4 5")], "«4 5» không phải cách viết số hợp lệ")
    csv_case("nhom-so-bon-chu-so.csv", [row(tiep_nhan="6 7890")], "«6 7890» không phải cách viết số hợp lệ")
    csv_case("nhom-so-dau-cham-le.csv", [row(tiep_nhan="12.34.5")], "«12.34.5» không phải cách viết số hợp lệ")
    csv_case("nhom-so-tron-dau.csv", [row(tiep_nhan="1.234 567")], "«1.234 567» không phải cách viết số hợp lệ")
    csv_case("so-le-dau-cham.csv", [row(co_phi="1.23")], "«1.23» không phải số nguyên")
    # a delimiter the reader does not know: one line saying how the file was read, not one per missing column
    csv_case(
        "phan-cach-gach-dung.csv", [row()], "phân cách bằng dấu phẩy; dòng tiêu đề: «ky|don_vi|tiep_nhan", delimiter="|"
    )
    # Latin-1 cannot write "ư", "ơ", "đ"; read as Windows-1258 its "ã" becomes "ă", and the name matches no unit
    csv_case("latin-1.csv", [row(don_vi="UBND xã Hung Dao")], "không có đơn vị «UBND xă Hung Dao»", encoding="latin-1")

    (BAD / "rong.csv").write_bytes(b"")
    cases.append(("rong.csv", "tệp rỗng"))
    (BAD / "chi-bom.csv").write_bytes(b"\xef\xbb\xbf")
    cases.append(("chi-bom.csv", "tệp rỗng"))
    (BAD / "nhi-phan.csv").write_bytes(bytes(range(256)) * 4)
    cases.append(("nhi-phan.csv", "không phải văn bản UTF-8"))
    (BAD / "anh-png.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40))
    cases.append(("anh-png.csv", "không phải tệp văn bản CSV"))
    (BAD / "thu-muc.csv").mkdir(exist_ok=True)
    (BAD / "thu-muc.csv" / ".gitkeep").write_text("", encoding="utf-8")
    cases.append(("thu-muc.csv", "là một thư mục"))
    (BAD / "la-pdf.xlsx").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    cases.append(("la-pdf.xlsx", "là tệp PDF"))
    (BAD / "la-pdf.csv").write_bytes(b"%PDF-1.4\n" + bytes(20))
    cases.append(("la-pdf.csv", "là tệp PDF"))
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    (BAD / "excel-cu.xls").write_bytes(ole)
    cases.append(("excel-cu.xls", "là tệp Excel cũ (.xls)"))
    (BAD / "co-mat-khau.xlsx").write_bytes(ole)  # an encrypted .xlsx is an OLE container
    cases.append(("co-mat-khau.xlsx", "là tệp Excel có mật khẩu"))
    (BAD / "trang-web.xls").write_bytes("<html><body><table><tr><td>Đơn vị</td></tr></table></body></html>".encode())
    cases.append(("trang-web.xls", "là trang HTML"))
    (BAD / "dinh-dang-la.ods").write_bytes(b"hello")
    cases.append(("dinh-dang-la.ods", "định dạng «.ods» không được hỗ trợ"))
    write_xlsx(BAD / "tmp.xlsx", [row()])
    data = (BAD / "tmp.xlsx").read_bytes()
    (BAD / "tmp.xlsx").unlink()
    (BAD / "bi-cat-cut.xlsx").write_bytes(data[: len(data) // 2])
    cases.append(("bi-cat-cut.xlsx", "tệp Excel bị hỏng"))
    with zipfile.ZipFile(BAD / "zip-khong-phai-excel.xlsx", "w") as z:
        z.writestr("hello.txt", "xin chào")
    cases.append(("zip-khong-phai-excel.xlsx", "tệp Excel bị hỏng"))

    def numbers(values: dict) -> list:
        out = []
        for h, v in zip(HEADER, GOOD, strict=False):
            v = values.get(h, v)
            out.append(int(v) if h not in ("ky", "don_vi") and isinstance(v, str) and v.isdigit() else v)
        return out

    xlsx_case("trang-rong.xlsx", [], "trang tính rỗng", header=None)
    xlsx_case("x-chi-tieu-de.xlsx", [], "chỉ có dòng tiêu đề")
    xlsx_case("x-so-thap-phan.xlsx", [numbers({"tiep_nhan": 12.5})], "«12,5» không phải số nguyên")
    xlsx_case(
        "x-ngay-trong-o-so.xlsx",
        [numbers({"ket_qua": __import__("datetime").date(2023, 5, 1)})],
        "ô chứa ngày tháng, không phải số hồ sơ",
    )
    xlsx_case("x-dung-sai.xlsx", [numbers({"co_phi": True})], "«True» không phải số")
    xlsx_case("x-thang-la-so.xlsx", [numbers({"ky": 45047})], "«45047» là một con số, không phải tháng")
    xlsx_case("x-so-am.xlsx", [numbers({"tiep_nhan": -3})], "số âm (-3)")

    def formula(wb, ws):
        ws["C2"] = "=SUM(1,2)"  # never computed: openpyxl saves no cached value

    xlsx_case("x-cong-thuc.xlsx", [numbers({})], "ô có công thức chưa được tính", edit=formula)

    def hide(wb, ws):
        wb.create_sheet("bia", 0)
        ws.sheet_state = "hidden"

    xlsx_case("x-trang-an.xlsx", [numbers({})], "trang số liệu đang bị ẩn", edit=hide)

    def merged(wb, ws):
        ws.merge_cells("C1:D1")  # "Tiếp nhận" over two columns: the second header is lost

    xlsx_case("x-tieu-de-gop-o.xlsx", [numbers({})], "thiếu cột bắt buộc «Số hóa đầy đủ thành phần hồ sơ»", edit=merged)

    # the same month twice with different figures in one batch
    pair = BAD / "cung-thang-hai-tep"
    pair.mkdir(exist_ok=True)
    write_csv(pair / "a.csv", [GOOD])
    write_csv(pair / "b.csv", [row(tiep_nhan="121")])
    cases.append(("cung-thang-hai-tep", "tháng 2023-05 đã có trong tệp a.csv dòng 2"))
    return cases


def readable_cases() -> list[tuple[str, str]]:
    """Awkward files that must be read: (file, the unit name and received count they give)."""
    cases = []
    write_csv(READABLE / "bom.csv", [GOOD, OTHER], encoding="utf-8-sig")
    cases.append(("bom.csv", "UBND xã Hưng Đạo=120"))
    write_csv(READABLE / "cham-phay.csv", [GOOD, OTHER], delimiter=";")
    cases.append(("cham-phay.csv", "UBND xã Tân Kỳ=80"))
    write_csv(
        READABLE / "windows-1258.csv",
        [[to_cp1258(v) for v in row(don_vi="UBND xã Hưng Đạo")]],
        header=[to_cp1258(h) for h in ["Kỳ báo cáo", "Đơn vị", *HEADER[2:]]],
        encoding="cp1258",
    )
    cases.append(("windows-1258.csv", "UBND xã Hưng Đạo=120"))
    # Excel's "Unicode text" export: UTF-16 with a BOM, tab-separated, saved as .txt
    write_csv(
        READABLE / "unicode-text.txt",
        [row(), OTHER],
        header=["Kỳ báo cáo", "Đơn vị", *HEADER[2:]],
        encoding="utf-16",
        delimiter="\t",
    )
    cases.append(("unicode-text.txt", "UBND xã Hưng Đạo=120"))
    write_csv(READABLE / "tab.tsv", [GOOD, OTHER], delimiter="\t")
    cases.append(("tab.tsv", "UBND xã Tân Kỳ=80"))
    write_csv(READABLE / "tab-utf16-khong-bom.csv", [GOOD], encoding="utf-16-le", delimiter="\t")
    cases.append(("tab-utf16-khong-bom.csv", "UBND xã Hưng Đạo=120"))
    # thousands groups with a narrow no-break space (Babel's vi) and a no-break space
    write_csv(
        READABLE / "nghin-khoang-trang.csv",
        [row(tiep_nhan="12\u202f345", so_hoa_tiep_nhan="1\u00a0600", ket_qua="1 500", so_hoa_ket_qua="1 400")],
        delimiter=";",
    )
    cases.append(("nghin-khoang-trang.csv", "UBND xã Hưng Đạo=12345"))
    write_csv(READABLE / "nfd.csv", [row(don_vi=unicodedata.normalize("NFD", "UBND xã Hưng Đạo"))])
    cases.append(("nfd.csv", "UBND xã Hưng Đạo=120"))
    write_csv(READABLE / "khong-dau.csv", [row(don_vi="Hung Dao")])
    cases.append(("khong-dau.csv", "UBND xã Hưng Đạo=120"))
    write_csv(READABLE / "nghin-dau-cham.csv", [row(tiep_nhan="1.698", so_hoa_tiep_nhan="1.600")])
    cases.append(("nghin-dau-cham.csv", "UBND xã Hưng Đạo=1698"))

    def title_above(wb, ws):
        ws.insert_rows(1, 2)
        ws["A1"] = "BÁO CÁO SỐ LIỆU THÁNG 5/2023"

    write_xlsx(
        READABLE / "tieu-de-khong-o-dong-1.xlsx", [[int(v) if v.isdigit() else v for v in GOOD]], edit=title_above
    )
    cases.append(("tieu-de-khong-o-dong-1.xlsx", "UBND xã Hưng Đạo=120"))
    return cases


def main() -> None:
    for folder in (BAD, READABLE):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    for folder, cases in ((BAD, bad_cases()), (READABLE, readable_cases())):
        with (folder / "expected.tsv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, delimiter="\t", lineterminator="\n")
            w.writerow(["file", "expected"])
            w.writerows(cases)
        print(f"{folder.name}: {len(cases)} cases")


if __name__ == "__main__":
    main()

"""`cchc run semiannual 2023-H1` on the sample, read back from its XLSX, CSV and PDF. Every expected figure
is quoted from seed 003 (see DOMAIN.md)."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

# real runs of the command end to end (see conftest: `pytest -m "not e2e"` is the fast loop)
pytestmark = pytest.mark.e2e


def sheet_rows(folder, index):
    """The rows of the ``index``-th table (the cover sheet "Ghi chú" comes first), and its row of column names."""
    wb = load_workbook(folder / "phu-luc-2023-H1.xlsx")
    assert wb.sheetnames[0] == "Ghi chú"
    ws = wb[wb.sheetnames[index + 1]]
    rows = list(ws.iter_rows(values_only=True))
    header = next(r for r in rows if "Đơn vị" in r)
    return rows, header


def pct(x):
    return round(x * 100, 2)


def totals(rows):
    """The «Cộng» rows in order (district desk, communes), then the whole area's."""
    return [r for r in rows if r[1] in ("Cộng", "Toàn huyện")]


def test_dossier_handling_annex(semiannual_run):
    folder, _ = semiannual_run
    rows, _ = sheet_rows(folder, 0)
    desk, communes, district = totals(rows)
    # total, carried over, received, resolved, on time, late, on-time rate, in progress, paused, returned,
    # cancelled, online, online required, online rate
    assert desk[2:8] == (1698, 28, 1670, 1642, 1641, 1)
    assert pct(desk[8]) == 99.94 and desk[9] == 37 and desk[11] == 18 and desk[12] == 1
    assert (desk[13], desk[14], pct(desk[15])) == (1666, 1670, 99.76)
    kt = [r for r in rows if r[1] == "Phòng Kinh tế và Hạ tầng"][0]
    assert (kt[13], kt[14], pct(kt[15])) == (49, 53, 92.45)
    assert communes[2:8] == (23664, 149, 23515, 23378, 23359, 19)
    assert pct(communes[8]) == 99.92 and communes[9:12] == (114, 24, 148)
    assert (communes[13], communes[14], pct(communes[15])) == (22816, 22903, 99.62)
    assert pct(district[15]) == 99.63


def test_digitization_annex(semiannual_run):
    folder, _ = semiannual_run
    rows, _ = sheet_rows(folder, 1)
    desk, communes, district = totals(rows)
    assert (desk[2], desk[3], desk[5], desk[6]) == (1640, 1670, 1635, 1665)
    assert (communes[2], communes[3], pct(communes[4])) == (22506, 23521, 95.68)
    assert (communes[5], communes[6], pct(communes[7])) == (22453, 23441, 95.79)
    assert (pct(district[4]), pct(district[7])) == (95.85, 95.95)


def test_payment_annex_window_and_target(semiannual_run):
    folder, _ = semiannual_run
    rows, _ = sheet_rows(folder, 2)
    assert rows[0][0] == "Phụ lục III" and "TỪ NGÀY 01/4/2023 ĐẾN NGÀY 30/6/2023" in rows[1][0]  # seed 000 style
    desk, _, district = totals(rows)
    assert pct(desk[4]) == 25.6 and pct(district[4]) == 38.18
    commune_rows = rows[rows.index(totals(rows)[0]) + 1 : rows.index(totals(rows)[1])]
    verdicts = [r[6] for r in commune_rows if isinstance(r[0], int)]
    # seed 003: 9 communes met 30%, 13 did not, Tân Kỳ had none
    assert verdicts.count("Đạt") == 9 and verdicts.count("Chưa đạt") == 13 and verdicts.count("Chưa thực hiện") == 1
    assert [r[1] for r in commune_rows if r[6] == "Chưa thực hiện"] == ["UBND xã Tân Kỳ"]


def test_late_annex_lists_the_communes_of_the_seed(semiannual_run):
    folder, _ = semiannual_run
    rows, _ = sheet_rows(folder, 4)
    late = {r[1]: r[2] for r in rows if isinstance(r[0], int)}
    assert late == {
        "Phòng Tài nguyên và Môi trường": 1,
        "UBND xã Hà Kỳ": 4,
        "UBND xã Tái Sơn": 1,
        "UBND xã Đại Sơn": 6,
        "UBND thị trấn Tứ Kỳ": 1,
        "UBND xã Hưng Đạo": 1,
        "UBND xã An Thanh": 2,
        "UBND xã Bình Lãng": 1,
        "UBND xã Văn Tố": 1,
        "UBND xã Tân Kỳ": 2,
    }


@pytest.fixture(scope="module")
def scores(semiannual_run):
    folder, _ = semiannual_run
    with (folder / "scores.csv").open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


GOOD = {
    "Phượng Kỳ",
    "Ngọc Kỳ",
    "Quang Trung",
    "Chí Minh",
    "Quang Khải",
    "An Thanh",
    "Tái Sơn",
    "Đại Hợp",
    "Đại Sơn",
    "Hưng Đạo",
    "Tân Kỳ",
    "Minh Đức",
    "Nguyên Giáp",
    "Hà Thanh",
}
FAIR = {"Quảng Nghiệp", "Hà Kỳ", "Quang Phục", "Cộng Lạc", "Bình Lãng", "Văn Tố", "Dân Chủ", "Tiên Động", "Tứ Kỳ"}


def short(unit: str) -> str:
    return unit.replace("UBND xã ", "").replace("UBND thị trấn ", "")


def test_score_bands_and_ranks(scores):
    communes = [r for r in scores if r["set"] == "xa"]
    by_band = {}
    for r in communes:
        by_band.setdefault(r["band"], set()).add(short(r["unit"]))
    assert by_band == {"Hoàn thành tốt nhiệm vụ": GOOD, "Hoàn thành nhiệm vụ": FAIR}
    rank = {short(r["unit"]): int(r["rank"]) for r in communes}
    assert (rank["Tiên Động"], rank["Dân Chủ"], rank["Quang Phục"]) == (23, 22, 17)
    # last year's ranks (the sample's own H1 parameters, from the seed): Tiên Động 20th → 23rd, Dân Chủ 23rd → 22nd
    change = {short(r["unit"]): r["rank_change"] for r in communes}
    assert (change["Tiên Động"], change["Dân Chủ"], change["Quang Phục"], change["Ngọc Kỳ"]) == ("-3", "1", "-2", "")
    # the band follows the share of the maximum, 74 points
    for r in communes:
        share = float(r["points"]) / 74
        assert r["max"] == "74.0" and abs(share - float(r["share"])) < 1e-9
        assert (0.8 <= share < 0.9) == (r["band"] == "Hoàn thành tốt nhiệm vụ")


def test_district_estimate(scores):
    district = [r for r in scores if r["set"] == "huyen"][0]
    assert (round(float(district["points"]), 2), float(district["max"]), round(float(district["share"]) * 100, 2)) == (
        62.12,
        72.5,
        85.68,
    )


FIELD_MAX = {
    "chi_dao": 10,
    "the_che": 5,
    "thu_tuc": 15,
    "to_chuc": 5,
    "cong_vu": 20,
    "tai_chinh": 7.5,
    "chinh_quyen_so": 11.5,
}


def test_per_field_statements_of_the_seed(scores):
    share = {short(r["unit"]): {f: float(r[f]) / m for f, m in FIELD_MAX.items()} for r in scores if r["set"] == "xa"}

    def count(field, low, high):
        return sorted(u for u, s in share.items() if low - 1e-9 <= s[field] < high)

    assert count("chi_dao", 0.9, 1.01) == ["Ngọc Kỳ"]
    assert len(count("chi_dao", 0.8, 0.9)) == 10 and len(count("chi_dao", 0.7, 0.8)) == 10
    assert count("chi_dao", 0.6, 0.7) == ["Dân Chủ", "Tứ Kỳ"]
    assert len(count("the_che", 0.9, 1.01)) == 22 and count("the_che", 0.8, 0.9) == ["Tân Kỳ"]
    assert round(share["Tân Kỳ"]["the_che"], 4) == 0.8
    assert len(count("thu_tuc", 0.9, 1.01)) == 16 and len(count("thu_tuc", 0.8, 0.9)) == 7
    assert len(count("to_chuc", 0.9, 1.01)) == 23
    assert len(count("cong_vu", 0.6, 0.73)) == 22 and round(share["Dân Chủ"]["cong_vu"] * 100) == 56
    assert len(count("tai_chinh", 0.9, 1.01)) == 18 and len(count("tai_chinh", 0.8, 0.9)) == 5
    assert len(count("chinh_quyen_so", 0.9, 1.01)) == 22
    assert round(share["Tiên Động"]["chinh_quyen_so"] * 100, 2) == 60.87


def test_pdf_annexes_and_sentences(semiannual_run):
    folder, _ = semiannual_run
    text = "\n".join(p.extract_text() for p in PdfReader(str(folder / "phu-luc-2023-H1.pdf")).pages)
    flat = " ".join(text.split())
    for label in ("Phụ lục I", "Phụ lục IV", "Phụ lục VII"):
        assert label in text
    assert "1.698" in flat and "23.664" in flat and "99,94%" in flat and "92,45%" in flat
    assert "UBND huyện Tứ Kỳ tự đánh giá, chấm điểm ước đạt 62,12/72,5 điểm, đạt 85,68%." in flat
    assert "Có 14 UBND xã đạt từ 80% đến dưới 90% số điểm tối đa" in flat
    assert "chưa tính" in flat  # 766 groups we cannot compute are not zeros


def test_index766_leaves_uncomputable_groups_empty(semiannual_run):
    folder, _ = semiannual_run
    rows, header = sheet_rows(folder, 6)
    unit = [r for r in rows if r[1] == "UBND xã Tân Kỳ"][0]
    # công khai (18) and hài lòng (18) need portal data; the rest is computed
    assert unit[2] == "chưa tính" and unit[7] == "chưa tính"
    assert all(isinstance(v, (int, float)) for v in unit[3:7])
    # Tân Kỳ paid nothing online in April–June: 0 of 10 payment points, not "chưa tính"
    assert unit[5] == 0
    department = [r for r in rows if r[1] == "Phòng Tư pháp"][0]
    assert department[10] < 100 - 36  # computed maximum excludes what cannot be computed


def test_the_last_annex_ends_with_averages(semiannual_run):
    """Scores are not summed: each group of the 766 annex ends with its units' average, and the area's last."""
    folder, _ = semiannual_run
    rows, header = sheet_rows(folder, 6)
    col = header.index("Điểm tính được")
    data, averages, current = [], [], []
    for r in rows:
        if isinstance(r[0], int):
            current.append(r[col])
        elif isinstance(r[1], str) and r[1].startswith("Bình quân"):
            averages.append((r[1], r[col]))
            data += current
            current = []
    assert [a for a, _ in averages] == ["Bình quân", "Bình quân", "Bình quân (toàn huyện)"]
    assert averages[-1][1] == pytest.approx(sum(data) / len(data))


def test_the_score_sentences_are_on_a_portrait_page(semiannual_run):
    folder, _ = semiannual_run
    pages = PdfReader(folder / "phu-luc-2023-H1.pdf").pages
    with_sentences = [p for p in pages if "dự kiến xếp loại" in " ".join(p.extract_text().split())]
    assert with_sentences
    assert all(p.mediabox.height > p.mediabox.width for p in with_sentences)

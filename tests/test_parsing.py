from __future__ import annotations

import datetime as dt

import pytest

from cchc_analysis.core.periods import Month, parse_period
from cchc_analysis.core.textnorm import header_key
from cchc_analysis.inputs.formats import canonical
from cchc_analysis.inputs.ingest import _header_index, parse_count, parse_month


@pytest.mark.parametrize(
    "text, value",
    [
        ("1.698", 1698),
        ("23.664", 23664),
        ("1 698", 1698),
        ("1\u00a0698", 1698),
        ("0", 0),
        (" 42 ", 42),
        (17, 17),
        (17.0, 17),
        ("", None),
        (None, None),
        ("1.234.567", 1234567),
        ("12.345.678", 12345678),
        ("1\u202f698", 1698),
        ("1\u00a0234\u00a0567", 1234567),
        ("\u00a01 698\u202f", 1698),
    ],
)
def test_vietnamese_counts(text, value):
    assert parse_count(text) == value


@pytest.mark.parametrize(
    "text, reason",
    [
        ("1,5", "không phải số nguyên"),
        ("2.5", "không phải số nguyên"),
        (12.5, "không phải số nguyên"),
        ("-3", "số âm"),
        ("abc", "không phải số"),
        ("10000000000", "quá lớn"),
        (dt.date(2023, 5, 1), "ngày tháng"),
        (True, "không phải số"),
    ],
)
def test_bad_counts(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_count(text)


# Digits split by something that is not a thousands group: rejected, never joined (23 45 is not 2345).
@pytest.mark.parametrize(
    "text",
    [
        "23 45",
        "4 5",
        "6 7890",
        "12.34.5",
        "1.234 567",
        "1 2345",
        "12 34 567",
        "1\u00a023",
        "1..234",
        "1 . 234",
        "1.234.56",
        ".123",
        "123.",
    ],
)
def test_digits_that_are_not_thousands_groups(text):
    with pytest.raises(ValueError, match="không phải"):
        parse_count(text)


@pytest.mark.parametrize(("text", "reason"), [("1.23", "không phải số nguyên"), ("0,5", "không phải số nguyên")])
def test_fractions_are_not_counts(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_count(text)


@pytest.mark.parametrize("text", ["2023-08", "08/2023", "8/2023", "tháng 8/2023", "T8/2023", dt.datetime(2023, 8, 1)])
def test_months(text):
    assert parse_month(text) == Month(2023, 8)


@pytest.mark.parametrize("text", ["2023-13", "8/23", "August", 202308, ""])
def test_bad_months(text):
    with pytest.raises(ValueError):
        parse_month(text)


def test_periods():
    assert [str(m) for m in parse_period("2023-H1").months()] == [f"2023-{m:02d}" for m in range(1, 7)]
    assert len(parse_period("2023-04..2023-08").months()) == 5
    assert Month(2023, 1) - 1 == Month(2022, 12)
    assert Month(2023, 8).label() == "tháng 8/2023"


@pytest.mark.parametrize(
    "header, column",
    [
        ("Số hóa đầy đủ thành phần hồ sơ", "so_hoa_tiep_nhan"),
        ("SỐ HOÁ ĐẦY ĐỦ THÀNH PHẦN HỒ SƠ", "so_hoa_tiep_nhan"),
        ("so hoa day du thanh phan ho so", "so_hoa_tiep_nhan"),
        ("So_Hoa_Tiep_Nhan", "so_hoa_tiep_nhan"),
        ("Hồ sơ có phí, lệ phí", "co_phi"),
        ("Kỳ báo cáo", "ky"),
        ("Đơn vị", "don_vi"),
        ("Khai thác, sử dụng lại dữ liệu", "tai_su_dung"),
        ("Hủy", "huy"),
        ("Huỷ", "huy"),
    ],
)
def test_headers_match_ignoring_case_spacing_punctuation_diacritics(header, column):
    assert _header_index(canonical())[0][header_key(header)] == column

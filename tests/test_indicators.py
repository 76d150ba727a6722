"""Indicator arithmetic against hand-computed cases."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from cchc_analysis.compute.indicators import area_rates, gap_dossiers, monthly_rates, window_counts, window_rates
from cchc_analysis.core.periods import parse_period

from conftest import frame


def m(month: int) -> dt.date:
    return dt.date(2023, month, 1)


def rate_of(df, unit, indicator):
    return df.filter((pl.col("unit_id") == unit) & (pl.col("indicator") == indicator)).row(0, named=True)


def test_window_sums_numerators_and_denominators_across_months():
    f = frame(
        [
            {"unit_id": "a", "month": m(4), "thanh_toan_truc_tuyen": 1, "co_phi": 10},
            {"unit_id": "a", "month": m(5), "thanh_toan_truc_tuyen": 9, "co_phi": 10},
            {"unit_id": "a", "month": m(6), "thanh_toan_truc_tuyen": 5, "co_phi": 5},
        ]
    )
    row = rate_of(window_rates(f, parse_period("2023-04..2023-05")), "a", "online_payment")
    assert (row["numerator"], row["denominator"], row["rate"]) == (10, 20, 0.5)


def test_zero_or_null_denominator_gives_no_rate():
    f = frame(
        [
            {"unit_id": "a", "month": m(5), "so_hoa_tiep_nhan": 0, "phai_so_hoa_tiep_nhan": 0},
            {"unit_id": "b", "month": m(5), "so_hoa_tiep_nhan": None, "phai_so_hoa_tiep_nhan": None},
        ]
    )
    w = window_rates(f, parse_period("2023-05"))
    assert rate_of(w, "a", "digitized_input")["rate"] is None
    b = rate_of(w, "b", "digitized_input")
    assert (b["numerator"], b["denominator"], b["rate"]) == (None, None, None)


def test_pooled_area_rate_is_not_the_mean_of_unit_rates():
    f = frame(
        [
            {"unit_id": "a", "month": m(5), "so_hoa_ket_qua": 1, "ket_qua": 1},
            {"unit_id": "b", "month": m(5), "so_hoa_ket_qua": 50, "ket_qua": 100},
            {"unit_id": "p", "unit_kind": "phong_ban", "month": m(5), "so_hoa_ket_qua": 9, "ket_qua": 10},
            {"unit_id": "c", "month": m(5), "so_hoa_ket_qua": None, "ket_qua": None},
        ]
    )
    area = area_rates(window_rates(f, parse_period("2023-05"))).filter(pl.col("indicator") == "digitized_output")
    got = {r["scope"]: (r["numerator"], r["denominator"]) for r in area.iter_rows(named=True)}
    assert got == {"commune_level": (51, 101), "departments": (9, 10), "all": (60, 111)}


def test_on_time_rate_uses_resolved_dossiers():
    f = frame([{"unit_id": "a", "month": m(1), "dung_han": 1641, "qua_han": 1}])
    assert rate_of(window_rates(f, parse_period("2023-01")), "a", "on_time")["rate"] == pytest.approx(1641 / 1642)


def test_counts_stay_null_when_never_reported():
    f = frame(
        [
            {"unit_id": "a", "month": m(1), "chung_thuc_dien_tu": None, "qua_han": 2},
            {"unit_id": "a", "month": m(2), "chung_thuc_dien_tu": None, "qua_han": 1},
            {"unit_id": "b", "month": m(1), "chung_thuc_dien_tu": 0, "qua_han": 0},
        ]
    )
    c = {r["unit_id"]: r for r in window_counts(f, parse_period("2023-01..2023-02")).iter_rows(named=True)}
    assert (c["a"]["e_cert"], c["a"]["late"], c["b"]["e_cert"]) == (None, 3, 0)


def test_change_and_runs_of_decline():
    rates = [(1, 90, 100), (2, 95, 100), (3, 94, 100), (4, 90, 100), (5, 80, 100), (6, 85, 100)]
    f = frame([{"unit_id": "a", "month": m(k), "so_hoa_tiep_nhan": n, "phai_so_hoa_tiep_nhan": d} for k, n, d in rates])
    got = monthly_rates(f).filter(pl.col("indicator") == "digitized_input").sort("month")
    assert [None if c is None else round(c, 6) for c in got["change_pp"]] == [None, 5.0, -1.0, -4.0, -10.0, 5.0]
    assert got["decline_run"].to_list() == [0, 0, 1, 2, 3, 0]


def test_no_change_across_a_missing_month():
    f = frame(
        [
            {"unit_id": "a", "month": m(3), "so_hoa_tiep_nhan": 9, "phai_so_hoa_tiep_nhan": 10},
            {"unit_id": "a", "month": m(5), "so_hoa_tiep_nhan": 8, "phai_so_hoa_tiep_nhan": 10},
        ]
    )
    got = monthly_rates(f).filter(pl.col("indicator") == "digitized_input").sort("month")
    assert got["change_pp"].to_list() == [None, None] and got["decline_run"].to_list() == [0, 0]


@pytest.mark.parametrize(
    "num, den, target, need", [(136, 154, 0.9665, 13), (10, 10, 0.9, 0), (0, 0, 0.3, None), (3, 73, 0.30, 19)]
)
def test_gap_in_dossiers(num, den, target, need):
    # 0,9665 × 154 = 148,84 → 149 − 136 = 13; 0,30 × 73 = 21,9 → 22 − 3 = 19
    assert gap_dossiers(num, den, target) == need

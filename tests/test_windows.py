"""A figure over a window needs every month of it (issue 26, item 1): an analyst's first real month, with only
that month in the store, stops naming the months the windows lack, or, allowed to go on, says so and states
nothing that rests on them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from cchc_analysis.compute.completeness import IncompleteData, month_list, span
from cchc_analysis.core.periods import Half, Month, Window
from cchc_analysis.documents.monthly import review_from_frame
from cchc_analysis.documents.semiannual import review_semiannual
from cchc_analysis.inputs.ingest import check
from cchc_analysis.inputs.units import Registry

from conftest import sample_params

TU_KY = Registry.load("tu-ky")

SAMPLE = Path(__file__).resolve().parents[1] / "cchc_analysis" / "data" / "sample"
WINDOW_RULES = {"remind_good_month_poor_window", "remind_no_e_cert", "escalate_no_e_cert", "escalate_payment"}


@pytest.fixture(scope="module")
def sample_rows() -> pl.DataFrame:
    """The sample's months as the store gives them (unit names and kinds beside the counts)."""
    registry = Registry.load("tu-ky")
    batch = check(sorted(SAMPLE.glob("so-lieu-2023-*.csv")), registry)
    rows = pl.concat([f.frame for f in batch.files], how="diagonal_relaxed")
    units = pl.DataFrame(
        {
            "unit_id": [u.id for u in registry.units],
            "unit": [u.name for u in registry.units],
            "unit_kind": [u.kind for u in registry.units],
        }
    )
    return rows.join(units, on="unit_id", how="left").with_columns(area=pl.lit("tu-ky"))


def test_month_lists_and_spans_as_offices_write_them():
    assert month_list([Month(2023, m) for m in (7, 4, 5, 6)]) == "tháng 4, 5, 6, 7/2023"
    assert month_list([Month(2023, 1), Month(2022, 12), Month(2022, 11)]) == "tháng 11, 12/2022, 1/2023"
    assert span(Window(Month(2023, 4), Month(2023, 8))) == "01/4–31/8/2023"
    assert span(Window(Month(2022, 12), Month(2023, 2))) == "01/12/2022–28/2/2023"


def test_one_month_alone_stops_naming_every_month_the_windows_need(sample_rows):
    august = sample_rows.filter(pl.col("month") == dt.date(2023, 8, 1))
    with pytest.raises(IncompleteData) as caught:
        review_from_frame(august, Month(2023, 8), sample_params(Month(2023, 8)), TU_KY)
    text = str(caught.value)
    assert "thiếu số liệu tháng 1, 2, 3, 4, 5, 6, 7/2023" in text
    assert "01/4–31/8/2023" in text and "--allow-partial" in text


def test_a_month_one_unit_lacks_names_that_unit(sample_rows):
    registry = Registry.load("tu-ky")
    van_to = registry.match("Văn Tố")
    gapped = sample_rows.filter(~((pl.col("unit_id") == van_to.id) & (pl.col("month") == dt.date(2023, 6, 1))))
    with pytest.raises(IncompleteData) as caught:
        review_from_frame(gapped, Month(2023, 8), sample_params(Month(2023, 8)), TU_KY)
    assert f"tháng 6/2023 của 1 đơn vị ({van_to.name})" in str(caught.value)


def test_allowed_to_go_on_it_states_the_gap_and_nothing_resting_on_it(sample_rows):
    params = sample_params(Month(2023, 8))
    whole = review_from_frame(sample_rows, Month(2023, 8), params, TU_KY)
    # the sample's August letter does rest on windows: without them it must say less, not the same
    assert WINDOW_RULES & set(whole.findings["rule"].to_list())
    assert not whole.notes()

    last_two = sample_rows.filter(pl.col("month") >= dt.date(2023, 7, 1))
    partial = review_from_frame(last_two, Month(2023, 8), params, TU_KY, allow_partial=True)
    assert not WINDOW_RULES & set(partial.findings["rule"].to_list())
    # what rests on the month alone is kept, unchanged
    month_only = whole.findings.filter(~pl.col("rule").is_in(sorted(WINDOW_RULES)))
    assert sorted(month_only["sentence"].to_list()) == sorted(partial.findings["sentence"].to_list())
    note = " ".join(partial.notes())
    assert "thiếu số liệu tháng 1, 2, 3, 4, 5, 6/2023" in note and "trong các tháng đã có số liệu" in note


def test_a_half_year_needs_each_of_its_months(sample_rows):
    params = sample_params(Half(2023, 1))
    scores = pl.DataFrame(
        schema={"period": pl.String, "unit_id": pl.String, "criterion_id": pl.String, "score": pl.String}
    )
    no_march = sample_rows.filter(pl.col("month") != dt.date(2023, 3, 1))
    with pytest.raises(IncompleteData, match=r"thiếu số liệu tháng 3/2023 \(6 tháng đầu năm 2023 01/1–30/6/2023"):
        review_semiannual(no_march, scores, Registry.load("tu-ky"), Half(2023, 1), params)
    partial = review_semiannual(no_march, scores, Registry.load("tu-ky"), Half(2023, 1), params, allow_partial=True)
    assert "tháng 3/2023" in partial.notes()[0]

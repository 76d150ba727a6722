"""Scoring arithmetic, band edges, ties, criteria-file validation and the grouped sentences, on data built here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from cchc_analysis.compute.scoring import band_of, competition_ranks, grouped_sentences, score_units, unit_list
from cchc_analysis.core.exceptions import UsageError
from cchc_analysis.core.params import load_params
from cchc_analysis.core.periods import Half
from cchc_analysis.inputs.criteria import load_criteria
from cchc_analysis.inputs.units import Unit

from conftest import sample_params

BANDS = load_params().scoring.bands
D = Decimal

CRITERIA = """
area: t
year: 2023
unit_kind: xa
applies_to: [xa, thi_tran]
title: Bộ tiêu chí thử
max_total: 10
fields:
  - id: a
    name: Lĩnh vực A
    max: 6
    criteria:
      - {id: "1.1", name: "Tự chấm", max: 4}
      - {id: "1.2", name: "Đúng hạn", max: 2, method: computed, indicator: on_time, thresholds: [[1.0, 1], [0.95, 0.5]]}
  - id: b
    name: Lĩnh vực B
    max: 4
    criteria:
      - {id: "2.1", name: "Chứng thực", max: 1, method: computed, indicator: e_cert, thresholds: [[1, 1]]}
      - {id: "2.2", name: "Cuối năm", max: 3, method: deferred}
"""


def criteria(tmp_path, text=CRITERIA):
    path = tmp_path / "t-2023-xa.yaml"
    path.write_text(text, encoding="utf-8")
    return load_criteria(path)


def unit(uid, kind="xa"):
    return Unit(uid, f"UBND xã {uid.title()}", uid.title(), kind, "t", None, None, ())


@pytest.mark.parametrize(
    ("share", "band"),
    [
        (D("0.9"), "Hoàn thành xuất sắc nhiệm vụ"),
        (D("0.8999"), "Hoàn thành tốt nhiệm vụ"),
        (D("0.8"), "Hoàn thành tốt nhiệm vụ"),
        (D("0.7999"), "Hoàn thành nhiệm vụ"),
        (D("0.7"), "Hoàn thành nhiệm vụ"),
        (D("0.6999"), "Không hoàn thành nhiệm vụ"),
        (D("0"), "Không hoàn thành nhiệm vụ"),
    ],
)
def test_band_edges(share, band):
    assert band_of(share, BANDS) == band


def test_shares_exactly_at_an_edge_are_not_lost_to_floating_point(tmp_path):
    # 66,6 / 74 and 5,6 / 7 are 0,8999999999999999 and 0,7999999999999999 in floating point
    assert 66.6 / 74 < 0.9 and 5.6 / 7 < 0.8
    assert band_of(D("66.6") / D(74), BANDS) == "Hoàn thành xuất sắc nhiệm vụ"
    assert band_of(D("5.6") / D(7), BANDS) == "Hoàn thành tốt nhiệm vụ"


def test_ties_share_a_rank():
    assert competition_ranks([D(10), D(9), D(9), D(8)]) == [1, 2, 2, 4]
    assert competition_ranks([D("7.5")] * 3) == [1, 1, 1]


def test_points_per_criterion_field_and_total(tmp_path):
    cset = criteria(tmp_path)
    units = [unit("an"), unit("binh"), unit("chi"), unit("dept", "phong_ban")]
    self_scores = {("an", "1.1"): D("3.5"), ("binh", "1.1"): D(4), ("chi", "1.1"): D(4)}
    values = {
        ("an", "on_time"): 1.0,
        ("an", "e_cert"): 3,
        ("binh", "on_time"): 0.95,
        ("binh", "e_cert"): 0,  # exactly 95%: half of 2 points
        ("chi", "on_time"): 0.9499,
        ("chi", "e_cert"): None,
    }  # below 95%; e-cert not reported
    s = score_units(units, [cset], self_scores, values, BANDS, {"an": 3})
    totals = {r["unit_id"]: r for r in s.totals.iter_rows(named=True)}
    assert set(totals) == {"an", "binh", "chi"}  # no criteria set for departments
    # an: 3,5 + 2 + 1 + 0 (deferred) = 6,5 of 10; binh: 4 + 1 + 0 = 5; chi: 4 + 0 + 0 = 4
    assert [totals[u]["points"] for u in ("an", "binh", "chi")] == [6.5, 5.0, 4.0]
    assert [totals[u]["rank"] for u in ("an", "binh", "chi")] == [1, 2, 3]
    assert totals["an"]["previous_rank"] == 3 and totals["an"]["rank_change"] == 2
    assert totals["binh"]["rank_change"] is None
    crit = {(r["unit_id"], r["criterion_id"]): r for r in s.criteria.iter_rows(named=True)}
    assert crit[("an", "2.2")]["status"] == "deferred" and crit[("an", "2.2")]["points"] == 0
    assert crit[("chi", "2.1")]["status"] == "no_data" and crit[("chi", "2.1")]["points"] == 0
    fields = {(r["unit_id"], r["field_id"]): r for r in s.fields.iter_rows(named=True)}
    assert fields[("an", "a")]["points"] == 5.5 and fields[("an", "a")]["share"] == pytest.approx(5.5 / 6)
    assert fields[("an", "b")]["bin"] == "dưới 60%"  # 1 of 4


def test_a_missing_self_score_counts_zero_and_is_flagged(tmp_path):
    s = score_units([unit("an")], [criteria(tmp_path)], {}, {("an", "on_time"): 1.0}, BANDS)
    row = s.criteria.filter(pl.col("criterion_id") == "1.1").row(0, named=True)
    assert (row["points"], row["status"]) == (0.0, "missing")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("max: 6\n    criteria", "max: 7\n    criteria"), "khác điểm tối đa"),
        (("max_total: 10", "max_total: 11"), "khác max_total"),
        (("indicator: on_time", "indicator: speed"), "chỉ tiêu «speed» không có"),
        (("[[1.0, 1], [0.95, 0.5]]", "[[0.95, 0.5], [1.0, 1]]"), "giảm dần"),
        (('{id: "2.1"', '{id: "1.1"'), "mã tiêu chí trùng"),
        (("title: Bộ tiêu chí thử", "title: Bộ tiêu chí thử\nowner: x"), "owner: khóa không được phép"),
        (("max: 3, method: deferred", "max: 3, method: deferred, indicator: online"), "chỉ dùng với method: computed"),
    ],
)
def test_criteria_file_is_checked_on_load(tmp_path, change, message):
    with pytest.raises(UsageError, match=message):
        criteria(tmp_path, CRITERIA.replace(*change))


def test_shipped_criteria_have_the_seed_maxima():
    from cchc_analysis.inputs.criteria import criteria_sets

    sets = {s.unit_kind: s for s in criteria_sets("tu-ky", 2023)}
    assert sets["xa"].max_total == 74 and sets["huyen"].max_total == D("72.5")
    assert len(sets["xa"].fields) == len(sets["huyen"].fields) == 7


def test_grouped_sentences_name_the_units_the_reports_way():
    table = pl.DataFrame(
        {
            "unit": ["UBND xã An Thanh", "UBND thị trấn Tứ Kỳ", "UBND xã Hà Kỳ", "UBND xã Ngọc Kỳ"],
            "unit_kind": ["xa", "thi_tran", "xa", "xa"],
            "share": [0.85, 0.82, 0.81, 0.9],
            "bin": ["từ 80% đến dưới 90%"] * 3 + ["từ 90% đến 100%"],
        }
    )
    out = grouped_sentences(table, "điểm số", "bin", ["từ 90% đến 100%", "từ 80% đến dưới 90%", "dưới 60%"])
    assert out == [
        "UBND xã Ngọc Kỳ đạt điểm số 90,00% (từ 90% đến 100%).",
        "Có 03 UBND xã, thị trấn đạt điểm số ở mức từ 80% đến dưới 90% (UBND các xã An Thanh, Hà Kỳ và "
        "thị trấn Tứ Kỳ).",
    ]
    assert unit_list(["UBND xã A"], ["xa"]) == "UBND xã A"


def test_unknown_previous_rank_unit_is_a_usage_error(tmp_path):
    from cchc_analysis.documents.semiannual import review_semiannual
    from cchc_analysis.inputs.units import Registry

    params = sample_params(Half(2023, 1))
    params = params.model_copy(update={"scoring": params.scoring.model_copy(update={"previous_ranks": {"Xã Ma": 3}})})
    from conftest import frame as build

    f = build([{"unit_id": "an-thanh", "month": dt.date(2023, 1, 1), "tiep_nhan": 1}])
    with pytest.raises(UsageError, match="previous_ranks: không có đơn vị «Xã Ma»"):
        review_semiannual(
            f,
            pl.DataFrame(
                schema={"period": pl.String, "unit_id": pl.String, "criterion_id": pl.String, "score": pl.String}
            ),
            Registry.load("tu-ky"),
            Half(2023, 1),
            params,
            allow_partial=True,  # one month of the half: the unknown name is what this test is about
        )

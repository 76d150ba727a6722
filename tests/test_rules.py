"""Each rule and the comparison arithmetic on data built here, computed by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl

from cchc_analysis.compute.findings import build_context, evaluate
from cchc_analysis.compute.indicators import compare
from cchc_analysis.core.params import load_params
from cchc_analysis.core.periods import Month
from cchc_analysis.documents.monthly import review_from_frame
from cchc_analysis.inputs.units import Registry

from conftest import frame


def row(unit, month, kind="xa", **counts):
    return {"unit_id": unit, "unit_kind": kind, "month": dt.date(2023, month, 1), **counts}


def params(**rules):
    base = load_params()
    return base.model_copy(
        update={
            "rules": base.rules.model_copy(
                update={k: getattr(base.rules, k).model_copy(update=v) for k, v in rules.items()}
            )
        }
    )


def rules_of(findings: pl.DataFrame, unit: str) -> set[tuple[str, str]]:
    if findings.is_empty():
        return set()
    return {(r["rule"], r["indicator"]) for r in findings.filter(pl.col("unit_id") == unit).iter_rows(named=True)}


def test_gap_to_area_and_target_in_points_and_dossiers():
    rates = pl.DataFrame(
        {
            "unit_id": ["a", "b", "c"],
            "indicator": ["online_payment"] * 3,
            "numerator": [10, 45, None],
            "denominator": [100, 50, None],
            "rate": [0.10, 0.90, None],
        }
    )
    out = {
        r["unit_id"]: r
        for r in compare(rates, {"online_payment": 0.25}, {"online_payment": 0.30}).iter_rows(named=True)
    }
    # a: 10/100 → 15 more dossiers to reach 25%, 20 more to reach 30%; 15 and 20 points below
    assert round(out["a"]["gap_pp"], 6) == 15 and out["a"]["gap_dossiers"] == 15
    assert round(out["a"]["target_gap_pp"], 6) == 20 and out["a"]["target_gap_dossiers"] == 20
    # b is above both: negative gaps, no dossiers needed
    assert (
        round(out["b"]["gap_pp"], 6) == -65 and out["b"]["gap_dossiers"] == 0 and out["b"]["target_gap_dossiers"] == 0
    )
    # c reports nothing: no gap at all, never 0
    assert out["c"]["gap_pp"] is None and out["c"]["gap_dossiers"] is None


def test_a_fraction_needs_a_whole_dossier():
    rates = pl.DataFrame(
        {"unit_id": ["a"], "indicator": ["digitized_input"], "numerator": [96], "denominator": [100], "rate": [0.96]}
    )
    out = compare(rates, {"digitized_input": 0.9665}, {"digitized_input": 1.0}).row(0, named=True)
    assert out["gap_dossiers"] == 1 and out["target_gap_dossiers"] == 4  # 96,65 needs 97 of 100


def digitization_month(unit, month, num, den, kind="xa"):
    return row(
        unit,
        month,
        kind,
        so_hoa_tiep_nhan=num,
        phai_so_hoa_tiep_nhan=den,
        so_hoa_ket_qua=den,
        ket_qua=den,
        chung_thuc_dien_tu=1,
    )


def test_remind_below_area_respects_min_gap_and_min_denominator():
    f = frame(
        [
            digitization_month("a", 5, 90, 100),
            digitization_month("b", 5, 99, 100),
            digitization_month("c", 5, 1, 2),
            digitization_month("d", 5, 1000, 1000),
        ]
    )
    # area: (90+99+1+1000)/(100+100+2+1000) = 1190/1202 = 99,00%
    loose = evaluate(build_context(f, Month(2023, 5), params()))
    assert ("remind_below_area", "digitized_input") in rules_of(loose, "a")
    assert ("remind_below_area", "digitized_input") in rules_of(loose, "b")  # 0,002 points below
    strict = evaluate(
        build_context(f, Month(2023, 5), params(remind_below_area={"min_gap_pp": 5, "min_denominator": 10}))
    )
    assert ("remind_below_area", "digitized_input") in rules_of(strict, "a")  # 9 points below
    assert not rules_of(strict, "b") & {("remind_below_area", "digitized_input")}
    assert not rules_of(strict, "c") & {("remind_below_area", "digitized_input")}  # 50% of 2 dossiers


def test_good_month_poor_window_on_digitization_needs_the_improvement():
    rows = [digitization_month("a", m, 50, 100) for m in (1, 2, 3)] + [digitization_month("a", 4, 97, 100)]
    rows += [digitization_month("b", m, 99, 100) for m in (1, 2, 3, 4)]
    f = frame(rows)
    # a: April 97% but January–April 62,25%, below the area's 80,63% over the same months
    found = evaluate(build_context(f, Month(2023, 4), params()))
    assert ("remind_good_month_poor_window", "digitized_input") in rules_of(found, "a")
    none = evaluate(build_context(f, Month(2023, 4), params(remind_good_month_poor_window={"min_improvement_pp": 40})))
    assert ("remind_good_month_poor_window", "digitized_input") not in rules_of(none, "a")


def test_payment_rules_month_and_window():
    def pay(unit, month, num, den):
        return row(unit, month, co_phi=den, thanh_toan_truc_tuyen=num, chung_thuc_dien_tu=1)

    f = frame(
        [
            pay("good-month", 4, 0, 100),
            pay("good-month", 5, 40, 100),  # 40% in May, 20% over 04–05
            pay("both-poor", 4, 10, 100),
            pay("both-poor", 5, 10, 100),  # 10% and 10%
            pay("fine", 4, 50, 100),
            pay("fine", 5, 50, 100),
        ]
    )
    found = evaluate(build_context(f, Month(2023, 5), params()))
    gm = found.filter(pl.col("unit_id") == "good-month").row(0, named=True)
    assert gm["rule"] == "remind_good_month_poor_window" and (gm["value"], gm["window_value"]) == (0.4, 0.2)
    bp = found.filter((pl.col("unit_id") == "both-poor") & (pl.col("kind") == "escalate")).row(0, named=True)
    assert bp["rule"] == "escalate_payment" and bp["level"] == 1
    assert rules_of(found, "fine") == set()
    # the ladder: two earlier sanctions this year → level 3, and never beyond
    assert evaluate(build_context(f, Month(2023, 5), params()), {"both-poor": 2}).filter(pl.col("kind") == "escalate")[
        "level"
    ].to_list() == [3]
    assert evaluate(build_context(f, Month(2023, 5), params()), {"both-poor": 7}).filter(pl.col("kind") == "escalate")[
        "level"
    ].to_list() == [3]
    off = evaluate(build_context(f, Month(2023, 5), params(escalate_payment={"enabled": False})))
    assert off.filter(pl.col("kind") == "escalate").is_empty()


def test_e_certification_only_for_communes_and_only_when_reported():
    f = frame(
        [
            row("xa-zero", 5, "xa", chung_thuc_dien_tu=0),
            row("phong-zero", 5, "phong_ban", chung_thuc_dien_tu=0),
            row("xa-null", 5, "xa", chung_thuc_dien_tu=None),
            row("xa-some", 4, "xa", chung_thuc_dien_tu=2),
            row("xa-some", 5, "xa", chung_thuc_dien_tu=0),
        ]
    )
    found = evaluate(build_context(f, Month(2023, 5), params()))
    assert rules_of(found, "xa-zero") == {("remind_no_e_cert", "e_cert"), ("escalate_no_e_cert", "e_cert")}
    assert rules_of(found, "phong-zero") == set()
    assert rules_of(found, "xa-null") == set()  # not reported is not zero
    assert rules_of(found, "xa-some") == set()  # two since January


def test_review_orders_the_letter_and_builds_the_headline():
    f = frame(
        [
            digitization_month("a", 4, 90, 100),
            digitization_month("a", 5, 80, 100),
            digitization_month("b", 4, 100, 100),
            digitization_month("b", 5, 100, 100, "phong_ban"),
        ]
    )
    review = review_from_frame(f, Month(2023, 5), params(), Registry.load("tu-ky"))
    kinds = review.findings["kind"].to_list()
    assert kinds == sorted(kinds, key=["commend", "remind", "escalate"].index)
    # area input: April 190/200 = 95%, May 180/200 = 90% → "giảm 5%"
    assert "đạt 90%, giảm 5% so với tháng 4/2023" in review.headline()

"""The monthly letter's findings: commend, remind and escalate, from the rules in params.

Escalation levels come from letters already issued (``issued_sanctions``), never from recomputing the
past: level = 1 + formal sanctions the unit received earlier in the same year, capped at the ladder's top.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from cchc_analysis.compute.indicators import area_rates, gap_dossiers, monthly_rates, window_counts, window_rates
from cchc_analysis.core.glossary import COMMUNE_LEVEL_KINDS
from cchc_analysis.core.params import Params
from cchc_analysis.core.periods import Month, Window

FINDING_COLUMNS = (
    "period",
    "unit_id",
    "unit",
    "unit_kind",
    "indicator",
    "kind",
    "rule",
    "level",
    "value",
    "window_value",
    "area_value",
    "change_pp",
    "gap_pp",
    "decline_run",
    "gap_dossiers",
)


# findings about a unit rather than one rate (both digitization rates, e-certification) carry no gap
_NO_RATE = {
    "value": None,
    "area_value": None,
    "gap_pp": None,
    "gap_dossiers": None,
    "change_pp": None,
    "decline_run": None,
}


@dataclass(frozen=True)
class Context:
    """Everything the rules read for one month, computed once."""

    month: Month
    params: Params
    units: pl.DataFrame  # unit_id, unit, unit_kind
    month_rates: pl.DataFrame  # unit_id, indicator, numerator, denominator, rate, change_pp, decline_run
    area: dict[str, float | None]  # indicator → pooled rate of all units this month
    ytd: pl.DataFrame  # unit_id, indicator, rate over January..month
    area_ytd: dict[str, float | None]
    payment_window: pl.DataFrame  # unit_id, rate over the payment window
    e_cert_ytd: dict[str, int | None]


def build_context(frame: pl.DataFrame, month: Month, params: Params) -> Context:
    upto = frame.filter(pl.col("month") <= month.first_day)
    monthly = monthly_rates(upto).filter(pl.col("month") == month.first_day)
    this = window_rates(upto, Window(month, month))
    area = {r["indicator"]: r["rate"] for r in area_rates(this).filter(pl.col("scope") == "all").iter_rows(named=True)}
    ytd_window = Window(Month(month.year, 1), month)
    ytd = window_rates(upto, ytd_window)
    area_ytd = {
        r["indicator"]: r["rate"] for r in area_rates(ytd).filter(pl.col("scope") == "all").iter_rows(named=True)
    }
    pay = window_rates(upto, params.payment_window(month)).filter(pl.col("indicator") == "online_payment")
    counts = window_counts(upto, ytd_window)
    return Context(
        month=month,
        params=params,
        units=this.select("unit_id", "unit", "unit_kind").unique().sort("unit_id"),
        month_rates=monthly.select(
            "unit_id", "indicator", "numerator", "denominator", "rate", "change_pp", "decline_run"
        ),
        area=area,
        ytd=ytd.select("unit_id", "indicator", "rate"),
        area_ytd=area_ytd,
        payment_window=pay.select("unit_id", "rate"),
        e_cert_ytd=dict(counts.select("unit_id", "e_cert").iter_rows()),
    )


def _rates(ctx: Context) -> dict[tuple[str, str], dict]:
    return {(r["unit_id"], r["indicator"]): r for r in ctx.month_rates.iter_rows(named=True)}


def evaluate(ctx: Context, issued_sanctions: dict[str, int] | None = None) -> pl.DataFrame:
    """All findings for the month. ``issued_sanctions``: unit → letters of the same year, before this
    month, in which the unit received a formal sanction."""
    issued_sanctions = issued_sanctions or {}
    rules, targets = ctx.params.rules, ctx.params.targets
    rates = _rates(ctx)
    ytd = {(r["unit_id"], r["indicator"]): r["rate"] for r in ctx.ytd.iter_rows(named=True)}
    pay_window = dict(ctx.payment_window.iter_rows())
    out: list[dict] = []

    def rate(unit: str, ind: str) -> float | None:
        r = rates.get((unit, ind))
        return None if r is None else r["rate"]

    def add(unit: dict, indicator: str, kind: str, rule: str, **extra) -> None:
        r = rates.get((unit["unit_id"], indicator), {})
        value = r.get("rate")
        area = ctx.area.get(indicator)
        row = {
            "period": str(ctx.month),
            **unit,
            "indicator": indicator,
            "kind": kind,
            "rule": rule,
            "level": None,
            "value": value,
            "window_value": None,
            "area_value": area,
            "change_pp": r.get("change_pp"),
            "gap_pp": None if value is None or area is None else (area - value) * 100,
            "decline_run": r.get("decline_run"),
            "gap_dossiers": gap_dossiers(r.get("numerator"), r.get("denominator"), area),
        }
        row.update(extra)
        out.append(row)

    for unit in ctx.units.iter_rows(named=True):
        uid = unit["unit_id"]
        r_in, r_out, r_pay = rate(uid, "digitized_input"), rate(uid, "digitized_output"), rate(uid, "online_payment")
        both = r_in == 1 and r_out == 1
        if rules.commend_both_digitization.enabled and both:
            add(unit, "digitization", "commend", "commend_both_digitization", **_NO_RATE)
        if rules.commend_single_full.enabled and not both:
            for ind in rules.commend_single_full.indicators:
                if rate(uid, ind) == 1:
                    add(unit, ind, "commend", "commend_single_full")
        t = rules.commend_thresholds
        if (
            t.enabled
            and not both
            and r_in is not None
            and r_out is not None
            and r_pay is not None
            and r_in >= t.digitized_input
            and r_out >= t.digitized_output
            and r_pay >= t.online_payment
        ):
            add(unit, "all_three", "commend", "commend_thresholds", **_NO_RATE)
        below = rules.remind_below_area
        if below.enabled:
            for ind in below.indicators:
                v, a = rate(uid, ind), ctx.area.get(ind)
                den = (rates.get((uid, ind)) or {}).get("denominator") or 0
                if (
                    v is not None
                    and a is not None
                    and v < a
                    and (a - v) * 100 >= below.min_gap_pp
                    and den >= below.min_denominator
                ):
                    add(unit, ind, "remind", "remind_below_area")
        if rules.remind_good_month_poor_window.enabled:
            for ind in rules.remind_good_month_poor_window.indicators:
                v = rate(uid, ind)
                if ind == "online_payment":
                    w = pay_window.get(uid)
                    if v is not None and w is not None and v >= targets.online_payment > w:
                        add(
                            unit,
                            ind,
                            "remind",
                            "remind_good_month_poor_window",
                            window_value=w,
                            area_value=targets.online_payment,
                            gap_pp=(targets.online_payment - w) * 100,
                        )
                else:
                    w, aw = ytd.get((uid, ind)), ctx.area_ytd.get(ind)
                    if (
                        v is not None
                        and w is not None
                        and aw is not None
                        and aw > w
                        and (v - w) * 100 >= rules.remind_good_month_poor_window.min_improvement_pp
                    ):
                        add(
                            unit,
                            ind,
                            "remind",
                            "remind_good_month_poor_window",
                            window_value=w,
                            area_value=aw,
                            gap_pp=(aw - w) * 100,
                        )
        no_ecert = unit["unit_kind"] in COMMUNE_LEVEL_KINDS and ctx.e_cert_ytd.get(uid) == 0
        if rules.remind_no_e_cert.enabled and no_ecert:
            add(unit, "e_cert", "remind", "remind_no_e_cert", **{**_NO_RATE, "value": 0})
        sanctions = []
        if rules.escalate_no_e_cert.enabled and no_ecert:
            sanctions.append(("e_cert", {**_NO_RATE, "value": 0}))
        w = pay_window.get(uid)
        if (
            rules.escalate_payment.enabled
            and r_pay is not None
            and w is not None
            and r_pay < targets.online_payment
            and w < targets.online_payment
        ):
            sanctions.append(
                (
                    "online_payment",
                    {
                        "window_value": w,
                        "area_value": targets.online_payment,
                        "gap_pp": (targets.online_payment - r_pay) * 100,
                    },
                )
            )
        level = min(len(ctx.params.ladder), 1 + issued_sanctions.get(uid, 0))
        for ind, extra in sanctions:
            add(
                unit,
                ind,
                "escalate",
                "escalate_no_e_cert" if ind == "e_cert" else "escalate_payment",
                level=level,
                **extra,
            )
    return (
        pl.DataFrame(
            out,
            schema_overrides={"level": pl.Int32, "decline_run": pl.Int32, "gap_dossiers": pl.Int64},
            infer_schema_length=None,
        ).select(FINDING_COLUMNS)
        if out
        else pl.DataFrame()
    )

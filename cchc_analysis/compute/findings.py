"""The monthly letter's findings: commend, remind and escalate, from the rules in params.

Escalation levels come from letters already issued (``issued_sanctions``), never from recomputing the
past: level = 1 + formal sanctions the unit received earlier in the same year, capped at the ladder's top.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    windows: dict[str, Window]  # "month", "ytd", "payment"
    window_rates: dict[str, pl.DataFrame]  # each window's rates per unit (window_rates), computed once a run


def month_windows(month: Month, params: Params) -> dict[str, Window]:
    """The windows a month is reviewed over: the month, the year to date and the online-payment window."""
    return {
        "month": Window(month, month),
        "ytd": Window(Month(month.year, 1), month),
        "payment": params.payment_window(month),
    }


def build_context(frame: pl.DataFrame, month: Month, params: Params) -> Context:
    upto = frame.filter(pl.col("month") <= month.first_day)
    monthly = monthly_rates(upto).filter(pl.col("month") == month.first_day)
    windows = month_windows(month, params)
    per_window = {name: window_rates(upto, w) for name, w in windows.items()}
    this, ytd = per_window["month"], per_window["ytd"]
    area = {r["indicator"]: r["rate"] for r in area_rates(this).filter(pl.col("scope") == "all").iter_rows(named=True)}
    area_ytd = {
        r["indicator"]: r["rate"] for r in area_rates(ytd).filter(pl.col("scope") == "all").iter_rows(named=True)
    }
    pay = per_window["payment"].filter(pl.col("indicator") == "online_payment")
    counts = window_counts(upto, windows["ytd"])
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
        windows=windows,
        window_rates=per_window,
    )


def _rates(ctx: Context) -> dict[tuple[str, str], dict]:
    return {(r["unit_id"], r["indicator"]): r for r in ctx.month_rates.iter_rows(named=True)}


class _Rules:
    """The monthly rules applied to one unit at a time, each adding its findings in the letter's order."""

    def __init__(self, ctx: Context, issued_sanctions: dict[str, int]):
        self.ctx, self.issued = ctx, issued_sanctions
        self.rules, self.targets = ctx.params.rules, ctx.params.targets
        self.rates = _rates(ctx)
        self.ytd = {(r["unit_id"], r["indicator"]): r["rate"] for r in ctx.ytd.iter_rows(named=True)}
        self.pay_window = dict(ctx.payment_window.iter_rows())
        self.out: list[dict] = []

    def rate(self, unit: str, ind: str) -> float | None:
        r = self.rates.get((unit, ind))
        return None if r is None else r["rate"]

    def add(self, unit: dict, indicator: str, kind: str, rule: str, **extra: Any) -> None:
        r = self.rates.get((unit["unit_id"], indicator), {})
        value = r.get("rate")
        area = self.ctx.area.get(indicator)
        row = {
            "period": str(self.ctx.month),
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
        self.out.append(row)

    def commend(self, unit: dict) -> None:
        uid, rules = unit["unit_id"], self.rules
        r_in, r_out, r_pay = (self.rate(uid, i) for i in ("digitized_input", "digitized_output", "online_payment"))
        both = r_in == 1 and r_out == 1
        if rules.commend_both_digitization.enabled and both:
            self.add(unit, "digitization", "commend", "commend_both_digitization", **_NO_RATE)
        if rules.commend_single_full.enabled and not both:
            for ind in rules.commend_single_full.indicators:
                if self.rate(uid, ind) == 1:
                    self.add(unit, ind, "commend", "commend_single_full")
        t = rules.commend_thresholds
        if t.enabled and not both and r_in is not None and r_out is not None and r_pay is not None:
            if r_in >= t.digitized_input and r_out >= t.digitized_output and r_pay >= t.online_payment:
                self.add(unit, "all_three", "commend", "commend_thresholds", **_NO_RATE)

    def below_area(self, unit: dict) -> None:
        below, uid = self.rules.remind_below_area, unit["unit_id"]
        for ind in below.indicators if below.enabled else ():
            v, a = self.rate(uid, ind), self.ctx.area.get(ind)
            den = (self.rates.get((uid, ind)) or {}).get("denominator") or 0
            if v is not None and a is not None and v < a:
                if (a - v) * 100 >= below.min_gap_pp and den >= below.min_denominator:
                    self.add(unit, ind, "remind", "remind_below_area")

    def poor_window(self, unit: dict) -> None:
        """A good month in a poor window: the payment window against its target, others against the area's
        year to date."""
        rule, uid, target = self.rules.remind_good_month_poor_window, unit["unit_id"], self.targets.online_payment
        for ind in rule.indicators if rule.enabled else ():
            v = self.rate(uid, ind)
            if ind == "online_payment":
                w = self.pay_window.get(uid)
                if v is not None and w is not None and v >= target > w:
                    extra = {"window_value": w, "area_value": target, "gap_pp": (target - w) * 100}
                    self.add(unit, ind, "remind", "remind_good_month_poor_window", **extra)
                continue
            w, aw = self.ytd.get((uid, ind)), self.ctx.area_ytd.get(ind)
            if v is not None and w is not None and aw is not None and aw > w:
                if (v - w) * 100 >= rule.min_improvement_pp:
                    extra = {"window_value": w, "area_value": aw, "gap_pp": (aw - w) * 100}
                    self.add(unit, ind, "remind", "remind_good_month_poor_window", **extra)

    def e_cert_and_ladder(self, unit: dict) -> None:
        """No e-certification this year (a reminder, and a sanction), a payment rate below target in the month
        and the window (a sanction); sanctions climb the ladder with the letters already issued."""
        rules, uid, target = self.rules, unit["unit_id"], self.targets.online_payment
        no_ecert = unit["unit_kind"] in COMMUNE_LEVEL_KINDS and self.ctx.e_cert_ytd.get(uid) == 0
        if rules.remind_no_e_cert.enabled and no_ecert:
            self.add(unit, "e_cert", "remind", "remind_no_e_cert", **{**_NO_RATE, "value": 0})
        sanctions = []
        if rules.escalate_no_e_cert.enabled and no_ecert:
            sanctions.append(("e_cert", {**_NO_RATE, "value": 0}))
        r_pay, w = self.rate(uid, "online_payment"), self.pay_window.get(uid)
        if rules.escalate_payment.enabled and r_pay is not None and w is not None and r_pay < target and w < target:
            sanctions.append(
                ("online_payment", {"window_value": w, "area_value": target, "gap_pp": (target - r_pay) * 100})
            )
        level = min(len(self.ctx.params.ladder), 1 + self.issued.get(uid, 0))
        for ind, extra in sanctions:
            rule = "escalate_no_e_cert" if ind == "e_cert" else "escalate_payment"
            self.add(unit, ind, "escalate", rule, level=level, **extra)


def evaluate(ctx: Context, issued_sanctions: dict[str, int] | None = None) -> pl.DataFrame:
    """All findings for the month. ``issued_sanctions``: unit → letters of the same year, before this
    month, in which the unit received a formal sanction."""
    rules = _Rules(ctx, issued_sanctions or {})
    for unit in ctx.units.iter_rows(named=True):
        rules.commend(unit)
        rules.below_area(unit)
        rules.poor_window(unit)
        rules.e_cert_and_ladder(unit)
    out = rules.out
    return (
        pl.DataFrame(
            out,
            schema_overrides={"level": pl.Int32, "decline_run": pl.Int32, "gap_dossiers": pl.Int64},
            infer_schema_length=None,
        ).select(FINDING_COLUMNS)
        if out
        else pl.DataFrame()
    )

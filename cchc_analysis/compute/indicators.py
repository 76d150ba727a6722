"""Indicators per unit and window, in polars over the store's current unit-month rows.

A rate is a fraction in [0, 1]; changes and gaps are percentage points (``_pp``). A pair with a null
or zero denominator has no rate (null), never 0% or 100%, and a unit that does not report a pair adds
nothing to the pooled area rate.
"""

from __future__ import annotations

import math

import polars as pl

from cchc_analysis.core.glossary import COMMUNE_LEVEL_KINDS
from cchc_analysis.core.periods import Window
from cchc_analysis.inputs.units import Registry

# indicator → (numerator expression, denominator expression) over unit-month columns
RATIOS: dict[str, tuple[pl.Expr, pl.Expr]] = {
    "digitized_input": (pl.col("so_hoa_tiep_nhan"), pl.col("phai_so_hoa_tiep_nhan")),
    "digitized_output": (pl.col("so_hoa_ket_qua"), pl.col("ket_qua")),
    "online_payment": (pl.col("thanh_toan_truc_tuyen"), pl.col("co_phi")),
    "online": (pl.col("truc_tuyen"), pl.col("phai_truc_tuyen")),
    "on_time": (pl.col("dung_han"), pl.col("dung_han") + pl.col("qua_han")),
}
COUNTS: dict[str, str] = {"late": "qua_han", "e_cert": "chung_thuc_dien_tu", "reuse": "tai_su_dung"}


def null_sum(expr: pl.Expr) -> pl.Expr:
    """The sum of a column that stays null where no row reported it (polars sums an all-null column to 0)."""
    return pl.when(expr.count() > 0).then(expr.sum()).otherwise(None)


def long_pairs(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per unit, month and ratio indicator: numerator and denominator, null unless both known."""
    parts = []
    for name, (num, den) in RATIOS.items():
        known = num.is_not_null() & den.is_not_null()
        parts.append(
            frame.select(
                "unit_id",
                "unit",
                "unit_kind",
                "month",
                pl.lit(name).alias("indicator"),
                pl.when(known).then(num).alias("numerator").cast(pl.Int64),
                pl.when(known).then(den).alias("denominator").cast(pl.Int64),
            )
        )
    return pl.concat(parts)


def _rate(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(
        rate=pl.when(pl.col("denominator") > 0).then(pl.col("numerator") / pl.col("denominator")).otherwise(None)
    )


def window_rates(frame: pl.DataFrame, window: Window) -> pl.DataFrame:
    """Per unit and ratio indicator over the window: numerator, denominator, rate."""
    pairs = long_pairs(frame.filter(pl.col("month").is_between(window.start.first_day, window.end.first_day)))
    out = pairs.group_by("unit_id", "unit", "unit_kind", "indicator").agg(
        null_sum(pl.col("numerator")).alias("numerator"), null_sum(pl.col("denominator")).alias("denominator")
    )
    return _rate(out).sort("indicator", "unit_id")


def window_counts(frame: pl.DataFrame, window: Window) -> pl.DataFrame:
    """Per unit: late, e-certification and reuse counts over the window (null where never reported)."""
    sub = frame.filter(pl.col("month").is_between(window.start.first_day, window.end.first_day))
    return (
        sub.group_by("unit_id", "unit", "unit_kind")
        .agg(*[null_sum(pl.col(col)).alias(name) for name, col in COUNTS.items()])
        .sort("unit_id")
    )


def scope_of(kind: pl.Expr) -> pl.Expr:
    return (
        pl.when(kind.is_in(sorted(COMMUNE_LEVEL_KINDS))).then(pl.lit("commune_level")).otherwise(pl.lit("departments"))
    )


def area_rates(rates: pl.DataFrame) -> pl.DataFrame:
    """Pooled rate (Σ numerators / Σ denominators) per indicator, for each unit scope and for all units."""
    known = rates.filter(pl.col("denominator").is_not_null())
    by_scope = (
        known.with_columns(scope=scope_of(pl.col("unit_kind")))
        .group_by("scope", "indicator")
        .agg(pl.col("numerator").sum(), pl.col("denominator").sum())
    )
    everything = (
        known.group_by("indicator")
        .agg(pl.col("numerator").sum(), pl.col("denominator").sum())
        .with_columns(scope=pl.lit("all"))
    )
    return _rate(pl.concat([by_scope, everything.select(by_scope.columns)])).sort("indicator", "scope")


def monthly_rates(frame: pl.DataFrame) -> pl.DataFrame:
    """Per unit, indicator and month: the month's rate, its change on the previous month (pp) and the run
    of consecutive monthly declines ending that month."""
    df = _rate(long_pairs(frame)).sort("unit_id", "indicator", "month")
    df = df.with_columns(
        prev_rate=pl.col("rate").shift(1).over("unit_id", "indicator"),
        prev_month=pl.col("month").shift(1).over("unit_id", "indicator"),
    )
    # a change needs the calendar month just before, not merely the previous stored row
    prev_is_adjacent = pl.col("prev_month") == pl.col("month").dt.offset_by("-1mo")
    df = df.with_columns(change_pp=pl.when(prev_is_adjacent).then((pl.col("rate") - pl.col("prev_rate")) * 100))
    runs = []
    for (_, _), group in df.group_by("unit_id", "indicator", maintain_order=True):
        run = 0
        for change in group["change_pp"]:
            run = run + 1 if change is not None and change < 0 else 0
            runs.append(run)
    return df.with_columns(decline_run=pl.Series(runs, dtype=pl.Int32)).drop("prev_rate", "prev_month")


# rate × denominator is computed in floating point (0.3 × 40 = 12.000000000000002): without this slack a unit
# exactly at the target would be told it needs one more dossier.
FLOAT_SLACK = 1e-9


def gap_dossiers(numerator: int | None, denominator: int | None, rate: float | None) -> int | None:
    """How many more dossiers the unit needed to reach ``rate`` on the same denominator (0 if it did)."""
    if numerator is None or not denominator or rate is None:
        return None
    return max(0, math.ceil(rate * denominator - numerator - FLOAT_SLACK))


def dossiers_to_reach(target: pl.Expr, numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """``gap_dossiers`` over columns: null where there is no rate or no target."""
    need = (target * denominator - numerator - FLOAT_SLACK).ceil().clip(lower_bound=0)
    return pl.when(denominator.is_not_null() & (denominator > 0) & numerator.is_not_null() & target.is_not_null()).then(
        need.cast(pl.Int64)
    )


def compare(rates: pl.DataFrame, area: dict[str, float | None], targets: dict[str, float | None]) -> pl.DataFrame:
    """Per unit and indicator: gap to the area rate and to the target, in percentage points (positive: below)
    and in dossiers (how many more the unit needed on the same denominator; 0 when it reached it)."""
    lookup = pl.DataFrame(
        {
            "indicator": list(RATIOS),
            "area_rate": [area.get(i) for i in RATIOS],
            "target": [targets.get(i) for i in RATIOS],
        },
        schema={"indicator": pl.String, "area_rate": pl.Float64, "target": pl.Float64},
    )
    return rates.join(lookup, on="indicator", how="left").with_columns(
        gap_pp=(pl.col("area_rate") - pl.col("rate")) * 100,
        target_gap_pp=(pl.col("target") - pl.col("rate")) * 100,
        gap_dossiers=dossiers_to_reach(pl.col("area_rate"), pl.col("numerator"), pl.col("denominator")),
        target_gap_dossiers=dossiers_to_reach(pl.col("target"), pl.col("numerator"), pl.col("denominator")),
    )


def with_registry_names(frame: pl.DataFrame, registry: Registry) -> pl.DataFrame:
    """The rows with their units named as the run's registry names them (the store keeps the name each had when
    ingested): every name a document gives, long or short, comes from one registry."""
    names = {u.id: u.name for u in registry.units}
    if "unit" not in frame.columns or not names:
        return frame
    return frame.with_columns(pl.col("unit_id").replace_strict(names, default=pl.col("unit")).alias("unit"))

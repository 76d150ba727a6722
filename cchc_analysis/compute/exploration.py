"""What the anomalies page explores: every unit's months since January on each indicator (its rate, numerator,
denominator, the month before and the change), the area's pooled rate beside them, and for the month checked the
finding on that cell, if any, with its rule, threshold, z-scores and severity."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from cchc_analysis.compute.anomalies import find_anomalies, unit_ids
from cchc_analysis.compute.coverage import ordered_units, reports
from cchc_analysis.compute.indicators import monthly_rates
from cchc_analysis.core.glossary import CHECK_LABELS, INDICATOR_SHORT
from cchc_analysis.core.params import Params
from cchc_analysis.core.periods import Month
from cchc_analysis.inputs.units import Registry
from cchc_analysis.store.database import Store

# the indicators a page draws, in its order: five rates and one count (copies certified electronically)
INDICATORS = ("digitized_input", "digitized_output", "online_payment", "on_time", "online", "e_cert")
RATE_INDICATORS = INDICATORS[:-1]


def cells(frame: pl.DataFrame, found: pl.DataFrame, registry: Registry, month: Month) -> pl.DataFrame:
    """One row per registry unit (valid in the year), month from January to ``month`` and indicator: value (a
    rate, or the count for e_cert), numerator, denominator, previous, change_pp; and the month's finding on it
    (check, threshold, severity, z_own, z_peer, evidence; empty where none)."""
    first, last = Month(month.year, 1).first_day, month.first_day
    year = frame.filter(pl.col("month").is_between(first, last))
    if "area" in year.columns:
        year = year.filter(pl.col("area") == registry.area)
    units = ordered_units(registry, first, last)
    grid = pl.DataFrame(
        {"unit_id": [u.id for u in units], "unit": [u.name for u in units], "order": list(range(len(units)))}
    )
    months = pl.DataFrame({"month": pl.date_range(first, last, "1mo", eager=True)})
    rates = monthly_rates(year).select(
        "unit_id", "month", "indicator", pl.col("rate").alias("value"), "numerator", "denominator", "change_pp"
    )
    counts = year.select(
        "unit_id",
        "month",
        pl.lit("e_cert").alias("indicator"),
        pl.col("chung_thuc_dien_tu").cast(pl.Float64).alias("value"),
        pl.lit(None, pl.Int64).alias("numerator"),
        pl.lit(None, pl.Int64).alias("denominator"),
        pl.lit(None, pl.Float64).alias("change_pp"),
    )
    values = pl.concat([rates, counts])
    full = (
        grid.join(months, how="cross")
        .join(pl.DataFrame({"indicator": list(INDICATORS)}), how="cross")
        .join(values, on=["unit_id", "month", "indicator"], how="left")
        .sort("indicator", "unit_id", "month")
        .with_columns(previous=pl.col("value").shift(1).over("unit_id", "indicator"))
    )
    flagged = found.filter(pl.col("indicator").is_in(list(INDICATORS)) & (pl.col("month") == str(month))).select(
        "unit_id",
        "indicator",
        pl.col("check").replace_strict(CHECK_LABELS, default=pl.col("check")).alias("check"),
        "threshold",
        "severity",
        "z_own",
        "z_peer",
        "evidence",
    )
    flagged = flagged.unique(["unit_id", "indicator"], keep="first")  # most severe first
    this = pl.lit(last)
    out = full.join(flagged.with_columns(month=this), on=["unit_id", "month", "indicator"], how="left")
    return out.with_columns(label=pl.col("indicator").replace_strict(INDICATOR_SHORT)).sort(
        "indicator", "order", "month"
    )


def area(frame: pl.DataFrame, registry: Registry, month: Month) -> pl.DataFrame:
    """The area's pooled rate per rate indicator and month since January (Σ numerators / Σ denominators)."""
    first, last = Month(month.year, 1).first_day, month.first_day
    year = frame.filter(pl.col("month").is_between(first, last))
    if "area" in year.columns:
        year = year.filter(pl.col("area") == registry.area)
    rates = monthly_rates(year).filter(pl.col("denominator").is_not_null())
    return (
        rates.group_by("indicator", "month")
        .agg(pl.col("numerator").sum(), pl.col("denominator").sum())
        .with_columns(value=pl.when(pl.col("denominator") > 0).then(pl.col("numerator") / pl.col("denominator")))
        .sort("indicator", "month")
    )


@dataclass(frozen=True)
class Exploration:
    """A month's anomalies and what the page explores them with, read from the store once."""

    month: Month
    found: pl.DataFrame  # the findings (compute.anomalies.COLUMNS), most severe first
    frame: pl.DataFrame  # the store's current unit-month rows (for the notebook's own charts)
    cells: pl.DataFrame
    area: pl.DataFrame
    reports: pl.DataFrame
    unit: str | None = None  # the one unit's id when the page is locked to it
    targets: dict[str, float] = field(default_factory=dict)  # the rates' targets (params.targets) the page draws

    @property
    def rows(self) -> pl.DataFrame:
        """The unit-month rows the page may show: the locked unit's only, when it is locked to one."""
        return self.frame if self.unit is None else self.frame.filter(pl.col("unit_id") == self.unit)


def load(month: Month, params: Params, registry: Registry, store: Path, units: list[str] | None = None) -> Exploration:
    """The month's findings (``units``: only those about these units, as analysts write them; one unit locks the
    page to it) and the page's data."""
    with Store.open(store, read_only=True) as st:
        frame, originals, kinds, scores = st.current(), st.originals(), st.file_kinds(), st.scores()
    found = find_anomalies(frame, originals, month, params)
    ids = unit_ids(registry, units or [])
    if ids:
        found = found.filter(pl.col("unit_id").is_in(ids))
    return Exploration(
        month,
        found,
        frame,
        cells(frame, found, registry, month),
        area(frame, registry, month),
        reports(frame, kinds, scores, registry, month),
        ids[0] if len(ids) == 1 else None,
        {k: v for k, v in params.targets.model_dump().items() if v is not None},
    )

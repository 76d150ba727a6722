"""The semi-annual (or annual) review: dossier handling, digitization, payment and e-certification per unit
over the period, the CCHC index estimate and the 766 service index. Built once from the store (read-only,
closed at once) and shared by the notebook, the annexes and the tests."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from cchc_analysis.compute.completeness import (
    PREVIEW_NOTE,
    Gap,
    IncompleteData,
    find_gaps,
    names_text,
    partial_note,
    refusal,
)
from cchc_analysis.compute.index766 import index_table
from cchc_analysis.compute.indicators import (
    area_rates,
    null_sum,
    scope_of,
    window_counts,
    window_rates,
    with_registry_names,
)
from cchc_analysis.compute.scoring import Scores, score_units
from cchc_analysis.core.exceptions import UsageError
from cchc_analysis.core.params import Params
from cchc_analysis.core.periods import ReportPeriod, Window
from cchc_analysis.inputs.criteria import CriteriaSet, criteria_sets
from cchc_analysis.inputs.units import MatchError, Registry
from cchc_analysis.store.database import Store

# the handling table's figures a group's total row sums (the appendix's and the report's)
HANDLING_TOTALS = (
    "total",
    "carried_over",
    "received",
    "resolved",
    "on_time",
    "late",
    "in_progress",
    "paused",
    "returned",
    "cancelled",
    "truc_tuyen",
    "phai_truc_tuyen",
)
FLOWS = (
    "tiep_nhan",
    "dung_han",
    "qua_han",
    "tra_lai",
    "huy",
    "truc_tuyen",
    "phai_truc_tuyen",
    "so_hoa_tiep_nhan",
    "phai_so_hoa_tiep_nhan",
    "so_hoa_ket_qua",
    "ket_qua",
    "co_phi",
    "thanh_toan_truc_tuyen",
    "chung_thuc_dien_tu",
    "tai_su_dung",
)


@dataclass(frozen=True)
class SemiannualReview:
    period: ReportPeriod
    window: Window
    params: Params
    registry: Registry  # the area's units, loaded once by the command (runs.inputs)
    handling: pl.DataFrame  # per unit: carried_over, received, total, on_time, late, resolved, in_progress, paused,
    #                         returned, cancelled, online, online_required, and the FLOWS sums
    rates: pl.DataFrame  # per unit × indicator over the period
    area: pl.DataFrame  # scope × indicator over the period
    payment_window: Window
    payment: pl.DataFrame  # per unit: online payment over the payment window
    payment_area: pl.DataFrame
    scores: Scores
    sets: list[CriteriaSet]
    index766: pl.DataFrame
    late_fields: pl.DataFrame  # unit_id, field, late — only where dossier lists were ingested
    gaps: tuple[Gap, ...] = ()  # months the period lacks (only with allow_partial; otherwise the review stops)
    preview: bool = False  # made from the throwaway sample store of a run with no store

    def notes(self) -> list[str]:
        """What every document of the period says first: a preview on the sample, the months its figures lack."""
        out = [PREVIEW_NOTE] if self.preview else []
        return out + ([partial_note(self.gaps, left_out=False)] if self.gaps else [])

    @property
    def label(self) -> str:
        return self.period.label()

    def scope_label(self, scope: str) -> str:
        return self.params.scope_label(scope)


def handling_table(frame: pl.DataFrame, window: Window) -> pl.DataFrame:
    """Per unit over the window: flows summed; carried over from the first month, in progress and paused
    at the end of the unit's last month in the window (stocks, not flows), so a year still under way ends
    at the latest month stored."""
    sub = frame.filter(pl.col("month").is_between(window.start.first_day, window.end.first_day))
    sums = sub.group_by("unit_id", "unit", "unit_kind").agg(*[null_sum(pl.col(c)).alias(c) for c in FLOWS])
    first = sub.filter(pl.col("month") == window.start.first_day).select(
        "unit_id", pl.col("ky_truoc_chuyen_sang").alias("carried_over")
    )
    last = (
        sub.sort("month")
        .group_by("unit_id")
        .last()
        .select("unit_id", pl.col("dang_giai_quyet").alias("in_progress"), pl.col("tam_dung").alias("paused"))
    )
    out = sums.join(first, on="unit_id", how="left").join(last, on="unit_id", how="left")
    return out.with_columns(
        received=pl.col("tiep_nhan"),
        on_time=pl.col("dung_han"),
        late=pl.col("qua_han"),
        resolved=pl.col("dung_han") + pl.col("qua_han"),
        returned=pl.col("tra_lai"),
        cancelled=pl.col("huy"),
        total=pl.col("carried_over") + pl.col("tiep_nhan"),
        scope=scope_of(pl.col("unit_kind")),
    ).sort("unit_id")


def _values(rates: pl.DataFrame, counts: pl.DataFrame) -> dict[tuple[str, str], float | int | None]:
    values = {(r["unit_id"], r["indicator"]): r["rate"] for r in rates.iter_rows(named=True)}
    for r in counts.iter_rows(named=True):
        values[(r["unit_id"], "e_cert")] = r["e_cert"]
        values[(r["unit_id"], "reuse")] = r["reuse"]
    return values


def review_semiannual(
    frame: pl.DataFrame,
    scores: pl.DataFrame,
    registry: Registry,
    period: ReportPeriod,
    params: Params,
    criteria_dir: Path | None = None,
    late_by_field: pl.DataFrame | None = None,
    allow_partial: bool = False,
) -> SemiannualReview:
    """The period's review. Every month of the period (and of the payment window) must be in the store for the
    units that report in it; otherwise it stops with IncompleteData naming them, unless ``allow_partial``: then its
    documents say which months their figures lack."""
    window, name = period.window, str(period)
    if "area" in frame.columns:
        frame = frame.filter(pl.col("area") == params.area_id)
    frame = with_registry_names(frame, registry)
    sub = frame.filter(pl.col("month").is_between(window.start.first_day, window.end.first_day))
    if sub.is_empty():
        raise IncompleteData(f"kho chưa có số liệu tháng nào trong kỳ {name} — nhập số liệu trước (cchc ingest …)")
    rates = window_rates(frame, window)
    counts = window_counts(frame, window)
    pay = params.payment_window(window.end)
    pay_window = Window(max(pay.start, window.start), window.end)
    present = set(sub["unit_id"].to_list())
    gaps = find_gaps(
        frame,
        {"period": (period.label(), window), "payment": ("thanh toán trực tuyến lũy kế", pay_window)},
        [u for u in registry.units if u.id in present],
    )
    if gaps and not allow_partial:
        raise refusal(gaps.values())
    payment = window_rates(frame, pay_window).filter(pl.col("indicator") == "online_payment")

    sets = criteria_sets(params.area_id, window.start.year, criteria_dir)
    scored = _scored(scores, registry, period, params, sets, _values(rates, counts), allow_partial)
    handling = handling_table(frame, window)
    return SemiannualReview(
        period=period,
        window=window,
        params=params,
        registry=registry,
        handling=handling,
        rates=rates,
        area=area_rates(rates),
        payment_window=pay_window,
        payment=payment,
        payment_area=area_rates(payment),
        scores=scored,
        sets=sets,
        index766=index_table(handling, params.index766),
        late_fields=_late_fields(late_by_field, window),
        gaps=tuple(gaps.values()),
    )


def _scored(
    scores: pl.DataFrame,
    registry: Registry,
    period: ReportPeriod,
    params: Params,
    sets: list[CriteriaSet],
    values: dict[tuple[str, str], Any],
    allow_partial: bool,
) -> Scores:
    """Each unit's CCHC index estimate from its self-assessed scores and the period's figures; units still lacking
    scores stop it, unless ``allow_partial``."""
    window, name = period.window, str(period)
    units = registry.valid_units(window.start.first_day, window.end.last_day)
    own = scores.filter(pl.col("period") == name)
    self_scores = {(u, c): Decimal(s) for u, c, s in own.select("unit_id", "criterion_id", "score").iter_rows()}
    previous = {}
    for unit_name, rank in params.scoring.previous_ranks.items():
        try:
            previous[registry.match(unit_name, area_level=True).id] = rank
        except MatchError as exc:
            raise UsageError(f"scoring.previous_ranks: {exc}") from None
    scored = score_units(units, sets, self_scores, values, params.scoring.bands, previous)
    unscored = _unscored(scored, registry)
    if unscored and not allow_partial:
        raise IncompleteData(
            f"chưa có đủ điểm tự chấm Chỉ số CCHC kỳ {name} của {len(unscored)} đơn vị ({names_text(unscored)}): "
            f"ước tính sẽ tính 0 điểm cho các tiêu chí còn thiếu — nhập bằng cchc ingest-scores TỆP (mẫu: cchc "
            f"template-scores {name}), hoặc chạy lại với --allow-partial (ước tính chỉ nêu các đơn vị đã đủ điểm)"
        )
    return scored


def _unscored(scores: Scores, registry: Registry) -> list[str]:
    """Units with criteria still lacking their self-assessed score, in registry order."""
    if scores.criteria.is_empty():
        return []
    ids = set(scores.criteria.filter(pl.col("status") == "missing")["unit_id"].to_list())
    return [u.name for u in registry.units if u.id in ids]


def _late_fields(late: pl.DataFrame | None, window: Window) -> pl.DataFrame:
    schema = {"unit_id": pl.String, "field": pl.String, "late": pl.Int64}
    if late is None or late.is_empty():
        return pl.DataFrame(schema=schema)
    return (
        late.filter(pl.col("month").is_between(window.start.first_day, window.end.first_day))
        .group_by("unit_id", "field")
        .agg(pl.col("late").sum())
        .sort("unit_id", "late", descending=[False, True])
    )


def load_semiannual(
    period: ReportPeriod, params: Params, registry: Registry, store: Path, allow_partial: bool = False
) -> SemiannualReview:
    """Read the store (read-only, closed before returning) and build the period's review."""
    with Store.open(store, read_only=True) as st:
        frame = st.current()
        scores = st.scores()
        late = st.late_by_field()
        preview = st.is_preview()
    review = review_semiannual(frame, scores, registry, period, params, late_by_field=late, allow_partial=allow_partial)
    return dataclasses.replace(review, preview=preview)


def totals_row(table: pl.DataFrame, columns: list[str]) -> dict[str, int | None]:
    """Column sums that stay null where no unit reported the column."""
    out: dict[str, int | None] = {}
    for c in columns:
        col = table[c]
        out[c] = int(col.sum()) if col.count() else None
    return out


def scores_csv(review: SemiannualReview) -> pl.DataFrame:
    """scores.csv: each unit's estimated total, band and rank, then its points per field."""
    fields = review.scores.fields.pivot(on="field_id", index="unit_id", values="points")
    return review.scores.totals.join(fields, on="unit_id", how="left")

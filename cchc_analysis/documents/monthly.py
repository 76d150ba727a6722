"""The monthly review: everything the letter, its notebook and its appendix show for one month.

Built once from the store (opened read-only and closed at once, so an open notebook never blocks the next
ingest) and shared by the notebook, the CSV exports and the appendix.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from cchc_analysis.compute.completeness import (
    PREVIEW_NOTE,
    Coverage,
    Gap,
    IncompleteData,
    find_gaps,
    month_coverage,
    month_list,
    partial_note,
    refusal,
)
from cchc_analysis.compute.findings import FINDING_COLUMNS, Context, build_context, evaluate, month_windows
from cchc_analysis.compute.indicators import (
    COUNTS,
    RATIOS,
    area_rates,
    compare,
    monthly_rates,
    scope_of,
    window_counts,
    window_rates,
    with_registry_names,
)
from cchc_analysis.core.exceptions import UsageError
from cchc_analysis.core.glossary import (
    COLUMNS_BY_NAME,
    COMMUNE_LEVEL_KINDS,
    COUNT_COLUMNS,
    REQUIRED_COLUMNS,
    SECTION_LABELS,
)
from cchc_analysis.core.params import Params
from cchc_analysis.core.periods import Month, Window, months_text
from cchc_analysis.documents.sentences import area_sentence, with_sentences
from cchc_analysis.inputs.formats import suppliers
from cchc_analysis.inputs.units import Registry
from cchc_analysis.store.database import Store, issue_letter, issued_sanctions, unissued_months

# findings.csv and indicators.csv: the columns an analyst opens in Excel
FINDINGS_CSV = (*(c for c in FINDING_COLUMNS if c not in ("unit_id", "rule")), "sentence")
INDICATORS_CSV = (
    "period",
    "window",
    "unit",
    "unit_kind",
    "indicator",
    "numerator",
    "denominator",
    "rate",
    "missing_months",
)

_KIND_ORDER = {"commend": 0, "remind": 1, "escalate": 2}
_RULE_ORDER = {"commend_both_digitization": 0, "commend_thresholds": 1, "commend_single_full": 2}
_INDICATOR_ORDER = {
    "digitization": 0,
    "all_three": 1,
    "digitized_input": 2,
    "digitized_output": 3,
    "online_payment": 4,
    "e_cert": 5,
}


# A rule that reads a window, with the window and whether the area's pooled figure (any unit's gap) or only the
# unit's own months matter; remind_good_month_poor_window reads the payment window for payment, else year to date.
_RESTS_ON = {
    "remind_no_e_cert": ("ytd", False),
    "escalate_no_e_cert": ("ytd", False),
    "escalate_payment": ("payment", False),
}


def _rests_on(rule: str, indicator: str) -> tuple[str, bool] | None:
    if rule == "remind_good_month_poor_window":
        return ("payment", False) if indicator == "online_payment" else ("ytd", True)
    return _RESTS_ON.get(rule)


def without_gapped(findings: pl.DataFrame, gaps: dict[str, Gap]) -> pl.DataFrame:
    """The findings that rest on no missing month: a reminder over a window the store holds only in part would
    state as fact what the missing months may contradict."""
    if not gaps or findings.is_empty():
        return findings
    keep = []
    for r in findings.select("unit_id", "rule", "indicator").iter_rows(named=True):
        rests = _rests_on(r["rule"], r["indicator"])
        gap = gaps.get(rests[0]) if rests else None
        keep.append(gap is None or not (rests and (rests[1] or r["unit_id"] in gap.unit_ids)))
    return findings.filter(pl.Series(keep, dtype=pl.Boolean))


def without_contradictions(findings: pl.DataFrame) -> pl.DataFrame:
    """No unit commended for a digitization rate the same letter reminds or criticises it about (a full month
    after a poor year is a reminder, not a commendation), nor commended twice for the same rate. A commendation on thresholds that include online
    payment stays: the letter then commends the unit on digitization only (``situations``)."""
    if findings.is_empty():
        return findings
    reminded = {
        (r["unit_id"], r["indicator"]) for r in findings.filter(pl.col("kind") != "commend").iter_rows(named=True)
    }
    broad = set(findings.filter(pl.col("indicator").is_in(["digitization", "all_three"]))["unit_id"].to_list())
    keep = []
    for r in findings.select("unit_id", "kind", "indicator").iter_rows(named=True):
        claims = DIGITIZATION if r["indicator"] in ("digitization", "all_three") else (r["indicator"],)
        contradicted = any((r["unit_id"], c) in reminded for c in claims)
        # a unit commended on both digitization rates is not commended again for one of them
        again = r["indicator"] in DIGITIZATION and r["unit_id"] in broad
        keep.append(r["kind"] != "commend" or not (contradicted or again))
    return findings.filter(pl.Series(keep, dtype=pl.Boolean))


DIGITIZATION = ("digitized_input", "digitized_output")


@dataclass(frozen=True)
class MonthlyReview:
    month: Month
    params: Params
    registry: Registry  # the area's units, loaded once by the command (runs.inputs)
    context: Context
    findings: pl.DataFrame  # FINDING_COLUMNS + sentence, in the letter's order
    units: pl.DataFrame  # per unit × rate indicator: the month's figures beside area, target and window
    windows: dict[str, Window]  # "month", "ytd", "payment"
    rates: pl.DataFrame  # window, unit_id, unit, unit_kind, indicator, numerator, denominator, rate
    area: pl.DataFrame  # window, scope, indicator, numerator, denominator, rate
    history: pl.DataFrame  # per unit × indicator × month, January to the month: rate, change_pp, decline_run
    counts: pl.DataFrame  # per unit, year to date: late, e_cert, reuse
    previous_area: dict[str, float | None]  # indicator → pooled rate of all units in the month before
    coverage: Coverage
    unissued: tuple[Month, ...] = ()  # earlier months of the year with no letter recorded as issued
    gaps: tuple[Gap, ...] = ()  # months the windows lack (only with allow_partial; otherwise the review stops)
    preview: bool = False  # made from the throwaway sample store of a run with no store

    def notes(self) -> list[str]:
        """What every document of the month says first: a preview on the sample, units without data, months the
        windows lack."""
        out = [PREVIEW_NOTE] if self.preview else []
        out += [self.coverage.sentence()] if self.coverage.partial else []
        return out + ([partial_note(self.gaps, left_out=True)] if self.gaps else [])

    def gap_of(self, window: str) -> Gap | None:
        """The months the review's window ``window`` ("ytd", "payment") lacks, if any."""
        target = self.windows.get(window)
        return next((g for g in self.gaps if g.window == target), None)

    def partial_mark(self, window: str) -> str:
        """After a window's label in tables: what it covers when it lacks months."""
        gap = self.gap_of(window)
        return f" (thiếu {month_list(gap.months)})" if gap else ""

    def warnings(self) -> list[str]:
        """What the analyst must know before sending the letter."""
        out = []
        if self.unissued:
            months = ", ".join(m.label().removeprefix("tháng ") for m in self.unissued)
            out.append(
                f"chưa ghi nhận văn bản đã ban hành của tháng {months} (cchc issue THÁNG) — mức nhắc nhở, "
                "phê bình tính theo các văn bản đã ghi nhận nên có thể thấp hơn thực tế"
            )
        return out + [n.removeprefix("Lưu ý: ") for n in self.notes()]

    @property
    def area_name(self) -> str:
        return self.params.area_name

    def scope_label(self, scope: str) -> str:
        return self.params.scope_label(scope)

    def area_rate(self, indicator: str, window: str = "month", scope: str = "all") -> float | None:
        row = self.area.filter(
            (pl.col("window") == window) & (pl.col("scope") == scope) & (pl.col("indicator") == indicator)
        )
        return row["rate"][0] if row.height else None

    def headline(self) -> str:
        """The letter's opening figures: area rates and their change since the month before (what they cover, when
        not every unit or month is there, is said once, in ``notes``)."""
        return area_sentence(self.month, self.params, self.context.area, self.previous_area)

    def sections(self) -> list[Section]:
        """The letter's sections in order, each with its findings (empty sections left out)."""
        f = self.findings
        if f.is_empty():
            return []
        out = [Section(SECTION_LABELS["commend"], None, f.filter(pl.col("kind") == "commend"))]
        for ind in ("digitized_input", "digitized_output", "online_payment", "e_cert"):
            out.append(
                Section(
                    SECTION_LABELS[f"remind_{ind}"],
                    ind,
                    f.filter((pl.col("kind") == "remind") & (pl.col("indicator") == ind)),
                )
            )
        for level, label in enumerate(self.params.ladder, start=1):
            out.append(Section(label, None, f.filter((pl.col("kind") == "escalate") & (pl.col("level") == level))))
        return [s for s in out if s.findings.height]


@dataclass(frozen=True)
class Section:
    """One numbered section of the letter: its title, the indicator it reminds about (None for commendations
    and the ladder's steps) and its findings in letter order."""

    title: str
    indicator: str | None
    findings: pl.DataFrame

    @property
    def has_trend(self) -> bool:
        """A rate's reminder, whose units' months can be drawn as lines."""
        return self.indicator in RATIOS


def letter_order(findings: pl.DataFrame) -> pl.DataFrame:
    """Commend, remind, escalate; departments before communes, as the letters list them."""
    if findings.is_empty():
        return findings
    return (
        findings.with_columns(
            _k=pl.col("kind").replace_strict(_KIND_ORDER, default=9),
            _r=pl.col("rule").replace_strict(_RULE_ORDER, default=5),
            _i=pl.col("indicator").replace_strict(_INDICATOR_ORDER, default=9),
            _s=pl.col("unit_kind").is_in(sorted(COMMUNE_LEVEL_KINDS)),
        )
        .sort("_k", "_i", "level", "_r", "_s", "unit_id", nulls_last=True)
        .drop("_k", "_r", "_i", "_s")
    )


def refuse_missing_columns(st: Store, frame: pl.DataFrame, month: Month, area: str) -> None:
    """A letter needs the template's required columns from every unit: a month given by reports (form II.06a,
    the digitization and payment reports) whose files never carried one names the units and the report to ingest.
    An empty cell of a column a file did carry stays "not reported"."""
    rows = frame.filter((pl.col("month") == month.first_day) & (pl.col("area") == area))
    given = st.given(month.first_day)
    for column in (c for c in REQUIRED_COLUMNS if c in COUNT_COLUMNS):
        names = sorted(
            r["unit"]
            for r in rows.iter_rows(named=True)
            if column not in given.get((r["unit_id"], r["month"]), {column})
        )
        if not names:
            continue
        shown = ", ".join(names[:5]) + (f" và {len(names) - 5} đơn vị khác" if len(names) > 5 else "")
        reports = " hoặc ".join(f"«{t}»" for t in suppliers(column)) or "tệp số liệu theo mẫu (cchc template)"
        raise UsageError(
            f"{month.label()}: chưa có số liệu «{COLUMNS_BY_NAME[column].header}» của {shown} — nhập {reports} "
            "của tháng này (cchc ingest TỆP) rồi chạy lại"
        )


def _area_frame(frame: pl.DataFrame, month: Month, params: Params, registry: Registry) -> pl.DataFrame:
    """The rows of the area the parameters name, its units named by ``registry``; a store without the month for it
    stops, saying what it holds."""
    others: list[str] = []
    if "area" in frame.columns:
        others = sorted(a for a in frame["area"].drop_nulls().unique().to_list() if a != params.area_id)
        frame = frame.filter(pl.col("area") == params.area_id)
    if frame.is_empty() or frame.filter(pl.col("month") == month.first_day).is_empty():
        held = months_text([Month.of(d) for d in frame["month"].unique().to_list()])
        elsewhere = f"; kho còn có số liệu của {', '.join(others)}: chọn địa bàn bằng --area" if others else ""
        raise IncompleteData(
            f"kho chưa có số liệu {month.label()} của {params.area_id} (kho có: {held}{elsewhere}) — "
            "nhập số liệu tháng đó trước (cchc ingest …), hoặc chọn một tháng kho đã có"
        )
    return with_registry_names(frame, registry)


def _complete(
    frame: pl.DataFrame, month: Month, windows: dict[str, Window], registry: Registry, allow_partial: bool
) -> tuple[Coverage, dict[str, Gap]]:
    """Which units the month covers and which months its windows lack: a partial month or a window with gaps
    stops the review, unless ``allow_partial``."""
    coverage = month_coverage(frame, month, registry)
    if coverage.partial and not allow_partial:
        raise IncompleteData(
            f"{month.label()} còn thiếu số liệu của {len(coverage.missing)}/{coverage.expected} đơn vị đã báo cáo "
            f"các tháng trước trong năm: {coverage.names()} — nhập đủ số liệu (cchc ingest …), hoặc chạy lại với "
            "--allow-partial để lập văn bản chỉ trên các đơn vị đã có số liệu"
        )
    present = set(frame.filter(pl.col("month") == month.first_day)["unit_id"].to_list())
    gaps = find_gaps(
        frame,
        {"ytd": ("lũy kế từ đầu năm", windows["ytd"]), "payment": ("thanh toán trực tuyến lũy kế", windows["payment"])},
        [u for u in registry.units if u.id in present],
    )
    if gaps and not allow_partial:
        raise refusal(gaps.values())
    return coverage, gaps


def _units_table(ctx: Context, per_window: dict[str, pl.DataFrame], params: Params) -> pl.DataFrame:
    """Per unit and rate: the month's figure beside the area's, the target and the window's (the year to date;
    the payment window for online payment)."""
    units = compare(ctx.month_rates, ctx.area, params.targets.model_dump()).join(ctx.units, on="unit_id", how="left")
    window_rate = pl.concat(
        [
            per_window["ytd"].filter(pl.col("indicator") != "online_payment"),
            per_window["payment"].filter(pl.col("indicator") == "online_payment"),
        ]
    ).select("unit_id", "indicator", pl.col("rate").alias("window_rate"))
    return units.join(window_rate, on=["unit_id", "indicator"], how="left").with_columns(
        scope=scope_of(pl.col("unit_kind"))
    )


_HISTORY = ("unit_id", "unit", "unit_kind", "indicator", "month", "numerator", "denominator", "rate", "change_pp")


def review_from_frame(
    frame: pl.DataFrame,
    month: Month,
    params: Params,
    registry: Registry,
    sanctions: dict[str, int] | None = None,
    allow_partial: bool = False,
) -> MonthlyReview:
    """The review of ``month`` from current unit-month rows and the sanctions of letters already issued. A month
    that units which reported earlier in the year are missing from, or whose windows (year to date, online
    payment) lack months, stops with IncompleteData naming them, unless ``allow_partial``: then the review says how
    many units its figures cover and which months its windows lack, and leaves out the findings resting on them."""
    frame = _area_frame(frame, month, params, registry)
    windows = month_windows(month, params)
    coverage, gaps = _complete(frame, month, windows, registry, allow_partial)
    ctx = build_context(frame, month, params)
    findings = without_contradictions(without_gapped(evaluate(ctx, sanctions or {}), gaps))
    if findings.is_empty():
        findings = pl.DataFrame(schema={c: pl.String for c in FINDING_COLUMNS})
    findings = letter_order(with_sentences(findings, ctx))
    upto = frame.filter(pl.col("month") <= month.first_day)
    per_window = ctx.window_rates
    area = pl.concat([area_rates(r).with_columns(window=pl.lit(name)) for name, r in per_window.items()])
    history = monthly_rates(upto.filter(pl.col("month") >= dt.date(month.year, 1, 1)))
    rates = pl.concat([r.with_columns(window=pl.lit(name)) for name, r in per_window.items()])
    before = area_rates(window_rates(upto, Window(month - 1, month - 1))).filter(pl.col("scope") == "all")
    return MonthlyReview(
        month=month,
        params=params,
        registry=registry,
        context=ctx,
        findings=findings,
        units=_units_table(ctx, per_window, params),
        windows=windows,
        rates=rates.select("window", "unit_id", "unit", "unit_kind", "indicator", "numerator", "denominator", "rate"),
        area=area.select("window", "scope", "indicator", "numerator", "denominator", "rate"),
        history=history.select(*_HISTORY, "decline_run"),
        counts=window_counts(upto, windows["ytd"]),
        previous_area=dict(before.select("indicator", "rate").iter_rows()),
        coverage=coverage,
        gaps=tuple(gaps.values()),
    )


def record_letter(
    month: Month, params: Params, registry: Registry, store: Path, force: bool = False, allow_partial: bool = False
) -> tuple[str, pl.DataFrame]:
    """``cchc issue``: record the month's letter as issued (its findings and parameters), the ground on which
    later letters climb the ladder; returns the store's answer ("new", "same", "replaced") and the findings."""
    with Store.open(store) as st:
        frame = st.current()
        refuse_missing_columns(st, frame, month, params.area_id)
        review = review_from_frame(
            frame, month, params, registry, issued_sanctions(st, month.year, month.first_day), allow_partial
        )
        return (
            issue_letter(st, str(month), review.findings, params.model_dump_json(), force, params.area_id),
            review.findings,
        )


def load_review(
    month: Month, params: Params, registry: Registry, store: Path, allow_partial: bool = False
) -> MonthlyReview:
    """Read the store (read-only, closed before returning) and build the month's review."""
    with Store.open(store, read_only=True) as st:
        frame = st.current()
        sanctions = issued_sanctions(st, month.year, month.first_day)
        unissued = unissued_months(st, month.year, month.first_day, params.area_id)
        refuse_missing_columns(st, frame, month, params.area_id)
        preview = st.is_preview()
    review = review_from_frame(frame, month, params, registry, sanctions, allow_partial)
    return dataclasses.replace(review, unissued=tuple(Month.parse(m) for m in unissued), preview=preview)


def findings_csv(review: MonthlyReview) -> pl.DataFrame:
    return (
        review.findings.select(FINDINGS_CSV)
        if review.findings.height
        else pl.DataFrame(schema={c: pl.String for c in FINDINGS_CSV})
    )


def indicators_csv(review: MonthlyReview) -> pl.DataFrame:
    """Every unit and the pooled areas, for each window of the review: numerator, denominator, rate; counts
    (late, e-certification, reuse, year to date) as a numerator with no denominator."""
    label = {name: str(w) for name, w in review.windows.items()}
    order = {k: n for n, k in enumerate(RATIOS)}
    units = (
        review.rates.with_columns(_i=pl.col("indicator").replace_strict(order, default=9))
        .sort("window", "_i", "unit_id")
        .select("window", "unit", "unit_kind", "indicator", "numerator", "denominator", "rate")
    )
    areas = review.area.with_columns(
        unit=pl.col("scope").map_elements(review.scope_label, return_dtype=pl.String),
        unit_kind=pl.lit("area"),
    ).select("window", "unit", "unit_kind", "indicator", "numerator", "denominator", "rate")
    counts = review.counts.unpivot(
        index=["unit_id", "unit", "unit_kind"], on=list(COUNTS), variable_name="indicator", value_name="numerator"
    ).with_columns(window=pl.lit("ytd"), denominator=pl.lit(None, dtype=pl.Int64), rate=pl.lit(None, dtype=pl.Float64))
    out = pl.concat([units, areas, counts.select(units.columns)], how="vertical_relaxed")
    missing = {name: ", ".join(str(m) for m in gap.months) for name in label if (gap := review.gap_of(name))}
    return out.with_columns(
        period=pl.lit(str(review.month)),
        missing_months=pl.col("window").replace_strict(missing, default=None, return_dtype=pl.String),
        window=pl.col("window").replace_strict(label),
    ).select(INDICATORS_CSV)

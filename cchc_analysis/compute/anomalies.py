"""Data-quality checks on the stored statistics of a month, each finding with its unit, month, indicator,
evidence and severity ("cao", "trung bình", "thấp"). Thresholds are in params (``anomalies``).

- sudden change: |change| ≥ ``change_pp`` points, with robust z-scores (median and MAD) of the change
  against the unit's own history and against the other units that month; its severity weighs the size of the
  change with how unusual it is for the unit and its peers and with the dossiers it rests on (``severity``);
- implausible perfection: 100% for ``perfect_months`` months running on at most ``perfect_max_denominator``
  dossiers a month;
- missing month: a unit that reported earlier in the year has no row for the month;
- totals that disagree: a unit-month whose dossiers do not balance (carried over + received = resolved +
  in progress + paused + returned + cancelled), a carried-over figure that is not last month's stock, and
  the units' sum against a total given in params (``area_figures``);
- no dossiers: a unit that reported receiving none;
- late corrections: a month restated after it was first stored, moving a rate by ``correction_pp`` or more,
  and a year-to-date rate that fell although every month rose (only a restated month can do that).
"""

from __future__ import annotations

import statistics
from pathlib import Path

import polars as pl

from cchc_analysis.compute.indicators import RATIOS, monthly_rates, scope_of, window_rates
from cchc_analysis.core.exceptions import UsageError
from cchc_analysis.core.formatting import percent, signed_pp
from cchc_analysis.core.glossary import CHECK_LABELS, COMMUNE_LEVEL_KINDS, INDICATOR_SHORT, LABELS
from cchc_analysis.core.params import Anomalies, Params
from cchc_analysis.core.periods import Month, Window
from cchc_analysis.inputs.units import MatchError, Registry
from cchc_analysis.store.database import Store

SEVERITY_ORDER = {"cao": 0, "trung bình": 1, "thấp": 2}
# What each finding says, the same in anomalies.csv, the page's table and its tooltips: the rule that fired and
# its threshold, the value observed and the one before it, the z-scores, the numerator and denominator.
SCHEMA = {
    "check": pl.String,
    "severity": pl.String,
    "unit_id": pl.String,
    "unit": pl.String,
    "unit_kind": pl.String,
    "month": pl.String,
    "indicator": pl.String,
    "threshold": pl.String,
    "value": pl.Float64,
    "previous": pl.Float64,
    "z_own": pl.Float64,
    "z_peer": pl.Float64,
    "numerator": pl.Int64,
    "denominator": pl.Int64,
    "evidence": pl.String,
}
COLUMNS = tuple(SCHEMA)
# A modified z-score over a history that barely moves (a unit at 100% every month) can reach hundreds: beyond
# this it says no more than "far outside", and is printed as this bound.
Z_CAP = 10.0
AREA_ROW = "khu-vuc:"  # the unit_id of a finding about the area's total, never a registry unit's id
_FLOW_IN = ("ky_truoc_chuyen_sang", "tiep_nhan")
_FLOW_OUT = ("dung_han", "qua_han", "dang_giai_quyet", "tam_dung", "tra_lai", "huy")


def robust_z(value: float, sample: list[float]) -> float | None:
    """Modified z-score (Iglewicz and Hoaglin): 0,6745 (x − median) / MAD; None when MAD is 0 or the
    sample has fewer than 4 values."""
    if len(sample) < 4:
        return None
    med = statistics.median(sample)
    mad = statistics.median(abs(x - med) for x in sample)
    if mad == 0:
        return None
    return 0.6745 * (value - med) / mad


def _row(
    check: str,
    severity: str,
    unit: dict,
    month: Month,
    indicator: str | None,
    value: float | None,
    evidence: str,
    threshold: str = "",
    **detail: float | int | None,
) -> dict:
    """One finding; ``detail``: previous, z_own, z_peer, numerator, denominator where the check has them."""
    return {
        "check": check,
        "severity": severity,
        "unit_id": unit["unit_id"],
        "unit": unit["unit"],
        "unit_kind": unit["unit_kind"],
        "month": str(month),
        "indicator": indicator,
        "threshold": threshold,
        "value": value,
        **{k: detail.get(k) for k in ("previous", "z_own", "z_peer", "numerator", "denominator")},
        "evidence": evidence,
    }


def _g(x: float) -> str:
    """A threshold as a Vietnamese reader writes it: 3,5; 10."""
    return f"{x:g}".replace(".", ",")


def capped(z: float | None) -> float | None:
    """A z-score within ±``Z_CAP``."""
    return None if z is None else max(-Z_CAP, min(Z_CAP, z))


def _z_text(z: float | None, what: str) -> str:
    if z is None:
        return f"z {what}: không đủ dữ liệu"
    if abs(z) >= Z_CAP:
        sign = "-" if z < 0 else ""
        return f"z {what} {sign}≥ {Z_CAP:g} (rất khác thường: số liệu trước đó gần như không đổi)"
    return f"z {what} {signed_pp(z).replace('+', '')}"


def change_severity(
    change: float, z_own: float | None, z_peer: float | None, denominator: int | None, p: Anomalies
) -> str:
    """How much a change matters: "cao" only when it is large and unusual for the unit or its peers, on enough
    dossiers; a large change that the unit's history and its peers make ordinary, or one resting on a handful of
    dossiers (one dossier moves a rate on 5 by 20 points), is "thấp"."""
    big, huge = abs(change) >= p.change_pp, abs(change) >= 2 * p.change_pp
    unusual = [z is not None and abs(z) >= p.robust_z for z in (z_own, z_peer)]
    unknown = z_own is None and z_peer is None
    if denominator is not None and denominator < p.min_denominator:
        return "thấp"
    if big and (all(unusual) or (huge and any(unusual))):
        return "cao"
    if big and (any(unusual) or unknown):
        return "trung bình"
    return "thấp"


def sudden_changes(rates: pl.DataFrame, month: Month, p: Anomalies) -> list[dict]:
    out = []
    this = rates.filter((pl.col("month") == month.first_day) & pl.col("change_pp").is_not_null())
    for ind in RATIOS:
        peers = this.filter(pl.col("indicator") == ind)
        peer_changes = peers["change_pp"].to_list()
        for r in peers.iter_rows(named=True):
            change = r["change_pp"]
            own = rates.filter(
                (pl.col("unit_id") == r["unit_id"])
                & (pl.col("indicator") == ind)
                & (pl.col("month") < month.first_day)
                & pl.col("change_pp").is_not_null()
            )
            z_own = robust_z(change, own["change_pp"].to_list())
            z_peer = robust_z(change, [c for c in peer_changes])
            big = abs(change) >= p.change_pp
            odd = [z for z in (z_own, z_peer) if z is not None and abs(z) >= p.robust_z]
            if not big and not (odd and abs(change) >= p.change_pp / 2):
                continue
            before = r["rate"] - change / 100
            word = "giảm" if change < 0 else "tăng"
            out.append(
                _row(
                    "sudden_change",
                    change_severity(change, z_own, z_peer, r["denominator"], p),
                    r,
                    month,
                    ind,
                    r["rate"],
                    f"{INDICATOR_SHORT[ind]} {word} {signed_pp(abs(change)).lstrip('+')} điểm % "
                    f"({percent(before)} → {percent(r['rate'])}, {r['numerator']}/{r['denominator']}); "
                    f"{_z_text(z_own, 'so với lịch sử đơn vị')}; {_z_text(z_peer, 'so với các đơn vị khác')}",
                    f"thay đổi ≥ {_g(p.change_pp)} điểm %, hoặc |z| ≥ {_g(p.robust_z)} và thay đổi ≥ "
                    f"{_g(p.change_pp / 2)} điểm %",
                    previous=before,
                    z_own=capped(z_own),
                    z_peer=capped(z_peer),
                    numerator=r["numerator"],
                    denominator=r["denominator"],
                )
            )
    return out


def perfection(rates: pl.DataFrame, month: Month, p: Anomalies) -> list[dict]:
    out = []
    upto = rates.filter(pl.col("month") <= month.first_day).sort("unit_id", "indicator", "month")
    for (_uid, ind), group in upto.group_by("unit_id", "indicator", maintain_order=True):
        run = []
        for r in group.iter_rows(named=True):
            ok = r["rate"] == 1 and r["denominator"] is not None and 0 < r["denominator"] <= p.perfect_max_denominator
            run = run + [r] if ok else []
        if len(run) >= p.perfect_months and run[-1]["month"] == month.first_day:
            dens = ", ".join(str(x["denominator"]) for x in run)
            out.append(
                _row(
                    "perfection",
                    "thấp",
                    run[-1],
                    month,
                    ind,
                    1.0,
                    f"{INDICATOR_SHORT[ind]} 100% trong {len(run)} tháng liền trên {dens} hồ sơ — "
                    "kiểm tra việc cập nhật trên phần mềm",
                    f"100% từ {p.perfect_months} tháng liền, mỗi tháng ≤ {p.perfect_max_denominator} hồ sơ",
                    numerator=run[-1]["numerator"],
                    denominator=run[-1]["denominator"],
                )
            )
    return out


def unreported_months(frame: pl.DataFrame, month: Month) -> list[dict]:
    out = []
    year = frame.filter((pl.col("month") >= Month(month.year, 1).first_day) & (pl.col("month") <= month.first_day))
    for (_uid,), group in year.group_by("unit_id", maintain_order=True):
        have = {Month.of(m) for m in group["month"]}
        first = min(have)
        missing = [m for m in Window(first, month).months() if m not in have]
        if not missing:
            continue
        unit = group.row(0, named=True)
        severity = "cao" if month in missing else "trung bình"
        out.append(
            _row(
                "missing_month",
                severity,
                unit,
                month,
                None,
                None,
                f"đã báo cáo từ {first.label()} nhưng thiếu {', '.join(m.label() for m in missing)}",
                "một tháng thiếu sau tháng đầu tiên đã báo cáo trong năm",
            )
        )
    return out


def unbalanced(frame: pl.DataFrame, month: Month) -> list[dict]:
    out = []
    this = frame.filter(pl.col("month") == month.first_day)
    for r in this.iter_rows(named=True):
        if any(r[c] is None for c in _FLOW_IN + _FLOW_OUT):
            continue
        total_in = sum(r[c] for c in _FLOW_IN)
        total_out = sum(r[c] for c in _FLOW_OUT)
        if total_in != total_out:
            out.append(
                _row(
                    "unbalanced",
                    "trung bình",
                    r,
                    month,
                    None,
                    float(total_in - total_out),
                    f"kỳ trước chuyển sang + tiếp nhận = {total_in}, nhưng đã giải quyết + đang giải quyết + "
                    f"tạm dừng + trả lại + hủy = {total_out} (lệch {total_in - total_out})",
                    "chuyển sang + tiếp nhận = giải quyết + đang giải quyết + tạm dừng + trả lại + hủy",
                )
            )
    prev = frame.filter(pl.col("month") == (month - 1).first_day).select(
        "unit_id", pl.col("dang_giai_quyet").alias("prev_in_progress"), pl.col("tam_dung").alias("prev_paused")
    )
    joined = this.join(prev, on="unit_id", how="inner")
    for r in joined.iter_rows(named=True):
        if None in (r["ky_truoc_chuyen_sang"], r["prev_in_progress"], r["prev_paused"]):
            continue
        stock = r["prev_in_progress"] + r["prev_paused"]
        if r["ky_truoc_chuyen_sang"] != stock:
            out.append(
                _row(
                    "carry_over",
                    "thấp",
                    r,
                    month,
                    None,
                    float(r["ky_truoc_chuyen_sang"]),
                    f"kỳ trước chuyển sang {r['ky_truoc_chuyen_sang']}, cuối {(month - 1).label()} còn "
                    f"{stock} hồ sơ (đang giải quyết {r['prev_in_progress']} + tạm dừng {r['prev_paused']})",
                    "chuyển sang = đang giải quyết + tạm dừng cuối tháng trước",
                    previous=float(stock),
                )
            )
    return out


def area_totals(frame: pl.DataFrame, params: Params, month: Month) -> list[dict]:
    """Sums of units against totals given in params for periods that include the month; the finding is about the
    area (or its commune level, or its agencies), named as the letters name it, not about a unit."""
    p = params.anomalies
    names = {
        "all": f"Toàn {params.area_name or 'địa bàn'}",
        "commune_level": f"Các {params.communes or 'xã, phường'} (tổng)",
        "departments": f"Các {params.departments or 'cơ quan'} (tổng)",
    }
    out = []
    for fig in p.area_figures:
        window = fig.window
        if not window.start <= month <= window.end or fig.column not in frame.columns:
            continue
        sub = frame.filter(pl.col("month").is_between(window.start.first_day, window.end.first_day))
        if fig.scope != "all":
            sub = sub.filter(scope_of(pl.col("unit_kind")) == fig.scope)
        total = sub[fig.column].sum()
        if total != fig.value:
            area = {"unit_id": f"{AREA_ROW}{fig.scope}", "unit": names[fig.scope], "unit_kind": "area"}
            out.append(
                _row(
                    "area_total",
                    "cao",
                    area,
                    month,
                    fig.column,
                    float(total),
                    f"tổng {fig.column} của các đơn vị kỳ {fig.period} là {total}, "
                    f"{fig.source or 'số đã công bố'} ghi {fig.value} (lệch {total - fig.value})",
                    "tổng của các đơn vị = số đã công bố",
                    previous=float(fig.value),
                )
            )
    return out


def no_dossiers(frame: pl.DataFrame, month: Month) -> list[dict]:
    this = frame.filter((pl.col("month") == month.first_day) & (pl.col("tiep_nhan") == 0))
    return [
        _row(
            "no_dossiers",
            "thấp" if r["unit_kind"] not in COMMUNE_LEVEL_KINDS else "trung bình",
            r,
            month,
            None,
            0.0,
            f"không tiếp nhận hồ sơ nào trong {month.label()}",
            "tiếp nhận = 0",
        )
        for r in this.iter_rows(named=True)
    ]


def late_corrections(frame: pl.DataFrame, originals: pl.DataFrame, month: Month, p: Anomalies) -> list[dict]:
    """Months restated after they were first stored, and year-to-date rates that fell while every month
    rose."""
    out = []
    year_start = Month(month.year, 1)
    now = monthly_rates(frame.filter(pl.col("month").is_between(year_start.first_day, month.first_day)))
    then = monthly_rates(originals.filter(pl.col("month").is_between(year_start.first_day, month.first_day)))
    both = now.join(
        then.select("unit_id", "indicator", "month", pl.col("rate").alias("first_rate")),
        on=["unit_id", "indicator", "month"],
        how="inner",
    )
    moved = both.filter(
        (pl.col("month") < month.first_day)
        & pl.col("rate").is_not_null()
        & pl.col("first_rate").is_not_null()
        & ((pl.col("rate") - pl.col("first_rate")).abs() * 100 >= p.correction_pp)
    )
    for r in moved.iter_rows(named=True):
        out.append(
            _row(
                "late_correction",
                "trung bình",
                r,
                Month.of(r["month"]),
                r["indicator"],
                r["rate"],
                f"{INDICATOR_SHORT[r['indicator']]} {Month.of(r['month']).label()} lúc nhập đầu "
                f"{percent(r['first_rate'])}, nay {percent(r['rate'])} — số liệu đã được sửa sau",
                f"sửa làm tỷ lệ đổi ≥ {p.correction_pp:g} điểm %",
                previous=r["first_rate"],
                numerator=r["numerator"],
                denominator=r["denominator"],
            )
        )
    if month.month > 1:
        prev = Window(year_start, month - 1)
        ytd_then = window_rates(originals, prev).select("unit_id", "indicator", pl.col("rate").alias("then"))
        ytd_now = window_rates(frame, prev).select(
            "unit_id", "unit", "unit_kind", "indicator", pl.col("rate").alias("now")
        )
        cmp = ytd_now.join(ytd_then, on=["unit_id", "indicator"])
        rising = now.group_by("unit_id", "indicator").agg(
            (pl.col("change_pp").drop_nulls() >= 0).all().alias("rising"), pl.col("change_pp").count().alias("n")
        )
        cmp = cmp.join(rising, on=["unit_id", "indicator"]).filter(
            pl.col("rising") & (pl.col("n") > 0) & ((pl.col("then") - pl.col("now")) * 100 >= p.correction_pp)
        )
        for r in cmp.iter_rows(named=True):
            out.append(
                _row(
                    "window_fell",
                    "cao",
                    r,
                    month,
                    r["indicator"],
                    r["now"],
                    f"{INDICATOR_SHORT[r['indicator']]} lũy kế đến {(month - 1).label()} nay "
                    f"{percent(r['now'])}, trước đây {percent(r['then'])}, dù từng tháng đều tăng — "
                    "số liệu các tháng trước đã bị sửa",
                    f"lũy kế giảm ≥ {p.correction_pp:g} điểm % khi không tháng nào giảm",
                    previous=r["then"],
                )
            )
    return out


def find_anomalies(frame: pl.DataFrame, originals: pl.DataFrame, month: Month, params: Params) -> pl.DataFrame:
    """Every finding for ``month``, most severe first."""
    p = params.anomalies
    if "area" in frame.columns:
        frame = frame.filter(pl.col("area") == params.area_id)
        originals = originals.filter(pl.col("area") == params.area_id)
    upto = frame.filter(pl.col("month") <= month.first_day)
    if upto.filter(pl.col("month") == month.first_day).is_empty():
        raise UsageError(
            f"kho chưa có số liệu {month.label()} của danh mục «{params.area_id}» — nhập số liệu tháng đó trước "
            "(cchc ingest …), hoặc chọn đúng danh mục (--area) mà số liệu đã nhập theo"
        )
    rates = monthly_rates(upto)
    rows = (
        sudden_changes(rates, month, p)
        + perfection(rates, month, p)
        + unreported_months(upto, month)
        + unbalanced(upto, month)
        + area_totals(frame, params, month)
        + no_dossiers(upto, month)
        + late_corrections(upto, originals.filter(pl.col("month") <= month.first_day), month, p)
    )
    out = pl.DataFrame(rows, schema=SCHEMA)
    return (
        out.with_columns(_s=pl.col("severity").replace_strict(SEVERITY_ORDER, default=9))
        .sort("_s", "check", "unit_id")
        .drop("_s")
    )


def load_anomalies(
    month: Month, params: Params, registry: Registry, store: Path, units: list[str] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The month's findings and the current rows (for charts), read from the store and closed at once.
    ``units``: keep only findings about these units, named as analysts write them ("Hà Kỳ", "Hung Dao")."""
    with Store.open(store, read_only=True) as st:
        frame = st.current()
        originals = st.originals()
    found = find_anomalies(frame, originals, month, params)
    if units:
        found = found.filter(pl.col("unit_id").is_in(unit_ids(registry, units)))
    return found, frame


def unit_ids(registry: Registry, names: list[str]) -> list[str]:
    """The ids of units named as analysts write them; a name the registry does not know is a usage error."""
    ids = []
    for name in names:
        try:
            ids.append(registry.match(name).id)
        except MatchError as exc:
            raise UsageError(str(exc)) from None
    return ids


def labelled(found: pl.DataFrame) -> pl.DataFrame:
    """The findings with Vietnamese labels, for display and CSV."""
    return (
        found.with_columns(
            check=pl.col("check").replace_strict(CHECK_LABELS, default=pl.col("check")),
            indicator=pl.col("indicator").replace_strict(INDICATOR_SHORT, default=pl.col("indicator")),
        )
        .drop("unit_id", "unit_kind")
        .rename({c: LABELS[c] for c in COLUMNS if c not in ("unit_id", "unit_kind")})
    )

"""One Vietnamese sentence per finding, in the style of the monthly letters (seeds 000 and 002)."""

from __future__ import annotations

import polars as pl

from cchc_analysis.compute.findings import Context
from cchc_analysis.core.formatting import integer
from cchc_analysis.core.formatting import letter_percent as pct
from cchc_analysis.core.formatting import letter_pp as pp
from cchc_analysis.core.glossary import INDICATOR_LABELS
from cchc_analysis.core.params import Params
from cchc_analysis.core.periods import Month


def _rates(ctx: Context, unit_id: str) -> dict[str, dict]:
    return {r["indicator"]: r for r in ctx.month_rates.filter(pl.col("unit_id") == unit_id).iter_rows(named=True)}


def _below_area(row: dict, prev: str, area: str) -> str:
    """A unit below the area's average, with its change on the month before (and how many months it fell)."""
    unit, value, change, gap, run = (
        row["unit"],
        pct(row["value"]),
        row["change_pp"],
        pp(row["gap_pp"]),
        row["decline_run"] or 0,
    )
    if change is None:
        return f"{unit} ({value}) thấp hơn {gap} {area}."
    if change == 0:
        return f"{unit} ({value}), không đổi so với {prev}, vẫn thấp hơn {gap} {area}."
    if change > 0:
        return f"{unit} ({value}), tăng {pp(change)} so với {prev}, nhưng vẫn thấp hơn {gap} {area}."
    if run >= 2:
        return (
            f"{unit} ({value}) tiếp tục có kết quả giảm so với {prev} (giảm {pp(change)}) và thấp hơn {gap} "
            f"{area}; đây là tháng thứ {run} liên tiếp {unit} có kết quả giảm so với tháng trước liền kề."
        )
    return f"{unit} ({value}), giảm {pp(change)} so với {prev} và thấp hơn {gap} {area}."


def sentence(row: dict, ctx: Context) -> str:
    month, params = ctx.month, ctx.params
    area = f"mức bình quân chung của {params.area_name}"
    label = INDICATOR_LABELS.get(row["indicator"], row["indicator"])
    unit, rule = row["unit"], row["rule"]
    prev = (month - 1).label()
    if rule == "commend_both_digitization":
        r = _rates(ctx, row["unit_id"])
        i, o = r["digitized_input"], r["digitized_output"]
        return (
            f"{unit} có {label} trong {month.label()} đạt tỷ lệ 100% (tiếp nhận {integer(i['numerator'])}/"
            f"{integer(i['denominator'])} hồ sơ, số hóa {integer(o['numerator'])}/{integer(o['denominator'])} hồ sơ)."
        )
    if rule == "commend_single_full":
        return f"{unit} có {label} trong {month.label()} đạt tỷ lệ 100%."
    if rule == "commend_thresholds":
        r = _rates(ctx, row["unit_id"])
        return (
            f"{unit} có {label} trong {month.label()} đạt tỷ lệ cao (tiếp nhận đạt "
            f"{pct(r['digitized_input']['rate'])}; giải quyết đạt {pct(r['digitized_output']['rate'])}; thanh toán "
            f"trực tuyến đạt {pct(r['online_payment']['rate'])})."
        )
    if rule == "remind_below_area":
        return _below_area(row, prev, area)
    if rule == "remind_good_month_poor_window":
        if row["indicator"] == "online_payment":
            return (
                f"{unit} mặc dù có {label} trong {month.label()} đạt {pct(row['value'])}, vượt tỷ lệ giao của UBND tỉnh "
                f"({pct(params.targets.online_payment)}); tuy nhiên, kết quả này {_payment_window(ctx)} chỉ đạt "
                f"{pct(row['window_value'])}, chưa đảm bảo tỷ lệ do UBND tỉnh giao."
            )
        return (
            f"{unit} mặc dù có {label} trong {month.label()} đạt {pct(row['value'])}; tuy nhiên kết quả này trong "
            f"{month.month} tháng đầu năm {month.year} chỉ đạt {pct(row['window_value'])}."
        )
    ladder = params.ladder[(row["level"] or 1) - 1] if row["kind"] == "escalate" else None
    if row["indicator"] == "e_cert":
        end = month.last_day
        reason = f"Tính đến hết ngày {end.day}/{end.month}/{end.year}, {unit} chưa thực hiện {label}."
        return f"{ladder} đối với {unit}. Lý do: {reason}" if ladder else reason
    if rule == "escalate_payment":
        return (
            f"{ladder} đối với {unit}. Lý do: {label} trong {month.label()} đạt {pct(row['value'])}; "
            f"{_payment_window(ctx, short=True)} đạt {pct(row['window_value'])}, chưa đảm bảo tỷ lệ do UBND tỉnh giao."
        )
    return f"{unit}: {label} {pct(row['value'])}."


def escalation_reason(row: dict, ctx: Context) -> str:
    """Why a unit climbs the ladder, as the letter's "Lý do:" says it under the sanction's heading:
    "UBND xã Hưng Đạo có tỷ lệ hồ sơ thanh toán trực tuyến trong tháng 8/2023 đạt 24,27%; từ ngày …" (seed 002)."""
    unit, month = row["unit"], ctx.month
    label = INDICATOR_LABELS.get(row["indicator"], row["indicator"])
    if row["indicator"] == "e_cert":
        end = month.last_day
        return f"Tính đến hết ngày {end.day}/{end.month}/{end.year}, {unit} chưa thực hiện {label}."
    if row["rule"] == "escalate_payment":
        return (
            f"{unit} có {label} trong {month.label()} đạt {pct(row['value'])}; {_payment_window(ctx, short=True)} đạt "
            f"{pct(row['window_value'])}, chưa đảm bảo tỷ lệ do UBND tỉnh giao."
        )
    return f"{unit}: {label} {pct(row['value'])}."


def _payment_window(ctx: Context, short: bool = False) -> str:
    start = ctx.params.payment_window(ctx.month).start.first_day
    end = ctx.month.last_day
    span = f"{start.day:02d}/{start.month}/{start.year}-{end.day:02d}/{end.month}/{end.year}"  # 01/4/2023-31/8/2023
    return f"từ ngày {span}" if short else f"tính từ ngày {span}"


def with_sentences(findings: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    if findings.is_empty():
        return findings.with_columns(sentence=pl.lit(None, dtype=pl.String))
    return findings.with_columns(
        sentence=pl.Series([sentence(r, ctx) for r in findings.iter_rows(named=True)], dtype=pl.String)
    )


def area_figures(
    month: Month,
    area: dict[str, float | None],
    previous: dict[str, float | None],
    indicators: tuple[str, ...] = ("digitized_input", "digitized_output", "online_payment"),
) -> str:
    """The area's rates and their change, rises first and the falls after "tuy nhiên" (seed 000): "tỷ lệ … đạt
    96,65%, tăng 1,18% so với tháng 4/2023; tuy nhiên, tỷ lệ … đạt 96,28%, giảm 0,67% so với tháng 4/2023"."""
    rises, falls = [], []
    for ind in indicators:
        now = area.get(ind)
        if now is None:
            continue
        text = f"{INDICATOR_LABELS[ind]} đạt {pct(now)}"
        before = previous.get(ind)
        change = round((now - before) * 100, 2) if before is not None else None
        if change:
            text += f", {'tăng' if change > 0 else 'giảm'} {pp(change)} so với {(month - 1).label()}"
        elif change == 0:
            text += f", không đổi so với {(month - 1).label()}"
        (falls if change is not None and change < 0 else rises).append(text)
    if rises and falls:
        return "; ".join(rises) + "; tuy nhiên, " + "; ".join(falls)
    return "; ".join(rises + falls)


def area_sentence(
    month: Month, params: Params, area: dict[str, float | None], previous: dict[str, float | None]
) -> str:
    """ "Trong tháng 5/2023, toàn huyện: tỷ lệ … đạt 96,65%, tăng 1,18% so với tháng 4/2023; …" (the notebook's
    headline)."""
    figures = area_figures(month, area, previous)
    scope = f"toàn {params.area_name}" if params.area_name else "toàn địa bàn"
    return f"Trong {month.label()}, {scope}: {figures}." if figures else ""

"""The annex tables (phụ lục) behind the monthly letter, built from a ``MonthlyReview``."""

from __future__ import annotations

import polars as pl

from .formatting import short_date
from .glossary import FINDING_KINDS, INDICATOR_SHORT, SCOPE_LABELS
from .indicators import scope_of
from .monthly import MonthlyReview
from .render import Appendix, Document, reference_line
from .tables import Col, Row, Table

_GROUPS = (("departments", "I"), ("commune_level", "II"))


def _flags(review: MonthlyReview, indicators: set[str]) -> dict[str, str]:
    """Per unit: the letter's verdicts on these indicators, short ("Biểu dương; Phê bình lần thứ hai")."""
    out: dict[str, list[str]] = {}
    for r in review.findings.iter_rows(named=True):
        if r["indicator"] not in indicators:
            continue
        if r["kind"] == "escalate":
            text = review.params.ladder[(r["level"] or 1) - 1]
        else:
            text = FINDING_KINDS[r["kind"]]
        label = INDICATOR_SHORT.get(r["indicator"])
        item = f"{text} ({label})" if label and len(indicators) > 1 else text
        if item not in out.setdefault(r["unit_id"], []):
            out[r["unit_id"]].append(item)
    return {k: "; ".join(v) for k, v in out.items()}


def _wide(review: MonthlyReview, window: str, indicators: tuple[str, ...]) -> pl.DataFrame:
    """One row per unit: numerator/denominator/rate per indicator for the month, and for ``window``."""
    month = review.units.filter(pl.col("indicator").is_in(indicators))
    rows = review.rates.filter((pl.col("window") == window) & pl.col("indicator").is_in(indicators))
    units = review.context.units.with_columns(scope=scope_of(pl.col("unit_kind")))
    for ind in indicators:
        m = month.filter(pl.col("indicator") == ind).select(
            "unit_id", *[pl.col(c).alias(f"{ind}.{c}") for c in
                         ("numerator", "denominator", "rate", "change_pp", "gap_pp", "gap_dossiers",
                          "target_gap_pp", "target_gap_dossiers")],
            (-pl.col("gap_pp")).alias(f"{ind}.vs_area_pp"))
        w = rows.filter(pl.col("indicator") == ind).select(
            "unit_id", pl.col("numerator").alias(f"{ind}.w_num"), pl.col("denominator").alias(f"{ind}.w_den"),
            pl.col("rate").alias(f"{ind}.w_rate"))
        units = units.join(m, on="unit_id", how="left").join(w, on="unit_id", how="left")
    return units.sort("unit_id")


def _totals(review: MonthlyReview, scope: str, window: str, indicators: tuple[str, ...]) -> dict:
    out: dict = {}
    for ind in indicators:
        for win, prefix in (("month", ""), (window, "w_")):
            a = review.area.filter((pl.col("window") == win) & (pl.col("scope") == scope)
                                   & (pl.col("indicator") == ind))
            if a.height:
                r = a.row(0, named=True)
                key = {"": ("numerator", "denominator", "rate"), "w_": ("w_num", "w_den", "w_rate")}[prefix]
                out.update({f"{ind}.{key[0]}": r["numerator"], f"{ind}.{key[1]}": r["denominator"],
                            f"{ind}.{key[2]}": r["rate"]})
    return out


def _grouped_rows(review: MonthlyReview, wide: pl.DataFrame, window: str, indicators: tuple[str, ...],
                  flags: dict[str, str]) -> list[Row]:
    rows: list[Row] = []
    for scope, numeral in _GROUPS:
        part = wide.filter(pl.col("scope") == scope)
        if part.is_empty():
            continue
        rows.append(Row({"text": f"{numeral}. {SCOPE_LABELS[scope].format(area=review.area_name)}"}, "group"))
        for n, r in enumerate(part.iter_rows(named=True), start=1):
            rows.append(Row({**r, "stt": n, "flags": flags.get(r["unit_id"], "")}))
        rows.append(Row({"unit": "Cộng", **_totals(review, scope, window, indicators)}, "total"))
    rows.append(Row({"unit": SCOPE_LABELS["all"].format(area=review.area_name),
                     **_totals(review, "all", window, indicators)}, "total"))
    return rows


def digitization_table(review: MonthlyReview) -> Table:
    inds = ("digitized_input", "digitized_output")
    month = review.month
    cols = [Col("stt", "STT", width=0.5), Col("unit", "Đơn vị", width=3.2)]
    for ind in inds:
        group = f"{INDICATOR_SHORT[ind].capitalize()} {month.label()}"
        cols += [Col(f"{ind}.numerator", "Đã số hóa", "int", group), Col(f"{ind}.denominator", "Phải số hóa", "int", group),
                 Col(f"{ind}.rate", "Tỷ lệ", "pct", group, 1.1),
                 Col(f"{ind}.change_pp", f"So với {(month - 1).label()} (điểm %)", "pp", group, 1.1),
                 Col(f"{ind}.vs_area_pp", "So với bình quân chung (điểm %)", "pp", group, 1.1),
                 Col(f"{ind}.gap_dossiers", "Cần thêm (hồ sơ)", "int", group, 0.9),
                 Col(f"{ind}.w_rate", f"Từ đầu năm đến {month.label()}", "pct", group, 1.1)]
    cols.append(Col("flags", "Đánh giá", width=2.2))
    wide = _wide(review, "ytd", inds)
    rows = _grouped_rows(review, wide, "ytd", inds, _flags(review, {*inds, "digitization", "all_three"}))
    return Table(name=f"So hoa {month}", title=f"Kết quả số hóa hồ sơ, kết quả giải quyết TTHC {month.label()}",
                 columns=cols, rows=rows, landscape=True,
                 note="Bình quân chung = tổng số đã số hóa / tổng số phải số hóa của các đơn vị; chênh lệch tính "
                      "bằng điểm phần trăm (số âm: thấp hơn); «Cần thêm» là số hồ sơ còn thiếu để bằng mức bình quân "
                      "chung.")


def payment_table(review: MonthlyReview) -> Table:
    month, params = review.month, review.params
    win = review.windows["payment"]
    target = params.targets.online_payment
    span = f"từ {short_date(win.start.first_day)} đến {short_date(win.end.last_day)}"
    g1, g2 = f"Thanh toán trực tuyến {month.label()}", f"Thanh toán trực tuyến {span}"
    ind = "online_payment"
    cols = [Col("stt", "STT", width=0.5), Col("unit", "Đơn vị", width=3.2),
            Col(f"{ind}.denominator", "Hồ sơ có phí, lệ phí", "int", g1), Col(f"{ind}.numerator", "Đã thanh toán trực tuyến", "int", g1),
            Col(f"{ind}.rate", "Tỷ lệ", "pct", g1, 1.1), Col(f"{ind}.change_pp", f"So với {(month - 1).label()} (điểm %)", "pp", g1, 1.1),
            Col(f"{ind}.w_den", "Hồ sơ có phí, lệ phí", "int", g2), Col(f"{ind}.w_num", "Đã thanh toán trực tuyến", "int", g2),
            Col(f"{ind}.w_rate", "Tỷ lệ", "pct", g2, 1.1),
            Col("w_vs_target_pp", f"So với chỉ tiêu {round(target * 100):g}% (điểm %)", "pp", g2, 1.1),
            Col("w_target_gap_dossiers", "Cần thêm (hồ sơ)", "int", g2, 0.9),
            Col("e_cert", "Chứng thực điện tử từ đầu năm (bản)", "int", width=1.1),
            Col("flags", "Đánh giá", width=2.2)]
    wide = _wide(review, "payment", (ind,)).join(
        review.counts.select("unit_id", "e_cert"), on="unit_id", how="left").with_columns(
        w_vs_target_pp=(pl.col(f"{ind}.w_rate") - target) * 100,
        w_target_gap_dossiers=pl.when(pl.col(f"{ind}.w_rate").is_not_null()).then(
            (target * pl.col(f"{ind}.w_den") - pl.col(f"{ind}.w_num") - 1e-9).ceil().clip(lower_bound=0)
            .cast(pl.Int64)))
    rows = _grouped_rows(review, wide, "payment", (ind,), _flags(review, {ind, "e_cert"}))
    return Table(name=f"Thanh toan {month}", title=f"Kết quả thanh toán trực tuyến và chứng thực điện tử {month.label()}",
                 columns=cols, rows=rows, landscape=True,
                 note=f"Chỉ tiêu UBND tỉnh giao: tỷ lệ thanh toán trực tuyến từ {round(target * 100):g}% trở lên; "
                      "chứng thực điện tử áp dụng với UBND cấp xã.")


def findings_table(review: MonthlyReview) -> Table:
    cols = [Col("stt", "STT", width=0.5), Col("unit", "Đơn vị", width=2.6), Col("form", "Hình thức", width=1.6),
            Col("sentence", "Nội dung", width=7)]
    rows: list[Row] = []
    for n, (title, part) in enumerate(review.sections(), start=1):
        rows.append(Row({"text": f"{n}. {title}"}, "group"))
        for i, r in enumerate(part.iter_rows(named=True), start=1):
            form = review.params.ladder[(r["level"] or 1) - 1] if r["kind"] == "escalate" else FINDING_KINDS[r["kind"]]
            rows.append(Row({"stt": i, "unit": r["unit"], "form": form, "sentence": r["sentence"]}))
    return Table(name=f"Danh sach {review.month}",
                 title=f"Danh sách biểu dương, nhắc nhở, phê bình {review.month.label()}", columns=cols, rows=rows)


def monthly_tables(review: MonthlyReview) -> list[Table]:
    return [findings_table(review), digitization_table(review), payment_table(review)]


def monthly_document(review: MonthlyReview) -> Document:
    label = review.month.label()
    tables = monthly_tables(review)
    return Document(
        title=f"Phụ lục văn bản biểu dương, nhắc nhở {label}",
        reference=reference_line(review.params),
        appendices=[Appendix(f"Danh sách biểu dương, nhắc nhở, phê bình trong thực hiện cải cách hành chính {label}",
                             [tables[0]]),
                    Appendix(f"Kết quả số hóa hồ sơ, kết quả giải quyết thủ tục hành chính {label}", [tables[1]]),
                    Appendix(f"Kết quả thanh toán trực tuyến, chứng thực bản sao điện tử {label}", [tables[2]])])

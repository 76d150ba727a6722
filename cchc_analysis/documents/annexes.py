"""The annex tables (phụ lục): the monthly letter's, from a ``MonthlyReview``, and the semi-annual report's, from a
``SemiannualReview``."""

from __future__ import annotations

import polars as pl

from cchc_analysis.compute.index766 import GROUPS
from cchc_analysis.compute.indicators import RATIOS, dossiers_to_reach, scope_of
from cchc_analysis.compute.scoring import FIELD_BINS, band_sentences, grouped_sentences
from cchc_analysis.core.formatting import date_span, integer, percent, points, roman
from cchc_analysis.core.glossary import (
    AREA_KINDS,
    CHECK_LABELS,
    COMMUNE_WORDS,
    FINDING_KINDS,
    INDICATOR_SHORT,
    LABELS,
    UNIT_KINDS,
)
from cchc_analysis.core.params import Params
from cchc_analysis.core.periods import Month
from cchc_analysis.documents.document import Appendix, Document, reference_line
from cchc_analysis.documents.monthly import MonthlyReview
from cchc_analysis.documents.semiannual import HANDLING_TOTALS, SemiannualReview, totals_row
from cchc_analysis.documents.tables import Col, Row, Table
from cchc_analysis.inputs.units import Registry

_SCOPES = ("departments", "commune_level")
# From this many units a table lists its communes by kind (xã, phường, đặc khu), as a province's annexes do; a
# district keeps the letters' two groups (seeds 000, 002: "I. Các cơ quan chuyên môn", "II. Các xã, thị trấn").
LARGE_AREA = 100


def _groups(table: pl.DataFrame, params: Params, registry: Registry) -> list[tuple[str, str, pl.Expr]]:
    """(key, label, filter) of each group of a table, in order: the area's own agencies or departments, then its
    commune-level units — under their parents when they have several (a province's districts before 2025), else
    by kind in a large area, else as one group."""
    out = [("departments", params.scope_label("departments"), pl.col("scope") == "departments")]
    kinds = set(table["unit_kind"].to_list()) if "unit_kind" in table.columns else set()
    parents = _parents(table, registry)
    if len(set(parents.values())) > 1:
        names = sorted(set(parents.values()))
        out += [
            (f"parent:{n}", n[:1].upper() + n[1:], pl.col("unit_id").replace_strict(parents, default="") == n)
            for n in names
        ]
    elif table.height >= LARGE_AREA and len(kinds & set(COMMUNE_WORDS)) > 1:
        out += [(k, f"Các {UNIT_KINDS[k]}", pl.col("unit_kind") == k) for k in COMMUNE_WORDS if k in kinds]
    else:
        out.append(("commune_level", params.scope_label("commune_level"), pl.col("scope") == "commune_level"))
    return out


def _parents(table: pl.DataFrame, registry: Registry) -> dict[str, str]:
    """Commune-level unit → the name of its parent when that parent is a district-level unit of the registry
    ("huyện Gia Lộc"), not the area itself."""
    if "unit_id" not in table.columns or "scope" not in table.columns:
        return {}
    top = registry.area_unit()
    out = {}
    for uid in table.filter(pl.col("scope") == "commune_level")["unit_id"].to_list():
        unit = registry.by_id.get(uid)
        parent = registry.by_id.get(unit.parent) if unit else None
        if parent is not None and parent.kind in AREA_KINDS and (top is None or parent.id != top.id):
            out[uid] = parent.short_name
    return out


def _summed(part: pl.DataFrame, indicators: tuple[str, ...]) -> dict:
    """A group's pooled figures from its units' rows (sums of numerators and denominators)."""
    out: dict = {}
    for ind in indicators:
        for num, den, rate in (("numerator", "denominator", "rate"), ("w_num", "w_den", "w_rate")):
            if f"{ind}.{den}" not in part.columns:
                continue
            n, d = part[f"{ind}.{num}"].sum(), part[f"{ind}.{den}"].sum()
            out |= {f"{ind}.{num}": n, f"{ind}.{den}": d, f"{ind}.{rate}": float(n) / float(d) if d else None}
    return out


_STT = Col("stt", LABELS["stt"], "int", width=0.9)  # "STT" and "3.351" at 10 pt in a fixed layout


def _unit(width: float) -> Col:
    return Col("unit", LABELS["unit"], width=width)


def _flags(review: MonthlyReview, indicators: set[str]) -> dict[str, str]:
    """Per unit: the letter's verdicts on these indicators, short, one verdict once ("Nhắc nhở (số hóa khi tiếp
    nhận, số hóa kết quả); Phê bình lần thứ hai")."""
    out: dict[str, dict[str, list[str]]] = {}
    for r in review.findings.iter_rows(named=True):
        if r["indicator"] not in indicators:
            continue
        if r["kind"] == "escalate":
            text = review.params.ladder[(r["level"] or 1) - 1]
        else:
            text = FINDING_KINDS[r["kind"]]
        labels = out.setdefault(r["unit_id"], {}).setdefault(text, [])
        label = INDICATOR_SHORT.get(r["indicator"])
        if label and len(indicators) > 1 and label not in labels:
            labels.append(label)
    return {
        k: "; ".join(f"{text} ({', '.join(labels)})" if labels else text for text, labels in v.items())
        for k, v in out.items()
    }


def _wide(review: MonthlyReview, window: str, indicators: tuple[str, ...]) -> pl.DataFrame:
    """One row per unit: numerator/denominator/rate per indicator for the month, and for ``window``."""
    month = review.units.filter(pl.col("indicator").is_in(indicators))
    rows = review.rates.filter((pl.col("window") == window) & pl.col("indicator").is_in(indicators))
    units = review.context.units.with_columns(scope=scope_of(pl.col("unit_kind")))
    for ind in indicators:
        m = month.filter(pl.col("indicator") == ind).select(
            "unit_id",
            *[
                pl.col(c).alias(f"{ind}.{c}")
                for c in (
                    "numerator",
                    "denominator",
                    "rate",
                    "change_pp",
                    "gap_pp",
                    "gap_dossiers",
                    "target_gap_pp",
                    "target_gap_dossiers",
                )
            ],
            (-pl.col("gap_pp")).alias(f"{ind}.vs_area_pp"),
        )
        w = rows.filter(pl.col("indicator") == ind).select(
            "unit_id",
            pl.col("numerator").alias(f"{ind}.w_num"),
            pl.col("denominator").alias(f"{ind}.w_den"),
            pl.col("rate").alias(f"{ind}.w_rate"),
        )
        units = units.join(m, on="unit_id", how="left").join(w, on="unit_id", how="left")
    return units.sort("unit_id")


def _totals(review: MonthlyReview, scope: str, window: str, indicators: tuple[str, ...]) -> dict:
    out: dict = {}
    for ind in indicators:
        for win, prefix in (("month", ""), (window, "w_")):
            a = review.area.filter(
                (pl.col("window") == win) & (pl.col("scope") == scope) & (pl.col("indicator") == ind)
            )
            if a.height:
                r = a.row(0, named=True)
                key = {"": ("numerator", "denominator", "rate"), "w_": ("w_num", "w_den", "w_rate")}[prefix]
                out.update(
                    {
                        f"{ind}.{key[0]}": r["numerator"],
                        f"{ind}.{key[1]}": r["denominator"],
                        f"{ind}.{key[2]}": r["rate"],
                    }
                )
    return out


def _grouped_rows(
    review: MonthlyReview, wide: pl.DataFrame, window: str, indicators: tuple[str, ...], flags: dict[str, str]
) -> list[Row]:
    rows: list[Row] = []
    present = [
        (key, label, rule)
        for key, label, rule in _groups(wide, review.params, review.registry)
        if wide.filter(rule).height
    ]
    for i, (key, label, rule) in enumerate(present, start=1):
        part = wide.filter(rule)
        rows.append(Row({"text": f"{roman(i)}. {label}"}, "group"))
        for n, r in enumerate(part.iter_rows(named=True), start=1):
            rows.append(Row({**r, "stt": n, "flags": flags.get(r["unit_id"], "")}))
        totals = _totals(review, key, window, indicators) if key in _SCOPES else _summed(part, indicators)
        rows.append(Row({"unit": "Cộng", **totals}, "total"))
    rows.append(
        Row(
            {"unit": review.params.scope_label("all"), **_totals(review, "all", window, indicators)},
            "total",
        )
    )
    return rows


def digitization_table(review: MonthlyReview) -> Table:
    inds = ("digitized_input", "digitized_output")
    month = review.month
    cols = [_STT, _unit(3.2)]
    for ind in inds:
        group = f"{INDICATOR_SHORT[ind].capitalize()} {month.label()}"
        cols += [
            Col(f"{ind}.numerator", "Đã số hóa", "int", group),
            Col(f"{ind}.denominator", "Phải số hóa", "int", group),
            Col(f"{ind}.rate", "Tỷ lệ", "pct", group, 1.1),
            Col(f"{ind}.change_pp", f"So với {(month - 1).label()} (điểm %)", "pp", group, 1.1),
            Col(f"{ind}.vs_area_pp", "So với bình quân chung (điểm %)", "pp", group, 1.1),
            Col(f"{ind}.gap_dossiers", "Cần thêm (hồ sơ)", "int", group, 0.9),
            Col(f"{ind}.w_rate", f"Từ đầu năm đến {month.label()}{review.partial_mark('ytd')}", "pct", group, 1.1),
        ]
    cols.append(Col("flags", LABELS["verdict"], width=4.4))
    wide = _wide(review, "ytd", inds)
    rows = _grouped_rows(review, wide, "ytd", inds, _flags(review, {*inds, "digitization", "all_three"}))
    return Table(
        name=f"Số hóa {month}",
        title=f"Kết quả số hóa hồ sơ, kết quả giải quyết TTHC {month.label()}",
        columns=cols,
        rows=rows,
        landscape=True,
        note="Bình quân chung = tổng số đã số hóa / tổng số phải số hóa của các đơn vị; chênh lệch tính "
        'bằng điểm phần trăm (số âm: thấp hơn); "Cần thêm" là số hồ sơ còn thiếu để bằng mức bình quân '
        "chung.",
    )


def payment_table(review: MonthlyReview) -> Table:
    month, params = review.month, review.params
    win = review.windows["payment"]
    target = params.targets.online_payment
    span = date_span(win.start.first_day, win.end.last_day)
    g1 = f"Thanh toán trực tuyến {month.label()}"
    g2 = f"Thanh toán trực tuyến {span}{review.partial_mark('payment')}"
    ind = "online_payment"
    cols = [
        _STT,
        _unit(3.2),
        Col(f"{ind}.denominator", "Hồ sơ có phí, lệ phí", "int", g1),
        Col(f"{ind}.numerator", "Đã thanh toán trực tuyến", "int", g1),
        Col(f"{ind}.rate", "Tỷ lệ", "pct", g1, 1.1),
        Col(f"{ind}.change_pp", f"So với {(month - 1).label()} (điểm %)", "pp", g1, 1.1),
        Col(f"{ind}.w_den", "Hồ sơ có phí, lệ phí", "int", g2),
        Col(f"{ind}.w_num", "Đã thanh toán trực tuyến", "int", g2),
        Col(f"{ind}.w_rate", "Tỷ lệ", "pct", g2, 1.1),
        Col("w_vs_target_pp", f"So với chỉ tiêu {round(target * 100):g}% (điểm %)", "pp", g2, 1.1),
        Col("w_target_gap_dossiers", "Cần thêm (hồ sơ)", "int", g2, 0.9),
        Col("e_cert", f"Chứng thực điện tử từ đầu năm (bản){review.partial_mark('ytd')}", "int", width=1.1),
        Col("flags", LABELS["verdict"], width=4.4),
    ]
    wide = (
        _wide(review, "payment", (ind,))
        .join(review.counts.select("unit_id", "e_cert"), on="unit_id", how="left")
        .with_columns(
            w_vs_target_pp=(pl.col(f"{ind}.w_rate") - target) * 100,
            w_target_gap_dossiers=dossiers_to_reach(pl.lit(target), pl.col(f"{ind}.w_num"), pl.col(f"{ind}.w_den")),
        )
    )
    rows = _grouped_rows(review, wide, "payment", (ind,), _flags(review, {ind, "e_cert"}))
    return Table(
        name=f"Thanh toán {month}",
        title=f"Kết quả thanh toán trực tuyến và chứng thực điện tử {month.label()}",
        columns=cols,
        rows=rows,
        landscape=True,
        note=f"Chỉ tiêu UBND tỉnh giao: tỷ lệ thanh toán trực tuyến từ {round(target * 100):g}% trở lên; "
        "chứng thực điện tử áp dụng với UBND cấp xã.",
    )


def findings_table(review: MonthlyReview) -> Table:
    cols = [_STT, _unit(2.3), Col("form", "Hình thức", width=1.3), Col("sentence", "Nội dung", width=8)]
    rows: list[Row] = []
    for n, section in enumerate(review.sections(), start=1):
        rows.append(Row({"text": f"{n}. {section.title}"}, "group"))
        for i, r in enumerate(section.findings.iter_rows(named=True), start=1):
            form = review.params.ladder[(r["level"] or 1) - 1] if r["kind"] == "escalate" else FINDING_KINDS[r["kind"]]
            rows.append(Row({"stt": i, "unit": r["unit"], "form": form, "sentence": r["sentence"]}))
    return Table(
        name=f"Danh sách {review.month}",
        title=f"Danh sách biểu dương, nhắc nhở, phê bình {review.month.label()}",
        columns=cols,
        rows=rows,
    )


def monthly_tables(review: MonthlyReview) -> list[Table]:
    return [findings_table(review), digitization_table(review), payment_table(review)]


def monthly_document(review: MonthlyReview) -> Document:
    label = review.month.label()
    tables = monthly_tables(review)
    return Document(
        title=f"Phụ lục văn bản biểu dương, nhắc nhở {label}",
        reference=reference_line(review.params),
        notice=" ".join(review.notes()) or None,
        appendices=[
            Appendix(
                f"Danh sách biểu dương, nhắc nhở, phê bình trong thực hiện cải cách hành chính {label}", [tables[0]]
            ),
            Appendix(f"Kết quả số hóa hồ sơ, kết quả giải quyết thủ tục hành chính {label}", [tables[1]]),
            Appendix(f"Kết quả thanh toán trực tuyến, chứng thực bản sao điện tử {label}", [tables[2]]),
        ],
    )


# -- semi-annual report (seed 003) -----------------------------------------------------------------------
def _desks(review: SemiannualReview) -> dict[str, str]:
    return {scope: review.params.desk_label(scope) for scope in ("departments", "commune_level")}


def _grouped(
    review: SemiannualReview,
    table: pl.DataFrame,
    total_of,
    group_labels: dict[str, str] | None = None,
    whole: bool = True,
) -> list[Row]:
    """Units grouped as the report lists them (the area's desk, then communes, by kind in a large area), each
    group with its totals, then the whole area; ``total_of(frame)`` gives a totals row's values."""
    rows: list[Row] = []
    labels = group_labels or {}
    present = [
        (key, label, rule)
        for key, label, rule in _groups(table, review.params, review.registry)
        if table.filter(rule).height
    ]
    for i, (key, label, rule) in enumerate(present, start=1):
        part = table.filter(rule).sort("unit_id")
        rows.append(Row({"text": f"{roman(i)}. {labels.get(key, label)}"}, "group"))
        rows += [Row({**r, "stt": n}) for n, r in enumerate(part.iter_rows(named=True), start=1)]
        rows.append(Row({"unit": "Cộng", **total_of(part)}, "total"))
    if whole and present:
        rows.append(Row({"unit": review.scope_label("all"), **total_of(table)}, "total"))
    return rows


def _pooled(frame: pl.DataFrame, num: str, den: str) -> float | None:
    n, d = frame[num], frame[den]
    if not d.count() or not d.sum():
        return None
    return float(n.sum()) / float(d.sum())


def handling_annex(review: SemiannualReview) -> Table:
    g1, g2 = "Đã giải quyết", "Tiếp nhận, giải quyết trực tuyến"
    cols = [
        _STT,
        _unit(3),
        Col("total", "Tổng số hồ sơ", "int"),
        Col("carried_over", "Kỳ trước chuyển sang", "int"),
        Col("received", "Tiếp nhận mới", "int"),
        Col("resolved", "Tổng số", "int", g1),
        Col("on_time", "Trước và đúng hạn", "int", g1),
        Col("late", "Quá hạn", "int", g1),
        Col("on_time_rate", "Tỷ lệ đúng hạn", "pct", g1, 1.1),
        Col("in_progress", "Đang giải quyết", "int"),
        Col("paused", "Tạm dừng", "int"),
        Col("returned", "Trả lại", "int"),
        Col("cancelled", "Hủy", "int"),
        Col("truc_tuyen", "Số hồ sơ", "int", g2),
        Col("phai_truc_tuyen", "Phải xử lý trực tuyến", "int", g2),
        Col("online_rate", "Tỷ lệ", "pct", g2, 1.1),
    ]

    def rates(values: dict) -> dict:
        return {
            **values,
            "on_time_rate": values["on_time"] / values["resolved"] if values.get("resolved") else None,
            "online_rate": values["truc_tuyen"] / values["phai_truc_tuyen"] if values.get("phai_truc_tuyen") else None,
        }

    table = review.handling.with_columns(
        on_time_rate=pl.when(pl.col("resolved") > 0).then(pl.col("on_time") / pl.col("resolved")),
        online_rate=pl.when(pl.col("phai_truc_tuyen") > 0).then(pl.col("truc_tuyen") / pl.col("phai_truc_tuyen")),
    )
    rows = _grouped(review, table, lambda f: rates(totals_row(f, list(HANDLING_TOTALS))), group_labels=_desks(review))
    return Table(
        name=f"Giải quyết {review.period}",
        title=f"Tình hình tiếp nhận, giải quyết hồ sơ TTHC {review.label}",
        columns=cols,
        rows=rows,
        landscape=True,
        note="Kỳ trước chuyển sang: đầu kỳ; đang giải quyết, tạm dừng: cuối kỳ; tỷ lệ đúng hạn = trước và "
        "đúng hạn / đã giải quyết.",
    )


def digitization_annex(review: SemiannualReview) -> Table:
    cols = [_STT, _unit(3)]
    for num, den, rate, group in (
        ("so_hoa_tiep_nhan", "phai_so_hoa_tiep_nhan", "in_rate", "Số hóa khi tiếp nhận"),
        ("so_hoa_ket_qua", "ket_qua", "out_rate", "Số hóa kết quả giải quyết"),
    ):
        cols += [
            Col(num, "Đã số hóa", "int", group),
            Col(den, "Phải số hóa", "int", group),
            Col(rate, "Tỷ lệ", "pct", group),
        ]
    table = review.handling.with_columns(
        in_rate=pl.when(pl.col("phai_so_hoa_tiep_nhan") > 0).then(
            pl.col("so_hoa_tiep_nhan") / pl.col("phai_so_hoa_tiep_nhan")
        ),
        out_rate=pl.when(pl.col("ket_qua") > 0).then(pl.col("so_hoa_ket_qua") / pl.col("ket_qua")),
    )

    def total(f: pl.DataFrame) -> dict:
        sums = totals_row(f, ["so_hoa_tiep_nhan", "phai_so_hoa_tiep_nhan", "so_hoa_ket_qua", "ket_qua"])
        return {
            **sums,
            "in_rate": _pooled(f, "so_hoa_tiep_nhan", "phai_so_hoa_tiep_nhan"),
            "out_rate": _pooled(f, "so_hoa_ket_qua", "ket_qua"),
        }

    return Table(
        name=f"Số hóa {review.period}",
        title=f"Kết quả số hóa hồ sơ, kết quả giải quyết TTHC {review.label}",
        columns=cols,
        rows=_grouped(review, table, total, group_labels=_desks(review)),
    )


def payment_annex(review: SemiannualReview) -> Table:
    w, target = review.payment_window, review.params.targets.online_payment
    span = date_span(w.start.first_day, w.end.last_day)
    cols = [
        _STT,
        _unit(3),
        Col("denominator", "Hồ sơ có phí, lệ phí", "int"),
        Col("numerator", "Đã thanh toán trực tuyến", "int"),
        Col("rate", "Tỷ lệ", "pct"),
        Col("vs_target", f"So với chỉ tiêu {round(target * 100):g}% (điểm %)", "pp"),
        Col("verdict", LABELS["verdict"], width=1.4),
    ]

    def verdict(rate: float | None, num: int | None, den: int | None) -> str:
        if not den:
            return "Không phát sinh"
        if not num or rate is None:
            return "Chưa thực hiện"
        return "Đạt" if rate >= target else "Chưa đạt"

    table = review.payment.with_columns(scope=scope_of(pl.col("unit_kind")), vs_target=(pl.col("rate") - target) * 100)
    table = table.with_columns(
        verdict=pl.Series(
            [verdict(r, n, d) for r, n, d in table.select("rate", "numerator", "denominator").iter_rows()],
            dtype=pl.String,
        )
    )

    def total(f: pl.DataFrame) -> dict:
        rate = _pooled(f, "numerator", "denominator")
        return {
            **totals_row(f, ["numerator", "denominator"]),
            "rate": rate,
            "vs_target": None if rate is None else (rate - target) * 100,
        }

    rows = _grouped(review, table, total)
    met = table.filter((pl.col("scope") == "commune_level") & (pl.col("verdict") == "Đạt")).height
    short = table.filter((pl.col("scope") == "commune_level") & pl.col("verdict").is_in(["Chưa đạt", "Chưa thực hiện"]))
    none = short.filter(pl.col("verdict") == "Chưa thực hiện")["unit"].to_list()
    note = (
        f"Cấp xã: {met} đơn vị đạt chỉ tiêu, {short.height} đơn vị chưa đạt"
        + (f" (trong đó chưa thực hiện: {', '.join(none)})" if none else "")
        + "."
    )
    return Table(
        name=f"Thanh toán {review.period}",
        title=f"Kết quả thanh toán trực tuyến {span}",
        columns=cols,
        rows=rows,
        note=note,
    )


def e_cert_annex(review: SemiannualReview) -> Table:
    cols = [
        _STT,
        _unit(3),
        Col("chung_thuc_dien_tu", "Số bản sao chứng thực điện tử", "int", width=1.5),
        Col("status", "Tình hình thực hiện", width=1.6),
    ]
    communes = review.handling.filter(pl.col("scope") == "commune_level").with_columns(
        status=pl.when(pl.col("chung_thuc_dien_tu").is_null())
        .then(pl.lit("Chưa báo cáo"))
        .when(pl.col("chung_thuc_dien_tu") > 0)
        .then(pl.lit("Đã thực hiện"))
        .otherwise(pl.lit("Chưa thực hiện"))
    )
    rows = _grouped(review, communes, lambda f: totals_row(f, ["chung_thuc_dien_tu"]), whole=False)
    return Table(
        name=f"Chứng thực {review.period}",
        title=f"Chứng thực bản sao điện tử từ bản chính {review.label}",
        columns=cols,
        rows=rows,
    )


def late_annex(review: SemiannualReview) -> Table:
    cols = [
        _STT,
        _unit(3),
        Col("late", "Số hồ sơ quá hạn", "int"),
        Col("resolved", "Đã giải quyết", "int"),
        Col("on_time_rate", "Tỷ lệ đúng hạn", "pct"),
    ]
    late = review.handling.filter(pl.col("late") > 0).with_columns(on_time_rate=pl.col("on_time") / pl.col("resolved"))
    note = "Chỉ liệt kê đơn vị có hồ sơ quá hạn; số liệu theo lĩnh vực cần danh sách hồ sơ chi tiết."
    if review.late_fields.height:  # dossier lists were ingested: late dossiers by field (lĩnh vực)
        by_field = review.late_fields.group_by("unit_id", maintain_order=True).agg(
            pl.concat_str(pl.col("field"), pl.lit(" "), pl.col("late").cast(pl.String)).str.join("; ").alias("fields")
        )
        late = late.join(by_field, on="unit_id", how="left")
        cols.append(Col("fields", "Theo lĩnh vực", width=3))
        note = "Chỉ liệt kê đơn vị có hồ sơ quá hạn; lĩnh vực theo danh sách hồ sơ đã nhập."

    def total(f: pl.DataFrame) -> dict:
        return {**totals_row(f, ["late", "resolved"]), "on_time_rate": _pooled(f, "on_time", "resolved")}

    return Table(
        name=f"Quá hạn {review.period}",
        title=f"Hồ sơ giải quyết quá hạn {review.label}",
        columns=cols,
        rows=_grouped(review, late, total, group_labels=_desks(review)),
        note=note,
    )


def score_annex(review: SemiannualReview, set_name: str = "xa") -> Table:
    cset = next(s for s in review.sets if s.unit_kind == set_name)
    fields = review.scores.fields.filter(pl.col("set") == set_name)
    totals = review.scores.totals.filter(pl.col("set") == set_name)
    wide = totals.join(fields.pivot(on="field_id", index="unit_id", values="points"), on="unit_id", how="left")
    prev = review.params.scoring.previous_label
    cols = [Col("rank", LABELS["rank"], "int", width=0.7), _unit(2.6)]
    cols += [
        Col(f.id, f"{f.short or f.name} ({points(f.max)})", "num", "Điểm theo lĩnh vực", 1.05) for f in cset.fields
    ]
    cols += [
        Col("points", f"Tổng điểm (tối đa {points(cset.max_total)})", "num"),
        Col("share", "Tỷ lệ", "pct"),
        Col("band", "Dự kiến xếp loại", width=1.8),
        Col("previous_rank", f"Xếp hạng {prev}", "int", width=0.8),
        Col("rank_change", "Tăng (+), giảm (-) bậc", "int", width=0.8),
    ]
    rows = [Row(r) for r in wide.sort("rank", "unit").iter_rows(named=True)]
    return Table(
        name=f"Điểm CCHC {review.period}",
        title=f"Kết quả ước tính Chỉ số CCHC {review.label}",
        columns=cols,
        rows=rows,
        landscape=True,
        note="Ước tính trên điểm tự chấm và số liệu đến hết kỳ; tiêu chí chỉ đánh giá cuối năm tính 0 điểm.",
    )


def index766_annex(review: SemiannualReview) -> Table:
    cols = [_STT, _unit(3)]
    cols += [Col(g, f"{label} ({m:g})", "num", "Điểm theo nhóm chỉ tiêu", empty="chưa tính") for g, label, m in GROUPS]
    cols += [
        Col("computed", "Điểm tính được", "num"),
        Col("computed_max", "Tối đa phần tính được", "num"),
        Col("share", "Tỷ lệ", "pct"),
    ]
    table = review.index766.with_columns(scope=scope_of(pl.col("unit_kind")))
    scored = [g for g, _, _ in GROUPS] + ["computed", "computed_max"]

    def average(frame: pl.DataFrame) -> dict:
        # scores are not summed: a group's line is its units' average (a group that cannot be computed stays empty)
        means: dict[str, float | None] = {c: _mean(frame[c]) for c in scored}
        return {**means, "share": _share(means["computed"], means["computed_max"])}

    def renamed(row: Row) -> Row:
        if row.style != "total":
            return row
        unit = row.values["unit"]
        return Row({**row.values, "unit": "Bình quân" if unit == "Cộng" else f"Bình quân ({unit.lower()})"}, "total")

    rows = [renamed(r) for r in _grouped(review, table, average)]
    return Table(
        name=f"Chỉ số 766 {review.period}",
        title=f"Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg) {review.label}",
        columns=cols,
        rows=rows,
        landscape=True,
        note="Tính từ số liệu đang lưu; nhóm cần dữ liệu của Cổng Dịch vụ công quốc gia (công khai, minh bạch; "
        'mức độ hài lòng) ghi "chưa tính", không tính là 0 điểm.',
    )


def _mean(values: pl.Series) -> float | None:
    present = [float(v) for v in values.drop_nulls().to_list()]
    return sum(present) / len(present) if present else None


def _share(value: float | None, maximum: float | None) -> float | None:
    return value / maximum if value is not None and maximum else None


def complete_scores(review: SemiannualReview) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The communes' totals and per-field points, of the units whose every criterion has its score (a unit still
    missing some would be banded on zeros)."""
    criteria = review.scores.criteria
    incomplete = criteria.filter(pl.col("status") == "missing")["unit_id"].unique().to_list() if criteria.height else []
    totals = review.scores.totals.filter(~pl.col("unit_id").is_in(incomplete))
    kinds = dict(totals.select("unit_id", "unit_kind").iter_rows())
    fields = review.scores.fields.filter((pl.col("set") == "xa") & ~pl.col("unit_id").is_in(incomplete)).with_columns(
        unit_kind=pl.col("unit_id").replace_strict(kinds, default=None)
    )
    return totals, fields


def field_estimates(review: SemiannualReview) -> dict[str, list[str]]:
    """Per field of the communes' criteria, in their order: the grouped sentences of the field's shares."""
    _, fields = complete_scores(review)
    out = {}
    for spec in next(s for s in review.sets if s.unit_kind == "xa").fields:
        part = fields.filter(pl.col("field_id") == spec.id)
        out[spec.id] = grouped_sentences(part, "điểm số", "bin", [label for _, label in FIELD_BINS])
    return out


def district_estimate(review: SemiannualReview) -> dict | None:
    """The area's own total (its People's Committee), when its every criterion has a score."""
    totals, _ = complete_scores(review)
    district = totals.filter(pl.col("set") == "huyen")
    return district.row(0, named=True) if district.height else None


def scores_note(review: SemiannualReview) -> str | None:
    missing = review.scores.criteria.filter(pl.col("status") == "missing") if review.scores.criteria.height else None
    if missing is None or not missing.height:
        return None
    return (
        f"Lưu ý: còn {missing['unit_id'].n_unique()} đơn vị chưa có đủ điểm tự chấm kỳ {review.period} "
        f"({missing.height} tiêu chí): ước tính dưới đây chưa nêu các đơn vị đó — nhập bằng cchc ingest-scores "
        "rồi chạy lại."
    )


def semiannual_sentences(review: SemiannualReview) -> list[str]:
    """The score annex's grouped sentences: overall bands, then per field."""
    totals, _ = complete_scores(review)
    out = band_sentences(totals.filter(pl.col("set") == "xa"), review.params.scoring.bands)
    names = {spec.id: spec.name for spec in next(s for s in review.sets if s.unit_kind == "xa").fields}
    for field_id, sentences in field_estimates(review).items():
        out += [f"Lĩnh vực {names[field_id].lower()}: {s}" for s in sentences]
    if (d := district_estimate(review)) is not None:
        out.insert(
            0,
            f"{d['unit']} tự đánh giá, chấm điểm ước đạt {points(d['points'])}/{points(d['max'])} điểm, "
            f"đạt {percent(d['share'])}.",
        )
    return [note, *out] if (note := scores_note(review)) else out


def semiannual_tables(review: SemiannualReview) -> list[Table]:
    return [
        handling_annex(review),
        digitization_annex(review),
        payment_annex(review),
        e_cert_annex(review),
        late_annex(review),
        score_annex(review),
        index766_annex(review),
    ]


def semiannual_document(review: SemiannualReview) -> Document:
    t = semiannual_tables(review)
    return Document(
        title=f"Phụ lục báo cáo cải cách hành chính {review.label}",
        reference=reference_line(review.params, review.params.document.report_code),
        notice=" ".join(review.notes()) or None,
        appendices=[Appendix(table.title, [table]) for table in t[:5]]
        + [Appendix(t[5].title, [t[5]], semiannual_sentences(review)), Appendix(t[6].title, [t[6]])],
    )


def anomalies_table(found: pl.DataFrame, title: str) -> Table:
    """The findings as anomalies.csv has them: rule and threshold, the value and the one before it (a rate in %,
    a count as a number), the z-scores, numerator and denominator, severity, and the sentence that says it all."""
    cols = [
        _STT,
        Col("severity", LABELS["severity"], width=1),
        Col("check", LABELS["check"], width=1.6),
        _unit(2.2),
        Col("month", LABELS["month"], width=1),
        Col("indicator", LABELS["indicator"], width=1.4),
        Col("threshold", LABELS["threshold"], width=2),
        Col("shown", LABELS["value"], width=1.1),
        Col("before", LABELS["previous"], width=1.1),
        Col("z_own", LABELS["z_own"], "num", width=1),
        Col("z_peer", LABELS["z_peer"], "num", width=1),
        Col("numerator", LABELS["numerator"], "int", width=0.9),
        Col("denominator", LABELS["denominator"], "int", width=0.9),
        Col("evidence", LABELS["evidence"], width=5),
    ]
    rows = []
    for n, r in enumerate(found.iter_rows(named=True), 1):
        rate = r["indicator"] in RATIOS and r["check"] not in ("unbalanced", "carry_over", "no_dossiers")
        shown = {
            k: (None if r[k] is None else percent(r[k]) if rate else integer(round(r[k])))
            for k in ("value", "previous")
        }
        rows.append(
            Row(
                {
                    **r,
                    "stt": n,
                    "check": CHECK_LABELS[r["check"]],
                    "month": Month.parse(r["month"]).label(),
                    "indicator": INDICATOR_SHORT.get(r["indicator"] or "", r["indicator"] or ""),
                    "shown": shown["value"],
                    "before": shown["previous"],
                }
            )
        )
    return Table(name="Bất thường", title=title, columns=cols, rows=rows)

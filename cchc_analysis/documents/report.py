"""The semi-annual (or annual) report as a document, in the order and style of seed 003: the sections whose
figures come from the store written out — dossier handling at each desk, online filing, digitization, online
payment, e-certification, late dossiers, the CCHC index estimate and ranks against last year — and the narrative
sections the analyst writes left as marked placeholders. Built from the same ``SemiannualReview`` as the annexes."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from cchc_analysis.core.formatting import date_span, fill, integer, letter_percent
from cchc_analysis.documents.letter import BLANK, Heading, SignatureBlock
from cchc_analysis.documents.semiannual import HANDLING_TOTALS, SemiannualReview, totals_row

PLACEHOLDER = "Phần này do cán bộ phụ trách viết"
_DESKS = (("departments", "Bộ phận Một cửa cấp {area}"), ("commune_level", "Bộ phận Một cửa cấp xã"))


@dataclass(frozen=True)
class ReportSection:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    placeholder: str | None = None  # what the analyst still has to write here


@dataclass(frozen=True)
class Report:
    heading: Heading
    title: str
    sections: list[ReportSection]
    copies: list[str]
    signer: SignatureBlock


def _count(n: int | None) -> str:
    return integer(int(n or 0))


def _fraction(num: int | None, den: int | None) -> str:
    """ "1.641/1.642 hồ sơ đạt tỷ lệ 99,94%" ."""
    if not den:
        return "không phát sinh hồ sơ"
    return f"{_count(num)}/{_count(den)} hồ sơ đạt tỷ lệ {letter_percent((num or 0) / den)}"


def handling_paragraphs(review: SemiannualReview) -> list[str]:
    """Per desk: received, carried over, on time, late (naming the units), in progress, paused, returned,
    cancelled; then online filing."""
    out = []
    area = review.params.area_name
    for n, (scope, label) in enumerate(_DESKS, start=1):
        part = review.handling.filter(pl.col("scope") == scope)
        if part.is_empty():
            continue
        t = totals_row(part, list(HANDLING_TOTALS))
        late_units = [
            f"{r['unit']} ({r['late']:02d})" for r in part.filter(pl.col("late") > 0).sort("unit").iter_rows(named=True)
        ]
        late = f"{_count(t['late'])} hồ sơ giải quyết quá hạn" + (f" ({', '.join(late_units)})" if late_units else "")
        text = (
            f"({n}) {label.format(area=area)}: Tiếp nhận {_count(t['total'])} hồ sơ. Trong đó, kỳ trước chuyển sang "
            f"giải quyết: {_count(t['carried_over'])} hồ sơ, tiếp nhận trong kỳ: {_count(t['received'])} hồ sơ; "
            f"đã giải quyết trả trước và đúng hạn {_fraction(t['on_time'], t['resolved'])}; {late}"
        )
        for key, words in (
            ("in_progress", "hồ sơ đang giải quyết"),
            ("paused", "hồ sơ đang tạm dừng"),
            ("returned", "hồ sơ trả lại"),
            ("cancelled", "hồ sơ đã hủy"),
        ):
            if t[key]:
                text += f"; {_count(t[key])} {words}"
        out.append(text + ".")
        if t["phai_truc_tuyen"]:
            out.append(
                "Hồ sơ tiếp nhận, giải quyết trực tuyến toàn trình và một phần: "
                f"{_fraction(t['truc_tuyen'], t['phai_truc_tuyen'])}."
            )
    return out


def digitization_paragraphs(review: SemiannualReview) -> list[str]:
    out = []
    rates = {(r["scope"], r["indicator"]): r for r in review.area.iter_rows(named=True)}
    for n, (scope, label) in enumerate(_DESKS, start=1):
        i, o = rates.get((scope, "digitized_input")), rates.get((scope, "digitized_output"))
        if not i and not o:
            continue
        parts = []
        if i:
            parts.append(f"số hóa đầy đủ thành phần hồ sơ (đầu vào): {_fraction(i['numerator'], i['denominator'])}")
        if o:
            parts.append(f"số hóa kết quả giải quyết (đầu ra): {_fraction(o['numerator'], o['denominator'])}")
        out.append(f"({n}) {label.format(area=review.params.area_name)}: Kết quả " + "; ".join(parts) + ".")
    return out


def payment_paragraphs(review: SemiannualReview) -> list[str]:
    target = review.params.targets.online_payment
    w = review.payment_window
    span = date_span(w.start.first_day, w.end.last_day)
    out = []
    for r in review.payment_area.iter_rows(named=True):
        if r["scope"] != "all":
            continue
        if not r["denominator"]:
            out.append(f"Thanh toán trực tuyến {span}: chưa phát sinh hồ sơ có phí, lệ phí.")
            continue
        below = review.payment.filter(pl.col("rate").is_not_null() & (pl.col("rate") < target)).sort("unit")
        text = (
            f"Thanh toán trực tuyến {span}: toàn {review.params.area_name} có "
            f"{_fraction(r['numerator'], r['denominator'])} có phí, lệ phí được thanh toán trực tuyến "
            f"(chỉ tiêu UBND tỉnh giao: {letter_percent(target)})"
        )
        if below.height:
            text += f"; {below.height:02d} đơn vị chưa đạt chỉ tiêu: " + ", ".join(
                f"{u} ({letter_percent(v)})" for u, v in below.select("unit", "rate").iter_rows()
            )
        out.append(text + ".")
    return out


def e_cert_paragraphs(review: SemiannualReview) -> list[str]:
    communes = review.handling.filter(pl.col("scope") == "commune_level")
    total = int(communes["chung_thuc_dien_tu"].sum() or 0)
    none = communes.filter(pl.col("chung_thuc_dien_tu").fill_null(0) == 0).sort("unit")["unit"].to_list()
    text = f"Chứng thực bản sao điện tử từ bản chính {review.label}: cấp xã thực hiện {_count(total)} bản"
    if none:
        text += f"; {len(none):02d} đơn vị chưa thực hiện: {', '.join(none)}"
    return [text + "."]


def rank_paragraphs(review: SemiannualReview) -> list[str]:
    totals = review.scores.totals.filter(pl.col("rank_change").is_not_null())
    if totals.is_empty():
        return []
    prev = review.params.scoring.previous_label
    up = totals.filter(pl.col("rank_change") > 0).sort("unit")
    down = totals.filter(pl.col("rank_change") < 0).sort("unit")
    parts = []
    if up.height:
        parts.append(
            f"{up.height:02d} đơn vị tăng hạng so với {prev} ("
            + ", ".join(f"{u} tăng {c} bậc" for u, c in up.select("unit", "rank_change").iter_rows())
            + ")"
        )
    if down.height:
        parts.append(
            f"{down.height:02d} đơn vị giảm hạng ("
            + ", ".join(f"{u} giảm {-c} bậc" for u, c in down.select("unit", "rank_change").iter_rows())
            + ")"
        )
    same = totals.height - up.height - down.height
    if same:
        parts.append(f"{same:02d} đơn vị giữ nguyên thứ hạng")
    return ["Về thứ hạng ước tính: " + "; ".join(parts) + "."]


def build_report(review: SemiannualReview) -> Report:
    """The report of ``review``'s period, data sections written out and narrative ones marked."""
    from cchc_analysis.documents.annexes import semiannual_sentences
    from cchc_analysis.documents.letter import heading

    params, doc = review.params, review.params.document
    label = review.label
    window = review.window
    title = fill(doc.report_title, area=params.area_name, period=label, year=str(window.end.year))
    sections = [
        ReportSection(f"I. KẾT QUẢ THỰC HIỆN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH {label.upper()}", review.notes()),
        ReportSection("1. Công tác chỉ đạo, điều hành", placeholder=PLACEHOLDER),
        ReportSection("2. Cải cách thể chế", placeholder=PLACEHOLDER),
        ReportSection(
            "3. Cải cách thủ tục hành chính",
            [
                "Kết quả giải quyết hồ sơ TTHC:",
                *handling_paragraphs(review),
                "Về thực hiện số hóa hồ sơ, giấy tờ, kết quả giải quyết TTHC:",
                *digitization_paragraphs(review),
                *payment_paragraphs(review),
                *e_cert_paragraphs(review),
            ],
            placeholder="Rà soát, công khai TTHC; phản ánh, kiến nghị: " + PLACEHOLDER.lower(),
        ),
        ReportSection("4. Cải cách tổ chức bộ máy hành chính nhà nước", placeholder=PLACEHOLDER),
        ReportSection("5. Cải cách chế độ công vụ", placeholder=PLACEHOLDER),
        ReportSection("6. Cải cách tài chính công", placeholder=PLACEHOLDER),
        ReportSection("7. Xây dựng và phát triển chính quyền điện tử, chính quyền số", placeholder=PLACEHOLDER),
        ReportSection(
            f"II. ƯỚC TÍNH CHỈ SỐ CẢI CÁCH HÀNH CHÍNH {label.upper()}",
            [*semiannual_sentences(review), *rank_paragraphs(review)],
        ),
        ReportSection(
            "III. ĐÁNH GIÁ CHUNG",
            placeholder="Mặt tích cực; những tồn tại, hạn chế; nguyên nhân — " + PLACEHOLDER.lower(),
        ),
        ReportSection("IV. PHƯƠNG HƯỚNG, NHIỆM VỤ TRỌNG TÂM", placeholder=PLACEHOLDER),
    ]
    words = {
        "area": params.area_name,
        "communes": params.communes,
        "departments": params.departments,
        "period": label,
        "next": label,
        "year": str(window.end.year),
    }
    return Report(
        heading(params, review.registry, window, "", doc.report_code),
        title,
        sections,
        [fill(c, **words) for c in doc.report_copies],
        SignatureBlock(
            doc.report_signer.on_behalf, doc.report_signer.title, doc.report_signer.name or doc.signer.name or BLANK
        ),
    )

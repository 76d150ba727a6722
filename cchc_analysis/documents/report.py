"""The semi-annual (or annual) report as a document, in the order and style of seed 003: the sections whose
figures come from the store written out — dossier handling at each desk, online filing, digitization, online
payment, e-certification, late dossiers, the CCHC index estimate and ranks against last year — and the narrative
sections the analyst writes left as marked placeholders. Built from the same ``SemiannualReview`` as the annexes."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from cchc_analysis.compute.scoring import group_subject, unit_list
from cchc_analysis.core.formatting import date_span, fill, integer, letter_percent, percent, points
from cchc_analysis.core.glossary import AREA_KINDS, COMMUNE_LEVEL_KINDS
from cchc_analysis.core.periods import Half, ReportPeriod
from cchc_analysis.documents.letter import BLANK, Heading, SignatureBlock
from cchc_analysis.documents.semiannual import HANDLING_TOTALS, SemiannualReview, totals_row

PLACEHOLDER = "Phần này do cán bộ phụ trách viết"
_DESKS = (("departments", "Bộ phận Một cửa cấp {area}"), ("commune_level", "Bộ phận Một cửa cấp xã"))


@dataclass(frozen=True)
class ReportSection:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    placeholder: str | None = None  # what the analyst still has to write here
    ending: list[str] = field(default_factory=list)  # after the analyst's part: a field's score estimate


@dataclass(frozen=True)
class Report:
    heading: Heading
    title: str
    sections: list[ReportSection]
    copies: list[str]
    signer: SignatureBlock
    closing: str = ""  # "Trên đây là Báo cáo … ./."

    def texts(self) -> list[str]:
        """What the filled template must show: every paragraph of every section, and the closing."""
        return [t for s in self.sections for t in (*s.paragraphs, *s.ending)] + ([self.closing] if self.closing else [])


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
        share = f" (chiếm tỷ lệ {letter_percent(t['late'] / t['resolved'])})" if t["late"] and t["resolved"] else ""
        late = f"{_count(t['late'])} hồ sơ giải quyết quá hạn{share}" + (
            f" ở {', '.join(late_units)}" if late_units else ""
        )
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
            if scope == "departments":
                out += online_by_department(review)
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


def _communes(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("unit_kind").is_in(sorted(COMMUNE_LEVEL_KINDS)))


def _named(frame: pl.DataFrame) -> str:
    return unit_list(frame["unit"].to_list(), frame["unit_kind"].to_list())


def _count_of(frame: pl.DataFrame) -> str:
    return f"{frame.height:02d} {group_subject(frame['unit_kind'].to_list())}"


def online_by_department(review: SemiannualReview) -> list[str]:
    """The district desk's online dossiers by department (seed 003: "Tài chính: 462/462 hồ sơ (tỷ lệ 100%)")."""
    rates = review.rates.filter(
        (pl.col("indicator") == "online") & ~pl.col("unit_kind").is_in(sorted(COMMUNE_LEVEL_KINDS | AREA_KINDS))
    )
    some = rates.filter(pl.col("denominator") > 0).sort("unit")
    if some.is_empty():
        return []
    parts = [
        f"{r['unit']}: {_count(r['numerator'])}/{_count(r['denominator'])} hồ sơ (tỷ lệ {letter_percent(r['rate'])})"
        for r in some.iter_rows(named=True)
    ]
    rest = "; các cơ quan còn lại chưa phát sinh hồ sơ" if rates.height > some.height else ""
    return ["Phát sinh ở các cơ quan: " + "; ".join(parts) + rest + "."]


def doing_well(review: SemiannualReview) -> list[str]:
    """The communes the report names as doing well: every dossier online, and both digitization rates at or above
    ``document.report_good_digitization``."""
    rates = _communes(review.rates)
    wide = rates.pivot(on="indicator", index=["unit_id", "unit", "unit_kind"], values="rate")
    parts = []
    if "online" in wide.columns:
        full = _communes(
            rates.filter((pl.col("indicator") == "online") & (pl.col("numerator") == pl.col("denominator")))
        )
        full = full.filter(pl.col("denominator") > 0).sort("unit")
        if full.height:
            parts.append(
                "Một số xã làm tốt trong việc giải quyết TTHC qua dịch vụ công trực tuyến, đạt 100% tỷ lệ hồ sơ giải "
                f"quyết trực tuyến, như {_named(full)}"
            )
    low = review.params.document.report_good_digitization
    if {"digitized_input", "digitized_output"} <= set(wide.columns):
        high = wide.filter((pl.col("digitized_input") >= low) & (pl.col("digitized_output") >= low))
        high = high.sort("digitized_input", "unit", descending=[True, False])
        named = []
        for r in high.iter_rows(named=True):
            i, o = letter_percent(r["digitized_input"]), letter_percent(r["digitized_output"])
            figures = i if i == o else f"số hóa đầy đủ thành phần hồ sơ là {i}, số hóa kết quả giải quyết là {o}"
            named.append(f"{r['unit']} ({figures})")
        if named:
            parts.append(
                "một số địa phương có tỷ lệ số hóa đầy đủ thành phần hồ sơ TTHC và số hóa kết quả giải quyết TTHC "
                "đạt cao: " + ", ".join(named)
            )
    if not parts:
        return []
    text = "; ".join(parts)
    return [text[0].upper() + text[1:] + "."]


def payment_paragraphs(review: SemiannualReview) -> list[str]:
    """Online payment over its window, by desk (seed 003): the departments' pooled rate against the target; the
    communes that met it, did not, or paid nothing online."""
    target = review.params.targets.online_payment
    w = review.payment_window
    pooled = {r["scope"]: r for r in review.payment_area.iter_rows(named=True)}
    head = f"Về thanh toán trực tuyến trên Cổng dịch vụ công quốc gia ({date_span(w.start.first_day, w.end.last_day)}):"
    if not (pooled.get("all") or {}).get("denominator"):
        return [f"{head} chưa phát sinh hồ sơ có phí, lệ phí."]
    out = [head]
    desk = pooled.get("departments")
    if desk and desk["denominator"]:
        met = "đạt" if desk["rate"] >= target else "chưa đạt"
        out.append(
            f"Ở cấp {review.params.area_name} đạt {letter_percent(desk['rate'])}, {met} chỉ tiêu do UBND tỉnh giao "
            f"({letter_percent(target)})."
        )
    communes = _communes(review.payment).filter(pl.col("denominator") > 0)
    if communes.height:
        groups = [
            (communes.filter(pl.col("rate") >= target), "đạt chỉ tiêu giao của UBND tỉnh", False),
            (communes.filter((pl.col("rate") < target) & (pl.col("numerator") > 0)), "chưa đạt chỉ tiêu giao", False),
            (communes.filter(pl.col("numerator") == 0).sort("unit"), "chưa thực hiện thanh toán trực tuyến", True),
        ]
        said = [
            f"{_count_of(g)} {what}" + (f" ({_named(g)})" if named else "") for g, what, named in groups if g.height
        ]
        out.append("Đối với cấp xã: Có " + ", ".join(said) + ".")
    return out


def e_cert_paragraphs(review: SemiannualReview) -> list[str]:
    """How many communes certify copies electronically by the period's end, naming those that do not yet."""
    communes = review.handling.filter(pl.col("scope") == "commune_level")
    if communes.is_empty():
        return []
    doing = communes.filter(pl.col("chung_thuc_dien_tu").fill_null(0) > 0)
    end = review.window.end.last_day
    text = (
        f"Tính đến ngày {end.day}/{end.month}/{end.year}, có {doing.height}/{communes.height} "
        f"{group_subject(communes['unit_kind'].to_list())} triển khai thực hiện chứng thực bản sao điện tử từ bản chính "
        f"({_count(int(communes['chung_thuc_dien_tu'].sum() or 0))} bản)"
    )
    none = communes.filter(pl.col("chung_thuc_dien_tu").fill_null(0) == 0).sort("unit")
    return [text + (f"; còn {_count_of(none)} chưa thực hiện ({_named(none)})" if none.height else "") + "."]


def reuse_paragraphs(review: SemiannualReview) -> list[str]:
    """The communes that do not yet reuse digitized data, or those that do when they are fewer (seed 003)."""
    communes = review.handling.filter(pl.col("scope") == "commune_level").sort("unit")
    if communes.is_empty() or communes["tai_su_dung"].null_count() == communes.height:
        return []
    using = communes.filter(pl.col("tai_su_dung").fill_null(0) > 0)
    idle = communes.filter(pl.col("tai_su_dung").fill_null(0) == 0)
    if idle.is_empty():
        return []
    end = review.window.end.last_day
    text = f"Tính đến ngày {end.day}/{end.month}/{end.year}, còn {_count_of(idle)} chưa khai thác, sử dụng lại thông tin, dữ liệu số hóa TTHC"
    if using.height and using.height < idle.height:
        text += f" (trừ {_named(using)})"
    elif using.height:
        text += f" ({_named(idle)})"
    return [text + "."]


def assessment_paragraphs(review: SemiannualReview) -> list[str]:
    """The general assessment's figures (seed 003, "Mặt tích cực"): the area's rates over the period, the area's
    own estimated score, e-certification and online payment."""
    from cchc_analysis.documents.annexes import district_estimate

    area = review.params.area_name
    rates = {r["indicator"]: r["rate"] for r in review.area.filter(pl.col("scope") == "all").iter_rows(named=True)}
    parts = []
    for ind, words in (
        ("on_time", f"tỷ lệ hồ sơ được giải quyết trước và đúng hạn cho tổ chức, công dân toàn {area} đạt"),
        ("online", "tỷ lệ hồ sơ tiếp nhận, giải quyết trực tuyến toàn trình và một phần đạt tỷ lệ"),
        ("digitized_input", f"tỷ lệ số hóa đầy đủ thành phần hồ sơ của toàn {area} đạt"),
        ("digitized_output", "tỷ lệ số hóa kết quả giải quyết TTHC đạt"),
    ):
        if rates.get(ind) is not None:
            parts.append(f"{words} {letter_percent(rates[ind])}")
    out = [(parts[0][0].upper() + "; ".join(parts)[1:] + ".")] if parts else []
    if (d := district_estimate(review)) is not None:
        out.append(
            f"Theo ước tính, điểm số về đánh giá việc thực hiện CCHC của {d['unit']} (qua tài liệu kiểm chứng) "
            f"{review.label} đạt được là {points(d['points'])} điểm, đạt {letter_percent(d['share'])} (điểm tối đa "
            f"là {points(d['max'])} điểm)."
        )
    pay = next((r for r in review.payment_area.iter_rows(named=True) if r["scope"] == "all"), None)
    if pay and pay["denominator"]:
        target = review.params.targets.online_payment
        met = "đạt" if pay["rate"] >= target else "chưa đạt"
        out.append(
            f"Có {letter_percent(pay['rate'])} hồ sơ TTHC có phí, lệ phí phát sinh được thanh toán trực tuyến, {met} "
            f"chỉ tiêu giao của UBND tỉnh ({letter_percent(target)})."
        )
    return out


def standing_paragraphs(review: SemiannualReview) -> list[str]:
    """The communes' estimated ranks (against last year's where the params give them) and bands with the
    maximum points (seed 003, "Những tồn tại, hạn chế")."""
    from cchc_analysis.documents.annexes import complete_scores

    totals, _ = complete_scores(review)
    communes = totals.filter(pl.col("set") == "xa")
    if communes.is_empty():
        return []
    out = []
    ranked = communes.filter(pl.col("previous_rank").is_not_null()).sort("rank", descending=True)
    if ranked.height:
        prev = review.params.scoring.previous_label
        said = [
            f"{r['unit']} xếp thứ {r['rank']} ({prev} xếp thứ {r['previous_rank']})"
            for r in ranked.iter_rows(named=True)
        ]
        out.append(
            f"Theo ước tính số điểm đánh giá kết quả thực hiện CCHC của UBND cấp xã {review.label}: "
            + ", ".join(said)
            + "."
        )
    bands = review.params.scoring.bands
    maximum = points(communes["max"].max())  # type: ignore[arg-type]
    for i, band in enumerate(bands):
        part = communes.filter(pl.col("band") == band.label).sort("rank", "unit")
        if part.is_empty():
            continue
        upper = bands[i - 1].min_share if i else None
        low = f"từ {percent(float(band.min_share), 0)}" if band.min_share > 0 else "dưới"
        span = (
            f"{low} - dưới {percent(float(upper), 0)}"
            if upper and band.min_share > 0
            else (f"dưới {percent(float(upper), 0)}" if upper else f"{low} trở lên")
        )
        out.append(
            f"Có {_count_of(part)} đạt {span} số điểm tối đa (điểm tối đa là {maximum} điểm), dự kiến xếp loại ở mức "
            f"{band.label}, gồm {_named(part)}."
        )
    return out


# Seed 003's titles for the seven fields of the communes' criteria, by field id; another set's fields are titled
# by their own names.
_FIELD_TITLES = {
    "chi_dao": "Công tác chỉ đạo, điều hành",
    "the_che": "Cải cách thể chế",
    "thu_tuc": "Cải cách thủ tục hành chính",
    "to_chuc": "Cải cách tổ chức bộ máy hành chính nhà nước",
    "cong_vu": "Cải cách chế độ công vụ",
    "tai_chinh": "Cải cách tài chính công",
    "chinh_quyen_so": "Xây dựng và phát triển chính quyền điện tử, chính quyền số",
}


def _next(period: ReportPeriod) -> str:
    if isinstance(period, Half):
        return Half(period.year, 2).label() if period.half == 1 else f"năm {period.year + 1}"
    return f"năm {period.year + 1}"


def _texts(review: SemiannualReview, key: str, what: str = PLACEHOLDER) -> tuple[list[str], str | None]:
    """The analyst's own text for a part (``document.report_texts``), else a marked place for it."""
    given = review.params.document.report_texts.get(key)
    return (list(given), None) if given else ([], what)


def _field_sections(review: SemiannualReview) -> list[ReportSection]:
    """Section I's fields, each closed by its score estimate; the procedures field carries the store's figures."""
    from cchc_analysis.documents.annexes import field_estimates

    estimates = field_estimates(review)
    out = []
    for n, spec in enumerate(next(s for s in review.sets if s.unit_kind == "xa").fields, start=1):
        texts, placeholder = _texts(review, spec.id)
        if spec.id == "thu_tuc":
            texts += [
                "Kết quả giải quyết hồ sơ TTHC:",
                *handling_paragraphs(review),
                "Về thực hiện số hóa hồ sơ, giấy tờ, kết quả giải quyết TTHC:",
                *digitization_paragraphs(review),
                *doing_well(review),
                *payment_paragraphs(review),
                *e_cert_paragraphs(review),
                *reuse_paragraphs(review),
            ]
            given, placeholder = _texts(
                review, "procedures", "Rà soát, công khai TTHC; phản ánh, kiến nghị: " + PLACEHOLDER.lower()
            )
            texts += given
        ending = []
        if sentences := estimates.get(spec.id):
            ending.append(f"* Về ước chấm điểm chỉ số CCHC trong lĩnh vực {spec.name.lower()}: " + " ".join(sentences))
        title = _FIELD_TITLES.get(spec.id) or spec.name[:1].upper() + spec.name[1:]
        out.append(ReportSection(f"{n}. {title}", texts, placeholder, ending))
    return out


def build_report(review: SemiannualReview) -> Report:
    """The report of ``review``'s period in seed 003's structure: the store's figures where data can write them,
    the analyst's text (``document.report_texts``) or a marked place where it cannot."""
    from cchc_analysis.documents.annexes import scores_note
    from cchc_analysis.documents.letter import area_words, heading

    params, doc = review.params, review.params.document
    label, window = review.label, review.window
    kind = "Sơ kết" if isinstance(review.period, Half) and review.period.half == 1 else "Tổng kết"
    words = {
        "area": params.area_name,
        "communes": params.communes,
        "departments": params.departments,
        "period": label,
        "next": _next(review.period),
        "year": str(window.end.year),
        "kind": kind,
    }
    title = fill(doc.report_title, **words)
    issuer = f"{doc.authority} {area_words(params, review.registry.area_unit(window.start.first_day, window.end.last_day))[0]}"
    basis = f"Thực hiện {fill(doc.report_basis, **words)}; " if doc.report_basis else ""
    opening = (
        f"{basis}{issuer if basis else issuer[:1].upper() + issuer[1:]} báo cáo {kind.lower()} công tác Cải cách "
        f"hành chính (CCHC) {label} và phương hướng, nhiệm vụ CCHC {words['next']}, cụ thể như sau:"
    )
    notes = [*review.notes(), *([n] if (n := scores_note(review)) else [])]
    positive, positive_place = _texts(review, "positive")
    shortcomings, shortcomings_place = _texts(review, "shortcomings")
    causes, causes_place = _texts(review, "causes")
    directions, directions_place = _texts(review, "directions")
    sections = [
        ReportSection("", [opening]),
        ReportSection(f"I. KẾT QUẢ THỰC HIỆN CÔNG TÁC CCHC {label.upper()}", notes),
        *_field_sections(review),
        ReportSection("II. ĐÁNH GIÁ CHUNG"),
        ReportSection("1. Mặt tích cực", [*assessment_paragraphs(review), *positive], positive_place),
        ReportSection("2. Những tồn tại, hạn chế", [*standing_paragraphs(review), *shortcomings], shortcomings_place),
        ReportSection("3. Nguyên nhân của tồn tại, hạn chế", causes, causes_place),
        ReportSection(
            f"III. PHƯƠNG HƯỚNG, NHIỆM VỤ TRỌNG TÂM CCHC {words['next'].upper()}", directions, directions_place
        ),
    ]
    closing = (
        f"Trên đây là Báo cáo {kind.lower()} công tác Cải cách hành chính {label} và phương hướng, nhiệm vụ Cải cách "
        f"hành chính {words['next']} của {issuer}./."
    )
    return Report(
        heading(params, review.registry, window, "", doc.report_code),
        title,
        sections,
        [fill(c, **words) for c in doc.report_copies],
        SignatureBlock(
            doc.report_signer.on_behalf, doc.report_signer.title, doc.report_signer.name or doc.signer.name or BLANK
        ),
        closing,
    )

"""The monthly letter (công văn biểu dương, nhắc nhở) as a document: its header block, recipients, opening,
numbered sections with their closing requests, the sanctions with their reasons, "Nơi nhận" and the signer —
built from the same ``MonthlyReview`` the notebook and the appendix show, worded by ``params.document``."""

from __future__ import annotations

from dataclasses import dataclass, field

from cchc_analysis.core.exceptions import UsageError
from cchc_analysis.core.formatting import fill, long_date
from cchc_analysis.core.glossary import SECTION_LABELS, UNIT_KINDS
from cchc_analysis.core.params import DocumentFields, Params
from cchc_analysis.core.periods import Month, Window
from cchc_analysis.documents.monthly import MonthlyReview
from cchc_analysis.documents.sentences import area_figures
from cchc_analysis.documents.situations import Line, Words, commendations, reasons
from cchc_analysis.documents.situations import reminders as reminders_of
from cchc_analysis.inputs.units import MatchError, Registry, Unit, named_area

BLANK = "…"  # where a field the analyst has not filled is left for the hand that signs


@dataclass(frozen=True)
class Heading:
    """The header block of Nghị định 30: issuer on the left, national motto on the right, number, place and date,
    and the subject (trích yếu) under the number."""

    authority: str  # "ỦY BAN NHÂN DÂN"
    issuer: str  # "HUYỆN TỨ KỲ"
    number: str  # "Số: 1220/UBND-NV", or "Số:      /UBND-NV" before it is numbered
    place_date: str  # "Tứ Kỳ, ngày 15 tháng 9 năm 2023"
    subject: str  # "V/v biểu dương, nhắc nhở … tháng 8/2023"


@dataclass(frozen=True)
class Part:
    """A numbered section: "2.1. Về …" and its paragraphs (groups of units, their requests, the reasons of a
    sanction), each with the findings it rests on."""

    number: str  # "1", "2", "2.1"
    title: str
    lines: list[Line] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.title}"

    # A template restyled from an earlier version prints "{{ part.lead }}", "- {{ item }}", "{{ part.request }}":
    # every paragraph still reaches the page (as a bullet), and write_template checks that it does.
    @property
    def items(self) -> list[str]:
        return [line.text for line in self.lines]

    @property
    def lead(self) -> None:
        return None

    @property
    def request(self) -> None:
        return None


@dataclass(frozen=True)
class SignatureBlock:
    on_behalf: str | None  # "KT. CHỦ TỊCH"
    title: str  # "PHÓ CHỦ TỊCH"
    name: str


@dataclass(frozen=True)
class Letter:
    heading: Heading
    recipients: list[str]  # each printed "- …;", the last "- … ."
    opening: list[str]
    parts: list[Part]
    closing: str
    copies: list[str]  # Nơi nhận
    signer: SignatureBlock
    notice: str | None = None  # said before the body when not every unit has reported
    warnings: tuple[str, ...] = ()  # for the analyst, not printed: what the params ask that the letter cannot say

    def texts(self) -> list[str]:
        """What the filled template must show: the opening, every paragraph of the body, the closing."""
        return [*self.opening, *(line.text for part in self.parts for line in part.lines), self.closing]

    def trace(self) -> list[dict[str, object]]:
        """Each sentence of the body with the findings it rests on ("rule:indicator:unit_id"), for the manifest."""
        return [
            {"section": part.number, "text": line.text, "findings": list(line.findings)}
            for part in self.parts
            for line in part.lines
            if line.findings
        ]


def area_words(params: Params, unit: Unit | None) -> tuple[str, str]:
    """The area as the header names it ("huyện Tứ Kỳ") and as the place line does ("Tứ Kỳ"): from the registry's
    own unit for the area, else from ``document.issuer`` ("UBND huyện Tứ Kỳ")."""
    if unit is not None:
        word, name = UNIT_KINDS.get(unit.kind, params.area_name), unit.short_name
    else:
        issuer = params.document.issuer
        word, name = params.area_name, issuer.split(" ", 1)[1] if issuer.upper().startswith("UBND ") else issuer
    name, place = named_area(word, name)
    return name, params.document.place or place


def heading(params: Params, registry: Registry, period: Window, subject: str, code: str | None = None) -> Heading:
    """The header block of a document about ``period``: a number or date the params do not give is left blank
    as offices leave it for the clerk ("Số: …/UBND-NV", "ngày … tháng … năm …"), never guessed; ``code``: the
    number's suffix while the document has no number (default: the letter's)."""
    doc = params.document
    name, place = area_words(params, registry.area_unit(period.start.first_day, period.end.last_day))
    number = f"Số: {doc.number}" if doc.number else f"Số: {BLANK}/{code or doc.code}"
    day = long_date(doc.date) if doc.date else f"ngày {BLANK} tháng {BLANK} năm {BLANK}"
    return Heading(doc.authority.upper(), name.upper(), number, f"{place}, {day}", f"V/v {subject}" if subject else "")


def _words(doc: DocumentFields, params: Params, month: Month, **more: str) -> dict[str, str]:
    return {
        "area": params.area_name,
        "communes": params.communes,
        "departments": params.departments,
        "period": month.label(),
        "next": (month + 1).label(),
        "year": str(month.year),
        "rest": f"các tháng cuối năm {month.year}" if month.month < 12 else (month + 1).label(),
        "notice": doc.notice or "",
        "proposer": fill(doc.proposer, area=params.area_name),
        **more,
    }


def short_names(registry: Registry) -> dict[str, str]:
    """Each unit's name in the letter's lists ("Hà Kỳ"); a name two units of the same kind share (a national area's
    many "Bình Hòa") is told apart by its parent: "Bình Hòa (tỉnh Đồng Tháp)"."""
    from collections import Counter

    shared = Counter((u.kind, u.short_name) for u in registry.units)
    out = {}
    for u in registry.units:
        parent = registry.by_id.get(u.parent)
        twice = shared[(u.kind, u.short_name)] > 1 and parent is not None
        out[u.id] = f"{u.short_name} ({parent.short_name})" if twice and parent else u.short_name
    return out


def build_letter(review: MonthlyReview) -> Letter:
    """The whole letter of ``review``'s month, section by section in the order of seeds 000 and 002."""
    params, month = review.params, review.month
    doc = params.document
    registry = review.registry
    w = Words(review.context, _words(doc, params, month))
    short = short_names(registry)
    sections = [
        (s, [{**r, "short_name": short.get(r["unit_id"], r["unit"])} for r in s.findings.iter_rows(named=True)])
        for s in review.sections()
    ]
    for section, rows in sections:
        if section.indicator is not None or (rows and rows[0]["kind"] == "escalate"):
            for r in rows:
                w.reminded.setdefault(r["unit_id"], set()).add(r["indicator"])
    sanctioned = {r["unit_id"] for s, rows in sections if rows and rows[0]["kind"] == "escalate" for r in rows}
    ids = _reason_units(doc.reasons, registry)
    extra = {ids[name]: text for name, text in doc.reasons.items()}
    unsaid = [name for name in doc.reasons if ids[name] not in sanctioned]
    parts: list[Part] = []
    reminders: list[Part] = []
    sanctions: list[Part] = []
    for section, rows in sections:
        if section.indicator is None and rows and rows[0]["kind"] == "commend":
            if lines := commendations(rows, w):
                parts.append(Part("1", section.title, lines))
        elif section.indicator is not None:
            reminders.append(Part("", section.title, reminders_of(section.indicator, rows, w, sanctioned)))
        else:
            sanctions.append(Part("", f"{section.title} đối với {w.listed(rows)}", reasons(rows, w, extra)))
    reminders = _with_standing(reminders, review, w)
    number = len(parts)
    if reminders:
        number += 1
        parts.append(Part(str(number), fill(doc.remind_title, **w.words)))
        parts += [Part(f"{number}.{i}", p.title, p.lines) for i, p in enumerate(reminders, 1)]
    for p in sanctions:
        number += 1
        parts.append(Part(str(number), p.title, p.lines))
    closing = fill(doc.closing, **w.words)
    if doc.requirements and (doc.requirements_when == "always" or _criticises(review)):
        number += 1
        items = [Line(fill(t, **w.words), "-") for t in doc.requirements]
        parts.append(Part(str(number), fill(doc.requirements_title, **w.words), items))
        closing = fill(doc.requirements_closing, **w.words)
    subject = fill(doc.subject, **w.words)
    return Letter(
        heading=heading(params, registry, month.window, subject),
        recipients=[fill(r, **w.words) for r in doc.recipients],
        opening=_opening(review, w),
        parts=parts,
        closing=closing,
        copies=[fill(c, **w.words) for c in doc.copies],
        signer=SignatureBlock(doc.signer.on_behalf, doc.signer.title, doc.signer.name or BLANK),
        notice=" ".join(review.notes()) or None,
        warnings=(
            f"document.reasons: {', '.join(unsaid)} không bị nhắc nhở, phê bình trong công văn {month.label()} — lý do "
            "ghi thêm cho đơn vị đó không được in",
        )
        if unsaid
        else (),
    )


def _opening(review: MonthlyReview, w: Words) -> list[str]:
    """The office's voice around the area's figures, its standing when the params know it, further paragraphs
    of assessment, then the line that leads into the sections (answering the province's notice when given)."""
    doc = review.params.document
    figures = area_figures(review.month, review.context.area, review.previous_area, doc.headline)
    if doc.standing:
        figures = "; ".join(x for x in (figures, fill(doc.standing, **w.words)) if x)
    out = [fill(doc.opening, **w.words, figures=figures).rstrip(" ;,") + "."] if figures else []
    out += [fill(t, **w.words) for t in doc.assessment]
    return [*out, fill(doc.intro_notice if doc.notice else doc.intro, **w.words)]


def _with_standing(reminders: list[Part], review: MonthlyReview, w: Words) -> list[Part]:
    """Each indicator with standing requests (``document.standing_requests``) and no unit named on it this month
    gets its own section of those requests (seed 000, 2.4), in the sections' order."""
    standing = review.params.document.standing_requests
    named = {p.title for p in reminders}
    out = list(reminders)
    for indicator, texts in standing.items():
        title = SECTION_LABELS[f"remind_{indicator}"]
        if texts and title not in named:
            out.append(Part("", title, [Line(fill(t, **w.words), "-") for t in texts]))
    order = [SECTION_LABELS[f"remind_{i}"] for i in ("digitized_input", "digitized_output", "online_payment", "e_cert")]
    return sorted(out, key=lambda p: order.index(p.title) if p.title in order else len(order))


def _criticises(review: MonthlyReview) -> bool:
    f = review.findings
    return bool(f.height) and any((r["kind"] == "escalate" and (r["level"] or 1) > 1) for r in f.iter_rows(named=True))


def _reason_units(given: dict[str, str], registry: Registry) -> dict[str, str]:
    """The unit id of each name ``document.reasons`` gives: a name the registry does not know stops the draft,
    naming it."""
    out = {}
    for name in given:
        try:
            out[name] = registry.match(name).id
        except MatchError as exc:
            raise UsageError(f"document.reasons: {exc} — ghi tên như trong danh mục đơn vị") from None
    return out

"""The monthly letter (công văn biểu dương, nhắc nhở) as a document: its header block, recipients, opening,
numbered sections with their closing requests, the sanctions with their reasons, "Nơi nhận" and the signer —
built from the same ``MonthlyReview`` the notebook and the appendix show, worded by ``params.document``."""

from __future__ import annotations

from dataclasses import dataclass, field

from cchc_analysis.core.formatting import fill, long_date
from cchc_analysis.core.glossary import COMMUNE_LEVEL_KINDS, UNIT_KINDS
from cchc_analysis.core.params import DocumentFields, Params
from cchc_analysis.core.periods import Month, Window
from cchc_analysis.documents.monthly import MonthlyReview
from cchc_analysis.documents.sentences import escalation_reason
from cchc_analysis.inputs.units import Registry, Unit, named_area

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
    """A numbered section: "2.1. Về …", what it says (one paragraph per unit), and the request that closes it."""

    number: str  # "1", "2", "2.1"
    title: str
    items: list[str] = field(default_factory=list)
    lead: str | None = None  # "Lý do:" before the items of a sanction
    request: str | None = None

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.title}"


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
        "notice": doc.notice or "",
        "proposer": fill(doc.proposer, area=params.area_name),
        **more,
    }


def units_phrase(rows: list[dict]) -> str:
    """The units a sanction names, as the letters write them: "UBND các xã Hưng Đạo và Phượng Kỳ",
    "UBND xã Ngọc Kỳ", "Phòng Nội vụ"."""
    return _grouped(
        rows, lambda kind, names: f"UBND {'các ' if len(names) > 1 else ''}{kind} {_and(names)}", lambda name: name
    )


def addressees(rows: list[dict]) -> str:
    """Who a section's request is addressed to: "Trưởng phòng Tài chính - Kế hoạch, Chủ tịch UBND các xã Cộng Lạc
    và Hà Kỳ"."""

    def head_of(name: str) -> str:
        return f"Trưởng phòng {name[6:]}" if name.startswith("Phòng ") else f"Thủ trưởng {name}"

    return _grouped(
        rows, lambda kind, names: f"Chủ tịch UBND {'các ' if len(names) > 1 else ''}{kind} {_and(names)}", head_of
    )


def _grouped(rows: list[dict], communes, others) -> str:
    parts, seen = [], set()
    by_kind: dict[str, list[str]] = {}
    for r in rows:
        if r["unit_id"] in seen:
            continue
        seen.add(r["unit_id"])
        if r["unit_kind"] in COMMUNE_LEVEL_KINDS:
            by_kind.setdefault(r["unit_kind"], []).append(r["short_name"])
        else:
            parts.append(others(r["unit"]))
    parts += [communes(UNIT_KINDS[kind], names) for kind, names in by_kind.items()]
    return ", ".join(parts)


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} và {names[-1]}"


def build_letter(review: MonthlyReview) -> Letter:
    """The whole letter of ``review``'s month, section by section in the order of seeds 000 and 002."""
    params, month = review.params, review.month
    doc = params.document
    words = _words(doc, params, month)
    registry = review.registry
    short = {u.id: u.short_name for u in registry.units}
    parts: list[Part] = []
    reminders: list[Part] = []
    sanctions: list[Part] = []
    for section in review.sections():
        rows = [{**r, "short_name": short.get(r["unit_id"], r["unit"])} for r in section.findings.iter_rows(named=True)]
        if section.indicator is None and rows and rows[0]["kind"] == "commend":
            parts.append(Part("1", section.title, [r["sentence"] for r in rows]))
        elif section.indicator is not None:
            request = doc.requests.get(section.indicator)
            reminders.append(
                Part(
                    "",
                    section.title,
                    [r["sentence"] for r in rows],
                    request=fill(request, **words, addressees=addressees(rows)) if request else None,
                )
            )
        else:
            reasons = [escalation_reason(r, review.context) for r in rows]
            sanctions.append(Part("", f"{section.title} đối với {units_phrase(rows)}", reasons, lead="Lý do:"))
    number = len(parts)
    if reminders:
        number += 1
        parts.append(Part(str(number), fill(doc.remind_title, **words)))
        parts += [Part(f"{number}.{i}", p.title, p.items, request=p.request) for i, p in enumerate(reminders, 1)]
    for p in sanctions:
        number += 1
        parts.append(Part(str(number), p.title, p.items, lead=p.lead))
    intro = fill(doc.intro_notice if doc.notice else doc.intro, **words)
    opening = [review.headline(), intro] if review.headline() else [intro]
    subject = fill(doc.subject, **words)
    return Letter(
        heading=heading(params, registry, month.window, subject),
        recipients=[fill(r, **words) for r in doc.recipients],
        opening=opening,
        parts=parts,
        closing=fill(doc.closing, **words),
        copies=[fill(c, **words) for c in doc.copies],
        signer=SignatureBlock(doc.signer.on_behalf, doc.signer.title, doc.signer.name or BLANK),
        notice=" ".join(review.notes()) or None,
    )

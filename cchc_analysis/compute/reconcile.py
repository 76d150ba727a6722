"""Report reconciliation: find the figures a draft report states and check that they add up.

Statements recognised (Vietnamese, with or without diacritics, so OCR copies are read too):
- a fraction and its rate: "1.640/1.670 đạt tỷ lệ 98,23%" (checked to the stated number of decimals, and a
  numerator above its denominator is flagged);
- a gap to the average: "(88,31%) … thấp hơn 8,34% mức bình quân" against the average the document states
  for the same indicator;
- the same indicator and scope stated twice with different rates ("95,68%" and "95,59%" for the communes'
  digitization at reception);
- a whole-area rate against the pooled fractions stated for its parts (district desk and communes);
- lists of units with counts and a stated total ("19 hồ sơ quá hạn ở các xã: Hà Kỳ (04), …"), and two lists
  of the same quantity that disagree;
- with the store: stated rates and month-on-month changes against the stored data of the period.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from cchc_analysis.core.exceptions import UsageError
from cchc_analysis.core.formatting import LOCALE, integer
from cchc_analysis.core.glossary import STATED_LABELS, STATED_SCOPE_LABELS
from cchc_analysis.core.periods import Month, Window
from cchc_analysis.core.textnorm import nfc, unaccent
from cchc_analysis.inputs.drafts import read_text
from cchc_analysis.inputs.units import MatchError, Registry

__all__ = ["Draft", "Reconciliation", "Stored", "held_against", "read_text", "reconcile", "store_rates"]

_NUM = r"\d{1,3}(?:\.\d{3})+|\d+"
_FRACTION = re.compile(rf"(?<![\d.,/])({_NUM})(?:\s*hồ sơ)?\s*/\s*({_NUM})(?![\d/]|,\d)")
_PERCENT = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d+)?)\s*%")
_ITEM = re.compile(r"([^\s(),:;][^(),:;]*?)\s*\((\d{1,4})\)")


def W(pattern: str) -> re.Pattern:
    """A pattern on the folded text whose spaces match any run of white space: lines wrap anywhere."""
    return re.compile(pattern.replace(" ", r"\s+"))


# Keywords on the folded text (no diacritics, lower case), nearest before a figure.
INDICATOR_KEYS: tuple[tuple[str, str], ...] = (
    ("online_payment", r"thanh toan truc tuyen"),
    # "(tiếp nhận đạt 99,07%; giải quyết đạt 100%; …)": the two digitization rates, as seed 002 writes them
    ("digitized_output", r"so hoa ket qua|\(dau ra\)|giai quyet dat"),
    ("digitized_input", r"so hoa day du|\(dau vao\)|so hoa ho so|tiep nhan dat"),
    ("on_time", r"dung han"),
    ("online", r"truc tuyen toan trinh|giai quyet truc tuyen|xu ly truc tuyen"),
    ("late", r"qua han|tre han"),
)
SCOPE_KEYS: tuple[tuple[str, str], ...] = (
    ("province", r"toan tinh|cac huyen, thi xa|trong tinh"),
    ("all", r"toan huyen|cua toan huyen|chung cua huyen"),
    ("commune_level", r"cap xa|cac xa|xa, thi tran"),
    ("district_desk", r"cap huyen|mot cua huyen|cua huyen|ubnd huyen|mot cua cap tinh|cac so, ban, nganh"),
)


@dataclass(frozen=True)
class Span:
    """A period a document names, as first and last month; a year the text leaves out is None and matches any."""

    year: int | None
    first: int
    last: int
    end_year: int | None = None

    def agrees(self, other: Span | None) -> bool:
        if other is None:
            return True
        years = (self.year is None or other.year is None or self.year == other.year) and (
            self.end_year is None or other.end_year is None or self.end_year == other.end_year
        )
        return years and (self.first, self.last) == (other.first, other.last)

    @classmethod
    def of(cls, window) -> Span:
        return cls(window.start.year, window.start.month, window.end.month, window.end.year)


def _agree(a: Span | None, b: Span | None) -> bool:
    """Two figures are comparable unless the text puts them in different periods (a month and nine months)."""
    return a is None or a.agrees(b)


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
# Periods as the reports name them, on the folded text. A date ("ngày 15 tháng 9 năm 2023") and the period
# a figure is compared with ("so với tháng 4/2023") are not the figure's period; both are skipped.
_PERIODS = (
    (
        "range",
        re.compile(
            r"tu\s+(?:ngay\s+)?(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+den\s+(?:ngay\s+)?|\s*[-–]\s*)(\d{1,2})/(\d{1,2})/(\d{4})"
        ),
    ),
    ("months", re.compile(r"(?<![\d/,.])(\d{1,2})\s+thang(\s+dau\s+nam|\s+cuoi\s+nam)?(?:\s+(?:nam\s+)?(\d{4}))?")),
    ("month", re.compile(r"thang\s+(\d{1,2})(?:\s*/\s*|\s+nam\s+)(\d{4})")),
    ("quarter", re.compile(r"quy\s+(iv|iii|ii|i|[1-4])\b(?:\s*/\s*|\s+nam\s+)?(\d{4})?")),
    ("year", re.compile(r"(?<![\d/])nam\s+(\d{4})")),
)


def _span(kind: str, m: re.Match) -> Span | None:
    g = m.groups()
    year = int(g[-1]) if g[-1] else None
    if kind == "range":
        return Span(int(g[2]), int(g[1]), int(g[4]), int(g[5]))
    if kind == "months":
        n = int(g[0])
        if not 1 <= n <= 12:
            return None
        return Span(year, 13 - n, 12, year) if g[1] and "cuoi" in g[1] else Span(year, 1, n, year)
    if kind == "month":
        n = int(g[0])
        return Span(year, n, n, year) if 1 <= n <= 12 else None
    if kind == "quarter":
        q = _ROMAN[g[0]]
        return Span(year, 3 * q - 2, 3 * q, year)
    return Span(year, 1, 12, year)


@dataclass(frozen=True)
class Mismatch:
    kind: str  # fraction, over_100, gap, restated, pooled, list_total, lists_disagree, store
    line: int
    sentence: str
    states: str
    should_be: str

    def __str__(self) -> str:
        return f"dòng {self.line}: «{self.sentence}» — ghi {self.states}; đúng là {self.should_be}"


@dataclass
class Statement:
    """A rate the document states, with what it is about."""

    start: int
    line: int
    value: Decimal
    decimals: int
    indicator: str | None
    scope: str | None
    fraction: tuple[int, int] | None = None
    extras: dict = field(default_factory=dict)
    period: Span | None = None  # the period the figure is for: named before it, else the document's
    unit: str | None = None  # the registry unit it is about, when its sentence names one


def _int(text: str) -> int:
    return int(text.replace(".", ""))


def _dec(text: str) -> tuple[Decimal, int]:
    decimals = len(text.split(",", 1)[1]) if "," in text else 0
    return Decimal(text.replace(",", ".")), decimals


def _round(x: Decimal, decimals: int) -> Decimal:
    return x.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _fmt(x: Decimal | float, decimals: int = 2) -> str:
    from babel.numbers import format_decimal

    return format_decimal(
        _round(Decimal(str(x)), decimals), format="#,##0." + "0" * decimals if decimals else "#,##0", locale=LOCALE
    )


class Draft:
    """A draft's visible text as check-report reads it, folded for matching, with the units it can name."""

    def __init__(self, text: str, registry: Registry | None = None):
        self.text = nfc(text)
        self.folded = unaccent(self.text).lower()  # positions match the text's
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        self._units = _unit_patterns(registry)
        self.unit_names = {u.id: u.name for u in registry.units} if registry else {}
        self.area = (registry.words().area if registry else None) or "địa bàn"  # "toàn huyện", "toàn tỉnh"
        self.period = title_period(self)

    def scope_label(self, scope: str | None) -> str:
        """A scope as a message names it: "toàn huyện" or "toàn tỉnh" by the registry's area, "cấp xã" …"""
        return f"toàn {self.area}" if scope == "all" else STATED_SCOPE_LABELS[scope]

    def in_table(self, pos: int) -> bool:
        """Whether ``pos`` is in a table row (a draft's rows are read as "cell | cell | …")."""
        start = self.text.rfind("\n", 0, pos) + 1
        end = self.text.find("\n", pos)
        return " | " in self.text[start : end if end != -1 else len(self.text)]

    def line_indicator(self, pos: int) -> str | None:
        """The indicator named nearest before ``pos`` in its own line (a paragraph, or a bullet)."""
        start = self.folded.rfind("\n", 0, pos) + 1
        ctx = self.folded[start:pos]
        found = [(m.start(), name) for name, pattern in INDICATOR_KEYS for m in W(pattern).finditer(ctx)]
        return max(found)[1] if found else None

    def section_indicator(self, pos: int, back: int = 3000) -> str | None:
        """The indicator the numbered heading above ``pos`` is about ("2.1. Về tỷ lệ số hóa kết quả …")."""
        ctx = self.folded[max(0, pos - back) : pos]
        heads = list(re.finditer(r"(?m)^\s*\d+(?:\.\d+)*\.?\s+(.*)$", ctx))
        if not heads:
            return None
        head = heads[-1].group(1)
        found = [(m.start(), name) for name, pattern in INDICATOR_KEYS for m in W(pattern).finditer(head)]
        return min(found)[1] if found else None

    def unit_before(self, pos: int) -> str | None:
        """The unit a figure is about: the registry's unit named nearest before it in its own sentence or bullet
        ("UBND xã Đại Hợp (tiếp nhận đạt 99,07%; …)"), unless words of an area's figure come between ("… thấp hơn
        mức bình quân chung của huyện (96,65%)")."""
        start = max(self.folded.rfind(". ", 0, pos), self.folded.rfind("\n", 0, pos)) + 1
        ctx = self.folded[start:pos]
        best, where = None, -1
        for pattern, unit_id in self._units:
            for m in pattern.finditer(ctx):
                if m.end() > where and not _AREA_BEFORE.search(ctx[max(0, m.start() - 12) : m.start()]):
                    best, where = unit_id, m.end()
        if best is None or W(r"binh quan|toan (huyen|tinh)|cua (huyen|tinh)\b").search(ctx[where:]):
            return None
        return best

    def line_of(self, pos: int) -> int:
        lo, hi = 0, len(self._line_starts)
        while lo + 1 < hi:
            mid = (lo + hi) // 2
            if self._line_starts[mid] <= pos:
                lo = mid
            else:
                hi = mid
        return lo + 1

    def sentence(self, pos: int, end: int | None = None, width: int = 90) -> str:
        """The clause around a position, on one line, shortened."""
        end = end or pos
        bullets = [b.start() for b in re.finditer(r"\n\s*[-+]\s", self.text[max(0, pos - width) : pos])]
        left = max([self.text.rfind(c, 0, pos) for c in ".;:"] + [max(0, pos - width) + b for b in bullets[-1:]])
        left = max(left, pos - width)
        right_candidates = [i for i in (self.text.find(c, end) for c in ".;\n") if i != -1]
        right = min(min(right_candidates, default=len(self.text)), end + width)
        return " ".join(self.text[left + 1 if left > 0 else 0 : right].split())

    def _context(self, pos: int, back: int = 160) -> str:
        start = max(0, pos - back)
        return self.folded[start:pos]

    def indicator_before(self, pos: int, back: int = 160) -> str | None:
        """The indicator named nearest before ``pos`` in the same clause; a clause that names none ("…; của cấp
        xã đạt 12.000/12.500") continues the indicator of the clause before it in the same sentence."""
        ctx = self._context(pos, back + 240)
        sentence = [m.end() for m in re.finditer(r"\.(\s|$)", ctx)]
        ctx = ctx[sentence[-1] :] if sentence else ctx[-back:]
        clauses = [0] + [m.end() for m in re.finditer(r";(\s|$)", ctx)]
        for start in reversed(clauses):
            best, where = None, -1
            for name, pattern in INDICATOR_KEYS:
                for m in W(pattern).finditer(ctx, start):
                    if m.start() > where:
                        best, where = name, m.start()
            if best or not re.match(r"\s*(cua\s+)?(bo\s+phan|cap|toan|cac\s+xa|xa\b)", ctx[start:]):
                return best
        return None

    def scope_before(self, pos: int) -> str | None:
        """Scope words in the figure's own sentence; else the desk heading it sits under ("(2) Bộ phận Một
        cửa cấp xã: …"), within the paragraph."""
        sentence_start = (
            max(m.end() for m in re.finditer(r"(^|[.!?])\s", self.folded[max(0, pos - 400) : pos]))
            if re.search(r"(^|[.!?])\s", self.folded[max(0, pos - 400) : pos])
            else 0
        )
        ctx = self.folded[max(0, pos - 400) : pos][sentence_start:]
        best, where = None, -1
        for name, pattern in SCOPE_KEYS:
            for m in W(pattern).finditer(ctx):
                if m.start() > where:
                    best, where = name, m.start()
        if best:
            return best
        heads = list(W(r"\(\d\)\s*bo phan mot cua cap (huyen|xa)").finditer(self.folded[max(0, pos - 700) : pos]))
        if heads:
            return "district_desk" if heads[-1].group(1) == "huyen" else "commune_level"
        return None


_AREA_BEFORE = re.compile(r"(huyen|tinh|thanh pho|thi xa)\s+$")


def _unit_patterns(registry: Registry | None) -> list[tuple[re.Pattern, str]]:
    """The folded names of the registry's units (not the area's own), longest first, as whole words."""
    if registry is None:
        return []
    from cchc_analysis.core.glossary import AREA_KINDS

    names = []
    for u in registry.units:
        if u.kind in AREA_KINDS:
            continue
        for name in {u.name, u.short_name}:
            folded = " ".join(unaccent(name).lower().split())
            if len(folded) >= 3:
                names.append((folded, u.id))
    names.sort(key=lambda n: -len(n[0]))
    return [(W(rf"(?<![a-z0-9]){_words(n)}(?![a-z0-9])"), uid) for n, uid in names]


def _words(folded: str) -> str:
    """A folded name as a pattern, each space any run of white space (``W``)."""
    return " ".join(re.escape(word) for word in folded.split())


def title_period(doc: Draft, lines: int = 25) -> Span | None:
    """The period a document is about, from its title or subject near the top ("V/v … tháng 8/2023", "BÁO CÁO
    … 9 tháng đầu năm 2023"): the period of every figure whose own sentence and section name none."""
    head_end = (
        doc._line_starts[min(lines, len(doc._line_starts) - 1)] if len(doc._line_starts) > lines else len(doc.folded)
    )
    return period_before(doc, head_end, back=head_end, first=True)


def period_before(doc: Draft, pos: int, back: int = 400, first: bool = False) -> Span | None:
    """The period named nearest before ``pos`` in its section: "trong tháng 9/2023", "lũy kế 9 tháng",
    "6 tháng đầu năm 2023", "quý III/2023", "từ ngày 01/4/2023 đến ngày 30/6/2023", "năm 2023"."""
    start = max(0, pos - back)
    ctx = doc.folded[start:pos]
    heads = [h.start() for h in re.finditer(r"(?m)^\s*(?:\d+(?:\.\d+)*\.?|[ivx]+\.)\s+\S", ctx)]
    if heads and not first:
        ctx, start = ctx[heads[-1] :], start + heads[-1]
    bullets = [b.end() for b in re.finditer(r"\n\s*[-+•]\s", ctx)]
    if bullets and not first:  # a bullet is a sentence of its own: the period of the one before is not its period
        ctx, start = ctx[bullets[-1] :], start + bullets[-1]
    best: tuple[int, int, Span] | None = None
    for kind, pattern in _PERIODS:
        for m in pattern.finditer(ctx):
            before = doc.folded[max(0, start + m.start() - 25) : start + m.start()]
            if (
                re.search(r"ngay\s+\d{0,2}\s*$", before)
                or re.search(r"so\s+voi(\s+cung\s+ky)?\s*$", before)
                or (kind == "year" and re.search(r"thang\s+\d{1,2}\s*$", before))
                or _in_request(doc, start + m.start())
            ):
                continue
            span = _span(kind, m)
            if span is None:
                continue
            if first:  # the earliest period named, the longest there ("6 tháng đầu năm 2023" over "năm 2023")
                if best is None or m.start() < best[1] or (m.start() == best[1] and m.end() > best[0]):
                    best = (m.end(), m.start(), span)
            # a longer match ending at the same place ("9 tháng năm 2023" over "năm 2023") wins
            elif best is None or m.end() > best[0] or (m.end() == best[0] and m.start() < best[1]):
                best = (m.end(), m.start(), span)
    return best[2] if best else None


def _in_request(doc: Draft, pos: int) -> bool:
    """Inside a request or target ("Đề nghị … trong tháng 6/2023"): the period it names is the next one, not
    the period of the figures around it."""
    starts = [doc.folded.rfind(c, 0, pos) for c in (".", ";", "\n-", "\n+")]
    head = doc.folded[max(starts) + 1 : pos].lstrip(" -+\n\t")
    return bool(re.match(r"(de\s+nghi|yeu\s+cau|phan\s+dau|giao|chi\s+dao|dam\s+bao)\b", head))


def statements(doc: Draft) -> list[Statement]:
    """Every rate the document states after a fraction ("a/b … x%") or on its own ("… đạt x%")."""
    out: list[Statement] = []
    taken: set[int] = set()
    for m in _FRACTION.finditer(doc.text):
        if _is_month(m.group(1), m.group(2)):
            continue
        tail = doc.text[m.end() : m.end() + 60]
        stop = re.search(r"[;.](?:\s|$)|\d+\s*/\s*\d", tail)
        window = tail[: stop.start()] if stop else tail
        p = _PERCENT.search(window)
        if not p or _bound_or_range(doc, m.end() + p.start(), m.end() + p.end()):
            continue
        value, decimals = _dec(p.group(1))
        pos = m.end() + p.start()
        taken.add(pos)
        out.append(
            Statement(
                m.start(),
                doc.line_of(m.start()),
                value,
                decimals,
                doc.indicator_before(m.start() + 1),
                doc.scope_before(m.start()),
                (_int(m.group(1)), _int(m.group(2))),
                {"end": pos + len(p.group(0))},
            )
        )
    for p in _PERCENT.finditer(doc.text):
        if p.start() in taken or _bound_or_range(doc, p.start(), p.end()):
            continue
        value, decimals = _dec(p.group(1))
        out.append(
            Statement(
                p.start(),
                doc.line_of(p.start()),
                value,
                decimals,
                doc.indicator_before(p.start()),
                doc.scope_before(p.start()),
                None,
                {"end": p.end()},
            )
        )
    for st in out:
        st.period = period_before(doc, st.start) or doc.period
        st.unit = doc.unit_before(st.start)
        if st.unit and st.indicator is None:  # "…; 15 đơn vị chưa đạt: Phòng Tư pháp (8,91%)", or under a heading
            st.indicator = doc.line_indicator(st.start) or doc.section_indicator(st.start)
    return sorted(out, key=lambda s: s.start)


def _is_month(a: str, b: str) -> bool:
    """ "5/2023" is May 2023, not a fraction."""
    return "." not in a + b and 1 <= int(a) <= 12 and 1900 <= int(b) <= 2100


def _bound_or_range(doc: Draft, start: int, end: int) -> bool:
    """ "từ 30% trở lên", "từ 90%-100%", "trên 30%" as a target: a bound, not a rate achieved."""
    before = doc.folded[max(0, start - 12) : start]
    after = doc.folded[end : end + 12]
    return bool(W(r"\b(tu|den|duoi|toi thieu|toi da)\s*$").search(before) or W(r"\s*(-|–|den\b|tro len)").match(after))


def _about_units(doc: Draft, pos: int) -> bool:
    """The clause is about named units ("UBND xã Tái Sơn (88,31%)", "Phòng Kinh tế … đạt 75%", "như xã Chí
    Minh …"), so its rate is not its scope's."""
    start = max(doc.folded.rfind(c, max(0, pos - 300), pos) for c in ".;")
    clause = doc.folded[start + 1 : pos]
    after = doc.folded[pos : pos + 60]
    return bool(
        W(
            r"\bphong [a-z]|\bubnd (cac )?(xa|thi tran) [a-z]|\bxa [a-z]+ [a-z]+ \(|\b\d+ (co quan|ubnd|xa|dia phuong|don vi)\b"
        ).search(clause)
        or W(r"^[^.]{0,45}\b(nhu|gom):? (xa|ubnd|cac|phong)").search(after)
    )


def _rate_statement(doc: Draft, s: Statement) -> bool:
    """A rate achieved ("đạt x%", "là x%") for a scope, not a change, a gap, a target or one unit's rate."""
    if s.unit is not None:
        return False
    before = doc.folded[max(0, s.start - 30) : s.start]
    if W(r"(tang|giam|thap hon|cao hon|chi tieu|giao)\s*$").search(before) or re.search(r"\(\s*$", before):
        return False
    after = doc.folded[s.extras["end"] : s.extras["end"] + 25]
    # "100% văn bản …", "100,94% chỉ tiêu": a share of something else, not the indicator's rate
    if W(r"\s*[a-z]").match(after) and not W(r"\s*(va|nhung|trong|tuy) ").match(after):
        return False
    return (
        not _bound_or_range(doc, s.start, s.extras["end"])
        and not _about_units(doc, s.start)
        and not _ahead(doc, s.start)
    )


def _ahead(doc: Draft, pos: int) -> bool:
    """A rate required of the months ahead ("… trong các tháng cuối năm đạt 100%", a letter's standing
    requirements), not one achieved."""
    start = max(doc.folded.rfind(c, max(0, pos - 300), pos) for c in (".", ";", "\n"))
    clause = doc.folded[start + 1 : pos]
    return _in_request(doc, pos) or bool(
        W(r"\b(cac thang cuoi nam|nhung thang con lai|thang toi|nam toi)\b").search(clause)
    )


def check_fractions(doc: Draft, found: list[Statement], checked: Counter) -> list[Mismatch]:
    out = []
    for s in found:
        if s.fraction is None:
            continue
        num, den = s.fraction
        text = doc.sentence(s.start, s.extras["end"])
        stated = f"{integer(num)}/{integer(den)} = {_fmt(s.value, s.decimals)}%"
        if den == 0:
            continue
        actual = Decimal(num) * 100 / Decimal(den)
        checked["fraction"] += 1
        if _round(actual, s.decimals) != s.value:
            out.append(Mismatch("fraction", s.line, text, stated, f"{_fmt(actual, 2)}%"))
        if num > den:
            out.append(
                Mismatch(
                    "over_100",
                    s.line,
                    text,
                    f"{integer(num)}/{integer(den)}",
                    "tử số lớn hơn mẫu số (tỷ lệ trên 100%) — kiểm tra lại hai số",
                )
            )
    return out


def _area_rates(doc: Draft, found: list[Statement]) -> dict[tuple[str | None, str | None], list[Statement]]:
    rates: dict[tuple[str | None, str | None], list[Statement]] = {}
    for s in found:
        if s.indicator in (None, "late") or not _rate_statement(doc, s):
            continue
        rates.setdefault((s.indicator, s.scope), []).append(s)
    return rates


def check_restated(doc: Draft, found: list[Statement], checked: Counter) -> list[Mismatch]:
    """One indicator and scope stated with different rates. Only rates with a scope are compared, and a rate
    of one unit ("UBND xã Tái Sơn (88,31%)") is never taken for its scope's."""
    out = []
    for (indicator, scope), group in _area_rates(doc, found).items():
        if scope is None:
            continue
        seen: dict[Decimal, Statement] = {}
        checked["restated"] += len(group) - 1
        for s in group:
            key = _round(s.value, 1)
            same_period = {k: v for k, v in seen.items() if _agree(v.period, s.period)}
            if same_period and key not in same_period:
                first = next(iter(same_period.values()))
                if abs(first.value - s.value) >= Decimal("0.05"):
                    out.append(
                        Mismatch(
                            "restated",
                            s.line,
                            doc.sentence(s.start, s.extras["end"]),
                            f"{STATED_LABELS[indicator]} {doc.scope_label(scope)} {_fmt(s.value, s.decimals)}%",
                            f"cùng chỉ tiêu đã ghi {_fmt(first.value, first.decimals)}% ở dòng {first.line} — thống nhất một số",
                        )
                    )
            seen.setdefault(key, s)
    return out


def check_pooled(doc: Draft, found: list[Statement], checked: Counter) -> list[Mismatch]:
    """A whole-area rate against Σ numerators / Σ denominators of the parts' fractions."""
    out = []
    for s in found:
        if s.scope != "all" or s.indicator is None or s.fraction or not _rate_statement(doc, s):
            continue
        p: dict[str, Statement] = {}
        for x in found:  # the first fraction of each part stated for the same period as the whole
            if (
                x.fraction
                and x.indicator == s.indicator
                and x.scope in ("district_desk", "commune_level")
                and _agree(x.period, s.period)
            ):
                p.setdefault(x.scope, x)
        a, b = (p[k].fraction if k in p else None for k in ("district_desk", "commune_level"))
        if a is None or b is None:
            continue
        pooled = Decimal(a[0] + b[0]) * 100 / Decimal(a[1] + b[1])
        checked["pooled"] += 1
        if _round(pooled, s.decimals) != s.value:
            out.append(
                Mismatch(
                    "pooled",
                    s.line,
                    doc.sentence(s.start, s.extras["end"]),
                    f"{STATED_LABELS[s.indicator]} {doc.scope_label('all')} {_fmt(s.value, s.decimals)}%",
                    f"({_fmt(a[0], 0)} + {_fmt(b[0], 0)}) / ({_fmt(a[1], 0)} + {_fmt(b[1], 0)}) = {_fmt(pooled, 2)}% "
                    f"(dòng {p['district_desk'].line} và {p['commune_level'].line})",
                )
            )
    return out


_GAP = (
    re.compile(
        r"thap\s+hon\s+(\d{1,3}(?:,\d+)?)\s*(?:%|diem\s+phan\s+tram|diem\s*%)\s*(?:so\s+voi\s+)?"
        r"(?:muc\s+)?(?:binh\s+quan|trung\s+binh)"
    ),
    re.compile(
        r"thap\s+hon\s+(?:so\s+voi\s+)?(?:muc\s+)?(?:binh\s+quan|trung\s+binh)(?:\s+chung)?\s+"
        r"(\d{1,3}(?:,\d+)?)\s*(?:%|diem\s+phan\s+tram|diem\s*%)"
    ),
)
_AVERAGE_WORDS = re.compile(
    r"(binh\s+quan|trung\s+binh|toan\s+(huyen|tinh|thanh\s+pho|thi\s+xa)|"
    r"chung\s+cua\s+(huyen|tinh))"
)
_CHANGE_BEFORE = re.compile(r"(tang|giam|thap\s+hon|cao\s+hon)\s*$")


def check_gaps(doc: Draft, found: list[Statement], checked: Counter) -> list[Mismatch]:
    """ "(88,31%) … thấp hơn 8,34% mức bình quân" against the average for the same indicator and period: the
    one stated right after the gap, else in the same sentence or the text before it (its paragraph or the one
    before), else anywhere in the document."""
    out = []
    averages: dict[str | None, list[Statement]] = {}
    for (indicator, scope), group in sorted(
        _area_rates(doc, found).items(), key=lambda kv: kv[0][1] not in (None, "all")
    ):
        if scope != "province":
            averages.setdefault(indicator, []).extend(group)
    matches = sorted((m for pattern in _GAP for m in pattern.finditer(doc.folded)), key=lambda m: m.start())
    for m in matches:
        gap, decimals = _dec(m.group(1))
        # line breaks in these documents are mostly soft wraps: the sentence starts after ". ; +" or a "- " bullet
        bullets = [b.end() - 1 for b in re.finditer(r"\n\s*-\s", doc.text[: m.start()])]
        sentence_start = max([doc.text.rfind(c, 0, m.start()) for c in ".;+"] + bullets[-1:]) + 1
        own = [
            p
            for p in _PERCENT.finditer(doc.text, sentence_start, m.start())
            if not _CHANGE_BEFORE.search(doc.folded[max(0, p.start() - 15) : p.start()])
            and not _AVERAGE_WORDS.search(doc.folded[max(sentence_start, p.start() - 60) : p.start()])
        ]
        if not own:
            continue
        value, _ = _dec(own[0].group(1))
        found_avg = _gap_average(doc, found, averages, m, sentence_start)
        if found_avg is None:
            continue
        average, avg_dec, source = found_avg
        expected = average - value
        checked["gap"] += 1
        tolerance = Decimal(1).scaleb(-decimals) if max(avg_dec, decimals) > 0 else Decimal(1)
        if abs(expected - gap) > tolerance / 2 + Decimal("0.005"):
            out.append(
                Mismatch(
                    "gap",
                    doc.line_of(m.start()),
                    doc.sentence(m.start()),
                    f"thấp hơn {_fmt(gap, decimals)} điểm %",
                    f"{_fmt(average, avg_dec)}% − {_fmt(value, 2)}% = {_fmt(expected, 2)} điểm % ({source})",
                )
            )
    return out


def _gap_average(
    doc: Draft,
    found: list[Statement],
    averages: dict[str | None, list[Statement]],
    m: re.Match[str],
    sentence_start: int,
) -> tuple[Decimal, int, str] | None:
    """The average a gap is measured from, its decimals and where it was read: stated right after the gap, else
    before it in its sentence or paragraph, else the document's average for the same indicator and period."""
    indicator = _gap_indicator(doc, sentence_start, m.start())
    period = period_before(doc, m.start())
    tail = doc.text[m.end() : m.end() + 160]
    stated_avg = re.match(r"[^.;%]{0,60}?(?:là|la|\()\s*(\d{1,3}(?:,\d+)?)\s*%", tail)
    if stated_avg:
        average, avg_dec = _dec(stated_avg.group(1))
        return average, avg_dec, "mức bình quân ghi ngay sau"
    nearby = _average_before(doc, found, sentence_start, m.start(), indicator, period)
    if nearby is not None and doc.in_table(m.start()) and doc.line_of(nearby.start) != doc.line_of(m.start()):
        nearby = None
    if nearby is not None:
        return nearby.value, nearby.decimals, f"bình quân {_fmt(nearby.value, nearby.decimals)}% ở dòng {nearby.line}"
    candidates = [a for a in averages.get(indicator, []) if _agree(a.period, period)] if indicator else []
    if doc.in_table(m.start()):  # a row's sentence: another row's or column's figure is not its average
        candidates = [a for a in candidates if doc.line_of(a.start) == doc.line_of(m.start())]
    if not candidates:
        return None
    avg = candidates[0]
    return avg.value, avg.decimals, f"bình quân {_fmt(avg.value, avg.decimals)}% ở dòng {avg.line}"


def _gap_indicator(doc: Draft, sentence_start: int, pos: int) -> str | None:
    """The indicator a gap is about: named in its own sentence, else in the text before it back to its section
    heading (its paragraph, or the one before), else in that heading."""
    own = doc.indicator_before(pos, back=pos - sentence_start) if pos > sentence_start else None
    if own:
        return own
    start = max(0, sentence_start - 700)
    ctx = doc.folded[start:sentence_start]
    heads = [h.start() for h in re.finditer(r"(?m)^\s*(?:\d+(?:\.\d+)*\.?|[ivx]+\.)\s+\S", ctx)]
    ctx = ctx[heads[-1] :] if heads else ctx
    named = {name for name, pattern in INDICATOR_KEYS if W(pattern).search(ctx)}
    if len(named) == 1:
        return named.pop()
    # several indicators before it and none in its own sentence: only a heading can say which, never a guess
    headings = [h for h in re.finditer(r"(?m)^\s*\d+(?:\.\d+)+\.?\s+[^\n]*", doc.folded[:pos])]
    return (
        doc.indicator_before(headings[-1].end(), back=headings[-1].end() - headings[-1].start()) if headings else None
    )


def _average_before(
    doc: Draft, found: list[Statement], sentence_start: int, pos: int, indicator: str | None, period: Span | None
) -> Statement | None:
    """The average stated nearest before a gap, in its sentence or the text before it back to its section
    heading: a rate with "bình quân", "trung bình" or "toàn huyện/tỉnh" in its clause, for the same indicator
    (or none named) and period."""
    start = max(0, sentence_start - 700)
    heads = [h.start() for h in re.finditer(r"(?m)^\s*(?:\d+(?:\.\d+)*\.?|[ivx]+\.)\s+\S", doc.folded[start:pos])]
    if heads:
        start += heads[-1]
    best = None
    for s in found:
        if not start <= s.start < pos or s.indicator not in (indicator, None) or not _agree(s.period, period):
            continue
        clause_start = max([doc.folded.rfind(c, 0, s.start) for c in ".;("] + [start]) + 1
        if _AVERAGE_WORDS.search(doc.folded[clause_start : s.start]) and not _CHANGE_BEFORE.search(
            doc.folded[max(0, s.start - 15) : s.start]
        ):
            best = s
    return best


@dataclass
class CountList:
    line: int
    start: int
    total: int | None
    items: dict[str, int]  # unit id (or the text as written) → count
    commune_total: int
    quantity: str | None


def count_lists(doc: Draft, registry: Registry | None) -> list[CountList]:
    """ "19 hồ sơ giải quyết quá hạn ở các xã: Hà Kỳ (04), Tái Sơn (01), …" and the like."""
    out = []
    for m in W(r"(?<![\d.,/])(\d{1,4}) ho so([^:]{0,120}):").finditer(doc.folded):
        quantity = next((name for name, pattern in INDICATOR_KEYS if W(pattern).search(m.group(2))), None)
        body_end = doc.text.find(".", m.end())
        body_end = len(doc.text) if body_end == -1 else body_end
        body = doc.text[m.end() : body_end]
        items = list(_ITEM.finditer(body))
        if len(items) < 2:
            continue
        named, commune = {}, 0
        for it in items:
            name = re.sub(r"^(?:và|tại các xã|tại|các xã|gồm)\s*:?\s*", "", " ".join(it.group(1).split()))
            count = int(it.group(2))
            key, is_commune = name, False
            if registry is not None:
                try:
                    unit = registry.match(name)
                    key, is_commune = unit.id, unit.is_commune_level
                except MatchError:
                    pass
            named[key] = named.get(key, 0) + count
            commune += count if is_commune else 0
        out.append(CountList(doc.line_of(m.start()), m.start(), int(m.group(1)), named, commune, quantity))
    return out


def check_lists(doc: Draft, registry: Registry | None, checked: Counter) -> list[Mismatch]:
    out = []
    lists = count_lists(doc, registry)
    for c in lists:
        total = sum(c.items.values())
        checked["list_total"] += 1
        if c.total is not None and total != c.total:
            out.append(
                Mismatch(
                    "list_total",
                    c.line,
                    doc.sentence(c.start),
                    f"tổng {c.total}",
                    f"các đơn vị liệt kê cộng lại {total}",
                )
            )
    by_quantity: dict[str, list[CountList]] = {}
    for c in lists:
        if c.quantity:
            by_quantity.setdefault(c.quantity, []).append(c)
    for quantity, group in by_quantity.items():
        for a, b in zip(group, group[1:], strict=False):
            if a.commune_total and b.commune_total and a.commune_total != b.commune_total:
                diffs = []
                for key in sorted(set(a.items) | set(b.items)):
                    x, y = a.items.get(key), b.items.get(key)
                    if (
                        x != y
                        and registry is not None
                        and key in registry.by_id
                        and registry.by_id[key].is_commune_level
                    ):
                        diffs.append(f"{registry.by_id[key].short_name} {x or 0}/{y or 0}")
                out.append(
                    Mismatch(
                        "lists_disagree",
                        b.line,
                        doc.sentence(b.start),
                        f"{STATED_LABELS[quantity]} cấp xã: {b.commune_total}",
                        f"dòng {a.line} ghi {a.commune_total} cho cùng kỳ — khác nhau ở: {', '.join(diffs)}",
                    )
                )
    return out


@dataclass(frozen=True)
class Stored:
    """What a document is held against in the store: pooled rates by (indicator, scope) — scope "all",
    "commune_level" or "district_desk" — and each unit's by (indicator, unit id), for its period and, for a
    month's letter, the month before."""

    area: dict[tuple[str, str], float]
    units: dict[tuple[str, str], float]
    previous: dict[tuple[str, str], float] | None = None
    previous_units: dict[tuple[str, str], float] | None = None
    # the rates of another window a figure names ("8 tháng đầu năm", "từ ngày 01/4 đến ngày 31/8"), or None when
    # the store does not hold every month of it
    other: Callable[[Window], tuple[dict, dict] | None] | None = None

    def of(self, span: Span | None, period: Span | None) -> tuple[dict, dict] | None:
        """(area, units) rates for a statement's period: the document's own, another window's, or None."""
        if _agree(span, period):
            return self.area, self.units
        if span is None or self.other is None:
            return None
        year = span.year or (period.year if period else None)
        if year is None:
            return None
        end_year = span.end_year or year
        try:
            window = Window(Month(year, span.first), Month(end_year, span.last))
        except ValueError:
            return None
        return self.other(window)


def _key(s: Statement) -> tuple[str, str]:
    """Where a statement's figure is in the store: its unit's, else its scope's ("toàn tỉnh" is the whole area
    of a province)."""
    if s.indicator is None:
        return ("", "")
    return (s.indicator, s.unit) if s.unit else (s.indicator, "all" if s.scope == "province" else s.scope or "all")


def _held(doc: Draft, s: Statement, province: bool) -> bool:
    """A rate achieved by a unit or a scope the store can speak for."""
    if s.indicator in (None, "late"):
        return False
    # a target right before the figure: "(chỉ tiêu UBND tỉnh giao: 30%)", "vượt tỷ lệ giao của UBND tỉnh (30%)"
    if W(r"\b(chi tieu|giao|muc tieu)\b[^\d%;]{0,25}$").search(doc.folded[max(0, s.start - 60) : s.start]):
        return False
    if s.unit is not None:
        return _unit_rate(doc, s)
    return not (s.scope == "province" and not province) and _rate_statement(doc, s)


def _unit_rate(doc: Draft, s: Statement) -> bool:
    """A unit's rate achieved ("đạt 88,31%", "(92,45%)"), not its change, gap, target or a bound."""
    before = doc.folded[max(0, s.start - 30) : s.start]
    if W(r"(tang|giam|thap hon|cao hon|chi tieu|giao)\s*$").search(before):
        return False
    after = doc.folded[s.extras["end"] : s.extras["end"] + 25]
    if W(r"\s*[a-z]").match(after) and not W(r"\s*(va|nhung|trong|tuy|so voi|thap|cao) ").match(after):
        return False
    return not _bound_or_range(doc, s.start, s.extras["end"])


def check_store(
    doc: Draft,
    found: list[Statement],
    stored: Stored,
    checked: Counter,
    period: Span | None = None,
    province: bool = False,
) -> list[Mismatch]:
    """Stated rates against the stored data of the period — a unit's figure against that unit's, an area's
    against the pooled rate of its scope; with the month before, a stated change ("96,65%, tăng 1,18% so với
    tháng 4/2023") is checked too. ``province``: the store's area is a province, so "toàn tỉnh" is its whole
    area. A figure of another period (a nine-month figure in a month's check) is left alone."""
    out = []
    # a table cell's indicator and period are in its column's header, which the text does not carry: not held
    held = [s for s in found if not doc.in_table(s.start) and _held(doc, s, province)]
    for s in (s for s in held if _agree(s.period, period)):
        previous = stored.previous_units if s.unit else stored.previous
        rates = stored.units if s.unit else stored.area
        if not previous:
            continue
        m = W(r"\s*,?\s*(tang|giam) (\d{1,3}(?:,\d+)?)\s*% so voi").match(doc.folded, s.extras["end"])
        key = _key(s)
        if not m or key not in rates or key not in previous:
            continue
        stated, decimals = _dec(m.group(2))
        stated = -stated if m.group(1) == "giam" else stated
        actual = (Decimal(str(rates[key])) - Decimal(str(previous[key]))) * 100
        checked["store"] += 1
        if _round(actual, decimals) != stated:
            out.append(
                Mismatch(
                    "store",
                    s.line,
                    doc.sentence(s.start, m.end()),
                    f"{'tăng' if stated >= 0 else 'giảm'} {_fmt(abs(stated), decimals)} điểm %",
                    f"{'tăng' if actual >= 0 else 'giảm'} {_fmt(abs(actual), 2)} điểm % theo số liệu trong kho",
                )
            )
    for s in held:
        rates = stored.of(s.period, period)
        value = None if rates is None else (rates[1] if s.unit else rates[0]).get(_key(s))
        if value is None:
            continue
        checked["store"] += 1
        actual = Decimal(str(value)) * 100
        if _round(actual, s.decimals) != s.value:
            whose = doc.unit_names.get(s.unit, s.unit) if s.unit else doc.scope_label(s.scope or "all")
            out.append(
                Mismatch(
                    "store",
                    s.line,
                    doc.sentence(s.start, s.extras["end"]),
                    f"{STATED_LABELS[s.indicator]} {whose} {_fmt(s.value, s.decimals)}%",
                    f"{_fmt(actual, 2)}% theo số liệu trong kho",
                )
            )
    return out


@dataclass
class Reconciliation:
    mismatches: list[Mismatch]
    checked: Counter  # statements checked, per kind of check

    def summary(self) -> str:
        names = {
            "fraction": "phân số và tỷ lệ",
            "pooled": "tỷ lệ chung so với các phần",
            "restated": "số liệu nêu lại",
            "gap": "chênh lệch so với mức bình quân",
            "list_total": "danh sách có tổng",
            "store": "số liệu trong kho",
        }
        parts = [f"{n} {names[k]}" for k, n in self.checked.items() if n]
        return "Đã kiểm tra: " + (", ".join(parts) if parts else "không tìm thấy số liệu nào để kiểm tra") + "."


def reconcile(
    text: str,
    registry: Registry | None = None,
    stored: Stored | None = None,
    window: Window | None = None,
) -> Reconciliation:
    """Every arithmetic mismatch in a document's text, in document order, and what was checked; with
    ``stored`` rates of ``window``, the stated rates are checked against them too."""
    doc = Draft(text, registry)
    found = statements(doc)
    checked: Counter = Counter()
    out = (
        check_fractions(doc, found, checked)
        + check_pooled(doc, found, checked)
        + check_restated(doc, found, checked)
        + check_gaps(doc, found, checked)
        + check_lists(doc, registry, checked)
    )
    if stored is not None:
        province = doc.area == "tỉnh"
        out += check_store(doc, found, stored, checked, Span.of(window) if window else None, province)
    return Reconciliation(sorted(out, key=lambda x: x.line), checked)


def store_rates(frame, window: Window, registry: Registry | None = None) -> Stored:
    """What a report is held against in the store: the rates of its period and, for a month's letter, of the
    month before (a letter states its changes on the month before); with ``registry``, those of any other window
    a figure names, where the store holds every month of it for the units that report in it."""
    area, units = stored_rates(frame, window)
    other: Callable[[Window], tuple[dict, dict] | None] | None = None
    if registry is not None:
        from functools import cache

        import polars as pl

        from cchc_analysis.compute.completeness import find_gaps

        @cache
        def of_window(w: Window) -> tuple[dict, dict] | None:
            held = frame.filter(pl.col("month").is_between(w.start.first_day, w.end.first_day))
            present = set(held["unit_id"].to_list())
            if not present or find_gaps(frame, {"w": ("", w)}, [u for u in registry.units if u.id in present]):
                return None
            return stored_rates(frame, w)

        other = of_window
    if window.start != window.end:
        return Stored(area, units, other=other)
    before = Window(window.start - 1, window.start - 1)
    return Stored(area, units, *stored_rates(frame, before), other=other)


def stored_rates(frame, window: Window) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], float]]:
    """Rates of a period from the store's rows: pooled, (indicator, scope) → rate; per unit, (indicator, unit id)
    → rate."""
    from cchc_analysis.compute.indicators import area_rates, window_rates

    scopes = {"all": "all", "commune_level": "commune_level", "departments": "district_desk"}
    rates = window_rates(frame, window)
    area = {
        (r["indicator"], scopes[r["scope"]]): r["rate"]
        for r in area_rates(rates).iter_rows(named=True)
        if r["rate"] is not None
    }
    units = {(r["indicator"], r["unit_id"]): r["rate"] for r in rates.iter_rows(named=True) if r["rate"] is not None}
    return area, units


def held_against(
    text: str, registry: Registry, path: Path, window: Window | None, area: str, allow_partial: bool
) -> tuple[Window, Stored, str | None]:
    """The period a draft is held against (``window``, else the period its title names) and the store's rates
    of it, with a note when the store lacks months of it and ``allow_partial``; the store must hold the period,
    and every month of it for the units that report in it."""
    import polars as pl

    from cchc_analysis.compute.completeness import find_gaps, gaps_text, refusal
    from cchc_analysis.store.database import Store

    if window is None:
        span = Draft(text).period
        if span is None or span.year is None:
            raise UsageError(
                "văn bản không ghi kỳ ở phần tên — đối chiếu với kho cần --period (ví dụ --period 2023-H1)"
            )
        window = Window(Month(span.year, span.first), Month(span.end_year or span.year, span.last))
    if not path.exists():
        raise UsageError(
            f"chưa có kho dữ liệu {path} để đối chiếu kỳ {window} — nhập số liệu trước, hoặc chỉ định kho bằng --store"
        )
    with Store.open(path, read_only=True) as st:
        frame = st.current()
    frame = frame.filter(pl.col("area") == area)
    held = frame.filter(pl.col("month").is_between(window.start.first_day, window.end.first_day))
    if held.is_empty():
        raise UsageError(
            f"kho {path} chưa có số liệu kỳ {window} của {registry.area} — nhập số liệu kỳ đó, hoặc chọn đúng --period"
        )
    present = set(held["unit_id"].to_list())
    gaps = find_gaps(frame, {"period": (f"kỳ {window}", window)}, [u for u in registry.units if u.id in present])
    if gaps and not allow_partial:
        raise refusal(gaps.values())
    note = f"{gaps_text(gaps.values())}: chỉ đối chiếu trên các tháng đã có" if gaps else None
    return window, store_rates(frame, window, registry), note
